"""Pandera schemas of the tables researchers collect (one file per table), and their documentation.

Every column carries its documentation in the schema itself (see
:mod:`lasergo.data.columns`); ``data/README.md`` is generated from these
schemas by :func:`markdown_doc`, so the documentation cannot drift from the
checks. Tables that share the columns of a reference table (market figures,
market assumptions, euro rates, SWOT factors) use the reference table's schema.
Shares are percentages from 0 to 100; money is in millions.
"""

from __future__ import annotations

from pathlib import Path

import pandera.pandas as pa

from lasergo.data import reference
from lasergo.data.codes import (
    ACTIVITY_KINDS,
    AFFILIATE_SECTORS,
    AFFILIATE_TYPES,
    CONCERNS,
    CONTACT_TYPES,
    KPI_NUMBERS,
    NOVELTY_LEVELS,
    ORGANISATION_TYPES,
    QUESTION_GROUPS,
    QUESTION_TYPES,
    RESPONDENT_TYPES,
    ROLE_NAMES,
    ROLES,
    SECTORS,
    SWOT_GROUPS,
    SWOT_MATRICES,
    TARGET_GROUPS,
    TIE_TYPES,
    WAVES,
    split_codes,
)
from lasergo.data.columns import (
    at_least,
    between,
    codes_in,
    column,
    not_empty_list,
    not_in_future,
    one_of,
    one_of_lazy,
    row_check,
)
from lasergo.data.reader import Table


def _cluster_ids() -> tuple[str, ...]:
    return reference.CLUSTER_IDS


def _technology_ids() -> tuple[str, ...]:
    return reference.TECHNOLOGY_IDS


def _thematic_segments() -> tuple[str, ...]:
    return reference.THEMATIC_SEGMENT_IDS


def _target_markets() -> tuple[str, ...]:
    return reference.TARGET_MARKET_IDS


def companies_schema() -> pa.DataFrameSchema:
    """Companies of the target group: one row per SME."""
    return pa.DataFrameSchema(
        {
            "id": column(str, "Company identifier, unique; pseudonymous in shared data", "", "C0001", unique=True),
            "cluster": column(
                str,
                "Cluster the company belongs to (id from data/reference/clusters.csv)",
                "",
                "LITEK",
                one_of_lazy(_cluster_ids, "cluster id"),
            ),
            "name": column(
                str, "Company name (confidential: shown only in internal reports)", "", "Vilnius Optics UAB"
            ),
            "roles": column(
                str,
                "Roles in a value network: supplier (technology supplier), "
                "integrator (system integrator), end_user (system user / end-user)",
                "list",
                "supplier;integrator",
                [not_empty_list("role"), codes_in(lambda: ROLES, "role")],
                list_of="roles",
            ),
            "employees": column(
                "Int64",
                "Employees (head count) at the latest survey",
                "persons",
                "12",
                at_least(0, "employees"),
                nullable=True,
            ),
            "revenue_eur_m": column(
                float, "Annual revenue", "EUR million", "2.4", at_least(0, "revenue"), nullable=True
            ),
            "rd_share_pct": column(
                float,
                "R&D spending as a share of revenue",
                "percent 0-100",
                "15",
                between(0, 100, "R&D share"),
                nullable=True,
            ),
            "export_share_pct": column(
                float,
                "Revenue from outside the EU as a share of revenue",
                "percent 0-100",
                "35",
                between(0, 100, "export share"),
                nullable=True,
            ),
            "technology_uses": column(
                str,
                "Technology uses the company offers or applies (ids T01-T35 from data/reference/technology_uses.csv)",
                "list",
                "T01;T20",
                [not_empty_list("technology use"), codes_in(_technology_ids, "technology use")],
                list_of="technology_uses",
            ),
            "segments": column(
                str,
                "Thematic market segments served (ids from data/reference/segments.csv, kind thematic)",
                "list",
                "diagnostics_imaging",
                codes_in(_thematic_segments, "segment"),
                nullable=True,
                list_of="segments",
            ),
            "target_markets": column(
                str,
                "Target markets of interest (ids from data/reference/markets.csv, kind target)",
                "list",
                "japan;canada",
                codes_in(_target_markets, "target market"),
                nullable=True,
                list_of="markets",
            ),
            "target_group": column(
                str,
                "direct (one of the 20 per cluster) or indirect",
                "",
                "direct",
                one_of(TARGET_GROUPS, "target group"),
            ),
            "joined": column(
                "datetime64[ns]",
                "Date the company joined the action",
                "date (YYYY-MM-DD)",
                "2024-02-15",
                not_in_future("joining date"),
            ),
        },
        strict=False,
        name="companies",
    )


