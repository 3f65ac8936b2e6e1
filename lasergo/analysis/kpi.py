"""KPI tracking: progress on the seven KPIs (roadmap §2.4), the roadmap's funnel, forecasts.

- KPIs 1-4 and 7 are counted from the KPI ledger. Only entries with an evidence
  reference count: the roadmap attributes a result only with proof of the
  partnership's involvement (§2.3). Entries without one are shown as unverified.
- KPIs 5 and 6 are measured by survey (§2.3, §2.4): from each SME's entry answer
  to its latest answer. KPI 5 counts the SMEs whose export share rose; KPI 6 is the
  relative rise of the panel's mean export share, in percent (the roadmap says
  "increase in the percentage of the turnover from international activities" by
  20%; we read it as a relative rise of the share, and also show percentage points).
- Forecasts to the target date come from :mod:`lasergo.analysis.forecast`; the
  probability of reaching a target is the share of simulated paths that reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lasergo.analysis.forecast import Choice, choose_forecast, horizon_to
from lasergo.analysis.roadmap import Funnel
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.errors import ParameterError
from lasergo.quarter import quarter_end

EVENT_KPIS = (1, 2, 3, 4, 7)

#: Traffic lights from the probability of reaching the target by the target date.
ON_TRACK, AT_RISK = 0.8, 0.4
#: Yearly survey points needed before a survey KPI is forecast (the drift model's minimum).
MIN_SURVEY_POINTS = 3

#: Periods ahead scored at each origin of the back-tests: one quarter (or year), so that the few
#: quarters of an action's ledger still give several origins.
BACKTEST_HORIZON = 1


def traffic_light(probability: float, reached: bool) -> str:
    """'reached', or 'on track' (P >= 0.8), 'at risk' (0.4 <= P < 0.8), 'off track' (P < 0.4);
    'too early' when there is no forecast yet (P is NaN)."""
    if reached:
        return "reached"
    if np.isnan(probability):
        return "too early"
    if probability >= ON_TRACK:
        return "on track"
    return "at risk" if probability >= AT_RISK else "off track"


# --- Ledger ----------------------------------------------------------------------------------


def is_verified(ledger: pd.DataFrame) -> pd.Series:
    """Entries with an evidence reference: the only ones that count (roadmap §2.3)."""
    return ledger["evidence"].notna() & (ledger["evidence"].astype("string").str.strip() != "")


def ledger_totals(ledger: pd.DataFrame) -> pd.DataFrame:
    """Verified and unverified totals per KPI (1-7, zeros included).

    Columns: kpi, verified (sum of values with an evidence reference), unverified (without),
    entries (rows).
    """
    has_evidence = is_verified(ledger)
    frame = ledger.assign(
        verified=ledger["value"].where(has_evidence, 0.0), unverified=ledger["value"].where(~has_evidence, 0.0)
    )
    totals = frame.groupby("kpi")[["verified", "unverified"]].sum()
    totals["entries"] = frame.groupby("kpi").size()
    totals = totals.reindex(range(1, 8), fill_value=0)
    return totals.rename_axis("kpi").reset_index()


def ledger_by_cluster(ledger: pd.DataFrame) -> pd.DataFrame:
    """Verified totals per event KPI (rows) and cluster (columns), with a total column."""
    verified = ledger[is_verified(ledger) & ledger["kpi"].isin(EVENT_KPIS)]
    table = verified.pivot_table(index="kpi", columns="cluster", values="value", aggfunc="sum", fill_value=0)
    table = table.reindex(index=list(EVENT_KPIS), columns=list(reference.CLUSTER_IDS), fill_value=0)
    table["total"] = table.sum(axis=1)
    return table


def quarterly_counts(ledger: pd.DataFrame, kpi: int, start: pd.Period, end: pd.Period) -> pd.Series:
    """Verified count of one KPI per quarter from ``start`` to ``end`` (quarters without entries: 0)."""
    rows = ledger[(ledger["kpi"] == kpi) & is_verified(ledger)]
    counts = rows.groupby(rows["date"].dt.to_period("Q"))["value"].sum()
    return counts.reindex(pd.period_range(start, end, freq="Q"), fill_value=0.0).rename(f"KPI {kpi}")


# --- Survey ----------------------------------------------------------------------------------


def export_share_changes(companies: pd.DataFrame, waves: pd.DataFrame) -> pd.DataFrame:
    """Each SME's export share at its first answer and at its latest later answer.

    Columns: company, cluster, target_group, first_date, first_share, latest_date,
    latest_share, rise_pp (percentage points), status: 'risen', 'not risen',
    'no later wave' (one answer only) or 'no answer'. Answers without an export
    share are skipped; an SME is never dropped silently.
    """
    answered = waves.dropna(subset=["export_share_pct"]).sort_values(["company", "wave_date"])
    first = answered.groupby("company").first()
    last = answered.groupby("company").last()
    table = companies[["id", "cluster", "target_group"]].rename(columns={"id": "company"}).set_index("company")
    table["first_date"] = first["wave_date"]
    table["first_share"] = first["export_share_pct"]
    table["latest_date"] = last["wave_date"]
    table["latest_share"] = last["export_share_pct"]
    single = table["latest_date"] == table["first_date"]
    table.loc[single, ["latest_date", "latest_share"]] = np.nan
    table["rise_pp"] = table["latest_share"] - table["first_share"]
    table["status"] = np.select(
        [table["first_share"].isna(), table["latest_share"].isna(), table["rise_pp"] > 0],
        ["no answer", "no later wave", "risen"],
        default="not risen",
    )
    return table.reset_index()


@dataclass(frozen=True)
class SurveyKpis:
    """KPIs 5 and 6 for one group of SMEs (see :func:`survey_kpis`)."""

    group: str
    smes: int
    compared: int  # SMEs with a first and a later export share
    missing: int  # SMEs with one answer or none: reported, not dropped
    risen: int  # KPI 5
    risen_share: float  # risen / compared
    mean_first_pct: float
    mean_latest_pct: float
    rise_pp: float  # mean change in percentage points
    relative_rise_pct: float  # KPI 6: mean latest / mean first - 1, in percent
    risers_relative_rise_pct: float  # the same over the SMEs that rose (the roadmap's "15% on average")


def survey_kpis(changes: pd.DataFrame, group: str = "all") -> SurveyKpis:
    """KPI 5 (SMEs whose export share rose) and KPI 6 (relative rise of the mean share)."""
    rows = changes if group == "all" else changes[changes["target_group"] == group]
    compared = rows[rows["status"].isin(["risen", "not risen"])]
    risers = compared[compared["status"] == "risen"]

    def relative(frame: pd.DataFrame) -> float:
        base = frame["first_share"].mean()
        if not len(frame) or not base > 0:
            return float("nan")
        return float(100 * (frame["latest_share"].mean() / base - 1))

    return SurveyKpis(
        group=group,
        smes=len(rows),
        compared=len(compared),
        missing=len(rows) - len(compared),
        risen=len(risers),
        risen_share=len(risers) / len(compared) if len(compared) else float("nan"),
        mean_first_pct=float(compared["first_share"].mean()),
        mean_latest_pct=float(compared["latest_share"].mean()),
        rise_pp=float(compared["rise_pp"].mean()),
        relative_rise_pct=relative(compared),
        risers_relative_rise_pct=relative(risers),
    )


def survey_kpi_table(data: Dataset) -> pd.DataFrame:
    """KPIs 5 and 6 for the direct group, the indirect group and all SMEs, one row each."""
    changes = export_share_changes(data.companies, data.survey_waves)
    return pd.DataFrame([vars(survey_kpis(changes, g)) for g in ("direct", "indirect", "all")])


def survey_kpi_history(data: Dataset) -> pd.DataFrame:
    """KPIs 5 and 6 for all SMEs as known at each yearly wave date: the series to forecast.

    Index: the dates of the yearly waves (one a year); columns: kpi5 (SMEs risen),
    kpi6 (relative rise of the mean export share, percent).
    """
    dates = sorted(data.survey_waves.loc[data.survey_waves["wave"] == "yearly", "wave_date"].unique())
    rows = []
    for date in dates:
        known = data.survey_waves[data.survey_waves["wave_date"] <= date]
        result = survey_kpis(export_share_changes(data.companies, known))
        rows.append({"date": pd.Timestamp(date), "kpi5": float(result.risen), "kpi6": result.relative_rise_pct})
    history = pd.DataFrame(rows, columns=["date", "kpi5", "kpi6"]).set_index("date")
    month = history.index[-1].strftime("%b").upper() if len(history) else "DEC"
    history.index = pd.PeriodIndex(history.index, freq=f"Y-{month}")  # years ending at the wave month
    return history


def waves_until(series: pd.Series, target_date: pd.Timestamp) -> int:
    """Yearly waves after the series' last one up to ``target_date`` (at least one: the exit survey)."""
    horizon = horizon_to(series, target_date)
    if (series.index[-1] + horizon).end_time > target_date:
        horizon -= 1
    return max(horizon, 1)


