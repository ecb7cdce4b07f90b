"""``/api/v1/analysis/...``: the analyses of the hub (cached until the data change).

Aggregated results (coupling of the city and counties, peers, gaps by major/class/industry/chain, pathways,
skills, forecasts) are open to every role, the public included: they carry no personal or commercial detail.
School-level compliance is limited to the schools the caller may see; callers who see no school (the public,
enterprises) get the school diagnoses as the public dashboard shows them — counts, no school codes (which schools
a merger plan would close, which run small cohorts).

Besides the raw rows under their field names, every answer carries ``tables``: the presented tables of its
subject (title, columns with key, label, unit and kind, rows with a name beside every code) — the same objects
the dashboard, its downloads and the report render. ``/tables/{id}`` gives one of them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query

from silian.domain.access import read_scope, row_in_scope
from silian.domain.messages import current_lang
from silian.services.analysis import AnalysisBundle
from silian.services.analysis_cache import AnalysisCache
from silian.services.presentation import BUNDLE_TABLES, bundle_summary, bundle_table, may_see_schools
from silian.web.dependencies import AnalysesDep, PrincipalDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/analysis", tags=["分析 / analysis"])
Json = dict[str, Any]
ERRORS = responses(400, 404)
RegionQuery = Annotated[str | None, Query(
    description=("The region analysed: the GB/T 2260 code of a city (410100) or of a county, district or functional "
                 "area (410122); default: the city with the most schools. An unknown code is a 404, a province a 400."),
    examples=["410100", "410122"])]


def bundle_of(analyses: AnalysisCache, region: str | None, year: int | None) -> AnalysisBundle:
    return analyses.get(region, year, current_lang.get())


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts() if frame.height else []


def _meta(bundle: AnalysisBundle) -> Json:
    return {"region_code": bundle.region_code, "region_name": bundle.region_name, "region_level": bundle.level,
            "year": bundle.year, "caveats": bundle.caveats, "uses_generated_data": bundle.uses_generated_data,
            "generated_tables": bundle.generated_tables}


def _tables(bundle: AnalysisBundle, *ids: str) -> dict[str, Json]:
    """The presented tables ``ids`` of the bundle, by id."""
    return {key: bundle_table(key, bundle).to_json() for key in ids}


def _school_simulations(b: AnalysisBundle, principal: PrincipalDep) -> list[Json]:
    """The merger simulations; for a caller who sees no school, without the schools' codes."""
    if may_see_schools(principal):
        return b.schools.simulations
    hidden = []
    for sim in b.schools.simulations:
        merges: dict[str, list[str]] = sim["merges"]  # type: ignore[assignment]
        hidden.append({"plan": sim["plan"], "schools_merged": sum(len(codes) for codes in merges.values()),
                       "before": sim["before"], "after": sim["after"]})
    return hidden


def _small_cohorts(b: AnalysisBundle, principal: PrincipalDep) -> list[Json]:
    frame = b.schools.small_cohorts
    return _rows(frame if may_see_schools(principal) else frame.drop("institution_codes", strict=False))


