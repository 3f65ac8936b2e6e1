"""The partnership-fit page: findings, charts, tables and notes over :mod:`lasergo.analysis.partners`.

Which supplier-integrator-end-user business cases to take on the roadmap's missions (LASER-GO
D5.1 (2017) §2.2, §2.6), how good they are, and, as background, which companies are alike (fit
groups) and which groups complement each other. The charts draw the analysis result only.

The public edition names and draws no company (roadmap §2.2; :mod:`lasergo.privacy`): business
cases appear counted by mission, by combination and by score bin, the map shows each group's
centre and spread. Company-level lists and the per-company map belong to the internal edition
(``analysis.internal``).
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse
from pandas.io.formats.style import Styler

from lasergo.analysis.partners import (
    CANDIDATES_PER_INTEGRATOR,
    FAIR_CASE,
    GOOD_CASE,
    METHODS,
    MILP_GAP,
    MILP_LIMIT,
    OTHER_COMBINATIONS,
    SUBSAMPLE,
    PartnersAnalysis,
)
from lasergo.data.codes import ROLE_NAMES
from lasergo.data.dataset import Dataset
from lasergo.pages.common import escape_markdown, glossary, headline, record_result, show_table
from lasergo.pages.style import SECTOR_NAMES, add_source
from lasergo.privacy import MIN_COMPANIES, too_small

WEAK_SILHOUETTE = 0.25  # at or below: no substantial structure (Kaufman and Rousseeuw 1990)
METHOD_NAMES = {"kmeans": "k-means", "agglomerative": "agglomerative clustering"}
METHOD_DISTANCES = {"kmeans": "Euclidean on the embedding", "agglomerative": "Gower distance"}
ROLE_MARKERS = {"supplier": "o", "integrator": "s", "end_user": "^", "several roles": "D"}
MAP_ROLE_NAMES = {**ROLE_NAMES, "several roles": "several roles"}  # the map's legend
SUPPRESSED_COLOUR = "#9e9e9e"
CASES_SHOWN = 15
#: The parts of a business case's score as the page names them: (name, what it measures).
PART_NAMES = {
    "gap_fill": (
        "Supplier fills the integrator's gaps",
        "mean of the share of the supplier's technology uses that fill a gap and the share of the "
        "integrator's gaps they fill (0-1)",
    ),
    "segment_overlap": ("Integrator and end-user share segments", "Jaccard overlap of their thematic segments (0-1)"),
    "market_overlap": (
        "Integrator and end-user share markets",
        "Jaccard overlap of their target markets (0-1)",
    ),
    "maturity": (
        "Product maturity",
        "mean of the supplier's and the integrator's highest product TRL (1-9; no product counts as 1)",
    ),
    "bridge": (
        "Joins clusters and sectors",
        "half for companies from more than one cluster, half for joining photonics and health-technology "
        "companies (0, 0.5 or 1)",
    ),
}
RATING_COLOURS = {"weak": "#f4cccc", "fair": "#fff2cc", "good": "#d9ead3"}
SET_COLOURS = {"candidates": "#9e9e9e", "chosen": "#1b7837"}
SET_NAMES = {"candidates": "candidate cases", "chosen": "chosen cases"}
CASE_COLUMNS = {
    "end_user": "end-user",
    "clusters": "clusters (supplier > integrator > end-user)",
    "score": "score (0-1)",
    "gaps_filled": "gaps the supplier fills",
    "shared_segment": "shared segment",
    "shared_markets": "shared target markets",
    "bridges": "joins",
    "market_fit": "companies targeting the market (%)",
}
MIX_COLUMNS = {
    "cases": "cases",
    "distinct_companies": "distinct companies",
    "mean_score": "mean score (0-1)",
}
MISSION_COLUMNS = {
    "lead cluster": "lead cluster",
    "cases": "cases",
    "good_cases": "rated good",
    "distinct_companies": "distinct companies",
    "mean_score": "mean score (0-1)",
    "market_fit": "companies targeting the market (%)",
}
MIX_TITLES = {
    "cluster": "clusters (supplier > integrator > end-user)",
    "sector": "sectors (supplier > integrator > end-user)",
}
INTERNAL_EDITION = (
    "Company-level lists (the business cases by company and by mission, and the map of companies) are "
    "only in the internal edition, built with `-p internal=True` into a folder outside `reports/`."
)
INTERNAL_CASES_INTRO = f"Internal edition: the {CASES_SHOWN} best chosen cases, by company:"
INTERNAL_MISSIONS_INTRO = (
    "Internal edition: the cases of each mission, by company, and why: the technology uses the supplier "
    "brings, the segment integrator and end-user share, and whether the case joins clusters and sectors."
)


def chart_source(data: Dataset) -> str:
    """The short source line of the page's headlines and charts."""
    companies = "synthetic sample" if data.synthetic else f"data folder {data.directory.name}"
    return f"companies and products ({companies}); roadmap §2.2, §2.6"


