"""The KPI page: headlines, findings text, fan charts and tables over a
:class:`lasergo.analysis.kpi.KpiReport`."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.kpi import MIN_SURVEY_POINTS, MIN_TRAIN, KpiForecast, KpiReport, quarter_deltas
from lasergo.pages.common import about, flag_cells, glossary, headline, show_table, yes_no
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.style import finish

#: The colour of each traffic light (see :func:`lasergo.analysis.kpi.traffic_light`).
LIGHTS = {
    "reached": "#1b7a3a",
    "on track": "#4caf50",
    "at risk": "#f0a500",
    "off track": "#b00020",
    "too early": "#888888",
}
COUNT_FORMAT = "{:,.0f}"
SOURCES = "roadmap §2.4; KPI ledger; survey waves"
#: Plain names of the back-tested methods (the ``method`` column of the back-test table).
METHOD_NAMES = {
    "count model": "constant rate (average pace so far)",
    "level model": "exponential smoothing (ETS)",
    "naive": "naive (last quarter's pace continues)",
    "seasonal naive": "seasonal naive (same quarter last year)",
}


def chance(probability: float) -> str:
    """A probability in whole percent, without claiming certainty the paths do not show:
    'under 1' and 'over 99' for the extremes short of 0 and 1 ('-' without a forecast)."""
    if np.isnan(probability):
        return "-"
    if 0 < probability < 0.005:
        return "under 1"
    if 0.995 < probability < 1:
        return "over 99"
    return f"{100 * probability:.0f}"


def kpi_list(numbers: list[int]) -> str:
    """'2, 5 and 6' for [2, 5, 6]; 'none' for []."""
    if not numbers:
        return "none"
    names = [str(n) for n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def kpis_named(numbers: list[int]) -> str:
    """'KPI 2' or 'KPIs 2, 5 and 6'."""
    return f"KPI{'' if len(numbers) == 1 else 's'} {kpi_list(numbers)}"


def _lowered(description: str) -> str:
    """A KPI description inside a sentence, with its first letter lowered unless it starts an acronym."""
    return description if description[:2].isupper() else description[0].lower() + description[1:]


def method_name(forecast: KpiForecast) -> str:
    """The forecast's method in plain words, for the status table and the charts."""
    if forecast.choice is None:
        return "none yet: too few yearly surveys"
    model = forecast.choice.forecast.model
    if forecast.choice.chosen == "naive":
        if forecast.cumulative:
            return f"naive: last quarter's pace ({forecast.history.iloc[-1]:,.0f} a quarter) continues"
        return "naive: the latest survey's value stays"
    if forecast.choice.chosen == "seasonal naive":
        return "seasonal naive: each quarter repeats the same quarter a year before"
    if model.startswith("drift"):
        return "drift: the trend of the yearly surveys so far continues"
    if model.startswith("ETS"):
        return "exponential smoothing (ETS)"
    if "Jeffreys" in model:
        return "constant rate, estimated from few quarters"
    if model.startswith("negative binomial"):
        return "constant rate, in bursts (negative binomial)"
    return "constant rate: the average pace so far continues (Poisson)"


def _forecast_text(forecast: KpiForecast) -> str:
    """'median (P50) about 5 (P10-P90 5-9)': the KPI at the target date, rounded to what its range supports."""
    at = forecast.at_target()
    return "median (P50) " + about(at["median"], at["p10"], at["p90"], "percent" if forecast.unit == "percent" else "")


def summary_headlines(report: KpiReport) -> None:
    """Headlines: the KPIs reached or on track, and the KPIs off track."""
    headline("KPIs reached or on track", report.on_track(), f"of {len(report.forecasts)}", SOURCES)
    off = [f.kpi for f in report.forecasts if f.light == "off track"]
    headline(
        "KPIs off track (under 40% chance)",
        kpi_list(off),
        "",
        f"forecast to {report.target_date:%Y-%m-%d}",
    )


