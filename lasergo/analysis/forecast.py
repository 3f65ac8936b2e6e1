"""Forecasts with intervals for any KPI series, and the back-tests that choose the method.

Every forecast is a set of simulated future paths (:class:`Forecast`), so the
per-period interval, the interval of a running total and the probability of
reaching a target all come from the same draws. :func:`forecast_counts` models
event counts per period, :func:`forecast_level` a continuous indicator;
:func:`naive`, :func:`seasonal_naive` and :func:`drift` are the benchmarks, and
:func:`choose_forecast` keeps the model only when a rolling-origin back-test,
scored at every horizon up to the one forecast, shows it beats them.

A series is a pandas Series with a PeriodIndex, or a DatetimeIndex whose
``freq`` is set (``series.asfreq("QE")``), without missing values.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

MIN_ETS_PERIODS = 8  # forecast_level: shorter series get the drift method instead of ETS
MIN_COUNT_PERIODS = 4  # forecast_counts: shorter series (or no events) get the Jeffreys posterior
BACKTEST_COLUMNS = ["method", "mase", "origins"]
BY_HORIZON_COLUMNS = ["method", "horizon", "mase", "origins"]


@dataclasses.dataclass(frozen=True)
class Forecast:
    """Simulated future paths of a series and the summaries a report needs.

    Fields:
        model: name of the method that produced the paths, e.g. ``"ETS(A,A,N)"``.
        history: the series the method was fitted on.
        paths: simulated future values, shape ``(n_paths, horizon)``.
        index: the future periods, one per column of ``paths``.
    """

    model: str
    history: pd.Series
    paths: np.ndarray
    index: pd.Index

    def __post_init__(self):
        if self.paths.ndim != 2 or self.paths.shape[1] != len(self.index):
            raise ValueError(f"paths of shape {self.paths.shape} do not match {len(self.index)} future periods")

    def frame(self, level: float = 0.8) -> pd.DataFrame:
        """Mean, median and central ``level`` interval (quantiles of the paths) for each future period."""
        return _summary(self.paths, self.index, level)

    def cumulative(self, start: float = 0.0, level: float = 0.8) -> pd.DataFrame:
        """The same for the running total ``start`` + the paths summed so far (count KPIs)."""
        return _summary(start + np.cumsum(self.paths, axis=1), self.index, level)

    def probability_at_least(self, target: float, start: float = 0.0, cumulative: bool = True) -> float:
        """Share of paths that reach ``target`` by the last period.

        With ``cumulative`` the path's total plus ``start`` (the total so far) is
        compared; without, the last period's value is, and ``start`` must stay 0.
        """
        if cumulative:
            final = start + self.paths.sum(axis=1)
        elif start:
            raise ValueError("start is a total so far; it only applies with cumulative=True")
        else:
            final = self.paths[:, -1]
        return float(np.mean(final >= target))


@dataclasses.dataclass(frozen=True)
class Choice:
    """The forecast :func:`choose_forecast` settled on and why.

    Fields:
        forecast: the chosen method refitted on the whole series.
        backtest: the :func:`backtest` table (empty when the series was too short): the
            choice is made on its ``mase``, the mean over the horizons scored.
        by_horizon: the :func:`backtest_by_horizon` table behind it (empty likewise).
        chosen: name of the chosen method in ``backtest``.
        beats_naive: whether the model's back-test MASE is below the naive one's
            (False when not back-tested).
        note: one sentence for the report saying what was chosen and why.
    """

    forecast: Forecast
    backtest: pd.DataFrame
    by_horizon: pd.DataFrame
    chosen: str
    beats_naive: bool
    note: str

    @property
    def horizons(self) -> int:
        """Periods ahead the back-test scored (1 to this); 0 when not back-tested."""
        return int(self.by_horizon["horizon"].max()) if len(self.by_horizon) else 0


Method = Callable[[pd.Series, int], Forecast]  # (series, horizon) -> Forecast, as backtest calls it


def _summary(paths: np.ndarray, index: pd.Index, level: float) -> pd.DataFrame:
    """Mean of the paths, their median and their central ``level`` interval, per column."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    lower, median, upper = np.quantile(paths, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0)
    return pd.DataFrame({"mean": paths.mean(axis=0), "lower": lower, "median": median, "upper": upper}, index=index)


def _values(series: pd.Series) -> np.ndarray:
    """The series as floats; an error if it is empty or has missing values."""
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if len(values) == 0 or np.isnan(values).any():
        raise ValueError("the series must be non-empty and without missing values")
    return values


