"""The partnership-fit page: findings, charts, tables and notes over :mod:`lasergo.analysis.partners`.

Which companies are alike (fit groups), which complement each other (supplier-integrator
scores between groups) and which supplier-integrator-end-user business cases to pursue
(roadmap LASER-GO D5.1 (2017) §2.2, §2.5). The charts draw the analysis result only.

The public edition names and draws no company (roadmap §2.2; :mod:`lasergo.privacy`): business
cases appear counted by combination and mission market, the map shows each group's centre and
spread. Company-level lists and the per-company map belong to the internal edition
(``analysis.internal``).
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse
from pandas.io.formats.style import Styler

from lasergo.analysis.partners import (
    CANDIDATES_PER_INTEGRATOR,
    CLUSTER_BONUS,
    METHODS,
    MILP_LIMIT,
    OTHER_COMBINATIONS,
    SECTOR_BONUS,
    SUBSAMPLE,
    PartnersAnalysis,
)
from lasergo.data.codes import ROLE_NAMES
from lasergo.data.dataset import Dataset
from lasergo.pages.common import show_table
from lasergo.pages.style import SECTOR_NAMES, add_source
from lasergo.privacy import MIN_COMPANIES, too_small

WEAK_SILHOUETTE = 0.25  # at or below: no substantial structure (Kaufman and Rousseeuw 1990)
METHOD_NAMES = {"kmeans": "k-means", "agglomerative": "agglomerative"}
METHOD_DISTANCES = {"kmeans": "Euclidean on the embedding", "agglomerative": "Gower distance"}
ROLE_MARKERS = {"supplier": "o", "integrator": "s", "end_user": "^", "several roles": "D"}
MAP_ROLE_NAMES = {**ROLE_NAMES, "several roles": "several roles"}  # the map's legend
SUPPRESSED_COLOUR = "#9e9e9e"
CASES_SHOWN = 15
CASE_COLUMNS = {
    "end_user": "end-user",
    "clusters": "clusters (supplier > integrator > end-user)",
    "gaps_filled": "gaps the supplier fills",
    "shared_segment": "shared segment",
    "shared_markets": "shared target markets",
}
MIX_COLUMNS = {
    "cases": "cases",
    "distinct_companies": "distinct companies",
    "mean_score": "mean score",
}
MIX_TITLES = {
    "cluster": "clusters (supplier > integrator > end-user)",
    "sector": "sectors (supplier > integrator > end-user)",
}
INTERNAL_EDITION = (
    "Company-level lists (the business cases and the screening guide by company, and the map of "
    "companies) are only in the internal edition, built with `-p internal=True` into a folder outside "
    "`reports/`."
)
INTERNAL_CASES_INTRO = f"Internal edition: the {CASES_SHOWN} best chosen cases, by company:"
INTERNAL_MISSIONS_INTRO = (
    "Internal edition: per mission market, up to three of the best chosen cases whose integrator and "
    "end-user both target that market, and why: the technology uses the supplier brings, the segment "
    "they share and the bonuses."
)


def chart_source(data: Dataset) -> str:
    """The source line of the page's headlines and charts."""
    companies = "synthetic sample" if data.synthetic else f"data folder {data.directory.name}"
    return f"companies and products: {companies}; roles and technology uses: roadmap §2.2"


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


