"""Forecasts of openings: hand-checkable series, the procedure's backtest by hand and by simulation, replacement
demand, bad input."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from silian.analytics.forecast.backtest import MODELS, _psi_variance, exponential_smoothing, fast_paths
from silian.analytics.forecast.openings import (
    DEFAULT_EXIT_RATE,
    FORECAST_COLUMNS,
    OPENINGS_COLUMNS,
    OPENINGS_FORECAST_COLUMNS,
    exit_rate_from_age,
    forecast_openings,
    openings_from_employment,
)
from silian.analytics.forecast.procedure import level_target, run_procedure
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang


def history(values: Mapping[str, Sequence[float | None]], first_year: int = 2010) -> pl.DataFrame:
    rows = [(s, first_year + i, v) for s, vs in values.items() for i, v in enumerate(vs)]
    return pl.DataFrame(rows, schema={"series": pl.String, "year": pl.Int64, "value": pl.Float64}, orient="row")


def noisy_panel(n_series: int = 12, n_years: int = 15) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    values = {}
    for s in range(n_series):
        growth = rng.normal(0.02, 0.03) + rng.normal(0, 0.04, n_years)
        values[f"S{s:02d}"] = list(rng.uniform(50, 5000) * np.cumprod(1 + growth))
    return history(values, 2009)


# ---- hand-checkable series

def test_a_line_is_forecast_as_the_line() -> None:
    result = forecast_openings(history({"c13": [10.0 + 2 * i for i in range(12)]}), horizon=3)
    f = result.forecasts
    assert f.columns == list(FORECAST_COLUMNS)
    assert f["year"].to_list() == [2022, 2023, 2024]
    assert f["forecast"].to_list() == pytest.approx([34.0, 36.0, 38.0], abs=1e-9)
    assert f["model"].unique().to_list() == ["drift"]  # simplest of the exact models
    assert f["backtest_mae"].to_list() == pytest.approx([0.0] * 3, abs=1e-9)
    exact = result.backtest.filter(pl.col("backtest_mae") < 1e-6)["model"].to_list()
    assert {"drift", "arima011", "arima110", "holt"} <= set(exact)


@pytest.mark.parametrize("kind", ["holt", "arima011"])
def test_holt_and_arima011_reproduce_a_line_from_every_origin(kind: str) -> None:
    line = 500.0 - 7.5 * np.arange(10)
    paths = exponential_smoothing(line[None, :], 2, kind)
    for length in range(3, 11):
        expected = 500.0 - 7.5 * np.arange(length, length + 2)
        assert paths.mean[length, 0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("n", "model"), [(9, "naive"), (12, "naive")])
def test_a_constant_series_gives_the_constant(n: int, model: str) -> None:
    f = forecast_openings(history({"x": [42.0] * n})).forecasts
    assert f["forecast"].to_list() == [42.0] * 3
    assert f["lower"].to_list() == f["upper"].to_list() == [42.0] * 3
    assert f["model"][0] == model  # short: the default; long enough to choose: the simplest of the exact ones
    assert "历史为常数" in f["warnings"][0]


def test_the_default_procedure_backtest_equals_the_hand_computed_one() -> None:
    # 5 years < 12: the default (naive) at every origin, scored from 3 years; horizon 2
    f = forecast_openings(history({"s": [10.0, 12, 11, 15, 14]}), horizon=2).forecasts
    # from 10, 12, 11: 11 and 11 against 15 and 14; from 10 … 15: 15 against 14
    assert f["backtest_mae"].to_list() == pytest.approx([(4 + 1) / 2, 3.0])
    assert f["backtest_mase"].to_list() == pytest.approx([2.5 / 2, 3.0 / 2])  # |Δy| = 2, 1, 4, 1
    assert f["forecast"].to_list() == [14.0, 14.0] and f["model"].unique().to_list() == ["naive"]
    assert "历史只有 5 年（少于 12 年）：采用朴素法（沿用最近一年的值）" in f["warnings"][0]


def test_the_drift_procedure_backtest_equals_the_hand_computed_one() -> None:
    # 5 years < 12: drift at every origin, scored from 3 years; horizon 2
    result = forecast_openings(history({"s": [10.0, 12, 11, 15, 14]}), horizon=2, default_model="drift")
    f = result.forecasts
    # from 10, 12, 11 the slope is 0.5 → 11.5, 12 against 15, 14; from 10 … 15 it is 5/3 → 16.667 against 14
    assert f["backtest_mae"].to_list() == pytest.approx([(3.5 + 8 / 3) / 2, 2.0])
    assert f["backtest_mape"].to_list() == pytest.approx([100 * (3.5 / 15 + (8 / 3) / 14) / 2, 100 * 2 / 14])
    scale = (2 + 1 + 4 + 1) / 4  # the in-sample one-step naive error
    assert f["backtest_mase"].to_list() == pytest.approx([(3.5 + 8 / 3) / 2 / scale, 2.0 / scale])
    assert f["forecast"].to_list() == pytest.approx([15.0, 16.0])  # slope (14 − 10) / 4
    assert f["model"].unique().to_list() == ["drift"]
    assert "历史只有 5 年（少于 12 年）：采用漂移法" in f["warnings"][0]
    bt = result.backtest.row(0, named=True)
    assert (bt["model"], bt["chosen"], bt["n_origins"], bt["n_errors"]) == ("drift", True, 2, 3)
    assert result.accuracy is not None and result.accuracy["n_errors"].to_list() == [2, 1]


def test_openings_are_forecast_and_scored_as_openings() -> None:
    # employment 10, 12, 11, 15, 14 → openings (growth + 10 % of last year) 3, 1.2, 5.1, 1.5
    result = forecast_openings(history({"s": [10.0, 12, 11, 15, 14]}), horizon=2, exit_rate=0.1, default_model="drift")
    o = result.openings
    assert o is not None and o.columns == list(OPENINGS_FORECAST_COLUMNS)
    assert o["employment"].to_list() == pytest.approx([15.0, 16.0])
    assert o["growth_demand"].to_list() == pytest.approx([1.0, 1.0])
    assert o["replacement_demand"].to_list() == pytest.approx([1.4, 1.5])
    assert o["openings"].to_list() == pytest.approx([2.4, 2.5])
    # origin 3: 11.5, 12 from 11 → 0.5 + 1.1 = 1.6 against 5.1; 0.5 + 1.15 = 1.65 against 1.5
    # origin 4: 16.667 from 15 → 1.667 + 1.5 against 1.5
    assert o["backtest_mae"].to_list() == pytest.approx([(3.5 + 5 / 3) / 2, 0.15])
    assert o["backtest_mase"].to_list() == pytest.approx([(3.5 + 5 / 3) / 2 / 3.1, 0.15 / 3.1])  # |Δ openings| 1.8, 3.9, 3.6
    assert o["backtest_n"].to_list() == [2, 1]
    # the interval needs two errors: t(0.9, 2 df) × RMSE for the first year, none for the second
    rmse = np.sqrt((3.5**2 + (5 / 3) ** 2) / 2)
    assert o["openings_upper"][0] == pytest.approx(2.4 + 1.885618083 * rmse, rel=1e-6)
    assert 2.4 - 1.885618083 * rmse < 0  # … but openings are never below the replacement of 14: 1.4
    assert o["openings_lower"][0] == pytest.approx(1.4) and o["openings_upper"][1] is None
    assert result.accuracy is not None and result.accuracy["unit"].unique().to_list() == ["openings"]
    # the employment forecast keeps its own errors, in employment
    assert result.forecasts["backtest_mae"].to_list() == pytest.approx([(3.5 + 8 / 3) / 2, 2.0])


def test_the_choice_at_an_origin_never_sees_later_years() -> None:
    rng = np.random.default_rng(7)
    y = (200 + np.cumsum(rng.normal(3, 6, 16)))[None, :]
    later = y.copy()
    later[0, 12:] += np.array([40.0, -60, 90, -30])  # change the years from column 12 on
    chosen = []
    for values in (y, later):
        target = level_target(values, np.ones_like(values, dtype=bool))
        procedure = run_procedure(values, np.array([16]), target, fast_paths(values, 3), [MODELS], min_train=5, horizon=3)
        chosen.append(procedure.chosen[:, 0])
    assert (chosen[0][:13] == chosen[1][:13]).all()  # origins up to 12 use columns before 12 only
    assert len(set(chosen[0][7:].tolist())) >= 1


def _synthetic(rng: np.random.Generator, n_series: int, n_years: int) -> np.ndarray:
    """Employment-like yearly series: random walks with drift, noisy lines, persistent growth rates, noisy levels."""
    out = []
    for s in range(n_series):
        level = rng.uniform(20, 500)
        if s % 4 == 0:
            y = level + np.cumsum(rng.normal(rng.normal(0, 0.02), 0.04, n_years) * level)
        elif s % 4 == 1:
            y = level * (1 + rng.normal(0, 0.03) * np.arange(n_years)) + rng.normal(0, 0.03 * level, n_years)
        elif s % 4 == 2:
            growth, mean = np.zeros(n_years), rng.normal(0.01, 0.03)
            for t in range(1, n_years):
                growth[t] = mean + 0.6 * (growth[t - 1] - mean) + rng.normal(0, 0.02)
            y = level * np.cumprod(1 + growth)
        else:
            y = level + rng.normal(0, 0.05 * level, n_years)
        out.append(np.maximum(y, 0.0))
    return np.array(out)


def _simulate(seed: int, n_years: int, horizon: int = 3, exit_rate: float | None = None,
              n_series: int = 240) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forecast the first ``n_years`` of synthetic series; the realised values (levels, or openings) of the next
    ``horizon`` years beside the forecasts, the reported backtest errors and the interval."""
    y = _synthetic(np.random.default_rng(seed), n_series, n_years + horizon)
    frame = history({f"s{s:03d}": list(y[s, :n_years]) for s in range(n_series)}, 2000)
    kwargs = {} if exit_rate is None else {"exit_rate": exit_rate}
    result = forecast_openings(frame, horizon=horizon, **kwargs)
    if exit_rate is None:
        f, column, bounds, realised = result.forecasts, "forecast", ("lower", "upper"), y[:, n_years:]
    else:
        assert result.openings is not None
        f, column, bounds = result.openings, "openings", ("openings_lower", "openings_upper")
        realised = np.maximum(np.diff(y[:, n_years - 1:], axis=1), 0) + exit_rate * y[:, n_years - 1:-1]
    f = f.sort("series", "year")
    shape = (n_series, horizon)
    return (realised, f[column].to_numpy().reshape(shape), f["backtest_mae"].to_numpy().reshape(shape),
            f[bounds[0]].to_numpy().reshape(shape), f[bounds[1]].to_numpy().reshape(shape))