def _freq(index: pd.DatetimeIndex):
    if index.freq is None:
        raise ValueError("the DatetimeIndex has no freq: set it (series.asfreq('QE')) or use a PeriodIndex")
    return index.freq


def _future(index: pd.Index, horizon: int) -> pd.Index:
    """The ``horizon`` periods after the end of ``index``."""
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=horizon, freq=index.freq)
    if isinstance(index, pd.DatetimeIndex):
        return pd.date_range(index[-1], periods=horizon + 1, freq=_freq(index))[1:]
    raise TypeError(f"the series needs a PeriodIndex or DatetimeIndex, not {type(index).__name__}")


def horizon_to(series: pd.Series, target_date) -> int:
    """Number of periods from the end of ``series`` to ``target_date``.

    With a PeriodIndex the count runs to the period containing the target
    (quarterly 2026Q4 to 2027-12-31: 4); with a DatetimeIndex to the last
    timestamp on or before it. A target not after the series end is an error.
    """
    index, target = series.index, pd.Timestamp(target_date)
    if isinstance(index, pd.PeriodIndex):
        horizon = (pd.Period(target, freq=index.freq) - index[-1]).n
    elif isinstance(index, pd.DatetimeIndex):
        horizon = len(pd.date_range(index[-1], target, freq=_freq(index))) - 1
    else:
        raise TypeError(f"the series needs a PeriodIndex or DatetimeIndex, not {type(index).__name__}")
    if horizon < 1:
        raise ValueError(f"target {target.date()} is not after the series end ({index[-1]})")
    return horizon


def future_index(series: pd.Series, target_date) -> pd.Index:
    """The future periods from the end of ``series`` up to ``target_date`` (see :func:`horizon_to`)."""
    return _future(series.index, horizon_to(series, target_date))


def forecast_counts(series: pd.Series, horizon: int, n_paths: int = 5000, seed: int = 1) -> Forecast:
    """Event counts per period: a constant Poisson or negative binomial rate.

    Intercept-only Poisson GLM against NB2 negative binomial (Cameron & Trivedi,
    Regression Analysis of Count Data, 2nd ed., 2013, §3.3), chosen by AIC. The
    NB is fitted only when the variance (divisor n) exceeds the mean; otherwise
    its dispersion estimate sits at 0, where it equals the Poisson and cannot win.
    Each path draws the parameters from the normal approximation of their
    sampling distribution (log rate; log dispersion by the delta method), then
    the counts. With fewer than ``MIN_COUNT_PERIODS`` periods or no events yet
    the rate is drawn from its Jeffreys posterior, Gamma(events + 0.5, periods).
    """
    index = _future(series.index, horizon)
    y = _values(series)
    if (y < 0).any() or (y != np.round(y)).any():
        raise ValueError("counts must be non-negative whole numbers")
    rng = np.random.default_rng(seed)
    n, total = len(y), y.sum()
    if n < MIN_COUNT_PERIODS or total == 0:
        reason = "no events yet" if total == 0 else f"only {n} periods"
        rate = rng.gamma(total + 0.5, 1 / n, size=n_paths)
        return Forecast(
            f"Poisson rate, Jeffreys prior ({reason})",
            series,
            rng.poisson(rate[:, None], (n_paths, horizon)).astype(float),
            index,
        )
    ones = np.ones((n, 1))
    with warnings.catch_warnings():
        # The GLM calls an exact fit (a constant series) perfect separation; with one intercept it is
        # harmless.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        poisson = sm.GLM(y, ones, family=sm.families.Poisson()).fit()
    negbin = sm.NegativeBinomial(y, ones).fit(disp=0) if y.var() > y.mean() else None
    if negbin is None or poisson.aic <= negbin.aic:
        log_rate = rng.normal(poisson.params[0], poisson.bse[0], size=n_paths)
        return Forecast(
            "Poisson rate", series, rng.poisson(np.exp(log_rate)[:, None], (n_paths, horizon)).astype(float), index
        )
    const, alpha = negbin.params
    to_log = np.diag([1.0, 1 / alpha])
    log_mu, log_alpha = rng.multivariate_normal(
        [const, np.log(alpha)], to_log @ negbin.cov_params() @ to_log, size=n_paths
    ).T
    alpha = np.exp(log_alpha)[:, None]
    rate = rng.gamma(1 / alpha, alpha * np.exp(log_mu)[:, None], size=(n_paths, horizon))
    return Forecast("negative binomial rate", series, rng.poisson(rate).astype(float), index)


