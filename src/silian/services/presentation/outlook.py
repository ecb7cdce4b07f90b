"""Skill levels (demand against certificates) and the forecast openings by industry."""

from __future__ import annotations

import polars as pl

from silian.analytics.forecast.openings import model_name
from silian.catalog import get_catalog
from silian.domain.messages import register_messages, t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import INT, NUM2, PCT, TEXT, PresentedTable, pct, table_columns

FORECAST_TOP = 12
PERSONS = 10000  # the statistics count employment in 万人

register_messages({
    "col_industry_code": ("行业代码", "Industry code"),
    "col_industry_name": ("行业名称", "Industry"),
    "col_openings_lower": ("岗位需求下限（人）", "Openings, lower bound"),
    "col_openings_upper": ("岗位需求上限（人）", "Openings, upper bound"),
    "col_bt_mae": ("回测平均绝对误差（人）", "Backtest mean absolute error"),
    "col_bt_mase": ("回测误差 MASE", "Backtest error (MASE)"),
    "fc_interval_note": (
        ("岗位需求 = 增长需求（从业人员增加数，减少时为 0）+ 更替需求（上年从业人员 × 更替率）。上下限为 {level} 预测区间，"
        "由整个预测方法的滚动起点回测误差得出。回测误差按预测年数（提前 1、2、3 年）分别计算，以岗位需求计；MASE < 1 表示"
        "误差小于历史上“沿用上年值”的一年期误差"),
        ("Job openings (demand) = growth demand (the rise in employment, 0 when it falls) + replacement demand (last "
        "year's employment × the replacement rate). The bounds are the {level} prediction interval, from the "
        "rolling-origin backtest errors of the whole forecasting procedure. Backtest errors are per year ahead (1, 2, 3) "
        "and in openings; MASE < 1 means smaller than the one-year error of repeating last year's value in the history")),
    "fc_rate_assumption": (
        ("更替率 {rate} 为假设值（约为 1/33，即 33 年工作年限），不是测得的比率，本地尚无来源；作为参照，美国劳工统计局"
        "预测 2016–26 年每年约 4.7% 的从业人员退出劳动力（另有 6.4% 转换职业）。有年龄结构数据时应替换"),
        ("The replacement rate {rate} is an assumption (about 1/33, a 33-year working life), not a measured rate; "
        "there is no local source. For comparison, the US BLS projected that each year of 2016–26 about 4.7% of "
        "workers leave the labour force (and 6.4% change occupation). Replace it when age data are available")),
    "fc_rate_source": ("更替率 {rate}，来源：{source}", "Replacement rate {rate}, source: {source}"),
    "fc_default_note": (
        "{n} 个行业的历史少于 {need} 年，统一采用{model}，不在多个模型中择优：样本太短，择优带来的误差大于其收益",
        ("{n} industries have fewer than {need} years of history and all use {model}, with no choice among models: "
        "with so few years the choice adds more error than it removes")),
    "fc_naive_note": (
        ("朴素法预测从业人员保持最近一年水平，因此这些行业的增长需求为 0，岗位需求只是更替需求，完全取决于上述更替率假设；"
        "增长的可能性体现在预测区间的上限中"),
        ("The naive forecast keeps employment at the latest year's level, so these industries have no growth demand: their "
        "openings are replacement demand only and rest entirely on the replacement-rate assumption above; possible growth "
        "shows in the upper bound of the interval")),
})


def skills_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("skill_level", "col_skill", TEXT), ("demand_all", "col_demand", INT, "人/年"),
                            ("certificates", "col_certificates", INT), ("demand_share", "col_demand_share", PCT),
                            ("supply_share", "col_supply_share", PCT))
    return PresentedTable("skills", t("tbl_skills"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.skills.balance.iter_rows(named=True)])


def skill_trend_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("year", "col_year", TEXT), ("high_demand_share", "col_high_demand", PCT),
                            ("high_supply_share", "col_high_supply", PCT))
    return PresentedTable("skill-trend", t("tbl_skill_trend"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.skills.trend.iter_rows(named=True)])


