"""Skill levels (demand against certificates) and the forecast openings by industry."""

from __future__ import annotations

import polars as pl

from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import INT, PCT, TEXT, PresentedTable, table_columns

FORECAST_TOP = 12


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
    return bundle.openings.with_columns((pl.col("employment") * 10000).alias("employment_p"),
                                   (pl.col("openings") * 10000).alias("openings_p"))


def forecast_industries(bundle: AnalysisBundle) -> list[str]:
    """The ``FORECAST_TOP`` industries with the most openings in the first forecast year."""
    if bundle.openings.height == 0:
        return []
    o = _openings(bundle)
    first = o["year"].min()
    return o.filter(pl.col("year") == first).sort("openings_p", descending=True).head(FORECAST_TOP)["series"].to_list()


def forecast_table(bundle: AnalysisBundle) -> PresentedTable:
    """Employment and openings (growth + replacement) of the top industries by forecast year, with the model and
    its rolling-origin backtest error."""
    columns = table_columns(
        ("series", "col_industry", TEXT),
        ("year", "col_year", TEXT),
        ("employment", "col_employment", INT, "人"),
        ("openings", "col_openings", INT, "人"),
        ("model", "col_model", TEXT),
        ("backtest_mape", "col_mape", PCT),
    )
    if bundle.openings.height == 0:
        return PresentedTable("forecast", t("tbl_forecast"), columns, [])
    shown = _openings(bundle).filter(pl.col("series").is_in(forecast_industries(bundle))).sort("series", "year")
    rows = [(r["series"], r["year"], r["employment_p"], r["openings_p"], r["model"] or "",
             r["backtest_mape"] / 100 if r["backtest_mape"] is not None else None) for r in shown.iter_rows(named=True)]
    return PresentedTable("forecast", t("tbl_forecast"), columns, rows)


def openings_series(bundle: AnalysisBundle) -> tuple[list[str], dict[str, list[float]]]:
    """The chart of the forecast: the top industries and, per forecast year, their openings (persons)."""
    top = forecast_industries(bundle)
    if not top:
        return [], {}
    o = _openings(bundle)
    return top, {str(y): [float(o.filter((pl.col("series") == s) & (pl.col("year") == y))["openings_p"].sum()) for s in top]
                 for y in sorted(o["year"].unique().to_list())}
