"""Reference tables: the facts of the LASER-GO roadmap and public market figures.

Each table is a tidy CSV file in ``data/reference/`` (see its README) with a
``source`` column naming the section of the roadmap (LASER-GO D5.1, 2017) or
the public source it comes from. The loaders below read a table once, check it
(required columns and values present, types, allowed codes, unique keys) and
return a fresh copy on every call, so callers may change what they get.

List cells hold several codes separated by ``;``; :func:`split_list` turns a
column of them into lists. The id tuples ``CLUSTER_IDS``, ``TECHNOLOGY_IDS``,
``TARGET_MARKET_IDS`` (in mission order), ``THEMATIC_SEGMENT_IDS``,
``ALL_SEGMENT_IDS`` and ``ALL_MARKET_IDS`` are read from the tables on access.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
LIST_SEPARATOR = ";"

# Column types in _Spec: text, list (of ;-separated codes), int, float, bool;
# a trailing "?" means the cell may be blank.
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class _Spec:
    """How to read and check one reference table."""

    columns: dict[str, str]
    key: tuple[str, ...]
    allowed: dict[str, Callable[[], Collection]] = field(default_factory=dict)


def _values(*values) -> Callable[[], tuple]:
    return lambda: values


def _ids(table: str, kind: str | None = None) -> Callable[[], tuple[str, ...]]:
    def allowed() -> tuple[str, ...]:
        frame = _load(table)
        if kind is not None:
            frame = frame[frame["kind"] == kind]
        return tuple(frame[_SPECS[table].key[0]])

    return allowed


_SPECS: dict[str, _Spec] = {
    "clusters": _Spec(
        {"id": "text", "name": "text", "country": "text", "region": "text", "sector": "text",
         "specialisation": "text", "smes": "int", "rtos": "int", "members_note": "text?",
         "nuts_codes": "list", "region_nuts": "list", "source": "text"},
        key=("id",), allowed={"sector": _values("photonics", "health_tech")}),
    "sector_totals": _Spec(
        {"scope": "text", "counts": "text", "smes_stated": "int", "rtos_stated": "int?",
         "statement": "text", "source": "text"},
        key=("scope", "counts", "source"),
        allowed={"scope": _values("photonics", "health_tech", "all"),
                 "counts": _values("smes", "companies")}),
    "segments": _Spec(
        {"id": "text", "name": "text", "kind": "text", "source": "text"},
        key=("id",), allowed={"kind": _values("thematic", "aggregate")}),
    "technology_uses": _Spec(
        {"id": "text", "name": "text", "segments": "list", "segment_note": "text?", "source": "text"},
        key=("id",), allowed={"segments": _ids("segments", "thematic")}),
    "markets": _Spec(
        {"id": "text", "name": "text", "kind": "text", "mission": "int?", "countries": "list?",
         "source": "text"},
        key=("id",), allowed={"kind": _values("target", "reference")}),
    "missions": _Spec(
        {"mission": "int", "market": "text", "name": "text", "lead": "text", "co_organiser": "text",
         "roadshow": "bool", "roadshow_clusters": "list?", "new_market": "bool", "note": "text?",
         "source": "text"},
        key=("mission",),
        allowed={"market": _ids("markets", "target"), "lead": _ids("clusters"),
                 "co_organiser": _ids("clusters"), "roadshow_clusters": _ids("clusters")}),
    "matchmaking_events": _Spec(
        {"cluster": "text", "region": "text", "countries": "text", "note": "text?", "source": "text"},
        key=("cluster",), allowed={"cluster": _ids("clusters")}),
    "cluster_links": _Spec(
        {"cluster": "text", "country": "text", "kind": "text", "detail": "text", "source": "text"},
        key=("cluster", "country", "kind"),
        allowed={"cluster": _ids("clusters"),
                 "kind": _values("mission", "trade_show", "established_link", "planned")}),
    "kpi_targets": _Spec(
        {"kpi": "int", "description": "text", "target": "int", "unit": "text", "source": "text"},
        key=("kpi",), allowed={"kpi": _values(*range(1, 8)), "unit": _values("count", "percent")}),
    "funnel": _Spec(
        {"parameter": "text", "value": "float", "unit": "text", "description": "text", "source": "text"},
        key=("parameter",),
        allowed={"unit": _values("count", "share", "factor", "eur_m", "months", "years", "percent")}),
    "swot_factors": _Spec(
        {"id": "text", "group": "text", "factor": "text", "source": "text"},
        key=("id",), allowed={"group": _values("S", "W", "O", "T")}),
    "tows_strategies": _Spec(
        {"id": "text", "type": "text", "strategy": "text", "factors": "list", "source": "text"},
        key=("id",), allowed={"type": _values("SO", "ST", "WO", "WT"), "factors": _ids("swot_factors")}),
    "market_figures": _Spec(
        {"market": "text", "segment": "text", "year": "int", "value_m": "float", "low_m": "float?",
         "high_m": "float?", "currency": "text", "source": "text", "note": "text?"},
        key=("market", "segment", "year"),
        allowed={"market": _ids("markets"), "segment": _ids("segments")}),
}


def _fail(path: Path, row: int | None, column: str | None, message: str) -> ValueError:
    return ValueError(f"{path}:{'-' if row is None else row}:{column or '-'}: {message}")


def _parse(raw: pd.Series, kind: str, path: Path, name: str) -> pd.Series:
    """Typed column; raises ValueError at the first cell that is blank when required or unreadable."""
    base, optional = kind.rstrip("?"), kind.endswith("?")
    blank = raw.isna()
    if not optional and blank.any():
        raise _fail(path, int(blank.idxmax()) + 2, name, "value is required")
    if base in ("text", "list"):
        return raw.astype("str")
    if base == "bool":
        bad = ~raw.str.lower().isin(list(_BOOLEANS))
        if bad.any():
            raise _fail(path, int(bad.idxmax()) + 2, name, f"expected true or false, got {raw[bad.idxmax()]!r}")
        return raw.str.lower().map(_BOOLEANS).astype(bool)
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = ~blank & (numbers.isna() | ((numbers % 1 != 0) if base == "int" else False))
    if bad.any():
        expected = "a whole number" if base == "int" else "a number"
        raise _fail(path, int(bad.idxmax()) + 2, name, f"expected {expected}, got {raw[bad.idxmax()]!r}")
    if base == "int":
        return numbers.astype("Int64" if optional else "int64")
    return numbers.astype("float64")


def read_table(name: str, directory: str | Path = REFERENCE_DIR) -> pd.DataFrame:
    """Read and check reference table ``name`` (file ``<name>.csv``) from ``directory``, uncached.

    Raises ValueError naming the file, row (header = row 1) and column of the first problem.
    Codes that refer to other tables are checked against the tables in ``REFERENCE_DIR``.
    """
    spec = _SPECS[name]
    path = Path(directory) / f"{name}.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    raw = raw.apply(lambda column: column.str.strip()).replace("", pd.NA)
    missing = [column for column in spec.columns if column not in raw.columns]
    if missing:
        raise _fail(path, 1, missing[0], "missing column")
    frame = pd.DataFrame({column: _parse(raw[column], kind, path, column)
                          for column, kind in spec.columns.items()})
    for column, allowed in spec.allowed.items():
        known = set(allowed())
        for index, cell in frame[column].items():
            codes = split_codes(cell) if spec.columns[column].startswith("list") else [cell]
            unknown = [code for code in codes if not pd.isna(code) and code not in known]
            if unknown:
                raise _fail(path, index + 2, column, f"unknown value {unknown[0]!r}; allowed: "
                            + ", ".join(map(str, sorted(known, key=str))))
    duplicated = frame.duplicated(list(spec.key))
    if duplicated.any():
        index = int(duplicated.idxmax())
        raise _fail(path, index + 2, ",".join(spec.key),
                    f"duplicate {tuple(frame.loc[index, list(spec.key)])!r}")
    return frame


@functools.cache
def _load(name: str) -> pd.DataFrame:
    return read_table(name)


def split_codes(cell: object) -> list[str]:
    """The codes of one ``;``-separated cell, stripped; a blank cell gives []."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [code.strip() for code in cell.split(LIST_SEPARATOR) if code.strip()]


