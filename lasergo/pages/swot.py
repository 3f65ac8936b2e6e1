"""The weighted SWOT page: findings, charts and tables over :func:`lasergo.analysis.swot.analyse_swot`.

Charts and tables read the :class:`~lasergo.analysis.swot.SwotAnalysis` only;
nothing here recomputes weights or draws.
"""

from __future__ import annotations

import html
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from pandas.io.formats.style import Styler

from lasergo.analysis.swot import CR_THRESHOLD, SwotAnalysis, rank_distribution
from lasergo.pages.common import about, flag_cells, glossary, record_result, show_table, table_id, yes_no
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.style import add_source, finish

GROUP_NAMES = {"S": "Strengths", "W": "Weaknesses", "O": "Opportunities", "T": "Threats"}
GROUP_COLOURS = {"S": "#2e7d32", "W": "#c62828", "O": "#1565c0", "T": "#ef6c00"}
#: What each comparison matrix compares, as the consistency table names it.
MATRIX_NAMES = {"groups": "The four groups", **GROUP_NAMES}
#: The top two strategies' order is called robust when kept in 90% of the perturbed judgements
#: and of the choices of links.
ROBUST_ORDER = 0.9
#: The header of the consistency table's pass/fail column (Yes/No, No flagged red).
CONSISTENT_COLUMN = f"Consistent (CR at most {CR_THRESHOLD:.2f})"
#: Factor labels on the charts: wrapped at this many characters, on at most three lines.
LABEL_WIDTH = 46

SYNTHETIC_JUDGEMENTS = (
    "> **Illustrative judgements.** The comparisons behind this page come from three "
    "invented experts in the synthetic sample. The page works unchanged on real "
    "expert input in `swot_judgements.csv`."
)


def chart_source(analysis: SwotAnalysis, synthetic: bool) -> str:
    """The short source line of the page's charts and headlines: the roadmap's factors and the judgements."""
    kind = "pairwise comparisons" if analysis.results else "direct ratings"
    experts = f"{analysis.experts} expert{'s' if analysis.experts != 1 else ''}"
    return f"roadmap §1.2.1 (factors); {experts}' {kind}" + (" (illustrative, synthetic)" if synthetic else "")


def _priority(analysis: SwotAnalysis, strategy: str, priority: float) -> str:
    """A strategy's priority in words, rounded to what its P10-P90 supports when there are draws."""
    if analysis.robustness is None:
        return f"{priority:.0%} of all the weight per factor"
    summary = analysis.robustness.strategy_summary().set_index("id")
    low, high = summary.at[strategy, "p10"], summary.at[strategy, "p90"]
    return about(100 * priority, 100 * low, 100 * high, "percent") + " of all the weight per factor"


def _stability(analysis: SwotAnalysis) -> tuple[bool, str]:
    """Whether the top two strategies keep their order (in ``ROBUST_ORDER`` of the perturbed
    judgements and of the link choices), and the sentence that says how often."""
    first, second = analysis.strategies["id"].iloc[:2]
    links = analysis.link_robustness
    checks, parts = [], []
    if analysis.robustness is not None:
        kept = analysis.robustness.top_order_kept()
        checks.append(kept)
        draws = len(analysis.robustness.strategy_draws)
        parts.append(f"{kept:.0%} of {draws:,} sets of randomly perturbed judgements")
    if len(links.variants):
        kept_links = links.variants["order_kept"]
        checks.append(links.top_order_kept())
        parts.append(f"{int(kept_links.sum())} of the {len(kept_links)} rankings with one link left out")
    if not parts:
        return True, ""
    robust = all(share >= ROBUST_ORDER for share in checks)
    return robust, f"{md(first)} stays ahead of {md(second)} in {' and in '.join(parts)}."


def top_strategy(analysis: SwotAnalysis) -> str:
    """The headline's answer: the first strategy, and the second when the two are too close to call."""
    first, second = analysis.strategies.iloc[0], analysis.strategies.iloc[1]
    robust, _ = _stability(analysis)
    return f"{first['id']}: {first['strategy']}" + ("" if robust else f" ({second['id']} close behind)")


