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
from pandas.io.formats.style import Styler

from lasergo.analysis.swot import CR_THRESHOLD, SwotAnalysis, rank_distribution
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import flag_cells, show_table
from lasergo.pages.style import add_source, finish

GROUP_NAMES = {"S": "Strengths", "W": "Weaknesses", "O": "Opportunities", "T": "Threats"}
GROUP_COLOURS = {"S": "#2e7d32", "W": "#c62828", "O": "#1565c0", "T": "#ef6c00"}
ROBUST_ORDER = 0.9  # the top two strategies' order is called robust when kept in 90% of draws

SYNTHETIC_JUDGEMENTS = (
    "> **Illustrative judgements.** The comparisons behind this page come from three "
    "invented experts in the synthetic sample. The page works unchanged on real "
    "expert input in `swot_judgements.csv`."
)


def chart_source(analysis: SwotAnalysis, synthetic: bool) -> str:
    """The source line of the page's charts and headlines: the roadmap's factors and the judgements."""
    return (
        "SWOT factors LASER-GO D5.1 (2017) §1.2.1; judgements: "
        + analysis.method
        + (" (illustrative, synthetic)" if synthetic else "")
    )


def findings(analysis: SwotAnalysis) -> str:
    """A short generated reading of the numbers: heaviest group and factor, top strategies, robustness."""
    weights = analysis.weights
    groups = weights.groupby("group")["global_weight"].sum().sort_values(ascending=False)
    top = weights.iloc[0]
    first, second = analysis.strategies.iloc[0], analysis.strategies.iloc[1]
    text = (
        f"{GROUP_NAMES[groups.index[0]]} carry the most weight ({groups.iloc[0]:.0%}); the heaviest "
        f"single factor is {md(top['factor_id'])} ({md(top['factor'])}, {top['global_weight']:.0%}). "
        f"The top strategies are {md(first['id'])} ({md(first['strategy'])}, priority {first['priority']:.3f}) "
        f"and {md(second['id'])} ({md(second['strategy'])}, {second['priority']:.3f})."
    )
    if analysis.robustness is None:
        return text + " With direct ratings there is no judgement-level robustness analysis."
    kept = analysis.robustness.top_order_kept()
    summary = analysis.robustness.strategy_summary().set_index("id")
    verdict = "robust" if kept >= ROBUST_ORDER else "not robust"
    return (
        text + f" Their order is {verdict}: {md(first['id'])} stays ahead of {md(second['id'])} in {kept:.0%} of "
        f"the perturbed judgements, and {md(first['id'])} ranks first in "
        f"{summary.at[first['id'], 'p_first']:.0%}."
    )


# --- Tables ----------------------------------------------------------------------------------


def show_weights(analysis: SwotAnalysis) -> Styler:
    """The A'WOT table (group, factor, group, local and global weight)."""
    return show_table(analysis.weights, dict.fromkeys(["group_weight", "local_weight", "global_weight"], "{:.3f}"))


def show_consistency(table: pd.DataFrame) -> Styler:
    """The table of :func:`lasergo.analysis.swot.consistency_table`, failed checks in red."""
    styled = show_table(table, {"lambda_max": "{:.3f}", "ci": "{:.3f}", "cr": "{:.3f}"})
    return flag_cells(styled, lambda value: str(value).startswith("FLAG"), ["check"])


def show_inconsistent_matrices(analysis: SwotAnalysis) -> dict[str, Styler]:
    """Each matrix with CR above 0.10 (experts combined), by name, as a table with a ``row`` column."""
    return {
        name: show_table(result.matrix.reset_index(names="row"), dict.fromkeys(result.matrix.columns, "{:.2f}"))
        for name, result in analysis.results.items()
        if result.cr > CR_THRESHOLD
    }


