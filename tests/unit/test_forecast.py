"""Forecasts of openings: hand-checkable series, the backtest by hand, replacement demand, bad input."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from silian.analytics.forecast.backtest import _psi_variance, exponential_smoothing
from silian.analytics.forecast.openings import (
    DEFAULT_EXIT_RATE,
    FORECAST_COLUMNS,
    OPENINGS_COLUMNS,
    exit_rate_from_age,
    forecast_openings,
    openings_from_employment,
)
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


def test_a_constant_series_gives_the_constant() -> None:
    f = forecast_openings(history({"x": [42.0] * 9})).forecasts
    assert f["forecast"].to_list() == [42.0] * 3
    assert f["lower"].to_list() == f["upper"].to_list() == [42.0] * 3
    assert f["model"][0] == "naive"
    assert "历史为常数" in f["warnings"][0]


def test_naive_and_drift_backtest_errors_equal_the_hand_computed_ones() -> None:
    # horizon 2, min_train 5, 8 years → origins after 5 and 6 years, each scored 2 steps ahead
    values = [10.0, 12, 11, 15, 14, 18, 17, 20]
    result = forecast_openings(history({"s": values}), horizon=2, min_train=5)
    bt = {row["model"]: row for row in result.backtest.iter_rows(named=True)}
    # naive: from 14 → |18−14|, |17−14|; from 18 → |17−18|, |20−18|
    assert bt["naive"]["backtest_mae"] == pytest.approx((4 + 3 + 1 + 2) / 4)
    assert bt["naive"]["backtest_mape"] == pytest.approx(100 * (4 / 18 + 3 / 17 + 1 / 17 + 2 / 20) / 4)
    # drift: slope (14−10)/4 = 1 → 15, 16; slope (18−10)/5 = 1.6 → 19.6, 21.2
    assert bt["drift"]["backtest_mae"] == pytest.approx((3 + 1 + 2.6 + 1.2) / 4)
    assert bt["naive"]["n_origins"] == 2 and bt["naive"]["n_errors"] == 4
    chosen = result.backtest.filter("chosen")
    assert chosen.height == 1
    assert result.forecasts["backtest_mae"][0] == pytest.approx(chosen["backtest_mae"][0])
    assert result.forecasts["model"][0] == chosen["model"][0]
    assert chosen["backtest_mae"][0] == result.backtest["backtest_mae"].min()


def test_interpolated_years_are_noted_and_not_scored() -> None:
    frame = history({"s": [10.0, 12, 11, 15, 14, 18, 17, 20]}).filter(pl.col("year") != 2016)
    result = forecast_openings(frame, horizon=2, min_train=5)
    assert result.history.filter(pl.col("year") == 2016)["value"].to_list() == [19.0]  # between 18 and 20
    assert result.history["interpolated"].sum() == 1
    assert "2016" in result.forecasts["warnings"][0] and "插值" in result.forecasts["warnings"][0]
    naive = result.backtest.filter(pl.col("model") == "naive").row(0, named=True)
    assert naive["n_errors"] == 2  # 2016 (interpolated) is not scored
    assert naive["backtest_mae"] == pytest.approx((4 + 2) / 2)  # from 14 → 18 (2015); from 18 → 20 (2017)


def test_gaps_can_be_refused() -> None:
    frame = history({"s": [1.0, 2, 3, 4, 5, 6, 7]}).filter(pl.col("year") != 2012)
    with pytest.raises(InvalidInput, match="2012"):
        forecast_openings(frame, gaps="raise")


def test_empty_values_are_missing_years() -> None:
    result = forecast_openings(history({"s": [5.0, 6, None, 8, 9, 10, 11, None]}))
    assert result.forecasts["year"][0] == 2017  # the trailing empty year is dropped, not forecast over
    assert result.forecasts["forecast"][0] == pytest.approx(12.0)
    assert "2012" in result.forecasts["warnings"][0] and "2017" in result.forecasts["warnings"][0]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_short_series_fall_back_to_naive_or_drift(n: int) -> None:
    f = forecast_openings(history({"short": [3.0, 5.0, 4.0, 6.0, 7.0][:n]})).forecasts
    assert f.height == 3
    assert set(f["model"]) <= {"naive", "drift"}
    assert "只比较朴素法与漂移法" in f["warnings"][0]
    if n <= 2:
        assert f["model"][0] == "naive" and f["backtest_mae"][0] is None and "无法回测" in f["warnings"][0]
    if n == 1:
        assert f["forecast"].to_list() == [3.0] * 3 and f["lower"].null_count() == 3


def test_negative_forecasts_are_clipped_with_a_note() -> None:
    f = forecast_openings(history({"down": [90.0, 75, 60, 45, 30, 15, 10, 5]}), horizon=3).forecasts
    assert (f["forecast"] >= 0).all() and (f["lower"] >= 0).all()
    assert "负的预测值已截为 0" in f["warnings"][0]


def test_intervals_widen_with_the_horizon_and_the_level() -> None:
    frame = noisy_panel(3)
    narrow = forecast_openings(frame, interval_level=0.5).forecasts
    wide = forecast_openings(frame, interval_level=0.95).forecasts
    assert ((wide["upper"] - wide["lower"]) > (narrow["upper"] - narrow["lower"])).all()
    width = (wide["upper"] - wide["lower"]).to_numpy().reshape(3, 3)
    assert (np.diff(width, axis=1) > 0).all()


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
    frame = history({"a": [100.0, 104, 109, 112, 118, 121, 127, 130]})
    with warnings.catch_warnings(record=True) as printed:
        warnings.simplefilter("always")
        slow = forecast_openings(frame, engine="statsmodels")
    assert not printed
    fast = forecast_openings(frame)
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
    result = forecast_openings(frame, horizon=2)
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
        f = forecast_openings(history({"a": [1.0, 2.0]})).forecasts
        assert "naive and drift only" in f["warnings"][0]
    finally:
        current_lang.reset(token)
