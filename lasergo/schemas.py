"""Pandera schemas of the tables researchers collect (one file per table).

Every column carries its documentation in the schema itself: ``description``,
and ``metadata`` with ``unit``, ``example`` and, for list columns, the allowed
codes (``list_of``). ``data/README.md`` is generated from these schemas by
:func:`markdown_doc`, so the documentation cannot drift from the checks.

List columns hold several codes in one cell separated by ``;`` (for example
``supplier;integrator``), so that a spreadsheet stays one row per record.
Shares are percentages from 0 to 100; money is in millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy.sparse.csgraph import connected_components

from lasergo import reference

LIST_SEPARATOR = ";"

ROLES = ("supplier", "integrator", "end_user")
ROLE_NAMES = {
    "supplier": "technology supplier",
    "integrator": "system integrator",
    "end_user": "system user / end-user",
}
TARGET_GROUPS = ("direct", "indirect")
WAVES = ("entry", "yearly", "exit")
KPI_NUMBERS = tuple(range(1, 8))
NOVELTY_LEVELS = {
    1: "incremental improvement of an existing product",
    2: "new to the company",
    3: "new to the target market",
    4: "new to the European market",
    5: "new to the world",
}
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "KRW", "CAD", "AUD", "NZD", "MYR", "SGD", "ILS")


def split_codes(cell: object) -> list[str]:
    """The codes in a ``;``-separated cell, stripped; an empty or missing cell gives []."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or cell is pd.NA:
        return []
    return [part.strip() for part in str(cell).split(LIST_SEPARATOR) if part.strip()]


def codes_in(allowed: Callable[[], tuple[str, ...]], what: str) -> pa.Check:
    """Every ``;``-separated code of a cell is one of ``allowed()`` (read once per validation)."""

    def check(cells: pd.Series) -> pd.Series:
        known = set(allowed())
        return cells.map(lambda cell: pd.isna(cell) or all(code in known for code in split_codes(cell)))

    return pa.Check(check, name="codes_in", error=f"unknown {what}")


def not_empty_list(what: str) -> pa.Check:
    return pa.Check(lambda cell: len(split_codes(cell)) > 0, element_wise=True,
                    ignore_na=False, name="not_empty", error=f"at least one {what} is required")


def _cluster_ids() -> tuple[str, ...]:
    return tuple(reference.clusters()["id"])


def _technology_ids() -> tuple[str, ...]:
    return tuple(reference.technology_uses()["id"])


def _thematic_segments() -> tuple[str, ...]:
    seg = reference.segments()
    return tuple(seg.loc[seg["kind"] == "thematic", "id"])


def _all_segments() -> tuple[str, ...]:
    return tuple(reference.segments()["id"])


def _target_markets() -> tuple[str, ...]:
    mk = reference.markets()
    return tuple(mk.loc[mk["kind"] == "target", "id"])


def _all_markets() -> tuple[str, ...]:
    return tuple(reference.markets()["id"])


def _col(dtype, description: str, unit: str, example: str, checks=None, *,
         nullable: bool = False, unique: bool = False, list_of: str | None = None) -> pa.Column:
    meta = {"unit": unit, "example": example}
    if list_of:
        meta["list_of"] = list_of
    return pa.Column(dtype, checks=checks or [], nullable=nullable, unique=unique,
                     report_duplicates="exclude_first", description=description, metadata=meta)


def _in(values, what: str) -> pa.Check:
    values = tuple(values)
    return pa.Check.isin(values, error=f"unknown {what}; allowed: {', '.join(map(str, values))}")


def _in_lazy(allowed: Callable[[], tuple[str, ...]], what: str) -> pa.Check:
    return pa.Check(lambda s: s.isin(allowed()), name="isin", error=f"unknown {what}")


def _between(low: float, high: float, what: str) -> pa.Check:
    return pa.Check.in_range(low, high, error=f"{what} must be between {low:g} and {high:g}")


def _not_in_future(what: str) -> pa.Check:
    """A date no later than today: a later one is a typing error (the data are collected, not planned)."""
    return pa.Check(lambda dates: dates <= pd.Timestamp.today().normalize() + pd.Timedelta(days=1),
                    name="not_in_future", error=f"{what} is in the future")


def _at_least(low: float, what: str) -> pa.Check:
    return pa.Check.ge(low, error=f"{what} must be {low:g} or more")


