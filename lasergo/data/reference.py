"""Reference tables: the facts of the LASER-GO roadmap and public market figures.

Each table is a tidy CSV file in ``data/reference/`` (see its README) with a
``source`` column naming the section of the roadmap (LASER-GO D5.1, 2017) or
the public source it comes from. The tables are read by the same reader and
checked by the same kind of pandera schema as the researchers' input tables
(:mod:`lasergo.data.reader`); a broken table raises InputError listing every
problem. The loaders read a table once and return a fresh copy on every call,
so callers may change what they get.

The id tuples ``CLUSTER_IDS``, ``TECHNOLOGY_IDS``, ``TARGET_MARKET_IDS`` (in
mission order), ``THEMATIC_SEGMENT_IDS``, ``ALL_SEGMENT_IDS`` and
``ALL_MARKET_IDS`` are read from the tables on access.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from lasergo.data.codes import CURRENCIES, SWOT_GROUPS, split_codes
from lasergo.data.columns import (
    at_least,
    between,
    codes_in,
    column,
    not_empty_list,
    one_of,
    one_of_lazy,
    row_check,
)
from lasergo.data.reader import Table, read_table_file
from lasergo.errors import InputError, Problem

REFERENCE_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "reference"


def _ids(table: str, kind: str | None = None) -> Callable[[], tuple[str, ...]]:
    """The ids of a reference table (of one ``kind``), read when a check needs them."""

    def allowed() -> tuple[str, ...]:
        frame = _load(table)
        if kind is not None:
            frame = frame[frame["kind"] == kind]
        return tuple(frame[frame.columns[0]])

    return allowed


def _text(description: str, example: str = "", *, nullable: bool = False) -> pa.Column:
    return column(str, description, "", example, nullable=nullable)


def _synonyms(example: str) -> pa.Column:
    return column(
        str,
        "Other names, abbreviations and places that mean the same in free text, for mention counts",
        "list",
        example,
        nullable=True,
        list_of="names",
    )


def _source() -> pa.Column:
    return _text("Roadmap section (LASER-GO D5.1 (2017) §...) or public source", "LASER-GO D5.1 (2017) §2.3")


def _schema(
    name: str, columns: dict[str, pa.Column], unique: list[str] | None = None, checks: list[pa.Check] | None = None
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns, checks=checks, unique=unique, report_duplicates="exclude_first", strict=False, name=name
    )


def clusters_schema() -> pa.DataFrameSchema:
    return _schema(
        "clusters",
        {
            "id": column(str, "Cluster id", "", "LITEK", unique=True),
            "name": _text("Cluster organisation", "OpticsValley"),
            "country": _text("Country", "France"),
            "region": _text("Region", "Ile-de-France"),
            "sector": column(
                str, "photonics or health_tech", "", "photonics", one_of(("photonics", "health_tech"), "sector")
            ),
            "specialisation": _text("Specialisation as stated", "imaging systems"),
            "smes": column(int, "SMEs as stated", "SMEs", "150"),
            "rtos": column(int, "RTOs as stated", "RTOs", "10"),
            "members_note": _text("Members as stated where they differ", nullable=True),
            "nuts_codes": column(str, "NUTS codes as stated (errors kept)", "list", "FR104"),
            "region_nuts": column(str, "The region's NUTS code as §1.1 gives it", "list", "FR10"),
            "source": _source(),
        },
    )


def sector_totals_schema() -> pa.DataFrameSchema:
    return _schema(
        "sector_totals",
        {
            "scope": column(
                str,
                "photonics, health_tech or all",
                "",
                "photonics",
                one_of(("photonics", "health_tech", "all"), "scope"),
            ),
            "counts": column(
                str,
                "smes, or companies where the text counts all companies",
                "",
                "smes",
                one_of(("smes", "companies"), "count kind"),
            ),
            "smes_stated": column(int, "SMEs (or companies) as stated", "SMEs", "342"),
            "rtos_stated": column("Int64", "RTOs as stated, blank if not stated", "RTOs", "25", nullable=True),
            "statement": _text("The statement"),
            "source": _source(),
        },
        unique=["scope", "counts", "source"],
    )


def segments_schema() -> pa.DataFrameSchema:
    return _schema(
        "segments",
        {
            "id": column(str, "Segment id", "", "sensing", unique=True),
            "name": _text("Segment", "Medical and environmental sensing"),
            "kind": column(
                str, "thematic or aggregate", "", "thematic", one_of(("thematic", "aggregate"), "segment kind")
            ),
            "source": _source(),
        },
    )


def technology_uses_schema() -> pa.DataFrameSchema:
    return _schema(
        "technology_uses",
        {
            "id": column(str, "Technology use id, T01-T35 in the roadmap's order", "", "T20", unique=True),
            "name": _text("Technology use", "Optical coherence tomography"),
            "segments": column(
                str,
                "Thematic segments the use mainly serves (a judgement)",
                "list",
                "diagnostics_imaging",
                [not_empty_list("segment"), codes_in(_ids("segments", "thematic"), "segment")],
                list_of="segments",
            ),
            "segment_note": _text("Why, where not obvious", nullable=True),
            "synonyms": _synonyms("OCT;OCT scanner"),
            "source": _source(),
        },
    )


def markets_schema() -> pa.DataFrameSchema:
    return _schema(
        "markets",
        {
            "id": column(str, "Market id", "", "japan", unique=True),
            "name": _text("Market", "Japan"),
            "kind": column(
                str,
                "target (a mission market) or reference (a wider level)",
                "",
                "target",
                one_of(("target", "reference"), "market kind"),
            ),
            "mission": column("Int64", "Mission number of a target market", "1-8", "8", nullable=True),
            "countries": column(str, "ISO 3166 alpha-2 codes", "list", "JP", nullable=True),
            "synonyms": _synonyms("Korea;Seoul"),
            "source": _source(),
        },
    )


def missions_schema() -> pa.DataFrameSchema:
    clusters = _ids("clusters")
    return _schema(
        "missions",
        {
            "mission": column(int, "Mission number", "1-8", "1", unique=True),
            "market": column(
                str, "Target market id", "", "usa_west", one_of_lazy(_ids("markets", "target"), "target market")
            ),
            "name": _text("Mission", "USA West Coast"),
            "lead": column(str, "Lead cluster", "", "OV", one_of_lazy(clusters, "cluster id")),
            "co_organiser": column(str, "Co-organising cluster", "", "MEDICEN", one_of_lazy(clusters, "cluster id")),
            "roadshow": column(bool, "A business roadshow is planned", "", "true"),
            "roadshow_clusters": column(
                str,
                "Clusters of the roadshow",
                "list",
                "OV;MEDICEN",
                codes_in(clusters, "cluster id"),
                nullable=True,
                list_of="clusters",
            ),
            "new_market": column(bool, "false for markets LASER-GO already worked", "", "false"),
            "note": _text("Free text", nullable=True),
            "source": _source(),
        },
    )


def matchmaking_events_schema() -> pa.DataFrameSchema:
    return _schema(
        "matchmaking_events",
        {
            "cluster": column(str, "Cluster id", "", "LITEK", one_of_lazy(_ids("clusters"), "cluster id"), unique=True),
            "region": _text("Region of the matchmaking", "Northern Europe"),
            "countries": _text("Countries as stated", "Denmark"),
            "note": _text("Free text", nullable=True),
            "source": _source(),
        },
    )


def cluster_links_schema() -> pa.DataFrameSchema:
    return _schema(
        "cluster_links",
        {
            "cluster": column(str, "Cluster id", "", "OV", one_of_lazy(_ids("clusters"), "cluster id")),
            "country": _text("ISO 3166 alpha-2 code", "US"),
            "kind": column(
                str,
                "mission, trade_show, established_link or planned",
                "",
                "mission",
                one_of(("mission", "trade_show", "established_link", "planned"), "link kind"),
            ),
            "detail": _text("What the link is"),
            "source": _source(),
        },
        unique=["cluster", "country", "kind"],
    )


def kpi_targets_schema() -> pa.DataFrameSchema:
    return _schema(
        "kpi_targets",
        {
            "kpi": column(int, "KPI number", "1-7", "5", one_of(range(1, 8), "KPI number"), unique=True),
            "description": _text("What the KPI counts"),
            "target": column(int, "Target", "count or percent", "240"),
            "unit": column(str, "count or percent", "", "count", one_of(("count", "percent"), "unit")),
            "source": _source(),
        },
    )


def funnel_schema() -> pa.DataFrameSchema:
    units = ("count", "share", "factor", "eur_m", "months", "years", "percent")
    return _schema(
        "funnel",
        {
            "parameter": column(str, "Funnel parameter", "", "direct_smes", unique=True),
            "value": column(float, "Value as stated", "see unit", "120"),
            "unit": column(str, "Unit of the value", "", "count", one_of(units, "unit")),
            "description": _text("What the figure is"),
            "source": _source(),
        },
    )


def tows_strategies_schema() -> pa.DataFrameSchema:
    return _schema(
        "tows_strategies",
        {
            "id": column(str, "Strategy id", "", "SO1", unique=True),
            "type": column(str, "SO, ST, WO or WT", "", "SO", one_of(("SO", "ST", "WO", "WT"), "strategy type")),
            "strategy": _text("The strategy in a sentence"),
            "factors": column(
                str,
                "SWOT factors the strategy uses",
                "list",
                "S1;O1",
                [not_empty_list("factor"), codes_in(_ids("swot_factors"), "SWOT factor")],
                list_of="SWOT factors",
            ),
            "source": _source(),
        },
    )


def swot_factors_schema() -> pa.DataFrameSchema:
    """SWOT factors: the roadmap's (data/reference/swot_factors.csv) and those a research team adds."""
    return _schema(
        "swot_factors",
        {
            "id": column(str, "Factor id, unique and not one of the roadmap's (S1-T4)", "", "O4", unique=True),
            "group": column(str, "S, W, O or T", "", "O", one_of(tuple(SWOT_GROUPS), "SWOT group")),
            "factor": column(str, "The factor in a few words", "", "Reimbursement codes for photonic diagnostics"),
            "source": column(str, "Where it comes from", "", "survey 2026, question 4"),
        },
    )


