"""The full analysis of a region for a year: four-chain coupling (city and counties), peer comparison, the
four diagnoses, forecasts — what `silian analyze` prints and the report renders."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from silian.analytics.completeness import provisional_years
from silian.analytics.entropy import entropy_weights
from silian.analytics.forecast.openings import ForecastResult, forecast_openings
from silian.analytics.panel import LEVEL_OF
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput, NotFound
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
from silian.services.hub_scope import scope_hub
from silian.services.region_names import region_name_in
from silian.services.supply_demand import SupplyDemandResult, analyse_supply_demand, demand_years
from silian.services.year_coverage import analysis_demand_year, hub_coverage
from silian.settings import Settings
from silian.storage.database import Database

register_messages(
    {
        "analysis_no_data": (
            "数据库中没有可分析的数据：请先在“数据上传”页导入数据（或在空数据库上运行 `silian demo` 载入演示区域）",
            "No data to analyse: import data on the Upload page first (or load the demo region into an empty database with `silian demo`)",
        ),
        "analysis_unknown_region": (
            "找不到地区“{region}”：请用数据库中已有的市或县（市、区）的行政区划代码（GB/T 2260，如 410100、410122）",
            "Unknown region '{region}': use the GB/T 2260 code of a city or county in the hub (e.g. 410100, 410122)",
        ),
        "analysis_region_level": (
            "“{region}”是{level}级地区：只能分析市或县（市、区）",
            "'{region}' is neither a city nor a county: only cities and counties can be analysed",
        ),
        "analysis_few_schools": (
            "{region}只有 {n} 所学校：县级指标受个别学校影响很大，耦合协调度等数字只宜参考，不宜与其他县直接比较",
            ("{region} has only {n} schools: its figures move with single schools, so read its coordination and "
             "other figures with care and do not rank it against other counties on them"),
        ),
        "analysis_county_pathways": (
            "{region}的断头路按全市开设的高职专科专业判断：学生可以升入本市任何一所高职",
            "{region}'s dead ends are judged against the majors offered in the whole city: students continue anywhere in it",
        ),
        "analysis_county_demand": (
            ("县级供需分析只计入申报到{region}的需求（{own} 条）；按市统计、未分到县的 {city} 条需求（如行业统计推算）"
             "不计入，所以缺口偏向“过剩”，不宜与全市的缺口相加或比较"),
            ("The county's supply–demand analysis counts only demand declared in {region} ({own} records); the "
             "{city} records kept for the city as a whole (e.g. statistics) are not split over counties, so its gaps "
             "lean towards surplus and should not be added to or compared with the city's"),
        ),
        "analysis_bad_year": (
            "{year} 年没有专业点数据；可选年份：{years}",
            "No major data for {year}; years available: {years}",
        ),
        "analysis_demand_year": (
            "供需分析使用 {used} 年的需求数据（{year} 年及以后的需求数据不完整，暂定：{provisional}）",
            "Supply and demand use {used}'s demand data (demand after it is incomplete, provisional: {provisional})",
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
    coverage: pl.DataFrame = field(default_factory=pl.DataFrame)  # table, year, units, typical, share, status, reason
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    level: str = "city"  # "city" or "county": the level of the region analysed
    caveats: list[str] = field(default_factory=list)  # where the region's data are too thin to read a figure plainly

    @property
    def uses_generated_data(self) -> bool:
        return bool(self.generated_tables)


def resolve_region(hub: HubSnapshot, region: str | None) -> tuple[str, str]:
    """A city or a county by GB/T 2260 code (or name; default: the city with the most schools). An unknown region
    is :class:`NotFound`; a region that is neither a city nor a county (a province) is :class:`InvalidInput`."""
    regions = hub["regions"]
    if region:
        hit = regions.filter((pl.col("code") == region) | (pl.col("name") == region) | (pl.col("name") == f"{region}市"))
        if hit.height == 0:
            raise NotFound(t("analysis_unknown_region", region=region))
        if region_level(hub, hit["code"][0]) is None:
            raise InvalidInput(t("analysis_region_level", region=hit["name"][0], level=hit["level"][0]))
        return hit["code"][0], hit["name"][0]
    counties = hub["institutions"].join(regions.select(pl.col("code").alias("county_code"), "parent_code"), on="county_code")
    if counties.height == 0:
        raise InvalidInput(t("analysis_no_data"))
    code = counties.group_by("parent_code").len().sort("len", descending=True)["parent_code"][0]
    return code, regions.filter(pl.col("code") == code)["name"][0]


def region_level(hub: HubSnapshot, code: str) -> str | None:
    """``"city"`` for a 市, ``"county"`` for a 县 (or 区, 县级市, 功能区), None for anything else."""
    level = hub["regions"].filter(pl.col("code") == code)["level"]
    if level.len() == 0:
        return None
    return "city" if level[0] in LEVEL_OF["city"] else "county" if level[0] in LEVEL_OF["county"] else None


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
    GDP, sector shares, 5-year growth, and an economy-and-structure score (entropy weights over the compared
    cities) of GDP, 5-year growth and 产业结构高级化 = tertiary / secondary value added (干春晖等 2011). One
    structure variable only: the secondary and tertiary shares sum to one minus the primary share, so rewarding
    both would reward a small primary sector twice and cancel between the two."""
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
                           ((pl.col("gdp") / pl.col("gdp_5y_ago")) ** (1 / 5) - 1).alias("gdp_growth_5y"),
                           (pl.col("tertiary_va") / pl.col("secondary_va")).alias("structure_advancement"))
             .drop_nulls(["gdp", "secondary_share", "gdp_growth_5y"]))
    if frame.height >= 2:
        score = entropy_weights(frame.select("gdp", "gdp_growth_5y", "structure_advancement"), ["+", "+", "+"]).scores_
        frame = frame.with_columns(pl.Series("industry_score", score))
    return frame.with_columns((pl.col("region_code") == region_code).alias("is_focus"), pl.lit(last).alias("stats_year")).sort(
        "gdp", descending=True)