def forecast_level(series: pd.Series, horizon: int, n_paths: int = 5000, seed: int = 1) -> Forecast:
    """A continuous indicator: exponential smoothing with additive errors.

    ETS(A,N,N), ETS(A,A,N) and ETS(A,Ad,N) (statsmodels ETSModel), chosen by
    AICc, with paths simulated from the fitted state space model (Hyndman &
    Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., §8.5-8.7).
    The Gaussian errors' sd divides the squared residuals by T - K, K the
    smoothing parameters and initial states (as in §5.5), not by T as the
    maximum likelihood estimate does; the estimates' own uncertainty is not
    simulated, so the intervals run slightly narrow on short series.
    Series shorter than ``MIN_ETS_PERIODS`` get the random walk with drift and
    its Gaussian prediction distribution (§5.5) instead, which needs 3 periods.
    """
    index = _future(series.index, horizon)
    y = _values(series)
    if len(y) < MIN_ETS_PERIODS:
        short = drift(series, horizon, n_paths, seed)
        return dataclasses.replace(short, model=f"drift (only {len(y)} periods, ETS needs {MIN_ETS_PERIODS})")
    candidates = {"ETS(A,N,N)": (None, False), "ETS(A,A,N)": ("add", False), "ETS(A,Ad,N)": ("add", True)}
    fits = {
        name: ETSModel(y, error="add", trend=trend, damped_trend=damped).fit(disp=False)
        for name, (trend, damped) in candidates.items()
    }
    name = min((name for name in fits if np.isfinite(fits[name].aicc)), key=lambda name: fits[name].aicc)
    fit = fits[name]
    sd = _residual_sd(fit.resid, len(fit.params))
    errors = np.random.default_rng(seed).normal(0, sd, (horizon, n_paths))
    simulated = fit.simulate(horizon, anchor="end", repetitions=n_paths, random_errors=errors)
    return Forecast(name, series, np.reshape(simulated, (horizon, n_paths)).T, index)


def _residual_sd(residuals: np.ndarray, n_params: int) -> float:
    """Residual sd as in FPP3 §5.5: squared residuals summed over (number of residuals - parameters)."""
    return float(np.sqrt(np.sum(residuals**2) / (len(residuals) - n_params)))


def _benchmark_values(series: pd.Series, minimum: int, method: str) -> np.ndarray:
    y = _values(series)
    if len(y) < minimum:
        raise ValueError(f"the {method} method needs at least {minimum} periods, got {len(y)}")
    return y


def naive(series: pd.Series, horizon: int, n_paths: int = 5000, seed: int = 1) -> Forecast:
    """Naive method: the last value, a random walk with Gaussian residuals (FPP3 §5.2, §5.5)."""
    index = _future(series.index, horizon)
    y = _benchmark_values(series, 2, "naive")
    sd = _residual_sd(np.diff(y), 0)
    steps = np.random.default_rng(seed).normal(0, sd, (n_paths, horizon))
    return Forecast("naive", series, y[-1] + np.cumsum(steps, axis=1), index)


def seasonal_naive(series: pd.Series, horizon: int, season: int, n_paths: int = 5000, seed: int = 1) -> Forecast:
    """Seasonal naive: the value one season back, plus Gaussian residuals per season (FPP3 §5.2, §5.5)."""
    index = _future(series.index, horizon)
    y = _benchmark_values(series, season + 1, "seasonal naive")
    sd = _residual_sd(y[season:] - y[:-season], 0)
    steps = np.random.default_rng(seed).normal(0, sd, (n_paths, horizon))
    paths = np.empty((n_paths, horizon))
    for step in range(horizon):
        previous = paths[:, step - season] if step >= season else y[len(y) - season + step]
        paths[:, step] = previous + steps[:, step]
    return Forecast("seasonal naive", series, paths, index)


def drift(series: pd.Series, horizon: int, n_paths: int = 5000, seed: int = 1) -> Forecast:
    """Drift method: the line from the first to the last value (FPP3 §5.2, §5.5).

    Each path draws the slope from its sampling distribution, sd sigma / sqrt(T - 1),
    so h steps ahead the variance is sigma^2 h (1 + h / (T - 1)) as in FPP3.
    """
    index = _future(series.index, horizon)
    y = _benchmark_values(series, 3, "drift")
    slope = (y[-1] - y[0]) / (len(y) - 1)
    sd = _residual_sd(np.diff(y) - slope, 1)
    rng = np.random.default_rng(seed)
    slopes = rng.normal(slope, sd / np.sqrt(len(y) - 1), (n_paths, 1))
    steps = rng.normal(0, sd, (n_paths, horizon))
    paths = y[-1] + slopes * np.arange(1, horizon + 1) + np.cumsum(steps, axis=1)
    return Forecast("drift", series, paths, index)