def split_list(series: pd.Series) -> pd.Series:
    """A column of ``;``-separated cells as a column of lists of codes (blank cells give [])."""
    return series.map(split_codes)


def clusters() -> pd.DataFrame:
    """The six cluster organisations: country, region, sector, specialisation, SMEs and RTOs
    as stated, member notes, NUTS codes as stated (``nuts_codes``, errors kept) and the region's
    NUTS code as §1.1 names it (``region_nuts``). Roadmap §1.1, §1.2.1, §2.3."""
    return _load("clusters").copy()


def sector_totals() -> pd.DataFrame:
    """Totals of SMEs (or companies, see ``counts``) and RTOs as the roadmap states them, not
    sums: per sector (§2.3) and for the whole partnership (§1.1, §2.3, §3)."""
    return _load("sector_totals").copy()


def segments() -> pd.DataFrame:
    """Market segments: the three thematic areas (§1.2.2) and aggregate markets used by
    market figures (medical devices, medical technology, photonics)."""
    return _load("segments").copy()


def technology_uses() -> pd.DataFrame:
    """The 35 technology uses of the scouting list (§2.2), T01-T35 in the roadmap's order, each
    with the thematic segments it mainly serves (a judgement, explained in ``segment_note``)."""
    return _load("technology_uses").copy()


