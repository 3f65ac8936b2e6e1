"""The technology-scouting page: findings, charts and tables over
:func:`lasergo.analysis.scouting.analyse_scouting`.

Charts and tables read the :class:`~lasergo.analysis.scouting.ScoutingAnalysis` only; nothing here
re-scores findings. The partnership's products are shown only in aggregate: a count of companies
below :data:`lasergo.privacy.MIN_COMPANIES` shows as "1-4", and the TRL of such a use's products is
withheld (roadmap §2.2: company data are confidential and aggregated anonymously).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from pandas.io.formats.style import Styler

from lasergo.analysis.scouting import TIE_BREAK, WEIGHT_PARTS, ScoutingAnalysis
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import glossary, headline, record_result, show_table
from lasergo.pages.style import finish
from lasergo.privacy import MIN_COMPANIES

#: Chart labels of technology uses: at most this many characters on a line.
LABEL_WIDTH = 34
#: Shorter names for the technology uses whose roadmap name is longer than :data:`LABEL_WIDTH`,
#: keyed by that name (a use renamed in the reference falls back to its name, wrapped, never cut).
SHORT_NAMES = {
    "Laser illumination for high-speed imaging": "Laser light for high-speed imaging",
    "Fluorescence-activated cell sorting (FACS)": "Cell sorting (FACS)",
    "Laser microfabrication and additive fabrication of biomaterials": "Laser fabrication of biomaterials",
    "Laser-induced breakdown spectroscopy": "Laser breakdown spectroscopy",
    "Laser-induced photo-acoustic measurement": "Photo-acoustic measurement",
    "Photodynamic (light-induced) disinfection": "Photodynamic disinfection",
    "Light-sheet fluorescence microscopy": "Light-sheet microscopy",
    "LASIK (laser-assisted in situ keratomileusis)": "LASIK eye surgery",
    "Laser scanning with photomultiplier luminescence detection": "Luminescence laser scanning",
    "Photodynamic therapy with infrared laser sources": "Photodynamic therapy (infrared)",
    "General laser components and systems": "Laser components and systems",
}
#: Plain names of the scouting table's organisation types.
ORGANISATION_NAMES = {
    "component_maker": "Component makers",
    "system_maker": "System makers",
    "integrator": "Integrators",
    "end_user": "End-users",
    "research": "Research",
}
#: Plain names and colours of a technology use's coverage status.
STATUS_NAMES = {
    "gap": "gap: high need, no market-ready product",
    "lead": "lead: market-ready, little found abroad",
    "market-ready": "market-ready product",
    "in development": "products below market-ready only",
    "no product": "no product",
}
STATUS_COLOURS = {
    "gap": "#b00020",
    "lead": "#1b7a3a",
    "market-ready": "#1f77b4",
    "in development": "#f0a500",
    "no product": "#888888",
}
WEIGHT_NAMES = {"market_need": "market need", "novelty": "novelty"}
SMALL_BAND = f"1-{MIN_COMPANIES - 1}"
#: Where the coverage chart puts the uses the scouts have not found abroad (left of need 1).
NOT_FOUND_X = 0.4
NO_FINDINGS = "No scouting findings recorded yet"
#: Priorities within this many points of the top one are named beside it: closer than the weights decide.
CLOSE_POINTS = 5.0


# --- Names -------------------------------------------------------------------------------------------------


def use_name(use: str) -> str:
    """A technology use's full name (``technology_uses.csv``)."""
    return reference.names("technology_uses").get(use, use)


def label_for(name: str) -> str:
    """A technology use's chart label from its name: the short name (:data:`SHORT_NAMES`), or the
    name wrapped at :data:`LABEL_WIDTH` characters; never cut."""
    return SHORT_NAMES.get(name, textwrap.fill(name, LABEL_WIDTH))


def use_label(use: str) -> str:
    """The chart label of technology use ``use`` (:func:`label_for`)."""
    return label_for(use_name(use))


def market_name(market: str) -> str:
    return reference.names("markets").get(market, market)


def area_name(area: str) -> str:
    return reference.names("segments").get(area, area)


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def companies_shown(count: int) -> str:
    """A number of companies as a public page may show it: "1-4" below :data:`MIN_COMPANIES`."""
    return SMALL_BAND if 0 < count < MIN_COMPANIES else f"{count:,}"


