"""Scenarios against the baseline, side by side: the same analyses (four-chain coupling, supply–demand
alignment and warning cards, school standards) run on the hub snapshot and on each scenario's copy of it,
and the difference per indicator (scenario − baseline)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from silian.analytics.completeness import provisional_years
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services.analysis import default_year, resolve_region
from silian.services.config import analysis_config, indicator_system
from silian.services.diagnoses import analyse_schools
from silian.services.four_chains import analyse_four_chains, coupling_options
from silian.services.hub import HubSnapshot
from silian.services.hub_scope import scope_hub
from silian.services.scenarios.apply import apply_scenario
from silian.services.scenarios.specs import Spec
from silian.services.supply_demand import analyse_supply_demand, demand_years
from silian.services.year_coverage import analysis_demand_year, hub_coverage
from silian.settings import Settings

DIGITS = 6
register_messages(
    {
        "sc_baseline": ("基线（现状）", "Baseline"),
        "sc_ind_coupling_D": ("四链耦合协调度 D", "Four-chain coupling coordination D"),
        "sc_ind_coupling_C": ("耦合度 C", "Coupling C"),
        "sc_ind_coupling_T": ("综合发展指数 T", "Development index T"),
        "sc_ind_coupling_level": ("协调等级", "Coordination level"),
        "sc_ind_coupling_lag": ("滞后链", "Lagging chain"),
        "sc_ind_shortage": ("专业缺口合计（需求 > 供给）", "Total shortage (demand > supply)"),
        "sc_ind_surplus": ("专业过剩合计（供给 > 需求）", "Total surplus (supply > demand)"),
        "sc_ind_gap_chain": ("重点产业链缺口：{chain}", "Key-chain gap: {chain}"),
        "sc_ind_duncan": ("专业类错配指数（Duncan）", "Class mismatch index (Duncan)"),
        "sc_ind_cards_red": ("红牌专业数", "Red-card majors"),
        "sc_ind_cards_yellow": ("黄牌专业数", "Yellow-card majors"),
        "sc_ind_schools": ("中职层次学校数（中职、技工学校）", "中职-level schools (中职, 技工学校)"),
        "sc_ind_schools_compliant": (
            "设置标准与达标监测均无未达项的学校数（各按本类型标准）",
            "Schools with no failed item in their own type's setting standard or 达标 monitoring",
        ),
        "sc_ind_students": ("在校生", "Students"),
        "sc_ind_students_compliant": ("在无未达项学校就读的学生", "Students in schools with no failed item"),
        "sc_note_years": (
            "比较年份 {year}：耦合协调度取 {coupling_year} 年（最近的完整年份），供需取 {demand_year} 年需求",
            (
                "Compared year {year}: coupling of {coupling_year} (latest complete yea"
                "r), supply–demand against {demand_year} demand"
            ),
        ),
        "sc_note_no_coupling": (
            "“{column}”无法计算耦合协调度：{detail}",
            "'{column}': coupling cannot be computed: {detail}",
        ),
    }
)


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator: its values in the columns' order and each scenario's difference from the baseline.

    ``better`` says which way is good: ``+`` higher, ``-`` lower, ``0`` closer to zero, ``""`` neither."""

    key: str
    label: str
    kind: str                      # num (float), int, text
    better: str
    values: list[Any]
    diffs: list[Any]


@dataclass(frozen=True)
class Comparison:
    region_code: str
    region_name: str
    year: int
    demand_year: int
    coupling_year: int | None
    columns: list[str]             # baseline label, then one per scenario
    rows: list[IndicatorRow]
    notes: list[str] = field(default_factory=list)
    uses_generated_data: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"region_code": self.region_code, "region_name": self.region_name, "year": self.year,
                "demand_year": self.demand_year, "coupling_year": self.coupling_year, "columns": self.columns,
                "rows": [r.__dict__ for r in self.rows], "notes": self.notes,
                "uses_generated_data": self.uses_generated_data}