def tows_matrix(analysis: SwotAnalysis) -> pd.DataFrame:
    """The TOWS matrix (Weihrich 1982): internal factors across, external down, ranked strategies in
    each cell as HTML lines ``rank. id strategy (priority)``, the text from the tables escaped."""
    cells = {}
    for kind, frame in analysis.strategies.sort_values("rank").groupby("type"):
        cells[kind] = "<br>".join(
            f"<b>{r['rank']}.</b> {html.escape(str(r['id']))} {html.escape(str(r['strategy']))} ({r['priority']:.3f})"
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
    return tows_matrix(analysis).style.set_properties(**{"text-align": "left", "vertical-align": "top"})


def show_ranked_strategies(analysis: SwotAnalysis) -> Styler:
    """The ranked TOWS strategies with, when there are draws, the P10-P90 of their priority, the
    share of draws ranking them first and the share changing their rank."""
    ranked = analysis.strategies.copy()
    if analysis.robustness is not None:
        summary = analysis.robustness.strategy_summary().set_index("id")
        ranked = ranked.join(summary[["p10", "p90", "p_first", "rank_changed"]], on="id")
    return show_table(
        ranked, {"priority": "{:.3f}", "p10": "{:.3f}", "p90": "{:.3f}", "p_first": "{:.0%}", "rank_changed": "{:.0%}"}
    )


# --- Charts ----------------------------------------------------------------------------------


def plot_quadrants(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """The SWOT as four quadrants, each factor a bar as long as its global weight."""
    weights = analysis.weights
    top = weights.iloc[0]
    fig, axes = plt.subplots(2, 2, figsize=(12, 6.5), sharex=True)
    limit = weights["global_weight"].max() * 1.15
    for ax, group in zip(axes.flat, GROUP_NAMES):
        part = weights[weights["group"] == group].sort_values("global_weight")
        labels = [textwrap.shorten(f"{i} {f}", 55) for i, f in zip(part["factor_id"], part["factor"])]
        ax.barh(labels, part["global_weight"], color=GROUP_COLOURS[group])
        ax.set_title(f"{GROUP_NAMES[group]}: {part['global_weight'].sum():.0%} of the weight", fontsize=11)
        ax.set_xlim(0, limit)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes[1]:
        ax.set_xlabel("global weight (group weight x weight within the group)")
    return finish(
        fig,
        f"{top['factor_id']} ({textwrap.shorten(top['factor'], 60)}) weighs most, "
        f"{top['global_weight']:.0%} of the total",
        source,
        tight=True,
    )


def plot_weight_intervals(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """Global weights with the P10-P90 range of the perturbed judgements."""
    summary = analysis.perturbed.factor_summary().set_index("id").loc[analysis.weights["factor_id"]]
    groups = analysis.weights.set_index("factor_id")["group"]
    fig, ax = plt.subplots(figsize=(10, 4.2))
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
        label="median and P10-P90 of perturbed judgements",
    )
    ax.set_xticks(x, summary.index)
    ax.set(ylabel="global weight", xlabel="factor (colour: S green, W red, O blue, T orange)")
    widest = (summary["p90"] - summary["p10"]).idxmax()
    ax.set_title(
        f"Weights move by up to {summary.loc[widest, 'p90'] - summary.loc[widest, 'p10']:.0%} "
        f"points ({widest}) when every judgement is perturbed"
    )
    ax.legend(fontsize=8)
    add_source(fig, source)
    return fig


def plot_rank_stability(analysis: SwotAnalysis, source: str) -> plt.Figure:
    """Heatmap of each strategy's rank across the perturbed judgements (:func:`rank_distribution`)."""
    table = rank_distribution(analysis)
    first = analysis.strategies.iloc[0]["id"]
    draws = len(analysis.perturbed.strategy_draws)
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.heatmap(
        table, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax, annot_kws={"fontsize": 8}
    )
    ax.set(
        xlabel="rank in a perturbed draw",
        ylabel="strategy (deterministic order)",
        title=f"{first} ranks first in {table.at[first, 1]:.0%} of {draws:,} draws",
    )
    add_source(fig, source)
    return fig
