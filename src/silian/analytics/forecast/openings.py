"""Forecasts of annual openings (or employment) by industry or occupation, with an honest rolling-origin backtest.

Method card: ``docs/methods/forecast.md``. A series with fewer than ``min_select`` years (12 by default) is
forecast by one default model (naive: the latest year carried forward; drift on request), without selection; a longer
one by the model a rolling-origin backtest favours among seven candidates (naive, drift, simple exponential
smoothing, ARIMA(0,1,1) and ARIMA(1,1,0) with drift, Holt's linear and damped trend). The error printed beside
every forecast is the whole procedure's: at each backtest origin the model is chosen again from the errors seen
before it, and the forecasts so chosen are scored, per step ahead, as MAE, MASE and MAPE — in openings when an
``exit_rate`` is given (the history is then employment and openings = growth demand + replacement demand).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import polars as pl

from silian.analytics.forecast.backtest import DEFAULT_MODELS, MODELS, fast_paths, statsmodels_paths
from silian.analytics.forecast.history import (
    KEY,
    SHOWN,
    Gaps,
    HistoryPanel,
    check_settings,
    history_panel,
    quoted_pairs,
    setting_error,
    validated_history,
)
from silian.analytics.forecast.procedure import (
    Errors,
    Procedure,
    Target,
    empirical_bounds,
    level_target,
    openings_target,
    run_procedure,
    summarise,
)
from silian.analytics.forecast.procedure import openings as openings_formula
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

Engine = Literal["fast", "statsmodels"]

DEFAULT_EXIT_RATE = 0.03
"""Default yearly exit rate for replacement demand: about 1 / (a 33-year working life). An assumption, not a
measured rate; a setting."""
MIN_SELECT = 12
"""Fewest years of history with which a model is chosen among the candidates; shorter series use the default."""
DEFAULT_MODEL = "naive"
"""The model of a short history. Naive, not drift: the drift's slope is (last − first) / (n − 1), so with 8 years
one early value sets the growth of every forecast year; the method card gives the evidence."""
FORECAST_COLUMNS = ("series", "year", "forecast", "lower", "upper", "model", "backtest_mae", "backtest_mape",
                    "backtest_mase", "n_history", "warnings")
OPENINGS_COLUMNS = ("series", "year", "employment", "growth_demand", "replacement_demand", "openings",
                    "exit_rate")
OPENINGS_FORECAST_COLUMNS = ("series", "year", "employment", "employment_lower", "employment_upper", "growth_demand",
                             "replacement_demand", "openings", "openings_lower", "openings_upper", "exit_rate", "model",
                             "backtest_mae", "backtest_mape", "backtest_mase", "backtest_n", "n_history", "warnings")

register_messages({
    "forecast_empty_value": ("就业人数为空：{pairs}", "Employment is empty: {pairs}"),
    "forecast_missing_exit_rate": ("以下序列没有退出率：{series}。请为每个序列给出退出率，或只给一个统一的值",
                                   "No exit rate for: {series}. Give one per series, or a single rate for all"),
    "forecast_note_default": (
        "历史只有 {n} 年（少于 {need} 年）：采用{model}，不在多个模型中择优；回测误差即该方法本身的误差",
        ("Only {n} years of history (fewer than {need}): {model} is used, with no choice among models; the backtest "
        "error is that method's own")),
    "forecast_note_select": (
        "历史 {n} 年：在 {k} 个模型中按回测误差择优；所列误差含择优本身（每个回测起点只用其之前的数据择优）",
        ("{n} years of history: the model is chosen among {k} by backtest error; the error shown includes that "
        "choice (at each backtest origin the choice uses only earlier data)")),
    "forecast_warn_no_backtest": ("历史太短，无法回测，采用朴素法", "Too short to backtest: naive forecast used"),
    "forecast_warn_bt_horizon": ("回测只检验到 {k} 步（预测期为 {h} 步）",
                                 "The backtest checks only up to {k} steps ahead (the horizon is {h})"),
    "forecast_warn_few_origins": ("回测只有 {k} 个预测起点，误差估计不稳定",
                                  "Only {k} backtest origins: the error estimate is unstable"),
    "forecast_warn_constant": ("历史为常数，预测即该常数", "The history is constant; so is the forecast"),
    "forecast_warn_clipped": ("负的预测值已截为 0：{years}", "Negative forecasts clipped to 0: {years}"),
    "forecast_warn_statsmodels": ("statsmodels 提示（已记录，未打印）：{items}",
                                  "statsmodels warnings (recorded, not printed): {items}"),
    "forecast_joiner": ("；", "; "),
    "forecast_expected_rate": ("0 到 1 之间的比例，如 0.03", "a share from 0 to 1, e.g. 0.03"),
    "forecast_expected_years": ("正数", "a positive number"),
    "forecast_expected_min_select": ("不小于 3 的整数", "a whole number of at least 3"),
    "forecast_model_naive": ("朴素法（沿用最近一年的值）", "the naive forecast (the latest year's value carried forward)"),
    "forecast_model_drift": ("漂移法（按历史年均变化外推）", "the drift method (the average yearly change carried forward)"),
    "forecast_model_ses": ("简单指数平滑", "simple exponential smoothing"),
    "forecast_model_arima011": ("ARIMA(0,1,1) 含漂移", "ARIMA(0,1,1) with drift"),
    "forecast_model_arima110": ("ARIMA(1,1,0) 含漂移", "ARIMA(1,1,0) with drift"),
    "forecast_model_holt": ("Holt 线性趋势", "Holt's linear trend"),
    "forecast_model_damped": ("阻尼趋势", "damped trend"),
})


def model_name(model: str) -> str:
    """A model in words, in the current language (``drift`` → 漂移法（按历史年均变化外推）)."""
    return t(f"forecast_model_{model}") if model in MODELS else model


@dataclass(frozen=True)
class ForecastResult:
    """What :func:`forecast_openings` returns.

    Attributes
    ----------
    forecasts : pl.DataFrame
        One row per series and forecast year: ``series, year, forecast, lower, upper, model, backtest_mae,
        backtest_mape, backtest_mase, n_history, warnings``. ``lower``/``upper``: the prediction interval of
        ``forecast`` at ``interval_level`` (null when the history is too short for one). ``backtest_*``: the
        whole procedure's rolling-origin error for that many steps ahead, in the unit of ``value``.
    backtest : pl.DataFrame
        Every candidate alone over the same backtest origins, per series, in the unit of the target (openings
        when ``exit_rate`` was given): ``series, model, backtest_mae, backtest_mape, backtest_mase, n_origins,
        n_errors, chosen`` (``chosen``: used for the final forecast).
    history : pl.DataFrame
        The history as used: ``series, year, value, interpolated``.
    horizon, interval_level, min_train, engine
        The settings of the run.
    openings : pl.DataFrame or None
        With ``exit_rate``: one row per series and forecast year, :data:`OPENINGS_FORECAST_COLUMNS` —
        employment and its interval, growth and replacement demand, openings and their interval (from the
        procedure's backtest errors in openings), the procedure's error in openings (``backtest_*``, with
        ``backtest_n`` errors), the history length and notes.
    accuracy : pl.DataFrame
        The procedure's error per series and step ahead, in the target's unit: ``series, step, mae, rmse,
        mase, mape, n_errors``; ``unit`` is ``"openings"`` or ``"value"``.
    """

    forecasts: pl.DataFrame
    backtest: pl.DataFrame
    history: pl.DataFrame
    horizon: int
    interval_level: float
    min_train: int
    engine: str
    openings: pl.DataFrame | None = None
    accuracy: pl.DataFrame | None = None
    min_select: int = MIN_SELECT
    default_model: str = DEFAULT_MODEL


def _joined(items: list[str]) -> str:
    return t("forecast_joiner").join(items)


def forecast_openings(
    history: pl.DataFrame,
    horizon: int = 3,
    *,
    interval_level: float = 0.8,
    min_train: int = 5,
    gaps: Gaps = "interpolate",
    engine: Engine = "fast",
    exit_rate: float | Mapping[object, float] | None = None,
    min_select: int = MIN_SELECT,
    default_model: str = DEFAULT_MODEL,
) -> ForecastResult:
    """Forecast each series ``horizon`` years ahead, and give the backtest error of the whole procedure.

    Parameters
    ----------
    history : pl.DataFrame
        Tidy yearly history: ``series`` (e.g. an industry or occupation code), ``year`` (whole years),
        ``value`` (openings, or employment when ``exit_rate`` is given; ≥ 0; empty values count as missing years).
    horizon : int
        Years to forecast after each series' last year (1–50).
    interval_level : float
        Coverage of the prediction intervals (default 0.8).
    min_train : int
        Shortest training history of the candidates scored to choose a model (≥ 4).
    gaps : {"interpolate", "raise"}
        Missing years inside a series: interpolated linearly (and noted) or rejected.
    engine : {"fast", "statsmodels"}
        ``fast`` (default): vectorised numpy fits of the same model equations, smoothing parameters by
        grid search and initial states exactly, on the one-step squared error. ``statsmodels``:
        ETSModel and ARIMA maximum-likelihood fits at every origin (about a thousand times slower).
    exit_rate : float, mapping of series to float, or None
        When given, ``value`` is employment and the target is openings = growth + ``exit_rate`` × last year's
        employment: the model is chosen and the error given in openings, and ``openings`` is filled.
    min_select : int
        Fewest years of history for choosing among the candidates (≥ 3); shorter series use ``default_model``.
    default_model : {"naive", "drift"}
        The model of series shorter than ``min_select`` (default naive; series of 1–2 years always use naive).

    Returns
    -------
    ForecastResult
        Forecasts, the backtest of the procedure and of every candidate, the history as used and the settings.

    Raises
    ------
    InvalidInput
        Missing columns, non-numeric values, fractional years, duplicate ``(series, year)``, negative or
        infinite values, a series with no values, gaps with ``gaps="raise"``, or a bad setting.
    """
    check_settings(horizon, interval_level, min_train, gaps, engine)
    _check_procedure(min_select, default_model)
    panel = history_panel(history, gaps)
    n_years = panel.n_years
    candidates = [MODELS if n >= max(min_select, 3) else (default_model,) if n >= 3 else ("naive",) for n in n_years]
    caught: list[Counter[str]] = [Counter() for _ in candidates]
    if engine == "fast":
        paths = fast_paths(panel.y, horizon)
    else:
        paths, caught = statsmodels_paths(panel.y, n_years, min_train, horizon, candidates)
    rates = None if exit_rate is None else _exit_rates(panel.keys, exit_rate)["exit_rate"].to_numpy()
    target = level_target(panel.y, panel.observed) if rates is None else openings_target(panel.y, panel.observed, rates)
    procedure = run_procedure(panel.y, n_years, target, paths, candidates, min_train=min_train, horizon=horizon)
    steps = summarise(procedure.errors, procedure.realised, target.scale(), by_step=True)
    level = level_target(panel.y, panel.observed)
    if rates is None:
        level_steps = steps
    else:  # the same chosen forecasts, scored on the levels
        stacked = np.stack([np.abs(level.realised(horizon) - np.maximum(paths[m].mean, 0.0)) for m in MODELS])
        chosen_levels = np.take_along_axis(stacked, procedure.chosen[None, :, :, None], axis=0)[0]
        level_errors = np.where(np.isnan(procedure.errors), np.nan, chosen_levels)
        level_steps = summarise(level_errors, level.realised(horizon), level.scale(), by_step=True)
    final = procedure.chosen[n_years, np.arange(n_years.size)]
    chosen = [MODELS[i] for i in final]
    z = NormalDist().inv_cdf((1 + interval_level) / 2)
    points = np.stack([paths[m].mean[n, s] for s, (m, n) in enumerate(zip(chosen, n_years.tolist()))])
    low, high = empirical_bounds(np.maximum(points, 0.0), level_steps, interval_level, widening=True)
    rows: list[dict[str, object]] = []
    notes_by_series: list[str] = []
    for s, model in enumerate(chosen):
        n = int(n_years[s])
        mean, sd = points[s], paths[model].sd[n, s]
        lower = np.where(np.isnan(low[s]), mean - z * sd, low[s])  # the model's normal interval without a backtest
        upper = np.where(np.isnan(high[s]), mean + z * sd, high[s])
        years = [int(panel.first_year[s]) + n - 1 + k for k in range(1, horizon + 1)]
        notes = panel.notes[s] + _run_notes(panel, s, candidates[s], min_select, horizon, steps)
        if (mean < 0).any():
            notes.append(t("forecast_warn_clipped", years=", ".join(str(yr) for yr, m in zip(years, mean) if m < 0)))
        if caught[s]:
            notes.append(t("forecast_warn_statsmodels", items=", ".join(f"{k} ×{v}" for k, v in caught[s].items())))
        notes_by_series.append(_joined(notes))
        rows += [{"year": yr, "forecast": max(m, 0.0), "lower": _bound(lo), "upper": _bound(hi),
                  "model": model, "backtest_mae": _number(level_steps.mae[s, k]),
                  "backtest_mape": _number(level_steps.mape[s, k]), "backtest_mase": _number(level_steps.mase[s, k]),
                  "n_history": n, "warnings": notes_by_series[-1]}
                 for k, (yr, m, lo, hi) in enumerate(zip(years, mean, lower, upper))]
    keys = panel.keys.gather(np.repeat(np.arange(len(chosen)), horizon))
    forecasts = pl.DataFrame(rows, schema=_FORECAST_SCHEMA).insert_column(0, keys)
    openings = None if rates is None else _openings_frame(panel, forecasts, rates, steps, interval_level)
    return ForecastResult(forecasts, _backtest_frame(panel, procedure, target, candidates, chosen), panel.history,
                          horizon, float(interval_level), min_train, engine, openings,
                          _accuracy_frame(panel, steps, "value" if rates is None else "openings"),
                          min_select, default_model)


_FORECAST_SCHEMA = {"year": pl.Int64, "forecast": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
                    "model": pl.String, "backtest_mae": pl.Float64, "backtest_mape": pl.Float64,
                    "backtest_mase": pl.Float64, "n_history": pl.Int64, "warnings": pl.String}


def _check_procedure(min_select: int, default_model: str) -> None:
    if isinstance(min_select, bool) or not isinstance(min_select, int) or min_select < 3:
        raise setting_error("min_select", min_select, t("forecast_expected_min_select"))
    if default_model not in DEFAULT_MODELS:
        raise setting_error("default_model", default_model,
                            t("forecast_expected_choice", choices=", ".join(DEFAULT_MODELS)))


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _bound(value: float) -> float | None:
    return None if np.isnan(value) else max(float(value), 0.0)


def _run_notes(panel: HistoryPanel, s: int, candidates: tuple[str, ...], min_select: int, horizon: int,
               steps: Errors) -> list[str]:
    """What the procedure did for the series, and warnings about its backtest and shape."""
    n = int(panel.n_years[s])
    notes = []
    if len(candidates) > 1:
        notes.append(t("forecast_note_select", n=n, k=len(candidates)))
    elif n >= 3:
        notes.append(t("forecast_note_default", n=n, need=min_select, model=model_name(candidates[0])))
    scored = int((steps.n_errors[s] > 0).sum())
    if scored == 0:
        notes.append(t("forecast_warn_no_backtest"))
    elif scored < horizon:
        notes.append(t("forecast_warn_bt_horizon", k=scored, h=horizon))
    origins = int(steps.n_errors[s, 0])
    if 0 < origins < 3:
        notes.append(t("forecast_warn_few_origins", k=origins))
    values = panel.y[s, :n]
    if n > 1 and np.all(values == values[0]):
        notes.append(t("forecast_warn_constant"))
    return notes


def _openings_frame(panel: HistoryPanel, forecasts: pl.DataFrame, rates: np.ndarray, steps: Errors,
                    level: float) -> pl.DataFrame:
    """Openings per series and forecast year from the level forecasts, with the empirical interval."""
    n_series, horizon = steps.mae.shape
    employment = forecasts["forecast"].to_numpy().reshape(n_series, horizon)
    last = panel.y[np.arange(n_series), panel.n_years - 1]
    previous = np.concatenate([last[:, None], employment[:, :-1]], axis=1)
    growth = np.maximum(employment - previous, 0.0)
    replacement = rates[:, None] * previous
    point = openings_formula(previous, employment, rates[:, None])
    lower, upper = empirical_bounds(point, steps, level, widening=True)
    # openings are never below the replacement of the lower employment path (growth demand is never negative)
    employment_lower = forecasts["lower"].fill_null(0.0).to_numpy().reshape(n_series, horizon)
    floor = rates[:, None] * np.concatenate([last[:, None], employment_lower[:, :-1]], axis=1)
    lower = np.where(np.isnan(lower), np.nan, np.maximum(lower, np.minimum(floor, point)))
    columns = {"growth_demand": growth, "replacement_demand": replacement, "openings": point,
               "openings_lower": lower, "openings_upper": upper, "exit_rate": np.repeat(rates[:, None], horizon, axis=1),
               "backtest_mae": steps.mae, "backtest_mape": steps.mape, "backtest_mase": steps.mase}
    extra = pl.DataFrame({k: v.ravel() for k, v in columns.items()}, nan_to_null=True).with_columns(
        pl.Series("backtest_n", steps.n_errors.ravel(), dtype=pl.Int64))
    frame = pl.concat([forecasts.select("series", "year", pl.col("forecast").alias("employment"),
                                        pl.col("lower").alias("employment_lower"),
                                        pl.col("upper").alias("employment_upper"), "model", "n_history", "warnings"),
                       extra], how="horizontal")
    return frame.select(OPENINGS_FORECAST_COLUMNS)


def _backtest_frame(panel: HistoryPanel, procedure: Procedure, target: Target, candidates: list[tuple[str, ...]],
                    chosen: list[str]) -> pl.DataFrame:
    scale = target.scale()
    scores = {m: summarise(procedure.candidates[m], procedure.realised, scale, by_step=False) for m in MODELS}
    pairs = [(s, m) for s, names in enumerate(candidates) for m in names]
    columns = {"model": [m for _, m in pairs]} | {
        name: [getattr(scores[m], field)[s] for s, m in pairs] for name, field in
        (("backtest_mae", "mae"), ("backtest_mape", "mape"), ("backtest_mase", "mase"), ("n_origins", "n_origins"),
         ("n_errors", "n_errors"))}
    return (pl.DataFrame(columns, nan_to_null=True)
            .with_columns(pl.col("n_origins", "n_errors").cast(pl.Int64),
                          pl.Series("chosen", [m == chosen[s] for s, m in pairs], dtype=pl.Boolean))
            .insert_column(0, panel.keys.gather([s for s, _ in pairs])))


def _accuracy_frame(panel: HistoryPanel, steps: Errors, unit: str) -> pl.DataFrame:
    n_series, horizon = steps.mae.shape
    frame = pl.DataFrame({"step": np.tile(np.arange(1, horizon + 1), n_series), "mae": steps.mae.ravel(),
                          "rmse": steps.rmse.ravel(), "mase": steps.mase.ravel(), "mape": steps.mape.ravel(),
                          "n_errors": steps.n_errors.ravel()}, nan_to_null=True)
    return frame.with_columns(pl.col("step", "n_errors").cast(pl.Int64), pl.lit(unit).alias("unit")).insert_column(
        0, panel.keys.gather(np.repeat(np.arange(n_series), horizon)))


def exit_rate_from_age(share_leaving: float, years: float) -> float:
    """Yearly exit rate from an age profile: the share of workers who leave within ``years``, per year.

    Parameters
    ----------
    share_leaving : float
        Share (0–1) of today's workers who reach retirement age within ``years`` years.
    years : float
        Length of that window in years (> 0).

    Returns
    -------
    float
        ``share_leaving / years``, e.g. 0.25 of workers retiring within 10 years → 0.025 a year.
    """
    if not 0 <= share_leaving <= 1:
        raise setting_error("share_leaving", share_leaving, t("forecast_expected_rate"))
    if not years > 0:
        raise setting_error("years", years, t("forecast_expected_years"))
    return share_leaving / years


def openings_from_employment(
    employment_forecast: ForecastResult | pl.DataFrame,
    exit_rate: float | Mapping[object, float] = DEFAULT_EXIT_RATE,
) -> pl.DataFrame:
    """Openings = growth demand + replacement demand, from employment levels.

    ``growth_t = max(0, E_t − E_{t−1})``, ``replacement_t = exit_rate × E_{t−1}``.

    Parameters
    ----------
    employment_forecast : ForecastResult or pl.DataFrame
        A :class:`ForecastResult` of an employment history (``E`` of the last history year starts the
        forecast years), or a tidy frame ``series, year, value`` of consecutive years of employment
        (openings for every year but each series' first).
    exit_rate : float or mapping of series to float
        Share of last year's workers who leave the occupation or industry for good (retirement, death,
        leaving work) this year; one rate for all series or one per series. Default
        :data:`DEFAULT_EXIT_RATE` (0.03).

    Returns
    -------
    pl.DataFrame
        ``series, year, employment, growth_demand, replacement_demand, openings, exit_rate``.
    """
    if isinstance(employment_forecast, ForecastResult):
        last = employment_forecast.history.group_by("series", maintain_order=True).last().select("series", "year",
                                                                                                   "value")
        ahead = employment_forecast.forecasts.select("series", "year", pl.col("forecast").alias("value"))
        levels = pl.concat([last, ahead]).sort(KEY)
    else:
        levels = validated_history(employment_forecast)
        if (empty := levels.filter(pl.col("value").is_null())).height:
            raise InvalidInput(t("forecast_empty_value", pairs=quoted_pairs(empty)))
        steps = levels.filter(pl.col("year").diff().over("series") != 1)
        if steps.height:
            detail = ", ".join(f"{s}: {y}" for s, y in steps.select(KEY).head(SHOWN).iter_rows())
            raise InvalidInput(t("forecast_gaps", detail=detail))
    rates = _exit_rates(levels["series"].unique(maintain_order=True), exit_rate)
    previous = pl.col("value").shift().over("series")
    out = (levels.join(rates, on="series", how="left", maintain_order="left")
           .with_columns(previous.alias("_previous")).filter(pl.col("_previous").is_not_null())
           .with_columns((pl.col("value") - pl.col("_previous")).clip(lower_bound=0).alias("growth_demand"),
                         (pl.col("exit_rate") * pl.col("_previous")).alias("replacement_demand")))
    return out.select("series", "year", pl.col("value").alias("employment"), "growth_demand", "replacement_demand",
                      (pl.col("growth_demand") + pl.col("replacement_demand")).alias("openings"), "exit_rate")


def _exit_rates(series: pl.Series, exit_rate: float | Mapping[object, float]) -> pl.DataFrame:
    """``series, exit_rate`` for every series, or :class:`InvalidInput`."""
    if isinstance(exit_rate, Mapping):
        missing = [s for s in series if s not in exit_rate]
        if missing:
            raise InvalidInput(t("forecast_missing_exit_rate", series=", ".join(map(str, missing[:SHOWN]))))
        values = [exit_rate[s] for s in series]
    else:
        values = [exit_rate] * series.len()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise setting_error("exit_rate", value, t("forecast_expected_rate"))
    return pl.DataFrame({"series": series, "exit_rate": pl.Series(values, dtype=pl.Float64)})