def confidentiality_note(analysis: PartnersAnalysis) -> str:
    """Markdown: how companies are shown (a red warning in the internal edition; in the public
    edition, where the company-level lists are), and the merges or suppressions made so that no
    group profile describes fewer than ``MIN_COMPANIES`` companies."""
    if analysis.internal:
        text = (
            '<p style="color: #b00020; font-weight: bold; font-size: 1.1em">'
            "INTERNAL: company names and company-level lists shown; do not circulate.</p>"
        )
    else:
        text = (
            f"No company is named or drawn on this page: every table and chart cell rests on at least "
            f"{MIN_COMPANIES} companies, and smaller cells are merged or suppressed where noted (roadmap "
            f"§2.2: company data are confidential and aggregated anonymously). {INTERNAL_EDITION}"
        )
    notes = "\n".join(f"- {note[0].upper()}{note[1:]}." for note in analysis.group_notes)
    return text + (f"\n\n{notes}" if notes else "")


# --- What this means -------------------------------------------------------------------------------


def _assigned(analysis: PartnersAnalysis) -> pd.DataFrame:
    """The chosen cases a mission takes (rows of ``analysis.matching.cases``)."""
    return analysis.matching.cases.iloc[analysis.assignment["case"].to_numpy(int)]


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def show_headlines(analysis: PartnersAnalysis, source: str) -> None:
    """The page's headline figures: the cases ready for the missions (and how many join photonics
    and health technology), and the chosen cases rated good."""
    assigned = _assigned(analysis)
    headline(
        "Business cases ready for the next missions",
        len(assigned),
        f"({int(assigned['cross_sector'].sum())} join photonics and health technology)",
        source,
    )
    summary = analysis.score_summary.loc["chosen"]
    headline(
        "Chosen business cases rated good",
        "-" if pd.isna(summary["good"]) else int(summary["good"]),
        f"of {int(summary['cases'])} (score {GOOD_CASE:.2f} or more of 1)",
        source,
    )


def business_cases(analysis: PartnersAnalysis) -> dict:
    """The business cases as other pages read them: those assigned to a mission (the headline's count)
    and the missions that take at least one."""
    return {"count": len(_assigned(analysis)), "missions_covered": int(analysis.assignment["mission"].nunique())}


def record_results(analysis: PartnersAnalysis) -> None:
    """Record the results the viability scorecard and the front page read: ``business_cases``."""
    record_result("business_cases", business_cases(analysis))


def _names(markets: pd.Series) -> str:
    items = [escape_markdown(m) for m in markets]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _mission_findings(analysis: PartnersAnalysis) -> list[str]:
    """Findings on the missions: the cases ready, the missions short of cases and the weakest."""
    missions = analysis.missions
    assigned = _assigned(analysis)
    good = int((analysis.assignment["score"] >= GOOD_CASE).sum())
    lines = [
        f"- **{_plural(len(assigned), 'business case')} are ready for the {len(missions)} missions**, "
        f"each case on one mission only and each mission taking up to {analysis.per_mission}: "
        f"{good} rated good and {len(assigned) - good} fair. {int(assigned['cross_sector'].sum())} of them "
        "join photonics and health-technology companies."
    ]
    shown = missions[~missions["suppressed"]]
    short = shown[shown["cases"] < analysis.per_mission]
    if len(short):
        counts = ", ".join(f"{escape_markdown(r.market)} {r.cases}" for r in short.itertuples())
        lines.append(
            f"- **{_plural(len(short), 'mission')} {'has' if len(short) == 1 else 'have'} fewer than "
            f"{analysis.per_mission} cases** ({counts}): "
            "too few good or fair cases have an integrator and an end-user targeting the market, or they "
            "fit another mission better. Recruiting end-users and integrators there would fill "
            + ("it." if len(short) == 1 else "them.")
        )
    with_cases = shown[shown["cases"] > 0]
    if len(with_cases) > 1:
        weakest = with_cases.sort_values(["good_cases", "mean_score"]).iloc[0]
        lines.append(
            f"- The weakest set is for **{escape_markdown(weakest['market'])}** (mission {weakest['mission']}): "
            f"{weakest['good_cases']} of its {weakest['cases']} cases rated good, mean score "
            f"{weakest['mean_score']:.2f}. Check its cases before the mission."
        )
    if missions["suppressed"].any():
        hidden = missions.loc[missions["suppressed"], "market"]
        lines.append(
            f"- {_names(hidden)}: the cases involve fewer than {MIN_COMPANIES} companies, so the figures are not shown."
        )
    return lines