def market_figures_schema() -> pa.DataFrameSchema:
    """Market sizes from public sources, with year, currency and range."""
    return _schema(
        "market_figures",
        {
            "market": column(
                str, "Market id (data/reference/markets.csv)", "", "japan", one_of_lazy(_ids("markets"), "market")
            ),
            "segment": column(
                str,
                "Segment id (data/reference/segments.csv)",
                "",
                "medical_devices",
                one_of_lazy(_ids("segments"), "segment"),
            ),
            "year": column(int, "Year the figure refers to", "year", "2013", between(1990, 2100, "year")),
            "value_m": column(float, "Best estimate", "million of currency", "30200", at_least(0, "value")),
            "low_m": column(
                float, "Low end of the range, where known", "million of currency", "", at_least(0, "low"), nullable=True
            ),
            "high_m": column(
                float,
                "High end of the range, where known",
                "million of currency",
                "",
                at_least(0, "high"),
                nullable=True,
            ),
            "currency": column(str, "ISO 4217 currency code", "", "USD", one_of(CURRENCIES, "currency")),
            "source": column(str, "Publication and year", "", "US ITA 2016 Top Markets Report"),
            "note": column(str, "Free text", "", "as cited", nullable=True),
        },
        checks=[
            row_check(
                lambda df: df["low_m"].isna() | df["high_m"].isna() | (df["low_m"] <= df["high_m"]),
                "high_m",
                "high_m is below low_m",
            ),
            row_check(
                lambda df: df["low_m"].isna() | (df["low_m"] <= df["value_m"]), "low_m", "low_m is above value_m"
            ),
            row_check(
                lambda df: df["high_m"].isna() | (df["high_m"] >= df["value_m"]), "high_m", "high_m is below value_m"
            ),
        ],
        unique=["market", "segment", "year"],
    )


