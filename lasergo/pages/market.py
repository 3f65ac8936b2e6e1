"""The market page: findings, charts and tables of :mod:`lasergo.analysis.market`.

Every figure and table here is drawn from a :class:`lasergo.analysis.market.MarketAnalysis`;
ids are shown by their display names from the reference tables.

The page has two editions (roadmap §2.2: company data are confidential and aggregated
anonymously). The public one (``internal=False``, the default of every function here) names no
company and withholds or merges every figure resting on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` companies, and says so; the internal one shows the
screening guide's companies and every figure.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.market import COMPLEMENT, SMALL, STAGES, MarketAnalysis, input_table, other_uses
from lasergo.analysis.market_fit import small_fit_cells
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import flag_rows, headline, show_table
from lasergo.pages.style import add_source, finish
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


def source_note(data: Dataset) -> str:
    """The source line of the page's charts and headlines."""
    return (
        "market figures and euro rates: data/reference (ITA 2016, ECB); ranges: "
        "data/reference/market_assumptions.csv (mostly assumptions); products and companies: "
        + ("synthetic sample" if data.synthetic else f"data folder {data.directory.name}")
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


def shown_cells(analysis: MarketAnalysis, internal: bool = False) -> pd.DataFrame:
    """The market x segment cells of :attr:`MarketAnalysis.cells` the edition shows, ranked."""
    return analysis.cells if internal else analysis.cells[analysis.cells["withheld"] == ""]


def shown_markets(analysis: MarketAnalysis, internal: bool = False) -> pd.DataFrame:
    """The market totals the edition shows, ranked (withheld ones left out)."""
    return analysis.markets if internal else analysis.markets[~analysis.markets["withheld"]]


def show_headlines(analysis: MarketAnalysis, source: str, internal: bool = False) -> None:
    """Show the page's headline figures: P50 partnership sales and the top market."""
    sales = analysis.totals.set_index("stage").loc["partnership_sales"]
    top = shown_markets(analysis, internal).iloc[0]["market"]
    headline("Partnership sales, 8 markets (P50)", round(float(sales["p50"]), 1), "EUR m", source)
    headline("Top market", reference.names("markets")[top], "", source)


def findings(analysis: MarketAnalysis, internal: bool = False) -> str:
    """The page's findings in a few sentences of Markdown, computed from the analysis."""
    names, segment_names = reference.names("markets"), reference.names("segments")
    total = analysis.totals.set_index("stage").loc["partnership_sales"]
    top_market = shown_markets(analysis, internal).iloc[0]
    top_cell = shown_cells(analysis, internal).iloc[0]
    driver = analysis.tornado.iloc[0]
    assumed = analysis.model.inputs.query("kind == 'assumption'")
    return "\n".join(
        [
            f"- Expected partnership sales in {analysis.model.report_year} over the eight markets: "
            f"**EUR {total['p50']:,.0f} m** (P50; P10-P90 EUR {total['p10']:,.0f}-{total['p90']:,.0f} m).",
            f"- **{md(names[top_market['market']])}** holds {top_market['share_of_total']:.0%} of the expected "
            f"(mean) sales; the largest single cell is {md(names[top_cell['market']])} x "
            f"{md(segment_names[top_cell['segment']].lower())} (EUR {top_cell['mean']:,.1f} m expected, P10-P90 "
            f"{top_cell['p10']:,.1f}-{top_cell['p90']:,.1f}).",
            f"- The input that moves the total most is **{md(driver['input'])}** ({md(driver['kind'])}): from its "
            f"low to its high the total goes from EUR {driver['sales_at_low']:,.0f} m to "
            f"{driver['sales_at_high']:,.0f} m.",
            f"- {len(assumed)} of the {len(analysis.model.inputs)} inputs are assumptions, not published "
            "figures; they are listed with their ranges at the end of the page.",
        ]
    )


# --- Charts ----------------------------------------------------------------------------------


def _money(value: float) -> str:
    """EUR million as text: EUR 62.3 bn, EUR 79 m, EUR 2.4 m."""
    if value >= 1000:
        return f"EUR {value / 1000:,.1f} bn"
    return f"EUR {value:,.0f} m" if value >= 10 else f"EUR {value:,.1f} m"


def plot_funnel(analysis: MarketAnalysis, source: str) -> plt.Figure:
    """The three steps over all markets and segments: P50 bars with P10-P90 whiskers, log scale."""
    frame = analysis.totals.set_index("stage").loc[list(STAGES)]
    y = np.arange(len(frame))[::-1]
    fig, ax = plt.subplots(figsize=(10, 3.4))
    ax.barh(y, frame["p50"], color=sns.color_palette("colorblind")[0], height=0.45)
    ax.errorbar(
        frame["p50"],
        y,
        xerr=[frame["p50"] - frame["p10"], frame["p90"] - frame["p50"]],
        fmt="none",
        color="black",
        lw=1,
        capsize=4,
        label="P10-P90",
    )
    for yi, row in zip(y, frame.itertuples()):
        ax.text(
            0.01,
            yi + 0.27,
            f"{_money(row.p50)}  (P10-P90 {_money(row.p10)} to {_money(row.p90)})",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            fontsize=9,
        )
    ax.set_xscale("log")
    ax.set_xlim(frame["p10"].min() / 3, frame["p90"].max() * 3)
    ax.set_yticks(y, [STAGE_NAMES[s] for s in frame.index])
    ax.set_xlabel(f"EUR million in {analysis.model.report_year} (log scale; bar: P50)")
    ax.set_ylim(y.min() - 0.4, y.max() + 0.7)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(
        f"{_money(frame.loc['partnership_sales', 'p50'])} of partnership sales from a "
        f"{_money(frame.loc['segment_value', 'p50'])} segment market (P50)"
    )
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_sales_heatmap(analysis: MarketAnalysis, source: str, internal: bool = False) -> plt.Figure:
    """Expected partnership sales per market (mission order) and segment, with P50 and P10-P90;
    on the public edition, withheld cells grey and labelled (``WITHHELD_LABELS``)."""
    markets, segments = reference.names("markets"), reference.names("segments")
    cells = analysis.cells.set_index(["market", "segment"])
    order = (list(analysis.model.markets), list(analysis.model.segments))
    mean = cells["mean"].unstack().loc[order]
    withheld = (cells["withheld"].map(lambda _: "") if internal else cells["withheld"]).unstack().loc[order]
    fig, ax = plt.subplots(figsize=(10, 6.2))
    ax.set_facecolor(WITHHELD_COLOUR)
    ax.grid(False)  # no grid lines across the withheld cells
    sns.heatmap(
        mean,
        mask=withheld != "",
        cmap="Blues",
        vmin=0,
        annot=False,
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": "expected (mean) partnership sales, EUR million"},
    )
    for i, market in enumerate(mean.index):
        for j, segment in enumerate(mean.columns):
            cell = cells.loc[(market, segment)]
            if withheld.loc[market, segment]:
                label = WITHHELD_LABELS[withheld.loc[market, segment]]
                ax.text(j + 0.5, i + 0.5, label, ha="center", va="center", fontsize=10, color="dimgray")
                continue
            colour = "white" if cell["mean"] > 0.6 * mean.mask(withheld != "").max().max() else "black"
            ax.text(
                j + 0.5,
                i + 0.42,
                f"{cell['mean']:,.1f}",
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=colour,
            )
            ax.text(
                j + 0.5,
                i + 0.72,
                f"P50 {cell['p50']:,.1f} ({cell['p10']:,.1f}-{cell['p90']:,.1f})",
                ha="center",
                va="center",
                fontsize=7,
                color=colour,
            )
    ax.set_yticks(np.arange(len(mean)) + 0.5, [markets[m] for m in mean.index], rotation=0)
    ax.set_xticks(
        np.arange(mean.shape[1]) + 0.5, [textwrap.fill(segments[s], 20) for s in mean.columns], rotation=0, fontsize=9
    )
    ax.set(xlabel="thematic segment (cell: mean, P50 and P10-P90, EUR million)", ylabel="market (mission order)")
    top = shown_cells(analysis, internal).iloc[0]
    return finish(
        fig,
        f"{markets[top['market']]} x {segments[top['segment']].lower()} is worth most: "
        f"EUR {top['mean']:,.1f} m expected",
        source,
        tight=True,
    )


def _input_value(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit != "%" else f"{value:g}%"


def plot_tornado(analysis: MarketAnalysis, source: str, top: int = 10) -> plt.Figure:
    """One-at-a-time sensitivity of total partnership sales to the ``top`` inputs with the widest swing."""
    frame = analysis.tornado.head(top).iloc[::-1].reset_index(drop=True)
    inputs = analysis.model.inputs.set_index("input")
    units = {
        i: f"{inputs.at[i, 'currency']} m" if inputs.at[i, "parameter"] == "market_size" else "%"
        for i in frame["input"]
    }
    base = analysis.sales_at_mode
    colours = sns.color_palette("colorblind")
    fig, ax = plt.subplots(figsize=(10, 6))
    for y, row in frame.iterrows():
        hatch = ASSUMPTION_HATCH if row["kind"] == "assumption" else None
        for sales, colour in ((row["sales_at_low"], colours[0]), (row["sales_at_high"], colours[1])):
            ax.barh(y, sales - base, left=base, color=colour, hatch=hatch, edgecolor="white", height=0.65)
        ends = sorted([(row["sales_at_low"], row["low"]), (row["sales_at_high"], row["high"])])
        ax.text(
            min(ends[0][0], base),
            y,
            f"{_input_value(ends[0][1], units[row['input']])} ",
            ha="right",
            va="center",
            fontsize=8,
        )
        ax.text(
            max(ends[1][0], base),
            y,
            f" {_input_value(ends[1][1], units[row['input']])}",
            ha="left",
            va="center",
            fontsize=8,
        )
    labels = [
        textwrap.fill(i + (" (assumption)" if k == "assumption" else ""), 48)
        for i, k in zip(frame["input"], frame["kind"])
    ]
    ax.set_yticks(frame.index, labels, fontsize=8)
    ax.axvline(base, color="black", lw=1)
    span = frame[["sales_at_low", "sales_at_high"]].to_numpy()
    ax.set_xlim(min(0, span.min() * 0.8), span.max() * 1.15)
    ax.set_xlabel(f"total partnership sales, EUR million (other inputs at their mode: {_money(base)})")
    ax.legend(
        handles=[
            Patch(color=colours[0], label="input at its low"),
            Patch(color=colours[1], label="input at its high"),
            Patch(facecolor="white", edgecolor="grey", hatch=ASSUMPTION_HATCH, label="assumption"),
        ],
        loc="lower right",
        fontsize=8,
    )
    driver = analysis.tornado.iloc[0]
    return finish(
        fig,
        f"{driver['input'].capitalize()} moves the total most: "
        f"{_money(driver['sales_at_low'])} to {_money(driver['sales_at_high'])}",
        source,
        tight=True,
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
    segment; on the public edition, scores resting on fewer than ``MIN_COMPANIES`` companies grey."""
    markets, segments = reference.names("markets"), reference.names("segments")
    fit = analysis.fit if internal else analysis.fit[~small_fit_cells(analysis.fit)]
    fig, axes = plt.subplots(len(analysis.model.segments), 1, figsize=(9, 10), sharex=True, layout="constrained")
    for ax, segment in zip(axes, analysis.model.segments):
        grid, withheld = fit_grid(analysis, segment, internal)
        ax.set_facecolor(WITHHELD_COLOUR)
        ax.grid(False)  # no grid lines across the withheld cells
        sns.heatmap(
            grid,
            mask=withheld,
            vmin=0,
            vmax=100,
            cmap="YlGn",
            annot=True,
            fmt=".0f",
            linewidths=0.5,
            ax=ax,
            cbar=False,
            annot_kws={"fontsize": 9},
        )
        for i, j in zip(*np.nonzero(withheld.to_numpy())):
            ax.text(j + 0.5, i + 0.5, WITHHELD_LABELS[SMALL], ha="center", va="center", fontsize=9, color="dimgray")
        ax.set_title(segments[segment], fontsize=11)
        ax.set(xlabel="", ylabel="cluster")
        ax.tick_params(axis="y", rotation=0)
    axes[-1].set_xticks(
        np.arange(len(analysis.model.markets)) + 0.5,
        [textwrap.fill(markets[m], 10) for m in analysis.model.markets],
        rotation=0,
        fontsize=9,
    )
    fig.colorbar(axes[0].collections[0], ax=axes, shrink=0.5, label="fit score (0-100, shared scale)")
    axes[-1].set_xlabel("target market (mission order)")
    best = fit.loc[fit["score"].idxmax()]
    return finish(
        fig,
        f"{best['cluster']} in {markets[best['market']]} for {segments[best['segment']].lower()} "
        f"fits best: {best['score']:.0f} of 100",
        source,
        tight=False,
    )


# --- Tables ----------------------------------------------------------------------------------


def totals_table(analysis: MarketAnalysis) -> Styler:
    """The three steps over all markets and segments: P10, P50, P90 and mean, EUR million."""
    return show_table(analysis.totals.assign(stage=analysis.totals["stage"].map(STAGE_NAMES)))


def cells_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` market x segment cells the edition shows by expected partnership sales, with
    their addressable share; ``rank`` among the cells shown."""
    names = reference.names("markets", "segments")
    cells = shown_cells(analysis, internal).head(top)
    return show_table(
        cells.assign(
            rank=np.arange(1, len(cells) + 1), market=cells["market"].map(names), segment=cells["segment"].map(names)
        ).drop(columns=["companies", "withheld"]),
        {"addressable": "{:.0%}"},
    )


def markets_table(analysis: MarketAnalysis, internal: bool = False) -> Styler:
    """Expected partnership sales per target market and its share of the total; on the public
    edition a withheld market's figures are blank."""
    markets = analysis.markets
    figures = ["p10", "p50", "p90", "mean", "share_of_total"]
    shown = markets if internal else markets.assign(**{c: markets[c].mask(markets["withheld"]) for c in figures})
    return show_table(
        shown.assign(market=markets["market"].map(reference.names("markets"))).drop(columns="withheld"),
        {"share_of_total": "{:.0%}"},
    )


def submarkets_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` submarkets (market x technology use) by expected partnership sales; on the public
    edition, :func:`lasergo.analysis.market.public_submarkets`."""
    names, uses = reference.names("markets", "segments"), reference.names("technology_uses")
    sub = (analysis.submarkets if internal else analysis.public_submarkets).head(top)
    named = sub.assign(
        market=sub["market"].map(names),
        segment=sub["segment"].map(names),
        technology_use=[f"{use} {uses[use]}" if use in uses else use for use in sub["technology_use"]],
    )
    return show_table(
        named.drop(columns="companies").rename(columns={"mean": "expected sales (EUR m)"}),
        {"expected sales (EUR m)": "{:,.2f}"},
    )


def product_types_table(analysis: MarketAnalysis, top: int = 10, internal: bool = False) -> Styler:
    """The ``top`` product types (technology uses) by expected partnership sales; on the public
    edition, :func:`lasergo.analysis.market.public_product_types`."""
    types = (analysis.product_types if internal else analysis.public_product_types).head(top)
    return show_table(types.drop(columns="companies").rename(columns={"mean": "expected sales (EUR m)"}))


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


def guide_table(analysis: MarketAnalysis, internal: bool = False) -> Styler:
    """The partner-screening guide of the edition (the internal one names companies by id)."""
    return show_table(analysis.guide if internal else analysis.public_guide, internal=internal)


def rank_correlation_table(analysis: MarketAnalysis, top: int = 10) -> Styler:
    """The ``top`` inputs by the size of their Spearman rank correlation with total partnership sales."""
    rho = analysis.model.inputs[["input", "kind"]].assign(rank_correlation=analysis.rank_correlations.to_numpy())
    return show_table(
        rho.sort_values("rank_correlation", key=abs, ascending=False).head(top), {"rank_correlation": "{:+.2f}"}
    )


def inputs_table(analysis: MarketAnalysis) -> Styler:
    """Every input of the model (:func:`lasergo.analysis.market.input_table`), assumptions in red."""
    table = input_table(analysis.model)
    styled = show_table(table, dict.fromkeys(["low", "mode", "high"], "{:,.6g}"))
    return flag_rows(styled, table["kind"] == "assumption", ["input", "kind"])


def publish_screening_guide(analysis: MarketAnalysis, output_dir: str | Path | None, internal: bool = False) -> str:
    """Write the edition's screening guide (:func:`guide_table`) as ``GUIDE_FILE`` into
    ``output_dir`` (the quarter's report folder) and return the Markdown line that links it, or
    says when it is written."""
    if output_dir is None:
        return "The guide is exported as a CSV when the page is built by `lasergo report`."
    (analysis.guide if internal else analysis.public_guide).to_csv(Path(output_dir) / GUIDE_FILE, index=False)
    return f"[screening guide (CSV)]({GUIDE_FILE})"
