"""Builders of documented pandera columns and of the checks the table schemas share.

Every column carries its documentation in the schema itself: ``description``,
and ``metadata`` with ``unit``, ``example`` and, for list columns, the kind of
codes listed (``list_of``); ``data/README.md`` is generated from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import pandera.pandas as pa

from lasergo.data.codes import split_codes

#: Where each row-wise check is reported: its error text -> the column it concerns. pandera
#: itself would report a DataFrame-wide check at every column.
ROW_CHECK_COLUMNS: dict[str, str] = {}


def column(
    dtype: object,
    description: str,
    unit: str,
    example: str,
    checks: pa.Check | list | None = None,
    *,
    nullable: bool = False,
    unique: bool = False,
    list_of: str | None = None,
) -> pa.Column:
    """A documented column: its meaning, unit and an example value travel with its checks."""
    meta = {"unit": unit, "example": example}
    if list_of:
        meta["list_of"] = list_of
    return pa.Column(
        dtype,
        checks=checks or [],
        nullable=nullable,
        unique=unique,
        report_duplicates="exclude_first",
        description=description,
        metadata=meta,
    )


def one_of(values: Iterable[object], what: str) -> pa.Check:
    """The cell is one of a fixed set of ``values``."""
    values = tuple(values)
    return pa.Check.isin(values, error=f"unknown {what}; allowed: {', '.join(map(str, values))}")


def one_of_lazy(allowed: Callable[[], tuple[str, ...]], what: str) -> pa.Check:
    """The cell is one of ``allowed()``, read when the table is checked (codes of another table)."""
    return pa.Check(lambda cells: cells.isin(allowed()), name="isin", error=f"unknown {what}")


def codes_in(allowed: Callable[[], tuple[str, ...]], what: str) -> pa.Check:
    """Every ``;``-separated code of a cell is one of ``allowed()`` (read once per validation)."""

    def check(cells: pd.Series) -> pd.Series:
        known = set(allowed())
        return cells.map(lambda cell: pd.isna(cell) or all(code in known for code in split_codes(cell)))

    return pa.Check(check, name="codes_in", error=f"unknown {what}")


def not_empty_list(what: str) -> pa.Check:
    """A list cell holds at least one code."""
    return pa.Check(
        lambda cell: len(split_codes(cell)) > 0,
        element_wise=True,
        ignore_na=False,
        name="not_empty",
        error=f"at least one {what} is required",
    )


def between(low: float, high: float, what: str) -> pa.Check:
    return pa.Check.in_range(low, high, error=f"{what} must be between {low:g} and {high:g}")


def at_least(low: float, what: str) -> pa.Check:
    return pa.Check.ge(low, error=f"{what} must be {low:g} or more")


def not_in_future(what: str) -> pa.Check:
    """A date no later than today: a later one is a typing error (the data are collected, not planned)."""
    return pa.Check(
        lambda dates: dates <= pd.Timestamp.today().normalize() + pd.Timedelta(days=1),
        name="not_in_future",
        error=f"{what} is in the future",
    )


def row_check(test: Callable[[pd.DataFrame], pd.Series], column_name: str, error: str) -> pa.Check:
    """A check across the columns of each row, reported at ``column_name`` of the failing rows."""
    ROW_CHECK_COLUMNS[error] = column_name
    return pa.Check(test, name="row_check", error=error)