def _openings(bundle: AnalysisBundle) -> pl.DataFrame:
    """The forecast in persons (the statistics count 万人)."""
    persons = ("employment", "openings", "openings_lower", "openings_upper", "backtest_mae")
    return bundle.openings.with_columns(*(pl.col(c) * PERSONS for c in persons if c in bundle.openings.columns))


def forecast_industries(bundle: AnalysisBundle) -> list[str]:
    """The ``FORECAST_TOP`` industries with the most openings in the first forecast year."""
    if bundle.openings.height == 0:
        return []
    o = _openings(bundle)
    first = o["year"].min()
    return o.filter(pl.col("year") == first).sort("openings", descending=True).head(FORECAST_TOP)["series"].to_list()


def forecast_table(bundle: AnalysisBundle) -> PresentedTable:
    """Employment and openings (growth + replacement) of the top industries by forecast year, with the openings'
    prediction interval, the forecasting method in words and the procedure's backtest error in openings."""
    columns = table_columns(
        ("series", "col_industry_code", TEXT),
        ("industry_name", "col_industry_name", TEXT),
        ("year", "col_year", TEXT),
        ("employment", "col_employment", INT, "人"),
        ("openings", "col_openings", INT, "人"),
        ("openings_lower", "col_openings_lower", INT, "人"),
        ("openings_upper", "col_openings_upper", INT, "人"),
        ("model", "col_model", TEXT),
        ("backtest_mae", "col_bt_mae", INT, "人"),
        ("backtest_mase", "col_bt_mase", NUM2),
        ("backtest_mape", "col_mape", PCT),
    )
    if bundle.openings.height == 0:
        return PresentedTable("forecast", t("tbl_forecast"), columns, [])
    names = industry_names()
    shown = _openings(bundle).filter(pl.col("series").is_in(forecast_industries(bundle))).sort("series", "year")
    rows = [(r["series"], names.get(r["series"], ""), r["year"], r["employment"], r["openings"], r["openings_lower"],
             r["openings_upper"], model_name(r["model"] or ""), r["backtest_mae"], r["backtest_mase"],
             r["backtest_mape"] / 100 if r["backtest_mape"] is not None else None) for r in shown.iter_rows(named=True)]
    return PresentedTable("forecast", t("tbl_forecast"), columns, rows)


def industry_names() -> dict[str, str]:
    """GB/T 4754 code → name."""
    industries = get_catalog().industries
    return dict(zip(industries["code"].to_list(), industries["name"].to_list(), strict=True))


def openings_series(bundle: AnalysisBundle) -> tuple[list[str], dict[str, list[float]]]:
    """The chart of the forecast: the top industries (code and name) and, per forecast year, their openings
    (persons)."""
    top = forecast_industries(bundle)
    if not top:
        return [], {}
    o, names = _openings(bundle), industry_names()
    labels = [f"{s} {names.get(s, '')}".strip() for s in top]
    return labels, {str(y): [float(o.filter((pl.col("series") == s) & (pl.col("year") == y))["openings"].sum()) for s in top]
                    for y in sorted(o["year"].unique().to_list())}


def forecast_notes(bundle: AnalysisBundle) -> list[str]:
    """What a reader must know beside the forecast: what openings and the bounds are, the replacement rate's
    basis, and how many series use the default method."""
    o = bundle.openings
    if o.height == 0 or bundle.forecast is None:
        return []
    rate = pct(float(o["exit_rate"][0]))
    basis = str(o["exit_rate_basis"][0]) if "exit_rate_basis" in o.columns else "assumption"
    notes = [t("fc_interval_note", level=pct(bundle.forecast.interval_level, 0)),
             t("fc_rate_assumption", rate=rate) if basis == "assumption" else t("fc_rate_source", rate=rate, source=basis)]
    need = bundle.forecast.min_select
    short = o.filter(pl.col("n_history") < need)["series"].n_unique()
    if short:
        notes.append(t("fc_default_note", n=short, need=need, model=model_name(bundle.forecast.default_model)))
        if bundle.forecast.default_model == "naive":
            notes.append(t("fc_naive_note"))
    return notes
