"""Forecasting models and the rolling-origin backtest behind :mod:`silian.analytics.forecast.openings`.

Every model works on a panel ``y`` of shape ``(S, T)``: one row per series, years left-aligned (the
series' first year in column 0), NaN after the series' last year. A model returns :class:`Paths`:
``mean[L, s, k]`` and ``sd[L, s, k]`` are the ``k+1``-step forecast and its standard deviation made
from the first ``L`` values of series ``s`` (NaN where undefined). Re-fitting at every origin ``L`` is
what makes the backtest a rolling-origin one; the fast engine gets all origins from one pass, because
each of its fits only uses the data up to ``L`` (parameters and initial states are chosen by the
one-step squared error up to ``L``, from running sums).
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

MODELS: tuple[str, ...] = ("naive", "drift", "ses", "arima011", "arima110", "holt", "damped")
"""Candidate models, simplest first: on a tie in backtest error the simpler one wins."""
DEFAULT_MODELS: tuple[str, ...] = ("naive", "drift")
"""The models a short history may use as its one default (no selection)."""
ALPHAS = np.linspace(0.05, 1.0, 20)
BETA_SHARES = np.linspace(0.0, 1.0, 11)  # beta = alpha * share (Holt's beta*), so 0 <= beta <= alpha
PHIS = np.array([0.8, 0.85, 0.9, 0.95, 0.98])
THETAS = np.linspace(-0.95, 0.95, 39)
N_PARAMS = {"naive": 0, "drift": 1, "ses": 2, "arima011": 3, "arima110": 2, "holt": 4, "damped": 5}


@dataclass(frozen=True)
class Paths:
    """Forecasts from every origin: ``mean`` and ``sd`` of shape ``(T + 1, S, H)``."""

    mean: np.ndarray
    sd: np.ndarray


def _empty(y: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    shape = (y.shape[1] + 1, y.shape[0], horizon)
    return np.full(shape, np.nan), np.full(shape, np.nan)


def _sigma(sse: np.ndarray, n_resid: int, n_params: int) -> np.ndarray:
    return np.asarray(np.sqrt(np.maximum(sse, 0.0) / max(n_resid - n_params, 1)))


def naive(y: np.ndarray, horizon: int) -> Paths:
    """Random walk: ``ŷ(L+k) = y(L-1)``; ``sd_k = σ√k`` with σ² the mean squared first difference."""
    mean, sd = _empty(y, horizon)
    steps = np.arange(1, horizon + 1)
    for length in range(1, y.shape[1] + 1):
        mean[length] = y[:, length - 1, None]
        if length >= 2:
            diffs = np.diff(y[:, :length], axis=1)
            sd[length] = _sigma((diffs**2).sum(axis=1), length - 1, 0)[:, None] * np.sqrt(steps)
    return Paths(mean, sd)


def drift(y: np.ndarray, horizon: int) -> Paths:
    """Random walk with drift: the line through the first and last value, ``sd_k = σ√(k(1 + k/(L-1)))``."""
    mean, sd = _empty(y, horizon)
    steps = np.arange(1, horizon + 1)
    for length in range(2, y.shape[1] + 1):
        diffs = np.diff(y[:, :length], axis=1)
        slope = diffs.mean(axis=1)
        mean[length] = y[:, length - 1, None] + slope[:, None] * steps
        sigma = _sigma(((diffs - slope[:, None]) ** 2).sum(axis=1), length - 1, 1)
        sd[length] = sigma[:, None] * np.sqrt(steps * (1 + steps / (length - 1)))
    return Paths(mean, sd)


def _grid(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parameters searched: α; β = α·β* (so 0 ≤ β ≤ α); φ (1 unless damped); ARIMA(0,1,1): θ = α − 1."""
    if kind == "ses":
        return ALPHAS, np.zeros_like(ALPHAS), np.ones_like(ALPHAS)
    if kind == "arima011":  # Δy = μ + ε + θε₋₁ is ETS(A,A,N) with α = 1 + θ, β = 0 and the drift μ as b₀
        return 1 + THETAS, np.zeros_like(THETAS), np.ones_like(THETAS)
    phis = PHIS if kind == "damped" else np.ones(1)
    alpha, share, phi = (g.ravel() for g in np.meshgrid(ALPHAS, BETA_SHARES, phis, indexing="ij"))
    return alpha, alpha * share, phi