def products_schema() -> pa.DataFrameSchema:
    """Products of the companies (the New Product Analysis)."""
    return pa.DataFrameSchema(
        {
            "id": column(str, "Product identifier, unique", "", "P0001", unique=True),
            "company": column(str, "Company id (from companies)", "", "C0001"),
            "name": column(str, "Product name (confidential)", "", "OCT probe", nullable=True),
            "technology_use": column(
                str, "Main technology use (id T01-T35)", "", "T20", one_of_lazy(_technology_ids, "technology use")
            ),
            "trl": column("Int64", "Technology readiness level", "1-9", "7", between(1, 9, "TRL")),
            "segment": column(
                str,
                "Thematic segment the product serves",
                "",
                "diagnostics_imaging",
                one_of_lazy(_thematic_segments, "segment"),
            ),
            "novelty": column(
                "Int64",
                "Novelty: " + "; ".join(f"{k} {v}" for k, v in NOVELTY_LEVELS.items()),
                "1-5",
                "3",
                between(1, 5, "novelty"),
            ),
        },
        strict=False,
        name="products",
    )


def survey_waves_schema() -> pa.DataFrameSchema:
    """Answers of the entry, yearly and exit surveys: one row per company and wave."""
    return pa.DataFrameSchema(
        {
            "company": column(str, "Company id (from companies)", "", "C0001"),
            "wave_date": column(
                "datetime64[ns]",
                "Date the answers refer to (yearly waves: tax-return time)",
                "date (YYYY-MM-DD)",
                "2025-06-30",
                not_in_future("wave date"),
            ),
            "wave": column(str, "Survey wave: entry, yearly or exit", "", "yearly", one_of(WAVES, "survey wave")),
            "revenue_eur_m": column(
                float, "Annual revenue", "EUR million", "2.6", at_least(0, "revenue"), nullable=True
            ),
            "export_share_pct": column(
                float,
                "Revenue from outside the EU as a share of revenue",
                "percent 0-100",
                "38",
                between(0, 100, "export share"),
                nullable=True,
            ),
            "rd_share_pct": column(
                float,
                "R&D spending as a share of revenue",
                "percent 0-100",
                "14",
                between(0, 100, "R&D share"),
                nullable=True,
            ),
            "employees": column(
                "Int64", "Employees (head count)", "persons", "13", at_least(0, "employees"), nullable=True
            ),
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
            "date": column(
                "datetime64[ns]",
                "Date of the event or result",
                "date (YYYY-MM-DD)",
                "2025-03-12",
                not_in_future("date"),
            ),
            "kpi": column(
                "Int64", "KPI number (data/reference/kpi_targets.csv)", "1-7", "3", one_of(KPI_NUMBERS, "KPI number")
            ),
            "value": column(
                float,
                "Count of events or results (KPIs 1-4 and 7; KPIs 5 and 6 are computed "
                "from the survey waves, so ledger rows for them are not counted)",
                "count",
                "1",
                at_least(0, "value"),
            ),
            "cluster": column(str, "Cluster that reports the entry", "", "OV", one_of_lazy(_cluster_ids, "cluster id")),
            "evidence": column(
                str,
                "Reference to the proof (minutes, signed MoU, attendance list); "
                "entries without evidence are reported as unverified",
                "",
                "MoU-2025-014",
                nullable=True,
            ),
            "note": column(str, "Free text", "", "matchmaking at MEDICA", nullable=True),
        },
        strict=False,
        name="kpi_ledger",
    )