def test_the_reported_error_is_not_below_the_realised_error_with_8_years() -> None:
    # Choosing the best of seven models on one backtest origin and printing its error reported about 0.6 of the
    # error later realised; the procedure's own error must be the realised one or a little above
    realised, forecast, reported, _, _ = _simulate(seed=2026, n_years=8)
    ratio = np.nanmean(reported) / np.mean(np.abs(realised - forecast))
    assert 0.9 <= ratio <= 1.4


@pytest.mark.parametrize(("n_years", "exit_rate"), [(8, 0.03), (15, 0.03), (15, None)])
def test_reported_errors_and_intervals_hold_out_of_sample(n_years: int, exit_rate: float | None) -> None:
    realised, forecast, reported, lower, upper = _simulate(seed=11, n_years=n_years, exit_rate=exit_rate)
    ratio = np.nanmean(reported) / np.mean(np.abs(realised - forecast))
    assert 0.8 <= ratio <= 1.35  # over seeds 1–6 the ratio ran 0.87–1.26
    coverage = np.mean((realised >= lower) & (realised <= upper))
    assert 0.72 <= coverage <= 0.92  # the intervals are 80 %


def test_interpolated_years_are_noted_and_not_scored() -> None:
    frame = history({"s": [10.0, 12, 11, 15, 14, 18, 17, 20]}).filter(pl.col("year") != 2016)
    result = forecast_openings(frame, horizon=2, min_train=5)
    assert result.forecasts["forecast"].to_list() == [20.0, 20.0]
    assert result.history.filter(pl.col("year") == 2016)["value"].to_list() == [19.0]  # between 18 and 20
    assert result.history["interpolated"].sum() == 1
    assert "2016" in result.forecasts["warnings"][0] and "插值" in result.forecasts["warnings"][0]
    drift = result.backtest.row(0, named=True)
    full = forecast_openings(history({"s": [10.0, 12, 11, 15, 14, 18, 19, 20]}), horizon=2, min_train=5)
    assert full.backtest.row(0, named=True)["n_errors"] == 9  # origins 3 … 7, two years ahead within the data
    assert drift["n_errors"] == 7  # 2016 (interpolated) is not scored: from origins 5 and 6