def exponential_smoothing(y: np.ndarray, horizon: int, kind: str,
                          grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Paths:
    """ETS(A,N,N) ``ses``, ETS(A,A,N) ``holt``, ETS(A,Ad,N) ``damped`` or ARIMA(0,1,1) with drift ``arima011``.

    ``ŷ = l + φb``, ``e = y − ŷ``, ``l ← ŷ + αe``, ``b ← φb + βe``. The one-step errors are linear in the
    initial states ``(l₀, b₀)``: ``e = e⁰ + l₀h¹ + b₀h²`` (``e⁰`` from zero states, ``h¹``, ``h²`` from unit
    states and no data), so for every (α, β, φ) of the grid the least-squares initial states are solved
    exactly from running sums, at every origin; the grid point with the least SSE wins (Gaussian maximum
    likelihood on the grid). Variance: ``σ²(1 + Σ_{j<k} (α + βφ_j)²)``, ``φ_j = φ + … + φ^j``.
    """
    alpha, beta, phi = grid if grid is not None else _grid(kind)
    n_series, n_years = y.shape
    mean, sd = _empty(y, horizon)
    level, trend = np.zeros((n_series, alpha.size)), np.zeros((n_series, alpha.size))
    unit_level = np.stack([np.ones(alpha.size), np.zeros(alpha.size)])  # states from l₀ = 1 and from b₀ = 1
    unit_trend = unit_level[::-1].copy()
    cross, gram = np.zeros((2, n_series, alpha.size)), np.zeros((3, alpha.size))  # Σe⁰h, Σh¹h¹, Σh¹h², Σh²h²
    sse_zero = np.zeros((n_series, alpha.size))
    steps, rows = np.arange(1, horizon + 1), np.arange(n_series)
    for t in range(n_years):
        predicted = level + phi * trend
        error = y[:, t, None] - predicted
        level, trend = predicted + alpha * error, phi * trend + beta * error
        unit_error = -(unit_level + phi * unit_trend)
        unit_level, unit_trend = -unit_error + alpha * unit_error, phi * unit_trend + beta * unit_error
        sse_zero += error**2
        cross += error[None] * unit_error[:, None, :]
        gram += np.stack([unit_error[0] ** 2, unit_error[0] * unit_error[1], unit_error[1] ** 2])
        if t + 1 < 3:
            continue
        start, sse = _initial_states(kind, sse_zero, cross, gram)
        best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=1)
        a, b, f = alpha[best, None], beta[best, None], phi[best, None]
        pick = (rows, best)
        last_level = level[pick] + start[0][pick] * unit_level[0, best] + start[1][pick] * unit_level[1, best]
        last_trend = trend[pick] + start[0][pick] * unit_trend[0, best] + start[1][pick] * unit_trend[1, best]
        phi_sums = np.cumsum(f ** steps[None, :], axis=1)
        mean[t + 1] = last_level[:, None] + phi_sums * last_trend[:, None]
        weights = np.concatenate([np.zeros((n_series, 1)), (a + b * phi_sums[:, :-1]) ** 2], axis=1)
        sigma = _sigma(sse[pick], t + 1, N_PARAMS[kind])
        sd[t + 1] = sigma[:, None] * np.sqrt(1 + np.cumsum(weights, axis=1))
    return Paths(mean, sd)