def chart_source(data: Dataset) -> str:
    """The short source line of the page's charts and headlines."""
    synthetic = " (synthetic sample data)" if data.synthetic else ""
    return f"scouting findings{synthetic}; partnership products; technology uses roadmap §2.2"


def _no_findings(quarter: pd.Period) -> str:
    return f"{NO_FINDINGS} (as of the end of {quarter})."


def _nothing_yet(quarter: pd.Period) -> str:
    """A section's note before the first finding."""
    return f"Nothing to show before the first finding (none up to the end of {quarter})."


def _show_note(text: str) -> None:
    display(Markdown(text))


# --- Headlines, results and the finding --------------------------------------------------------------------


def _cell_text(row: pd.Series) -> str:
    return f"{use_name(row['technology_use'])} in {market_name(row['market'])}"


def show_headlines(analysis: ScoutingAnalysis, source: str) -> None:
    """Headlines: findings so far, the top priority, and the gaps (use x market cells)."""
    headline("Scouting findings", analysis.findings, "", "scouting table; roadmap §2.2")
    if analysis.empty:
        headline("Top priority", "none yet", "", "no findings recorded")
        return
    top = analysis.priorities.iloc[0]
    headline("Top priority", f"{_cell_text(top)} ({top['priority']:.0f} of 100)", "", "scouting table")
    gaps = len(analysis.gaps)
    headline(
        "Gaps: high need, no market-ready product",
        gaps,
        f"use x market cell{'' if gaps == 1 else 's'}",
        "scouting table; partnership products",
    )


def record_results(analysis: ScoutingAnalysis) -> None:
    """Record ``findings`` (the count) and ``gaps`` (the top five, names of use and market; None
    before any finding) for the quarter's other pages."""
    record_result("findings", analysis.findings)
    gaps = (
        None
        if analysis.empty
        else [
            {"technology_use": use_name(u), "market": market_name(m)}
            for u, m in zip(analysis.gaps["technology_use"].head(5), analysis.gaps["market"].head(5))
        ]
    )
    record_result("gaps", gaps)


def _gap_text(analysis: ScoutingAnalysis, limit: int = 5) -> str:
    gaps = analysis.gaps
    if gaps.empty:
        return (
            f"**No gap**: wherever the scouts saw a high need (mean {analysis.high_need:g} or more of 5), the "
            f"partnership has a market-ready product (TRL {analysis.mature_trl} or more)."
        )
    named = [md(_cell_text(row)) for _, row in gaps.head(limit).iterrows()]
    more = f", and {len(gaps) - limit} more" if len(gaps) > limit else ""
    markets = gaps["market"].nunique()
    which = f" (highest priority first): {_listed(named)}{more}" if len(gaps) > 1 else f": {named[0]}"
    return (
        f"**{len(gaps)} gap{'s' if len(gaps) != 1 else ''}** in {markets} market{'s' if markets != 1 else ''}, "
        f"a high need (mean {analysis.high_need:g} or more of 5) and no market-ready product of the "
        f"partnership (TRL {analysis.mature_trl} or more){which}. "
        f"{'These need' if len(gaps) > 1 else 'It needs'} a partner abroad or a licence, not a mission to sell."
    )


def _lead_text(analysis: ScoutingAnalysis) -> str:
    expected = analysis.coverage["expected_findings"].iloc[0]
    leads = analysis.leads
    if leads.empty:
        if not analysis.lead_testable:
            return (
                f"**Leads: too early to tell.** The scouts have {expected:.1f} findings per technology use on "
                "average; until they have about "
                f"{analysis.findings_for_leads:.1f}, even a use they never found abroad could be missing by chance."
            )
        return "**No lead**: no use with a market-ready product is found abroad less often than chance explains."
    named = _listed([md(use_name(u)) for u in leads["technology_use"]])
    return (
        f"**The partnership leads in {named}**: it has market-ready products there, and the scouts found "
        f"{'it' if len(leads) == 1 else 'them'} abroad less often than chance would give "
        f"({expected:.1f} findings expected per use). These are what to show on the missions."
    )


