"""Forecasts of annual openings (or employment) by industry or occupation, with a rolling-origin backtest.

Method card: ``docs/methods/forecast.md``. Per series, seven candidates (naive, drift, simple exponential
smoothing, ARIMA(0,1,1) and ARIMA(1,1,0) with drift, Holt's linear and damped trend) are backtested from
rolling origins; the one with the lowest mean absolute error forecasts, and its backtest error is printed
beside every forecast. Openings = growth demand + replacement demand (:func:`openings_from_employment`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import polars as pl

from silian.analytics.forecast.backtest import (
    MODELS,
    SHORT_MODELS,
    Scores,
    backtest_mask,
    choose,
    fast_paths,
    score,
    statsmodels_paths,
)
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
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

Engine = Literal["fast", "statsmodels"]

DEFAULT_EXIT_RATE = 0.03
"""Default yearly exit rate for replacement demand: about 1 / (a 33-year working life). A setting."""
FORECAST_COLUMNS = ("series", "year", "forecast", "lower", "upper", "model", "backtest_mae", "backtest_mape",
                    "n_history", "warnings")
OPENINGS_COLUMNS = ("series", "year", "employment", "growth_demand", "replacement_demand", "openings",
                    "exit_rate")

register_messages({
    "forecast_empty_value": ("就业人数为空：{pairs}", "Employment is empty: {pairs}"),
    "forecast_missing_exit_rate": ("以下序列没有退出率：{series}。请为每个序列给出退出率，或只给一个统一的值",
                                   "No exit rate for: {series}. Give one per series, or a single rate for all"),
    "forecast_warn_short": ("历史只有 {n} 年（模型需多于 {need} 年），只比较朴素法与漂移法",
                            "Only {n} years of history (models need more than {need}): naive and drift only"),
    "forecast_warn_no_backtest": ("历史太短，无法回测，采用朴素法", "Too short to backtest: naive forecast used"),
    "forecast_warn_bt_horizon": ("回测只检验到 {k} 步（预测期为 {h} 步）",
                                 "The backtest checks only up to {k} steps ahead (the horizon is {h})"),
    "forecast_warn_few_origins": ("回测只有 {k} 个预测起点，模型选择不稳定",
                                  "Only {k} backtest origins: the model choice is unstable"),
    "forecast_warn_constant": ("历史为常数，预测即该常数", "The history is constant; so is the forecast"),
    "forecast_warn_clipped": ("负的预测值已截为 0：{years}", "Negative forecasts clipped to 0: {years}"),
    "forecast_warn_statsmodels": ("statsmodels 提示（已记录，未打印）：{items}",
                                  "statsmodels warnings (recorded, not printed): {items}"),
    "forecast_joiner": ("；", "; "),
    "forecast_expected_rate": ("0 到 1 之间的比例，如 0.03", "a share from 0 to 1, e.g. 0.03"),
    "forecast_expected_years": ("正数", "a positive number"),
})


@dataclass(frozen=True)
class ForecastResult:
    """What :func:`forecast_openings` returns.

    Attributes
    ----------
    forecasts : pl.DataFrame
        One row per series and forecast year: ``series, year, forecast, lower, upper, model, backtest_mae,
        backtest_mape, n_history, warnings`` (``lower``/``upper``: the prediction interval at
        ``interval_level``, null when the history is too short for one; ``warnings``: one string).
    backtest : pl.DataFrame
        Every candidate's rolling-origin backtest per series: ``series, model, backtest_mae,
        backtest_mape, n_origins, n_errors, chosen``.
    history : pl.DataFrame
        The history as used: ``series, year, value, interpolated``.
    horizon, interval_level, min_train, engine
        The settings of the run.
    """

    forecasts: pl.DataFrame
    backtest: pl.DataFrame
    history: pl.DataFrame
    horizon: int
    interval_level: float
    min_train: int
    engine: str


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
) -> ForecastResult:
    """Forecast each series ``horizon`` years ahead with the model its rolling-origin backtest favours.

    Parameters
    ----------
    history : pl.DataFrame
        Tidy yearly history: ``series`` (e.g. an industry or occupation code), ``year`` (whole years),
        ``value`` (openings or employment, ≥ 0; empty values count as missing years).
    horizon : int
        Years to forecast after each series' last year (1–50).
    interval_level : float
        Coverage of the normal prediction interval ``lower``–``upper`` (default 0.8).
    min_train : int
        Shortest training history in the backtest (≥ 4). Series with at most this many years are
        forecast by naive or drift only, backtested from 2 years.
    gaps : {"interpolate", "raise"}
        Missing years inside a series: interpolated linearly (and noted) or rejected.
    engine : {"fast", "statsmodels"}
        ``fast`` (default): vectorised numpy fits of the same model equations, smoothing parameters by
        grid search and initial states exactly, on the one-step squared error. ``statsmodels``:
        ETSModel and ARIMA maximum-likelihood fits at every origin (about a thousand times slower).

    Returns
    -------
    ForecastResult
        Forecasts, every candidate's backtest, the history as used and the settings.

    Raises
    ------
    InvalidInput
        Missing columns, non-numeric values, fractional years, duplicate ``(series, year)``, negative or
        infinite values, a series with no values, gaps with ``gaps="raise"``, or a bad setting.
    """
    check_settings(horizon, interval_level, min_train, gaps, engine)
    panel = history_panel(history, gaps)
    n_years = panel.n_years
    long = n_years > min_train
    train = np.where(long, min_train, 2)
    bt_horizon = np.clip(np.minimum(horizon, n_years - train), 0, None)
    allowed = [MODELS if is_long else SHORT_MODELS for is_long in long]
    caught: list[Counter[str]] = [Counter() for _ in allowed]
    if engine == "fast":
        paths = fast_paths(panel.y, horizon)
    else:
        paths, caught = statsmodels_paths(panel.y, n_years, train, bt_horizon, horizon, allowed)
    mask = backtest_mask(n_years, train, bt_horizon, horizon, panel.y.shape[1])
    scores = {m: score(panel.y, panel.observed, mask, paths[m]) for m in MODELS}
    scale = np.nanmean(np.where(panel.observed, np.abs(panel.y), np.nan), axis=1)
    chosen = choose(scores, paths, allowed, n_years, scale)
    z = NormalDist().inv_cdf((1 + interval_level) / 2)
    rows: list[dict[str, object]] = []
    for s, model in enumerate(chosen):
        n = int(n_years[s])
        mean, sd = paths[model].mean[n, s], paths[model].sd[n, s]
        years = [int(panel.first_year[s]) + n - 1 + k for k in range(1, horizon + 1)]
        notes = panel.notes[s] + _run_notes(panel, s, min_train, int(bt_horizon[s]), horizon, scores[model])
        if (mean < 0).any():
            notes.append(t("forecast_warn_clipped", years=", ".join(str(yr) for yr, m in zip(years, mean) if m < 0)))
        if caught[s]:
            notes.append(t("forecast_warn_statsmodels", items=", ".join(f"{k} ×{v}" for k, v in caught[s].items())))
        rows += [{"year": yr, "forecast": max(m, 0.0), "lower": _bound(m - z * d), "upper": _bound(m + z * d),
                  "model": model, "backtest_mae": _number(scores[model].mae[s]),
                  "backtest_mape": _number(scores[model].mape[s]), "n_history": n, "warnings": _joined(notes)}
                 for yr, m, d in zip(years, mean, sd)]
    keys = panel.keys.gather(np.repeat(np.arange(len(chosen)), horizon))
    forecasts = pl.DataFrame(rows, schema=_FORECAST_SCHEMA).insert_column(0, keys)
    return ForecastResult(forecasts, _backtest_frame(panel, scores, allowed, chosen), panel.history,
                          horizon, float(interval_level), min_train, engine)


_FORECAST_SCHEMA = {"year": pl.Int64, "forecast": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
                    "model": pl.String, "backtest_mae": pl.Float64, "backtest_mape": pl.Float64,
                    "n_history": pl.Int64, "warnings": pl.String}


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _bound(value: float) -> float | None:
    return None if np.isnan(value) else max(float(value), 0.0)


def _run_notes(panel: HistoryPanel, s: int, min_train: int, bt_horizon: int, horizon: int, scores: Scores) -> list[str]:
    """Warnings about the series' length, backtest and shape."""
    n = int(panel.n_years[s])
    notes = []
    if n <= min_train:
        notes.append(t("forecast_warn_short", n=n, need=min_train))
    if bt_horizon == 0:
        notes.append(t("forecast_warn_no_backtest"))
    elif bt_horizon < horizon:
        notes.append(t("forecast_warn_bt_horizon", k=bt_horizon, h=horizon))
    origins = int(scores.n_origins[s])
    if 0 < origins < 3:
        notes.append(t("forecast_warn_few_origins", k=origins))
    values = panel.y[s, :n]
    if n > 1 and np.all(values == values[0]):
        notes.append(t("forecast_warn_constant"))
    return notes


def _backtest_frame(panel: HistoryPanel, scores: Mapping[str, Scores], allowed: list[tuple[str, ...]],
                    chosen: list[str]) -> pl.DataFrame:
    pairs = [(s, m) for s, names in enumerate(allowed) for m in names]
    columns = {"model": [m for _, m in pairs]} | {
        name: [getattr(scores[m], field)[s] for s, m in pairs] for name, field in
        (("backtest_mae", "mae"), ("backtest_mape", "mape"), ("n_origins", "n_origins"), ("n_errors", "n_errors"))}
    return (pl.DataFrame(columns, nan_to_null=True)
            .with_columns(pl.col("n_origins", "n_errors").cast(pl.Int64),
                          pl.Series("chosen", [m == chosen[s] for s, m in pairs], dtype=pl.Boolean))
            .insert_column(0, panel.keys.gather([s for s, _ in pairs])))


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