# --- The roadmap's funnel --------------------------------------------------------------------


def elapsed_share(quarter: pd.Period, action_start: str | pd.Timestamp, target_date: str | pd.Timestamp) -> float:
    """Share of the action (``action_start`` to ``target_date``) passed at the end of ``quarter``,
    clipped to 0-1: the time elapsed over the action's whole length."""
    start, end = pd.Timestamp(action_start), pd.Timestamp(target_date)
    return min(1.0, max(0.0, (quarter_end(quarter) - start) / (end - start)))


def funnel_comparison(data: Dataset, funnel: Funnel, elapsed: float) -> pd.DataFrame:
    """The roadmap's assumptions next to what the data show so far.

    ``elapsed`` is the share of the action that has passed (0-1); counts that build up over
    the action are compared with the roadmap's figure times ``elapsed``.
    Columns: assumption, roadmap, expected_by_now, observed, holding (bool or NA), note.
    """
    groups = data.companies["target_group"].value_counts()
    survey = survey_kpis(export_share_changes(data.companies, data.survey_waves))
    agreements = ledger_totals(data.kpi_ledger).set_index("kpi").loc[2, "verified"]
    rows = [
        ("direct SMEs", funnel.direct_smes, funnel.direct_smes, groups.get("direct", 0), ""),
        ("indirect SMEs", funnel.indirect_smes, funnel.indirect_smes, groups.get("indirect", 0), ""),
        (
            "agreements signed (1/8 of direct + 1/20 of indirect SMEs)",
            funnel.agreements,
            funnel.agreements * elapsed,
            agreements,
            "observed: verified KPI 2 entries, the ledger's nearest measure of SME agreements",
        ),
        (
            "share of SMEs raising their international share",
            100 * funnel.rising_share,
            100 * funnel.rising_share,
            100 * survey.risen_share,
            "percent of SMEs with two answers",
        ),
        (
            "average rise among them",
            funnel.rise_pct,
            funnel.rise_pct,
            survey.risers_relative_rise_pct,
            "percent, relative rise of their mean export share",
        ),
        ("SMEs raising their international share", funnel.rising_smes, funnel.rising_smes * elapsed, survey.risen, ""),
        (
            "R&D investment attracted, EUR m",
            funnel.rd_investment_eur_m,
            funnel.rd_investment_eur_m * elapsed,
            np.nan,
            "not collected in the data yet",
        ),
    ]
    table = pd.DataFrame(rows, columns=["assumption", "roadmap", "expected_by_now", "observed", "note"])
    table["holding"] = (table["observed"] >= table["expected_by_now"]).where(table["observed"].notna())
    return table