def findings(analysis: PartnersAnalysis) -> str:
    """The page's findings in a few sentences of Markdown, computed from the analysis: the cases
    for the missions first, their quality, then the weak group structure as a caveat."""
    chosen = analysis.matching.cases
    if chosen.empty:
        lines = [
            "- **No business case could be formed**: that needs a technology supplier whose uses fill a "
            "system integrator's gaps and an end-user sharing the integrator's segments or markets."
        ]
    else:
        involved = pd.unique(chosen[["supplier", "integrator", "end_user"]].to_numpy().ravel())
        summary = analysis.score_summary.loc["chosen"]
        counts = ", ".join(
            f"{'-' if pd.isna(summary[band]) else int(summary[band])} {band}" for band in ("good", "fair", "weak")
        )
        lines = _mission_findings(analysis) + [
            f"- In all, {len(chosen)} cases were chosen from {len(analysis.candidates):,} candidates, each "
            f"company in at most {analysis.max_cases}; they involve {len(involved)} of the "
            f"{len(analysis.profiles)} companies: {counts}. Weak cases (score under {FAIR_CASE:.2f}) go on no "
            "mission."
        ]
    grouping = analysis.grouping
    silhouette = grouping.chosen_silhouette
    structure = (
        "so the companies do not fall into distinct types"
        if silhouette <= WEAK_SILHOUETTE
        else "a usable but not strong structure"
    )
    lines.append(
        f"- Caveat: the companies form {grouping.k} loose fit groups (silhouette {silhouette:.2f}, "
        f"{structure}). The business cases do not rest on the groups; they are background (last sections)."
    )
    return "\n".join(lines)


# --- Business cases by mission ---------------------------------------------------------------------


def missions_summary_table(analysis: PartnersAnalysis) -> Styler:
    """Business cases by mission (public): per mission the cases assigned, how many are rated good,
    the distinct companies involved, their mean score and the share of their companies targeting
    the market."""
    table = analysis.missions.drop(columns="suppressed").rename(columns=MISSION_COLUMNS)
    table["companies targeting the market (%)"] = 100 * table["companies targeting the market (%)"]
    return show_table(table, {"mean score (0-1)": "{:.2f}", "companies targeting the market (%)": "{:.0f}"})


def missions_note(analysis: PartnersAnalysis) -> str:
    """Markdown: the suppression rule of the table and how many missions it hid."""
    hidden = analysis.missions.loc[analysis.missions["suppressed"], "market"]
    which = f": {_names(hidden)}" if len(hidden) else ""
    return (
        f"A mission whose cases involve fewer than {MIN_COMPANIES} distinct companies has its figures "
        f"suppressed (-); {len(hidden)} of {len(analysis.missions)} missions here{which}."
    )


def missions_table(analysis: PartnersAnalysis) -> Styler:
    """Business cases by mission, by company: the internal edition only (refused on a public page)."""
    table = analysis.cases_by_mission.assign(market_fit=100 * analysis.cases_by_mission["market_fit"])
    return show_table(
        table.rename(columns=CASE_COLUMNS),
        {"score (0-1)": "{:.2f}", "companies targeting the market (%)": "{:.0f}"},
        internal=analysis.internal,
    )


# --- How the cases are scored ----------------------------------------------------------------------


def _part_value(part: str, value: float, unit: bool = True) -> str:
    """A value of a part of the score on its own scale: TRL to one decimal, the others to two."""
    if pd.isna(value):
        return "-"
    return f"{'TRL ' if unit else ''}{value:.1f}" if part == "maturity" else f"{value:.2f}"


def score_parts_table(analysis: PartnersAnalysis) -> Styler:
    """The parts of the score with their weights and values among the candidate and chosen cases."""
    parts = analysis.score_parts
    table = pd.DataFrame(
        {
            "part of the score": [PART_NAMES[p][0] for p in parts["part"]],
            "what it measures": [PART_NAMES[p][1] for p in parts["part"]],
            "weight (assumption)": parts["weight"],
            "candidates: median (P10-P90)": [
                f"{_part_value(r.part, r.candidates_median)} ({_part_value(r.part, r.candidates_p10, False)}-"
                f"{_part_value(r.part, r.candidates_p90, False)})"
                for r in parts.itertuples()
            ],
            "chosen cases: median": [_part_value(r.part, r.chosen_median) for r in parts.itertuples()],
        }
    )
    return show_table(table, {"weight (assumption)": "{:.2f}"})


