"""A scenario applied to a copy of the hub snapshot, in memory (the hub tables are never written).

- plan: each changed offering's rows in the supply window (the years whose graduates make this year's supply,
  up to the comparison year) are scaled by planned ÷ current entrants — the steady state of the plan, as if
  it had run long enough for its graduates to reach the labour market; a new offering gets rows at the
  major's observed per-entrant rates (students, graduates, destinations, certificates).
- plant: its workers are added as demand of its county in every demand year from ``from_year``, as openings
  known exactly (source ``added``): the alignment adds them on top of the divided statistical total, so the
  demand rises by exactly the plant's workers, split over the occupation's majors like any occupation demand.
- merger: the merged schools' rows (every year) are re-keyed to the surviving school and added up; the
  absorbed schools leave the school register.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from silian.analytics.alignment import ADDED
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services.hub import HubSnapshot
from silian.services.platform_posts import POST_DEMAND_TABLE
from silian.services.scenarios.specs import MergerSpec, PlanSpec, PlantSpec, Spec
from silian.services.supply_demand import demand_years

MAJOR_KEY = ("institution_code", "major_code", "year")
SCHOOL_YEAR_TABLES = ("institution_resources", "funding", "innovation")
register_messages(
    {
        "sc_negative_plan": (
            "{school} × {major}：{current} 人加上变化 {change} 后为负数",
            "{school} × {major}: {current} plus a change of {change} is negative",
        ),
        "sc_note_plant_late": (
            "新建工厂从 {year} 年起用工，比较年份的需求（{demand_year} 年）不受影响",
            "The plant hires from {year}; the demand of the compared year ({demand_year}) is unaffected",
        ),
        "sc_note_plan_window": (
            "招生变化按稳态计入 {first}–{last} 年（供给窗口）的专业点",
            "Enrolment changes enter the offerings of {first}–{last} (the supply window) at steady state",
        ),
    }
)


@dataclass
class Applied:
    """The changed snapshot and what was said about applying the scenario."""

    hub: HubSnapshot
    notes: list[str] = field(default_factory=list)


def apply_scenario(hub: HubSnapshot, spec: Spec, *, year: int, average_years: int = 3) -> Applied:
    """A new snapshot with ``spec`` applied for the comparison ``year`` (``hub`` is left as it was)."""
    tables = dict(hub.tables)
    notes: list[str] = []
    if isinstance(spec, PlanSpec):
        window = _supply_window(hub, year, average_years)
        tables["major_points"] = apply_plan(tables["major_points"], spec, year, window)
        if spec.changes:
            notes.append(t("sc_note_plan_window", first=window[0], last=window[-1]))
    elif isinstance(spec, PlantSpec):
        tables["demand"] = apply_plant(tables["demand"], tables.get(POST_DEMAND_TABLE), spec, demand_years(hub))
        demand_year = max([y for y in demand_years(hub) if y <= year], default=year)
        if spec.from_year > demand_year:
            notes.append(t("sc_note_plant_late", year=spec.from_year, demand_year=demand_year))
    elif isinstance(spec, MergerSpec):
        tables.update(apply_merger(tables, spec))
    return Applied(HubSnapshot(tables=tables, generated=dict(hub.generated), database=hub.database), notes)


def _supply_window(hub: HubSnapshot, year: int, average_years: int) -> list[int]:
    """The years whose offerings make the supply of ``year`` (and of its demand year, if earlier)."""
    demand_year = max([y for y in demand_years(hub) if y <= year], default=year)
    return list(range(min(year, demand_year) - average_years + 1, year + 1))


def apply_plan(points: pl.DataFrame, spec: PlanSpec, year: int, window: list[int]) -> pl.DataFrame:
    """Offerings scaled to the planned entrants (rows of ``window``); new offerings at the major's rates."""
    if not spec.changes:
        return points
    flows = [c for c in points.columns if c not in (*MAJOR_KEY, "is_generated")]
    now = points.filter(pl.col("year") == year)
    current = {(s, m): float(e) for s, m, e in now.select("institution_code", "major_code", "enrolment").iter_rows()}
    factors, new = [], []
    for c in spec.changes:
        base = current.get((c.school, c.major), 0.0)
        planned = float(c.enrolment) if c.enrolment is not None else base + float(c.change or 0)
        if planned < 0:
            raise InvalidInput(t("sc_negative_plan", school=c.school, major=c.major, current=f"{base:,.0f}", change=c.change))
        if base > 0:
            factors.append({"institution_code": c.school, "major_code": c.major, "_factor": planned / base})
        elif planned > 0:
            new.append((c.school, c.major, planned))
    out = points.with_columns(pl.col(flows).cast(pl.Float64))
    if factors:
        scale = pl.DataFrame(factors, schema={"institution_code": pl.String, "major_code": pl.String, "_factor": pl.Float64})
        out = out.join(scale, on=["institution_code", "major_code"], how="left").with_columns(
            pl.when(pl.col("year").is_in(window) & pl.col("_factor").is_not_null())
            .then(pl.col(c) * pl.col("_factor")).otherwise(pl.col(c)).alias(c) for c in flows).drop("_factor")
    if new:
        out = pl.concat([out, _new_offerings(points, flows, new, window)], how="diagonal_relaxed")
    return out