# --- Status and forecasts --------------------------------------------------------------------


@dataclass
class KpiForecast:
    """One KPI's actual, forecast at the target date and probability of reaching the target.

    ``history`` is the series forecast: verified counts per quarter (KPIs 1-4, 7) or the KPI at
    each yearly survey wave (KPIs 5, 6). ``choice`` is None only for a survey KPI with fewer than
    MIN_SURVEY_POINTS values in its history; its probability is then NaN and its light 'too early'.
    """

    kpi: int
    description: str
    target: float
    unit: str
    actual: float
    unverified: float  # ledger entries without evidence (NaN for the survey KPIs 5 and 6)
    history: pd.Series
    choice: Choice | None  # None: too little history to forecast
    cumulative: bool  # counts add up; survey KPIs are levels
    probability: float
    light: str

    def at_target(self, level: float = 0.8) -> pd.Series:
        """Forecast mean, lower and upper at the target date (NaN without a forecast)."""
        if self.choice is None:
            return pd.Series({"mean": np.nan, "lower": np.nan, "upper": np.nan})
        start = self.actual if self.cumulative else 0.0
        frame = (
            self.choice.forecast.cumulative(start=start, level=level)
            if self.cumulative
            else self.choice.forecast.frame(level=level)
        )
        return frame.iloc[-1]