def findings(analysis: ScoutingAnalysis, quarter: pd.Period) -> Markdown:
    """The finding for a funder: where to look first, how sure the ranking is, the gaps, the leads
    and what to do; or that there are no findings yet."""
    if analysis.empty:
        return Markdown(
            f"**{_no_findings(quarter)}** The scouts in the target markets judge each of the roadmap's 35 "
            "technology uses for readiness, novelty and market need (roadmap §2.2, step 3); their findings "
            "fill this page as they come in. Until then there is nothing to rank, and no gap or lead to name."
        )
    cells, sensitivity = analysis.priorities, analysis.sensitivity
    markets = analysis.by_market["total"].gt(0).sum()
    top = cells.iloc[0]
    shown = len(sensitivity.ranks)
    lines = [
        f"**{analysis.findings:,} findings** of the scouts in {markets} of the 8 target markets up to the end "
        f"of {quarter}, on {cells['technology_use'].nunique()} of the 35 technology uses.",
        "",
        f"- **Look first at {md(_cell_text(top))}**: priority {top['priority']:.0f} of 100 from "
        f"{top['findings']:.0f} finding{'s' if top['findings'] != 1 else ''} (mean market need "
        f"{top['market_need']:.1f}, novelty {top['novelty']:.1f}, median TRL {top['median_trl']:g})"
        + _close_text(analysis)
        + f". The top {shown} are in the table below.",
        f"- **The ranking holds**: {sensitivity.stable()} of the top {shown} stay in the top {shown} "
        f"whichever weight moves by {_change(analysis)} up or down."
        if sensitivity.stable() >= 0.7 * shown
        else f"- **The ranking is sensitive to the weights**: only {sensitivity.stable()} of the top {shown} stay "
        f"in the top {shown} whichever weight moves by {_change(analysis)} up or down; treat places "
        f"{sensitivity.stable() + 1}-{shown} as a shortlist, not an order.",
        f"- {_gap_text(analysis)}",
        f"- {_lead_text(analysis)}",
        "",
        f"**What to do.** {_actions(analysis)}",
    ]
    return Markdown("\n".join(lines))


def _actions(analysis: ScoutingAnalysis) -> str:
    """What the findings ask of the partnership, as one sentence."""
    actions = ["Put the top cells on the agenda of the next missions to those markets"]
    if len(analysis.gaps):
        actions.append("look for partners abroad for the gaps")
    if len(analysis.leads):
        actions.append("present the leads, where the partnership has what few others offer")
    return _listed(actions) + "."


def _close_text(analysis: ScoutingAnalysis, within: float = CLOSE_POINTS, limit: int = 4) -> str:
    """'; nearly as high (within 5 points): A in X and B in Y' for the cells whose priority comes within ``within``
    points of the top one (at most ``limit`` named), or ''."""
    cells = analysis.priorities
    close = cells.iloc[1:][cells["priority"].iloc[1:] >= cells["priority"].iloc[0] - within]
    if close.empty:
        return ""
    named = [md(_cell_text(row)) for _, row in close.head(limit).iterrows()]
    more = f" and {len(close) - limit} more" if len(close) > limit else ""
    return f"; nearly as high (within {within:g} points): {_listed(named)}{more}"


def _change(analysis: ScoutingAnalysis) -> str:
    changes = analysis.sensitivity.scenarios["change"].abs()
    return f"{100 * changes.iloc[0]:.0f}%" if len(changes) else "-"


def formula_note(analysis: ScoutingAnalysis) -> Markdown:
    """The priority formula with this page's weights and window, and the tie-break rule."""
    rule = analysis.rule
    need, novelty = (rule.weights[p] for p in WEIGHT_PARTS)
    low, high = rule.window
    prior = rule.prior_findings
    edges = ", ".join(
        f"TRL {trl}: {max(0.0, 1 - rule.taper * d):g}" for trl, d in ((low - 1, 1), (high + 1, 1)) if 1 <= trl <= 9
    )
    shrink = (
        f"A technology use's priority in a market is the average of its findings' scores, pulled toward the "
        f"average of all findings as if it had {prior:g} more finding{'s' if prior != 1 else ''} at that "
        f"average: **priority = (n x its mean + {prior:g} x mean of all findings) / (n + {prior:g})** for n "
        "findings, so that one enthusiastic finding does not outrank several consistent ones."
        if prior > 0
        else "A technology use's priority in a market is the plain average of its findings' scores."
    )
    return Markdown(
        f"**Priority formula.** Each finding scores **100 x M(TRL) x [{need:.2g} x (need - 1) + {novelty:.2g} x "
        f"(novelty - 1)] / 4**: market need and novelty (each 1-5) weighted {need:.0%} and {novelty:.0%}, "
        f"from 0 (both 1) to 100 (both 5). M(TRL), the maturity window, is 1 for TRL {low}-{high}, the "
        f"technologies ready for partnering, and loses {rule.taper:g} for each level outside it"
        + (f" ({edges})" if edges else "")
        + f". {shrink}\n\n**Ties** in the priority are broken by {', '.join(TIE_BREAK)}."
    )


