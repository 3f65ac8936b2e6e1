# LASER-GO workbook. `make report` and `make test` set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QUARTER ?=
REPORT_ARGS ?=

.PHONY: help report test lab bench lock sample-data validate docs clean

help:
	@echo "make report   build the sample reports into reports/ (sets up .venv first)"
	@echo "make test     run the whole test suite (sets up .venv first)"
	@echo "make lab      open JupyterLab on notebooks/ with the workbook kernel"
	@echo "make bench    run the timing and memory benchmarks (BENCH=market: only those named so)"
	@echo "make lock     re-resolve requirements.lock from pyproject.toml"
	@echo "make docs     regenerate the table documentation in data/README.md"
	@echo "make clean    remove .venv, reports/ and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Install exactly the locked versions, then the package itself (editable).
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/lasergo report $(if $(QUARTER),--quarter $(QUARTER)) $(REPORT_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lasergo)" >/dev/null
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

sample-data: $(STAMP)
	$(BIN)/lasergo sample-data --companies 120 --seed 1 --out data/sample

validate: $(STAMP)
	$(BIN)/lasergo validate --data data/sample

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

docs: $(STAMP)
	$(BIN)/python -c "from lasergo.schemas import update_readme; update_readme('data/README.md')"