@dataclass
class KpiReport:
    """Everything the KPI page shows for one quarter."""

    quarter: pd.Period
    target_date: pd.Timestamp
    forecasts: list[KpiForecast]

    def on_track(self) -> int:
        """KPIs that have reached their target or are on track to reach it."""
        return sum(f.light in ("reached", "on track") for f in self.forecasts)

    def status_table(self) -> pd.DataFrame:
        """One row per KPI.

        Columns: kpi, description, target, unit, actual (verified), unverified, forecast,
        forecast_low, forecast_high (mean and 80% interval at the target date), p_target
        (probability of reaching the target), status (traffic light), model (the chosen method).
        """
        rows = []
        for f in self.forecasts:
            at = f.at_target()
            rows.append(
                {
                    "kpi": f.kpi,
                    "description": f.description,
                    "target": f.target,
                    "unit": f.unit,
                    "actual": f.actual,
                    "unverified": f.unverified,
                    "forecast": at["mean"],
                    "forecast_low": at["lower"],
                    "forecast_high": at["upper"],
                    "p_target": f.probability,
                    "status": f.light,
                    "model": f.choice.chosen if f.choice else "none: too little history",
                }
            )
        return pd.DataFrame(rows)

    def backtest_table(self) -> pd.DataFrame:
        """The rolling-origin back-test of each KPI's series: MASE per method and the choice made."""
        frames = []
        for f in self.forecasts:
            if f.choice is None or f.choice.backtest.empty:
                continue
            table = f.choice.backtest.astype({"mase": float, "origins": int})
            table.insert(0, "kpi", f.kpi)
            table["chosen"] = table["method"] == f.choice.chosen
            frames.append(table)
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=["kpi", "method", "mase", "origins", "chosen"])
        )

    def most_at_risk(self, n: int = 3) -> list[KpiForecast]:
        """The n KPIs least likely to reach their target (reached ones excluded)."""
        open_kpis = [f for f in self.forecasts if f.light not in ("reached", "too early")]
        return sorted(open_kpis, key=lambda f: f.probability)[:n]


