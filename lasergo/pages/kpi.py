"""The KPI page: headlines, findings text, fan charts and tables over a
:class:`lasergo.analysis.kpi.KpiReport`."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.forecast import Choice
from lasergo.analysis.kpi import (
    AT_RISK,
    MIN_SURVEY_POINTS,
    MIN_TRAIN,
    ON_TRACK,
    KpiForecast,
    KpiReport,
    PathOutlook,
    RdFunding,
    quarter_deltas,
)
from lasergo.data import reference
from lasergo.pages.common import about, flag_cells, glossary, headline, record_result, show_table, verdict, yes_no
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.style import finish
from lasergo.privacy import MIN_COMPANIES

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

#: Glossary entries of the forecast terms the KPI and value-network pages share.
FORECAST_TERMS = {
    "80% interval": "The range from P10 to P90 of the simulated paths: 8 in 10 of them end inside it.",
    "Chance of reaching target": "The share of the simulated paths at or above the target at the target date.",
    "Seasonal naive forecast": "Each future quarter repeats the same quarter a year before.",
    "Simulated paths": "Possible futures drawn at random from the forecast method; the forecast, its "
    "interval and the chance are all read off the same paths.",
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


def method_name(forecast: PathOutlook, none: str = "none yet: too few yearly surveys") -> str:
    """The forecast's method in plain words, for the status tables and the charts; ``none`` without a
    forecast (default: why a survey KPI has none)."""
    if forecast.choice is None:
        return none
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


def colour_status(styler: Styler, column: str = "Status") -> Styler:
    """The cells of ``column`` in their traffic light's colour (:data:`LIGHTS`), white text."""
    return styler.map(lambda v: f"background-color: {LIGHTS[v]}; color: white" if v in LIGHTS else "", subset=[column])


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


VERDICT_RULE = (
    f"The verdict is the worst status among the KPIs: off track if any KPI's chance of reaching its target "
    f"by the target date is under {AT_RISK:.0%}, at risk if any is under {ON_TRACK:.0%}, on track when every "
    "KPI has reached its target or has a chance of "
    f"{ON_TRACK:.0%} or more; KPIs too early to forecast are left out."
)


def show_verdict(report: KpiReport) -> None:
    """Show and record the page's verdict (:meth:`lasergo.analysis.kpi.KpiReport.verdict`), with the
    KPIs that decide it and the rule."""
    status = report.verdict()
    by_light = {light: [f.kpi for f in report.forecasts if f.light == light] for light in ("off track", "at risk")}
    off, risk = by_light["off track"], by_light["at risk"]
    if off:
        reason = f"{kpis_named(off)} {'is' if len(off) == 1 else 'are'} off track" + (
            f", {kpis_named(risk)} at risk." if risk else "."
        )
    elif risk:
        reason = f"{kpis_named(risk)} {'is' if len(risk) == 1 else 'are'} at risk; none is off track."
    else:
        reason = "Every KPI has reached its target or is on track to reach it."
    verdict(status, reason)
    display(Markdown(f"*How the verdict is reached.* {VERDICT_RULE}"))


def _number(value: float, digits: int) -> float | None:
    """A plain float for a recorded result, rounded to ``digits`` decimals; None for NaN."""
    return None if math.isnan(value) else round(float(value), digits)


def kpi_results(report: KpiReport) -> list[dict]:
    """The KPIs as other pages read them: per KPI its number, description, status (the page's traffic
    light: reached, on track, at risk, off track or too early), chance of reaching the target (percent,
    two decimals; None without a forecast), verified value so far, target and its unit."""
    return [
        {
            "kpi": f.kpi,
            "description": f.description,
            "status": f.light,
            "chance_pct": _number(100 * f.probability, 2),
            "value": float(f.actual),
            "target": float(f.target),
            "unit": f.unit,
        }
        for f in report.forecasts
    ]


def funding_result(funding: RdFunding) -> dict:
    """R&D funding as other pages read it: the verified total with co-funding (EUR m to the thousand
    euros; None when not collected) and the roadmap's expectation."""
    return {
        "attracted_eur_m": _number(funding.total_eur_m, 3),
        "expected_eur_m": float(funding.expected_eur_m),
    }