def score_note(analysis: PartnersAnalysis) -> str:
    """Markdown: how the score reads (0-1 over the candidates), the rating thresholds and the
    spread of the candidate and chosen scores."""
    summary = analysis.score_summary

    def spread(row: pd.Series) -> str:
        if pd.isna(row["median"]):
            return f"not shown (fewer than {MIN_COMPANIES} companies)"
        return f"median {row['median']:.2f} (P10-P90 {row['p10']:.2f}-{row['p90']:.2f})"

    def counts(row: pd.Series) -> str:
        return ", ".join(f"{'-' if pd.isna(row[b]) else f'{int(row[b]):,}'} {b}" for b in ("good", "fair", "weak"))

    candidates, chosen = summary.loc["candidates"], summary.loc["chosen"]
    return (
        "Each part is scaled to 0-1 over the candidate cases (0: the weakest candidate on that part, 1: the "
        "strongest) and weighted as in the table, so a score of 1 would be the strongest candidate on "
        f"every part. A case is rated **good** from {GOOD_CASE:.2f}, **fair** from {FAIR_CASE:.2f} and "
        f"**weak** below. The {int(candidates['cases']):,} candidates score {spread(candidates)}: "
        f"{counts(candidates)}. The {int(chosen['cases'])} chosen cases score {spread(chosen)}: {counts(chosen)}."
    )


def matching_note(analysis: PartnersAnalysis) -> str:
    """Markdown: whether the choice of cases is optimal among the candidates."""
    matching = analysis.matching
    if matching.cases.empty:
        return ""
    if matching.solver == "milp":
        gap = (matching.bound - matching.total) / matching.bound if matching.bound > 0 else 0.0
        return (
            "The choice is the best possible among the candidates (integer program solved to optimality)."
            if gap < 1e-6
            else f"The choice is within {gap:.1%} of the best possible total score among the candidates (the "
            f"integer program stops once its choice is proven within {MILP_GAP:.0%} of the best possible, or at its "
            "time limit)."
        )
    why = f"with more than {MILP_LIMIT:,} candidates " if len(analysis.candidates) > MILP_LIMIT else ""
    return (
        f"The cases were chosen {why}by taking the best remaining case first, with no bound on how far the "
        "choice is from the best possible."
    )


def _merged(mix: pd.DataFrame) -> int:
    """How many combinations a :func:`lasergo.analysis.partners.case_mix` table pools as "other"."""
    return int(mix.loc[mix["combination"] == OTHER_COMBINATIONS, "combinations"].sum())


def case_mix_note(analysis: PartnersAnalysis) -> str:
    """Markdown introducing the case-mix tables: what they count, and the merges and suppressions
    that keep every row on at least ``MIN_COMPANIES`` companies."""
    clusters, sectors = analysis.mix_by_cluster, analysis.mix_by_sector
    n_cases = len(analysis.matching.cases)
    suppressed = any(mix["cases"].isna().any() for mix in (clusters, sectors))
    return (
        f"The {n_cases} chosen cases, counted by the clusters and then by the sectors of their supplier, "
        "integrator and end-user, with the distinct companies they involve and their mean score. So that no "
        f"row describes fewer than {MIN_COMPANIES} companies, the combinations whose cases involve fewer are "
        f'merged into "{OTHER_COMBINATIONS}" (with the smallest other combination if the merged row is still '
        f"under {MIN_COMPANIES}): here {_merged(clusters)} of {clusters['combinations'].sum()} cluster and "
        f"{_merged(sectors)} of {sectors['combinations'].sum()} sector combinations."
        + (f" A row still under {MIN_COMPANIES} companies is suppressed (-)." if suppressed else "")
    )


def case_mix_table(analysis: PartnersAnalysis, by: str) -> Styler:
    """The chosen cases counted by cluster (``by="cluster"``) or sector (``by="sector"``)
    combination (``analysis.mix_by_cluster`` / ``mix_by_sector``): no row under ``MIN_COMPANIES``
    companies."""
    mix = analysis.mix_by_cluster if by == "cluster" else analysis.mix_by_sector
    names: dict[str, str] = SECTOR_NAMES if by == "sector" else {}
    labels = [
        f"{OTHER_COMBINATIONS} ({n})"
        if combination == OTHER_COMBINATIONS
        else " > ".join(names.get(part, part) for part in combination.split(" > "))
        for combination, n in zip(mix["combination"], mix["combinations"])
    ]
    table = mix[list(MIX_COLUMNS)].rename(columns=MIX_COLUMNS)
    table.insert(0, MIX_TITLES[by], labels)
    return show_table(table, {"mean score (0-1)": "{:.2f}"})


def cases_table(analysis: PartnersAnalysis) -> Styler:
    """The ``CASES_SHOWN`` best chosen business cases with their reasons, by company: the internal
    edition only (refused on a public page)."""
    return show_table(
        analysis.cases.drop(columns="markets").head(CASES_SHOWN).rename(columns=CASE_COLUMNS),
        {"score (0-1)": "{:.2f}"},
        internal=analysis.internal,
    )


# --- Fit groups ------------------------------------------------------------------------------------