def kpi_report(
    data: Dataset,
    quarter: pd.Period,
    target_date: str | pd.Timestamp,
    action_start: str | pd.Timestamp,
    n_paths: int = 5000,
    seed: int = 1,
) -> KpiReport:
    """Status, forecasts and probabilities of every KPI as of the end of ``quarter``.

    ParameterError when the action starts after ``quarter`` or the target date falls in or
    before it (there is then no history or no future to forecast).
    """
    target_date = pd.Timestamp(target_date)
    start = pd.Period(pd.Timestamp(action_start), freq="Q")
    if start > quarter:
        raise ParameterError(f"the action starts in {start}, after the report quarter {quarter}")
    if pd.Period(target_date, freq="Q") <= quarter:
        raise ParameterError(
            f"the target date {target_date:%Y-%m-%d} falls in or before the report "
            f"quarter {quarter}: there is nothing left to forecast"
        )
    targets = reference.kpi_targets().set_index("kpi")
    totals = ledger_totals(data.kpi_ledger).set_index("kpi")
    forecasts = []
    for kpi in EVENT_KPIS:
        series = quarterly_counts(data.kpi_ledger, kpi, start, quarter)
        horizon = horizon_to(series, target_date)
        chosen = choose_forecast(
            series, kind="count", horizon=horizon, n_paths=n_paths, seed=seed + kpi, backtest_horizon=BACKTEST_HORIZON
        )
        actual = float(totals.loc[kpi, "verified"])
        target = float(targets.loc[kpi, "target"])
        probability = chosen.forecast.probability_at_least(target, start=actual, cumulative=True)
        forecasts.append(
            KpiForecast(
                kpi,
                targets.loc[kpi, "description"],
                target,
                targets.loc[kpi, "unit"],
                actual,
                float(totals.loc[kpi, "unverified"]),
                series,
                chosen,
                True,
                probability,
                traffic_light(probability, actual >= target),
            )
        )
    survey = survey_kpi_history(data)
    for kpi, column in ((5, "kpi5"), (6, "kpi6")):
        series = survey[column].dropna()
        actual = float(series.iloc[-1]) if len(series) else 0.0
        target = float(targets.loc[kpi, "target"])
        choice: Choice | None = None
        probability = float("nan")
        if len(series) >= MIN_SURVEY_POINTS:
            choice = choose_forecast(
                series,
                kind="level",
                horizon=waves_until(series, target_date),
                n_paths=n_paths,
                seed=seed + kpi,
                backtest_horizon=BACKTEST_HORIZON,
            )
            probability = choice.forecast.probability_at_least(target, cumulative=False)
        forecasts.append(
            KpiForecast(
                kpi,
                targets.loc[kpi, "description"],
                target,
                targets.loc[kpi, "unit"],
                actual,
                float("nan"),
                series,
                choice,
                False,
                probability,
                traffic_light(probability, actual >= target),
            )
        )
    forecasts.sort(key=lambda f: f.kpi)
    return KpiReport(quarter, target_date, forecasts)


def previous_quarter_report(
    data: Dataset,
    quarter: pd.Period,
    target_date: str | pd.Timestamp,
    action_start: str | pd.Timestamp,
    n_paths: int = 5000,
    seed: int = 1,
) -> KpiReport | None:
    """:func:`kpi_report` for the quarter before ``quarter`` on the data as known at its end;
    None when ``quarter`` is the action's first."""
    previous = quarter - 1
    if previous < pd.Period(pd.Timestamp(action_start), freq="Q"):
        return None
    return kpi_report(data.cut(quarter_end(previous)), previous, target_date, action_start, n_paths=n_paths, seed=seed)


def quarter_deltas(now: KpiReport, before: KpiReport) -> pd.DataFrame:
    """What moved since the previous quarter: actual and P(target) per KPI, then and now."""
    a = now.status_table().set_index("kpi")
    b = before.status_table().set_index("kpi")
    table = pd.DataFrame(
        {
            "description": a["description"],
            "actual_before": b["actual"],
            "actual_now": a["actual"],
            "actual_change": a["actual"] - b["actual"],
            "p_before": b["p_target"],
            "p_now": a["p_target"],
            "p_change": a["p_target"] - b["p_target"],
            "status_before": b["status"],
            "status_now": a["status"],
        }
    )
    return table.reset_index()