def companies_schema() -> pa.DataFrameSchema:
    """Companies of the target group: one row per SME."""
    return pa.DataFrameSchema(
        {
            "id": _col(str, "Company identifier, unique; pseudonymous in shared data", "", "C0001",
                       unique=True),
            "cluster": _col(str, "Cluster the company belongs to (id from data/reference/clusters.csv)",
                            "", "LITEK", _in_lazy(_cluster_ids, "cluster id")),
            "name": _col(str, "Company name (confidential: shown only in internal reports)", "",
                         "Vilnius Optics UAB"),
            "roles": _col(str, "Roles in a value network: supplier (technology supplier), "
                          "integrator (system integrator), end_user (system user / end-user)",
                          "list", "supplier;integrator",
                          [not_empty_list("role"), codes_in(lambda: ROLES, "role")], list_of="roles"),
            "employees": _col("Int64", "Employees (head count) at the latest survey", "persons", "12",
                              _at_least(0, "employees"), nullable=True),
            "revenue_eur_m": _col(float, "Annual revenue", "EUR million", "2.4",
                                  _at_least(0, "revenue"), nullable=True),
            "rd_share_pct": _col(float, "R&D spending as a share of revenue", "percent 0-100", "15",
                                 _between(0, 100, "R&D share"), nullable=True),
            "export_share_pct": _col(float, "Revenue from outside the EU as a share of revenue",
                                     "percent 0-100", "35", _between(0, 100, "export share"),
                                     nullable=True),
            "technology_uses": _col(str, "Technology uses the company offers or applies "
                                    "(ids T01-T35 from data/reference/technology_uses.csv)", "list",
                                    "T01;T20", [not_empty_list("technology use"),
                                                codes_in(_technology_ids, "technology use")],
                                    list_of="technology_uses"),
            "segments": _col(str, "Thematic market segments served (ids from "
                             "data/reference/segments.csv, kind thematic)", "list",
                             "diagnostics_imaging", codes_in(_thematic_segments, "segment"),
                             nullable=True, list_of="segments"),
            "target_markets": _col(str, "Target markets of interest (ids from "
                                   "data/reference/markets.csv, kind target)", "list", "japan;canada",
                                   codes_in(_target_markets, "target market"), nullable=True,
                                   list_of="markets"),
            "target_group": _col(str, "direct (one of the 20 per cluster) or indirect", "", "direct",
                                 _in(TARGET_GROUPS, "target group")),
            "joined": _col("datetime64[ns]", "Date the company joined the action", "date (YYYY-MM-DD)",
                           "2024-02-15"),
        },
        strict=False,
        name="companies",
    )


def products_schema() -> pa.DataFrameSchema:
    """Products of the companies (the New Product Analysis)."""
    return pa.DataFrameSchema(
        {
            "id": _col(str, "Product identifier, unique", "", "P0001", unique=True),
            "company": _col(str, "Company id (from companies)", "", "C0001"),
            "name": _col(str, "Product name (confidential)", "", "OCT probe", nullable=True),
            "technology_use": _col(str, "Main technology use (id T01-T35)", "", "T20",
                                   _in_lazy(_technology_ids, "technology use")),
            "trl": _col("Int64", "Technology readiness level", "1-9", "7", _between(1, 9, "TRL")),
            "segment": _col(str, "Thematic segment the product serves", "", "diagnostics_imaging",
                            _in_lazy(_thematic_segments, "segment")),
            "novelty": _col("Int64", "Novelty: " + "; ".join(f"{k} {v}" for k, v in NOVELTY_LEVELS.items()),
                            "1-5", "3", _between(1, 5, "novelty")),
        },
        strict=False,
        name="products",
    )


def survey_waves_schema() -> pa.DataFrameSchema:
    """Answers of the entry, yearly and exit surveys: one row per company and wave."""
    return pa.DataFrameSchema(
        {
            "company": _col(str, "Company id (from companies)", "", "C0001"),
            "wave_date": _col("datetime64[ns]", "Date the answers refer to (yearly waves: tax-return time)",
                              "date (YYYY-MM-DD)", "2025-06-30", _not_in_future("wave date")),
            "wave": _col(str, "Survey wave: entry, yearly or exit", "", "yearly",
                         _in(WAVES, "survey wave")),
            "revenue_eur_m": _col(float, "Annual revenue", "EUR million", "2.6",
                                  _at_least(0, "revenue"), nullable=True),
            "export_share_pct": _col(float, "Revenue from outside the EU as a share of revenue",
                                     "percent 0-100", "38", _between(0, 100, "export share"),
                                     nullable=True),
            "rd_share_pct": _col(float, "R&D spending as a share of revenue", "percent 0-100", "14",
                                 _between(0, 100, "R&D share"), nullable=True),
            "employees": _col("Int64", "Employees (head count)", "persons", "13",
                              _at_least(0, "employees"), nullable=True),
        },
        unique=["company", "wave_date"],
        report_duplicates="exclude_first",
        strict=False,
        name="survey_waves",
    )