def names(*tables: str) -> dict[str, str]:
    """Display name by id over the given tables (e.g. ``names("markets", "segments")``)."""
    return {code: name for table in tables for code, name in zip(_load(table)["id"], _load(table)["name"])}


def segment_uses(segments: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    """The technology uses (ids, in table order) that serve each thematic segment, from the
    ``segments`` column of ``technology_uses.csv`` (default: every thematic segment)."""
    uses = technology_uses()
    segments = segments or _ID_TUPLES["THEMATIC_SEGMENT_IDS"]()
    return {s: [u for u, cell in zip(uses["id"], uses["segments"]) if s in split_codes(cell)] for s in segments}


def markets() -> pd.DataFrame:
    """The eight target markets (with their mission number, §2.6 Table 2) and reference markets
    at a wider level (world, Europe, whole countries) used by market figures; ISO country codes."""
    return _load("markets").copy()


def missions() -> pd.DataFrame:
    """The eight innovation missions: market, lead and co-organising cluster, business roadshow
    and its clusters, and whether the market is new to LASER-GO (§2.6 Tables 2 and 3)."""
    return _load("missions").copy()


def matchmaking_events() -> pd.DataFrame:
    """The six regional matchmaking participations, one per cluster at its own cost (§2.6 Table 3)."""
    return _load("matchmaking_events").copy()


def cluster_links() -> pd.DataFrame:
    """Existing and planned international links per cluster and country: missions, trade shows,
    established links and plans (§1.2.1 strengths, §2.6 Table 1)."""
    return _load("cluster_links").copy()


def kpi_targets() -> pd.DataFrame:
    """The seven KPIs and their targets (§2.4); KPI 6 is in percent, the others are counts."""
    return _load("kpi_targets").copy()


def funnel() -> pd.DataFrame:
    """Target-group funnel, outcome and network figures as stated (§2.2, §2.3, §2.5), one
    ``parameter`` per row; shares are fractions 0-1, money in EUR million."""
    return _load("funnel").copy()


def funnel_value(name: str) -> float:
    """The value of funnel parameter ``name`` (for example ``direct_smes`` gives 120.0)."""
    table = _load("funnel")
    match = table.loc[table["parameter"] == name, "value"]
    if match.empty:
        raise KeyError(f"unknown funnel parameter {name!r}; see {REFERENCE_DIR / 'funnel.csv'}")
    return float(match.iloc[0])


def market_figures() -> pd.DataFrame:
    """Public market sizes (not in the roadmap) in millions of ``currency``, with year and a
    low/high range where known; each still to be checked against its publication."""
    return _load("market_figures").copy()


def swot_factors() -> pd.DataFrame:
    """The roadmap's SWOT factors (§1.2.1), four groups S, W, O, T of three or four factors."""
    return _load("swot_factors").copy()


def tows_strategies() -> pd.DataFrame:
    """Default TOWS strategies (Weihrich 1982) derived from the roadmap's actions, each linked to
    the SWOT factors it uses; the links are the workbook's judgement, labelled so in ``source``."""
    return _load("tows_strategies").copy()


_ID_TUPLES: dict[str, Callable[[], tuple[str, ...]]] = {
    "CLUSTER_IDS": _ids("clusters"),
    "TECHNOLOGY_IDS": _ids("technology_uses"),
    "TARGET_MARKET_IDS": lambda: tuple(_load("markets").query("kind == 'target'")
                                       .sort_values("mission")["id"]),
    "THEMATIC_SEGMENT_IDS": _ids("segments", "thematic"),
    "ALL_SEGMENT_IDS": _ids("segments"),
    "ALL_MARKET_IDS": _ids("markets"),
}


def __getattr__(name: str) -> tuple[str, ...]:
    if name in _ID_TUPLES:
        return _ID_TUPLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