MARKET_PARAMETERS = {
    "market_size": (
        "Size of a market without a published figure in market_figures (medical devices)",
        "million of currency",
    ),
    "regional_share": (
        "Share of market of_market that belongs to market (a mission market that is a "
        "region of a country, or one of several countries)",
        "percent 0-100",
    ),
    "growth": ("Annual growth of a market's size, from the figure's year to the report year", "percent a year"),
    "segment_share": ("Share of the medical-device market in a thematic segment", "percent 0-100"),
    "photonics_share": ("Share of a segment's value that is photonics products", "percent 0-100"),
    "attainable_share": ("Share of the addressable photonics value the partnership can win", "percent 0-100"),
    "figure_range": (
        "Deviation assumed around a published figure where it gives no low or high",
        "percent of the figure",
    ),
}
ASSUMPTION_KINDS = ("published", "assumption", "definition")
DISTRIBUTIONS = ("pert", "triangular")
SHARE_PARAMETERS = ("regional_share", "segment_share", "photonics_share", "attainable_share")


def market_assumptions_schema() -> pa.DataFrameSchema:
    """Ranges of the market model (data/reference/market_assumptions.csv and a researcher's overrides)."""
    markets, thematic = _ids("markets"), _ids("segments", "thematic")
    return _schema(
        "market_assumptions",
        {
            "parameter": column(
                str,
                "What the row sets: "
                + "; ".join(f"{name} ({what}, {unit})" for name, (what, unit) in MARKET_PARAMETERS.items()),
                "",
                "photonics_share",
                one_of(MARKET_PARAMETERS, "parameter"),
            ),
            "market": column(
                str,
                "Market id the row applies to (data/reference/markets.csv); blank: all markets",
                "",
                "israel",
                one_of_lazy(markets, "market"),
                nullable=True,
            ),
            "of_market": column(
                str,
                "For regional_share: the market whose size is shared",
                "",
                "usa",
                one_of_lazy(markets, "market"),
                nullable=True,
            ),
            "segment": column(
                str,
                "Thematic segment the row applies to; blank: all segments",
                "",
                "sensing",
                one_of_lazy(thematic, "segment"),
                nullable=True,
            ),
            "low": column(float, "Low end of the range (P0 of the distribution)", "unit of the parameter", "20"),
            "mode": column(float, "Most likely value", "unit of the parameter", "35"),
            "high": column(float, "High end of the range", "unit of the parameter", "50"),
            "year": column(
                "Int64",
                "For market_size: year the size refers to",
                "year",
                "2015",
                between(1990, 2100, "year"),
                nullable=True,
            ),
            "currency": column(
                str, "For market_size: ISO 4217 currency code", "", "USD", one_of(CURRENCIES, "currency"), nullable=True
            ),
            "distribution": column(
                str,
                "pert (Beta-PERT, default) or triangular",
                "",
                "pert",
                one_of(DISTRIBUTIONS, "distribution"),
                nullable=True,
            ),
            "kind": column(
                str,
                "published (from a cited source), assumption (a judgement, labelled so in "
                "reports) or definition (true by how a market is defined)",
                "",
                "assumption",
                one_of(ASSUMPTION_KINDS, "kind"),
            ),
            "source": column(
                str, "Publication, or who judged and on what basis", "", "assumption of the research team"
            ),
            "note": column(str, "Free text", "", "", nullable=True),
        },
        checks=[
            row_check(lambda df: df["low"] <= df["mode"], "mode", "mode is below low"),
            row_check(lambda df: df["mode"] <= df["high"], "high", "high is below mode"),
            row_check(
                lambda df: ~df["parameter"].isin(SHARE_PARAMETERS) | ((df["low"] >= 0) & (df["high"] <= 100)),
                "low",
                "a share must lie between 0 and 100 percent",
            ),
            row_check(
                lambda df: (df["parameter"] != "market_size") | (df["low"] >= 0),
                "low",
                "a market size cannot be negative",
            ),
            row_check(
                lambda df: (df["parameter"] != "growth") | ((df["low"] > -100) & (df["high"] <= 100)),
                "low",
                "growth must lie between -100 and 100 percent a year",
            ),
            row_check(
                lambda df: ~df["parameter"].isin(["market_size", "regional_share"]) | df["market"].notna(),
                "market",
                "market_size and regional_share need a market",
            ),
            row_check(
                lambda df: (df["parameter"] != "regional_share") | df["of_market"].notna(),
                "of_market",
                "regional_share needs of_market",
            ),
            row_check(
                lambda df: (df["parameter"] != "market_size") | df["year"].notna(), "year", "market_size needs a year"
            ),
            row_check(
                lambda df: (df["parameter"] != "market_size") | df["currency"].notna(),
                "currency",
                "market_size needs a currency",
            ),
        ],
        unique=["parameter", "market", "of_market", "segment"],
    )