def test_gaps_can_be_refused() -> None:
    frame = history({"s": [1.0, 2, 3, 4, 5, 6, 7]}).filter(pl.col("year") != 2012)
    with pytest.raises(InvalidInput, match="2012"):
        forecast_openings(frame, gaps="raise")


def test_empty_values_are_missing_years() -> None:
    result = forecast_openings(history({"s": [5.0, 6, None, 8, 9, 10, 11, None]}), default_model="drift")
    assert result.forecasts["year"][0] == 2017  # the trailing empty year is dropped, not forecast over
    assert result.forecasts["forecast"][0] == pytest.approx(12.0)
    assert "2012" in result.forecasts["warnings"][0] and "2017" in result.forecasts["warnings"][0]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 11])
def test_short_series_use_the_default_model_without_a_choice(n: int) -> None:
    values = [3.0, 5.0, 4.0, 6.0, 7.0, 9.0, 8.0, 11.0, 10.0, 13.0, 12.0][:n]
    result = forecast_openings(history({"short": values}))
    f = result.forecasts
    assert f.height == 3
    assert f["model"].unique().to_list() == ["naive"]
    assert result.backtest["model"].to_list() == ["naive"]  # the only candidate
    if n >= 3:
        assert f"历史只有 {n} 年（少于 12 年）：采用朴素法" in f["warnings"][0]
    if n <= 3:
        assert f["backtest_mae"][0] is None and "无法回测" in f["warnings"][0]
    if n == 1:
        assert f["forecast"].to_list() == [3.0] * 3 and f["lower"].null_count() == 3


