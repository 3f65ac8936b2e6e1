"""The value-network page: findings, the network drawing, growth fan charts and tables over a
:class:`lasergo.analysis.network.NetworkReport`.

The public page names clusters and affiliates (organisations in the target markets, not the
partnership's SMEs) but no company: companies appear only as one node per cluster's tied
companies, and only for at least :data:`lasergo.privacy.MIN_COMPANIES` of them
(:func:`lasergo.analysis.network.aggregate_companies`); the broker tables list clusters and
affiliates only.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from pandas.io.formats.style import Styler

from lasergo.analysis.kpi import backtest_rows
from lasergo.analysis.network import EUROPE, OTHER_COMPANIES, Growth, NetworkReport
from lasergo.data import reference
from lasergo.pages.common import about, flag_cells, glossary, headline, record_result, show_table, verdict, yes_no
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.kpi import (
    FORECAST_TERMS,
    LIGHTS,
    chance,
    choice_reason,
    colour_status,
    draw_fan,
    mark_target_date,
    method_name,
    no_backtest_yet,
    plain_backtest,
)
from lasergo.pages.style import SECTOR_COLOURS, finish
from lasergo.privacy import MIN_COMPANIES

SOURCES = "roadmap §2.5; ties and affiliates tables"
NODE_COLOURS = {**SECTOR_COLOURS, "both": "#7b3294", "mixed": "#7f7f7f"}
SECTOR_LABELS = {"photonics": "photonics", "health_tech": "health technology", "both": "both sectors"}
KIND_NAMES = {"cluster": "Cluster", "affiliate": "Affiliate"}
MEASURE_NAMES = {"ties": "ties", "affiliates": "affiliates with a signed MoU"}
#: What :func:`lasergo.pages.kpi.method_name` says for a count without a forecast.
NOTHING_RECORDED = "none: nothing recorded yet"
BROKERS_SHOWN = 10
#: The measures :meth:`NetworkReport.estimated` may name: what they are and the nodes they start from.
ESTIMATES = {
    "betweenness": ("betweenness centrality", "nodes"),
    "sector_brokerage": ("the photonics-health brokerage", "nodes of the smaller sector"),
}
EXISTING_STYLE = (0, (1, 3))  # the dotted line of the roadmap's 36 existing ties


def market_names() -> dict[str, str]:
    """Target market id -> name (reference markets.csv)."""
    return reference.names("markets")


def chance_text(growth: Growth) -> str:
    """'35% chance', 'reached' or 'no forecast'."""
    if growth.light == "reached":
        return "reached"
    return "no forecast" if np.isnan(growth.probability) else f"{chance(growth.probability)}% chance"


def chance_pct(growth: Growth) -> float | None:
    """The chance in percent for the recorded results (None without a forecast)."""
    return None if np.isnan(growth.probability) else round(100 * growth.probability, 1)


def chart_source(synthetic: bool) -> str:
    return f"ties and affiliates tables{' (synthetic sample data)' if synthetic else ''}; roadmap §2.5"


def _capital(text: str) -> str:
    """The text with its first letter raised (the rest kept: 'MoU' stays)."""
    return text[:1].upper() + text[1:]


def _listed(items: list[str]) -> str:
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _quarters_left(report: NetworkReport) -> int:
    return (pd.Period(report.target_date, freq="Q") - report.quarter).n


def pace(growth: Growth, report: NetworkReport) -> tuple[float, float]:
    """Items a quarter so far (mean since the action's start) and items a quarter needed from now."""
    so_far = float(growth.history.mean()) if len(growth.history) else float("nan")
    left = _quarters_left(report)
    return so_far, max(0.0, growth.target - growth.actual) / left


def _outlook(growth: Growth, report: NetworkReport) -> str:
    """'forecast for 2027-12-31: median (P50) about 80 (P10-P90 70-90); 35% chance of 96: at risk'."""
    date = f"{report.target_date:%Y-%m-%d}"
    if growth.light == "reached":
        return "the target is reached"
    if growth.choice is None:
        return "no forecast: nothing recorded yet"
    at = growth.at_target()
    return (
        f"forecast for {date}: median (P50) {about(at['median'], at['p10'], at['p90'])}; "
        f"**{chance(growth.probability)}% chance** of {growth.target:,.0f}: **{growth.light}**"
    )


def verdict_reason(report: NetworkReport) -> str:
    """The verdict's one sentence: both counts, their chances and the markets short."""
    date = f"{report.target_date:%Y-%m-%d}"
    ties, affiliates = report.ties, report.affiliates
    short = report.markets_short()

    def part(growth: Growth, noun: str, missing: str) -> str:
        if growth.choice is None:
            return f"no {missing} recorded yet"
        return f"{noun} {growth.actual:,.0f} of {growth.target:,.0f} ({chance_text(growth)} by {date})"

    return _capital(
        f"{part(ties, 'ties', 'ties')}; {part(affiliates, 'affiliates with a signed MoU', 'affiliates')}; "
        f"{len(short)} of {len(report.coverage)} target markets short of two signed affiliates."
    )


def _chance_value(growth: Growth) -> str:
    """A headline's chance: '35%', or why there is none."""
    if growth.light == "reached":
        return "reached"
    return "not forecast: nothing recorded yet" if growth.choice is None else f"{chance(growth.probability)}%"


def summary(report: NetworkReport) -> None:
    """The page's top: headlines, the finding, the verdict; records the results other pages read."""
    date = f"{report.target_date:%Y-%m-%d}"
    ties, affiliates = report.ties, report.affiliates
    names = market_names()
    short = report.markets_short()
    headline("Ties in the value network", f"{ties.actual:,.0f} of {ties.target:,.0f}", "", SOURCES)
    headline(f"Chance of {ties.target:,.0f} ties by {date}", _chance_value(ties), "", "forecast")
    headline("Affiliates with a signed MoU", f"{affiliates.actual:,.0f} of {affiliates.target:,.0f}", "", SOURCES)
    headline(f"Chance of {affiliates.target:,.0f} affiliates by {date}", _chance_value(affiliates), "", "forecast")
    headline("Target markets short of two signed affiliates", f"{len(short)} of {len(report.coverage)}", "", SOURCES)
    display(findings(report))
    verdict(report.status(), verdict_reason(report))
    record_result("ties", {"count": int(ties.actual), "target": int(ties.target), "chance_pct": chance_pct(ties)})
    record_result(
        "affiliates",
        {
            "count": int(affiliates.actual),
            "target": int(affiliates.target),
            "chance_pct": chance_pct(affiliates),
            "markets_short": [names[m] for m in short],
        },
    )


def _main_brokers(report: NetworkReport) -> str:
    """The main broker overall and between the sectors, among clusters and affiliates."""
    public = report.measures[report.measures["kind"].isin(["cluster", "affiliate"])]
    if not report.has_ties or public["betweenness"].max() <= 0:
        return "No cluster or affiliate stands between others yet."
    top = public.iloc[0]
    sectors = public.sort_values(["sector_brokerage", "node"], ascending=[False, True]).iloc[0]
    estimated = dict.fromkeys(report.estimated(), "an estimated ")
    text = (
        f"**{md(top['name'])}** is the main broker: {estimated.get('betweenness', '')}"
        f"{100 * top['betweenness']:.0f}% of the shortest paths between other nodes run through it."
    )
    if sectors["sector_brokerage"] > 0:
        text += (
            f" Between photonics and health technology the main broker is **{md(sectors['name'])}** "
            f"({estimated.get('sector_brokerage', '')}{100 * sectors['sector_brokerage']:.0f}% of the shortest "
            "paths between the two sectors)."
        )
    return text


def _pending(report: NetworkReport) -> int:
    """Affiliates shortlisted or interviewed, not yet signed: those that could still sign."""
    return int(report.coverage[["shortlisted", "interviewed"]].to_numpy().sum())


def findings(report: NetworkReport) -> Markdown:
    """The finding for a funder: ties and affiliates against the roadmap, what to push, who brokers."""
    names = market_names()
    ties, affiliates = report.ties, report.affiliates
    lines = []
    if report.has_ties:
        lines.append(
            f"- **Ties:** {ties.actual:,.0f} pairs of organisations are tied, against the roadmap's "
            f"{ties.target:,.0f} (which it reaches as 6 clusters x 16 affiliates: see its count below); "
            f"{_outlook(ties, report)}."
        )
    else:
        lines.append(
            f"- **Ties:** no ties recorded yet (the ties table has no entry up to the end of {report.quarter})."
        )
    if report.has_affiliates:
        lines.append(
            f"- **Affiliates:** {affiliates.actual:,.0f} of the {affiliates.target:,.0f} affiliates the roadmap plans "
            f"have signed an MoU and {_pending(report)} more are shortlisted or interviewed; "
            f"{_outlook(affiliates, report)}."
        )
    else:
        lines.append(
            f"- **Affiliates:** no affiliate recorded yet (the affiliates table has no organisation shortlisted "
            f"up to the end of {report.quarter})."
        )
    short = report.coverage[~report.coverage["met"]]
    if len(short):
        none = [md(names[m]) for m in short.loc[short["mou_signed"] == 0, "market"]]
        one = [md(names[m]) for m in short.loc[short["mou_signed"] > 0, "market"]]
        parts = [f"no signed affiliate in {_listed(none)}"] if none else []
        parts += [f"one in {_listed(one)}"] if one else []
        detail = "; ".join(parts)
        lines.append(
            f"- **Where to act:** {len(short)} of {len(report.coverage)} target markets lack the two signed "
            f"affiliates the roadmap asks for ({detail})."
        )
    else:
        lines.append("- **Coverage:** every target market has at least two affiliates with a signed MoU.")
    actions = []
    for growth in (ties, affiliates):
        if growth.choice is None or growth.light in ("reached", "on track"):
            continue
        so_far, needed = pace(growth, report)
        actions.append(
            f"{MEASURE_NAMES[growth.measure]} must grow by about {needed:,.1f} a quarter to the target date, "
            f"against {so_far:,.1f} a quarter so far"
        )
    if actions:
        lines.append(f"- **Pace needed:** {'; '.join(actions)}.")
    if report.has_ties:
        mix = report.mix
        lines.append(
            f"- **Brokers:** {_main_brokers(report)} Of the ties, {100 * mix.share('cross_sector'):.0f}% join "
            f"photonics and health technology, {100 * mix.share('cross_country'):.0f}% cross a border and "
            f"{100 * mix.share('europe_market'):.0f}% link Europe to a target market."
        )
    return Markdown("\n".join(lines))


# --- The network drawing ---------------------------------------------------------------------------


def _angle(i: int, n: int, offset: float = 90.0) -> float:
    return math.radians(offset - 360.0 * i / n)


def _layout(public: nx.Graph) -> dict[str, tuple[float, float]]:
    """Clusters on an inner ring, each cluster's companies just outside it (pooled ones at the
    centre), affiliates on an outer ring in one arc per target market."""
    kind = nx.get_node_attributes(public, "kind")
    region = nx.get_node_attributes(public, "region")
    clusters = list(reference.CLUSTER_IDS)
    markets = list(reference.TARGET_MARKET_IDS)
    pos: dict[str, tuple[float, float]] = {}
    for i, c in enumerate(clusters):
        a = _angle(i, len(clusters), 90 + 180 / len(clusters) / 2)
        pos[c] = (math.cos(a), math.sin(a))
        if f"companies:{c}" in public:
            pos[f"companies:{c}"] = (1.6 * math.cos(a), 1.6 * math.sin(a))
    if OTHER_COMPANIES in public:
        pos[OTHER_COMPANIES] = (0.0, 0.0)
    for i, m in enumerate(markets):
        local = sorted(n for n, r in region.items() if r == m and kind.get(n) == "affiliate")
        centre = 360.0 * i / len(markets)
        spread = 30.0
        for j, node in enumerate(local):
            offset = 0.0 if len(local) == 1 else -spread / 2 + spread * j / (len(local) - 1)
            a = math.radians(90 - centre - offset)
            pos[node] = (3.0 * math.cos(a), 3.0 * math.sin(a))
    for node in public.nodes:  # anything else (an id in no table) near the centre
        pos.setdefault(node, (0.0, -0.4))
    return pos


def _market_labels(ax: plt.Axes) -> None:
    names = market_names()
    markets = list(reference.TARGET_MARKET_IDS)
    for i, m in enumerate(markets):
        a = math.radians(90 - 360.0 * i / len(markets))
        x, y = 3.75 * math.cos(a), 3.75 * math.sin(a)
        ha = "center" if abs(x) < 0.5 else ("left" if x > 0 else "right")
        ax.text(
            x,
            y,
            names[m].replace(" or ", " or\n").replace(" and ", " and\n"),
            ha=ha,
            va="center",
            fontsize=9,
            color="#333333",
        )


def plot_network(report: NetworkReport, synthetic: bool) -> plt.Figure:
    """The network at the quarter's end: clusters (circles, inner ring), affiliates (circles, outer
    ring by market; filled once the MoU is signed), companies as one square per cluster's tied
    companies (at least five); colour = sector, size = betweenness centrality (company groups:
    number of companies), line width = ties."""
    public = report.public_graph()
    pos = _layout(public)
    betweenness = report.measures.set_index("node")["betweenness"]
    fig, ax = plt.subplots(figsize=(10, 9.2))
    widths = [0.6 + 0.5 * math.log(public.edges[e].get("ties", 1)) for e in public.edges]
    nx.draw_networkx_edges(public, pos, ax=ax, width=widths, edge_color="#9a9a9a", alpha=0.55)
    for node, attrs in public.nodes(data=True):
        colour = NODE_COLOURS.get(attrs.get("sector"), "#7f7f7f")
        x, y = pos[node]
        if attrs.get("kind") == "companies":
            size = 260 + 8 * attrs["count"]
            ax.scatter(x, y, s=size, marker="s", color=colour, alpha=0.35, edgecolors=colour, zorder=3)
            ax.annotate(str(attrs["count"]), (x, y), ha="center", va="center", fontsize=9, fontweight="bold", zorder=5)
            continue
        size = 90 + 2200 * float(betweenness.get(node, 0.0))
        signed = attrs.get("kind") == "cluster" or report.statuses.get(node) == "mou_signed"
        ax.scatter(
            x, y, s=size, marker="o", color=colour if signed else "white", edgecolors=colour, linewidths=1.8, zorder=4
        )
        bold = "bold" if attrs.get("kind") == "cluster" else "normal"
        ax.annotate(
            str(node),
            (x, y),
            xytext=(0, 7 + math.sqrt(size) / 2.5),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            fontweight=bold,
            zorder=5,
        )
    _market_labels(ax)
    ax.set_xlim(-4.9, 4.9)
    ax.set_ylim(-4.3, 4.3)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [
        Patch(color=NODE_COLOURS["photonics"], label="photonics"),
        Patch(color=NODE_COLOURS["health_tech"], label="health technology"),
        Patch(color=NODE_COLOURS["both"], label="affiliate serving both sectors"),
        Line2D([], [], marker="o", ls="", color="#555555", markersize=8, label="cluster, or affiliate with an MoU"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            markerfacecolor="white",
            markeredgecolor="#555555",
            markersize=8,
            label="affiliate shortlisted or interviewed",
        ),
        Line2D(
            [],
            [],
            marker="s",
            ls="",
            color="#555555",
            alpha=0.45,
            markersize=8,
            label=f"a cluster's tied companies, number shown ({MIN_COMPANIES}+; grey: smaller groups pooled)",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(-0.02, -0.09),
        fontsize=9,
        frameon=False,
        ncol=2,
        title="Colour: sector. Circle size: betweenness centrality. Line width: ties",
        title_fontsize=9,
    )
    return finish(fig, network_title(report), chart_source(synthetic))


def network_title(report: NetworkReport) -> str:
    """The drawing's finding: the main broker and how many markets are tied to Europe."""
    tied = int((report.brokers["tied_to_europe"] > 0).sum())
    markets = len(report.brokers)
    public = report.measures[report.measures["kind"].isin(["cluster", "affiliate"])]
    if not report.has_ties:
        return f"No ties recorded yet at the end of {report.quarter}"
    top = public.iloc[0]
    broker = f"{top['name']} brokers most" if top["betweenness"] > 0 else "No cluster or affiliate brokers yet"
    return f"{broker}; {tied} of {markets} target markets have an affiliate tied to Europe ({report.quarter})"


def network_note(report: NetworkReport) -> Markdown:
    """What the drawing shows of the companies and what it leaves out."""
    public = report.public_graph()
    groups = {n: attrs["count"] for n, attrs in public.nodes(data=True) if attrs.get("kind") == "companies"}
    pooled = groups.pop(OTHER_COMPANIES, 0)
    hidden, hidden_ties = public.graph["hidden_companies"], public.graph["hidden_ties"]
    if not report.has_ties:
        return Markdown(
            f"No ties recorded yet: the drawing shows the six clusters and the {len(report.statuses)} "
            f"affiliate{'' if len(report.statuses) == 1 else 's'} known at the end of {report.quarter}, unlinked."
        )
    unevidenced = f", {report.unevidenced:,} of them without an evidence reference" if report.unevidenced else ""
    text = (
        f"The network has {report.graph.number_of_nodes():,} nodes and {report.mix.ties:,} ties "
        f"({report.records:,} records{unevidenced}). Density: {report.density:.2f} of all possible pairs are "
        f"tied; among the clusters and affiliates alone {report.core_density:.2f}. Companies are not drawn one "
        "by one: "
    )
    parts = (
        [
            f"{sum(groups.values())} tied companies appear as one square per cluster with at least {MIN_COMPANIES} "
            f"({len(groups)} cluster{'' if len(groups) == 1 else 's'})"
        ]
        if groups
        else []
    )
    if pooled:
        parts.append(
            f"{pooled} companies of clusters with fewer than {MIN_COMPANIES} tied companies each are pooled in the "
            "grey square at the centre"
        )
    text += "; ".join(parts) if parts else "no cluster has enough tied companies to draw as a group"
    if hidden:
        text += (
            f"; {hidden} compan{'y' if hidden == 1 else 'ies'} in groups of fewer than {MIN_COMPANIES} and their "
            f"{hidden_ties} tie{'' if hidden_ties == 1 else 's'} are left out of the drawing (still counted)"
        )
    return Markdown(text + ".")


# --- Growth -----------------------------------------------------------------------------------------


def _fan(ax: plt.Axes, growth: Growth, report: NetworkReport, existing: int | None) -> None:
    observed = growth.observed()
    x_hist = observed.index.to_timestamp(how="end")
    ax.plot(x_hist, observed.to_numpy(), color="#333333", lw=1.8, marker="o", markersize=3)
    paths = growth.path_summary()
    top = max(growth.target, float(observed.max()) if len(observed) else 0.0)
    if len(paths):
        frame = draw_fan(ax, observed, paths, LIGHTS[growth.light])
        x_future = frame.index.to_timestamp(how="end")
        ax.plot(
            [x_future[0], x_future[-1]],
            [growth.actual, max(growth.actual, growth.target)],
            color="#555555",
            lw=1.1,
            ls="-.",
        )
        top = max(top, float(frame["upper"].max()))
    ax.axhline(growth.target, color="#555555", lw=1, ls=":")
    ax.annotate(
        f"target {growth.target:,.0f}",
        (0.01, growth.target),
        xycoords=("axes fraction", "data"),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=9,
        color="#333333",
    )
    if existing is not None:
        ax.axhline(existing, color="#999999", lw=1, ls=EXISTING_STYLE)
    mark_target_date(ax, report.target_date)
    ax.set_ylim(-0.02 * top, top * 1.12 + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="both", labelsize=9)
    ax.tick_params(axis="x", rotation=30)


def plot_growth(report: NetworkReport, synthetic: bool) -> plt.Figure:
    """Ties and affiliates with a signed MoU over time: observed, the forecast's median and 80%
    interval to the target date, the straight pace needed, the target and the target date."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
    for ax, growth, existing in zip(axes, (report.ties, report.affiliates), (report.roadmap.stated_existing, None)):
        _fan(ax, growth, report, existing)
        noun = MEASURE_NAMES[growth.measure]
        state = chance_text(growth)
        if growth.choice is None:
            missing = "ties" if growth.measure == "ties" else "affiliates"
            ax.text(0.5, 0.5, f"no {missing} recorded yet", transform=ax.transAxes, ha="center", fontsize=10)
        ax.set_title(f"{_capital(noun)}: {growth.actual:,.0f} so far, {state}", fontsize=10, loc="left")
        ax.set_ylabel("cumulative count", fontsize=10)
    handles = [
        Line2D([], [], color="#333333", lw=1.8, label="observed"),
        Line2D([], [], color="#777777", lw=1.8, ls="--", label="forecast: median (P50)"),
        Patch(color="#777777", alpha=0.25, label="80% interval (P10-P90)"),
        Line2D([], [], color="#555555", lw=1.1, ls="-.", label="straight pace needed to the target"),
        Line2D(
            [],
            [],
            color="#999999",
            lw=1,
            ls=EXISTING_STYLE,
            label=f"the roadmap's 'existing' {report.roadmap.stated_existing} ties (6 x 6)",
        ),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        title="Forecast colour = status",
        title_fontsize=9,
    )
    date = f"{report.target_date:%Y-%m-%d}"
    title = (
        f"Ties: {chance_text(report.ties)} of {report.ties.target:,.0f} by {date}; affiliates: "
        f"{chance_text(report.affiliates)} of {report.affiliates.target:,.0f}"
    )
    if report.ties.choice is None and report.affiliates.choice is None:
        title = f"No ties or affiliates recorded yet: nothing to forecast to {date}"
    fig.tight_layout(rect=(0, 0.14, 1, 0.93))
    return finish(fig, title, f"{chart_source(synthetic)}; seeded simulated forecast paths", tight=False)


def growth_table(report: NetworkReport) -> Styler:
    """Ties and affiliates: so far, target, forecast at the target date, chance, status, pace, method."""
    date = f"{report.target_date:%Y-%m-%d}"
    rows = []
    for growth in (report.ties, report.affiliates):
        at = growth.at_target()
        so_far, needed = pace(growth, report)
        rows.append(
            {
                "What is counted": _capital(MEASURE_NAMES[growth.measure]),
                "So far": growth.actual,
                "Target": growth.target,
                f"Forecast for {date}, median": at["median"],
                "P10": at["p10"],
                "P90": at["p90"],
                "Chance of reaching target (%)": chance(growth.probability),
                "Status": growth.light,
                "New a quarter so far": so_far,
                "New a quarter needed from now": needed,
                "Forecast method": method_name(growth, NOTHING_RECORDED),
            }
        )
    table = pd.DataFrame(rows)
    counts = ["So far", "Target", f"Forecast for {date}, median", "P10", "P90"]
    return colour_status(
        show_table(table, {**dict.fromkeys(counts, "{:,.0f}"), **dict.fromkeys(table.columns[8:10], "{:,.1f}")})
    )


def forecast_notes(report: NetworkReport) -> Markdown:
    """Which forecast each count got and why, in plain words."""
    lines = []
    for growth in (report.ties, report.affiliates):
        noun = _capital(MEASURE_NAMES[growth.measure])
        quarters = len(growth.history)
        if growth.choice is None:
            lines.append(f"- {noun}: not forecast, nothing recorded yet.")
            continue
        so_far = f"{quarters} quarter{'' if quarters == 1 else 's'}"
        lines.append(f"- {noun}: {method_name(growth, NOTHING_RECORDED)}" + choice_reason(growth.choice, so_far))
    return Markdown("\n".join(lines))


def backtest_table(report: NetworkReport) -> Styler | Markdown:
    """The back-tests of both forecasts, one row per count and method (a note while too short)."""
    frames = []
    for growth in (report.ties, report.affiliates):
        if growth.choice is None or growth.choice.backtest.empty:
            continue
        table = backtest_rows(growth.choice)
        table.insert(0, "What is counted", _capital(MEASURE_NAMES[growth.measure]))
        frames.append(table)
    if not frames:
        return Markdown(no_backtest_yet(len(report.ties.history)))
    table = pd.concat(frames, ignore_index=True)
    return plain_backtest({"What is counted": table["What is counted"]}, table)


# --- Brokers, mix, roadmap, coverage -------------------------------------------------------------------


def _place(row: pd.Series, names: dict[str, str]) -> str:
    return str(row["country"]) if row["region"] == EUROPE else names.get(str(row["region"]), str(row["region"]))


def broker_table(report: NetworkReport, top: int = BROKERS_SHOWN) -> Styler | Markdown:
    """The clusters and affiliates with the highest betweenness (companies left out), plain headers."""
    if not report.has_ties:
        return Markdown("No ties recorded yet: nobody brokers.")
    names = market_names()
    rows = report.measures[report.measures["kind"].isin(["cluster", "affiliate"]) & (report.measures["ties"] > 0)]
    rows = rows.head(top)
    table = pd.DataFrame(
        {
            "Organisation": rows["name"],
            "Kind": rows["kind"].map(KIND_NAMES),
            "Sector": rows["sector"].map(SECTOR_LABELS),
            "Based in": rows.apply(_place, axis=1, names=names),
            "Ties": rows["ties"],
            "Degree centrality": rows["degree_centrality"],
            "Betweenness centrality": rows["betweenness"],
            "Burt's constraint": rows["constraint"],
            "Effective size": rows["effective_size"],
            "Photonics-health paths brokered (%)": 100 * rows["sector_brokerage"],
        }
    )
    return show_table(
        table,
        {
            "Degree centrality": "{:.3f}",
            "Betweenness centrality": "{:.3f}",
            "Burt's constraint": "{:.2f}",
            "Effective size": "{:.1f}",
            "Photonics-health paths brokered (%)": "{:.0f}",
        },
    )


def measures_note(report: NetworkReport) -> Markdown:
    """Whether betweenness and the photonics-health brokerage are exact or estimated, and how:
    Brandes and Pich's (2007) estimate from the shortest paths of a seeded random draw of nodes."""
    nodes = len(report.nodes)
    estimated = report.estimated()
    if not estimated:
        return Markdown(
            "Betweenness centrality and the photonics-health brokerage are exact: they follow the shortest paths "
            f"between every pair of the network's {nodes:,} nodes."
        )
    drawn = [
        f"{ESTIMATES[measure][0]} from the shortest paths starting at {report.pivots:,} of the {sources:,} "
        f"{ESTIMATES[measure][1]}"
        for measure, sources in estimated.items()
    ]
    return Markdown(
        f"The network has {nodes:,} nodes, and following every shortest path takes time that grows with the "
        f"square of the nodes, so this page estimates {_listed(drawn)}. The nodes are "
        f"drawn at random with the page's seed ({report.seed}), so every build gives the same figures, and the "
        "paths from them are scaled up to all nodes (Brandes and Pich 2007). The largest values, the main "
        "broker's among them, are the most precise; organisations whose values are close may change places "
        "under another seed. The brokers between Europe and each target market are exact: each market has few "
        "affiliates to start from."
    )


def market_broker_table(report: NetworkReport) -> Styler:
    """Per target market: its affiliates, their ties with Europe and who brokers between them."""
    names = market_names()
    brokers = report.brokers
    table = pd.DataFrame(
        {
            "Target market": brokers["market"].map(names),
            "Affiliates": brokers["affiliates"],
            "Affiliates tied directly to Europe": brokers["tied_to_europe"],
            "Ties with Europe": brokers["europe_ties"],
            "Main broker": brokers["broker_name"].fillna("-"),
            "Broker kind": brokers["broker_kind"].map(KIND_NAMES).fillna("-"),
            "Europe-market paths through it (%)": (100 * brokers["share"]).where(brokers["broker"].notna()),
        }
    )
    styled = show_table(table, {"Europe-market paths through it (%)": "{:.0f}"})
    return flag_cells(styled, lambda v: v == 0, ["Affiliates tied directly to Europe"])


def mix_table(report: NetworkReport) -> Styler:
    """How many ties cross sectors, borders and the line between Europe and a target market."""
    mix = report.mix
    rows = [
        ("Join photonics and health technology", mix.cross_sector, mix.share("cross_sector")),
        ("Cross a national border", mix.cross_country, mix.share("cross_country")),
        ("Link Europe to a target market", mix.europe_market, mix.share("europe_market")),
        ("All ties", mix.ties, 1.0 if mix.ties else float("nan")),
    ]
    table = pd.DataFrame(rows, columns=["Ties that", "Ties", "Share of all ties (%)"])
    table["Share of all ties (%)"] = 100 * table["Share of all ties (%)"]
    return show_table(table, {"Share of all ties (%)": "{:.0f}"})


def roadmap_table(report: NetworkReport) -> Styler:
    """The roadmap's count of ties beside the graph's own (BRIEF §7)."""
    count = report.roadmap
    c, n = count.clusters, count.affiliate_nodes
    table = pd.DataFrame(
        [
            {
                "Ties": "Existing, among the clusters",
                "Roadmap states": count.stated_existing,
                "Roadmap's arithmetic": f"{c} x {c} = {count.existing_as_product}",
                "Distinct pairs possible": f"C({c}, 2) = {count.cluster_pairs}",
                "In the data now": count.observed_cluster_pairs,
            },
            {
                "Ties": "Planned, once the affiliates join",
                "Roadmap states": count.stated_planned,
                "Roadmap's arithmetic": f"{c} x {n} = {count.planned_as_product}",
                "Distinct pairs possible": f"{count.cluster_pairs} + {c} x {n} = {count.possible_core}",
                "In the data now": count.observed_cluster_pairs + count.observed_cluster_affiliate,
            },
            {
                "Ties": "All ties, companies' included (the count set against the target)",
                "Roadmap states": count.stated_planned,
                "Roadmap's arithmetic": "-",
                "Distinct pairs possible": "-",
                "In the data now": count.observed_all,
            },
        ]
    )
    return show_table(table)


def roadmap_note(report: NetworkReport) -> Markdown:
    """Why the roadmap's 36 and 96 differ from the graph's counts, and what the page counts."""
    count = report.roadmap
    c, n = count.clusters, count.affiliate_nodes
    return Markdown(
        f'The roadmap says ties grow "from {count.stated_existing} to {count.stated_planned}". Both figures '
        f"are products: {count.stated_existing} = {c} clusters x {c} clusters and {count.stated_planned} = {c} "
        f"clusters x {n} affiliates (2 in each of 8 target markets). Counted as distinct pairs, as a network "
        f"counts ties, {c} clusters form only {count.cluster_pairs} pairs, not {count.stated_existing} (a "
        f"cluster is not tied to itself, and a tie between two clusters is one tie, not two); tying each "
        f"cluster to each of the {n} affiliates adds {count.cluster_affiliate_pairs}, so the network the roadmap "
        f"describes has {count.possible_core} distinct ties among clusters and affiliates. The roadmap does not "
        f"define a tie, so this page counts every distinct pair of organisations with a recorded tie "
        f"(companies' ties included) against its target of {count.stated_planned}; on the strictest reading, "
        f"each cluster with each affiliate, {count.observed_cluster_affiliate} of the "
        f"{count.cluster_affiliate_pairs} cluster-affiliate ties exist."
    )


def coverage_table(report: NetworkReport) -> Styler:
    """Affiliates per target market by status at the quarter's end against the roadmap's two."""
    names = market_names()
    coverage = report.coverage
    table = pd.DataFrame(
        {
            "Target market": coverage["market"].map(names),
            "Shortlisted": coverage["shortlisted"],
            "Interviewed": coverage["interviewed"],
            "MoU signed": coverage["mou_signed"],
            "Affiliates in all": coverage["affiliates"],
            "Target (signed)": coverage["target"],
            "Signed MoUs missing": coverage["short_by"],
            "Target met?": yes_no(coverage["met"].astype(bool)),
        }
    )
    return flag_cells(show_table(table), lambda v: v == "No", ["Target met?"])


def coverage_note(report: NetworkReport) -> Markdown:
    """What the coverage table counts, and the quarter it is read at."""
    return Markdown(
        f"Each affiliate counts once, at its status at the end of {report.quarter}: the latest of the roadmap's "
        "three steps (shortlisted, interviewed, MoU signed) dated by then. The roadmap asks for at least "
        f"{int(report.coverage['target'].iloc[0])} affiliates with a signed MoU in each target market (§2.5)."
    )


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "Back-test",
        "MASE",
        "MoU",
        "Naive forecast",
        "P10, P50, P90",
        "SME",
        extra={
            **FORECAST_TERMS,
            "Affiliate": "An organisation in a target market (cluster association, business support agency, "
            "distributor, ...) that joins the network; the roadmap plans two per market (§2.5).",
            "Betweenness centrality": "The share of the shortest paths between two other organisations that run "
            "through this one (0-1): a high value marks a broker (Brandes 2001).",
            "Broker": "An organisation that links others who are not tied to each other.",
            "Burt's constraint": "How much an organisation's ties run to contacts who are tied to each other "
            "(Burt 1992); low constraint means its contacts are not redundant: room to broker. 1 for a single contact.",
            "Constant-rate forecast": "New ties (or MoUs) keep coming at the average pace so far, with chance "
            "variation (Poisson; negative binomial when quarters vary more than chance allows).",
            "Degree centrality": "An organisation's ties as a share of all the others it could be tied to.",
            "Density": "The share of all possible pairs of nodes that are tied (0-1).",
            "Effective size": "An organisation's contacts minus their redundancy: the number of contacts who are "
            "not tied to each other (Burt 1992).",
            "Node": "A point of the network: a cluster, an affiliate or a company.",
            "Tie": "A recorded link between two nodes: an MoU, a joint project, a matchmaking meeting, a "
            "distribution agreement or other cooperation. Several records of the same pair make one tie.",
        },
    )