def _structure(silhouette: float) -> str:
    """Kaufman and Rousseeuw's (1990) reading of a mean silhouette."""
    if silhouette <= WEAK_SILHOUETTE:
        return (
            f"{WEAK_SILHOUETTE} or less, so there is no substantial structure: read the groups as a "
            "rough sorting of the companies, not as distinct types"
        )
    if silhouette <= 0.5:
        return "between 0.25 and 0.50: a weak to moderate structure that may be partly artificial"
    if silhouette <= 0.7:
        return "above 0.50: a reasonable structure"
    return "above 0.70: a strong structure"


def groups_findings(analysis: PartnersAnalysis) -> str:
    """Markdown: how distinct and how stable the fit groups are."""
    grouping = analysis.grouping
    chosen = grouping.chosen_silhouette
    other = grouping.other_method
    n_groups = len(analysis.groups)
    merged = (
        f"; {len(analysis.group_notes)} small group(s) merged, so {n_groups} are shown" if analysis.group_notes else ""
    )
    return "\n".join(
        [
            f"- The companies form **{grouping.k} fit groups** ({METHOD_NAMES[grouping.method]}, the number "
            f"of groups chosen by the silhouette among {grouping.silhouette['k'].min()} to "
            f"{grouping.silhouette['k'].max()}{merged}). The silhouette is **{chosen:.2f}**, {_structure(chosen)}.",
            f"- Re-fitted on {len(grouping.stability)} random samples of {SUBSAMPLE:.0%} of the companies, "
            f"the groups come back alike (mean ARI **{grouping.mean_stability:.2f}**; 1: the same every "
            f"time). {METHOD_NAMES[other].capitalize()} (best at {grouping.best_k(other)} groups) agrees "
            f"with them at ARI {grouping.agreement:.2f}"
            + (", so the grouping depends on the method." if grouping.agreement < 0.5 else "."),
        ]
    )


def groups_table(analysis: PartnersAnalysis) -> Styler:
    """The reviewer-facing group profiles (each of at least ``MIN_COMPANIES`` companies), shares
    as percentages."""
    shares = ["suppliers", "integrators", "end-users", "TRL 7+"]
    table = analysis.groups.assign(**{s: 100 * analysis.groups[s] for s in shares})
    columns = {"companies": "number of companies", "TRL 7+": "with a TRL 7+ product (%)"}
    columns.update({s: f"{s} (%)" for s in shares[:3]})
    return show_table(
        table.rename(columns=columns),
        {**dict.fromkeys(columns.values(), "{:.0f}"), "median employees": "{:,.0f}"},
    )


# --- Caveats and glossary --------------------------------------------------------------------------


def caveats(analysis: PartnersAnalysis, synthetic: bool) -> str:
    """Markdown list: the assumptions the business cases rest on, and (on ``synthetic`` data) the
    weak group structure of the sample."""
    chosen, candidates = analysis.matching.cases, analysis.candidates
    bridge = analysis.weights["bridge"]
    items = [
        "The weights of the score and the thresholds of good and fair are assumptions, not estimates: "
        f"joining clusters and sectors, for one, weighs {bridge:.2f}, and "
        f"{chosen['cross_sector'].mean():.0%} of the chosen cases join photonics and health technology, "
        f"against {candidates['cross_sector'].mean():.0%} of the candidates.",
        "Scores are relative to this quarter's candidates (each part runs from the weakest to the strongest "
        "candidate), so compare them within a page rather than across quarters.",
        "Complementarity rests on the roadmap's mapping of thematic segments to technology uses, a "
        "judgement: an integrator's gaps are the uses its segments need by that mapping, not gaps the "
        "company has stated.",
        "End-users are companies in the data only: target-market affiliates (distributors, resellers, "
        "multipliers, roadmap §2.5) are not yet an input table, so they cannot be matched.",
        f"Candidates are the best {CANDIDATES_PER_INTEGRATOR} suppliers and {CANDIDATES_PER_INTEGRATOR} "
        "end-users per integrator: the choice is the best among those candidates, not among every "
        "possible triple.",
        f"A mission takes at most {analysis.per_mission} cases (about {3 * analysis.per_mission} companies), "
        "an assumption; a company may still go on two missions through two different cases.",
    ]
    if synthetic:
        items.append(
            "The synthetic sample has weak group structure (silhouette "
            f"{analysis.grouping.chosen_silhouette:.2f}): on it the groups illustrate the method, "
            "not real types of company."
        )
    return "\n".join(f"- {item}" for item in items)


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "ARI",
        "Gower distance",
        "Jaccard overlap",
        "k-means",
        "Silhouette",
        "TRL",
        extra={
            "Agglomerative clustering": "Groups built from the bottom up: each company starts alone and the "
            "two closest groups merge until the chosen number is left.",
            "Business case": "A technology supplier, a system integrator and an end-user who could build and "
            "sell a product together (roadmap §2.2).",
            "Embedding": "The companies' features on one numeric scale (z-scores for numbers, 0/1 columns for "
            "categories and lists), so that distances between companies can be measured.",
            "Fit group": "Companies more alike each other than the rest, found by clustering their profiles.",
            "Gap": "A technology use that an integrator's segments need (by the roadmap's mapping of "
            "segments to uses) but that the integrator does not offer itself.",
            "Integer program": "An optimisation over whole decisions (take a case or not, send it on a "
            "mission or not), here solved exactly by the HiGHS solver.",
            "Market fit": "The share of a case's three companies that target a mission's market.",
            "Median": "The middle value: half lie below it, half above.",
            "Min-max scaling": "Putting a measure on 0-1: 0 for the lowest value among the candidates, "
            "1 for the highest.",
            "Mission": "A trip of the partnership's companies to one target market (roadmap §2.6).",
            "P10, P90": "Of a set of values, 10% lie below P10 and 90% below P90.",
            "Principal components": "The directions in which the companies differ most; the map shows the first two.",
            "Score": "Of a business case: the weighted sum of its five parts, each scaled 0-1, so 0-1; good "
            f"from {GOOD_CASE:.2f}, fair from {FAIR_CASE:.2f}.",
        },
    )


