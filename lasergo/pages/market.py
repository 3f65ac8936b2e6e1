"""The market page: findings, charts and tables of :mod:`lasergo.analysis.market`.

Every figure and table here is drawn from a :class:`lasergo.analysis.market.MarketAnalysis`;
ids are shown by their display names from the reference tables. Figures with a range, in text, charts
and tables, are rounded to what the range supports (:func:`lasergo.pages.common.about`); the
few without one carry two significant digits (:func:`figure`).

The page has two editions (roadmap §2.2: company data are confidential and aggregated
anonymously). The public one (``internal=False``, the default of every function here) names no
company and withholds or merges every figure resting on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` companies, and says so; the internal one shows the
screening guide's companies and every figure.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import HTML, Markdown
from matplotlib.colors import LogNorm
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, NullFormatter
from pandas.io.formats.style import Styler

from lasergo.analysis.market import (
    COMPLEMENT,
    PRIORITY_SHARE,
    SMALL,
    STAGES,
    MarketAnalysis,
    input_table,
    other_uses,
    priority_markets,
    research_first,
)
from lasergo.analysis.market_fit import FIT_WEIGHTS, LINK_STRENGTH, small_fit_cells
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.pages.common import Headline, about, flag_rows, glossary, headline, record_result, show_table
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.style import finish
from lasergo.privacy import MIN_COMPANIES

STAGE_NAMES = {
    "segment_value": "1. segment value",
    "photonics_value": "2. photonics value",
    "partnership_sales": "3. partnership sales",
}
ASSUMPTION_HATCH = "///"
GUIDE_FILE = "02_market_screening_guide.csv"
WITHHELD_COLOUR = "#d9d9d9"
#: How a chart labels a withheld cell, by the reason :func:`lasergo.analysis.market.withheld_cells` gives.
WITHHELD_LABELS = {SMALL: f"<{MIN_COMPANIES}", COMPLEMENT: "withheld"}
#: Table headers: expected sales in EUR million, the median and the P10-P90 range.
EXPECTED, MEDIAN, RANGE = "Expected sales (EUR m)", "Median, P50 (EUR m)", "P10-P90 (EUR m)"
SHARE = "Share of expected total (%)"
DISTRIBUTION_NAMES = {"pert": "Beta-PERT", "triangular": "triangular"}
#: The longest chart title line, in characters (a 9.4-inch figure at 12 pt bold).
TITLE_WIDTH = 74


def source_note(data: Dataset) -> str:
    """The source line under the page's charts."""
    return "market figures ITA 2016, euro rates ECB; ranges mostly assumptions (market_assumptions.csv); " + (
        "synthetic sample" if data.synthetic else f"data folder {data.directory.name}"
    )


def headline_source(data: Dataset) -> str:
    """The short source of the page's headlines, which the quarter index repeats."""
    return "market figures ITA 2016, ranges mostly assumptions; " + (
        "synthetic sample" if data.synthetic else f"data folder {data.directory.name}"
    )


def edition_note(internal: bool = False) -> str:
    """Markdown: which edition the page is, a red warning on the internal one."""
    if internal:
        return (
            '<p style="color: #b00020; font-weight: bold; font-size: 1.1em">INTERNAL: companies listed '
            f"by id and figures resting on fewer than {MIN_COMPANIES} companies shown; do not circulate.</p>"
        )
    return (
        f"Public edition: no company is named and no figure rests on fewer than {MIN_COMPANIES} "
        "companies (roadmap §2.2: company data are confidential and aggregated anonymously); what is "
        "withheld or merged is said under each chart and table. The companies to screen are listed "
        "in the internal edition."
    )


# --- Figures as a reader sees them ---------------------------------------------------------------


def figure(value: float) -> str:
    """A figure to two significant digits, with thousands separators: 62,000, 31, 1.5, 0.042."""
    if not np.isfinite(value) or value == 0:
        return f"{value:g}"
    shown = float(f"{value:.2g}")
    return f"{shown:,.{max(0, 1 - math.floor(math.log10(abs(shown))))}f}"


def rounded(value: float, low: float, high: float) -> str:
    """The figure alone of :func:`lasergo.pages.common.about`: ``value`` rounded to what its
    P10-P90 range (``low``, ``high``) supports, e.g. ``80``."""
    return about(value, low, high).split()[1]


def plain(value: float) -> str:
    """A rounded figure as it was rounded, without trailing zeros: 60,000, 14, 0.11."""
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def about_money(value: float, low: float, high: float) -> str:
    """:func:`lasergo.pages.common.about` in EUR million, or in EUR billion from 1,000 million:
    ``about 80 EUR m (P10-P90 40-140)``, ``about 60 EUR bn (P10-P90 50-80)``."""
    if value >= 1000:
        return about(value / 1000, low / 1000, high / 1000, "EUR bn")
    return about(value, low, high, "EUR m")


