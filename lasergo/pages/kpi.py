"""The KPI page: headlines, findings text, fan charts and tables over a
:class:`lasergo.analysis.kpi.KpiReport`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from lasergo.analysis.kpi import MIN_SURVEY_POINTS, KpiForecast, KpiReport, quarter_deltas
from lasergo.analysis.roadmap import ROADMAP
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import flag_cells, headline, show_table
from lasergo.pages.style import add_source

#: The colour of each traffic light (see :func:`lasergo.analysis.kpi.traffic_light`).
LIGHTS = {
    "reached": "#1b7a3a",
    "on track": "#4caf50",
    "at risk": "#f0a500",
    "off track": "#b00020",
    "too early": "#888888",
}
COUNT_FORMAT = "{:,.0f}"
SHARE_FORMAT = "{:.0%}"


def summary_headlines(report: KpiReport) -> None:
    """Headlines: the KPIs reached or on track, and the chance of the least likely one."""
    headline(
        "KPIs reached or on track",
        report.on_track(),
        f"of {len(report.forecasts)}",
        f"KPI ledger and survey waves; targets {ROADMAP} §2.4",
    )
    worst = report.most_at_risk(1)
    if worst:
        headline(
            f"Least likely: KPI {worst[0].kpi}, chance of reaching its target",
            round(100 * worst[0].probability),
            "%",
            "simulated forecast paths",
        )


def risk_summary(report: KpiReport) -> Markdown:
    """Two or three sentences on the KPIs most at risk, for the page's summary."""
    at_risk = report.most_at_risk()
    if not at_risk:
        return Markdown("Every KPI has reached its target.")
    parts = []
    for f in at_risk:
        at = f.at_target()
        description = md(f.description[0].lower() + f.description[1:])
        parts.append(
            f"KPI {f.kpi} ({description}): {f.actual:,.0f} so far against a target of "
            f"{f.target:,.0f}; forecast {at['mean']:,.0f} (80% interval {at['lower']:,.0f}-"
            f"{at['upper']:,.0f}) by {report.target_date:%Y-%m-%d}, a {f.probability:.0%} chance "
            f"of reaching it ({f.light})."
        )
    return Markdown("The KPIs least likely to reach their targets: " + " ".join(parts))


def status_table(report: KpiReport) -> Styler:
    """The status table, counts as whole numbers, P(target) in percent, the status in its light."""
    counts = dict.fromkeys(
        ["target", "actual", "unverified", "forecast", "forecast_low", "forecast_high"], COUNT_FORMAT
    )
    return show_table(report.status_table(), {**counts, "p_target": SHARE_FORMAT}).map(
        lambda v: f"background-color: {LIGHTS[v]}; color: white" if v in LIGHTS else "", subset=["status"]
    )