def currency_rates_schema() -> pa.DataFrameSchema:
    """Euro exchange rates, one per currency and year (data/reference/currency_rates.csv)."""
    return _schema(
        "currency_rates",
        {
            "currency": column(str, "ISO 4217 currency code", "", "USD", one_of(CURRENCIES, "currency")),
            "year": column(int, "Year of the annual average", "year", "2015", between(1990, 2100, "year")),
            "per_eur": column(
                float,
                "Units of the currency per euro (annual average)",
                "currency per EUR",
                "1.1095",
                pa.Check.gt(0, error="rate must be above 0"),
            ),
            "source": column(str, "Publication of the rate", "", "ECB euro reference rates, annual average"),
            "note": column(str, "Free text", "", "", nullable=True),
        },
        unique=["currency", "year"],
    )


REFERENCE_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("clusters", clusters_schema, True, "The six cluster organisations."),
        Table("sector_totals", sector_totals_schema, True, "SME and RTO totals as stated."),
        Table("segments", segments_schema, True, "Market segments."),
        Table("technology_uses", technology_uses_schema, True, "The 35 technology uses."),
        Table("markets", markets_schema, True, "Target and reference markets."),
        Table("missions", missions_schema, True, "The eight innovation missions."),
        Table("matchmaking_events", matchmaking_events_schema, True, "The six matchmaking participations."),
        Table("cluster_links", cluster_links_schema, True, "International links per cluster."),
        Table("kpi_targets", kpi_targets_schema, True, "The seven KPIs."),
        Table("funnel", funnel_schema, True, "Target-group funnel figures."),
        Table("swot_factors", swot_factors_schema, True, "The roadmap's SWOT factors."),
        Table("tows_strategies", tows_strategies_schema, True, "Default TOWS strategies."),
        Table("market_figures", market_figures_schema, True, "Public market sizes."),
        Table("market_assumptions", market_assumptions_schema, True, "Ranges of the market model."),
        Table("currency_rates", currency_rates_schema, True, "Euro exchange rates."),
    )
}