def _new_offerings(points: pl.DataFrame, flows: list[str], new: list[tuple[str, str, float]], window: list[int]) -> pl.DataFrame:
    """Rows of new offerings in every window year: entrants × the major's per-entrant rates over the window
    (all offerings' rates where the major is offered nowhere)."""
    recent = points.filter(pl.col("year").is_in(window) & (pl.col("enrolment") > 0))
    per_entrant = [(pl.col(c).cast(pl.Float64).sum() / pl.col("enrolment").sum()).fill_nan(0.0).alias(c) for c in flows]
    by_major = {r["major_code"]: r for r in recent.group_by("major_code").agg(per_entrant).iter_rows(named=True)}
    overall = recent.select(per_entrant).row(0, named=True) if recent.height else dict.fromkeys(flows, 0.0)
    rows = []
    for school, major, planned in new:
        rates = by_major.get(major, overall)
        for y in window:
            rows.append({"institution_code": school, "major_code": major, "year": y, "is_generated": False,
                         **{c: planned * float(rates[c] or 0.0) for c in flows}})
    return pl.DataFrame(rows, schema={**{k: points.schema[k] for k in MAJOR_KEY}, **dict.fromkeys(flows, pl.Float64),
                                      "is_generated": pl.Boolean})


def apply_plant(demand: pl.DataFrame, posts: pl.DataFrame | None, spec: PlantSpec, years: list[int]) -> pl.DataFrame:
    """Demand rows of the plant: each need once in each demand year from ``from_year``, as openings known
    exactly (source ``added``, see :data:`silian.analytics.alignment.ADDED`)."""
    rows = []
    for y in [y for y in years if y >= spec.from_year] or [spec.from_year]:
        for need in spec.needs:
            rows.append({"source": ADDED, "region_code": spec.county, "period": str(y), "enterprise_credit_code": "",
                         "occupation_code": need.occupation, "major_code": "", "skill_level": need.skill_level,
                         "count": need.workers, "is_generated": False})
    if not rows:
        return demand
    return pl.concat([demand, pl.DataFrame(rows, schema={k: demand.schema[k] for k in rows[0]})], how="diagonal_relaxed")


def apply_merger(tables: dict[str, pl.DataFrame], spec: MergerSpec) -> dict[str, pl.DataFrame]:
    """The tables that name schools, with the absorbed schools re-keyed to the survivor and summed."""
    into, absorbed = spec.into, list(spec.absorbed)
    rekey = pl.when(pl.col("institution_code").is_in(absorbed)).then(pl.lit(into)).otherwise(pl.col("institution_code"))
    out: dict[str, pl.DataFrame] = {}
    institutions = tables["institutions"].filter(~pl.col("code").is_in(absorbed))
    if spec.name:
        institutions = institutions.with_columns(pl.when(pl.col("code") == into).then(pl.lit(spec.name))
                                                 .otherwise(pl.col("name")).alias("name"))
    out["institutions"] = institutions
    out["major_points"] = _summed(tables["major_points"].with_columns(rekey.alias("institution_code")), list(MAJOR_KEY))
    for name in SCHOOL_YEAR_TABLES:
        out[name] = _summed(tables[name].with_columns(rekey.alias("institution_code")), ["institution_code", "year"])
    out["cooperation"] = tables["cooperation"].with_columns(rekey.alias("institution_code"))
    return out


def _summed(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Rows with the same key added up (numbers summed, nulls kept where every part is null; flags: any)."""
    numeric = [c for c, d in frame.schema.items() if c not in key and d.is_numeric()]
    other = [c for c in frame.columns if c not in key and c not in numeric]
    aggs = [pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c) for c in numeric]
    aggs += [(pl.col(c).any() if frame.schema[c] == pl.Boolean else pl.col(c).first()).alias(c) for c in other]
    return frame.group_by(key, maintain_order=True).agg(aggs).select(frame.columns)