def _mase_scale(train: np.ndarray, season: int) -> float:
    """In-sample mean absolute error of the (seasonal) naive method on ``train``."""
    if len(train) <= season:
        raise ValueError(f"MASE needs more than {season} training values, got {len(train)}")
    return float(np.mean(np.abs(train[season:] - train[:-season])))


def mase(actual, predicted, train, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006).

    Mean absolute forecast error divided by the in-sample mean absolute error of
    the (seasonal) naive method on ``train``. A constant ``train`` has scale 0,
    for which MASE is undefined: that is a ValueError.
    """
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if actual.shape != predicted.shape:
        raise ValueError(f"{len(actual)} actual values but {len(predicted)} predicted")
    scale = _mase_scale(np.asarray(train, dtype=float), season)
    if scale == 0:
        raise ValueError("MASE is undefined: the training series is constant, so its naive error is 0")
    return float(np.mean(np.abs(actual - predicted)) / scale)


def backtest_by_horizon(series: pd.Series, methods: dict[str, Method], horizon: int, min_train: int) -> pd.DataFrame:
    """Rolling-origin MASE of each method at each horizon 1 .. ``horizon`` (FPP3 §5.10
    time-series cross-validation, accuracy by forecast horizon).

    Each origin k (k = min_train .. len - 1) fits on the first k periods and forecasts
    ``horizon`` periods; the mean of the paths h periods ahead is scored at every origin whose
    h-th period is in the series (k <= len - h), so short horizons are scored from more origins
    than long ones. Each error is scaled by the in-sample naive error of its training window;
    origins whose training window is constant have no such scale and are skipped. At least one
    origin must score the longest horizon: otherwise (a constant series) that is a ValueError.
    Columns: method, horizon, mase (mean over the origins scoring that horizon), origins.
    """
    if min_train < 2 or len(series) < min_train + horizon:
        raise ValueError(
            f"a back-test needs min_train >= 2 and at least min_train + horizon = "
            f"{min_train + horizon} periods, got min_train {min_train} and "
            f"{len(series)} periods"
        )
    values = _values(series)
    n = len(values)
    origins = [k for k in range(min_train, n) if _mase_scale(values[:k], 1) > 0]
    if not any(k <= n - horizon for k in origins):
        raise ValueError(
            f"MASE is undefined: the series is constant over its first {n - horizon} "
            "periods, so every training window is"
        )
    rows = []
    for name, method in methods.items():
        errors: dict[int, list[float]] = {h: [] for h in range(1, horizon + 1)}
        for k in origins:
            predicted = method(series.iloc[:k], horizon).paths.mean(axis=0)
            scale = _mase_scale(values[:k], 1)
            for h in range(1, min(horizon, n - k) + 1):
                errors[h].append(abs(values[k + h - 1] - predicted[h - 1]) / scale)
        rows += [(name, h, float(np.mean(scaled)), len(scaled)) for h, scaled in errors.items()]
    return pd.DataFrame(rows, columns=BY_HORIZON_COLUMNS)


def backtest(series: pd.Series, methods: dict[str, Method], horizon: int, min_train: int) -> pd.DataFrame:
    """Rolling-origin MASE of each method, averaged over the horizons 1 .. ``horizon``
    (:func:`backtest_by_horizon`), so that a method is judged at every horizon it will forecast.

    Columns: method, mase (the mean of the per-horizon MASEs), origins (the origins scoring
    the longest horizon, the fewest).
    """
    table = backtest_by_horizon(series, methods, horizon, min_train)
    return _mean_over_horizons(table)


def _mean_over_horizons(by_horizon: pd.DataFrame) -> pd.DataFrame:
    """The :func:`backtest` table from a :func:`backtest_by_horizon` one (rows by horizon, ascending)."""
    table = by_horizon.groupby("method", sort=False).agg(mase=("mase", "mean"), origins=("origins", "last"))
    return table.reset_index()[BACKTEST_COLUMNS]


def _at_least_zero(method: Method) -> Method:
    """The method with its paths truncated at zero and rounded to whole numbers, for counts: a
    count of events is a whole number, so a total over the paths is one too."""

    def truncated(series: pd.Series, horizon: int) -> Forecast:
        forecast = method(series, horizon)
        return dataclasses.replace(
            forecast,
            model=f"{forecast.model} (truncated at zero)",
            paths=np.round(np.maximum(forecast.paths, 0)),
        )

    return truncated


def choose_forecast(
    series: pd.Series,
    kind: str,
    horizon: int,
    n_paths: int = 5000,
    seed: int = 1,
    season: int = 4,
    min_train: int | None = None,
    backtest_horizon: int | None = None,
) -> Choice:
    """The model for ``kind`` ("count" or "level"), unless a benchmark back-tests better.

    Back-tests (:func:`backtest`) :func:`forecast_counts` or :func:`forecast_level`
    against :func:`naive`, and :func:`seasonal_naive` when every training window
    holds two full seasons (``min_train >= 2 * season``, ``season > 1``); the
    lowest MASE, averaged over the horizons 1 .. ``backtest_horizon``, wins, ties
    going to the model, and is refitted on the whole series. For counts the
    benchmarks' paths are truncated at zero and rounded to whole numbers.
    ``min_train`` defaults to max(MIN_ETS_PERIODS, 2 * season); a series shorter
    than min_train + backtest_horizon, or constant up to its last origin, is not
    back-tested and gets the model. ``backtest_horizon`` defaults to ``horizon``,
    so that a method is judged at every horizon it forecasts; a shorter one lets a
    short series be tested (:func:`scorable_horizon`).
    """
    models = {"count": ("count model", forecast_counts), "level": ("level model", forecast_level)}
    if kind not in models:
        raise ValueError(f"kind must be 'count' or 'level', got {kind!r}")
    model_name, model_method = models[kind]
    min_train = max(MIN_ETS_PERIODS, 2 * season) if min_train is None else min_train
    methods: dict[str, Method] = {
        model_name: partial(model_method, n_paths=n_paths, seed=seed),
        "naive": partial(naive, n_paths=n_paths, seed=seed),
    }
    if season > 1 and min_train >= 2 * season:
        methods["seasonal naive"] = partial(seasonal_naive, season=season, n_paths=n_paths, seed=seed)
    if kind == "count":
        methods.update({name: _at_least_zero(method) for name, method in methods.items() if name != model_name})
    model = methods[model_name](series, horizon)
    n = len(series)
    scored = horizon if backtest_horizon is None else backtest_horizon
    too_short = n < min_train + scored
    if too_short or _mase_scale(_values(series)[: n - scored], 1) == 0:
        reason = (
            f"only {n} periods (a back-test needs min_train + horizon = {min_train + scored})"
            if too_short
            else f"the first {n - scored} periods are constant, so MASE is undefined"
        )
        return Choice(
            model,
            pd.DataFrame(columns=BACKTEST_COLUMNS),
            pd.DataFrame(columns=BY_HORIZON_COLUMNS),
            model_name,
            False,
            f"The {model.model} forecast is used, not back-tested: {reason}.",
        )
    by_horizon = backtest_by_horizon(series, methods, scored, min_train)
    table = _mean_over_horizons(by_horizon)
    scores = table.set_index("method")["mase"]
    chosen = scores.idxmin()  # the model is the first row, so idxmin gives it the ties
    origins = int(table["origins"].iloc[0])
    ahead = "1 period ahead" if scored == 1 else f"1-{scored} periods ahead"
    if chosen == model_name:
        others = "; ".join(f"{name} {scores[name]:.2f}" for name in scores.index if name != model_name)
        note = (
            f"The {model.model} forecast was not beaten in back-testing (MASE {scores[model_name]:.2f}; "
            f"{others}; mean over {ahead}, {origins} origins at the longest) and is used."
        )
        forecast = model
    else:
        note = (
            f"The {model.model} forecast did not beat the {chosen} forecast "
            f"(MASE {scores[model_name]:.2f} "
            f"vs {scores[chosen]:.2f}, mean over {ahead}, {origins} origins at the longest) and was replaced by it."
        )
        forecast = methods[chosen](series, horizon)
    return Choice(forecast, table, by_horizon, chosen, bool(scores[model_name] < scores["naive"]), note)


def scorable_horizon(length: int, horizon: int, min_train: int) -> int:
    """The longest horizon a back-test of a series of ``length`` periods can score, up to
    ``horizon``: at least one origin after ``min_train`` periods must reach it
    (length - min_train); at least 1 (a series too short for that is then not back-tested)."""
    return max(1, min(horizon, length - min_train))