def test_the_default_and_the_threshold_are_settings() -> None:
    values = {"a": [3.0, 5.0, 4.0, 6.0, 7.0, 9.0, 8.0, 11.0]}
    drift = forecast_openings(history(values), default_model="drift").forecasts
    assert drift["model"].unique().to_list() == ["drift"]
    assert drift["forecast"].to_list() == pytest.approx([11 + 8 / 7 * k for k in (1, 2, 3)])
    assert "漂移法" in drift["warnings"][0]
    chosen = forecast_openings(history(values), min_select=8).forecasts
    assert "在 7 个模型中按回测误差择优" in chosen["warnings"][0]
    with pytest.raises(InvalidInput, match="default_model"):
        forecast_openings(history(values), default_model="holt")
    with pytest.raises(InvalidInput, match="min_select"):
        forecast_openings(history(values), min_select=2)


def test_negative_forecasts_are_clipped_with_a_note() -> None:
    f = forecast_openings(history({"down": [90.0, 75, 60, 45, 30, 15, 10, 5]}), horizon=3, default_model="drift").forecasts
    assert (f["forecast"] >= 0).all() and (f["lower"] >= 0).all()
    assert "负的预测值已截为 0" in f["warnings"][0]


def test_intervals_widen_with_the_horizon_and_the_level() -> None:
    frame = noisy_panel(3)
    narrow = forecast_openings(frame, interval_level=0.5).forecasts
    wide = forecast_openings(frame, interval_level=0.95).forecasts
    assert ((wide["upper"] - wide["lower"]) > (narrow["upper"] - narrow["lower"])).all()
    width = (wide["upper"] - wide["lower"]).to_numpy().reshape(3, 3)
    assert (np.diff(width, axis=1) >= 0).all()  # never narrower further ahead


