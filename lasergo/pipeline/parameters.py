"""Notebook parameters given with ``-p KEY=VALUE``: checked against each notebook's declared
default before any kernel starts.

A value is read as the type of the default it replaces (whole number, number, true/false,
text, or an ISO date where the default is one) and must come out of Papermill's parameter
cell as exactly that value: only plain scalars reach a notebook. The base parameters have
options of their own and cannot be set this way.
"""

from __future__ import annotations

import ast
import math
import re
from datetime import date
from pathlib import Path

import papermill
from papermill.translators import PythonTranslator

from lasergo.errors import ParameterError, PipelineError

#: Parameters the pipeline sets itself, and how a user sets them instead.
RESERVED = {
    "quarter": "use --quarter",
    "data_dir": "use --data",
    "seed": "use --seed",
    "output_dir": "the pipeline sets it to the quarter's folder",
    "page_results": "the pipeline sets it to the results of the quarter's other pages",
    "snapshot": "the pipeline sets it to the data it validated for the run",
    "cluster": "use --by cluster",
}
Scalar = bool | int | float | str | None
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOLEANS = {"true": True, "false": False}


def declared_defaults(notebook: Path) -> dict[str, Scalar]:
    """The parameters a notebook's cell tagged ``parameters`` assigns, with their default values
    (None where the default is not a plain literal)."""
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except ValueError as err:  # e.g. no kernelspec in the notebook's metadata
        raise PipelineError(f"{notebook}: {err}") from None
    defaults: dict[str, Scalar] = {}
    for name, info in declared.items():
        try:
            value = ast.literal_eval(str(info["default"]))
        except (ValueError, SyntaxError):
            value = None
        defaults[name] = value if isinstance(value, Scalar) else None
    return defaults


def _kind(default: Scalar) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, str) and _ISO_DATE.match(default):
        return "a date YYYY-MM-DD"
    if isinstance(default, str):
        return "text"
    return "a whole number, a number, true, false or text"


def _read(raw: object, default: Scalar) -> Scalar:
    """``raw`` as the type of ``default``; ValueError when it is not one."""
    text = str(raw).strip()
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return _BOOLEANS[text.lower()]  # KeyError is caught by the caller
    if isinstance(default, int):
        if isinstance(raw, bool) or not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError
        return int(text)
    if isinstance(default, float):
        if isinstance(raw, bool):
            raise ValueError
        number = float(text)
        if not math.isfinite(number):
            raise ValueError
        return number
    if isinstance(default, str):
        if _ISO_DATE.match(default):
            return date.fromisoformat(text).isoformat()
        return str(raw)
    if text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return str(raw)


def checked_value(name: str, raw: object, default: Scalar) -> Scalar:
    """``raw`` read as the declared default's type; ParameterError naming the parameter and type."""
    if isinstance(raw, bool | int | float | str):
        try:
            value = _read(raw, default)
        except (ValueError, KeyError, OverflowError):
            value = None
        else:
            if ast.literal_eval(PythonTranslator.translate(value)) == value:
                return value
    raise ParameterError(f"parameter {name}: expected {_kind(default)} (its default is {default!r}), got {raw!r}")


def notebook_parameters(
    defaults: dict[Path, dict[str, Scalar]], requested: dict[str, object]
) -> dict[Path, dict[str, Scalar]]:
    """The checked user parameters each notebook declares (``defaults``: per notebook, as
    :func:`declared_defaults` gives them). ParameterError, before anything runs, for a base
    parameter, a parameter no notebook declares, or a value of the wrong type."""
    for name in requested:
        if name in RESERVED:
            raise ParameterError(f"parameter {name} cannot be set with -p: {RESERVED[name]}")
    everywhere = set().union(*(set(d) for d in defaults.values()))
    unknown = sorted(set(requested) - everywhere)
    if unknown:
        raise ParameterError(
            f"parameter {', '.join(unknown)} is declared by no notebook "
            f"(declared: {', '.join(sorted(everywhere - set(RESERVED)))})"
        )
    return {
        nb: {name: checked_value(name, raw, declared[name]) for name, raw in requested.items() if name in declared}
        for nb, declared in defaults.items()
    }