def indicators(hub: HubSnapshot, *, settings: Settings, catalog: Catalog, region_code: str, year: int,
               coupling_year: int | None) -> tuple[dict[str, Any], str | None]:
    """The compared indicators of ``hub`` (and why coupling is missing, if it is)."""
    config, system = analysis_config(settings), indicator_system(settings)
    coverage = hub_coverage(hub, config)
    sd_year, _ = analysis_demand_year(coverage, demand_years(hub), year)  # the same demand year as the analysis
    sd = analyse_supply_demand(hub, catalog, config, system, sd_year, region_code=region_code,
                               provisional=provisional_years(coverage, "demand"))
    gaps = sd.by_major["gap"]
    values: dict[str, Any] = {"shortage": math.fsum(gaps.filter(gaps > 0).to_list()),
                              "surplus": -math.fsum(gaps.filter(gaps < 0).to_list()), "_demand_year": sd_year}
    for chain, gap in sorted(sd.by_chain.select("chain", "gap").iter_rows()):
        values[f"gap_chain:{chain}"] = float(gap)
    trend = sd.mismatch_trend.filter(pl.col("year") == sd_year)
    values["duncan"] = float(trend["duncan"][0]) if trend.height else None
    values["cards_red"] = int((sd.cards["card"] == "red").sum())
    values["cards_yellow"] = int((sd.cards["card"] == "yellow").sum())
    summary = analyse_schools(hub, config, year, plans={}).summary
    values.update(schools=summary["schools"], schools_compliant=summary["compliant"], students=summary["students"],
                  students_compliant=summary["students_in_compliant"])
    problem = None
    try:
        city = analyse_four_chains(hub, system, level="city", regions=[region_code], catalog=catalog,
                                   **coupling_options(config.section("coupling")))
        row = city.scores.filter(pl.col("year") == coupling_year) if coupling_year else city.scores.filter(pl.col("year") <= year).tail(1)
        if row.height:
            r = row.row(0, named=True)
            values.update({"coupling_D": r["D"], "coupling_C": r["C"], "coupling_T": r["T"], "coupling_level": r["level"],
                           "coupling_lag": r["lag"], "_coupling_year": r["year"]})
    except InvalidInput as exc:
        problem = exc.message
    # the analyses add floats in an order that may vary between runs (last-bit differences): compare at 1e-6
    return {k: round(v, DIGITS) if isinstance(v, float) else v for k, v in values.items()}, problem


ROWS = (("coupling_D", "num", "+"), ("coupling_C", "num", "+"), ("coupling_T", "num", "+"), ("coupling_level", "text", ""),
        ("coupling_lag", "text", ""), ("shortage", "num", "-"), ("surplus", "num", "-"), ("duncan", "num", "-"),
        ("cards_red", "int", "-"), ("cards_yellow", "int", "-"), ("schools", "int", ""),
        ("schools_compliant", "int", "+"), ("students", "int", ""), ("students_compliant", "int", "+"))
LABELS = {"shortage": "sc_ind_shortage", "surplus": "sc_ind_surplus", "duncan": "sc_ind_duncan",
          "students_compliant": "sc_ind_students_compliant"}


def _label(key: str) -> str:
    if key.startswith("gap_chain:"):
        return t("sc_ind_gap_chain", chain=key.split(":", 1)[1])
    return t(LABELS.get(key, f"sc_ind_{key}"))


def _diff(kind: str, base: Any, value: Any) -> Any:
    if base is None or value is None:
        return None
    if kind == "text":
        return None if base == value else value
    return round(value - base, DIGITS) if isinstance(value, float) or isinstance(base, float) else value - base


def compare(hub: HubSnapshot, scenarios: Sequence[tuple[str, Spec]], *, settings: Settings | None = None,
            region: str | None = None, year: int | None = None, catalog: Catalog | None = None) -> Comparison:
    """The baseline and each (name, spec) scenario for ``region`` (default: the main city) and ``year``."""
    settings, catalog = settings or Settings(), catalog or get_catalog()
    code, name = resolve_region(hub, region)
    hub = scope_hub(hub, code)  # scenarios change the region's own data; other regions in the hub change nothing
    year = default_year(hub, year)
    average_years = int(analysis_config(settings).section("supply").get("average_years", 3))
    base, problem = indicators(hub, settings=settings, catalog=catalog, region_code=code, year=year, coupling_year=None)
    coupling_year = base.pop("_coupling_year", None)
    demand_year = base.pop("_demand_year")
    notes = [] if problem is None else [t("sc_note_no_coupling", column=t("sc_baseline"), detail=problem)]
    columns, results = [t("sc_baseline")], [base]
    for label, spec in scenarios:
        applied = apply_scenario(hub, spec, year=year, average_years=average_years)
        values, problem = indicators(applied.hub, settings=settings, catalog=catalog, region_code=code, year=year,
                                     coupling_year=coupling_year)
        values.pop("_coupling_year", None)
        values.pop("_demand_year", None)
        notes += [f"{label}：{n}" for n in applied.notes]
        if problem:
            notes.append(t("sc_note_no_coupling", column=label, detail=problem))
        columns.append(label)
        results.append(values)
    chains = sorted({k for r in results for k in r if k.startswith("gap_chain:")})
    specs = [*ROWS[:7], *((c, "num", "0") for c in chains), *ROWS[7:]]
    rows = [IndicatorRow(key, _label(key), kind, better, [r.get(key) for r in results],
                         [_diff(kind, base.get(key), r.get(key)) for r in results[1:]]) for key, kind, better in specs]
    notes.insert(0, t("sc_note_years", year=year, coupling_year=coupling_year or "—", demand_year=demand_year))
    return Comparison(code, name, year, demand_year, coupling_year, columns, rows, notes, hub.any_generated())