def test_runs_are_deterministic_and_keys_keep_their_type() -> None:
    frame = noisy_panel().with_columns(pl.col("series").str.slice(1).cast(pl.Int32))
    first, second = forecast_openings(frame), forecast_openings(frame)
    assert first.forecasts.equals(second.forecasts) and first.backtest.equals(second.backtest)
    assert first.forecasts.schema["series"] == pl.Int32
    assert first.forecasts.height == 12 * 3 and first.forecasts["forecast"].null_count() == 0


# ---- the model equations agree with statsmodels

@pytest.mark.parametrize(("kind", "trend", "damped"), [("ses", None, False), ("holt", "add", False),
                                                       ("damped", "add", True)])
def test_exponential_smoothing_matches_statsmodels_ets(kind: str, trend: str | None, damped: bool) -> None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.array([120.0, 131, 140, 138, 152, 160, 171, 169, 180, 186, 197, 199])
    fixed = {"smoothing_level": 0.5, "smoothing_trend": 0.1, "damping_trend": 0.9}
    model = ETSModel(pd.Series(y), error="add", trend=trend, damped_trend=damped)
    with model.fix_params({k: v for k, v in fixed.items() if k in model.param_names}):
        fitted = model.fit(disp=False)  # only the initial states are estimated
    grid = (np.array([0.5]), np.array([0.1 if trend else 0.0]), np.array([0.9 if damped else 1.0]))
    paths = exponential_smoothing(y[None, :], 3, kind, grid)
    assert paths.mean[12, 0] == pytest.approx(fitted.forecast(3).to_numpy(), rel=1e-6)
    variance = fitted.get_prediction(start=12, end=14).forecast_variance
    n_params = {"ses": 2, "holt": 4, "damped": 5}[kind]  # we divide the SSE by n − k, statsmodels by n
    assert paths.sd[12, 0] ** 2 == pytest.approx(np.asarray(variance) * 12 / (12 - n_params), rel=1e-5)


def test_arima110_interval_uses_the_psi_weights_statsmodels_uses() -> None:
    from statsmodels.tsa.arima.model import ARIMA

    y = np.array([120.0, 131, 140, 138, 152, 160, 171, 169, 180, 186, 197, 199])
    fitted = ARIMA(y, order=(1, 1, 0), trend="t").smooth([1.0, 0.5, 4.0])
    assert _psi_variance(np.array([0.5]), 3)[0] == pytest.approx(fitted.get_forecast(3).var_pred_mean / 4.0)
    assert _psi_variance(np.array([0.5]), 3)[0] == pytest.approx([1, 1 + 1.5**2, 1 + 1.5**2 + 1.75**2])  # ψ = 1, 1.5, 1.75


def test_the_statsmodels_engine_records_its_warnings_instead_of_printing() -> None:
    frame = history({"a": [100.0, 104, 109, 112, 118, 121]})
    settings: dict[str, Any] = {"min_select": 6, "min_train": 4}  # a choice among models from few fits
    with warnings.catch_warnings(record=True) as printed:
        warnings.simplefilter("always")
        slow = forecast_openings(frame, engine="statsmodels", **settings)
    assert not printed
    fast = forecast_openings(frame, **settings)
    assert slow.forecasts.columns == fast.forecasts.columns
    assert slow.forecasts["forecast"].to_numpy() == pytest.approx(fast.forecasts["forecast"].to_numpy(), rel=0.05)
    assert slow.engine == "statsmodels"


# ---- openings = growth + replacement

def test_openings_by_hand() -> None:
    employment = history({"c": [100.0, 110.0, 105.0]}, 2020)
    out = openings_from_employment(employment, exit_rate=0.03)
    assert out.columns == list(OPENINGS_COLUMNS)
    assert out["year"].to_list() == [2021, 2022]
    assert out["growth_demand"].to_list() == pytest.approx([10.0, 0.0])
    assert out["replacement_demand"].to_list() == pytest.approx([3.0, 3.3])
    assert out["openings"].to_list() == pytest.approx([13.0, 3.3])


