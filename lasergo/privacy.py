"""The confidentiality rules every public page obeys (roadmap §2.2: company data are confidential
and aggregated anonymously).

- A public page carries no company-level row or point: no company id, no name, in no table and
  no chart. Company-level lists belong to the internal edition (``internal=True``), which the
  pipeline keeps out of the public reports folder.
- Every grouped cell of a public table or chart rests on at least ``k`` companies
  (:data:`MIN_COMPANIES`); a smaller cell is suppressed or merged, and the page says so.

:func:`public_table` is the guard the page helpers run on every table of a public page.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from lasergo.errors import AnalysisError

#: k: the fewest companies a grouped cell of a public page may describe.
MIN_COMPANIES = 5
#: Columns that name companies (by id or name): a table holding one is company-level.
COMPANY_COLUMNS = frozenset(
    {
        "company",
        "companies",
        "company_id",
        "company_name",
        "supplier",
        "integrator",
        "end_user",
        "end-user",
        "end_users",
    }
)


def company_level_columns(columns: Iterable[object]) -> list[str]:
    """The columns of a table that name companies."""
    return [str(c) for c in columns if str(c).strip().lower() in COMPANY_COLUMNS]


def public_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` unchanged if it may stand on a public page; AnalysisError if it names companies."""
    named = company_level_columns(frame.columns)
    if named:
        raise AnalysisError(
            f"a table with company-level columns ({', '.join(named)}) cannot stand on a public page; "
            "it belongs to the internal edition (internal=True)"
        )
    return frame


def too_small(counts: pd.Series | pd.DataFrame, k: int = MIN_COMPANIES) -> pd.Series | pd.DataFrame:
    """Where a cell rests on fewer than ``k`` companies (and on at least one)."""
    return (counts < k) & (counts > 0)


def suppress_small(values: pd.DataFrame, counts: pd.DataFrame, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """``values`` with every cell whose company count (same shape) is below ``k`` set to NA."""
    return values.mask(too_small(counts, k).reindex_like(values).fillna(False).astype(bool))