def record_results(report: KpiReport, funding: RdFunding) -> None:
    """Record the results the viability scorecard and the front page read: ``kpis`` and ``rd_funding``."""
    record_result("kpis", kpi_results(report))
    record_result("rd_funding", funding_result(funding))


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
    return colour_status(show_table(table, dict.fromkeys(numbers, COUNT_FORMAT)))


def draw_fan(ax: plt.Axes, observed: pd.Series, paths: pd.DataFrame, colour: str) -> pd.DataFrame:
    """A forecast's 80% band (P10-P90) and dashed median (``paths``: a
    :meth:`lasergo.analysis.kpi.PathOutlook.path_summary`), opening at the last observation; returns
    the summary with that observation as its first row."""
    last = pd.DataFrame(dict.fromkeys(paths.columns, observed.iloc[-1]), index=observed.index[-1:])
    frame = pd.concat([last, paths])
    x_future = frame.index.to_timestamp(how="end")
    ax.fill_between(x_future, frame["lower"], frame["upper"], color=colour, alpha=0.25, lw=0)
    ax.plot(x_future, frame["median"], color=colour, lw=1.8, ls="--")
    return frame


def mark_target_date(ax: plt.Axes, target_date: pd.Timestamp) -> None:
    """The target date: a vertical line labelled at the top, left of it."""
    ax.axvline(target_date, color="#555555", lw=1)
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


def _fan(ax: plt.Axes, f: KpiForecast, target_date: pd.Timestamp) -> None:
    """One KPI's panel: observed, median forecast and 80% band, the naive pace, target and target date."""
    observed = f.history.cumsum() if f.cumulative else f.history
    x_hist = observed.index.to_timestamp(how="end")
    ax.plot(x_hist, observed.to_numpy(), color="#333333", lw=1.8)
    frame = draw_fan(ax, observed, f.path_summary(), LIGHTS[f.light])
    if f.choice is not None and f.choice.chosen == "naive" and f.cumulative:
        pace = observed.iloc[-1] + f.history.iloc[-1] * np.arange(len(frame))
        ax.plot(frame.index.to_timestamp(how="end"), pace, color="#555555", lw=1.2, ls="-.", zorder=3)
    ax.axhline(f.target, color="#555555", lw=1, ls=":")
    ax.annotate(
        f"target {f.target:,.0f}",
        (x_hist[0], f.target),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=9,
        color="#333333",
    )
    mark_target_date(ax, target_date)
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


#: The indicators of roadmap §2.3 by their column in :func:`lasergo.analysis.kpi.indicator_waves`.
INDICATOR_NAMES = {"export": "export share of sales", "rd": "R&D share of revenue"}
GROUP_NAMES = {"direct": "Direct", "indirect": "Indirect"}
#: Grey text for the cells of a wave without figures (not yet held, no answers, withheld).
NO_FIGURE_STYLE = "color: #767676; font-style: italic"


def _wave_name(row: pd.Series, action_end: pd.Timestamp) -> str:
    """'Entry', 'Yearly 2025', 'Exit', 'Yearly 2029 (after the action)'."""
    if row["kind"] != "yearly":
        return str(row["kind"]).capitalize()
    return f"Yearly {row['year']}" + (" (after the action)" if row["due"] > action_end else "")


def _due(row: pd.Series) -> str:
    if row["kind"] == "entry":
        return "each SME at joining"
    return f"{row['due']:%d %b %Y}" + (" (end of the action)" if row["kind"] == "exit" else "")


def _indicator_cell(row: pd.Series, name: str) -> str:
    """A group's mean in a wave (one decimal), or why there is none: the wave's status, no answers
    from the group, or fewer than ``MIN_COMPANIES`` answers (withheld)."""
    if row["status"] != "held":
        return str(row["status"])
    answers = row[f"{name}_n"]
    if answers == 0:
        return "no answers"
    if answers < MIN_COMPANIES:
        return f"fewer than {MIN_COMPANIES} answers"
    return f"{row[f'{name}_mean_pct']:.1f}"


