"""The history a forecast starts from: checked (every problem an :class:`InvalidInput` naming it and the fix),
missing years interpolated or refused, and laid out as a left-aligned panel; and the checks of the settings.

Used by :mod:`silian.analytics.forecast.openings`; method card: ``docs/methods/forecast.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

Gaps = Literal["interpolate", "raise"]

KEY = ("series", "year")
SHOWN = 5  # offending values quoted in an error message

register_messages({
    "forecast_not_frame": ("预测输入须为 polars 数据表（DataFrame），收到 {kind}：可用 polars.from_pandas() 转换",
                           "The forecast input must be a polars DataFrame, got {kind}: convert with polars.from_pandas()"),
    "forecast_missing_columns": ("预测输入缺少列：{columns}（须有 series、year、value 三列）",
                                 "The forecast input lacks columns: {columns} (series, year and value are required)"),
    "forecast_no_rows": ("预测输入没有数据行：请至少提供一个序列的历史", "The forecast input has no rows: give some history"),
    "forecast_not_numeric": ("列“{column}”须为数值，实际类型为 {dtype}：请去掉单位和文字后再试",
                             "Column '{column}' must be numeric, but its type is {dtype}: remove units and text"),
    "forecast_year_not_whole": ("year 列须为整数年份（如 2020），发现：{values}",
                                "Column 'year' must hold whole years such as 2020; found: {values}"),
    "forecast_null_key": ("列“{column}”有 {count} 个空值：每行都须有序列代码和年份",
                          "Column '{column}' has {count} empty values: every row needs a series code and a year"),
    "forecast_duplicates": ("同一序列同一年份出现多次：{pairs}。每个序列每年只能有一行，请合并或删除重复行",
                            "A series has the same year more than once: {pairs}. Merge or delete the duplicates"),
    "forecast_negative": ("value 不能为负数：{pairs}", "value must not be negative: {pairs}"),
    "forecast_infinite": ("value 不能为无穷大：{pairs}", "value must be finite: {pairs}"),
    "forecast_all_missing": ("以下序列没有任何数值：{series}。请补充数据或删除这些序列",
                             "These series have no values at all: {series}. Add data or remove them"),
    "forecast_gaps": ("以下序列缺少年份：{detail}。请补齐，或用 gaps='interpolate' 线性插值",
                      "These series miss years: {detail}. Fill them in, or use gaps='interpolate'"),
    "forecast_bad_setting": ("参数 {name} 无效：{value}（应为{expected}）", "Invalid {name}: {value} (expected {expected})"),
    "forecast_warn_dropped": ("value 为空的年份按缺失处理：{years}", "Years with an empty value treated as missing: {years}"),
    "forecast_warn_interpolated": ("缺失年份已线性插值：{years}（不计入回测误差）",
                                   "Missing years linearly interpolated: {years} (not scored in the backtest)"),
    "forecast_expected_horizon": ("1 到 50 的整数", "a whole number from 1 to 50"),
    "forecast_expected_level": ("0 与 1 之间的小数，如 0.8", "a number between 0 and 1, e.g. 0.8"),
    "forecast_expected_min_train": ("不小于 4 的整数", "a whole number of at least 4"),
    "forecast_expected_choice": ("以下之一：{choices}", "one of: {choices}"),
})


@dataclass(frozen=True)
class HistoryPanel:
    """The history as an ``(S, T)`` panel: series ``s`` starts in ``first_year[s]`` and has ``n_years[s]`` values
    ``y[s, :n]`` (``observed`` false where interpolated), with its notes and the tidy ``history`` as used."""

    keys: pl.Series
    first_year: np.ndarray
    n_years: np.ndarray
    y: np.ndarray
    observed: np.ndarray
    notes: list[list[str]]
    history: pl.DataFrame


def quoted_pairs(frame: pl.DataFrame) -> str:
    """The first ``(series, year)`` pairs of ``frame``, to quote in a message."""
    shown = [f"({s}, {y})" for s, y in frame.select(KEY).head(SHOWN).iter_rows()]
    return ", ".join(shown) + (" …" if frame.height > SHOWN else "")


def setting_error(name: str, value: object, expected: str) -> InvalidInput:
    """The error for a bad setting, naming what was expected."""
    return InvalidInput(t("forecast_bad_setting", name=name, value=repr(value), expected=expected))


def validated_history(history: object) -> pl.DataFrame:
    """``series, year`` (Int64), ``value`` (Float64) or :class:`InvalidInput` naming the problem and the fix."""
    if not isinstance(history, pl.DataFrame):
        raise InvalidInput(t("forecast_not_frame", kind=f"{type(history).__module__.split('.')[0]}.{type(history).__name__}"))
    missing = [c for c in ("series", "year", "value") if c not in history.columns]
    if missing:
        raise InvalidInput(t("forecast_missing_columns", columns=", ".join(missing)))
    if history.height == 0:
        raise InvalidInput(t("forecast_no_rows"))
    for column in ("year", "value"):
        if not history.schema[column].is_numeric():
            raise InvalidInput(t("forecast_not_numeric", column=column, dtype=history.schema[column]))
    for column in KEY:
        if (count := history[column].null_count()) > 0:
            raise InvalidInput(t("forecast_null_key", column=column, count=count))
    year = history["year"].cast(pl.Float64)
    fractional = history.filter(~year.is_finite() | (year != year.floor()))["year"]
    if fractional.len():
        raise InvalidInput(t("forecast_year_not_whole", values=", ".join(map(str, fractional.head(SHOWN)))))
    frame = history.select("series", pl.col("year").cast(pl.Int64), pl.col("value").cast(pl.Float64))
    duplicated = frame.filter(pl.struct(KEY).is_duplicated()).unique(KEY, maintain_order=True)
    if duplicated.height:
        raise InvalidInput(t("forecast_duplicates", pairs=quoted_pairs(duplicated)))
    if (negative := frame.filter(pl.col("value") < 0)).height:
        raise InvalidInput(t("forecast_negative", pairs=quoted_pairs(negative)))
    if (infinite := frame.filter(pl.col("value").is_infinite())).height:
        raise InvalidInput(t("forecast_infinite", pairs=quoted_pairs(infinite)))
    return frame.with_columns(pl.col("value").fill_nan(None)).sort(KEY)


def history_panel(history: object, gaps: Gaps) -> HistoryPanel:
    """Validated, gap-filled history as a left-aligned ``(S, T)`` panel."""
    frame = validated_history(history)
    clean = frame.drop_nulls("value")
    empty = frame.group_by("series", maintain_order=True).agg(pl.col("value").is_not_null().any().alias("some"))
    if (empty := empty.filter(~pl.col("some"))).height:
        raise InvalidInput(t("forecast_all_missing", series=", ".join(map(str, empty["series"].head(SHOWN)))))
    full = (clean.group_by("series").agg(pl.int_ranges(pl.col("year").min(), pl.col("year").max() + 1).first()
                                         .alias("year")).explode("year").sort(KEY)
            .join(clean, on=KEY, how="left", maintain_order="left")
            .with_columns(pl.col("value").is_null().alias("interpolated")))
    holes = full.filter("interpolated").group_by("series", maintain_order=True).agg("year")
    if gaps == "raise" and holes.height:
        detail = ", ".join(f"{s}: {list(y)}" for s, y in holes.head(SHOWN).iter_rows())
        raise InvalidInput(t("forecast_gaps", detail=detail))
    full = full.with_columns(pl.col("value").interpolate().over("series"))
    spans = full.group_by("series", maintain_order=True).agg(pl.col("year").min().alias("first"), pl.len())
    n_years = spans["len"].to_numpy().astype(int)
    rows = np.repeat(np.arange(spans.height), n_years)
    columns = (full["year"] - np.repeat(spans["first"].to_numpy(), n_years)).to_numpy()
    y = np.full((spans.height, int(n_years.max())), np.nan)
    observed = np.zeros_like(y, dtype=bool)
    y[rows, columns] = full["value"].to_numpy()
    observed[rows, columns] = ~full["interpolated"].to_numpy()
    notes: dict[object, list[str]] = {s: [] for s in spans["series"]}
    dropped = frame.filter(pl.col("value").is_null()).group_by("series", maintain_order=True).agg("year")
    for s, years in dropped.iter_rows():
        notes[s].append(t("forecast_warn_dropped", years=", ".join(map(str, years))))
    for s, years in holes.iter_rows():
        notes[s].append(t("forecast_warn_interpolated", years=", ".join(map(str, years))))
    return HistoryPanel(spans["series"], spans["first"].to_numpy(), n_years, y, observed, list(notes.values()), full)


def check_settings(horizon: int, interval_level: float, min_train: int, gaps: str, engine: str) -> None:
    """:class:`InvalidInput` for the first setting of :func:`~silian.analytics.forecast.openings.forecast_openings` out of range."""
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 50:
        raise setting_error("horizon", horizon, t("forecast_expected_horizon"))
    if not isinstance(interval_level, (int, float)) or not 0 < interval_level < 1:
        raise setting_error("interval_level", interval_level, t("forecast_expected_level"))
    if isinstance(min_train, bool) or not isinstance(min_train, int) or min_train < 4:
        raise setting_error("min_train", min_train, t("forecast_expected_min_train"))
    for name, value, choices in (("gaps", gaps, ("interpolate", "raise")), ("engine", engine, ("fast", "statsmodels"))):
        if value not in choices:
            raise setting_error(name, value, t("forecast_expected_choice", choices=", ".join(choices)))