def risk_summary(report: KpiReport) -> Markdown:
    """The finding for a funder: how many KPIs are safe, and the open ones from least to most likely."""
    date = f"{report.target_date:%Y-%m-%d}"
    reached = [f.kpi for f in report.forecasts if f.light == "reached"]
    waiting = [f.kpi for f in report.forecasts if f.light == "too early"]
    lines = [
        f"**{report.on_track()} of {len(report.forecasts)} KPIs** have reached their target or are on track "
        f"to reach it by {date}" + (f"; reached: {kpis_named(reached)}." if reached else ".")
    ]
    at_risk = report.most_at_risk(len(report.forecasts))
    if not at_risk:
        lines.append("Every KPI with a forecast has reached its target.")
    else:
        lines.append("The KPIs not reached yet, least likely first:")
        for f in at_risk:
            unit = "%" if f.unit == "percent" else ""
            lines.append(
                f"- **KPI {f.kpi}** ({md(_lowered(f.description))}): {f.actual:,.0f}{unit} so far against a "
                f"target of {f.target:,.0f}{unit}; forecast for {date}: {_forecast_text(f)}; chance of "
                f"reaching the target {chance(f.probability)}%: **{f.light}**."
            )
        off = sorted(f.kpi for f in at_risk if f.light == "off track")
        if off:
            lines.append(
                f"\nAt the pace forecast, {kpis_named(off)} will fall short of "
                f"{'its target' if len(off) == 1 else 'their targets'} unless the pace picks up."
            )
    if waiting:
        lines.append(f"\n{kpis_named(waiting)}: too few yearly surveys to forecast yet.")
    return Markdown("\n".join(lines))


def status_note(report: KpiReport) -> Markdown:
    """What is forecast, how the forecast, its interval and the chance relate, and the statuses."""
    paths = next((len(f.outcomes) for f in report.forecasts if len(f.outcomes)), 0)
    survey = [f.choice for f in report.forecasts if not f.cumulative and f.choice is not None]
    wave = f" (here {survey[0].forecast.index[-1].end_time:%B %Y})" if survey else ""
    date = f"{report.target_date:%Y-%m-%d}"
    return Markdown(
        f"**What is forecast.** For KPIs 1-4 and 7, the **cumulative count by {date}**: the verified count "
        f"so far plus the events forecast for each quarter until then. For KPIs 5 and 6, the value at the "
        f"**last yearly survey up to {date}**{wave}. The forecast is the median (P50) of {paths:,} simulated "
        f"paths; the 80% interval runs from their P10 to their P90; the chance of reaching the target is "
        f"the share of the same paths at or above it. So a median below the target goes with a chance "
        f"under 50%, and a P10 above it with a chance of 90% or more.\n\n"
        f"**Status.** *Reached*; *on track*: a chance of 80% or more; *at risk*: 40% to 80%; *off track*: "
        f"under 40%; *too early*: no forecast yet. *Unverified, not counted*: the ledger's entries "
        f"without an evidence reference."
    )


def status_table(report: KpiReport) -> Styler:
    """The status table with plain headers, the status in its traffic-light colour."""
    status = report.status_table()
    table = pd.DataFrame(
        {
            "KPI": status["kpi"],
            "What is counted": status["description"],
            "Target": status["target"],
            "Unit": status["unit"],
            "Verified so far": status["actual"],
            "Unverified, not counted": status["unverified"],
            f"Forecast for {report.target_date:%Y-%m-%d}, median": status["forecast"],
            "P10": status["forecast_low"],
            "P90": status["forecast_high"],
            "Chance of reaching target (%)": status["p_target"].map(chance),
            "Status": status["status"],
            "Forecast method": [method_name(f) for f in report.forecasts],
        }
    )
    numbers = ["Target", "Verified so far", "Unverified, not counted", table.columns[6], "P10", "P90"]
    return show_table(table, dict.fromkeys(numbers, COUNT_FORMAT)).map(
        lambda v: f"background-color: {LIGHTS[v]}; color: white" if v in LIGHTS else "", subset=["Status"]
    )