def indicators_table(waves: pd.DataFrame) -> Styler:
    """The two indicators of roadmap §2.3 side by side, one row per survey wave, one column pair per
    target group (:func:`lasergo.analysis.kpi.indicator_waves`); a wave not held yet, or without
    answers, says so in every cell; a group mean resting on fewer than ``MIN_COMPANIES`` SMEs is
    withheld."""
    action_end = waves.loc[waves["kind"] == "exit", "due"].iloc[0]
    first = waves.drop_duplicates("wave").set_index("wave")
    table = pd.DataFrame(
        {
            "Survey wave": first.apply(_wave_name, axis=1, action_end=action_end),
            "Due": first.apply(_due, axis=1),
            "Status": first["status"].str.capitalize(),
        }
    )
    for group, rows in waves.groupby("group", sort=False):
        rows = rows.set_index("wave")
        label = GROUP_NAMES[str(group)]
        table[f"{label}: SMEs answering"] = rows.apply(
            lambda r: str(r["smes"]) if r["status"] == "held" else r["status"], axis=1
        )
        for name, title in INDICATOR_NAMES.items():
            table[f"{label}: {title}, mean (%)"] = rows.apply(_indicator_cell, axis=1, name=name)
    later = first.index[(first["due"] > action_end) & (first["status"] == "not yet held")]
    if len(later) > 1:  # the waves after the action not held yet: one row
        years = first.loc[later, "year"]
        merged = table.loc[later[0]].copy()
        merged["Survey wave"] = f"Yearly {years.min()} to {years.max()} (after the action)"
        merged["Due"] = f"{first.loc[later[0], 'due']:%d %b} each year"
        table = pd.concat([table.drop(index=later), merged.to_frame().T])
    figures = [c for c in table.columns if ":" in c]
    return show_table(table.reset_index(drop=True)).map(
        lambda v: NO_FIGURE_STYLE if isinstance(v, str) and v[:1].isalpha() else "", subset=figures
    )


def _latest_held(rows: pd.DataFrame, name: str) -> pd.Series | None:
    """A group's latest yearly or exit wave with a mean shown for indicator ``name`` (None without)."""
    shown = rows[(rows["kind"] != "entry") & (rows["status"] == "held") & (rows[f"{name}_n"] >= MIN_COMPANIES)]
    return shown.iloc[-1] if len(shown) else None


def indicators_note(waves: pd.DataFrame) -> Markdown:
    """The finding: per target group and indicator, the mean at entry against the latest wave, and
    the next wave due."""
    lines = []
    for group, rows in waves.groupby("group", sort=False):
        entry = rows[rows["kind"] == "entry"].iloc[0]
        parts = []
        for name, title in INDICATOR_NAMES.items():
            latest = _latest_held(rows, name)
            if entry[f"{name}_n"] < MIN_COMPANIES or latest is None:
                parts.append(f"{title}: no comparison yet")
                continue
            parts.append(
                f"{title} {entry[f'{name}_mean_pct']:.1f}% at entry, {latest[f'{name}_mean_pct']:.1f}% in the "
                f"{latest['wave']} wave"
            )
        lines.append(f"- **{GROUP_NAMES[str(group)]} target group**: {'; '.join(parts)}.")
    waiting = waves[waves["status"] == "not yet held"].drop_duplicates("wave")
    if len(waiting):
        after = waiting.iloc[0]
        lines.append(f"\nNext wave: {after['wave']}, due {after['due']:%d %b %Y}.")
    lines.append(
        "The means are over the SMEs answering each wave, which change as SMEs join and drop out; KPIs 5 "
        "and 6 above follow each SME from its entry answer to its latest."
    )
    return Markdown("\n".join(lines))


def funding_headline(funding: RdFunding) -> None:
    """Headline: the verified R&D funding with co-funding against the roadmap's expectation."""
    value = (
        f"EUR {funding.total_eur_m:,.1f} m of about {funding.expected_eur_m:,.0f} expected"
        if funding.collected
        else "not collected"
    )
    headline("R&D funding attracted, with co-funding", value, "", "roadmap §2.3; R&D funding table")