def read_table(name: str, directory: str | Path = REFERENCE_DIR) -> pd.DataFrame:
    """Read and check reference table ``name`` (file ``<name>.csv``) from ``directory``, uncached.

    Raises InputError naming the file, row (header = row 1) and column of every problem.
    Codes that refer to other tables are checked against the tables in ``REFERENCE_DIR``.
    """
    typed, problems = read_table_file(Path(directory) / f"{name}.csv", REFERENCE_TABLES[name])
    if problems or typed is None:
        raise InputError(problems)
    return typed


@functools.cache
def _load(name: str) -> pd.DataFrame:
    return read_table(name)


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


def synonyms(table: str) -> dict[str, list[str]]:
    """The names free text may use for each id of ``table`` (``technology_uses`` or ``markets``):
    the name first, then the ``synonyms`` of the table (for example T20: Optical coherence
    tomography, OCT, ...). For counting mentions in the stakeholder survey's answers."""
    frame = _load(table)
    return {
        code: [name, *split_codes(cell)]
        for code, name, cell in frame[["id", "name", "synonyms"]].itertuples(index=False)
    }


def markets() -> pd.DataFrame:
    """The eight target markets (with their mission number, §2.6 Table 2) and reference markets
    at a wider level (world, Europe, whole countries) used by market figures; ISO country codes."""
    return _load("markets").copy()