def findings(analysis: PartnersAnalysis) -> str:
    """The page's findings in a few sentences of Markdown, computed from the analysis."""
    grouping = analysis.grouping
    chosen = grouping.chosen_silhouette
    other = grouping.other_method
    n_groups = len(analysis.groups)
    merged = (
        f"; {len(analysis.group_notes)} small group(s) merged, so {n_groups} are shown" if analysis.group_notes else ""
    )
    lines = [
        f"- The companies form **{grouping.k} fit groups** ({METHOD_NAMES[grouping.method]}, k chosen by "
        f"the mean silhouette over k = {grouping.silhouette['k'].min()}-{grouping.silhouette['k'].max()}"
        f"{merged}). The silhouette is **{chosen:.2f}**, {_structure(chosen)}.",
        f"- Stability: the groups and re-fits on {len(grouping.stability)} subsamples of {SUBSAMPLE:.0%} "
        f"agree with a mean adjusted Rand index of **{grouping.mean_stability:.2f}** (1: the same groups "
        f"every time; 0: no more than chance). The {METHOD_NAMES[other]} method (its best k = "
        f"{grouping.best_k(other)}) agrees with the chosen groups at ARI {grouping.agreement:.2f}"
        + (", so the grouping depends on the method." if grouping.agreement < 0.5 else "."),
    ]
    chosen_cases = analysis.matching.cases
    if chosen_cases.empty:
        lines.append(
            "- No business case could be formed: that needs a technology supplier whose uses fill a "
            "system integrator's gaps and an end-user sharing the integrator's segments or markets."
        )
        return "\n".join(lines)
    involved = pd.unique(chosen_cases[["supplier", "integrator", "end_user"]].to_numpy().ravel())
    lines.append(
        f"- **{len(chosen_cases)} business cases** are chosen from {len(analysis.candidates):,} candidate "
        f"triples, each company in at most {analysis.max_cases}; they involve {len(involved)} of the "
        f"{len(analysis.profiles)} companies. {chosen_cases['cross_sector'].mean():.0%} join photonics and "
        f"health-technology clusters and {chosen_cases['cross_cluster'].mean():.0%} more than one cluster."
    )
    matching = analysis.matching
    if matching.solver == "milp":
        gap = (matching.bound - matching.total) / matching.bound if matching.bound > 0 else 0.0
        verdict = (
            "so the choice is optimal among the candidates"
            if gap < 1e-6
            else f"so the choice is within {gap:.1%} of the best possible"
        )
        lines.append(
            f"- The integer program (scipy milp, HiGHS) reaches a total score of "
            f"{matching.total:.2f} against an upper bound of {matching.bound:.2f}, {verdict}."
        )
    else:
        why = f"with more than {MILP_LIMIT:,} candidates " if len(analysis.candidates) > MILP_LIMIT else ""
        lines.append(
            f"- The greedy solver was used {why}(best remaining triple first): total score "
            f"{matching.total:.2f}, with no bound on how far it is from the best."
        )
    return "\n".join(lines)


def groups_table(analysis: PartnersAnalysis) -> Styler:
    """The reviewer-facing group profiles (each of at least ``MIN_COMPANIES`` companies), shares
    as percentages."""
    shares = ["suppliers", "integrators", "end-users", "TRL 7+"]
    return show_table(
        analysis.groups.rename(columns={"companies": "number of companies"}),
        {**dict.fromkeys(shares, "{:.0%}"), "median employees": "{:,.0f}"},
    )