def funding_note(funding: RdFunding) -> Markdown:
    """The finding on R&D funding: the verified total against the expectation, or 'not collected'."""
    if not funding.collected:
        return Markdown(
            "**Not collected**: the data folder records no R&D funding yet (the optional `rd_funding` table), "
            f"so nothing can be set against the expected about EUR {funding.expected_eur_m:,.0f} m."
        )
    text = (
        f"**EUR {funding.total_eur_m:,.1f} m attracted so far, {funding.share_of_expected:.0%} of the expected "
        f"about EUR {funding.expected_eur_m:,.0f} m**: {funding.projects} "
        f"project{'' if funding.projects == 1 else 's'} with an evidence reference, EUR "
        f"{funding.funding_eur_m:,.1f} m of funding and EUR {funding.cofunding_eur_m:,.1f} m of co-funding."
    )
    if funding.cofunding_unknown:
        text += f" Co-funding not known for {funding.cofunding_unknown} of them: counted as 0."
    if funding.unverified_projects:
        entries = f"{funding.unverified_projects} entr{'y' if funding.unverified_projects == 1 else 'ies'}"
        text += f" Not counted: {entries} without an evidence reference (EUR {funding.unverified_eur_m:,.1f} m)."
    return Markdown(text)


def funding_table(funding: RdFunding) -> Styler | None:
    """Verified R&D funding per cluster, plain headers (None without a verified entry)."""
    if funding.by_cluster.empty:
        return None
    names = reference.names("clusters")
    by_cluster = funding.by_cluster
    table = pd.DataFrame(
        {
            "Cluster": by_cluster["cluster"].map(lambda c: names.get(c, c)),
            "Projects": by_cluster["projects"],
            "Funding (EUR m)": by_cluster["funding_eur_m"],
            "Co-funding (EUR m)": by_cluster["cofunding_eur_m"],
            "Total (EUR m)": by_cluster["total_eur_m"],
        }
    )
    return show_table(table)


def show_funding(funding: RdFunding) -> None:
    """The R&D funding section: :func:`funding_note`, then :func:`funding_table` where there is one."""
    display(funding_note(funding))
    table = funding_table(funding)
    if table is not None:
        display(table)


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
            f"at EUR 1 m, doubled by co-funding) gives EUR {row['recomputed']:,.0f} m. Due within two years "
            "after the action; "
            + (
                "not collected in the data yet."
                if pd.isna(row["observed"])
                else "observed: the verified funding with co-funding so far (R&D funding, below)."
            )
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

    def observed(row: pd.Series) -> str:
        """Whole numbers; EUR million to one decimal, as the R&D funding section gives them."""
        if pd.isna(row["observed"]):
            return "-"
        return f"{row['observed']:,.1f}" if row["unit"] == "EUR m" else f"{row['observed']:,.0f}"

    table = pd.DataFrame(
        {
            "Roadmap assumption (§2.3)": funnel["assumption"],
            "Unit": funnel["unit"],
            "Roadmap states": funnel.apply(stated, axis=1),
            "Workbook's recomputation": funnel["recomputed"],
            "Expected by now": funnel["expected_by_now"],
            "Observed": funnel.apply(observed, axis=1),
            "Holding?": funnel.apply(verdict, axis=1),
            "Note": funnel.apply(_funnel_note, axis=1, report=report),
        }
    )
    formats = dict.fromkeys(["Workbook's recomputation", "Expected by now"], COUNT_FORMAT)
    return flag_cells(show_table(table, formats), lambda value: value == "No", ["Holding?"])


def quarters_ahead(h: int) -> str:
    """'1 quarter ahead', '3 quarters ahead'."""
    return f"{h} quarter{'' if h == 1 else 's'} ahead"


def no_backtest_yet(quarters: int) -> str:
    """Why there is no back-test with ``quarters`` quarters of history."""
    return (
        f"No back-test yet: {quarters} quarter{'' if quarters == 1 else 's'} of history, and a back-test "
        f"needs at least {MIN_TRAIN + 1} ({MIN_TRAIN} to fit a method, then at least one to score it)."
    )


