"""Next year's enrolment plan for a region: the problem built from the hub (current enrolment, school
capacity, demand targets, key-chain priorities), solved, and turned into tables a bureau can act on — the
plan, the change against this year with a reason per change, the binding constraints and the predicted
effect on the gap, the Duncan index over 专业类 and the four-chain coupling D. Method card:
docs/methods/enrolment_plan.md.

Modules: ``enrolment_plan_inputs`` (the problem from the hub), ``enrolment_plan_reasons`` (the plan, reasons, binding
constraints), ``enrolment_plan_effect`` (the predicted effect)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from silian.analytics import enrolment_plan as ep
from silian.catalog import Catalog, get_catalog
from silian.domain.messages import register_messages, t
from silian.services.analysis import default_year, resolve_region
from silian.services.hub import HubSnapshot, load_hub
from silian.services.hub_scope import scope_hub
from silian.services.planning.plan_effect import major_frame, predicted_effect
from silian.services.planning.plan_inputs import DURATION, PlanInputs, PlanOptions
from silian.services.planning.plan_reasons import FAMILY_NAMES, binding_table, plan_frame
from silian.settings import Settings
from silian.storage.database import Database

__all__ = ["DURATION", "FAMILY_NAMES", "EnrolmentPlan", "PlanInputs", "PlanOptions", "infeasible_text", "plan_enrolment",
           "plan_summary"]
register_messages(
    {
        "plan_infeasible": (
            "无可行招生计划：{families} 相互冲突；最少需放宽：{detail}",
            "No feasible plan: {families} conflict; the least relaxation: {detail}",
        ),
        "plan_status_time_limit": (
            "求解达到时间上限：给出的是目前最好的方案，距证明最优还差 {gap:.2%}",
            "Time limit reached: the best plan found, within {gap:.2%} of proven optimal",
        ),
    }
)


@dataclass(frozen=True)
class EnrolmentPlan:
    """The plan and everything said about it; frames documented in docs/methods/enrolment_plan.md."""

    region_code: str
    region_name: str
    year: int
    plan_year: int
    status: str
    plan: pl.DataFrame          # one row per offering: current, planned, change, status, reason, binding
    majors: pl.DataFrame        # one row per major: demand, yield, target, current and planned totals, gaps
    binding: pl.DataFrame       # binding constraints with names
    effect: dict[str, Any]
    result: ep.PlanResult
    options: PlanOptions
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> pl.DataFrame:
        return self.plan.filter(pl.col("change") != 0)


def plan_enrolment(db: Database | None = None, *, hub: HubSnapshot | None = None, settings: Settings | None = None,
                   region: str | None = None, year: int | None = None, options: PlanOptions | None = None,
                   keep: Sequence[tuple[str, str]] = (), close: Sequence[tuple[str, str]] = (),
                   catalog: Catalog | None = None) -> EnrolmentPlan:
    """Plan ``year + 1``'s enrolment for ``region`` (defaults as in `silian analyze`); ``keep`` and
    ``close`` are (school code, major code) pairs that must stay open or must close."""
    settings, options, catalog = settings or Settings(), options or PlanOptions(), catalog or get_catalog()
    if hub is None:
        assert db is not None
        hub = load_hub(db)
    code, name = resolve_region(hub, region)
    hub = scope_hub(hub, code)  # the region's own schools, majors and demand only
    year = default_year(hub, year)
    inputs = PlanInputs(hub, catalog, settings, code, name, year, options)
    problem = inputs.problem(set(keep), set(close))
    result = ep.solve_enrolment_plan(problem, time_limit=options.time_limit, mip_rel_gap=options.mip_rel_gap)
    if not result.feasible:
        return EnrolmentPlan(code, name, year, year + 1, result.status, pl.DataFrame(), inputs.majors, pl.DataFrame(),
                             {}, result, options, [*inputs.notes, infeasible_text(result)])
    if result.status == "time_limit":
        inputs.notes.append(t("plan_status_time_limit", gap=result.mip_gap))
    plan = plan_frame(inputs, problem, result)
    majors = major_frame(inputs, plan)
    effect = predicted_effect(inputs, plan, majors)
    return EnrolmentPlan(code, name, year, year + 1, result.status, plan, majors, binding_table(result, inputs), effect,
                         result, options, list(inputs.notes))


def infeasible_text(result: ep.PlanResult) -> str:
    """The diagnosis in words: the conflicting families and the least relaxation."""
    lang = 0 if t("plan_same") == "维持" else 1
    diagnosis = result.diagnosis
    if diagnosis is None:
        return result.status
    families = t("list_joiner").join(FAMILY_NAMES[f][lang] for f in diagnosis.families)
    rows = diagnosis.violations.head(8).iter_rows(named=True)
    detail = t("list_joiner").join(f"{FAMILY_NAMES[r['family']][lang]} {r['school'] or ''} {r['major'] or ''} {r['amount']:,.0f}"
                                   .replace("  ", " ") for r in rows)
    return t("plan_infeasible", families=families, detail=detail)


def plan_summary(plan: EnrolmentPlan) -> dict[str, Any]:
    """The plan as plain data (what `silian plan --json` prints)."""
    r = plan.result
    base = {"region_code": plan.region_code, "region_name": plan.region_name, "year": plan.year, "plan_year": plan.plan_year,
            "status": plan.status, "objective": r.objective, "bound": r.bound, "mip_gap": r.mip_gap,
            "seconds": {k: round(v, 4) for k, v in r.seconds.items()}, "size": r.size, "notes": plan.notes,
            "options": {k: v for k, v in plan.options.__dict__.items()}}
    if r.diagnosis is not None:
        base["diagnosis"] = {"families": list(r.diagnosis.families), "violations": r.diagnosis.violations.to_dicts()}
    if not r.feasible:
        return base
    columns = ["institution_code", "school_name", "major_code", "major_name", "class_name", "current", "planned", "change",
               "change_pct", "status", "binding", "reason"]
    columns += ["held", "phase_out", "schedule"]
    return {**base, "effect": plan.effect, "changes": plan.changes.select(columns).to_dicts(),
            "plan": plan.plan.select(columns).to_dicts(), "binding": plan.binding.to_dicts(),
            "majors": plan.majors.to_dicts(), "scenarios": plan.effect.get("scenarios", []),
            "limits": change_limits(plan)}


def change_limits(plan: EnrolmentPlan) -> dict[str, Any]:
    """What the yearly change limit let through: closures this year, phased closures (cut this year, the rest
    scheduled), offerings held for want of demand data, new offerings — each with the entrants concerned."""
    p = plan.plan
    if p.height == 0:
        return {}

    def count(frame: pl.DataFrame, column: str = "current") -> dict[str, float]:
        return {"offerings": frame.height, "entrants": float(frame[column].sum())}

    return {"entrants_now": float(p["current"].sum()),
            "closures": count(p.filter(pl.col("status") == "close")),
            "phase_outs": {**count(p.filter(pl.col("phase_out"))),
                           "entrants_plan": float(p.filter(pl.col("phase_out"))["planned"].sum())},
            "held_no_data": count(p.filter(pl.col("held"))),
            "new_offerings": count(p.filter(pl.col("status") == "open"), "planned"),
            "phase_closures": plan.options.phase_closures}