def kpi_ledger_schema() -> pa.DataFrameSchema:
    """Events and results that count towards the seven KPIs (roadmap section 2.4)."""
    return pa.DataFrameSchema(
        {
            "date": _col("datetime64[ns]", "Date of the event or result", "date (YYYY-MM-DD)",
                         "2025-03-12", _not_in_future("date")),
            "kpi": _col("Int64", "KPI number (data/reference/kpi_targets.csv)", "1-7", "3",
                        _in(KPI_NUMBERS, "KPI number")),
            "value": _col(float, "Count of events or results (KPIs 1-4 and 7; KPIs 5 and 6 are computed "
                          "from the survey waves, so ledger rows for them are not counted)",
                          "count", "1", _at_least(0, "value")),
            "cluster": _col(str, "Cluster that reports the entry", "", "OV",
                            _in_lazy(_cluster_ids, "cluster id")),
            "evidence": _col(str, "Reference to the proof (minutes, signed MoU, attendance list); "
                             "entries without evidence are reported as unverified", "",
                             "MoU-2025-014", nullable=True),
            "note": _col(str, "Free text", "", "matchmaking at MEDICA", nullable=True),
        },
        strict=False,
        name="kpi_ledger",
    )


ROW_CHECK_COLUMNS: dict[str, str] = {}


def row_check(test: Callable[[pd.DataFrame], pd.Series], column: str, error: str) -> pa.Check:
    """A check across the columns of each row, reported at ``column`` of the failing rows
    (pandera itself would report a DataFrame-wide check at every column)."""
    ROW_CHECK_COLUMNS[error] = column
    return pa.Check(test, name="row_check", error=error)


def market_figures_schema() -> pa.DataFrameSchema:
    """Market sizes from public sources, with year, currency and range."""
    return pa.DataFrameSchema(
        {
            "market": _col(str, "Market id (data/reference/markets.csv)", "", "japan",
                           _in_lazy(_all_markets, "market")),
            "segment": _col(str, "Segment id (data/reference/segments.csv)", "", "medical_devices",
                            _in_lazy(_all_segments, "segment")),
            "year": _col("Int64", "Year the figure refers to", "year", "2013", _between(1990, 2100, "year")),
            "value_m": _col(float, "Best estimate", "million of currency", "30200",
                            _at_least(0, "value")),
            "low_m": _col(float, "Low end of the range, where known", "million of currency", "",
                          _at_least(0, "low"), nullable=True),
            "high_m": _col(float, "High end of the range, where known", "million of currency", "",
                           _at_least(0, "high"), nullable=True),
            "currency": _col(str, "ISO 4217 currency code", "", "USD", _in(CURRENCIES, "currency")),
            "source": _col(str, "Publication and year", "", "US ITA 2016 Top Markets Report"),
            "note": _col(str, "Free text", "", "as cited", nullable=True),
        },
        checks=[
            row_check(lambda df: df["low_m"].isna() | df["high_m"].isna() | (df["low_m"] <= df["high_m"]),
                      "high_m", "high_m is below low_m"),
            row_check(lambda df: df["low_m"].isna() | (df["low_m"] <= df["value_m"]), "low_m",
                      "low_m is above value_m"),
            row_check(lambda df: df["high_m"].isna() | (df["high_m"] >= df["value_m"]), "high_m",
                      "high_m is below value_m"),
        ],
        strict=False,
        name="market_figures",
    )


MARKET_PARAMETERS = {
    "market_size": ("Size of a market without a published figure in market_figures (medical devices)",
                    "million of currency"),
    "regional_share": ("Share of market of_market that belongs to market (a mission market that is a "
                       "region of a country, or one of several countries)", "percent 0-100"),
    "growth": ("Annual growth of a market's size, from the figure's year to the report year", "percent a year"),
    "segment_share": ("Share of the medical-device market in a thematic segment", "percent 0-100"),
    "photonics_share": ("Share of a segment's value that is photonics products", "percent 0-100"),
    "attainable_share": ("Share of the addressable photonics value the partnership can win", "percent 0-100"),
    "figure_range": ("Deviation assumed around a published figure where it gives no low or high",
                     "percent of the figure"),
}
ASSUMPTION_KINDS = ("published", "assumption", "definition")
DISTRIBUTIONS = ("pert", "triangular")