def swot_judgements_schema() -> pa.DataFrameSchema:
    """Pairwise comparisons of experts on Saaty's 1-9 scale, for the weighted SWOT (A'WOT)."""
    return pa.DataFrameSchema(
        {
            "expert": column(str, "Who judged (a name or a pseudonym)", "", "expert A"),
            "matrix": column(
                str,
                "Which comparison: groups (S, W, O, T against each other) or a group "
                "id S, W, O or T (its factors against each other)",
                "",
                "W",
                one_of(SWOT_MATRICES, "matrix"),
            ),
            "row": column(str, "The item judged: a group id, or a factor id of the matrix's group", "", "W1"),
            "column": column(str, "The item it is compared with", "", "W3"),
            "value": column(
                float,
                "How much more important row is than column: 1 equal, 3 moderately, "
                "5 strongly, 7 very strongly, 9 extremely; 1/3 etc. for the reverse",
                "ratio 1/9-9",
                "3",
                pa.Check.in_range(1 / 9 - 1e-9, 9 + 1e-9, error="judgement must be between 1/9 and 9"),
            ),
            "note": column(str, "Free text", "", "", nullable=True),
        },
        strict=False,
        name="swot_judgements",
    )


def swot_ratings_schema() -> pa.DataFrameSchema:
    """Direct importance ratings (1-9) of SWOT groups and factors: the alternative to comparisons."""
    return pa.DataFrameSchema(
        {
            "expert": column(str, "Who rated", "", "expert A"),
            "item": column(str, "A group id (S, W, O, T) or a factor id", "", "O1"),
            "rating": column(float, "Importance from 1 (very low) to 9 (extreme)", "1-9", "7", between(1, 9, "rating")),
        },
        unique=["expert", "item"],
        report_duplicates="exclude_first",
        strict=False,
        name="swot_ratings",
    )


def _date(description: str, example: str, what: str, *, nullable: bool = False) -> pa.Column:
    """A date a researcher records after the fact: it cannot lie in the future."""
    return column("datetime64[ns]", description, "date (YYYY-MM-DD)", example, not_in_future(what), nullable=nullable)


def _cluster(description: str, example: str = "LITEK", *, nullable: bool = False) -> pa.Column:
    return column(str, description, "", example, one_of_lazy(_cluster_ids, "cluster id"), nullable=nullable)


def _score(description: str, example: str, what: str, *, nullable: bool = False) -> pa.Column:
    return column("Int64", description, "1-5", example, between(1, 5, what), nullable=nullable)


def _target_market(description: str, example: str, *, nullable: bool = False) -> pa.Column:
    return column(
        str,
        description,
        "",
        example,
        pa.Check(
            lambda cells: cells.isin(_target_markets()),
            name="isin",
            error=f"not a target market; allowed: {', '.join(_target_markets())}",
        ),
        nullable=nullable,
    )


def _free_text(description: str, example: str = "", *, nullable: bool = True) -> pa.Column:
    return column(str, description, "", example, nullable=nullable)