def choice_reason(choice: Choice, so_far: str) -> str:
    """Why a forecast's method was used, to follow its name: '; not back-tested: ...' with ``so_far``
    the history (e.g. '5 quarters'), or ', chosen by back-test: its error (MASE) ... against ...'."""
    if not choice.horizons:
        return (
            f"; not back-tested: {so_far} so far, and a back-test needs at least {MIN_TRAIN + 1} ({MIN_TRAIN} to "
            "fit, 1 to score)."
        )
    scores = choice.backtest.set_index("method")["mase"]
    others = ", ".join(f"{scores[m]:.2f} for the {METHOD_NAMES.get(m, m)}" for m in scores.index if m != choice.chosen)
    ahead = "one quarter ahead" if choice.horizons == 1 else f"1 to {choice.horizons} quarters ahead"
    return (
        f", chosen by back-test: its error (MASE) averaged over {ahead} was {scores[choice.chosen]:.2f}, "
        f"against {others}."
    )


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
    return f"{name[0].upper()}{name[1:]}" + choice_reason(forecast.choice, f"{values} {period}")


def forecast_notes(report: KpiReport) -> Markdown:
    """One bullet per KPI: its forecast note (:func:`forecast_note`)."""
    return Markdown("\n".join(f"- KPI {f.kpi}: {forecast_note(f)}" for f in report.forecasts))


def backtest_note(report: KpiReport) -> Markdown:
    """Which horizons the back-tests scored, and why no further; or why there is no back-test yet."""
    tested = [f.choice for f in report.forecasts if f.cumulative and f.choice is not None and f.choice.horizons]
    counts = next((f for f in report.forecasts if f.cumulative), None)
    if not tested or counts is None:
        quarters = len(counts.history) if counts is not None else 0
        return Markdown(no_backtest_yet(quarters) + " Until then each KPI gets its model without a comparison.")
    choice, quarters = tested[0], len(counts.history)
    horizons, to_target = choice.horizons, len(choice.forecast.index)
    per_horizon = choice.by_horizon.drop_duplicates("horizon").set_index("horizon")["origins"]
    scored = "; ".join(f"{quarters_ahead(h)}, {per_horizon[h]}" for h in per_horizon.index)
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
    return plain_backtest({"KPI": backtest["kpi"]}, backtest)


def plain_backtest(first: dict[str, pd.Series], rows: pd.DataFrame) -> Styler:
    """Back-test rows (columns of :func:`lasergo.analysis.kpi.backtest_rows`) with plain headers: the
    ``first`` columns, the method's plain name, its MASE at each horizon, their mean and whether it
    was chosen."""
    horizons = [c for c in rows.columns if c.startswith("mase_")]
    table = pd.DataFrame(
        {
            **first,
            "Method": rows["method"].map(lambda m: METHOD_NAMES.get(m, m)),
            **{f"MASE, {quarters_ahead(int(c.removeprefix('mase_')))}": rows[c] for c in horizons},
            "MASE, mean (the choice)": rows["mase"],
            "Chosen": yes_no(rows["chosen"].astype(bool)),
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
            **FORECAST_TERMS,
            "Constant-rate forecast": "Events keep coming at the average pace so far, with chance variation "
            "(Poisson; negative binomial when quarters vary more than chance allows).",
            "Co-funding": "The companies' own money matching the R&D funding an agreement attracts (roadmap §2.3).",
            "Entry, yearly and exit surveys": "The survey waves of roadmap §2.3: each SME answers when it joins, "
            "every year at tax-return time, and at the end of the action.",
            "Export share of sales": "Revenue from outside the EU as a share of an SME's revenue, in percent.",
            "R&D share of revenue": "An SME's spending on research and development as a share of its revenue, "
            "in percent.",
            "COSME": "The EU programme for the competitiveness of SMEs, under which the cluster partnership works.",
            "Cumulative count": "The running total of verified events since the start of the action.",
            "Drift forecast": "The straight line from the first to the latest value continues.",
            "Horizon": "How far ahead a forecast looks, in quarters (or yearly surveys).",
            "Median (P50)": "The middle of the simulated values: half lie below it, half above.",
            "Percentage points": "The difference between two percentages (30% to 33% is 3 points, a relative "
            "rise of 10%).",
            "Verified entry": "A KPI ledger entry with an evidence reference; only these count (roadmap §2.3).",
        },
    )