def market_assumptions_schema() -> pa.DataFrameSchema:
    """Ranges of the market model (data/reference/market_assumptions.csv and a researcher's overrides)."""
    shares = ("regional_share", "segment_share", "photonics_share", "attainable_share")
    return pa.DataFrameSchema(
        {
            "parameter": _col(str, "What the row sets: " + "; ".join(
                f"{name} ({what}, {unit})" for name, (what, unit) in MARKET_PARAMETERS.items()),
                "", "photonics_share", _in(MARKET_PARAMETERS, "parameter")),
            "market": _col(str, "Market id the row applies to (data/reference/markets.csv); blank: all "
                           "markets", "", "israel", _in_lazy(_all_markets, "market"), nullable=True),
            "of_market": _col(str, "For regional_share: the market whose size is shared", "", "usa",
                              _in_lazy(_all_markets, "market"), nullable=True),
            "segment": _col(str, "Thematic segment the row applies to; blank: all segments", "",
                            "sensing", _in_lazy(_thematic_segments, "segment"), nullable=True),
            "low": _col(float, "Low end of the range (P0 of the distribution)", "unit of the parameter",
                        "20"),
            "mode": _col(float, "Most likely value", "unit of the parameter", "35"),
            "high": _col(float, "High end of the range", "unit of the parameter", "50"),
            "year": _col("Int64", "For market_size: year the size refers to", "year", "2015",
                         _between(1990, 2100, "year"), nullable=True),
            "currency": _col(str, "For market_size: ISO 4217 currency code", "", "USD",
                             _in(CURRENCIES, "currency"), nullable=True),
            "distribution": _col(str, "pert (Beta-PERT, default) or triangular", "", "pert",
                                 _in(DISTRIBUTIONS, "distribution"), nullable=True),
            "kind": _col(str, "published (from a cited source), assumption (a judgement, labelled so in "
                         "reports) or definition (true by how a market is defined)", "", "assumption",
                         _in(ASSUMPTION_KINDS, "kind")),
            "source": _col(str, "Publication, or who judged and on what basis", "",
                           "assumption of the research team"),
            "note": _col(str, "Free text", "", "", nullable=True),
        },
        checks=[
            row_check(lambda df: df["low"] <= df["mode"], "mode", "mode is below low"),
            row_check(lambda df: df["mode"] <= df["high"], "high", "high is below mode"),
            row_check(lambda df: ~df["parameter"].isin(shares) | ((df["low"] >= 0) & (df["high"] <= 100)),
                      "low", "a share must lie between 0 and 100 percent"),
            row_check(lambda df: (df["parameter"] != "market_size") | (df["low"] >= 0), "low",
                      "a market size cannot be negative"),
            row_check(lambda df: (df["parameter"] != "growth") | ((df["low"] > -100) & (df["high"] <= 100)),
                      "low", "growth must lie between -100 and 100 percent a year"),
            row_check(lambda df: ~df["parameter"].isin(["market_size", "regional_share"])
                      | df["market"].notna(), "market", "market_size and regional_share need a market"),
            row_check(lambda df: (df["parameter"] != "regional_share") | df["of_market"].notna(),
                      "of_market", "regional_share needs of_market"),
            row_check(lambda df: (df["parameter"] != "market_size") | df["year"].notna(), "year",
                      "market_size needs a year"),
            row_check(lambda df: (df["parameter"] != "market_size") | df["currency"].notna(), "currency",
                      "market_size needs a currency"),
        ],
        unique=["parameter", "market", "of_market", "segment"],
        report_duplicates="exclude_first",
        strict=False,
        name="market_assumptions",
    )