# --- Charts ------------------------------------------------------------------------------------------------


def _grid(analysis: ScoutingAnalysis, area: str) -> pd.DataFrame:
    """Priorities of one thematic area's uses (rows, in the page's order) by market (columns)."""
    uses = analysis.coverage.loc[analysis.coverage["area"] == area, "technology_use"].tolist()
    grid = analysis.priorities.pivot(index="technology_use", columns="market", values="priority")
    return grid.reindex(index=uses, columns=list(reference.TARGET_MARKET_IDS)).astype(float)


def plot_priority_heatmap(analysis: ScoutingAnalysis, source: str, quarter: pd.Period) -> plt.Figure | None:
    """Priority (0-100) of each technology use (rows, grouped by main thematic area) in each target
    market (columns, mission order); cells without findings blank, the top cells outlined."""
    if analysis.empty:
        _show_note(_nothing_yet(quarter))
        return None
    areas = [a for a in reference.THEMATIC_SEGMENT_IDS if (analysis.coverage["area"] == a).any()]
    sizes = [int((analysis.coverage["area"] == a).sum()) for a in areas]
    values = analysis.priorities["priority"]
    low, high = 10 * np.floor(values.min() / 10), 10 * np.ceil(values.max() / 10)
    top = set(zip(analysis.sensitivity.ranks["technology_use"], analysis.sensitivity.ranks["market"]))
    markets = list(reference.TARGET_MARKET_IDS)
    fig, axes = plt.subplots(
        len(areas),
        1,
        figsize=(10, 0.3 * sum(sizes) + 1.1 * len(areas) + 1.8),
        sharex=True,
        gridspec_kw={"height_ratios": sizes},
        layout="constrained",
        squeeze=False,
    )
    for ax, area in zip(axes[:, 0], areas):
        grid = _grid(analysis, area)
        ax.set_facecolor("#f2f2f2")
        ax.grid(False)
        sns.heatmap(
            grid,
            mask=grid.isna(),
            cmap="YlOrRd",
            vmin=low,
            vmax=max(high, low + 10),
            annot=True,
            fmt=".0f",
            annot_kws={"fontsize": 9},
            linewidths=0.5,
            linecolor="white",
            cbar=False,
            ax=ax,
        )
        for i, use in enumerate(grid.index):
            for j, market in enumerate(grid.columns):
                if (use, market) in top:
                    ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor="black", lw=2))
        ax.set_yticks(np.arange(len(grid)) + 0.5, [use_label(u) for u in grid.index], rotation=0, fontsize=9)
        ax.set(xlabel="", ylabel="")
        ax.set_title(area_name(area), fontsize=11, loc="left")
    last = axes[-1, 0]
    last.set_xticks(np.arange(len(markets)) + 0.5, [textwrap.fill(market_name(m), 10) for m in markets], fontsize=9)
    last.tick_params(axis="x", rotation=0)
    last.set_xlabel(
        f"target market (mission order). Cell: priority 0-100; blank: no finding; outlined: the top {len(top)}",
        fontsize=10,
    )
    fig.colorbar(axes[0, 0].collections[0], ax=axes[:, 0], shrink=0.4, label="priority (0-100)")
    best = analysis.priorities.iloc[0]
    title = f"{use_label(best['technology_use'])} in {market_name(best['market'])} comes first: " + (
        f"priority {best['priority']:.0f} of 100"
    )
    return finish(fig, title, source, tight=False)