# --- Charts ----------------------------------------------------------------------------------------


def _group_colour(group: int):
    palette = [c for i, c in enumerate(sns.color_palette("colorblind")) if i != 7]  # 7 is grey
    return SUPPRESSED_COLOUR if group < 0 else palette[group % len(palette)]


def _lead_feature(description: str) -> str | None:
    """The first feature of a group description such as "suppliers (60%), ...", without its share."""
    match = re.match(r"(.+?) \(\d+%\)", str(description))
    return match.group(1) if match else None


def _map_title(analysis: PartnersAnalysis) -> str:
    groups = analysis.groups
    if groups.empty:
        return "No fit group is shown: too few companies to describe anonymously"
    noun = "fit group" if len(groups) == 1 else "fit groups"
    found = [_lead_feature(d) for d in groups["description"]]
    leads = [lead for lead in found if lead is not None]
    if not 2 <= len(groups) <= 3 or len(leads) < len(found):
        return f"{len(groups)} {noun} of companies"
    leads = [f"from {lead}" if lead.endswith(" clusters") else lead for lead in leads]
    parts = [f"mostly {lead} ({group})" for lead, group in zip(leads, groups["group"])]
    return f"{len(groups)} {noun}: " + ", ".join(parts[:-1]) + " and " + parts[-1]


def map_intro(analysis: PartnersAnalysis) -> str:
    """Markdown: how to read the group map of this edition."""
    flat = (
        "the first two principal components of the embedding: a flat picture of many features, so groups "
        "that overlap here may still differ in other directions."
    )
    if analysis.internal:
        return f"Each dot is a company on {flat} Colour is the fit group, marker the company's role."
    return (
        f"Each fit group is drawn as its centre (the mean of its companies) on {flat} The ellipse spans one "
        "standard deviation either side of the centre on each axis, the label gives the group's size; no "
        "company is drawn."
    )


def _draw_companies(ax: plt.Axes, analysis: PartnersAnalysis) -> None:
    """The internal map: one point per company, colour = fit group, marker = role; suppressed
    companies (label -1) in grey."""
    frame = analysis.map.points
    sizes = pd.Series(analysis.labels).value_counts()
    groups = sorted(frame["group"].unique())
    groups = [g for g in groups if g >= 0] + [g for g in groups if g < 0]
    for group in groups:
        for role, marker in ROLE_MARKERS.items():
            rows = frame[(frame["group"] == group) & (frame["role"] == role)]
            if len(rows):
                ax.scatter(
                    rows["x"],
                    rows["y"],
                    marker=marker,
                    s=30,
                    color=_group_colour(group),
                    alpha=0.8,
                    edgecolor="white",
                    linewidth=0.4,
                )
    group_handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=_group_colour(g),
            markersize=7,
            label=(f"G{g + 1}" if g >= 0 else "suppressed") + f" ({sizes.get(g, 0):,} companies)",
        )
        for g in groups
    ]
    role_handles = [
        Line2D([], [], marker=m, ls="", color="#555555", markersize=7, label=MAP_ROLE_NAMES[r])
        for r, m in ROLE_MARKERS.items()
        if (frame["role"] == r).any()
    ]
    header = Line2D([], [], ls="", marker="", label="marker: role")
    ax.legend(
        handles=group_handles + [header] + role_handles,
        title="colour: fit group",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        alignment="left",
    )
    if len(frame) < len(analysis.profiles):
        ax.text(
            0.01,
            0.01,
            f"a random {len(frame):,} of {len(analysis.profiles):,} companies shown",
            transform=ax.transAxes,
            fontsize=8,
            color="#555555",
        )