def findings(analysis: SwotAnalysis) -> str:
    """The page's answer: which strategy to pursue first and how sure that is, then the heaviest
    group and factor, and where the plain sum of weights would rank differently."""
    strategies, weights = analysis.strategies, analysis.weights
    first, second = strategies.iloc[0], strategies.iloc[1]
    robust, stability = _stability(analysis)
    if robust:
        lead = f"**Pursue {md(first['id'])} first.**"
    else:
        lead = f"**{md(first['id'])} and {md(second['id'])} are close: treat both as candidates to pursue first.**"
    text = (
        f"{lead} {md(first['id'])} ({md(first['strategy'])}) addresses the factors that weigh most on "
        f"average: {_priority(analysis, first['id'], first['priority'])}. {md(second['id'])} "
        f"({md(second['strategy'])}) follows with {_priority(analysis, second['id'], second['priority'])}."
    )
    if stability:
        text += f" {stability}"
    groups = weights.groupby("group")["global_weight"].sum().sort_values(ascending=False)
    top = weights.iloc[0]
    text += (
        f"\n\n{GROUP_NAMES[groups.index[0]]} carry the most weight ({groups.iloc[0]:.0%}); the heaviest "
        f"single factor is {md(top['factor_id'])} ({md(top['factor'])}, {top['global_weight']:.0%})."
    )
    by_sum = strategies.sort_values("sum_rank").iloc[0]
    if by_sum["id"] != first["id"]:
        text += (
            f" Ranked by the plain sum of the weights instead, {md(by_sum['id'])} would come first: it "
            f"addresses {by_sum['links']} factors, where {md(first['id'])} addresses {first['links']}."
        )
    if analysis.robustness is None:
        text += " With direct ratings there is no judgement-level robustness analysis."
    return text


def top_threats(analysis: SwotAnalysis, n: int = 3) -> list[dict]:
    """The ``n`` threats with the largest global weight (the A'WOT table is sorted by it): id, name
    and weight (share of all the weight, 0-1)."""
    threats = analysis.weights[analysis.weights["group"] == "T"].head(n)
    return [
        {"id": str(row.factor_id), "name": str(row.factor), "weight": float(row.global_weight)}
        for row in threats.itertuples()
    ]


def record_results(analysis: SwotAnalysis) -> None:
    """Record the results the front page reads: ``threats`` (:func:`top_threats`)."""
    record_result("threats", top_threats(analysis))


# --- Tables ----------------------------------------------------------------------------------


def show_weights(analysis: SwotAnalysis) -> Styler:
    """The A'WOT table: each factor's group, the group's weight, its weight within the group and
    its share of all the weight (percent)."""
    weights = analysis.weights
    table = pd.DataFrame(
        {
            "Group": weights["group"].map(GROUP_NAMES),
            "Factor": weights["factor_id"],
            "Description": weights["factor"],
            "Weight of its group (%)": 100 * weights["group_weight"],
            "Weight within its group (%)": 100 * weights["local_weight"],
            "Share of all the weight (%)": 100 * weights["global_weight"],
        }
    )
    return show_table(table)


def show_consistency(table: pd.DataFrame) -> Styler:
    """The table of :func:`lasergo.analysis.swot.consistency_table` with plain headers; a matrix
    that fails Saaty's rule is a red No in ``CONSISTENT_COLUMN``."""
    shown = pd.DataFrame(
        {
            "Comparisons of": table["matrix"].map(MATRIX_NAMES).fillna(table["matrix"]),
            "Items compared": table["items"],
            "Consistency ratio (CR)": table["cr"],
            CONSISTENT_COLUMN: yes_no(~table["check"].str.startswith("FLAG")),
            "Least consistent comparison": table["most_inconsistent"],
        }
    )
    styled = show_table(shown, {"Consistency ratio (CR)": "{:.3f}"})
    return flag_cells(styled, lambda value: value == "No", [CONSISTENT_COLUMN])


def show_inconsistent_matrices(analysis: SwotAnalysis) -> dict[str, Styler]:
    """Each matrix with CR above 0.10 (experts combined), by name: how much more important the item
    of the row is than the item of the column."""
    return {
        name: show_table(
            result.matrix.reset_index(names="Item (row) against:"), dict.fromkeys(result.matrix.columns, "{:.2f}")
        )
        for name, result in analysis.results.items()
        if result.cr > CR_THRESHOLD
    }


def tows_matrix(analysis: SwotAnalysis) -> pd.DataFrame:
    """The TOWS matrix (Weihrich 1982): internal factors across, external down, ranked strategies in
    each cell as HTML lines ``rank. id strategy (priority %)``, the text from the tables escaped."""
    cells = {}
    for kind, frame in analysis.strategies.sort_values("rank").groupby("type"):
        cells[kind] = "<br>".join(
            f"<b>{r['rank']}.</b> {html.escape(str(r['id']))} {html.escape(str(r['strategy']))} ({r['priority']:.1%})"
            for _, r in frame.iterrows()
        )
    return pd.DataFrame(
        {
            "Strengths (S)": [cells.get("SO", ""), cells.get("ST", "")],
            "Weaknesses (W)": [cells.get("WO", ""), cells.get("WT", "")],
        },
        index=["Opportunities (O)", "Threats (T)"],
    )