def _initial_states(kind: str, sse_zero: np.ndarray, cross: np.ndarray,
                    gram: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Least-squares ``(l₀, b₀)`` and the SSE they leave, per series and grid point (``ses``: b₀ = 0)."""
    g11, g12, g22 = gram[0], gram[1], gram[2]
    if kind == "ses":
        level0 = -cross[0] / g11
        return (level0, np.zeros_like(level0)), sse_zero + cross[0] * level0
    det = g11 * g22 - g12**2
    det = np.where(det > 1e-10 * g11 * g22, det, np.nan)  # initial states not identified: grid point skipped
    level0 = -(g22 * cross[0] - g12 * cross[1]) / det
    trend0 = -(g11 * cross[1] - g12 * cross[0]) / det
    return (level0, trend0), sse_zero + cross[0] * level0 + cross[1] * trend0


def _psi_variance(phi: np.ndarray, horizon: int) -> np.ndarray:
    """Cumulative ``Σ_{j<k} ψ_j²`` of (1 − φB)(1 − B): ``ψ_0 = 1``, ``ψ_j = (1+φ)ψ_{j-1} − φψ_{j-2}``."""
    psi = [np.ones_like(phi), 1 + phi]
    while len(psi) < horizon:
        psi.append((1 + phi) * psi[-1] - phi * psi[-2])
    return np.cumsum(np.stack(psi[:horizon], axis=1) ** 2, axis=1)


def arima110(y: np.ndarray, horizon: int) -> Paths:
    """ARIMA(1,1,0) with drift, ``Δy_t = c + φΔy_{t-1} + ε_t``, by least squares; ``|φ| ≤ 0.98``."""
    mean, sd = _empty(y, horizon)
    for length in range(4, y.shape[1] + 1):
        diffs = np.diff(y[:, :length], axis=1)
        x, z = diffs[:, :-1], diffs[:, 1:]
        n_pairs = z.shape[1]
        x_dev = x - x.mean(axis=1, keepdims=True)
        z_dev = z - z.mean(axis=1, keepdims=True)
        sxx = (x_dev**2).sum(axis=1)
        safe = np.where(sxx > 1e-12 * (1 + (x**2).sum(axis=1)), sxx, np.inf)
        phi = np.clip((x_dev * z_dev).sum(axis=1) / safe, -0.98, 0.98)
        const = z.mean(axis=1) - phi * x.mean(axis=1)
        residuals = z - const[:, None] - phi[:, None] * x
        step_diff, level = diffs[:, -1], y[:, length - 1]
        path = []
        for _ in range(horizon):
            step_diff = const + phi * step_diff
            level = level + step_diff
            path.append(level)
        mean[length] = np.stack(path, axis=1)
        sigma = _sigma((residuals**2).sum(axis=1), n_pairs, N_PARAMS["arima110"])
        sd[length] = sigma[:, None] * np.sqrt(_psi_variance(phi, horizon))
    return Paths(mean, sd)


def fast_paths(y: np.ndarray, horizon: int) -> dict[str, Paths]:
    """All candidate models of :data:`MODELS` from all origins, vectorised over series (numpy only).

    Every model is affine-equivariant, so each series is fitted as ``(y − y₀) / scale`` (better
    conditioned running sums) and the forecasts are mapped back.
    """
    shift = y[:, :1]
    scale = np.nanmax(np.abs(y - shift), axis=1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    unit = (y - shift) / scale
    with np.errstate(all="ignore"):
        paths = {
            "naive": naive(unit, horizon),
            "drift": drift(unit, horizon),
            "ses": exponential_smoothing(unit, horizon, "ses"),
            "arima011": exponential_smoothing(unit, horizon, "arima011"),
            "arima110": arima110(unit, horizon),
            "holt": exponential_smoothing(unit, horizon, "holt"),
            "damped": exponential_smoothing(unit, horizon, "damped"),
        }
    return {m: Paths(p.mean * scale[None] + shift[None], p.sd * scale[None]) for m, p in paths.items()}


def _statsmodels_fit(model: str, values: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if model.startswith("arima"):
        order = (0, 1, 1) if model == "arima011" else (1, 1, 0)
        prediction = ARIMA(values, order=order, trend="t").fit().get_forecast(horizon)
        return np.asarray(prediction.predicted_mean), np.asarray(prediction.var_pred_mean)
    trend = None if model == "ses" else "add"
    fitted = ETSModel(pd.Series(values), error="add", trend=trend, damped_trend=model == "damped").fit(disp=False)
    prediction = fitted.get_prediction(start=len(values), end=len(values) + horizon - 1)
    return np.asarray(prediction.predicted_mean), np.asarray(prediction.forecast_variance)


def statsmodels_paths(y: np.ndarray, n_years: np.ndarray, min_train: int, horizon: int,
                      models: list[tuple[str, ...]]) -> tuple[dict[str, Paths], list[Counter[str]]]:
    """The candidates fitted by statsmodels (ETSModel, ARIMA; maximum likelihood) where they are needed.

    Needed: every origin from ``min_train`` to the end of each series, for the candidates in ``models[s]``;
    naive and drift are closed-form and come from the fast engine. A model whose final fit fails is dropped
    for that series. Warnings statsmodels raises are counted per series as ``"<model>: <category>"``
    instead of being printed.
    """
    with np.errstate(all="ignore"):
        paths = {"naive": naive(y, horizon), "drift": drift(y, horizon)}
    caught: list[Counter[str]] = [Counter() for _ in range(y.shape[0])]
    for model in MODELS[2:]:
        mean, sd = _empty(y, horizon)
        for s, n in enumerate(n_years.tolist()):
            if model not in models[s]:
                continue
            for length in range(min(min_train, n), n + 1):
                with warnings.catch_warnings(record=True) as raised:
                    warnings.simplefilter("always")
                    try:
                        mean[length, s], variance = _statsmodels_fit(model, y[s, :length], horizon)
                        sd[length, s] = np.sqrt(variance)
                    except (ValueError, ArithmeticError, IndexError, RuntimeError, np.linalg.LinAlgError) as error:
                        caught[s][f"{model}: {type(error).__name__}"] += 1
                caught[s].update(f"{model}: {w.category.__name__}" for w in raised)
            if np.isnan(mean[n, s]).any():
                mean[:, s] = np.nan
        paths[model] = Paths(mean, sd)
    return paths, caught
