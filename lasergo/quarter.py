"""What a report quarter is, and which one a run builds.

A quarter is a pandas ``Period`` with quarterly frequency (``2026Q3``). A
report for a quarter uses the data dated up to the quarter's last moment;
without a requested quarter, a run reports the quarter of the newest dated
record in the data.
"""

from __future__ import annotations

import pandas as pd

from lasergo.errors import ParameterError


def parse_quarter(text: str) -> pd.Period:
    """A quarter such as ``2026Q4`` (also ``2026-Q4``, ``2026q4``); ParameterError otherwise."""
    cleaned = str(text).strip().upper().replace("-", "")
    try:
        if len(cleaned) != 6 or cleaned[4] != "Q":
            raise ValueError
        return pd.Period(cleaned, freq="Q")
    except ValueError:
        raise ParameterError(f"not a quarter: {text!r} (expected e.g. 2026Q4)") from None


def quarter_of(date: pd.Timestamp) -> pd.Period:
    """The quarter a date falls in."""
    return pd.Period(date, freq="Q")


def quarter_end(quarter: pd.Period) -> pd.Timestamp:
    """The last moment of the quarter; data dated up to it belong to the quarter's report."""
    return quarter.end_time


def report_quarter(requested: str | None, latest: pd.Timestamp | None, where: str) -> pd.Period:
    """``requested`` parsed, or by default the quarter of ``latest``, the newest dated record of
    the data in ``where``. ParameterError for a malformed quarter or, without one, for data with
    no dated record."""
    if requested:
        return parse_quarter(requested)
    if latest is None:
        raise ParameterError(f"{where} has no dated records; give the quarter (e.g. 2026Q3)")
    return quarter_of(latest)