def forecast_industry_openings(
    hub: HubSnapshot, region_code: str, horizon: int, exit_rate: float, *, exit_rate_basis: str = "assumption",
    **options: Any,
) -> tuple[ForecastResult | None, pl.DataFrame]:
    """Employment by industry → forecast → openings (growth + replacement) with their intervals and the
    procedure's backtest error in openings; ``options`` go to ``forecast_openings`` (``min_select``,
    ``default_model``, ``interval_level``). ``exit_rate_basis``: where the replacement rate comes from
    (``"assumption"`` unless a source is named), kept beside every row."""
    stats = hub["industry_stats"].filter((pl.col("region_code") == region_code) & pl.col("employment").is_not_null())
    if stats.height == 0:
        return None, pl.DataFrame()
    history = stats.select(pl.col("industry_code").alias("series"), "year", pl.col("employment").alias("value"))
    result = forecast_openings(history, horizon=horizon, exit_rate=exit_rate, **options)
    assert result.openings is not None
    return result, result.openings.with_columns(pl.lit(exit_rate_basis).alias("exit_rate_basis"))


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
    level = region_level(hub, code) or "city"
    whole_hub, hub = hub, scope_hub(hub, code)  # every result is the region's own: other regions change nothing
    year = default_year(hub, year)
    options = {**coupling_options(config.section("coupling")), "catalog": catalog}

    def timed(key: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        value = fn(*args, **kwargs)
        seconds[key] = time.perf_counter() - t0
        return value

    city = timed("coupling_city", analyse_four_chains, hub, system, level=level, regions=[code], **options)
    counties = timed("coupling_counties", _counties, hub, system, code, options) if level == "city" else None
    caveats = county_caveats(whole_hub, hub, code, region_name_in(name)) if level == "county" else []
    coverage = hub_coverage(hub, config)
    notes = [t("peer_note")]
    sd_year, later = analysis_demand_year(coverage, demand_years(hub), year)  # never a provisional year's few rows
    if later:
        notes.insert(0, t("analysis_demand_year", used=sd_year, year=later[0], provisional=", ".join(map(str, later))))
    forecast_cfg = config.section("forecast")
    result = {
        "peers": timed("peers", peer_comparison, hub, code, year),
        "supply_demand": timed("supply_demand", analyse_supply_demand, hub, catalog, config, system, sd_year,
                               region_code=code, provisional=provisional_years(coverage, "demand"), trend_until=year),
        "pathways": timed("pathways", analyse_pathways, hub, catalog, year,
                          scope_hub(whole_hub, parent_of(whole_hub, code)) if level == "county" else None),
        "schools": timed("schools", analyse_schools, hub, config, year),
        "skills": timed("skills", analyse_skills, hub, config, sd_year),
    }
    forecast, openings = timed("forecast", forecast_industry_openings, hub, code, int(forecast_cfg.get("horizon", 3)),
                               float(forecast_cfg.get("exit_rate", 0.03)),
                               exit_rate_basis=str(forecast_cfg.get("exit_rate_basis", "assumption")),
                               min_select=int(forecast_cfg.get("min_select_years", 12)),
                               default_model=str(forecast_cfg.get("default_model", "naive")),
                               interval_level=float(forecast_cfg.get("interval_level", 0.8)))
    seconds["total"] = time.perf_counter() - started
    return AnalysisBundle(region_code=code, region_name=name, year=year, city=city, counties=counties,
                          forecast=forecast, openings=openings, generated_tables=hub.generated_tables(),
                          table_rows={n: f.height for n, f in hub.tables.items()}, coverage=coverage,
                          seconds=seconds, notes=notes, level=level, caveats=caveats, **result)


MIN_COUNTY_SCHOOLS = 3  # fewer schools than this, and a county's figures are single schools' figures


def parent_of(hub: HubSnapshot, code: str) -> str:
    """The region above ``code`` (itself when it has none)."""
    parent = hub["regions"].filter(pl.col("code") == code)["parent_code"]
    return str(parent[0]) if parent.len() and parent[0] else code


def county_caveats(whole_hub: HubSnapshot, scoped: HubSnapshot, code: str, name: str) -> list[str]:
    """What a county's figures cannot say: too few schools to read its indicators as the county's, and the demand
    kept for the city as a whole (not split over counties), which its supply–demand gaps leave out."""
    caveats = [t("analysis_county_pathways", region=name)]
    schools = scoped["institutions"].height
    if schools < MIN_COUNTY_SCHOOLS:
        caveats.append(t("analysis_few_schools", region=name, n=schools))
    parent = parent_of(whole_hub, code)
    city_rows = whole_hub["demand"].filter(pl.col("region_code") == parent).height if parent != code else 0
    if city_rows:
        caveats.append(t("analysis_county_demand", region=name, own=f"{scoped['demand'].height:,}", city=f"{city_rows:,}"))
    return caveats


def _counties(hub: HubSnapshot, system: Any, city: str, options: dict[str, Any]) -> FourChainResult | None:
    counties = hub["regions"].filter(pl.col("parent_code") == city)["code"].to_list()
    try:
        return analyse_four_chains(hub, system, level="county", regions=counties, **options)
    except InvalidInput:
        return None