def missions() -> pd.DataFrame:
    """The eight innovation missions: market, lead and co-organising cluster, business roadshow
    and its clusters, and whether the market is new to LASER-GO (§2.6 Tables 2 and 3)."""
    return _load("missions").copy()


def _in_cluster_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` in the order of clusters.csv (by its ``cluster`` column)."""
    order = {c: k for k, c in enumerate(_load("clusters")["id"])}
    return frame.sort_values("cluster", key=lambda cells: cells.map(order))


#: The columns of :func:`activity_plan`.
PLAN_COLUMNS = ["plan_id", "kind", "name", "market", "lead", "co_organisers", "new_market", "source"]
_ROADSHOW_NUMBER = re.compile(r"business roadshow (\d+)")


def activity_plan() -> pd.DataFrame:
    """The plan of missions, roadshows and matchmaking participations (§2.6 Tables 2-3), 18 rows:
    M1-M8 the innovation missions (lead and co-organising cluster of missions.csv), R1-R4 the
    business roadshows numbered as the missions' notes say (R1 Canada, R2 Malaysia and Singapore,
    R3 Japan, R4 South Korea; lead the first of ``roadshow_clusters``, the others co-organise),
    and E-<cluster> the six matchmaking participations (matchmaking_events.csv; market blank).

    Columns: plan_id, kind (mission, roadshow, matchmaking), name, market (target market id,
    None for matchmaking), lead (cluster id), co_organisers (list of cluster ids), new_market
    (bool: a market LASER-GO had not worked), source.
    """
    missions = _load("missions").sort_values("mission")
    rows = [
        (
            "M" + str(m.mission),
            "mission",
            f"Mission {m.mission}: {m.name}",
            m.market,
            m.lead,
            [m.co_organiser],
            bool(m.new_market),
            m.source,
        )
        for m in missions.itertuples(index=False)
    ]
    roadshows = []
    for m in missions[missions["roadshow"]].itertuples(index=False):
        number = _ROADSHOW_NUMBER.search(str(m.note))
        if number is None:
            raise InputError(
                [
                    Problem(
                        str(REFERENCE_DIR / "missions.csv"),
                        None,
                        "note",
                        f"mission {m.mission}: roadshow without 'business roadshow <n>' in its note",
                    )
                ]
            )
        lead, *others = split_codes(m.roadshow_clusters)
        roadshows.append(
            (
                int(number.group(1)),
                "R" + number.group(1),
                "roadshow",
                f"Business roadshow {number.group(1)}: {m.name}",
                m.market,
                lead,
                others,
                bool(m.new_market),
                m.source,
            )
        )
    rows += [row[1:] for row in sorted(roadshows)]
    rows += [
        (
            f"E-{e.cluster}",
            "matchmaking",
            f"Matchmaking {'' if e.region.startswith('with ') else 'in '}{e.region} ({e.countries})",
            None,
            e.cluster,
            [],
            False,
            e.source,
        )
        for e in _in_cluster_order(_load("matchmaking_events")).itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


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


def market_assumptions() -> pd.DataFrame:
    """The ranges (low, mode, high) of the market model, each with its kind and source."""
    return _load("market_assumptions").copy()


def currency_rates() -> pd.DataFrame:
    """Euro exchange rates (ECB annual averages), one per currency and year."""
    return _load("currency_rates").copy()


_ID_TUPLES: dict[str, Callable[[], tuple[str, ...]]] = {
    "CLUSTER_IDS": _ids("clusters"),
    "TECHNOLOGY_IDS": _ids("technology_uses"),
    "TARGET_MARKET_IDS": lambda: tuple(_load("markets").query("kind == 'target'").sort_values("mission")["id"]),
    "THEMATIC_SEGMENT_IDS": _ids("segments", "thematic"),
    "ALL_SEGMENT_IDS": _ids("segments"),
    "ALL_MARKET_IDS": _ids("markets"),
}


def __getattr__(name: str) -> tuple[str, ...]:
    if name in _ID_TUPLES:
        return _ID_TUPLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
