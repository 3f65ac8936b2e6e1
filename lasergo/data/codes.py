"""Codes shared by the input tables and the analyses, and the ``;``-separated list cells.

List cells hold several codes in one cell separated by ``;`` (for example
``supplier;integrator``), so that a spreadsheet stays one row per record.
"""

from __future__ import annotations

import pandas as pd

LIST_SEPARATOR = ";"

#: The three value-creation roles of a business case (roadmap §2.2), with the roadmap's names.
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
SWOT_GROUPS = {"S": "strengths", "W": "weaknesses", "O": "opportunities", "T": "threats"}
SWOT_MATRICES = ("groups", *SWOT_GROUPS)

#: Kinds of foreign organisation a scout's finding names (scouting.organisation_type).
ORGANISATION_TYPES = ("component_maker", "system_maker", "integrator", "end_user", "research")
#: Kinds of affiliate in a target market (roadmap §2.5 network of affiliates).
AFFILIATE_TYPES = ("cluster_association", "business_support_agency", "distributor", "reseller", "research", "other")
SECTORS = ("photonics", "health_tech")
AFFILIATE_SECTORS = (*SECTORS, "both")
#: The steps of an affiliate, in order: each dated in its own column of the affiliates table.
AFFILIATE_STEPS = {"shortlisted": "shortlisted", "interviewed": "interviewed", "mou_signed": "MoU signed"}
TIE_TYPES = ("mou", "joint_project", "matchmaking_meeting", "distribution", "cooperation")
ACTIVITY_KINDS = ("mission", "roadshow", "matchmaking", "other")
QUESTION_GROUPS = ("market_needs", "opportunities", "resources_barriers")
QUESTION_TYPES = ("likert", "single", "multiple", "text")
#: The answers of a likert question, as its cells hold them (1 = lowest, 5 = highest).
LIKERT_SCALE = ("1", "2", "3", "4", "5")
RESPONDENT_TYPES = ("sme", "cluster", "stakeholder")
CONTACT_TYPES = ("customer", "distributor", "stakeholder", "partner", "other")
CONCERNS = (
    "regulation",
    "certification",
    "funding",
    "finding_partners",
    "market_access",
    "language_culture",
    "logistics",
    "intellectual_property",
    "other",
)


def split_codes(cell: object) -> list[str]:
    """The codes of one ``;``-separated cell, stripped; a blank or missing cell gives []."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [code.strip() for code in str(cell).split(LIST_SEPARATOR) if code.strip()]


def split_list(series: pd.Series) -> pd.Series:
    """A column of ``;``-separated cells as a column of lists of codes (blank cells give [])."""
    return series.map(split_codes)