def _draw_group_spreads(ax: plt.Axes, analysis: PartnersAnalysis) -> None:
    """The public map: per fit group (``analysis.map.groups``, each of at least
    ``MIN_COMPANIES`` companies) its centre, an ellipse of one standard deviation on each axis,
    and its size; no company."""
    spreads = analysis.map.groups
    handles = []
    for row in spreads.itertuples():
        colour = _group_colour(int(row.group))
        ax.add_patch(
            Ellipse((row.x, row.y), 2 * row.sd_x, 2 * row.sd_y, facecolor=colour, edgecolor=colour, alpha=0.2, lw=1.5)
        )
        ax.scatter([row.x], [row.y], marker="o", s=60, color=colour, edgecolor="white", linewidth=0.8, zorder=3)
        label = f"G{row.group + 1} ({row.size:,} companies)"
        ax.annotate(label, (row.x, row.y), xytext=(6, 6), textcoords="offset points", fontsize=9)
        handles.append(Line2D([], [], marker="o", ls="", color=colour, markersize=7, label=label))
    if spreads.empty:
        ax.text(0.5, 0.5, f"no group of {MIN_COMPANIES} or more companies", transform=ax.transAxes, ha="center")
        return
    ax.autoscale_view()
    ax.margins(0.08)
    ax.legend(
        handles=handles,
        title="fit group: centre and ±1 SD",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        alignment="left",
    )


def plot_group_map(analysis: PartnersAnalysis, source: str) -> plt.Figure:
    """The fit groups on the first two principal components of the embedding (``analysis.map``):
    in the public edition each group's centre and one-standard-deviation ellipse, in the internal
    edition one point per company (colour = fit group, marker = role)."""
    variance = analysis.map.variance
    fig, ax = plt.subplots(figsize=(9.5, 5.6))
    if analysis.internal:
        _draw_companies(ax, analysis)
    else:
        _draw_group_spreads(ax, analysis)
    ax.set_xlabel(f"first principal component of the company embedding ({variance[0]:.0%} of variance; no unit)")
    ax.set_ylabel(f"second principal component ({variance[1]:.0%}; no unit)")
    ax.set_title(textwrap.fill(_map_title(analysis), 80))
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_silhouette(analysis: PartnersAnalysis, source: str) -> plt.Figure:
    """Mean silhouette against k for both methods, the chosen (method, k) circled, 0.25 marked."""
    grouping = analysis.grouping
    silhouette = grouping.silhouette
    palette = sns.color_palette("colorblind")
    fig, ax = plt.subplots(figsize=(9, 4.4))
    for i, method in enumerate(METHODS):
        rows = silhouette[silhouette["method"] == method].sort_values("k")
        ax.plot(
            rows["k"],
            rows["silhouette"],
            marker="o",
            color=palette[i],
            label=f"{METHOD_NAMES[method]} ({METHOD_DISTANCES[method]})",
        )
    chosen = grouping.chosen_silhouette
    ax.scatter(
        [grouping.k],
        [chosen],
        s=220,
        facecolor="none",
        edgecolor="black",
        linewidth=1.5,
        zorder=5,
        label=f"chosen: {METHOD_NAMES[grouping.method]}, k = {grouping.k}",
    )
    ax.axhline(WEAK_SILHOUETTE, color="#b00020", ls="--", lw=1)
    ax.text(
        0.99,
        WEAK_SILHOUETTE,
        f"no substantial structure at {WEAK_SILHOUETTE} or below (Kaufman and Rousseeuw 1990)",
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=8,
        color="#b00020",
    )
    values = silhouette["silhouette"]
    ax.set_ylim(min(0.0, values.min() - 0.05), max(WEAK_SILHOUETTE + 0.1, values.max() + 0.08))
    ax.set_xticks(sorted(silhouette["k"].unique()))
    ax.set_xlabel("number of groups k")
    ax.set_ylabel("mean silhouette (-1 to 1)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(
        f"k = {grouping.k} by {METHOD_NAMES[grouping.method]}: mean silhouette {chosen:.2f}"
        + (", no substantial structure" if chosen <= WEAK_SILHOUETTE else "")
    )
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_score_spread(analysis: PartnersAnalysis, source: str) -> plt.Figure:
    """The spread of the scores (``analysis.score_spread``): the share of the candidate and of
    the chosen cases in each bin of 0.05, the weak, fair and good ranges shaded and their
    thresholds labelled; bins resting on fewer than ``MIN_COMPANIES`` companies are not drawn."""
    spread = analysis.score_spread
    summary = analysis.score_summary
    fig, ax = plt.subplots(figsize=(9.5, 4.6))
    width = float((spread["high"] - spread["low"]).iloc[0])
    centres = (spread["low"] + spread["high"]).to_numpy(float) / 2
    for offset, name in ((-width / 4, "candidates"), (width / 4, "chosen")):
        shares = spread[f"{name}_share"].astype(float).to_numpy()
        label = f"{SET_NAMES[name]} ({int(summary.at[name, 'cases']):,})"
        ax.bar(centres + offset, 100 * np.nan_to_num(shares), width / 2, color=SET_COLOURS[name], label=label)
    drawn = spread[(spread["candidates"].fillna(1) > 0) | (spread["chosen"].fillna(1) > 0)]
    low = max(0.0, float(drawn["low"].min()) - width) if len(drawn) else 0.0
    ax.set_xlim(low, 1.0)
    top = ax.get_ylim()[1] * 1.15
    ax.set_ylim(0, top)
    for band, (start, end) in {
        "weak": (low, FAIR_CASE),
        "fair": (FAIR_CASE, GOOD_CASE),
        "good": (GOOD_CASE, 1.0),
    }.items():
        ax.axvspan(start, end, color=RATING_COLOURS[band], zorder=0, lw=0)
        ax.text((start + end) / 2, top * 0.97, band, ha="center", va="top", fontsize=10, fontweight="bold")
    for threshold, text in ((FAIR_CASE, "fair"), (GOOD_CASE, "good")):
        ax.axvline(threshold, color="#555555", ls="--", lw=1)
        ax.text(threshold, top * 0.88, f" {text} from {threshold:.2f}", ha="left", va="top", fontsize=9)
    hidden = int(spread[["candidates", "chosen"]].isna().to_numpy().sum())
    ax.set_xlabel(
        "score of the business case (0-1)"
        + (f"; {hidden} bar(s) resting on fewer than {MIN_COMPANIES} companies not drawn" if hidden else "")
    )
    ax.set_ylabel("share of the set's cases (%)")
    ax.legend(loc="upper left", fontsize=9, bbox_to_anchor=(0.0, 0.86), frameon=True)
    chosen = summary.loc["chosen"]
    candidates = summary.loc["candidates"]
    if pd.isna(chosen["good"]) or not chosen["cases"]:
        title = "Scores of the candidate and chosen business cases"
    else:
        title = (
            f"{int(chosen['good'])} of the {int(chosen['cases'])} chosen cases rate good, against "
            f"{candidates['good'] / candidates['cases']:.0%} of the candidates"
        )
    ax.set_title(title)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def _complementarity_title(values: pd.Series) -> str:
    (best_s, best_i), best = values.idxmax(), values.max()
    if len(values) > 1 and values.max() - values.min() < 0.05:
        return (
            f"Suppliers of every group fill integrators' gaps about equally: {values.min():.2f}-"
            f"{values.max():.2f} of 1 (best: {best_s} suppliers for {best_i} integrators)"
        )
    spread = f" (all pairs {values.min():.2f}-{values.max():.2f})" if len(values) > 1 else ""
    return f"{best_s} suppliers fill the gaps of {best_i} integrators best: {best:.2f} of 1{spread}"