def scouting_schema() -> pa.DataFrameSchema:
    """Findings of the technology scouts abroad (roadmap §2.2 step 3): one row per finding."""
    return pa.DataFrameSchema(
        {
            "date": _date("Date of the finding", "2025-04-14", "finding date"),
            "cluster": _cluster("Cluster of the scout; blank if not known", "OV", nullable=True),
            "technology_use": column(
                str,
                "Technology use found (id T01-T35 from data/reference/technology_uses.csv)",
                "",
                "T20",
                one_of_lazy(_technology_ids, "technology use"),
            ),
            "market": _target_market("Target market where it was found", "japan"),
            "organisation_type": column(
                str,
                "Kind of organisation that offers or needs it",
                "",
                "system_maker",
                one_of(ORGANISATION_TYPES, "organisation type"),
            ),
            "organisation": _free_text(
                "The foreign organisation (not a partnership SME); blank if not named", "Tokyo Eye Devices"
            ),
            "trl": column("Int64", "Technology readiness level of what was found", "1-9", "6", between(1, 9, "TRL")),
            "novelty": _score(
                "Novelty against what the partnership offers: 1 nothing new to 5 new to the world", "4", "novelty"
            ),
            "market_need": _score(
                "Strength of the need the scout saw in the market: 1 none to 5 urgent", "5", "market need"
            ),
            "source": _free_text("Where it was found (trade show, paper, visit)", "MEDTEC Japan 2025"),
        },
        strict=False,
        name="scouting",
    )


def _steps_in_order() -> list[pa.Check]:
    """An affiliate's steps are dated in order: interviewed not before shortlisted, mou_signed not
    before the step before it (interviewed, or shortlisted when there was no interview)."""
    order = "the steps go shortlisted, interviewed, mou_signed"
    return [
        row_check(
            lambda df: df["interviewed"].isna() | (df["interviewed"] >= df["shortlisted"]),
            "interviewed",
            f"interviewed is before shortlisted: {order}",
        ),
        row_check(
            lambda df: df["mou_signed"].isna() | (df["mou_signed"] >= df["interviewed"].fillna(df["shortlisted"])),
            "mou_signed",
            f"mou_signed is before the step before it: {order}",
        ),
    ]


def affiliates_schema() -> pa.DataFrameSchema:
    """Affiliates of the partnership in the target markets (roadmap §2.5): one row per organisation."""
    return pa.DataFrameSchema(
        {
            "id": column(str, "Affiliate identifier, unique", "", "A01", unique=True),
            "name": column(str, "Organisation", "", "Japan Photonics Council"),
            "market": _target_market("Target market of the affiliate", "japan"),
            "type": column(
                str, "Kind of organisation", "", "cluster_association", one_of(AFFILIATE_TYPES, "affiliate type")
            ),
            "sector": column(
                str, "Sector it serves: photonics, health_tech or both", "", "both", one_of(AFFILIATE_SECTORS, "sector")
            ),
            "shortlisted": _date("Date it was shortlisted", "2024-06-01", "shortlisting date"),
            "interviewed": _date(
                "Date of the interview; blank if not yet interviewed", "2024-09-15", "interview date", nullable=True
            ),
            "mou_signed": _date(
                "Date the MoU was signed; blank if not yet signed. The status at a date is the latest "
                "step dated on or before it",
                "2025-02-20",
                "MoU date",
                nullable=True,
            ),
        },
        checks=_steps_in_order(),
        strict=False,
        name="affiliates",
    )


def ties_schema() -> pa.DataFrameSchema:
    """Ties of the value network: one row per tie between two nodes."""
    node = "a cluster id (data/reference/clusters.csv), an affiliate id or a company id"
    return pa.DataFrameSchema(
        {
            "source": column(str, f"One end of the tie: {node}", "", "LITEK"),
            "target": column(str, f"The other end: {node}; not the source", "", "A03"),
            "type": column(str, "Kind of tie", "", "mou", one_of(TIE_TYPES, "tie type")),
            "date": _date("Date the tie was made", "2025-05-20", "tie date"),
            "evidence": _free_text("Reference to the proof (signed MoU, minutes)", "MoU-2025-007"),
        },
        strict=False,
        name="ties",
    )


