"""The forecasting procedure and its honest backtest: what is scored (levels or openings), the model chosen at
every origin from the errors seen before it, and the error of the forecasts so chosen.

Used by :mod:`silian.analytics.forecast.openings`; method card: ``docs/methods/forecast.md``.

Arrays follow :mod:`.backtest`: a panel ``y`` of shape ``(S, T)`` (series left-aligned, NaN after the end), and
forecasts from every origin of shape ``(T + 1, S, H)`` — origin ``L`` uses the first ``L`` values and its step
``k`` forecasts the value at column ``L + k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import t as student_t

from silian.analytics.forecast.backtest import MODELS, Paths

FIRST_ORIGIN = 3
"""Shortest history the default model is backtested from (drift needs two yearly changes to have an error)."""


@dataclass(frozen=True)
class Target:
    """What is scored. ``actual[s, t]`` the realised value of year column ``t`` (NaN where undefined),
    ``scored[s, t]`` whether it may be scored (observed, not interpolated), ``rate[s]`` the replacement rate
    when the target is openings (None for levels)."""

    actual: np.ndarray
    scored: np.ndarray
    rate: np.ndarray | None

    def forecast(self, y: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """The target's forecasts from every origin, from the level forecasts ``mean`` (clipped at 0)."""
        levels = np.maximum(mean, 0.0)
        if self.rate is None:
            return levels
        last = np.full((mean.shape[0], mean.shape[1]), np.nan)
        last[1:] = y[:, : mean.shape[0] - 1].T  # origin L starts from y[L − 1]
        previous = np.concatenate([last[:, :, None], levels[:, :, :-1]], axis=2)
        return openings(previous, levels, self.rate[None, :, None])

    def cells(self, horizon: int) -> np.ndarray:
        """``(T + 1, S, H)``: the target of origin ``L``, step ``k`` exists and may be scored."""
        n_series, n_years = self.actual.shape
        padded = np.concatenate([self.scored, np.zeros((n_series, horizon), dtype=bool)], axis=1)
        window = np.lib.stride_tricks.sliding_window_view(padded, horizon, axis=1)[:, : n_years + 1]
        return np.asarray(window.transpose(1, 0, 2))

    def realised(self, horizon: int) -> np.ndarray:
        """``(T + 1, S, H)``: the realised target of origin ``L``, step ``k`` (NaN beyond the data)."""
        n_series, n_years = self.actual.shape
        padded = np.concatenate([self.actual, np.full((n_series, horizon), np.nan)], axis=1)
        window = np.lib.stride_tricks.sliding_window_view(padded, horizon, axis=1)[:, : n_years + 1]
        return np.asarray(window.transpose(1, 0, 2))

    def scale(self) -> np.ndarray:
        """The MASE scale per series: the mean absolute change of the target between consecutive scored years
        (the in-sample error of the one-step naive forecast); NaN when there is none or it is 0."""
        both = self.scored[:, 1:] & self.scored[:, :-1]
        change = np.where(both, np.abs(np.diff(self.actual, axis=1)), 0.0)
        count = both.sum(axis=1)
        with np.errstate(all="ignore"):
            mean = np.where(count > 0, change.sum(axis=1) / count, np.nan)
        return np.where(mean > 0, mean, np.nan)


