"""The analysis as plain data (what `silian analyze --json` prints and ``/api/v1/analysis/summary`` returns):
every figure with its context, and every presented table of the bundle (the same titles, labels and rows as
the dashboard, the report and the downloads)."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.analytics.alignment import SOURCES
from silian.analytics.warning_cards import CARDS
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.gaps import chain_gaps_table, cut_table, grow_table
from silian.services.presentation.pathways import dead_ends_table
from silian.services.presentation.registry import BUNDLE_TABLES
from silian.services.presentation.schools import small_cohorts_table, standards_table
from silian.services.supply_demand import SupplyDemandResult


def _records(frame: pl.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return frame.select(present).to_dicts() if frame.height else []


def _all(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts() if frame.height else []


def major_records(sd: SupplyDemandResult) -> list[dict[str, Any]]:
    """Every offered major (the ``supply_demand.majors[]`` contract): code, name, supply, demand and gap (null
    without demand evidence), card (red, yellow, green or no_data), and its coverage — each source's own
    openings (null when that source has no record), the sources with and without evidence, the occupations and
    industries it maps to, and for a no_data major what data would fix it."""
    if sd.cards.height == 0:
        return []
    coverage = sd.coverage.select("major_code", "missing", "occupations", "occupation_names", "industries",
                                  "industry_names", "fix") if sd.coverage.height else None
    frame = sd.cards if coverage is None else sd.cards.join(coverage, on="major_code", how="left")
    rows = []
    for r in frame.iter_rows(named=True):
        no_data = r["card"] == "no_data"
        rows.append({
            "major_code": r["major_code"], "major_name": r["major_name"], "level_key": r["level_key"],
            "supply": r["supply"], "demand": None if no_data else r["demand"], "gap": None if no_data else r["gap"],
            "gap_ratio": None if no_data else r["gap_ratio"], "card": r["card"], "reasons": r["reasons"],
            "demand_by_source": {s: r.get(f"demand_{s}") for s in SOURCES},
            "sources": [s for s in (r.get("sources") or []) if s in SOURCES],
            "missing": r.get("missing") or [], "occupations": r.get("occupations") or [],
            "occupation_names": r.get("occupation_names") or [], "industries": r.get("industries") or [],
            "industry_names": r.get("industry_names") or [], "fix": r.get("fix"),
        })
    return rows


def presented_tables(bundle: AnalysisBundle) -> dict[str, dict[str, Any]]:
    """Every table of the bundle for the JSON API, by id."""
    return {key: build(bundle, None).to_json() for key, build in BUNDLE_TABLES.items()}


def bundle_summary(bundle: AnalysisBundle) -> dict[str, Any]:
    """The analysis as plain data: raw frames under their field names, and ``tables`` — every presented table."""
    sd = bundle.supply_demand
    return {
        "region_code": bundle.region_code,
        "region_name": bundle.region_name,
        "year": bundle.year,
        "uses_generated_data": bundle.uses_generated_data,
        "generated_tables": bundle.generated_tables,
        "coupling": {
            "method": bundle.city.method,
            "zero_handling": bundle.city.zero_handling,
            "normalisation": bundle.city.normalisation,
            "benchmark_release": bundle.city.release,
            "weighting": {"scheme": bundle.city.weighting, "description": bundle.city.weighting_description},
            "band": bundle.city.band,
            "city": _all(bundle.city.scores),
            "counties": _all(bundle.counties.scores) if bundle.counties else [],
            "weights": _all(bundle.city.weights),
            "obstacles": _all(bundle.city.obstacles),
            "notes": bundle.city.warnings,
        },
        "peers": _records(
            bundle.peers,
            [
                "region_code",
                "name",
                "gdp",
                "secondary_share",
                "tertiary_share",
                "gdp_growth_5y",
                "industry_score",
                "stats_year",
            ],
        ),
        "supply_demand": {
            "year": sd.year,
            "blend": sd.blend.weights,
            "source_totals": sd.blend.totals,
            "demand_basis": sd.blend.basis,
            "demand_total": sd.blend.total,
            "declarations_replaced": sd.blend.replaced,
            "grow": grow_table(bundle).records(),
            "cut": cut_table(bundle).records(),
            "chains": chain_gaps_table(bundle).records(),
            "cards": {c: int((sd.cards["card"] == c).sum()) for c in CARDS},
            "majors": major_records(sd),
            "no_data": [r for r in major_records(sd) if r["card"] == "no_data"],
            "occupations": _all(sd.occupations),
            "mismatch": _all(sd.mismatch_trend),
            "structural_deviation_total": sd.deviation_total,
            "unmatched_openings": sd.unmatched_openings,
            "findings": sd.findings,
        },
        "pathways": {
            "funnel": _all(bundle.pathways.funnel),
            "dead_ends": dead_ends_table(bundle).records(),
            "findings": bundle.pathways.findings,
        },
        "schools": {
            "summary": bundle.schools.summary,
            "simulations": bundle.schools.simulations,
            "small_cohorts": small_cohorts_table(bundle).records(),
            "standards": standards_table(bundle).records(),
            "not_assessed": bundle.schools.not_assessed,
            "findings": bundle.schools.findings,
        },
        "skills": {"balance": _all(bundle.skills.balance), "findings": bundle.skills.findings},
        "forecast": _all(bundle.openings),
        "tables": presented_tables(bundle),
        "notes": bundle.notes,
        "coverage": _all(bundle.coverage),  # table, year, units, typical, share, status (complete|provisional), reason
        "seconds": {k: round(v, 4) for k, v in bundle.seconds.items()},
    }
