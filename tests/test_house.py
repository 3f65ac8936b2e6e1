"""The shape of the package: one error family, the quarter rules, declared dependencies."""

import ast
import tomllib
from importlib.metadata import packages_distributions

import pytest

from lasergo import errors
from lasergo.errors import LasergoError, ParameterError
from lasergo.quarter import parse_quarter, report_quarter
from tests.conftest import PROJECT


@pytest.mark.parametrize("name", ["InputError", "ParameterError", "AnalysisError", "PipelineError"])
def test_every_workbook_error_is_a_lasergo_error(name):
    assert issubclass(getattr(errors, name), LasergoError)


@pytest.mark.parametrize("text", ["2026Q5", "2026", "Q4-2026", ""])
def test_malformed_quarter_is_a_parameter_error(text):
    with pytest.raises(ParameterError, match="not a quarter"):
        parse_quarter(text)


def test_default_quarter_is_the_newest_record():
    import pandas as pd

    assert str(report_quarter(None, pd.Timestamp("2026-08-14"), "data")) == "2026Q3"
    assert str(report_quarter("2025-q1", None, "data")) == "2025Q1"
    with pytest.raises(ParameterError, match="no dated records"):
        report_quarter(None, None, "data")


def _imported_top_level_modules() -> set[str]:
    found = set()
    for path in (PROJECT / "lasergo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-")


def test_declared_dependencies_are_the_imported_ones():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    extras = [d for name, deps in project["optional-dependencies"].items() if name != "dev" for d in deps]
    declared = {
        _normalised(d.split(">")[0].split("=")[0].split("[")[0].strip()) for d in project["dependencies"] + extras
    }
    distributions = packages_distributions()
    imported = {
        _normalised(distributions[m][0]) for m in _imported_top_level_modules() if m in distributions and m != "lasergo"
    }
    used_without_import = {
        "jupyterlab",
    }  # the researchers' editor, started by `make lab`
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported - used_without_import == set(), "declared but never imported"