def plot_complementarity(analysis: PartnersAnalysis, source: str) -> plt.Figure:
    """Mean gap-filling score between groups: suppliers of the row group filling the gaps of
    integrators of the column group, 0-1, the colours spanning the values shown (stated on the
    colour bar); a cell resting on fewer than ``MIN_COMPANIES`` suppliers or integrators is
    suppressed (blank, and the axis label says so)."""
    table = analysis.complementarity
    values = table.stack().dropna()
    hidden = int(too_small(analysis.complementarity_support).to_numpy().sum())
    rows, columns = table.shape
    fig, ax = plt.subplots(figsize=(max(7.5, 1.1 * columns + 4), max(3.6, 0.6 * rows + 2.4)), layout="constrained")
    if values.empty:
        ax.set_axis_off()
        ax.set_title(
            f"No pair of groups has {MIN_COMPANIES} or more suppliers and integrators to compare"
            if hidden
            else "No group has both technology suppliers and system integrators to compare"
        )
    else:
        low, high = float(values.min()), float(values.max())
        if high - low < 0.01:
            low, high = low - 0.005, high + 0.005
        sns.heatmap(
            table,
            vmin=low,
            vmax=high,
            cmap="YlGn",
            annot=True,
            fmt=".2f",
            linewidths=0.5,
            ax=ax,
            cbar_kws={
                "label": f"gap-filling score (0-1);\ncolours span {low:.2f}-{high:.2f}",
                "ticks": [low, (low + high) / 2, high],
                "format": "%.2f",
            },
            annot_kws={"fontsize": 11},
        )
        ax.tick_params(axis="y", rotation=0)
        blank = f"; blank: fewer than {MIN_COMPANIES} suppliers or integrators behind the cell" if hidden else ""
        ax.set_xlabel(f"integrator group (its system integrators){blank}")
        ax.set_ylabel("supplier group (its suppliers)")
        fig.suptitle(
            textwrap.fill(_complementarity_title(values), 85), x=0.01, ha="left", fontweight="bold", fontsize=12
        )
    add_source(fig, source)
    return fig