def currency_rates_schema() -> pa.DataFrameSchema:
    """Euro exchange rates, one per currency and year (data/reference/currency_rates.csv)."""
    return pa.DataFrameSchema(
        {
            "currency": _col(str, "ISO 4217 currency code", "", "USD", _in(CURRENCIES, "currency")),
            "year": _col("Int64", "Year of the annual average", "year", "2015", _between(1990, 2100, "year")),
            "per_eur": _col(float, "Units of the currency per euro (annual average)", "currency per EUR",
                            "1.1095", pa.Check.gt(0, error="rate must be above 0")),
            "source": _col(str, "Publication of the rate", "", "ECB euro reference rates, annual average"),
            "note": _col(str, "Free text", "", "", nullable=True),
        },
        unique=["currency", "year"],
        report_duplicates="exclude_first",
        strict=False,
        name="currency_rates",
    )


SWOT_GROUPS = {"S": "strengths", "W": "weaknesses", "O": "opportunities", "T": "threats"}
SWOT_MATRICES = ("groups", *SWOT_GROUPS)


def comparison_groups(items: list[str], pairs) -> list[list[str]]:
    """The sets of items that chains of compared ``pairs`` link (connected components of the
    comparison graph, scipy.sparse.csgraph), the set holding ``items[0]`` first. Pairs naming
    other items are ignored. A pairwise matrix can be completed only when this is one set."""
    position = {item: k for k, item in enumerate(items)}
    graph = np.zeros((len(items), len(items)), dtype=bool)
    for a, b in pairs:
        if a in position and b in position:
            graph[position[a], position[b]] = True
    _, labels = connected_components(graph, directed=False)
    order = list(dict.fromkeys(labels))
    return [[item for item, label in zip(items, labels) if label == c] for c in order]


def swot_judgements_schema() -> pa.DataFrameSchema:
    """Pairwise comparisons of experts on Saaty's 1-9 scale, for the weighted SWOT (A'WOT)."""
    return pa.DataFrameSchema(
        {
            "expert": _col(str, "Who judged (a name or a pseudonym)", "", "expert A"),
            "matrix": _col(str, "Which comparison: groups (S, W, O, T against each other) or a group "
                           "id S, W, O or T (its factors against each other)", "", "W",
                           _in(SWOT_MATRICES, "matrix")),
            "row": _col(str, "The item judged: a group id, or a factor id of the matrix's group", "", "W1"),
            "column": _col(str, "The item it is compared with", "", "W3"),
            "value": _col(float, "How much more important row is than column: 1 equal, 3 moderately, "
                          "5 strongly, 7 very strongly, 9 extremely; 1/3 etc. for the reverse",
                          "ratio 1/9-9", "3", pa.Check.in_range(1 / 9 - 1e-9, 9 + 1e-9,
                                                               error="judgement must be between 1/9 and 9")),
            "note": _col(str, "Free text", "", "", nullable=True),
        },
        strict=False,
        name="swot_judgements",
    )


def swot_ratings_schema() -> pa.DataFrameSchema:
    """Direct importance ratings (1-9) of SWOT groups and factors: the alternative to comparisons."""
    return pa.DataFrameSchema(
        {
            "expert": _col(str, "Who rated", "", "expert A"),
            "item": _col(str, "A group id (S, W, O, T) or a factor id", "", "O1"),
            "rating": _col(float, "Importance from 1 (very low) to 9 (extreme)", "1-9", "7",
                           _between(1, 9, "rating")),
        },
        unique=["expert", "item"],
        report_duplicates="exclude_first",
        strict=False,
        name="swot_ratings",
    )


def swot_factors_schema() -> pa.DataFrameSchema:
    """SWOT factors a research team adds to the roadmap's (data/reference/swot_factors.csv)."""
    return pa.DataFrameSchema(
        {
            "id": _col(str, "Factor id, unique and not one of the roadmap's (S1-T4)", "", "O4", unique=True),
            "group": _col(str, "S, W, O or T", "", "O", _in(tuple(SWOT_GROUPS), "SWOT group")),
            "factor": _col(str, "The factor in a few words", "", "Reimbursement codes for photonic diagnostics"),
            "source": _col(str, "Where it comes from", "", "survey 2026, question 4"),
        },
        strict=False,
        name="swot_factors",
    )