@router.get("/summary", response_model=Json, responses=ERRORS, summary="Everything (as `silian analyze --json`)")
def summary(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    result = bundle_summary(b)
    result["schools"]["simulations"] = _school_simulations(b, principal)
    return result


@router.get("/coupling", response_model=Json, responses=ERRORS, summary="Four-chain coupling coordination")
def coupling(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None,
             level: Literal["city", "county"] = "city") -> Json:
    b = bundle_of(analyses, region, year)
    result = b.city if level == "city" else b.counties
    if result is None:
        return {**_meta(b), "level": level, "scores": [], "weights": [], "obstacles": [], "chain_obstacles": [], "notes": [],
                "tables": {}}
    tables = (_tables(b, "coupling", "weights", "drivers", "obstacles", "chain-obstacles") if level == "city"
              else _tables(b, "counties", "county-topsis"))
    return {**_meta(b), "level": level, "method": result.method, "scores": _rows(result.scores), "weights": _rows(result.weights),
            "obstacles": _rows(result.obstacles), "chain_obstacles": _rows(result.chain_obstacles),
            "drivers": _rows(result.drivers), "notes": result.warnings, "tables": tables}


@router.get("/supply-demand", response_model=Json, responses=ERRORS, summary="Supply–demand gaps and warning cards")
def supply_demand(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None,
                  by: Literal["major", "class", "industry", "chain", "class_chain"] = "class") -> Json:
    b = bundle_of(analyses, region, year)
    sd = b.supply_demand
    frame = {"major": sd.by_major, "class": sd.by_class, "industry": sd.by_industry, "chain": sd.by_chain,
             "class_chain": sd.by_class_chain}[by]
    cards = sd.cards.select("major_code", "major_name", "level_key", "card", "reasons", "gap", "gap_ratio")
    return {**_meta(b), "demand_year": sd.year, "by": by, "rows": _rows(frame), "blend": sd.blend.weights,
            "source_totals": sd.blend.totals, "cards": _rows(cards), "grow": _rows(sd.grow), "cut": _rows(sd.cut),
            "mismatch": _rows(sd.mismatch_trend), "findings": sd.findings,
            "tables": _tables(b, "gap-heatmap", "class-gaps", "chain-gaps", "mismatch", "grow", "cut", "red-list")}


@router.get("/pathways", response_model=Json, responses=ERRORS, summary="断头路: funnel and dead-end majors")
def pathways(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), "funnel": _rows(b.pathways.funnel), "majors": _rows(b.pathways.seats), "findings": b.pathways.findings,
            "tables": _tables(b, "funnel", "dead-ends")}


@router.get("/schools", response_model=Json, responses=ERRORS, summary="散缺小: compliance summary, small cohorts, simulations")
def schools(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    s = b.schools
    return {**_meta(b), "summary": s.summary, "small_cohorts": _small_cohorts(b, principal),
            "simulations": _school_simulations(b, principal),
            "findings": s.findings, "tables": _tables(b, "school-fails", "simulations", "small-cohorts")}


@router.get("/schools/compliance", response_model=Json, responses=ERRORS,
            summary="Compliance of each school the caller may see")
def school_compliance(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None,
                      compliant: bool | None = Query(None, description="only compliant (true) or non-compliant (false)")) -> Json:
    b = bundle_of(analyses, region, year)
    scope = read_scope(principal, "institutions")
    frame = b.schools.compliance
    visible = [row_in_scope(scope, {"code": code, "county_code": county})
               for code, county in frame.select("institution_code", "county_code").iter_rows()]
    frame = frame.filter(pl.Series(visible, dtype=pl.Boolean))
    if compliant is not None:
        frame = frame.filter(pl.col("compliant") == compliant)
    return {**_meta(b), "rows": _rows(frame)}


@router.get("/skills", response_model=Json, responses=ERRORS, summary="大工匠难育: skill levels")
def skills(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), "balance": _rows(b.skills.balance), "trend": _rows(b.skills.trend), "findings": b.skills.findings,
            "tables": _tables(b, "skills", "skill-trend")}


@router.get("/peers", response_model=Json, responses=ERRORS, summary="Peer cities (real economic data)")
def peers(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), "rows": _rows(b.peers), "notes": b.notes, "tables": _tables(b, "peers", "peer-score")}


@router.get("/forecast", response_model=Json, responses=ERRORS, summary="Openings by industry with backtest errors")
def forecast(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), "rows": _rows(b.openings), "tables": _tables(b, "forecast")}


@router.get("/tables", response_model=Json, responses=ERRORS, summary="The presented tables: ids and titles")
def tables(analyses: AnalysesDep, principal: PrincipalDep, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), "tables": [{"id": key, "title": build(b, principal).title} for key, build in BUNDLE_TABLES.items()]}


@router.get("/tables/{table_id}", response_model=Json, responses=ERRORS,
            summary="One presented table: title, columns (key, label, unit, kind) and rows, " "as on the dashboard and in the report")
def table(analyses: AnalysesDep, principal: PrincipalDep, table_id: str, region: RegionQuery = None, year: int | None = None) -> Json:
    b = bundle_of(analyses, region, year)
    return {**_meta(b), **bundle_table(table_id, b, principal).to_json()}
