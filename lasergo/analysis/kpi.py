"""KPI tracking: progress on the seven KPIs (roadmap §2.4), the roadmap's funnel, forecasts.

- KPIs 1-4 and 7 are counted from the KPI ledger. Only entries with an evidence
  reference count: the roadmap attributes a result only with proof of the
  partnership's involvement (§2.3). Entries without one are shown as unverified.
- KPIs 5 and 6 are measured by survey (§2.3, §2.4): from each SME's entry answer
  to its latest answer. KPI 5 counts the SMEs whose export share rose; KPI 6 is the
  relative rise of the panel's mean export share, in percent (the roadmap says
  "increase in the percentage of the turnover from international activities" by
  20%; we read it as a relative rise of the share, and also show percentage points).
- The two indicators the roadmap monitors in every survey wave (§2.3), export share of sales and
  R&D spending as a share of revenue, are summarised per wave (entry, yearly, exit) and target group,
  the waves not yet held or without answers kept as rows (:func:`indicator_waves`).
- R&D funding attracted (optional table ``rd_funding``) is set against the roadmap's expectation of
  about EUR 20 m with co-funding (§2.3); verified entries only (:func:`rd_funding_summary`).
- Forecasts to the target date come from :mod:`lasergo.analysis.forecast`, the method
  chosen by back-tests scored at every horizon up to the target date. What is forecast is
  the KPI at the target date: the cumulative count by then (KPIs 1-4, 7) or the value at
  the last yearly survey wave up to then (KPIs 5, 6). Its median, its 80% interval
  (P10-P90) and the probability of reaching the target are all read off the same
  simulated paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lasergo.analysis.forecast import Choice, choose_forecast, horizon_to, scorable_horizon
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

#: Periods (quarters, or yearly waves) fitted before the first back-test origin: two years of
#: quarters, two full seasons for the seasonal naive forecast.
MIN_TRAIN = 8


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


#: The two indicators the roadmap monitors in every wave (§2.3), by their survey column.
INDICATORS = {"export_share_pct": "export", "rd_share_pct": "rd"}
#: Yearly waves after the action's end (roadmap §2.3: monitored yearly for five years).
YEARS_AFTER_ACTION = 5
#: The month and day a yearly wave is due (tax-return time) when no yearly wave was held yet.
YEARLY_WAVE_DAY = (6, 30)


def wave_schedule(
    waves: pd.DataFrame,
    action_start: str | pd.Timestamp,
    target_date: str | pd.Timestamp,
    years_after: int = YEARS_AFTER_ACTION,
) -> pd.DataFrame:
    """The roadmap's survey waves (§2.3): the entry survey, a yearly wave at tax-return time every year
    from the action's first year to ``years_after`` years after its end, and the exit survey at its end.

    A yearly wave is due on the month and day most of the yearly answers carry (30 June without any);
    years with answers outside that range are added, so that no answer is left out. Columns: wave
    ('entry', 'yearly 2025', 'exit'), kind (entry, yearly or exit), year (Int64; NA for entry), due
    (NaT for entry: each SME answers it at joining); in the order the waves fall.
    """
    start, end = pd.Timestamp(action_start), pd.Timestamp(target_date)
    yearly = waves.loc[waves["wave"] == "yearly", "wave_date"]
    month, day = (
        YEARLY_WAVE_DAY if yearly.empty else yearly.map(lambda d: (d.month, d.day)).value_counts().sort_index().idxmax()
    )
    years = sorted(set(range(start.year, end.year + years_after + 1)) | set(yearly.dt.year.astype(int)))
    yearly_rows = [
        {"wave": f"yearly {y}", "kind": "yearly", "year": y, "due": pd.Timestamp(y, month, day)} for y in years
    ]
    rows = [
        {"wave": "entry", "kind": "entry", "year": pd.NA, "due": pd.NaT},
        *[row for row in yearly_rows if row["due"] <= end],
        {"wave": "exit", "kind": "exit", "year": pd.NA, "due": end},
        *[row for row in yearly_rows if row["due"] > end],
    ]
    return pd.DataFrame(rows).astype({"year": "Int64", "due": "datetime64[ns]"})


def indicator_waves(
    companies: pd.DataFrame,
    waves: pd.DataFrame,
    as_of: pd.Timestamp,
    action_start: str | pd.Timestamp,
    target_date: str | pd.Timestamp,
    years_after: int = YEARS_AFTER_ACTION,
) -> pd.DataFrame:
    """The two indicators of roadmap §2.3, export share of sales and R&D spending as a share of
    revenue, per wave of :func:`wave_schedule` and target group (direct, indirect): the mean of the
    SMEs' answers, and how many SMEs gave each.

    An SME answering a wave twice counts once, with its latest answer. Every scheduled wave and group
    has a row; ``status`` says why one has no figures: 'held' (the wave has answers), 'not yet held'
    (due after ``as_of``, or the exit survey before the action's end) or 'no answers' (due and
    passed without any). Columns: wave, kind, year, due, status, group, smes (SMEs of the group
    answering the wave), export_n, export_mean_pct, rd_n, rd_mean_pct (NaN means where nobody
    answered).
    """
    schedule = wave_schedule(waves, action_start, target_date, years_after)
    groups = companies.set_index("id")["target_group"]
    answers = waves.assign(
        group=waves["company"].map(groups),
        label=np.where(waves["wave"] == "yearly", "yearly " + waves["wave_date"].dt.year.astype(str), waves["wave"]),
    )
    answers = answers.sort_values("wave_date").groupby(["label", "company"]).last().reset_index()
    held = set(answers["label"])
    rows = []
    for wave in schedule.itertuples(index=False):
        if wave.wave in held:
            status = "held"
        elif wave.kind == "entry" or wave.due <= as_of:
            status = "no answers"
        else:
            status = "not yet held"
        for group in ("direct", "indirect"):
            here = answers[(answers["label"] == wave.wave) & (answers["group"] == group)]
            row = {**wave._asdict(), "status": status, "group": group, "smes": here["company"].nunique()}
            for column, name in INDICATORS.items():
                values = here[column].dropna()
                row[f"{name}_n"] = len(values)
                row[f"{name}_mean_pct"] = float(values.mean()) if len(values) else float("nan")
            rows.append(row)
    return pd.DataFrame(rows).astype({"year": "Int64"})


def indicators_by_wave(
    data: Dataset, quarter: pd.Period, action_start: str | pd.Timestamp, target_date: str | pd.Timestamp
) -> pd.DataFrame:
    """:func:`indicator_waves` of the data as known at the end of ``quarter``."""
    return indicator_waves(data.companies, data.survey_waves, quarter_end(quarter), action_start, target_date)


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
    """The roadmap's target-group funnel (§2.3) next to what the data show so far.

    ``elapsed`` is the share of the action that has passed (0-1); agreements, which build up
    over the action, are expected in proportion to it. The outcomes that a KPI of §2.4 measures
    with its own target (SMEs raising their international share: KPI 5; by how much: KPI 6) are
    shown without a verdict of their own: the KPI's status is the verdict.

    Columns: measure (key), assumption, unit, stated (the figure as the roadmap states it; NaN
    where it states only the arithmetic), recomputed (the workbook's arithmetic from the
    funnel's inputs; NaN where there is none), expected_by_now, observed, holding (bool; NA
    where not measured, not due yet, or where KPI 5 or 6 gives the verdict), kpi (the KPI of
    §2.4 that measures the same outcome, or NA: KPI 2 for the agreements, with its own target).
    """
    groups = data.companies["target_group"].value_counts()
    survey = survey_kpis(export_share_changes(data.companies, data.survey_waves))
    agreements = float(ledger_totals(data.kpi_ledger).set_index("kpi").loc[2, "verified"])
    funding = rd_funding_summary(data.rd_funding, funnel.rd_investment_stated_eur_m)
    conversions = (
        f"1 in {1 / funnel.direct_conversion:g} direct and 1 in {1 / funnel.indirect_conversion:g} indirect SMEs"
    )

    def row(measure, assumption, unit, stated=np.nan, recomputed=np.nan, expected=np.nan, observed=np.nan, kpi=None):
        holding = pd.NA if np.isnan(expected) or np.isnan(observed) or kpi in (5, 6) else bool(observed >= expected)
        return {
            "measure": measure,
            "assumption": assumption,
            "unit": unit,
            "stated": stated,
            "recomputed": recomputed,
            "expected_by_now": expected,
            "observed": observed,
            "holding": holding,
            "kpi": kpi if kpi is not None else pd.NA,
        }

    rows = [
        row(
            "direct_smes",
            "SMEs in the direct target group",
            "SMEs",
            funnel.direct_smes,
            expected=funnel.direct_smes,
            observed=float(groups.get("direct", 0)),
        ),
        row(
            "indirect_smes",
            "SMEs in the indirect target group",
            "SMEs",
            funnel.indirect_smes,
            expected=funnel.indirect_smes,
            observed=float(groups.get("indirect", 0)),
        ),
        row(
            "agreements",
            f"Agreements or MoUs signed ({conversions})",
            "agreements",
            funnel.agreements_stated,
            funnel.agreements,
            funnel.agreements_stated * elapsed,
            agreements,
            kpi=2,
        ),
        row(
            "rising_share",
            "Share of SMEs raising their international share of turnover",
            "percent",
            100 * funnel.rising_share,
            observed=100 * survey.risen_share,
            kpi=5,
        ),
        row(
            "rising_smes",
            f"SMEs raising their international share of turnover ({funnel.rising_share:.0%} of "
            f"the {funnel.direct_smes + funnel.indirect_smes:g})",
            "SMEs",
            recomputed=funnel.rising_smes,
            observed=float(survey.risen),
            kpi=5,
        ),
        row(
            "average_rise",
            "Average rise of the international share among them",
            "percent",
            funnel.rise_pct,
            observed=survey.risers_relative_rise_pct,
            kpi=6,
        ),
        row(
            "rd_investment",
            "R&D investment attracted within two years after the action",
            "EUR m",
            funnel.rd_investment_stated_eur_m,
            funnel.rd_investment_eur_m,
            observed=funding.total_eur_m,
        ),
    ]
    table = pd.DataFrame(rows)
    return table.astype({"holding": "boolean", "kpi": "Int64"})


# --- R&D funding --------------------------------------------------------------------------------

_FUNDING_COLUMNS = ("cluster", "projects", "funding_eur_m", "cofunding_eur_m", "total_eur_m")


@dataclass(frozen=True)
class RdFunding:
    """R&D funding attracted by the partnership's agreements against the roadmap's expectation (§2.3:
    about EUR 20 m in two years, the funding matched by co-funding).

    Only entries with an evidence reference count, as for the KPI ledger (§2.3); a blank co-funding
    counts as 0. ``collected`` is False when the ``rd_funding`` table has no entry: then every total
    is NaN ("not collected", never 0). ``by_cluster``: one row per cluster with a verified entry,
    columns cluster, projects, funding_eur_m, cofunding_eur_m, total_eur_m.
    """

    collected: bool
    expected_eur_m: float
    projects: int  # verified entries
    funding_eur_m: float  # verified funding
    cofunding_eur_m: float  # verified co-funding (blank: 0)
    cofunding_unknown: int  # verified entries without a co-funding figure
    unverified_eur_m: float  # funding and co-funding of the entries without evidence
    unverified_projects: int
    by_cluster: pd.DataFrame

    @property
    def total_eur_m(self) -> float:
        """Verified funding plus co-funding: the figure set against the expectation (NaN if not collected)."""
        return self.funding_eur_m + self.cofunding_eur_m

    @property
    def share_of_expected(self) -> float:
        """The total as a share of the expectation (NaN if not collected)."""
        return self.total_eur_m / self.expected_eur_m


def rd_funding_summary(rd_funding: pd.DataFrame, expected_eur_m: float | None = None) -> RdFunding:
    """Totals of the ``rd_funding`` table (verified entries only) against ``expected_eur_m``
    (default: the roadmap's stated figure, :attr:`Funnel.rd_investment_stated_eur_m`)."""
    if expected_eur_m is None:
        expected_eur_m = Funnel.from_reference().rd_investment_stated_eur_m
    if rd_funding.empty:
        nan = float("nan")
        return RdFunding(False, expected_eur_m, 0, nan, nan, 0, nan, 0, pd.DataFrame(columns=list(_FUNDING_COLUMNS)))
    entries = rd_funding.assign(
        cofunding=rd_funding["cofunding_eur_m"].astype(float).fillna(0.0),
        verified=is_verified(rd_funding).to_numpy(),
    )
    verified, unverified = entries[entries["verified"]], entries[~entries["verified"]]
    by_cluster = (
        verified.groupby("cluster")
        .agg(projects=("project", "size"), funding_eur_m=("amount_eur_m", "sum"), cofunding_eur_m=("cofunding", "sum"))
        .reset_index()
    )
    by_cluster["total_eur_m"] = by_cluster["funding_eur_m"] + by_cluster["cofunding_eur_m"]
    return RdFunding(
        collected=True,
        expected_eur_m=expected_eur_m,
        projects=len(verified),
        funding_eur_m=float(verified["amount_eur_m"].sum()),
        cofunding_eur_m=float(verified["cofunding"].sum()),
        cofunding_unknown=int(verified["cofunding_eur_m"].isna().sum()),
        unverified_eur_m=float((unverified["amount_eur_m"] + unverified["cofunding"]).sum()),
        unverified_projects=len(unverified),
        by_cluster=by_cluster.sort_values("total_eur_m", ascending=False, ignore_index=True),
    )


# --- Status and forecasts --------------------------------------------------------------------


def check_forecast_window(quarter: pd.Period, action_start: pd.Timestamp, target_date: pd.Timestamp) -> None:
    """ParameterError when the action starts after ``quarter`` or the target date falls in or before it:
    there is then no history or no future to forecast."""
    start = pd.Period(action_start, freq="Q")
    if start > quarter:
        raise ParameterError(f"the action starts in {start}, after the report quarter {quarter}")
    if pd.Period(target_date, freq="Q") <= quarter:
        raise ParameterError(
            f"the target date {target_date:%Y-%m-%d} falls in or before the report "
            f"quarter {quarter}: there is nothing left to forecast"
        )


def choose_kpi_forecast(
    series: pd.Series,
    kind: str,
    horizon: int,
    n_paths: int,
    seed: int,
    season: int = 4,
) -> Choice:
    """:func:`lasergo.analysis.forecast.choose_forecast` as the KPIs use it: ``MIN_TRAIN`` periods
    fitted before the first back-test origin, each method scored at every horizon from 1 to
    ``horizon`` as far as the history allows (:func:`lasergo.analysis.forecast.scorable_horizon`)."""
    return choose_forecast(
        series,
        kind=kind,
        horizon=horizon,
        n_paths=n_paths,
        seed=seed,
        season=season,
        min_train=MIN_TRAIN,
        backtest_horizon=scorable_horizon(len(series), horizon, MIN_TRAIN),
    )


def path_outcomes(choice: Choice | None, actual: float, cumulative: bool) -> np.ndarray:
    """The value at the end of each simulated path: the total so far plus the path's sum (counts),
    or the path's last value (levels); empty without a forecast."""
    if choice is None:
        return np.empty(0)
    paths = choice.forecast.paths
    return actual + paths.sum(axis=1) if cumulative else paths[:, -1]


def backtest_rows(choice: Choice) -> pd.DataFrame:
    """A choice's back-test, one row per method.

    Columns: method, mase (the mean over the horizons scored: the choice is made on it), origins
    (forecast origins scoring the longest horizon), chosen (bool), then one column per horizon h
    scored, ``mase_h`` (MASE h periods ahead).
    """
    table = choice.backtest.astype({"mase": float, "origins": int})
    table["chosen"] = table["method"] == choice.chosen
    by_horizon = choice.by_horizon.pivot(index="method", columns="horizon", values="mase")
    by_horizon.columns = [f"mase_{h}" for h in by_horizon.columns]
    return table.join(by_horizon, on="method")


class PathOutlook:
    """A count or level and its outlook at the target date, read off one set of simulated paths: what
    :class:`KpiForecast` and :class:`lasergo.analysis.network.Growth` share.

    A subclass holds ``target``, ``actual`` (so far), ``history`` (the series forecast), ``choice``
    (None: no forecast), ``cumulative`` (counts add up; levels do not) and ``outcomes`` (the value at
    the target date on each simulated path of ``choice.forecast``, :func:`path_outcomes`; empty
    without a forecast). The forecast (median), its 80% interval (P10-P90) and the probability of
    reaching the target are all read off ``outcomes``.
    """

    target: float
    actual: float
    history: pd.Series
    choice: Choice | None
    cumulative: bool
    outcomes: np.ndarray

    @property
    def probability(self) -> float:
        """Share of the simulated paths at or above the target at the target date (NaN without any)."""
        return float(np.mean(self.outcomes >= self.target)) if len(self.outcomes) else float("nan")

    @property
    def light(self) -> str:
        """The traffic light (:func:`traffic_light`)."""
        return traffic_light(self.probability, self.actual >= self.target)

    def at_target(self) -> pd.Series:
        """The value at the target date over the paths: expected (mean), p10, median (P50), p90 (NaN
        without a forecast)."""
        if not len(self.outcomes):
            return pd.Series(dict.fromkeys(["expected", "p10", "median", "p90"], np.nan))
        p10, median, p90 = np.quantile(self.outcomes, [0.1, 0.5, 0.9])
        return pd.Series({"expected": self.outcomes.mean(), "p10": p10, "median": median, "p90": p90})

    def path_summary(self) -> pd.DataFrame:
        """The same paths period by period up to the target date, for a fan chart: mean, lower (P10),
        median, upper (P90); running totals from the actual for counts. Its last row is
        :meth:`at_target`. Empty without a forecast."""
        if self.choice is None:
            return pd.DataFrame(columns=["mean", "lower", "median", "upper"])
        forecast = self.choice.forecast
        return forecast.cumulative(start=self.actual) if self.cumulative else forecast.frame()


@dataclass
class KpiForecast(PathOutlook):
    """One KPI's actual and, from one set of simulated paths, its outlook at the target date
    (:class:`PathOutlook`).

    ``history`` is the series forecast: verified counts per quarter (KPIs 1-4, 7) or the KPI at
    each yearly survey wave (KPIs 5, 6). ``outcomes`` holds the KPI at the target date on each
    simulated path of ``choice.forecast``: the total so far plus the path's future counts (the
    cumulative count by the target date) or the path's value at the last yearly wave up to the
    target date. ``choice`` is None, ``outcomes`` empty, the probability NaN and the light 'too
    early' only for a survey KPI with fewer than MIN_SURVEY_POINTS values in its history.
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
    outcomes: np.ndarray  # the KPI at the target date, one value per simulated path


@dataclass
class KpiReport:
    """Everything the KPI page shows for one quarter."""

    quarter: pd.Period
    target_date: pd.Timestamp
    forecasts: list[KpiForecast]

    def on_track(self) -> int:
        """KPIs that have reached their target or are on track to reach it."""
        return sum(f.light in ("reached", "on track") for f in self.forecasts)

    def verdict(self) -> str:
        """The page's answer, the worst status among the KPIs: 'off track' if any KPI is off track
        (its chance of reaching the target under ``AT_RISK``), else 'at risk' if any is at risk (under
        ``ON_TRACK``), else 'on track' (every KPI reached or on track). KPIs too early to forecast
        are left out."""
        lights = {f.light for f in self.forecasts}
        return next((light for light in ("off track", "at risk") if light in lights), "on track")

    def status_table(self) -> pd.DataFrame:
        """One row per KPI.

        Columns: kpi, description, target, unit, actual (verified), unverified, forecast (the
        median (P50) of the KPI at the target date over the simulated paths), forecast_low and
        forecast_high (its P10 and P90: the 80% interval), expected (the mean), p_target (the
        share of the same paths reaching the target), status (traffic light), model (the
        chosen method: count model, level model, naive, seasonal naive; or "none: too little
        history"), method (the forecast's own name, e.g. "Poisson rate"), horizons (the
        back-test scored 1 to this many periods ahead; 0 when not back-tested).
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
                    "forecast": at["median"],
                    "forecast_low": at["p10"],
                    "forecast_high": at["p90"],
                    "expected": at["expected"],
                    "p_target": f.probability,
                    "status": f.light,
                    "model": f.choice.chosen if f.choice else "none: too little history",
                    "method": f.choice.forecast.model if f.choice else "",
                    "horizons": f.choice.horizons if f.choice else 0,
                }
            )
        return pd.DataFrame(rows)

    def backtest_table(self) -> pd.DataFrame:
        """The rolling-origin back-test of each KPI's series, one row per KPI and method.

        Columns: kpi, then those of :func:`backtest_rows`.
        """
        frames = []
        for f in self.forecasts:
            if f.choice is None or f.choice.backtest.empty:
                continue
            table = backtest_rows(f.choice)
            table.insert(0, "kpi", f.kpi)
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

    Each method is back-tested at every horizon from 1 to the target date's, as far as the
    history allows (:func:`lasergo.analysis.forecast.scorable_horizon`), and the one with the
    lowest MASE averaged over those horizons is used. ParameterError when the action starts
    after ``quarter`` or the target date falls in or before it (there is then no history or no
    future to forecast).
    """
    target_date = pd.Timestamp(target_date)
    check_forecast_window(quarter, pd.Timestamp(action_start), target_date)
    start = pd.Period(pd.Timestamp(action_start), freq="Q")
    targets = reference.kpi_targets().set_index("kpi")
    totals = ledger_totals(data.kpi_ledger).set_index("kpi")

    def kpi_forecast(kpi: int, actual: float, unverified: float, series: pd.Series, choice, cumulative: bool):
        return KpiForecast(
            kpi,
            targets.loc[kpi, "description"],
            float(targets.loc[kpi, "target"]),
            targets.loc[kpi, "unit"],
            actual,
            unverified,
            series,
            choice,
            cumulative,
            path_outcomes(choice, actual, cumulative),
        )

    forecasts = []
    for kpi in EVENT_KPIS:
        series = quarterly_counts(data.kpi_ledger, kpi, start, quarter)
        chosen = choose_kpi_forecast(series, "count", horizon_to(series, target_date), n_paths, seed + kpi)
        actual = float(totals.loc[kpi, "verified"])
        forecasts.append(kpi_forecast(kpi, actual, float(totals.loc[kpi, "unverified"]), series, chosen, True))
    survey = survey_kpi_history(data)
    for kpi, column in ((5, "kpi5"), (6, "kpi6")):
        series = survey[column].dropna()
        actual = float(series.iloc[-1]) if len(series) else 0.0
        choice: Choice | None = None
        if len(series) >= MIN_SURVEY_POINTS:
            choice = choose_kpi_forecast(
                series, "level", waves_until(series, target_date), n_paths, seed + kpi, season=1
            )
        forecasts.append(kpi_forecast(kpi, actual, float("nan"), series, choice, False))
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