@dataclass(frozen=True)
class Table:
    """An input table: its file stem, schema, and the columns that refer to other tables."""

    name: str
    schema: Callable[[], pa.DataFrameSchema]
    required: bool
    description: str
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, table whose `id` it names)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("companies", companies_schema, True,
              "One row per SME of the direct and indirect target groups."),
        Table("products", products_schema, True,
              "One row per product (New Product Analysis).", (("company", "companies"),)),
        Table("survey_waves", survey_waves_schema, True,
              "One row per company and survey wave (entry, yearly at tax-return time, exit).",
              (("company", "companies"),)),
        Table("kpi_ledger", kpi_ledger_schema, True,
              "One row per event or result counted towards a KPI."),
        Table("market_figures", market_figures_schema, False,
              "Optional: market sizes found by researchers, added to "
              "data/reference/market_figures.csv."),
        Table("market_assumptions", market_assumptions_schema, False,
              "Optional: ranges for the market model; a row replaces the row of "
              "data/reference/market_assumptions.csv with the same parameter, market, of_market and "
              "segment, and other rows are added."),
        Table("currency_rates", currency_rates_schema, False,
              "Optional: euro exchange rates added to (or replacing those of the same currency and year "
              "in) data/reference/currency_rates.csv."),
        Table("swot_judgements", swot_judgements_schema, False,
              "Optional: pairwise comparisons for the weighted SWOT, one row per expert and pair. "
              "Give each pair once (the reciprocal is filled in); a matrix with gaps is completed "
              "when its comparisons still link every item. Needs all five matrices: groups, S, W, O, T."),
        Table("swot_ratings", swot_ratings_schema, False,
              "Optional: direct importance ratings, used for the SWOT when there are no pairwise "
              "comparisons."),
        Table("swot_factors", swot_factors_schema, False,
              "Optional: SWOT factors added to the roadmap's."),
    )
}


def _dtype_name(column: pa.Column) -> str:
    name = str(column.dtype).lower()
    if column.metadata and column.metadata.get("list_of"):
        return "list of codes"
    if name.startswith(("str", "string")):
        return "text"
    return {"int64": "integer", "float64": "number", "datetime64[ns]": "date"}.get(name, name)


def _allowed_text(column: pa.Column) -> str:
    texts = [check.error for check in column.checks if check.error]
    return "; ".join(texts)


def markdown_doc() -> str:
    """The input-table documentation of ``data/README.md``, generated from the schemas."""
    lines: list[str] = []
    for table in TABLES.values():
        schema = table.schema()
        lines += [f"### `{table.name}.csv` (or `.xlsx`)", "", table.description, ""]
        if schema.unique:
            lines += [f"Each combination of {', '.join(f'`{c}`' for c in schema.unique)} appears once.", ""]
        lines += ["| column | type | unit | required | checks | example | meaning |",
                  "|---|---|---|---|---|---|---|"]
        for name, column in schema.columns.items():
            meta = column.metadata or {}
            checks = _allowed_text(column)
            if column.unique:
                checks = "; ".join(filter(None, ["unique", checks]))
            lines.append(
                f"| `{name}` | {_dtype_name(column)} | {meta.get('unit', '')} | "
                f"{'no' if column.nullable else 'yes'} | {checks} | {meta.get('example', '')} | "
                f"{column.description} |"
            )
        lines.append("")
    lines += ["### Codes", "",
              "The codes allowed in the columns above; the reference tables in `data/reference/` "
              "give each code's source.", ""]
    clusters = reference.clusters()
    code_lists = {
        "cluster": zip(clusters["id"], clusters["name"]),
        "role": ROLE_NAMES.items(),
        "technology use": zip(reference.technology_uses()["id"], reference.technology_uses()["name"]),
        "thematic segment": ((i, n) for i, n, k in reference.segments()[["id", "name", "kind"]].itertuples(
            index=False) if k == "thematic"),
        "market (target markets are the eight missions)": zip(
            reference.markets()["id"], reference.markets()["name"] + " (" + reference.markets()["kind"] + ")"),
        "survey wave": ((w, w) for w in WAVES),
        "SWOT group": SWOT_GROUPS.items(),
        "SWOT factor": zip(reference.swot_factors()["id"], reference.swot_factors()["factor"]),
        "novelty": ((str(k), v) for k, v in NOVELTY_LEVELS.items()),
    }
    for what, pairs in code_lists.items():
        lines.append(f"- **{what}**: " + "; ".join(f"`{code}` {name}" for code, name in pairs))
    lines.append("")
    return "\n".join(lines)


DOC_START = "<!-- generated from lasergo/schemas.py: start -->"
DOC_END = "<!-- generated from lasergo/schemas.py: end -->"


def update_readme(path: Path) -> bool:
    """Rewrite the generated part of ``path`` (between the markers); True if it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(DOC_START)
    _, _, tail = rest.partition(DOC_END)
    new = f"{head}{DOC_START}\n{markdown_doc()}\n{DOC_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