def plot_trl_distribution(analysis: ScoutingAnalysis, source: str, quarter: pd.Period) -> plt.Figure | None:
    """Share of the findings abroad and of the partnership's products at each TRL, one panel per
    thematic area, the maturity window shaded and the market-ready level marked; the partnership's
    bars withheld in an area whose products come from fewer than ``MIN_COMPANIES`` companies."""
    if analysis.empty:
        _show_note(_nothing_yet(quarter))
        return None
    trl = analysis.trl
    areas = list(reference.THEMATIC_SEGMENT_IDS)
    colours = {"found abroad": "#d95f02", "partnership": "#1f77b4"}
    low, high = analysis.rule.window
    fig, axes = plt.subplots(1, len(areas), figsize=(11, 4.8), sharey=True, squeeze=False)
    medians: dict[tuple[str, str], float] = {}
    for ax, area in zip(axes[0], areas):
        ax.axvspan(low - 0.5, high + 0.5, color="#eeeeee", zorder=0)
        for k, (source_name, colour) in enumerate(colours.items()):
            part = trl[(trl["area"] == area) & (trl["source"] == source_name)]
            withheld = source_name == "partnership" and part["companies"].iloc[0] < MIN_COMPANIES
            if part["total"].iloc[0] == 0 or withheld:
                continue
            medians[(area, source_name)] = float(part["median_trl"].iloc[0])
            ax.bar(part["trl"] + (k - 0.5) * 0.4, 100 * part["share"], width=0.4, color=colour, zorder=2)
        ax.axvline(analysis.mature_trl - 0.5, color="#333333", lw=1, ls="--", zorder=3)
        ax.set_xticks(range(1, 10))
        ax.tick_params(labelsize=9)
        ax.set_xlabel("TRL", fontsize=10)
        abroad, home = (medians.get((area, kind)) for kind in colours)
        ax.set_title(
            textwrap.fill(area_name(area), 40)
            + "\nmedian TRL: abroad "
            + (f"{abroad:g}" if abroad is not None else "-")
            + ", partnership "
            + (f"{home:g}" if home is not None else "-"),
            fontsize=10,
            loc="left",
        )
    axes[0, 0].set_ylabel("share of the area's findings or products (%)", fontsize=10)
    handles = [
        Patch(color=colours["found abroad"], label="findings abroad"),
        Patch(color=colours["partnership"], label="partnership's products"),
        Patch(color="#eeeeee", label=f"maturity window, TRL {low}-{high}"),
        Line2D([], [], color="#333333", lw=1, ls="--", label=f"market-ready from TRL {analysis.mature_trl}"),
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0), ncols=4, fontsize=9, frameon=False)
    abroad_medians = sorted({v for (_, kind), v in medians.items() if kind == "found abroad"})
    home_medians = sorted({v for (_, kind), v in medians.items() if kind == "partnership"})
    title = f"Findings abroad stand at a median TRL of {_span(abroad_medians)}" + (
        f", the partnership's products at {_span(home_medians)}, in the three thematic areas" if home_medians else ""
    )
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return finish(fig, title, source, tight=False)


def _span(values: list[float]) -> str:
    """'6' or '5-5.5' for the sorted ``values``."""
    return f"{values[0]:g}" if values[0] == values[-1] else f"{values[0]:g}-{values[-1]:g}"


