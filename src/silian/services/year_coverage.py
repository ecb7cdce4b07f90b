"""Which years of the hub are complete (rule in ``analytics.completeness``, thresholds in analysis.toml
[completeness]): provisional years are shown, marked, and never become a headline or a trend's end point."""

from __future__ import annotations

from datetime import date

import polars as pl

from silian.analytics.completeness import CompletenessRule, complete_years, table_coverage
from silian.services.config import AnalysisConfig
from silian.services.hub import POST_DEMAND_TABLE, HubSnapshot


def completeness_rule(config: AnalysisConfig, today: date | None = None) -> CompletenessRule:
    section = config.section("completeness")
    return CompletenessRule(min_share=float(section.get("min_share", 0.5)), window=int(section.get("window", 3)),
                            current_year=(today or date.today()).year)


def hub_coverage(hub: HubSnapshot, config: AnalysisConfig, today: date | None = None) -> pl.DataFrame:
    """Coverage by table and year (declared demand includes the open posts of the demand-sharing platform)."""
    tables = dict(hub.tables)
    if POST_DEMAND_TABLE in tables and "demand" in tables:
        tables["demand"] = pl.concat([tables["demand"], tables[POST_DEMAND_TABLE]], how="diagonal_relaxed")
    return table_coverage(tables, completeness_rule(config, today))


def latest_complete_year(coverage: pl.DataFrame, table: str, at_most: int) -> int | None:
    """The latest year ≤ ``at_most`` in which ``table`` is complete (None: no such year)."""
    years = [y for y in complete_years(coverage, table) if y <= at_most]
    return max(years) if years else None


def analysis_demand_year(coverage: pl.DataFrame, demand_years: list[int], year: int) -> tuple[int, list[int]]:
    """The demand year supply and demand use for analysis year ``year``: the latest complete one ≤ ``year`` (the
    latest with data when none is complete), and the later years ≤ ``year`` left out as provisional."""
    latest = max([y for y in demand_years if y <= year], default=year)
    used = latest_complete_year(coverage, "demand", year) or latest
    return used, sorted({y for y in demand_years if used < y <= year})
