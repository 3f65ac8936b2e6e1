# LASER-GO workbook. `make report` and `make test` set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QUARTER ?=
REPORT_ARGS ?=

.PHONY: help report test lint typecheck contracts browser format lab bench lock sample-data validate docs clean

help:
	@echo "make report   build the sample reports into reports/ (sets up .venv first)"
	@echo "make test     lint, type check, import contracts, then the whole test suite (sets up .venv first)"
	@echo "make lint     ruff (lint and format check) and codespell"
	@echo "make typecheck  mypy on lasergo/"
	@echo "make contracts  import-linter: the package's layers"
	@echo "make format   ruff format and fix in place"
	@echo "make lab      open JupyterLab on notebooks/ with the workbook kernel"
	@echo "make bench    run the timing and memory benchmarks (BENCH=market: only those named so)"
	@echo "make lock     re-resolve requirements.lock from pyproject.toml"
	@echo "make docs     regenerate the table documentation in data/README.md"
	@echo "make clean    remove .venv, reports/ and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Install exactly the locked versions (the lock is the whole set, so without resolving again: that
# would bring back what requirements-overrides.txt leaves out), then the package itself (editable),
# and register the workbook's Jupyter kernel in the environment under its own name.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name lasergo --display-name "LASER-GO workbook" >/dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/lasergo report $(if $(QUARTER),--quarter $(QUARTER)) $(REPORT_ARGS)

test: lint typecheck contracts browser
	$(BIN)/python -m pytest -n 2 tests

# The real-browser check drives Debian's chromium; it is installed here when the machine allows
# it (root with apt-get). Otherwise the check is skipped and says why.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser check"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 \
	      || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) \
	      || echo "chromium could not be installed: the browser check will be skipped"; \
	  else \
	    echo "chromium is missing and this user cannot install it: the browser check will be skipped"; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check lasergo tests benchmarks
	$(BIN)/ruff format --check lasergo tests benchmarks
	$(BIN)/codespell lasergo tests benchmarks notebooks README.md data/README.md

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format lasergo tests benchmarks
	$(BIN)/ruff check --fix lasergo tests benchmarks

# JupyterLab with the workbook's kernel; installs the git hooks that strip notebook outputs.
lab: $(STAMP)
	$(BIN)/pre-commit install >/dev/null
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

sample-data: $(STAMP)
	$(BIN)/lasergo sample-data --companies 120 --seed 1 --out data/sample

validate: $(STAMP)
	$(BIN)/lasergo validate --data data/sample

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra dask --python-version 3.11 --override requirements-overrides.txt -o requirements.lock

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

docs: $(STAMP)
	$(BIN)/python -c "from lasergo.data.schemas import update_readme; update_readme('data/README.md')"