def show_tows_matrix(analysis: SwotAnalysis) -> Styler:
    """The TOWS matrix of :func:`tows_matrix`, cells aligned top left."""
    matrix = tows_matrix(analysis)
    return matrix.style.set_uuid(table_id(matrix)).set_properties(**{"text-align": "left", "vertical-align": "top"})


def ranked_strategies(analysis: SwotAnalysis) -> pd.DataFrame:
    """The ranked TOWS strategies with plain headers: priority (mean weight of the factors they
    address) and, when there are draws, its P10-P90 and the chances of ranking first or elsewhere;
    then the plain sum of the weights and the rank it would give. Percentages as numbers 0-100."""
    ranked = analysis.strategies
    table = pd.DataFrame(
        {
            "Rank": ranked["rank"],
            "Strategy": ranked["id"],
            "Type": ranked["type"],
            "What to do": ranked["strategy"],
            "Factors it addresses": ranked["factors"].str.replace(r"\s*;\s*", "; ", regex=True),
            "Priority: mean weight of its factors (%)": 100 * ranked["priority"],
        }
    )
    if analysis.robustness is not None:
        summary = analysis.robustness.strategy_summary().set_index("id").loc[ranked["id"]]
        table["P10-P90 of the priority (%)"] = [
            f"{100 * low:.1f}-{100 * high:.1f}" for low, high in zip(summary["p10"], summary["p90"])
        ]
        table["Chance of ranking first (%)"] = 100 * summary["p_first"].to_numpy()
        table["Chance of another rank (%)"] = 100 * summary["rank_changed"].to_numpy()
    table["Sum of its factors' weights (%)"] = 100 * ranked["weight_sum"]
    table["Rank by the sum"] = ranked["sum_rank"]
    return table


def show_ranked_strategies(analysis: SwotAnalysis) -> Styler:
    """The table of :func:`ranked_strategies`, chances to whole percent."""
    formats = dict.fromkeys(["Chance of ranking first (%)", "Chance of another rank (%)"], "{:.0f}")
    return show_table(ranked_strategies(analysis), formats)


def link_note(analysis: SwotAnalysis) -> str:
    """Markdown: how often the first strategy stays first when one link is left out, and which
    links matter."""
    variants = analysis.link_robustness.variants
    first = md(analysis.strategies["id"].iloc[0])
    if variants.empty:
        return "Every strategy addresses a single factor: no link can be left out."
    changed = variants[~(variants["first_kept"] & variants["order_kept"])]
    text = (
        f"Leaving out one link at a time gives {len(variants)} alternative rankings; {first} stays first "
        f"in {int(variants['first_kept'].sum())} of them."
    )
    if changed.empty:
        return text + " No single link changes the top two."
    return text + f" The {len(changed)} link(s) below change the top two; the others leave them as they are."


def show_link_changes(analysis: SwotAnalysis) -> Styler:
    """The links whose removal changes who ranks first or the order of the top two."""
    variants = analysis.link_robustness.variants
    changed = variants[~(variants["first_kept"] & variants["order_kept"])]
    first, second = analysis.strategies["id"].iloc[:2]
    table = pd.DataFrame(
        {
            "Strategy": changed["strategy"],
            "Factor no longer linked to it": changed["factor"],
            "Ranked first without the link": changed["first"],
            f"{first} still first": yes_no(changed["first_kept"]),
            f"{first} still ahead of {second}": yes_no(changed["order_kept"]),
        }
    )
    return show_table(table)


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "A'WOT",
        "AHP",
        "CR",
        "P10, P50, P90",
        "TOWS",
        extra={
            "SWOT": "Strengths and weaknesses (inside the partnership), opportunities and threats (outside it).",
            "Saaty's 1-9 scale": "How much more important one item is than another: 1 equal, 3 moderately, "
            "5 strongly, 7 very strongly, 9 extremely more important (1/3 ... 1/9 the reverse).",
            "Geometric mean": "The n-th root of the product of n values: the mean that keeps a ratio and its "
            "reciprocal consistent when experts' comparisons are combined.",
            "Eigenvector method": "Saaty's way of turning a table of pairwise comparisons into the weights "
            "that agree best with all of them at once.",
            "Share of all the weight": "A factor's global weight: its group's weight times its weight within "
            "the group; over all factors the shares add up to 100%.",
            "Priority": "Of a strategy: the mean share of the weight of the factors it addresses (their sum "
            "divided by their number), so that the number of factors linked does not by itself raise it.",
            "Perturbed judgements": "Every expert comparison multiplied by a small random factor (by default "
            "within about 0.6 to 1.6), to see whether the ranking survives.",
            "Leave one link out": "Each strategy's link to one of its factors dropped in turn and every "
            "priority recomputed, to see whether the ranking rests on a single link.",
        },
    )