def _fan(ax: plt.Axes, f: KpiForecast, target_date: pd.Timestamp) -> None:
    """One KPI's panel: observed, median forecast and 80% band, the naive pace, target and target date."""
    observed = f.history.cumsum() if f.cumulative else f.history
    x_hist = observed.index.to_timestamp(how="end")
    frame = f.path_summary()
    last = pd.DataFrame(dict.fromkeys(frame.columns, observed.iloc[-1]), index=observed.index[-1:])
    frame = pd.concat([last, frame])  # the fan opens at the last observation
    x_future = frame.index.to_timestamp(how="end")
    colour = LIGHTS[f.light]
    ax.plot(x_hist, observed.to_numpy(), color="#333333", lw=1.8)
    ax.fill_between(x_future, frame["lower"], frame["upper"], color=colour, alpha=0.25, lw=0)
    ax.plot(x_future, frame["median"], color=colour, lw=1.8, ls="--")
    if f.choice is not None and f.choice.chosen == "naive" and f.cumulative:
        pace = observed.iloc[-1] + f.history.iloc[-1] * np.arange(len(frame))
        ax.plot(x_future, pace, color="#555555", lw=1.2, ls="-.", zorder=3)
    ax.axhline(f.target, color="#555555", lw=1, ls=":")
    ax.axvline(target_date, color="#555555", lw=1)
    ax.annotate(
        f"target {f.target:,.0f}",
        (x_hist[0], f.target),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=9,
        color="#333333",
    )
    ax.annotate(
        "target date",
        (target_date, 1),
        xycoords=("data", "axes fraction"),
        xytext=(-3, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=9,
        color="#333333",
    )
    top = max(f.target, float(np.nanmax(frame["upper"])), float(observed.max()))
    ax.set_ylim(top=top * 1.15 + 0.5)


def plot_fan_charts(report: KpiReport, synthetic: bool) -> plt.Figure:
    """One fan chart per KPI: history, the median forecast and its 80% interval (P10-P90) from the
    simulated paths, the naive pace where a naive forecast is used, the target and the target date;
    the legend in the grid's free cell."""
    n = len(report.forecasts)
    cols = 4
    rows = int(np.ceil((n + 1) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(14, 3.9 * rows), squeeze=False)
    for ax, f in zip(axes.flat, report.forecasts):
        if f.choice is None:
            ax.text(
                0.5,
                0.5,
                f"{f.actual:,.0f}{'%' if f.unit == 'percent' else ''} so far\ntoo few yearly surveys\nto forecast",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=10,
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"KPI {f.kpi}: too early", fontsize=10, loc="left")
            continue
        _fan(ax, f, report.target_date)
        ax.set_title(
            f"KPI {f.kpi}: {f.light}, {chance(f.probability)}% chance\n{_short_method(f)}", fontsize=10, loc="left"
        )
        ax.set_ylabel("cumulative count" if f.cumulative else ("SMEs" if f.kpi == 5 else "percent"), fontsize=10)
        ax.tick_params(axis="both", labelsize=9)
        ax.tick_params(axis="x", rotation=30)
    legend_ax = list(axes.flat)[n]
    legend_ax.axis("off")
    naive = any(f.choice is not None and f.choice.chosen == "naive" and f.cumulative for f in report.forecasts)
    legend_ax.legend(
        handles=[
            Line2D([], [], color="#333333", lw=1.8, label="observed"),
            Line2D([], [], color="#777777", lw=1.8, ls="--", label="forecast: median (P50) of simulated paths"),
            Patch(color="#777777", alpha=0.25, label="80% interval (P10-P90)"),
            *([Line2D([], [], color="#555555", lw=1.2, ls="-.", label="naive: last quarter's pace continues")] * naive),
            Line2D([], [], color="#555555", lw=1, ls=":", label="target"),
            Line2D([], [], color="#555555", lw=1, label="target date"),
        ],
        loc="center left",
        fontsize=10,
        frameon=False,
        title="Forecast colour = status",
        title_fontsize=10,
    )
    for ax in list(axes.flat)[n + 1 :]:
        ax.set_visible(False)
    off = [f.kpi for f in report.forecasts if f.light == "off track"]
    title = (
        f"{report.on_track()} of {n} KPIs have reached or are on track to reach their target by "
        f"{report.target_date:%Y-%m-%d}; " + (f"off track: {kpis_named(off)}" if off else "none is off track")
    )
    return finish(
        fig,
        title,
        f"KPI ledger and survey waves{' (synthetic sample data)' if synthetic else ''}; targets roadmap §2.4; "
        "seeded simulated forecast paths",
    )


def _short_method(f: KpiForecast) -> str:
    """The method in a panel title: a few words of :func:`method_name`."""
    name = method_name(f)
    if name.startswith("naive: last"):
        return f"naive (last quarter: {f.history.iloc[-1]:,.0f})"
    return name.split(":")[0].split(",")[0]


def ledger_table(by_cluster: pd.DataFrame) -> Styler:
    """Verified entries per event KPI and cluster (:func:`lasergo.analysis.kpi.ledger_by_cluster`)."""
    table = by_cluster.rename(columns={"total": "Total"}).rename_axis("KPI").reset_index()
    return show_table(table, dict.fromkeys(table.columns, COUNT_FORMAT))


def survey_table(table: pd.DataFrame) -> Styler:
    """KPIs 5 and 6 per target group (:func:`lasergo.analysis.kpi.survey_kpi_table`), plain headers."""
    shown = pd.DataFrame(
        {
            "Target group": table["group"].str.capitalize(),
            "SMEs": table["smes"],
            "With two answers": table["compared"],
            "One answer or none": table["missing"],
            "Risen (KPI 5, SMEs)": table["risen"],
            "Risen (% of those with two answers)": 100 * table["risen_share"],
            "Mean share at entry (%)": table["mean_first_pct"],
            "Mean share latest (%)": table["mean_latest_pct"],
            "Change (percentage points)": table["rise_pp"],
            "Relative rise of the mean share (%, KPI 6)": table["relative_rise_pct"],
            "Relative rise among the SMEs that rose (%)": table["risers_relative_rise_pct"],
        }
    )
    return show_table(shown, {"Risen (% of those with two answers)": "{:.0f}"})


def elapsed_note(quarter: pd.Period, elapsed: float, action_start: str, target_date: str) -> Markdown:
    """The share of the action elapsed, with the assumed dates it comes from."""
    return Markdown(
        f"Share of the action elapsed at the end of {quarter}: **{elapsed:.0%}** "
        f"({action_start} to {target_date}, assumed dates set for this report)."
    )


def _funnel_note(row: pd.Series, report: KpiReport) -> str:
    """What a funnel row's observation is, and which KPI gives the verdict where one does."""
    by_kpi = {f.kpi: f for f in report.forecasts}
    kpi = by_kpi.get(int(row["kpi"])) if pd.notna(row["kpi"]) else None
    notes = {
        "agreements": (
            f"Observed: verified KPI 2 entries (partnership agreements), the ledger's nearest measure. KPI 2's "
            f"own target (§2.4) is {kpi.target:,.0f}, not {row['stated']:,.0f}: the roadmap check on the "
            f"overview page lists the difference."
            if kpi
            else ""
        ),
        "rising_share": "Of the SMEs with two survey answers.",
        "rising_smes": f"The §2.3 outcome, {row['recomputed']:,.0f} SMEs.",
        "average_rise": "Relative rise of the mean share of the SMEs that rose.",
        "rd_investment": (
            f"The roadmap states about EUR {row['stated']:,.0f} m; its own arithmetic (half of the agreements "
            f"at EUR 1 m, doubled by co-funding) gives EUR {row['recomputed']:,.0f} m. Due after the action; "
            "not collected in the data yet."
        ),
    }
    note = notes.get(row["measure"], "")
    if kpi is not None and row["kpi"] in (5, 6):
        note += (
            f" KPI {kpi.kpi} (§2.4) sets its own target, {kpi.target:,.0f}{'%' if kpi.unit == 'percent' else ''}, "
            f"for the same outcome: its status above ({kpi.light}) is the verdict."
        )
    return note.strip()


def funnel_table(funnel: pd.DataFrame, report: KpiReport) -> Styler:
    """The roadmap's funnel against the data (:func:`lasergo.analysis.kpi.funnel_comparison`), plain
    headers; the roadmap's figure as it states it beside the workbook's recomputation; a verdict only
    where no KPI gives one, the assumptions that do not hold flagged."""

    def stated(row: pd.Series) -> str:
        if pd.isna(row["stated"]):
            return "-"
        return f"about {row['stated']:,.0f}" if row["measure"] == "rd_investment" else f"{row['stated']:,.0f}"

    def verdict(row: pd.Series) -> str:
        if pd.notna(row["holding"]):
            return "Yes" if row["holding"] else "No"
        if pd.notna(row["kpi"]) and row["kpi"] in (5, 6):
            return f"see KPI {row['kpi']}"
        return "not measured"

    table = pd.DataFrame(
        {
            "Roadmap assumption (§2.3)": funnel["assumption"],
            "Unit": funnel["unit"],
            "Roadmap states": funnel.apply(stated, axis=1),
            "Workbook's recomputation": funnel["recomputed"],
            "Expected by now": funnel["expected_by_now"],
            "Observed": funnel["observed"],
            "Holding?": funnel.apply(verdict, axis=1),
            "Note": funnel.apply(_funnel_note, axis=1, report=report),
        }
    )
    formats = dict.fromkeys(["Workbook's recomputation", "Expected by now", "Observed"], COUNT_FORMAT)
    return flag_cells(show_table(table, formats), lambda value: value == "No", ["Holding?"])


def _quarters(h: int) -> str:
    return f"{h} quarter{'' if h == 1 else 's'} ahead"


def forecast_note(forecast: KpiForecast) -> str:
    """Which forecast a KPI got and why, in plain words; without one, why not."""
    values = len(forecast.history)
    if forecast.choice is None:
        return (
            f"Not forecast yet: the survey measures this KPI once a year, {values} yearly "
            f"value{'' if values == 1 else 's'} so far, and a forecast needs at least {MIN_SURVEY_POINTS}."
        )
    name = method_name(forecast)
    period = "quarters" if forecast.cumulative else "yearly values"
    if not forecast.choice.horizons:
        return (
            f"{name[0].upper()}{name[1:]}; not back-tested: {values} {period} so far, and a back-test needs "
            f"at least {MIN_TRAIN + 1} ({MIN_TRAIN} to fit, 1 to score)."
        )
    scores = forecast.choice.backtest.set_index("method")["mase"]
    chosen = forecast.choice.chosen
    others = ", ".join(f"{scores[m]:.2f} for the {METHOD_NAMES.get(m, m)}" for m in scores.index if m != chosen)
    horizons = forecast.choice.horizons
    ahead = "one quarter ahead" if horizons == 1 else f"1 to {horizons} quarters ahead"
    return (
        f"{name[0].upper()}{name[1:]}, chosen by back-test: its error (MASE) averaged over {ahead} was "
        f"{scores[chosen]:.2f}, against {others}."
    )


def forecast_notes(report: KpiReport) -> Markdown:
    """One bullet per KPI: its forecast note (:func:`forecast_note`)."""
    return Markdown("\n".join(f"- KPI {f.kpi}: {forecast_note(f)}" for f in report.forecasts))


def backtest_note(report: KpiReport) -> Markdown:
    """Which horizons the back-tests scored, and why no further; or why there is no back-test yet."""
    tested = [f.choice for f in report.forecasts if f.cumulative and f.choice is not None and f.choice.horizons]
    counts = next((f for f in report.forecasts if f.cumulative), None)
    if not tested or counts is None:
        quarters = len(counts.history) if counts is not None else 0
        return Markdown(
            f"No back-test yet: {quarters} quarter{'' if quarters == 1 else 's'} of history, and a back-test "
            "needs at least "
            f"{MIN_TRAIN + 1} ({MIN_TRAIN} to fit a method, then at least one to score it). Until then each "
            "KPI gets its model without a comparison."
        )
    choice, quarters = tested[0], len(counts.history)
    horizons, to_target = choice.horizons, len(choice.forecast.index)
    per_horizon = choice.by_horizon.drop_duplicates("horizon").set_index("horizon")["origins"]
    scored = "; ".join(f"{_quarters(h)}, {per_horizon[h]}" for h in per_horizon.index)
    reason = (
        ""
        if horizons == to_target
        else f" (the target date is {to_target} quarters away, but {quarters} quarters of history, {MIN_TRAIN} of "
        f"them to fit, allow no further)"
    )
    return Markdown(
        f"Each method forecast the KPI's quarterly counts from past quarters and was scored at every "
        f"horizon from 1 to {horizons} quarters ahead{reason}. Forecasts scored per method: {scored}. A "
        "method is chosen on its error averaged over these horizons, since it will forecast up to the "
        "target date, not only the next quarter. Below 1, a method beat the naive forecast's in-sample "
        "error." + (" With so few forecasts scored, the choice is a weak one." if per_horizon.min() < 4 else "")
    )


def backtest_table(report: KpiReport) -> Styler:
    """The back-tests of every KPI's forecast, one row per KPI and method, plain headers (empty while
    the histories are too short)."""
    backtest = report.backtest_table()
    horizons = [c for c in backtest.columns if c.startswith("mase_")]
    table = pd.DataFrame(
        {
            "KPI": backtest["kpi"],
            "Method": backtest["method"].map(lambda m: METHOD_NAMES.get(m, m)),
            **{f"MASE, {_quarters(int(c.removeprefix('mase_')))}": backtest[c] for c in horizons},
            "MASE, mean (the choice)": backtest["mase"],
            "Chosen": yes_no(backtest["chosen"].astype(bool)),
        }
    )
    scores = [c for c in table.columns if c.startswith("MASE")]
    return show_table(table, dict.fromkeys(scores, "{:.2f}"))


def changes_table(report: KpiReport, previous: KpiReport | None) -> Styler | Markdown:
    """What moved since the previous quarter, plain headers; a note instead in the action's first quarter."""
    if previous is None:
        return Markdown(f"{report.quarter} is the first quarter of the action: there is no previous quarter.")
    deltas = quarter_deltas(report, previous)
    change = 100 * deltas["p_change"]
    table = pd.DataFrame(
        {
            "KPI": deltas["kpi"],
            "What is counted": deltas["description"],
            f"Verified, {previous.quarter}": deltas["actual_before"],
            f"Verified, {report.quarter}": deltas["actual_now"],
            "Change": deltas["actual_change"],
            f"Chance (%), {previous.quarter}": deltas["p_before"].map(chance),
            f"Chance (%), {report.quarter}": deltas["p_now"].map(chance),
            "Change (points)": change.map(lambda v: "-" if math.isnan(v) else f"{v:+.0f}"),
            f"Status, {previous.quarter}": deltas["status_before"],
            f"Status, {report.quarter}": deltas["status_now"],
        }
    )
    counts = [c for c in table.columns if c.startswith("Verified") or c == "Change"]
    return show_table(table, {**dict.fromkeys(counts, COUNT_FORMAT), "Change": "{:+,.0f}"})


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "Back-test",
        "ETS",
        "Expected",
        "KPI",
        "MASE",
        "MoU",
        "Naive forecast",
        "P10, P50, P90",
        "SME",
        extra={
            "80% interval": "The range from P10 to P90 of the simulated paths: 8 in 10 of them end inside it.",
            "Chance of reaching target": "The share of the simulated paths at or above the target at the target date.",
            "Constant-rate forecast": "Events keep coming at the average pace so far, with chance variation "
            "(Poisson; negative binomial when quarters vary more than chance allows).",
            "COSME": "The EU programme for the competitiveness of SMEs, under which the cluster partnership works.",
            "Cumulative count": "The running total of verified events since the start of the action.",
            "Drift forecast": "The straight line from the first to the latest value continues.",
            "Horizon": "How far ahead a forecast looks, in quarters (or yearly surveys).",
            "Median (P50)": "The middle of the simulated values: half lie below it, half above.",
            "Percentage points": "The difference between two percentages (30% to 33% is 3 points, a relative "
            "rise of 10%).",
            "Seasonal naive forecast": "Each future quarter repeats the same quarter a year before.",
            "Simulated paths": "Possible futures drawn at random from the forecast method; the forecast, its "
            "interval and the chance are all read off the same paths.",
            "Verified entry": "A KPI ledger entry with an evidence reference; only these count (roadmap §2.3).",
        },
    )