def total_sales(analysis: MarketAnalysis) -> str:
    """The median (P50) partnership sales over every market and segment, rounded to its P10-P90
    range: ``about 80 EUR m (P10-P90 40-140)``."""
    sales = analysis.totals.set_index("stage").loc["partnership_sales"]
    return about(sales["p50"], sales["p10"], sales["p90"], "EUR m")


def _input_value(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit != "%" else f"{value:g}%"


def _unit(analysis: MarketAnalysis, label: str) -> str:
    """The unit of an input as the tornado shows its low and high: ``USD m`` or ``%``."""
    row = analysis.model.inputs.set_index("input").loc[label]
    return f"{row['currency']} m" if row["parameter"] == "market_size" else "%"


def _listed(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _wrapped(title: str) -> str:
    return textwrap.fill(title, TITLE_WIDTH)


def collapsed(summary: str, body: Styler | str) -> HTML:
    """A table (or HTML text written here, never data) in a collapsed section that the reader opens
    by its ``summary`` (static text). HTML output, not Markdown: the pipeline's renderer closes a
    ``<details>`` that a Markdown block opens before its content."""
    content = body if isinstance(body, str) else body.to_html()
    return HTML(f"<details><summary>{summary}</summary>\n{content}\n</details>")


# --- Editions --------------------------------------------------------------------------------------


def shown_cells(analysis: MarketAnalysis, internal: bool = False) -> pd.DataFrame:
    """The market x segment cells of :attr:`MarketAnalysis.cells` the edition shows, ranked."""
    return analysis.cells if internal else analysis.cells[analysis.cells["withheld"] == ""]


def shown_markets(analysis: MarketAnalysis, internal: bool = False) -> pd.DataFrame:
    """The market totals the edition shows, ranked (withheld ones left out)."""
    return analysis.markets if internal else analysis.markets[~analysis.markets["withheld"]]


def missions() -> dict[str, int]:
    """The roadmap's mission (§2.6) to each target market, by market id."""
    table = reference.missions()
    return dict(zip(table["market"], table["mission"].astype(int)))


# --- Headlines and findings ------------------------------------------------------------------------


def _priorities(analysis: MarketAnalysis, internal: bool) -> tuple[list[str], float]:
    """The names of the markets to prioritise (with their missions) and the share they hold."""
    names, numbers = reference.names("markets"), missions()
    chosen = priority_markets(analysis.markets, public=not internal)
    return (
        [f"{names[m]} (mission {numbers[m]})" if m in numbers else names[m] for m in chosen["market"]],
        float(chosen["share_of_total"].sum()),
    )


def show_headlines(analysis: MarketAnalysis, source: str, internal: bool = False) -> list[Headline]:
    """Show the page's headlines (the median partnership sales, the markets to prioritise, the
    input to research first) and return them (:class:`lasergo.pages.common.Headline`)."""
    markets, share = _priorities(analysis, internal)
    research = research_first(analysis.tornado)
    return [
        headline("Partnership sales, 8 markets, median (P50)", total_sales(analysis), "", source),
        headline("Markets to prioritise", f"{', '.join(markets)}: {share:.0%} of expected sales", "", source),
        headline("Research first", f"{research['input']} ({research['kind']})", "", source),
    ]


def potential(analysis: MarketAnalysis) -> dict:
    """The partnership's sales over every market and segment, as the headline gives them: median (P50),
    P10 and P90 in EUR million of the report year."""
    sales = analysis.totals.set_index("stage").loc["partnership_sales"]
    return {
        "p50": float(sales["p50"]),
        "p10": float(sales["p10"]),
        "p90": float(sales["p90"]),
        "unit": "EUR m",
        "year": int(analysis.model.report_year),
    }


def record_results(analysis: MarketAnalysis) -> None:
    """Record the results the viability scorecard and the front page read: ``potential``."""
    record_result("potential", potential(analysis))


def findings(analysis: MarketAnalysis, internal: bool = False) -> str:
    """The page's findings in a few sentences of Markdown, computed from the analysis: what the
    partnership could sell, where, what decides it and what to do."""
    names, segment_names = reference.names("markets"), reference.names("segments")
    year = analysis.model.report_year
    top_markets = shown_markets(analysis, internal).head(3)
    cells = shown_cells(analysis, internal)
    driver, research = analysis.tornado.iloc[0], research_first(analysis.tornado)
    rho = analysis.rank_correlations[driver["input"]]
    assumed = analysis.model.inputs.query("kind == 'assumption'")
    priorities, share = _priorities(analysis, internal)
    where = (
        _listed([f"{md(names[m])} {s:.0%}" for m, s in zip(top_markets["market"], top_markets["share_of_total"])])
        + " of expected sales"
        if len(top_markets)
        else f"every market's total rests on fewer than {MIN_COMPANIES} companies and is withheld"
    )
    if len(cells):
        top = cells.iloc[0]
        where += (
            f"; the largest cell is {md(names[top['market']])} x {md(segment_names[top['segment']].lower())}, "
            f"expected {about(top['mean'], top['p10'], top['p90'], 'EUR m')}"
        )
    low, high = (_input_value(research[end], _unit(analysis, research["input"])) for end in ("low", "high"))
    return "\n".join(
        [
            f"- **What the partnership could sell.** Partnership sales in {year} over the eight mission markets "
            f"and three thematic segments: median (P50) {total_sales(analysis)}. "
            f"{len(assumed)} of the {len(analysis.model.inputs)} inputs are assumptions, not published figures.",
            f"- **Where.** {where}.",
            f"- **What decides it.** The **{md(driver['input'])}** ({md(driver['kind'])}): from its low to its "
            f"high, every other input at its most likely value, the total goes from {figure(driver['sales_at_low'])} "
            f"to {figure(driver['sales_at_high'])} EUR m; it moves with the total at a Spearman rank correlation of "
            f"{rho:.2f}.",
            (
                f"- **What to do.** Prioritise {md(_listed(priorities))}: together {share:.0%} of expected sales; "
                "the partner-screening guide below says which segments and clusters to approach in each. "
                if priorities
                else "- **What to do.** "
            )
            + f"Research the **{md(research['input'])}** first ({md(research['kind'])}, {low} to {high}): a "
            "better-sourced range would narrow the answer most.",
        ]
    )


def method_note(analysis: MarketAnalysis) -> HTML:
    """The page's method, collapsed: the roadmap's three steps, the Monte Carlo and the rounding."""
    draws = len(analysis.simulation.draws)
    year = analysis.model.report_year
    return collapsed(
        "Method",
        "<p>The roadmap's New Product Analysis (§2.2) values the market in three steps, for each target market "
        f"and thematic segment, in EUR million of {year}:</p><ol>"
        "<li><strong>segment value</strong>: the market's medical-device demand (published figures where there "
        "are any, converted at the euro rate of the figure's year and grown to the report year) times the "
        "segment's share;</li>"
        "<li><strong>photonics value</strong>: the segment value times the share of photonics products in it;</li>"
        "<li><strong>partnership sales</strong>: the photonics value times the addressable share (the share of "
        f"the segment's technology uses that the partnership's market-ready products, TRL {analysis.min_trl} or "
        "more, cover in that market, from the products table) times an attainable share.</li></ol>"
        "<p>Every uncertain factor is a range (low, most likely, high) drawn from a Beta-PERT distribution; "
        f"a Monte Carlo of {draws:,} simulated draws (seed {analysis.simulation.seed}) gives each figure's "
        "median (P50), its P10-P90 range and its expected value (the mean). Each range is one random input "
        "shared by every market and segment it applies to, so markets move together. Figures with a range "
        "are rounded to what the range supports, the others to two significant digits. The markets to "
        f"prioritise are the fewest that together hold at least {PRIORITY_SHARE:.0%} of expected sales; the "
        "input to research first is the assumption that moves the total most in the tornado chart.</p>",
    )


# --- Charts ------------------------------------------------------------------------------------------


def plot_funnel(analysis: MarketAnalysis, source: str) -> plt.Figure:
    """The three steps over all markets and segments: median bars with P10-P90 whiskers, log scale."""
    frame = analysis.totals.set_index("stage").loc[list(STAGES)]
    y = np.arange(len(frame))[::-1]
    fig, ax = plt.subplots(figsize=(9.4, 3.6))
    ax.barh(y, frame["p50"], color=sns.color_palette("colorblind")[0], height=0.45)
    ax.errorbar(
        frame["p50"],
        y,
        xerr=[frame["p50"] - frame["p10"], frame["p90"] - frame["p50"]],
        fmt="none",
        color="black",
        lw=1,
        capsize=4,
        label="P10-P90 range",
    )
    for yi, row in zip(y, frame.itertuples()):
        ax.text(
            0.01,
            yi + 0.27,
            f"median (P50) {about_money(row.p50, row.p10, row.p90)}",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            fontsize=10,
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
    ax.set_xlim(frame["p10"].min() / 3, frame["p90"].max() * 3)
    ax.set_yticks(y, [STAGE_NAMES[s] for s in frame.index])
    ax.set_xlabel(f"EUR million in {analysis.model.report_year} (log scale; bar: median, P50)")
    ax.set_ylim(y.min() - 0.4, y.max() + 0.7)
    ax.legend(loc="lower right", fontsize=9)
    short = {s: about_money(*frame.loc[s, ["p50", "p10", "p90"]]).split(" (P10")[0] for s in STAGES}
    return finish(
        fig,
        _wrapped(
            f"Partnership sales of {short['partnership_sales']} from a segment market of "
            f"{short['segment_value']} (medians)"
        ),
        source,
    )


def plot_sales_heatmap(analysis: MarketAnalysis, source: str, internal: bool = False) -> plt.Figure:
    """Expected partnership sales per market (mission order) and segment, each rounded to its
    P10-P90 range, on a log colour scale; on the public edition, withheld cells grey and labelled
    (``WITHHELD_LABELS``)."""
    markets, segments = reference.names("markets"), reference.names("segments")
    cells = analysis.cells.set_index(["market", "segment"])
    order = (list(analysis.model.markets), list(analysis.model.segments))
    mean = cells["mean"].unstack().loc[order]
    withheld = (cells["withheld"].map(lambda _: "") if internal else cells["withheld"]).unstack().loc[order]
    shown = mean.mask(withheld != "")
    positive = shown.where(shown > 0)
    values = positive.to_numpy()[positive.notna().to_numpy()]
    low = 10 ** math.floor(math.log10(values.min())) if len(values) else 1.0
    norm = LogNorm(vmin=low, vmax=max(float(values.max(initial=low)), 10 * low))
    fig, ax = plt.subplots(figsize=(9.4, 6))
    ax.set_facecolor(WITHHELD_COLOUR)
    ax.grid(False)  # no grid lines across the withheld cells
    sns.heatmap(
        positive,
        mask=positive.isna(),
        cmap="Blues",
        norm=norm,
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": "expected partnership sales, EUR million (log scale)"},
    )
    colourbar = fig.axes[-1]  # the one seaborn adds
    colourbar.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    colourbar.yaxis.set_minor_formatter(NullFormatter())
    for i, market in enumerate(mean.index):
        for j, segment in enumerate(mean.columns):
            reason = withheld.loc[market, segment]
            if reason:
                ax.text(
                    j + 0.5, i + 0.5, WITHHELD_LABELS[reason], ha="center", va="center", fontsize=11, color="dimgray"
                )
                continue
            cell = cells.loc[(market, segment)]
            if cell["mean"] <= 0:
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white", edgecolor="white", lw=0.5))
                ax.text(j + 0.5, i + 0.5, "0", ha="center", va="center", fontsize=12)
                continue
            ax.text(
                j + 0.5,
                i + 0.5,
                rounded(cell["mean"], cell["p10"], cell["p90"]),
                ha="center",
                va="center",
                fontsize=13,
                fontweight="bold",
                color="white" if norm(cell["mean"]) > 0.6 else "black",
            )
    ax.set_yticks(np.arange(len(mean)) + 0.5, [markets[m] for m in mean.index], rotation=0, fontsize=10)
    ax.set_xticks(
        np.arange(mean.shape[1]) + 0.5, [textwrap.fill(segments[s], 22) for s in mean.columns], rotation=0, fontsize=10
    )
    ax.set(
        xlabel="thematic segment (cell: expected sales, EUR million, rounded to its P10-P90 range)",
        ylabel="market (mission order)",
    )
    top = shown_cells(analysis, internal)
    title = (
        f"{markets[top.iloc[0]['market']]} x {segments[top.iloc[0]['segment']].lower()} is worth most: expected "
        + about(top.iloc[0]["mean"], top.iloc[0]["p10"], top.iloc[0]["p90"], "EUR m")
        if len(top)
        else f"Every cell rests on fewer than {MIN_COMPANIES} companies and is withheld"
    )
    return finish(fig, _wrapped(title), source)


def plot_tornado(analysis: MarketAnalysis, source: str, top: int = 10) -> plt.Figure:
    """One-at-a-time sensitivity of total partnership sales to the ``top`` inputs with the widest swing."""
    frame = analysis.tornado.head(top).iloc[::-1].reset_index(drop=True)
    base = analysis.sales_at_mode
    colours = sns.color_palette("colorblind")
    fig, ax = plt.subplots(figsize=(9.4, 6.4))
    for y, row in frame.iterrows():
        hatch = ASSUMPTION_HATCH if row["kind"] == "assumption" else None
        for sales, colour in ((row["sales_at_low"], colours[0]), (row["sales_at_high"], colours[1])):
            ax.barh(y, sales - base, left=base, color=colour, hatch=hatch, edgecolor="white", height=0.65)
        unit = _unit(analysis, row["input"])
        ends = sorted([(row["sales_at_low"], row["low"]), (row["sales_at_high"], row["high"])])
        ax.text(min(ends[0][0], base), y, f"{_input_value(ends[0][1], unit)} ", ha="right", va="center", fontsize=9)
        ax.text(max(ends[1][0], base), y, f" {_input_value(ends[1][1], unit)}", ha="left", va="center", fontsize=9)
    labels = [
        textwrap.fill(i + (" (assumption)" if k == "assumption" else ""), 44)
        for i, k in zip(frame["input"], frame["kind"])
    ]
    ax.set_yticks(frame.index, labels, fontsize=9)
    ax.axvline(base, color="black", lw=1)
    ax.set_ylim(-0.6, len(frame) + 0.2)
    ax.text(
        base,
        len(frame) - 0.45,
        f" every input at its most likely value: {figure(base)} EUR m",
        ha="left",
        va="bottom",
        fontsize=9,
    )
    span = frame[["sales_at_low", "sales_at_high"]].to_numpy()
    ax.set_xlim(min(0, span.min() * 0.8), span.max() * 1.15)
    ax.set_xlabel(f"total partnership sales in {analysis.model.report_year}, EUR million")
    ax.legend(
        handles=[
            Patch(color=colours[0], label="input at its low"),
            Patch(color=colours[1], label="input at its high"),
            Patch(facecolor="white", edgecolor="grey", hatch=ASSUMPTION_HATCH, label="assumption"),
        ],
        loc="lower right",
        fontsize=9,
    )
    driver = analysis.tornado.iloc[0]
    kind = " (an assumption)" if driver["kind"] == "assumption" else ""
    return finish(
        fig,
        _wrapped(
            f"The {driver['input']}{kind} moves the total most: from {figure(driver['sales_at_low'])} "
            f"to {figure(driver['sales_at_high'])} EUR m"
        ),
        source,
    )


def fit_grid(analysis: MarketAnalysis, segment: str, internal: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fit scores of one segment, clusters (rows) by markets (columns), and where the edition
    withholds them (:func:`lasergo.analysis.market_fit.small_fit_cells`; nowhere on the internal
    edition): the scores are NaN there."""
    fit = analysis.fit.assign(withheld=False if internal else small_fit_cells(analysis.fit))
    fit = fit[fit["segment"] == segment]
    order = (list(reference.CLUSTER_IDS), list(analysis.model.markets))
    withheld = fit.pivot(index="cluster", columns="market", values="withheld").loc[order].astype(bool)
    scores = fit.pivot(index="cluster", columns="market", values="score").loc[order]
    return scores.mask(withheld), withheld


def plot_fit_heatmap(analysis: MarketAnalysis, source: str, internal: bool = False) -> plt.Figure:
    """Market-partnership fit (0-100) of each cluster in each market, one panel per thematic
    segment, colours spanning the scores shown; on the public edition, scores resting on fewer
    than ``MIN_COMPANIES`` companies grey."""
    markets, segments = reference.names("markets"), reference.names("segments")
    fit = analysis.fit if internal else analysis.fit[~small_fit_cells(analysis.fit)]
    low = 10 * math.floor(fit["score"].min() / 10) if len(fit) else 0
    high = 10 * math.ceil(fit["score"].max() / 10) if len(fit) else 100
    fig, axes = plt.subplots(len(analysis.model.segments), 1, figsize=(9.4, 8.2), sharex=True, layout="constrained")
    for ax, segment in zip(axes, analysis.model.segments):
        grid, withheld = fit_grid(analysis, segment, internal)
        ax.set_facecolor(WITHHELD_COLOUR)
        ax.grid(False)  # no grid lines across the withheld cells
        sns.heatmap(
            grid,
            mask=withheld,
            vmin=low,
            vmax=max(high, low + 10),
            cmap="YlGn",
            annot=True,
            fmt=".0f",
            linewidths=0.5,
            ax=ax,
            cbar=False,
            annot_kws={"fontsize": 10},
        )
        for i, j in zip(*np.nonzero(withheld.to_numpy())):
            ax.text(j + 0.5, i + 0.5, WITHHELD_LABELS[SMALL], ha="center", va="center", fontsize=10, color="dimgray")
        ax.set_title(segments[segment], fontsize=11)
        ax.set(xlabel="", ylabel="cluster")
        ax.tick_params(axis="y", rotation=0, labelsize=10)
    axes[-1].set_xticks(
        np.arange(len(analysis.model.markets)) + 0.5,
        [textwrap.fill(markets[m], 10) for m in analysis.model.markets],
        rotation=0,
        fontsize=10,
    )
    fig.colorbar(axes[0].collections[0], ax=axes, shrink=0.5, label=f"fit score (0-100; colours span {low}-{high})")
    axes[-1].set_xlabel("target market (mission order)")
    if len(fit):
        best = fit.loc[fit["score"].idxmax()]
        title = (
            f"{best['cluster']} in {markets[best['market']]} for {segments[best['segment']].lower()} "
            f"fits best: {best['score']:.0f} of 100"
        )
    else:
        title = f"Every fit score rests on fewer than {MIN_COMPANIES} companies and is withheld"
    return finish(fig, _wrapped(title), source, tight=False)


# --- Tables ------------------------------------------------------------------------------------------


def _figures(table: Styler, columns: list[str], formatter: Callable[[float], str] = plain) -> Styler:
    """``table`` with the figures of ``columns`` shown by ``formatter`` (:func:`plain` or :func:`figure`)."""
    return table.format(formatter, subset=columns, na_rep="-")


def _to_range(frame: pd.DataFrame, column: str, low: str = "p10", high: str = "p90") -> pd.Series:
    """``column`` of ``frame``, each figure rounded to what its row's P10-P90 range (``low``,
    ``high``) supports (:func:`rounded`)."""
    return pd.Series(
        [float(rounded(v, a, b).replace(",", "")) for v, a, b in zip(frame[column], frame[low], frame[high])],
        index=frame.index,
    )


def _range(frame: pd.DataFrame, low: str = "p10", high: str = "p90") -> pd.Series:
    """The P10-P90 range of each row as text, rounded as :func:`_to_range` rounds: ``10-50``."""
    text = [f"{rounded(a, a, b)}-{rounded(b, a, b)}" for a, b in zip(frame[low], frame[high])]
    return pd.Series(text, index=frame.index)


def totals_table(analysis: MarketAnalysis) -> Styler:
    """The three steps over all markets and segments: expected, median and P10-P90, EUR million."""
    totals = analysis.totals
    expected = "Expected (EUR m)"
    table = pd.DataFrame(
        {
            "Step": totals["stage"].map(STAGE_NAMES),
            expected: _to_range(totals, "mean"),
            MEDIAN: _to_range(totals, "p50"),
            RANGE: _range(totals),
        }
    )
    return _figures(show_table(table), [expected, MEDIAN])


def cells_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` market x segment cells the edition shows by expected partnership sales, with
    their addressable share; rank among the cells shown."""
    names = reference.names("markets", "segments")
    cells = shown_cells(analysis, internal).head(top)
    uses = "Technology uses covered (%)"
    table = pd.DataFrame(
        {
            "Rank": np.arange(1, len(cells) + 1),
            "Market": cells["market"].map(names),
            "Segment": cells["segment"].map(names),
            EXPECTED: _to_range(cells, "mean"),
            MEDIAN: _to_range(cells, "p50"),
            RANGE: _range(cells),
            uses: cells["addressable"],
        }
    )
    return _figures(show_table(table, {uses: "{:.0%}"}), [EXPECTED, MEDIAN])


def markets_table(analysis: MarketAnalysis, internal: bool = False) -> Styler:
    """Expected partnership sales per target market, its mission and its share of the total;
    on the public edition a withheld market's figures are blank."""
    markets = analysis.markets
    hidden = pd.Series(False, index=markets.index) if internal else markets["withheld"]
    table = pd.DataFrame(
        {
            "Market": markets["market"].map(reference.names("markets")),
            "Mission": markets["market"].map(missions()).astype("Int64"),
            EXPECTED: _to_range(markets, "mean"),
            MEDIAN: _to_range(markets, "p50"),
            RANGE: _range(markets),
            SHARE: markets["share_of_total"],
        }
    )
    figures = [EXPECTED, MEDIAN, RANGE, SHARE]
    table[figures] = table[figures].mask(hidden)
    return _figures(show_table(table, {SHARE: "{:.0%}"}), [EXPECTED, MEDIAN])


def submarkets_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` submarkets (market x technology use) by expected partnership sales; on the public
    edition, :func:`lasergo.analysis.market.public_submarkets`."""
    names, uses = reference.names("markets", "segments"), reference.names("technology_uses")
    sub = (analysis.submarkets if internal else analysis.public_submarkets).head(top)
    table = pd.DataFrame(
        {
            "Market": sub["market"].map(names),
            "Segment": sub["segment"].map(names),
            "Technology use": [f"{use} {uses[use]}" if use in uses else use for use in sub["technology_use"]],
            f"Market-ready products (TRL {analysis.min_trl}+)": sub["products"],
            EXPECTED: sub["mean"],
        }
    )
    return _figures(show_table(table), [EXPECTED], figure)


def product_types_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` product types (technology uses) by expected partnership sales; on the public
    edition, :func:`lasergo.analysis.market.public_product_types`."""
    types = (analysis.product_types if internal else analysis.public_product_types).head(top)
    table = pd.DataFrame(
        {
            "Code": types["technology_use"],
            "Technology use": types["name"],
            EXPECTED: types["mean"],
            "Products": types["products"],
            f"Market-ready (TRL {analysis.min_trl}+)": types["ready"],
            "Median TRL": types["median_trl"],
        }
    )
    return _figures(show_table(table, {"Median TRL": "{:.1f}"}), [EXPECTED], figure)


# --- Confidentiality notes (public edition; empty where nothing is withheld) -------------------


def sales_note(analysis: MarketAnalysis, internal: bool = False) -> str:
    """Markdown: the market x segment cells and market totals the public edition withholds."""
    reasons = analysis.cells["withheld"]
    if internal or not (reasons != "").any():
        return ""
    small, complement = int((reasons == SMALL).sum()), int((reasons == COMPLEMENT).sum())
    text = (
        f"**Withheld (confidentiality).** {small} of the {len(reasons)} market x segment cells rest on fewer "
        f"than {MIN_COMPANIES} companies (grey, *<{MIN_COMPANIES}*) and {complement} more are withheld (grey, "
        "*withheld*) so that a market's total does not give them away; they are left out of the ranking and "
        "of the submarkets, and count in every total."
    )
    markets = analysis.markets.loc[analysis.markets["withheld"], "market"].map(reference.names("markets"))
    if len(markets):
        text += f" The totals of {md(', '.join(markets))} are withheld too (blank below)."
    return text


def uses_note(analysis: MarketAnalysis, internal: bool = False) -> str:
    """Markdown: how the public edition merges the submarkets and product types resting on fewer
    than ``MIN_COMPANIES`` companies."""
    if internal:
        return ""
    label = other_uses(MIN_COMPANIES)
    text = (
        f"**Merged (confidentiality).** A submarket whose market-ready products come from fewer than "
        f"{MIN_COMPANIES} companies would describe those companies' products: in each market and segment such "
        f"uses are merged into one row, *{label}* (where it is the cell's only row, it is the whole cell), "
        f"which is left out if it still rests on fewer than {MIN_COMPANIES} companies."
    )
    merged = int((analysis.product_types["companies"] < MIN_COMPANIES).sum())
    if merged:
        kept = label in set(analysis.public_product_types["technology_use"])
        text += (
            f" Likewise, {merged} of the {len(analysis.product_types)} product types have products from fewer "
            f"than {MIN_COMPANIES} companies: "
            + (
                "they are merged into one row."
                if kept
                else f"together still fewer than {MIN_COMPANIES}, they are left out."
            )
        )
    return text


def fit_note(analysis: MarketAnalysis, internal: bool = False) -> str:
    """Markdown: the cluster x segment fits the public edition withholds."""
    small = small_fit_cells(analysis.fit)
    if internal or not small.any():
        return ""
    pairs = analysis.fit.loc[small, ["cluster", "segment"]].drop_duplicates()
    total = len(analysis.fit[["cluster", "segment"]].drop_duplicates())
    return (
        f"**Withheld (confidentiality).** For {len(pairs)} of the {total} clusters and segments, coverage "
        f"or maturity rests on fewer than {MIN_COMPANIES} companies (in all, or with products in the "
        f"segment): their scores are grey (*<{MIN_COMPANIES}*) in every market, and the screening guide "
        "does not choose them."
    )


def fit_method() -> HTML:
    """The fit score's method, collapsed, with its weights and tie strengths (assumptions)."""
    weights = FIT_WEIGHTS["coverage"], FIT_WEIGHTS["maturity"], FIT_WEIGHTS["links"]
    tie = LINK_STRENGTH
    return collapsed(
        "Method: fit score",
        f"<p>Fit = 100 x ({weights[0]:g} coverage + {weights[1]:g} maturity + {weights[2]:g} links)"
        + ("" if sum(weights) == 1 else f" / {sum(weights):g}")
        + "; the fit weights are an assumption of the workbook. <em>Coverage</em> is the share of the "
        "segment's technology uses that the cluster's companies serving the segment, or its products in the "
        "segment, cover; <em>maturity</em> is (mean TRL of the cluster's products in the segment - 1) / 8, and 0 "
        "without products; <em>links</em> is the cluster's strongest tie to the market (tie strengths an "
        f"assumption): {tie['mission_lead']:g} if it leads the market's mission; {tie['mission_co_organiser']:g} "
        f"if it co-organises it; {tie['roadshow']:g} if it runs its roadshow (roadmap §2.6); {tie['mission']:g} "
        f"for a past mission, {tie['established_link']:g} for an established link, {tie['trade_show']:g} for a "
        f"trade show and {tie['planned']:g} for a plan in one of the market's countries (§1.2.1); 0 without "
        "a tie.</p>",
    )


def guide_note(internal: bool = False) -> str:
    """Markdown: whether the screening guide lists companies."""
    if internal:
        return (
            '<p style="color: #b00020; font-weight: bold">INTERNAL: up to three best-placed companies per '
            "row, by pseudonymous id; do not circulate.</p>"
        )
    return (
        "This public edition lists no company: the best-placed companies of each row are in the internal "
        f"edition. Cells and fits resting on fewer than {MIN_COMPANIES} companies, and the cells withheld "
        "with them, are not chosen."
    )


def _guide(analysis: MarketAnalysis, internal: bool) -> pd.DataFrame:
    return analysis.guide if internal else analysis.public_guide


def guide_table(analysis: MarketAnalysis, internal: bool = False) -> Styler:
    """The partner-screening guide of the edition (the internal one names companies by id, in its
    ``Companies`` column, which a public table refuses)."""
    guide = _guide(analysis, internal)
    table = pd.DataFrame(
        {
            "Market": guide["market"],
            "Segment": guide["segment"],
            EXPECTED: _to_range(guide, "expected_sales_eur_m", "p10_eur_m", "p90_eur_m"),
            RANGE: _range(guide, "p10_eur_m", "p90_eur_m"),
            "Clusters to approach (fit 0-100)": guide["clusters"],
        }
    )
    if "companies" in guide:
        table["Companies"] = guide["companies"]
    return _figures(show_table(table, internal=internal), [EXPECTED])


def guide_evidence_table(analysis: MarketAnalysis, internal: bool = False) -> Styler:
    """Why the guide's clusters fit: uses covered, product maturity and ties to the market."""
    guide = _guide(analysis, internal)
    return show_table(
        pd.DataFrame(
            {"Market": guide["market"], "Segment": guide["segment"], "Why the clusters fit": guide["fit_evidence"]}
        )
    )


def rank_correlation_table(analysis: MarketAnalysis, top: int = 10) -> Styler:
    """The ``top`` inputs by the size of their Spearman rank correlation with total partnership sales."""
    header = "Spearman rank correlation with total sales"
    rho = pd.DataFrame(
        {
            "Input": analysis.model.inputs["input"].to_numpy(),
            "Kind": analysis.model.inputs["kind"].to_numpy(),
            header: analysis.rank_correlations.to_numpy(),
        }
    )
    return show_table(rho.sort_values(header, key=abs, ascending=False).head(top), {header: "{:+.2f}"})


def inputs_table(analysis: MarketAnalysis) -> Styler:
    """Every input of the model (:func:`lasergo.analysis.market.input_table`), assumptions in red."""
    table = input_table(analysis.model).rename(
        columns={"input": "Input", "kind": "Kind", "low": "Low", "mode": "Most likely", "high": "High"}
    )
    table = table.rename(columns=lambda c: c[0].upper() + c[1:])
    table["Distribution"] = table["Distribution"].map(DISTRIBUTION_NAMES)
    styled = show_table(table, dict.fromkeys(["Low", "Most likely", "High"], "{:,.6g}"))
    return flag_rows(styled, table["Kind"] == "assumption", ["Input", "Kind"])


def publish_screening_guide(analysis: MarketAnalysis, output_dir: str | Path | None, internal: bool = False) -> str:
    """Write the edition's screening guide (:func:`guide_table`) as ``GUIDE_FILE`` into
    ``output_dir`` (the quarter's report folder) and return the Markdown line that links it, or
    says when it is written."""
    if output_dir is None:
        return "The guide is exported as a CSV when the page is built by `lasergo report`."
    _guide(analysis, internal).to_csv(Path(output_dir) / GUIDE_FILE, index=False)
    return f"[screening guide (CSV)]({GUIDE_FILE})"


# --- Glossary ------------------------------------------------------------------------------------------


def page_glossary(analysis: MarketAnalysis) -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    triangular = (analysis.model.inputs["distribution"] == "triangular").any()
    own = {
        "Triangular distribution": "A distribution over a range (low, most likely, high) shaped as a "
        "triangle; an alternative to Beta-PERT."
    }
    return glossary(
        "P10, P50, P90",
        "Expected",
        "Monte Carlo",
        "Beta-PERT",
        "Tornado chart",
        "Spearman rank correlation",
        "TRL",
        "SME",
        extra={
            "Addressable share": "The share of a segment's technology uses that the partnership's market-ready "
            f"products (TRL {analysis.min_trl} or more) cover in a market, from the products table (the "
            "tables' technology uses covered).",
            "Attainable share": "The share of the addressable photonics value the partnership's SMEs can win "
            "(an assumption).",
            "Cluster": "One of the partnership's six clusters: " + ", ".join(reference.CLUSTER_IDS) + ".",
            "Fit score": "How well a cluster fits a market in a segment, 0-100: its coverage of the segment's "
            "technology uses, the maturity of its products and its ties to the market.",
            "Median": "The middle of the simulated values: half lie below, half above (P50).",
            "Mission": "One of the roadmap's eight trade missions (§2.6), each to one target market.",
            "Most likely value": "The peak of an input's range (its mode).",
            "Submarket": "A market and a technology use.",
            "Technology use": "One of the roadmap's photonics applications in health (codes T01 and on).",
            "Thematic segment": "One of the roadmap's three health fields (§2.2): "
            + ", ".join(reference.names("segments")[s].lower() for s in analysis.model.segments)
            + ".",
            **(own if triangular else {}),
        },
    )