def plot_fan_charts(report: KpiReport, synthetic: bool) -> plt.Figure:
    """One small fan chart per KPI: history, forecast median and 80% band, target line and date."""
    n = len(report.forecasts)
    cols = 4
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(13, 3.2 * rows), squeeze=False)
    open_kpis = sum(f.light != "too early" for f in report.forecasts)
    for ax, f in zip(axes.flat, report.forecasts):
        if f.choice is None:
            ax.text(
                0.5,
                0.5,
                f"KPI {f.kpi}: {f.actual:,.0f} so far\ntoo few survey waves to forecast",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=9,
            )
            ax.set_title(f"KPI {f.kpi}: too early", fontsize=10, loc="left")
            continue
        history = f.choice.forecast.history
        observed = history.cumsum() if f.cumulative else history
        x_hist = observed.index.to_timestamp(how="end")
        frame = f.choice.forecast.cumulative(start=f.actual) if f.cumulative else f.choice.forecast.frame()
        last = pd.DataFrame(dict.fromkeys(["mean", "lower", "upper"], observed.iloc[-1]), index=observed.index[-1:])
        frame = pd.concat([last, frame])  # the fan opens at the last observation
        x_future = frame.index.to_timestamp(how="end")
        ax.plot(x_hist, observed.to_numpy(), color="#333333", lw=1.8, label="observed")
        ax.fill_between(
            x_future, frame["lower"], frame["upper"], color=LIGHTS[f.light], alpha=0.25, label="80% interval"
        )
        ax.plot(x_future, frame["mean"], color=LIGHTS[f.light], lw=1.8, ls="--", label="forecast")
        ax.axhline(f.target, color="#555555", lw=1, ls=":")
        ax.axvline(report.target_date, color="#999999", lw=0.8)
        ax.set_title(f"KPI {f.kpi}: {f.light}, P = {f.probability:.0%}", fontsize=10, loc="left")
        ax.set_ylabel("cumulative count" if f.cumulative else ("SMEs" if f.kpi == 5 else "percent"))
        ax.tick_params(axis="x", labelsize=8, rotation=30)
        ax.text(0.02, 0.92, f"target {f.target:,.0f}", transform=ax.transAxes, fontsize=8, color="#555555")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"{report.on_track()} of {open_kpis} KPIs with a forecast have reached or are on track "
        f"to reach their target by {report.target_date:%Y-%m-%d}",
        x=0.01,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    fig.tight_layout()
    add_source(
        fig,
        f"KPI ledger and survey waves{' (synthetic sample data)' if synthetic else ''}; "
        f"targets {ROADMAP} §2.4; forecasts lasergo.analysis.forecast, seeded",
    )
    return fig


def ledger_table(by_cluster: pd.DataFrame) -> Styler:
    """Verified entries per event KPI and cluster (:func:`lasergo.analysis.kpi.ledger_by_cluster`)."""
    table = by_cluster.reset_index()
    return show_table(table, dict.fromkeys(table.columns, COUNT_FORMAT))


def survey_table(table: pd.DataFrame) -> Styler:
    """KPIs 5 and 6 per target group (:func:`lasergo.analysis.kpi.survey_kpi_table`)."""
    return show_table(table, {"risen_share": SHARE_FORMAT})


def elapsed_note(quarter: pd.Period, elapsed: float, action_start: str, target_date: str) -> Markdown:
    """The share of the action elapsed, with the assumed dates it comes from."""
    return Markdown(
        f"Share of the action elapsed at the end of {quarter}: **{elapsed:.0%}** "
        f"({action_start} to {target_date}, an assumption set by the notebook parameters)."
    )


def funnel_table(funnel: pd.DataFrame) -> Styler:
    """The roadmap's funnel against the data, assumptions that do not hold flagged."""
    return flag_cells(show_table(funnel), lambda value: value is False, ["holding"])


def forecast_note(forecast: KpiForecast) -> str:
    """Which forecast a KPI got and why; without one, why not (too few yearly survey values)."""
    if forecast.choice is not None:
        return forecast.choice.note
    values = len(forecast.history)
    return (
        f"Not forecast yet: the survey measures this KPI once a year, {values} yearly "
        f"value{'' if values == 1 else 's'} so far, and a forecast needs at least {MIN_SURVEY_POINTS}."
    )


def forecast_notes(report: KpiReport) -> Markdown:
    """One bullet per KPI: its forecast note (:func:`forecast_note`)."""
    return Markdown("\n".join(f"- KPI {f.kpi}: {forecast_note(f)}" for f in report.forecasts))


def backtest_table(report: KpiReport) -> Styler:
    """The back-tests of every KPI's forecast (empty while the histories are too short)."""
    return show_table(report.backtest_table())


def changes_table(report: KpiReport, previous: KpiReport | None) -> Styler | Markdown:
    """What moved since the previous quarter; a note instead in the action's first quarter."""
    if previous is None:
        return Markdown(f"{report.quarter} is the first quarter of the action: there is no previous quarter.")
    return show_table(
        quarter_deltas(report, previous), {"p_before": SHARE_FORMAT, "p_now": SHARE_FORMAT, "p_change": "{:+.0%}"}
    )