def test_openings_with_a_rate_per_series_and_from_a_forecast() -> None:
    frame = history({"a": [10.0 + 2 * i for i in range(8)], "b": [50.0] * 8})
    result = forecast_openings(frame, horizon=2, default_model="drift")
    out = openings_from_employment(result, exit_rate={"a": 0.1, "b": 0.02})
    a = out.filter(pl.col("series") == "a")
    assert a["year"].to_list() == [2018, 2019]
    assert a["employment"].to_list() == pytest.approx([26.0, 28.0])
    assert a["openings"].to_list() == pytest.approx([2 + 0.1 * 24, 2 + 0.1 * 26])  # 24: the last history year
    assert out.filter(pl.col("series") == "b")["openings"].to_list() == pytest.approx([1.0, 1.0])
    assert openings_from_employment(result)["exit_rate"].unique().to_list() == [DEFAULT_EXIT_RATE]
    with pytest.raises(InvalidInput, match="b"):
        openings_from_employment(result, exit_rate={"a": 0.1})
    with pytest.raises(InvalidInput, match="exit_rate"):
        openings_from_employment(result, exit_rate=1.5)


def test_openings_need_consecutive_years() -> None:
    with pytest.raises(InvalidInput, match="2022"):
        openings_from_employment(history({"c": [1.0, 2.0, 3.0]}, 2020).filter(pl.col("year") != 2021))


def test_exit_rate_from_an_age_profile() -> None:
    assert exit_rate_from_age(0.25, 10) == pytest.approx(0.025)
    with pytest.raises(InvalidInput):
        exit_rate_from_age(1.2, 10)


# ---- bad input

@pytest.mark.parametrize(("frame", "match"), [
    (pl.DataFrame({"series": ["a"], "year": [2020]}), "value"),
    (pl.DataFrame({"series": ["a", "a"], "year": [2020, 2021], "value": ["12人", "13"]}), "value"),
    (pl.DataFrame({"series": ["a"], "year": ["2020年"], "value": [1.0]}), "year"),
    (pl.DataFrame({"series": ["a", "a"], "year": [2020, 2020], "value": [1.0, 2.0]}), r"\(a, 2020\)"),
    (pl.DataFrame({"series": ["a", "a"], "year": [2020.0, 2020.5], "value": [1.0, 2.0]}), "2020.5"),
    (pl.DataFrame({"series": ["a", None], "year": [2020, 2021], "value": [1.0, 2.0]}), "series"),
    (pl.DataFrame({"series": ["a", "a"], "year": [2020, 2021], "value": [1.0, -2.0]}), "负数"),
    (pl.DataFrame({"series": ["a", "b"], "year": [2020, 2021], "value": [1.0, None]}), "b"),
    (pl.DataFrame(schema={"series": pl.String, "year": pl.Int64, "value": pl.Float64}), "没有数据行"),
])
def test_bad_input_is_refused_with_a_clear_message(frame: pl.DataFrame, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        forecast_openings(frame)


@pytest.mark.parametrize("setting", [{"horizon": 0}, {"horizon": 2.5}, {"interval_level": 1.0},
                                     {"min_train": 3}, {"engine": "prophet"}, {"gaps": "fill"}])
def test_bad_settings_are_refused(setting: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match=next(iter(setting))):
        forecast_openings(history({"a": [1.0, 2.0, 3.0]}), **setting)


def test_a_pandas_frame_is_refused_with_the_conversion_to_use() -> None:
    with pytest.raises(InvalidInput, match="polars.from_pandas"):
        forecast_openings(pd.DataFrame({"series": ["a"], "year": [2020], "value": [1.0]}))


def test_messages_follow_the_language() -> None:
    token = current_lang.set("en")
    try:
        with pytest.raises(InvalidInput, match="Required|lacks columns: value"):
            forecast_openings(pl.DataFrame({"series": ["a"], "year": [2020]}))
        f = forecast_openings(history({"a": [1.0, 2.0, 4.0]})).forecasts
        assert "Only 3 years of history (fewer than 12): the naive forecast" in f["warnings"][0]
    finally:
        current_lang.reset(token)


def test_openings_are_never_called_vacancies_in_any_page_report_or_message() -> None:
    from pathlib import Path

    import silian

    root = Path(silian.__file__).parent
    texts = [p for p in root.rglob("*") if p.suffix in {".py", ".html", ".toml", ".md", ".js", ".css"}]
    assert texts and not [p.relative_to(root) for p in texts if "岗位空缺" in p.read_text(encoding="utf-8")]