def activities_schema() -> pa.DataFrameSchema:
    """Missions, roadshows and matchmaking events, planned and held (roadmap §2.6 Tables 2-3)."""
    return pa.DataFrameSchema(
        {
            "plan_id": _free_text(
                "Plan item: M1-M8 missions, R1-R4 business roadshows (R1 Canada, R2 Malaysia and "
                "Singapore, R3 Japan, R4 South Korea), E-<cluster> matchmaking participations; "
                "blank for an unplanned activity",
                "M8",
            ),
            "kind": column(str, "Kind of activity", "", "mission", one_of(ACTIVITY_KINDS, "activity kind")),
            "name": column(str, "Name of the activity", "", "Innovation mission to Japan"),
            "market": _target_market("Target market; blank for an activity in Europe", "japan", nullable=True),
            "lead": _cluster("Cluster that leads it", "BIOCAT"),
            "planned": column(
                "datetime64[ns]",
                "Date it is planned for (may lie in the future); blank if not yet planned",
                "date (YYYY-MM-DD)",
                "2026-10-12",
                nullable=True,
            ),
            "held": _date("Date it was held; blank if not yet held", "2026-10-14", "held date", nullable=True),
            "participants": column(
                "Int64",
                "Participating companies; blank if not known",
                "companies",
                "9",
                at_least(0, "participants"),
                nullable=True,
            ),
            "evidence": _free_text("Reference to the proof (report, attendance list)", "report-M8"),
        },
        strict=False,
        name="activities",
    )


def survey_questions_schema() -> pa.DataFrameSchema:
    """The stakeholder survey's questionnaire (roadmap §2.5): one row per question."""
    with_options = ("single", "multiple")
    return pa.DataFrameSchema(
        {
            "id": column(str, "Question id, unique", "", "Q07", unique=True),
            "group": column(
                str,
                "Part of the questionnaire: market_needs, opportunities or resources_barriers",
                "",
                "resources_barriers",
                one_of(QUESTION_GROUPS, "question group"),
            ),
            "type": column(
                str,
                "likert (answer 1-5), single (one option), multiple (several options) or text (free text)",
                "",
                "multiple",
                one_of(QUESTION_TYPES, "question type"),
            ),
            "text": column(str, "The question as asked", "", "Which barriers keep you from this market?"),
            "options": column(
                str,
                "The choices of a single or multiple question; blank for likert and text",
                "list",
                "regulation;funding;finding_partners",
                nullable=True,
                list_of="answer options",
            ),
        },
        checks=[
            row_check(
                lambda df: ~df["type"].isin(with_options) | (df["options"].map(lambda c: len(split_codes(c))) >= 2),
                "options",
                "a single or multiple question needs at least two options",
            ),
            row_check(
                lambda df: df["type"].isin(with_options) | df["options"].isna(),
                "options",
                "a likert or text question has no options",
            ),
        ],
        strict=False,
        name="survey_questions",
    )


def survey_responses_schema() -> pa.DataFrameSchema:
    """Answers of the stakeholder survey, long format: one row per respondent and question."""
    return pa.DataFrameSchema(
        {
            "respondent": column(str, "Respondent id (pseudonymous)", "", "R001"),
            "respondent_type": column(
                str, "sme, cluster or stakeholder", "", "sme", one_of(RESPONDENT_TYPES, "respondent type")
            ),
            "cluster": _cluster("Cluster the respondent belongs to or was reached through", "HTS"),
            "sector": column(str, "photonics or health_tech", "", "health_tech", one_of(SECTORS, "sector")),
            "date": _date("Date of the answer", "2026-03-02", "answer date"),
            "question": column(str, "Question id (from survey_questions)", "", "Q07"),
            "answer": column(
                str,
                "The answer: likert 1-5; single: one option; multiple: options separated by ';'; text: free text",
                "",
                "regulation;funding",
            ),
        },
        unique=["respondent", "question"],
        report_duplicates="exclude_first",
        strict=False,
        name="survey_responses",
    )