def business_cases_method(analysis: PartnersAnalysis) -> str:
    """Markdown: how candidate business cases are scored and chosen, introducing the cases table."""
    solver = "integer program (scipy `milp`, HiGHS)" if analysis.matching.solver == "milp" else "greedy solver"
    return (
        "A candidate business case is a triple of three different companies: a technology supplier, a system "
        "integrator and an end-user. Its score is\n\n"
        f"**(supplier-integrator + integrator-user) / 2 + {CLUSTER_BONUS:.2f} if the companies come from "
        f"more than one cluster + {SECTOR_BONUS:.2f} if photonics and health-technology companies "
        "meet**,\n\n"
        "where the integrator-user score is the mean of the Jaccard overlaps of their segments and of their "
        "target markets (0-1); the bonuses are assumptions. For each integrator the best "
        f"{CANDIDATES_PER_INTEGRATOR} suppliers and best {CANDIDATES_PER_INTEGRATOR} end-users make the "
        f"candidates. The {solver} then chooses the set of triples with the highest total score in which "
        f"each company takes part in at most {analysis.max_cases} cases."
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
    return show_table(table, {"mean score": "{:.2f}"})


def cases_table(analysis: PartnersAnalysis) -> Styler:
    """The ``CASES_SHOWN`` best chosen business cases with their reasons, by company: the internal
    edition only (refused on a public page)."""
    return show_table(
        analysis.cases.drop(columns="markets").head(CASES_SHOWN).rename(columns=CASE_COLUMNS),
        {"score": "{:.2f}"},
        internal=analysis.internal,
    )


def missions_summary_table(analysis: PartnersAnalysis) -> Styler:
    """The public partner-screening guide: per mission market the chosen cases whose integrator
    and end-user target it, the distinct companies involved and their mean score."""
    table = analysis.missions.drop(columns="suppressed").rename(columns=MIX_COLUMNS)
    return show_table(table, {"mean score": "{:.2f}"})


def missions_note(analysis: PartnersAnalysis) -> str:
    """Markdown: the suppression rule of the screening guide and how many markets it hid."""
    hidden = analysis.missions.loc[analysis.missions["suppressed"], "market"]
    which = f": {', '.join(hidden)}" if len(hidden) else ""
    return (
        f"A market whose cases involve fewer than {MIN_COMPANIES} distinct companies has its figures "
        f"suppressed (-); {len(hidden)} of {len(analysis.missions)} markets here{which}."
    )


def missions_table(analysis: PartnersAnalysis) -> Styler:
    """The partner-screening guide by company: the best chosen cases per mission market; the
    internal edition only (refused on a public page)."""
    return show_table(
        analysis.cases_by_mission.rename(columns=CASE_COLUMNS), {"score": "{:.2f}"}, internal=analysis.internal
    )


def caveats(analysis: PartnersAnalysis, synthetic: bool) -> str:
    """Markdown list: the assumptions the business cases rest on, and (on ``synthetic`` data) the
    weak group structure of the sample."""
    items = [
        "Complementarity rests on the roadmap's mapping of thematic segments to technology uses, a "
        "judgement: an integrator's gaps are the uses its segments need by that mapping, not gaps the "
        "company has stated.",
        "End-users are companies in the data only: target-market affiliates (distributors, resellers, "
        "multipliers, roadmap §2.5) are not yet an input table, so they cannot be matched.",
        f"Candidates are the best {CANDIDATES_PER_INTEGRATOR} suppliers and {CANDIDATES_PER_INTEGRATOR} "
        "end-users per integrator: the optimum is the best choice among those candidates, not among every "
        "possible triple.",
        f"The bonuses (+{CLUSTER_BONUS:.2f} cross-cluster, +{SECTOR_BONUS:.2f} photonics x health) are "
        f"assumptions that steer the choice: {analysis.matching.cases['cross_sector'].mean():.0%} of the "
        f"chosen cases are photonics x health, against {analysis.candidates['cross_sector'].mean():.0%} of "
        "the candidates.",
    ]
    if synthetic:
        items.append(
            "The synthetic sample has weak group structure (mean silhouette "
            f"{analysis.grouping.chosen_silhouette:.2f}): on it the groups illustrate the method, "
            "not real types of company."
        )
    return "\n".join(f"- {item}" for item in items)


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


def plot_complementarity(analysis: PartnersAnalysis, source: str) -> plt.Figure:
    """Mean supplier-integrator score between groups: suppliers of the row group filling the
    gaps of integrators of the column group, 0-1; a cell resting on fewer than ``MIN_COMPANIES``
    suppliers or integrators is suppressed (blank, and the axis label says so)."""
    table = analysis.complementarity
    values = table.stack().dropna()
    hidden = int(too_small(analysis.complementarity_support).to_numpy().sum())
    rows, columns = table.shape
    fig, ax = plt.subplots(figsize=(max(7.5, 1.1 * columns + 4), max(3.4, 0.6 * rows + 2.2)), layout="constrained")
    if values.empty:
        ax.set_axis_off()
        ax.set_title(
            f"No pair of groups has {MIN_COMPANIES} or more suppliers and integrators to compare"
            if hidden
            else "No group has both technology suppliers and system integrators to compare"
        )
    else:
        sns.heatmap(
            table,
            vmin=0,
            vmax=1,
            cmap="YlGn",
            annot=True,
            fmt=".2f",
            linewidths=0.5,
            ax=ax,
            cbar_kws={"label": "supplier-integrator score (0-1)"},
            annot_kws={"fontsize": 10},
        )
        ax.tick_params(axis="y", rotation=0)
        blank = f"; blank: fewer than {MIN_COMPANIES} suppliers or integrators behind the cell" if hidden else ""
        ax.set_xlabel(f"integrator group (its system integrators){blank}")
        ax.set_ylabel("supplier group (its suppliers)")
        (best_s, best_i), best = values.idxmax(), values.max()
        spread = f" (all pairs {values.min():.2f}-{values.max():.2f})" if len(values) > 1 else ""
        fig.suptitle(
            f"{best_s} suppliers fill the gaps of {best_i} integrators best: {best:.2f} of 1{spread}",
            x=0.01,
            ha="left",
            fontweight="bold",
            fontsize=12,
        )
    add_source(fig, source)
    return fig
