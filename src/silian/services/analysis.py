"""The full analysis of a region for a year: four-chain coupling (city and counties), peer comparison, the
four diagnoses, forecasts — what `silian analyze` prints and the report renders."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from silian.analytics.entropy import entropy_weights
from silian.analytics.forecast.openings import ForecastResult, forecast_openings, openings_from_employment
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services.config import analysis_config, indicator_system
from silian.services.diagnoses import (
    PathwaysResult,
    SchoolsResult,
    SkillsResult,
    analyse_pathways,
    analyse_schools,
    analyse_skills,
)
from silian.services.four_chains import FourChainResult, analyse_four_chains, coupling_options
from silian.services.hub import HubSnapshot, load_hub
from silian.services.supply_demand import SupplyDemandResult, analyse_supply_demand, demand_years
from silian.settings import Settings
from silian.storage.database import Database

register_messages(
    {
        "analysis_no_data": (
            "数据库中没有可分析的数据：请先运行 `silian demo` 或导入数据",
            "No data to analyse: run `silian demo` or import data first",
        ),
        "analysis_unknown_region": ("找不到地区“{region}”", "Unknown region '{region}'"),
        "analysis_bad_year": (
            "{year} 年没有专业点数据；可选年份：{years}",
            "No major data for {year}; years available: {years}",
        ),
        "peer_note": (
            "对标城市只有地区生产总值与三次产业数据（真实统计）；其教育链、人才链、创新链需导入其数据后才能计算四链耦合",
            (
                "Peer cities have only GDP and sector data (real statistics); their edu"
                "cation, talent and innovation chains need their data imported before f"
                "our-chain coupling can be computed"
            ),
        ),
    }
)


@dataclass(frozen=True)
class AnalysisBundle:
    """Everything for one region and year, with timings and what is generated."""

    region_code: str
    region_name: str
    year: int
    city: FourChainResult
    counties: FourChainResult | None
    peers: pl.DataFrame
    supply_demand: SupplyDemandResult
    pathways: PathwaysResult
    schools: SchoolsResult
    skills: SkillsResult
    forecast: ForecastResult | None
    openings: pl.DataFrame
    generated_tables: list[str]
    table_rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def uses_generated_data(self) -> bool:
        return bool(self.generated_tables)


def resolve_region(hub: HubSnapshot, region: str | None) -> tuple[str, str]:
    """A city by code or name (default: the city with the most schools)."""
    regions = hub["regions"]
    if region:
        hit = regions.filter((pl.col("code") == region) | (pl.col("name") == region) | (pl.col("name") == f"{region}市"))
        if hit.height == 0:
            raise InvalidInput(t("analysis_unknown_region", region=region))
        return hit["code"][0], hit["name"][0]
    counties = hub["institutions"].join(regions.select(pl.col("code").alias("county_code"), "parent_code"), on="county_code")
    if counties.height == 0:
        raise InvalidInput(t("analysis_no_data"))
    code = counties.group_by("parent_code").len().sort("len", descending=True)["parent_code"][0]
    return code, regions.filter(pl.col("code") == code)["name"][0]


def default_year(hub: HubSnapshot, year: int | None) -> int:
    years = sorted(hub["major_points"]["year"].unique().to_list())
    if not years:
        raise InvalidInput(t("analysis_no_data"))
    if year is None:
        return int(years[-1])
    if year not in years:
        raise InvalidInput(t("analysis_bad_year", year=year, years=", ".join(map(str, years))))
    return year


def peer_comparison(hub: HubSnapshot, region_code: str, year: int) -> pl.DataFrame:
    """The city against peer cities (``is_peer``) and the other cities of its province on real economic data:
    GDP, sector shares, 5-year growth, and an industry-structure score (entropy weights over the peers)."""
    regions = hub["regions"]
    parent = regions.filter(pl.col("code") == region_code)["parent_code"]
    wanted = regions.filter((pl.col("level") == "市") & (pl.col("is_peer").fill_null(False)
                            | (pl.col("parent_code") == (parent[0] if len(parent) else "")) | (pl.col("code") == region_code)))
    econ = hub["regional_economy"].filter(pl.col("region_code").is_in(wanted["code"].to_list()))
    last = min(year, int(econ["year"].max())) if econ.height else year  # type: ignore[arg-type]
    now = econ.filter(pl.col("year") == last)
    before = econ.filter(pl.col("year") == last - 5).select("region_code", pl.col("gdp").alias("gdp_5y_ago"))
    frame = (now.join(before, on="region_code", how="left")
             .join(wanted.select(pl.col("code").alias("region_code"), "name", "is_peer"), on="region_code")
             .with_columns((pl.col("secondary_va") / pl.col("gdp")).alias("secondary_share"),
                           (pl.col("tertiary_va") / pl.col("gdp")).alias("tertiary_share"),
                           ((pl.col("gdp") / pl.col("gdp_5y_ago")) ** (1 / 5) - 1).alias("gdp_growth_5y"))
             .drop_nulls(["gdp", "secondary_share", "gdp_growth_5y"]))
    if frame.height >= 2:
        score = entropy_weights(frame.select("gdp", "secondary_share", "tertiary_share", "gdp_growth_5y"),
                                ["+", "+", "+", "+"]).scores_
        frame = frame.with_columns(pl.Series("industry_score", score))
    return frame.with_columns((pl.col("region_code") == region_code).alias("is_focus"), pl.lit(last).alias("stats_year")).sort(
        "gdp", descending=True)


def forecast_industry_openings(
    hub: HubSnapshot, region_code: str, horizon: int, exit_rate: float
) -> tuple[ForecastResult | None, pl.DataFrame]:
    """Employment by industry → forecast → openings (growth + replacement), with backtest errors."""
    stats = hub["industry_stats"].filter((pl.col("region_code") == region_code) & pl.col("employment").is_not_null())
    if stats.height == 0:
        return None, pl.DataFrame()
    history = stats.select(pl.col("industry_code").alias("series"), "year", pl.col("employment").alias("value"))
    result = forecast_openings(history, horizon=horizon)
    openings = openings_from_employment(result, exit_rate=exit_rate).join(
        result.forecasts.select("series", "year", "model", "backtest_mape"), on=["series", "year"], how="left")
    return result, openings


def run_analysis(db: Database | None = None, *, hub: HubSnapshot | None = None, settings: Settings | None = None,
                 region: str | None = None, year: int | None = None, catalog: Catalog | None = None) -> AnalysisBundle:
    """Run everything for ``region`` (default: the main city) and ``year`` (default: the latest)."""
    settings = settings or Settings()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if hub is None:
        assert db is not None
        if not db.is_current():
            raise InvalidInput(t("db_not_migrated"))
        hub = load_hub(db)
    seconds["load"] = time.perf_counter() - started
    catalog = catalog or get_catalog()
    system, config = indicator_system(settings), analysis_config(settings)
    code, name = resolve_region(hub, region)
    year = default_year(hub, year)
    options = {**coupling_options(config.section("coupling")), "catalog": catalog}

    def timed(key: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        value = fn(*args, **kwargs)
        seconds[key] = time.perf_counter() - t0
        return value

    city = timed("coupling_city", analyse_four_chains, hub, system, level="city", regions=[code], **options)
    counties = timed("coupling_counties", _counties, hub, system, code, options)
    sd_year = max([y for y in demand_years(hub) if y <= year], default=year)
    forecast_cfg = config.section("forecast")
    result = {
        "peers": timed("peers", peer_comparison, hub, code, year),
        "supply_demand": timed("supply_demand", analyse_supply_demand, hub, catalog, config, system, sd_year),
        "pathways": timed("pathways", analyse_pathways, hub, catalog, year),
        "schools": timed("schools", analyse_schools, hub, config, year),
        "skills": timed("skills", analyse_skills, hub, config, sd_year),
    }
    forecast, openings = timed("forecast", forecast_industry_openings, hub, code, int(forecast_cfg.get("horizon", 3)),
                               float(forecast_cfg.get("exit_rate", 0.03)))
    seconds["total"] = time.perf_counter() - started
    return AnalysisBundle(region_code=code, region_name=name, year=year, city=city, counties=counties,
                          forecast=forecast, openings=openings, generated_tables=hub.generated_tables(),
                          table_rows={n: f.height for n, f in hub.tables.items()},
                          seconds=seconds, notes=[t("peer_note")], **result)


def _counties(hub: HubSnapshot, system: Any, city: str, options: dict[str, Any]) -> FourChainResult | None:
    counties = hub["regions"].filter(pl.col("parent_code") == city)["code"].to_list()
    try:
        return analyse_four_chains(hub, system, level="county", regions=counties, **options)
    except InvalidInput:
        return None