def feedback_schema() -> pa.DataFrameSchema:
    """Short feedback forms after an interaction (roadmap §2.5): one row per form."""
    return pa.DataFrameSchema(
        {
            "date": _date("Date of the form", "2025-11-03", "feedback date"),
            "cluster": _cluster("Cluster that collected it", "MEDICEN"),
            "contact_type": column(str, "Who gave the feedback", "", "customer", one_of(CONTACT_TYPES, "contact type")),
            "usefulness": _score("How useful the interaction was: 1 not at all to 5 very", "4", "usefulness"),
            "concern": column(
                str,
                "Main concern raised; blank if none",
                "",
                "certification",
                one_of(CONCERNS, "concern"),
                nullable=True,
            ),
            "text": _free_text("Free text", "asked about CE marking"),
        },
        strict=False,
        name="feedback",
    )


def rd_funding_schema() -> pa.DataFrameSchema:
    """R&D funding attracted by the partnership's agreements (roadmap §2.3: EUR 20 m in two years)."""
    return pa.DataFrameSchema(
        {
            "date": _date("Date the funding was granted", "2026-01-15", "funding date"),
            "cluster": _cluster("Cluster that reports it", "OPTENCE"),
            "project": column(str, "Project name", "", "OCT-Screen"),
            "amount_eur_m": column(float, "Funding attracted", "EUR million", "1.8", at_least(0, "amount")),
            "cofunding_eur_m": column(
                float,
                "Co-funding by the companies; blank if not known",
                "EUR million",
                "0.6",
                at_least(0, "co-funding"),
                nullable=True,
            ),
            "evidence": _free_text("Reference to the proof (grant agreement)", "GA-101123456"),
        },
        strict=False,
        name="rd_funding",
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("companies", companies_schema, True, "One row per SME of the direct and indirect target groups."),
        Table(
            "products",
            products_schema,
            True,
            "One row per product (New Product Analysis).",
            (("company", "companies"),),
        ),
        Table(
            "survey_waves",
            survey_waves_schema,
            True,
            "One row per company and survey wave (entry, yearly at tax-return time, exit).",
            (("company", "companies"),),
        ),
        Table("kpi_ledger", kpi_ledger_schema, True, "One row per event or result counted towards a KPI."),
        Table(
            "market_figures",
            reference.market_figures_schema,
            False,
            "Optional: market sizes found by researchers, added to data/reference/market_figures.csv.",
        ),
        Table(
            "market_assumptions",
            reference.market_assumptions_schema,
            False,
            "Optional: ranges for the market model; a row replaces the row of "
            "data/reference/market_assumptions.csv with the same parameter, market, of_market and "
            "segment, and other rows are added.",
        ),
        Table(
            "currency_rates",
            reference.currency_rates_schema,
            False,
            "Optional: euro exchange rates added to (or replacing those of the same currency and year "
            "in) data/reference/currency_rates.csv.",
        ),
        Table(
            "swot_judgements",
            swot_judgements_schema,
            False,
            "Optional: pairwise comparisons for the weighted SWOT, one row per expert and pair. "
            "Give each pair once (the reciprocal is filled in); a matrix with gaps is completed "
            "when its comparisons still link every item. Needs all five matrices: groups, S, W, O, T.",
        ),
        Table(
            "swot_ratings",
            swot_ratings_schema,
            False,
            "Optional: direct importance ratings, used for the SWOT when there are no pairwise comparisons.",
        ),
        Table("swot_factors", reference.swot_factors_schema, False, "Optional: SWOT factors added to the roadmap's."),
        Table(
            "scouting",
            scouting_schema,
            False,
            "Optional: one row per finding of a technology scout abroad (roadmap §2.2 step 3).",
        ),
        Table(
            "affiliates",
            affiliates_schema,
            False,
            "Optional: one row per affiliate organisation in a target market (roadmap §2.5: two per market). "
            "Its status at a date is the latest step (shortlisted, interviewed, MoU signed) dated on or before it; "
            "a step dated before the one before it is an error.",
        ),
        Table(
            "ties",
            ties_schema,
            False,
            "Optional: one row per tie of the value network between two nodes: clusters (ids of "
            "data/reference/clusters.csv), affiliates (ids of affiliates) and companies (ids of companies). "
            "A tie to an unknown id, or of a node to itself, is an error.",
        ),
        Table(
            "activities",
            activities_schema,
            False,
            "Optional: one row per mission, business roadshow or matchmaking event, planned or held "
            "(roadmap §2.6 Tables 2-3). plan_id names the item of the plan it carries out (see "
            "data/reference/README.md: the plan of 8 missions M1-M8, 4 roadshows R1-R4 and 6 matchmaking "
            "participations E-LITEK ... E-BIOCAT); its kind must match the plan item's.",
        ),
        Table(
            "survey_questions",
            survey_questions_schema,
            False,
            "Optional: the stakeholder survey's questionnaire, one row per question (roadmap §2.5). "
            "A single or multiple question lists at least two options; a likert or text question none.",
        ),
        Table(
            "survey_responses",
            survey_responses_schema,
            False,
            "Optional: the stakeholder survey's answers in long format, one row per respondent and question. "
            "Each answer is checked against its question in survey_questions: likert 1-5, single one of the "
            "options, multiple options among the question's; a respondent keeps one type, cluster and sector.",
            (("question", "survey_questions"),),
        ),
        Table(
            "feedback",
            feedback_schema,
            False,
            "Optional: one row per short feedback form after an interaction (roadmap §2.5).",
        ),
        Table(
            "rd_funding",
            rd_funding_schema,
            False,
            "Optional: one row per R&D project funded through the partnership's agreements "
            "(roadmap §2.3 expects EUR 20 m in two years).",
        ),
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
        lines += ["| column | type | unit | required | checks | example | meaning |", "|---|---|---|---|---|---|---|"]
        for name, col in schema.columns.items():
            meta = col.metadata or {}
            checks = _allowed_text(col)
            if col.unique:
                checks = "; ".join(filter(None, ["unique", checks]))
            lines.append(
                f"| `{name}` | {_dtype_name(col)} | {meta.get('unit', '')} | "
                f"{'no' if col.nullable else 'yes'} | {checks} | {meta.get('example', '')} | "
                f"{col.description} |"
            )
        lines.append("")
    lines += [
        "### Codes",
        "",
        "The codes allowed in the columns above; the reference tables in `data/reference/` give each code's source.",
        "",
    ]
    clusters = reference.clusters()
    code_lists = {
        "cluster": zip(clusters["id"], clusters["name"]),
        "role": ROLE_NAMES.items(),
        "technology use": zip(reference.technology_uses()["id"], reference.technology_uses()["name"]),
        "thematic segment": (
            (i, n)
            for i, n, k in reference.segments()[["id", "name", "kind"]].itertuples(index=False)
            if k == "thematic"
        ),
        "market (target markets are the eight missions)": zip(
            reference.markets()["id"], reference.markets()["name"] + " (" + reference.markets()["kind"] + ")"
        ),
        "survey wave": ((w, w) for w in WAVES),
        "SWOT group": SWOT_GROUPS.items(),
        "SWOT factor": zip(reference.swot_factors()["id"], reference.swot_factors()["factor"]),
        "novelty": ((str(k), v) for k, v in NOVELTY_LEVELS.items()),
        "activity plan item": zip(reference.activity_plan()["plan_id"], reference.activity_plan()["name"]),
    }
    for what, pairs in code_lists.items():
        lines.append(f"- **{what}**: " + "; ".join(f"`{code}` {name}" for code, name in pairs))
    lines.append("")
    return "\n".join(lines)


DOC_START = "<!-- generated from lasergo/data/schemas.py: start -->"
DOC_END = "<!-- generated from lasergo/data/schemas.py: end -->"


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