def openings(previous: np.ndarray, level: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Openings = growth demand max(0, E_t − E_{t−1}) + replacement demand rate × E_{t−1}."""
    return np.asarray(np.maximum(level - previous, 0.0) + rate * previous)


def level_target(y: np.ndarray, observed: np.ndarray) -> Target:
    return Target(y, observed & ~np.isnan(y), None)


def openings_target(y: np.ndarray, observed: np.ndarray, rate: np.ndarray) -> Target:
    """Openings of every year but the first, from employment ``y``; scored when both years are observed."""
    actual = np.full_like(y, np.nan)
    actual[:, 1:] = openings(y[:, :-1], y[:, 1:], rate[:, None])
    scored = np.zeros_like(observed)
    scored[:, 1:] = observed[:, 1:] & observed[:, :-1]
    return Target(actual, scored & ~np.isnan(actual), rate)


@dataclass(frozen=True)
class Procedure:
    """The procedure's choice at every origin and the errors of the forecasts it made.

    ``chosen[L, s]`` is the index in :data:`MODELS` of the model used from origin ``L`` (the final forecast
    uses ``chosen[n_s, s]``); ``errors[L, s, k]`` the absolute error of the procedure's forecast at the
    scored origins (NaN elsewhere); ``candidates[m]`` the same for candidate ``m`` used alone; ``realised``
    the realised target of every cell.
    """

    chosen: np.ndarray
    errors: np.ndarray
    candidates: dict[str, np.ndarray]
    realised: np.ndarray


def run_procedure(y: np.ndarray, n_years: np.ndarray, target: Target, paths: dict[str, Paths],
                  candidates: list[tuple[str, ...]], *, min_train: int, horizon: int) -> Procedure:
    """Choose a model at every origin from the errors of forecasts whose target year lies before it, then score
    the chosen forecasts.

    Series with one candidate (the default model) use it at every origin and are scored from
    :data:`FIRST_ORIGIN`. Series with several: at origin ``L`` each candidate's mean absolute error over the
    cells of origins ``min_train … L − 1`` whose target year is before ``L`` ranks them (simplest first on a
    tie; the first candidate when none has such errors), and origins from ``min_train + 2`` are scored.
    """
    n_series, n_columns = y.shape
    cells, realised = target.cells(horizon), target.realised(horizon)
    forecasts = {m: target.forecast(y, paths[m].mean) for m in MODELS}
    errors = {m: np.where(cells, np.abs(realised - f), np.nan) for m, f in forecasts.items()}
    chosen = np.zeros((n_columns + 1, n_series), dtype=int)
    first = np.array([min_train + 2 if len(c) > 1 else FIRST_ORIGIN for c in candidates])
    size = np.nanmax(np.where(target.scored, np.abs(target.actual), np.nan), axis=1, initial=0.0)
    for s, names in enumerate(candidates):
        chosen[:, s] = MODELS.index(names[0])
        if len(names) > 1:
            chosen[:, s] = _choices(errors, cells[:, s], forecasts, s, names, min_train, float(size[s]))
    origin = np.arange(n_columns + 1)[:, None]
    scored = ((origin >= first[None, :]) & (origin < n_years[None, :]))[:, :, None] & cells
    stacked = np.stack([errors[m] for m in MODELS])  # (M, T + 1, S, H)
    procedure = np.take_along_axis(stacked, chosen[None, :, :, None], axis=0)[0]
    alone = {m: np.where(scored, e, np.nan) for m, e in errors.items()}
    return Procedure(chosen, np.where(scored, procedure, np.nan), alone, realised)


def _choices(errors: dict[str, np.ndarray], cells: np.ndarray, forecasts: dict[str, np.ndarray], s: int,
             names: tuple[str, ...], min_train: int, size: float) -> np.ndarray:
    """The model index chosen at every origin ``L`` for series ``s``, from the inner errors before ``L`` (within
    1e-9 of the series' size, the simplest)."""
    n_origins, horizon = cells.shape
    target_year = np.arange(n_origins)[:, None] + np.arange(horizon)[None, :]  # L' + k
    inner = cells & (np.arange(n_origins)[:, None] >= min_train)
    totals, missing = [], []
    for m in names:
        err = errors[m][:, s]
        by_year_sum, by_year_missing = np.zeros(n_origins + horizon), np.zeros(n_origins + horizon)
        np.add.at(by_year_sum, target_year[inner], np.nan_to_num(err[inner]))
        np.add.at(by_year_missing, target_year[inner], np.isnan(err[inner]))
        totals.append(np.concatenate([[0.0], np.cumsum(by_year_sum)])[:n_origins])  # years < L
        missing.append(np.concatenate([[0.0], np.cumsum(by_year_missing)])[:n_origins])
    counts = np.zeros(n_origins + horizon)
    np.add.at(counts, target_year[inner], 1)
    count = np.concatenate([[0.0], np.cumsum(counts)])[:n_origins]
    chosen = np.full(n_origins, MODELS.index(names[0]))
    for origin in range(n_origins):
        if count[origin] == 0:
            continue
        maes = [(totals[i][origin] / count[origin], m) for i, m in enumerate(names)
                if missing[i][origin] == 0 and not np.isnan(forecasts[m][origin, s, 0])]
        if maes:
            best = min(v for v, _ in maes)
            chosen[origin] = MODELS.index(next(m for v, m in maes if v <= best + 1e-9 * max(size, 1e-300)))
    return chosen


@dataclass(frozen=True)
class Errors:
    """Backtest errors in the target's unit, per series (and per step when ``by_step``)."""

    mae: np.ndarray
    rmse: np.ndarray
    mase: np.ndarray
    mape: np.ndarray
    n_errors: np.ndarray
    n_origins: np.ndarray


def summarise(errors: np.ndarray, realised: np.ndarray, scale: np.ndarray, *, by_step: bool) -> Errors:
    """MAE, RMSE, MASE (MAE / ``scale``, the in-sample one-step naive error) and MAPE (NaN when a scored actual
    value is 0) of ``errors[L, s, k]``, per series and step (``by_step``) or pooled over steps."""
    axis: int | tuple[int, int] = 0 if by_step else (0, 2)
    counted = ~np.isnan(errors)
    n = counted.sum(axis=axis)
    with np.errstate(all="ignore"):
        mae = np.where(n > 0, np.nansum(errors, axis=axis) / n, np.nan)
        rmse = np.where(n > 0, np.sqrt(np.nansum(errors**2, axis=axis) / n), np.nan)
        positive = ~(counted & ~(realised > 0)).any(axis=axis)
        ape = np.where(counted, errors / np.abs(realised), 0.0)
        mape = np.where(positive & (n > 0), 100 * ape.sum(axis=axis) / n, np.nan)
        mase = mae / (scale[:, None] if by_step else scale)
    origins = counted.any(axis=2).sum(axis=0)
    return Errors(mae, rmse, mase, mape, n, origins)


def empirical_bounds(point: np.ndarray, steps: Errors, level: float, *,
                     widening: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``point ± t × RMSE`` per step (NaN with fewer than 2 backtest errors), t the Student quantile of
    ``(1 + level) / 2`` with as many degrees of freedom as backtest errors; clipped at 0. ``widening``: the
    half-width never narrows with the step (a level's uncertainty only grows with the horizon)."""
    with np.errstate(all="ignore"):
        quantile = np.where(steps.n_errors >= 2, student_t.ppf((1 + level) / 2, np.maximum(steps.n_errors, 1)), np.nan)
    half = quantile * steps.rmse
    if widening:
        half = np.where(np.isnan(half), np.nan, np.maximum.accumulate(np.nan_to_num(half, nan=0.0), axis=1))
    return np.maximum(point - half, 0.0), np.maximum(point + half, 0.0)