# --- Charts ----------------------------------------------------------------------------------


def _factor_label(factor_id: str, factor: str) -> str:
    """A chart label: the id and the description wrapped on at most three lines (the table has it in full)."""
    return textwrap.fill(f"{factor_id} {factor}", LABEL_WIDTH, max_lines=3, placeholder=" …")


def plot_quadrants(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """The SWOT as four stacked panels (S, W, O, T), each factor a bar as long as its share of all
    the weight, labelled with the factor's wrapped description and its share."""
    weights = analysis.weights
    top = weights.iloc[0]
    groups = [g for g in GROUP_NAMES if (weights["group"] == g).any()]
    counts = [int((weights["group"] == g).sum()) for g in groups]
    fig, axes = plt.subplots(
        len(groups),
        1,
        figsize=(9.5, 1.0 + 0.62 * sum(counts) + 0.45 * len(groups)),
        sharex=True,
        gridspec_kw={"height_ratios": counts},
        squeeze=False,
    )
    limit = weights["global_weight"].max() * 1.18
    for ax, group in zip(axes[:, 0], groups):
        part = weights[weights["group"] == group].sort_values("global_weight")
        labels = [_factor_label(i, f) for i, f in zip(part["factor_id"], part["factor"])]
        ax.barh(labels, part["global_weight"], color=GROUP_COLOURS[group], height=0.7)
        for y, value in enumerate(part["global_weight"]):
            ax.text(value + limit * 0.01, y, f"{value:.1%}", va="center", fontsize=10)
        ax.set_title(f"{GROUP_NAMES[group]}: {part['global_weight'].sum():.0%} of the weight", fontsize=11)
        ax.set_xlim(0, limit)
        ax.tick_params(axis="y", labelsize=10)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[-1, 0].set_xlabel("share of all the weight (group's weight x weight within the group)")
    return finish(
        fig,
        textwrap.fill(f"{top['factor_id']} ({top['factor']}) weighs most: {top['global_weight']:.0%} of the total", 70),
        source,
        tight=True,
    )


def plot_weight_intervals(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """Each factor's share of the weight with the P10-P90 range over the perturbed judgements."""
    summary = analysis.perturbed.factor_summary().set_index("id").loc[analysis.weights["factor_id"]]
    groups = analysis.weights.set_index("factor_id")["group"]
    fig, ax = plt.subplots(figsize=(9.5, 5))
    x = np.arange(len(summary))
    ax.bar(x, summary["deterministic"], color=[GROUP_COLOURS[groups[i]] for i in summary.index])
    ax.errorbar(
        x,
        summary["p50"],
        yerr=[summary["p50"] - summary["p10"], summary["p90"] - summary["p50"]],
        fmt="o",
        color="black",
        ms=3,
        lw=1,
        capsize=3,
    )
    ax.set_xticks(x, summary.index)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(ylabel="share of all the weight", xlabel="factor")
    widest = (summary["p90"] - summary["p10"]).idxmax()
    ax.set_title(
        f"Weights move by up to {100 * (summary.loc[widest, 'p90'] - summary.loc[widest, 'p10']):.0f} "
        f"percentage points ({widest}) when every judgement is perturbed"
    )
    handles: list[Artist] = [Patch(color=GROUP_COLOURS[g], label=name) for g, name in GROUP_NAMES.items()]
    handles.append(Line2D([], [], color="black", marker="o", ms=3, lw=1, label="median (P50) and P10-P90, perturbed"))
    ax.legend(handles=handles, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_rank_stability(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """Heatmap of each strategy's rank across the perturbed judgements (:func:`rank_distribution`)."""
    table = rank_distribution(analysis)
    first = analysis.strategies.iloc[0]["id"]
    draws = len(analysis.perturbed.strategy_draws)
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    sns.heatmap(
        table, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax, annot_kws={"fontsize": 9}
    )
    ax.set(
        xlabel="rank in a set of perturbed judgements",
        ylabel="strategy (in the order of the page)",
        title=f"{first} ranks first in {table.at[first, 1]:.0%} of {draws:,} sets of perturbed judgements",
    )
    ax.tick_params(axis="y", rotation=0)
    add_source(fig, source)
    return fig