def _spread(targets: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``targets`` (sorted) at least ``gap`` apart, kept within low-high."""
    placed: list[float] = []
    for y in targets:
        placed.append(max(y, placed[-1] + gap) if placed else max(y, low))
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        placed = [max(low + i * gap, y - overflow) for i, y in enumerate(placed)]
    return placed


def coverage_points(analysis: ScoutingAnalysis) -> pd.DataFrame:
    """The coverage chart's points, one per technology use: ``x`` the highest mean market need of a
    market (:data:`NOT_FOUND_X` for a use not found abroad), ``y`` the companies with a market-ready
    product (the band's middle for 1-4 companies), the status, the findings and the label (gaps and
    leads)."""
    uses = analysis.coverage.copy()
    ready = uses["ready_companies"]
    band = MIN_COMPANIES / 2
    uses["x"] = uses["top_need"].astype(float).fillna(NOT_FOUND_X)
    uses["y"] = np.where(ready.between(1, MIN_COMPANIES - 1), band, ready).astype(float)
    uses["label"] = [
        f"{use_label(u)}: {', '.join(market_name(m) for m in markets)}"
        if status == "gap"
        else use_label(u)
        if status == "lead"
        else ""
        for u, markets, status in zip(uses["technology_use"], uses["gap_markets"], uses["status"])
    ]
    return uses


def plot_coverage(analysis: ScoutingAnalysis, source: str, quarter: pd.Period) -> plt.Figure | None:
    """Coverage against need: per technology use, the highest market need the scouts found (x) against
    the partnership's companies with a market-ready product (y, 1-4 as a band), coloured by status,
    sized by findings; the gaps (with their markets) and leads labelled at the right."""
    if analysis.empty:
        _show_note(_nothing_yet(quarter))
        return None
    points = coverage_points(analysis)
    top_y = max(float(points["y"].max()), MIN_COMPANIES + 1) + 1
    fig, ax = plt.subplots(figsize=(11, 6.8))
    ax.axhspan(0.5, MIN_COMPANIES - 0.5, color="#f4f4f4", zorder=0)
    ax.text(
        0.2,
        MIN_COMPANIES - 0.7,
        f"{SMALL_BAND} companies (exact count withheld)",
        fontsize=9,
        color="#555555",
        va="top",
    )
    ax.axvline(analysis.high_need, color="#b00020", lw=1, ls="--", zorder=1)
    ax.text(
        analysis.high_need + 0.03,
        top_y - 0.3,
        f"high need: {analysis.high_need:g} or more",
        fontsize=9,
        color="#b00020",
        va="top",
    )
    ax.axvline(NOT_FOUND_X + 0.4, color="#999999", lw=0.8, zorder=1)
    band = MIN_COMPANIES / 2
    same = points.groupby(["x", "y"]).cumcount()
    size = points.groupby(["x", "y"])["x"].transform("size")
    in_band = points["y"] == band
    levels = 4  # points in the band, whose exact counts are withheld, spread over its height
    row, column = same % levels, same // levels
    columns = np.where(in_band, np.ceil(size / levels), size)
    step = np.where(in_band, column, same) - (columns - 1) / 2
    points["x_shown"] = points["x"] + 0.06 * step
    points["y_shown"] = points["y"] + np.where(in_band, (row - (np.minimum(size, levels) - 1) / 2) * 0.8, 0)
    for status, colour in STATUS_COLOURS.items():
        mine = points[points["status"] == status]
        if mine.empty:
            continue
        ax.scatter(
            mine["x_shown"],
            mine["y_shown"],
            s=40 + 10 * mine["findings"].clip(upper=20),
            color=colour,
            alpha=0.85,
            edgecolor="white",
            lw=0.6,
            zorder=3,
        )
    handles = [
        Line2D([], [], ls="", marker="o", ms=8, color=colour, label=STATUS_NAMES[status])
        for status, colour in STATUS_COLOURS.items()
        if (points["status"] == status).any()
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        fontsize=9,
        title="point size: findings abroad; within the grey band a point's height carries no meaning",
        title_fontsize=9,
        frameon=False,
    )
    # the lowest label to the rightmost point, each leader line across then down: no line crosses a point
    labelled = points[points["label"] != ""].sort_values(["y_shown", "x_shown"], ascending=[True, False])
    if len(labelled):
        ys = _spread(labelled["y_shown"].tolist(), top_y / 22, -0.4, top_y - 0.4)
        for (_, row), y in zip(labelled.iterrows(), ys):
            ax.annotate(
                row["label"],
                (row["x_shown"], row["y_shown"]),
                xytext=(5.55, y),
                textcoords="data",
                fontsize=9,
                va="center",
                color=STATUS_COLOURS[row["status"]],
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#999999",
                    "lw": 0.6,
                    "connectionstyle": "angle,angleA=0,angleB=90,rad=0",
                },
                annotation_clip=False,
            )
    ax.set_xlim(0, 5.45)
    ax.set_ylim(-0.8, top_y)
    ax.set_xticks([NOT_FOUND_X, 1, 2, 3, 4, 5], ["not found\nabroad", "1", "2", "3", "4", "5"], fontsize=9)
    ax.set_yticks(
        [0, MIN_COMPANIES / 2, *range(MIN_COMPANIES, int(top_y) + 1, 5)],
        ["0", SMALL_BAND] + [str(v) for v in range(MIN_COMPANIES, int(top_y) + 1, 5)],
        fontsize=9,
    )
    ax.set_xlabel("market need the scouts found: mean of the market where it is highest (1-5)", fontsize=10)
    ax.set_ylabel(f"partnership companies with a product\nat TRL {analysis.mature_trl} or more", fontsize=10)
    gaps, leads = len(analysis.gaps), len(analysis.leads)
    lead_text = (
        f"{leads} use{'s' if leads != 1 else ''} where it leads"
        if leads
        else "no lead"
        if analysis.lead_testable
        else "too early to name leads"
    )
    title = (
        f"{gaps} gap{'s' if gaps != 1 else ''} (use x market) where the need is high and the partnership has "
        f"no market-ready product; {lead_text}"
    )
    fig.subplots_adjust(right=0.68, bottom=0.23)
    return finish(fig, textwrap.fill(title, 95), source, tight=False)


# --- Tables ------------------------------------------------------------------------------------------------


def _scenario_name(scenario: pd.Series) -> str:
    """'Market need weight -50%'."""
    return f"{WEIGHT_NAMES[scenario['weight']].capitalize()} weight {100 * scenario['change']:+.0f}%"


def top_table(analysis: ScoutingAnalysis, quarter: pd.Period) -> Styler | Markdown:
    """The top cells with their priority, what it rests on and its stability under the weight changes."""
    if analysis.empty:
        return Markdown(_nothing_yet(quarter))
    ranks = analysis.sensitivity.ranks
    cells = analysis.priorities.set_index(["technology_use", "market"])
    rows = cells.loc[list(zip(ranks["technology_use"], ranks["market"]))].reset_index()
    changes = len(analysis.sensitivity.scenarios)
    table = pd.DataFrame(
        {
            "Rank": ranks["rank"],
            "Technology use": rows["technology_use"].map(use_name),
            "Market": rows["market"].map(market_name),
            "Findings": rows["findings"].astype(int),
            "Market need (mean, 1-5)": rows["market_need"].astype(float),
            "Novelty (mean, 1-5)": rows["novelty"].astype(float),
            "Median TRL": rows["median_trl"].astype(float),
            "Priority (0-100)": rows["priority"].astype(float).round(0).astype(int),
            f"Stays in the top {len(ranks)} (of {changes} weight changes)": ranks["kept"].astype(int),
            "Rank under the weight changes": [
                f"{b}" if b == w else f"{b}-{w}" for b, w in zip(ranks["best"], ranks["worst"])
            ],
        }
    )
    return show_table(table, {"Median TRL": "{:g}"})


def sensitivity_table(analysis: ScoutingAnalysis, quarter: pd.Period) -> Styler | Markdown:
    """One row per weight change: the weights used, how many of the top cells stay, which enter."""
    if analysis.empty:
        return Markdown(_nothing_yet(quarter))
    scenarios, top = analysis.sensitivity.scenarios, analysis.sensitivity.top
    shown = len(analysis.sensitivity.ranks)
    table = pd.DataFrame(
        {
            "Weight changed": [_scenario_name(s) for _, s in scenarios.iterrows()],
            **{f"Weight of {WEIGHT_NAMES[p]} (%)": 100 * scenarios[p] for p in WEIGHT_PARTS},
            f"Of the top {shown}, still in the top {top}": scenarios["kept"].astype(int),
            f"Entering the top {top}": [
                "; ".join(f"{use_name(u)} in {market_name(m)}" for u, m in cells) or "-"
                for cells in scenarios["entered"]
            ],
        }
    )
    return show_table(table, {f"Weight of {WEIGHT_NAMES[p]} (%)": "{:.0f}" for p in WEIGHT_PARTS})


def gaps_table(analysis: ScoutingAnalysis, quarter: pd.Period) -> Styler | Markdown:
    """The gaps named per market (mission order), highest priority first within a market."""
    if analysis.empty:
        return Markdown(_nothing_yet(quarter))
    if analysis.gaps.empty:
        return Markdown(_gap_text(analysis))
    gaps = analysis.gaps.assign(order=analysis.gaps["market"].map(list(reference.TARGET_MARKET_IDS).index))
    named = "Technology uses with high need and no market-ready product (highest priority first; mean need)"
    rows = []
    for market, cells in gaps.sort_values(["order", "rank"]).groupby("market", sort=False):
        uses = zip(cells["technology_use"], cells["market_need"])
        rows.append(
            {
                "Market": market_name(market),
                "Gaps": len(cells),
                named: "; ".join(f"{use_name(u)} ({n:.1f})" for u, n in uses),
            }
        )
    return show_table(pd.DataFrame(rows))


def leads_table(analysis: ScoutingAnalysis, quarter: pd.Period) -> Styler | Markdown:
    """The uses where the partnership leads: findings abroad against an even spread, and the
    partnership's market-ready companies (1-4 as a band) and median product TRL (withheld below
    ``MIN_COMPANIES`` companies)."""
    if analysis.empty:
        return Markdown(_nothing_yet(quarter))
    leads = analysis.leads
    if leads.empty:
        return Markdown(_lead_text(analysis))
    table = pd.DataFrame(
        {
            "Technology use": leads["technology_use"].map(use_name),
            "Thematic area": leads["area"].map(area_name),
            "Findings abroad": leads["findings"].astype(int),
            "Expected if findings were spread evenly": leads["expected_findings"].astype(float),
            f"Companies with a product at TRL {analysis.mature_trl}+": leads["ready_companies"].map(companies_shown),
            "Median TRL of the partnership's products": [
                f"{t:g}" if c >= MIN_COMPANIES else f"withheld (fewer than {MIN_COMPANIES} companies)"
                for t, c in zip(leads["median_trl"], leads["companies"])
            ],
        }
    )
    return show_table(table)


def by_market_table(analysis: ScoutingAnalysis, quarter: pd.Period) -> Styler | Markdown:
    """Findings per target market and kind of organisation found."""
    if analysis.empty:
        return Markdown(_nothing_yet(quarter))
    counts = analysis.by_market
    table = pd.DataFrame({"Market": [market_name(m) for m in counts.index]})
    for column in counts.columns:
        name = "Total" if column == "total" else ORGANISATION_NAMES.get(column, str(column).replace("_", " "))
        table[name] = counts[column].astype(int).to_numpy()
    return show_table(table)


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "SME",
        "TRL",
        extra={
            "Bayesian average": "An average pulled toward the overall average, the more so the fewer values it "
            "rests on.",
            "FACS": "Fluorescence-activated cell sorting.",
            "Finding": "One scout's report of a technology use in a target market: who offers or needs it, its "
            "readiness (TRL), novelty and the market need, each judged by the scout.",
            "Gap": "A technology use and market where the scouts saw a high need and the partnership has no "
            "market-ready product.",
            "LASIK": "Laser-assisted in situ keratomileusis: laser eye surgery.",
            "Lead": "A technology use where the partnership has market-ready products and the scouts found it "
            "abroad less often than chance would give.",
            "Market need": "How strongly the scout saw the market need the technology, 1 (none) to 5 (urgent).",
            "Market-ready": "At TRL 7 or more, as on the market page.",
            "Maturity window": "The TRL range the priority favours: technologies past the laboratory and ready "
            "for partnering, not yet sold everywhere.",
            "Novelty": "How new the technology is against what the partnership offers, 1 (nothing new) to 5 "
            "(new to the world).",
            "Poisson test": "Whether a count is lower than chance would give if the findings fell evenly on "
            "the technology uses; with 35 uses tested at once, adjusted so that at most 1 in 20 of the uses "
            "named as leads is expected to be one by chance (Benjamini-Hochberg false discovery rate).",
            "Priority": "The score, 0-100, of a technology use in a market: market need and novelty weighted, "
            "times the maturity window.",
            "Technology use": "One of the 35 uses of photonics in health the roadmap asks the scouts to judge (§2.2).",
            "Thematic area": "One of the roadmap's three areas: diagnostics and interventional imaging, medical "
            "and environmental sensing, regenerative medicine and biomaterials (§1.2.2).",
        },
    )
