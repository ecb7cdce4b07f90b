"""Postings: posting-sourced demand by occupation, by major class and by county, and the salary
quantiles of the postings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from silian.catalog import get_catalog
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import INT, LEVEL, NUM3, PCT, TEXT, PresentedTable, table_columns

if TYPE_CHECKING:
    from silian.services.dashboard.extras import DashboardExtras

POSTING_TOP = 15


def _salary_lookup(e: DashboardExtras, dimension: str) -> dict[str, dict[str, Any]]:
    salaries = e.postings.salaries if e.postings is not None else None
    if salaries is None or salaries.height == 0:
        return {}
    return {r["key"]: r for r in salaries.filter(pl.col("dimension") == dimension).iter_rows(named=True)}


def posting_occupations_table(e: DashboardExtras) -> PresentedTable:
    """The occupations with the most postings (every period in the hub), with their share and median salary."""
    pd = e.postings
    columns = table_columns(("code", "col_code", TEXT), ("name", "col_occupation", TEXT), ("postings", "col_postings", INT),
                            ("share", "col_share", PCT), ("p50", "col_p50", INT))
    if pd is None:
        return PresentedTable("posting-occupations", t("tbl_posting_occupations", periods="—"), columns, [])
    names, salary = get_catalog().occupation_names, _salary_lookup(e, "occupation")
    top = (
        pd.records.group_by("occupation_code")
        .agg(pl.col("count").sum())
        .sort(["count", "occupation_code"], descending=[True, False])
        .head(POSTING_TOP)
    )
    rows = [(code, names.get(code or "", code or ""), n, n / max(pd.total, 1), salary.get(code or "", {}).get("salary_p50"))
            for code, n in top.iter_rows()]
    return PresentedTable("posting-occupations", t("tbl_posting_occupations", periods=pd.periods), columns, rows)


def posting_classes_table(bundle: AnalysisBundle, e: DashboardExtras) -> PresentedTable:
    """Posting demand of the alignment year carried to 专业类 exactly as the alignment analysis carries it
    (occupation → majors by the MOHRSS crosswalk): the ``demand_posting`` of its class table."""
    sd = bundle.supply_demand
    columns = table_columns(("class_name", "col_class", TEXT), ("level_key", "col_major_level", LEVEL),
                            ("postings", "col_postings", NUM3))
    by_class = sd.by_class
    rows: list[tuple[Any, ...]] = []
    if e.postings is not None and "demand_posting" in by_class.columns:
        top = (by_class.filter(pl.col("demand_posting") > 0).sort(["demand_posting", "class_code"], descending=[True, False])
               .head(POSTING_TOP))
        rows = [(r["class_name"], r["level_key"], round(float(r["demand_posting"]), 1)) for r in top.iter_rows(named=True)]
    return PresentedTable("posting-classes", t("tbl_posting_classes", year=sd.year), columns, rows)


def posting_counties_table(e: DashboardExtras) -> PresentedTable:
    """Postings per county (or city, when the posting names no county), with share and median salary."""
    pd = e.postings
    columns = table_columns(("region", "col_county", TEXT), ("postings", "col_postings", INT), ("share", "col_share", PCT),
                            ("p50", "col_p50", INT))
    if pd is None:
        return PresentedTable("posting-counties", t("tbl_posting_counties", periods="—"), columns, [])
    salary = _salary_lookup(e, "region")
    by_region = pd.records.group_by("region_code").agg(pl.col("count").sum()).sort(["count", "region_code"], descending=[True, False])
    rows = [(e.region_names.get(code, code), n, n / max(pd.total, 1), salary.get(code, {}).get("salary_p50"))
            for code, n in by_region.iter_rows()]
    return PresentedTable("posting-counties", t("tbl_posting_counties", periods=pd.periods), columns, rows)


def posting_salaries_table(e: DashboardExtras) -> PresentedTable:
    """Salary quantiles (P25, median, P75) of all postings and of the occupations with the most postings."""
    columns = table_columns(("name", "col_occupation", TEXT), ("p25", "col_p25", INT), ("p50", "col_p50", INT),
                            ("p75", "col_p75", INT), ("salary_n", "col_salary_n", INT))
    pd = e.postings
    overall, by_occupation = _salary_lookup(e, "all"), _salary_lookup(e, "occupation")
    if pd is None or not by_occupation:
        return PresentedTable("posting-salaries", t("tbl_posting_salaries", periods=pd.periods if pd else "—"), columns, [])
    names = get_catalog().occupation_names
    rows = []
    for key, label in [("", t("all_postings"))] + [(r[0], r[1]) for r in posting_occupations_table(e).rows]:
        r = overall.get("") if key == "" else by_occupation.get(key)
        if r is not None and r["salary_n"]:
            rows.append((label or names.get(key, key), r["salary_p25"], r["salary_p50"], r["salary_p75"], r["salary_n"]))
    return PresentedTable("posting-salaries", t("tbl_posting_salaries", periods=pd.periods), columns, rows)
