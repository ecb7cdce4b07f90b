"""The plan as a bureau reads it: one row per offering with its status, the binding constraints and a reason
per change (:func:`plan_frame`), and the binding constraints named in the user's language (:func:`binding_table`)."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.analytics import enrolment_plan as ep
from silian.domain.messages import current_lang, register_messages, t
from silian.services.planning.plan_inputs import PlanInputs

register_messages(
    {
        "plan_grow_new": (
            "缺口 {gap:,.0f} 人，新开专业（本校已开同类专业）",
            "Shortage of {gap:,.0f}: open the major (the school teaches its class)",
        ),
        "plan_grow_cap": (
            "缺口 {gap:,.0f} 人，扩招至产能上限",
            "Shortage of {gap:,.0f}: grow to the school's capacity",
        ),
        "plan_grow_step": (
            "缺口 {gap:,.0f} 人，扩招至年度调整上限",
            "Shortage of {gap:,.0f}: grow by the largest yearly step",
        ),
        "plan_grow": ("缺口 {gap:,.0f} 人，扩招 {n:,.0f} 人", "Shortage of {gap:,.0f}: grow by {n:,.0f}"),
        "plan_grow_cohort": (
            "班额不足，补足至最小班额 {cohort:,.0f} 人",
            "Cohort too small: raised to the minimum of {cohort:,.0f}",
        ),
        "plan_grow_total": (
            "为满足中职招生总量（职普比）下限而扩招",
            "Grown to meet the lower bound on the 中职 total (职普 ratio)",
        ),
        "plan_close_small": (
            "低于最小班额 {cohort:,.0f} 人，停招",
            "Below the minimum cohort of {cohort:,.0f}: stop enrolling",
        ),
        "plan_close_surplus": ("供给过剩 {pct:.0%}，停招", "Surplus of {pct:.0%} of supply: stop enrolling"),
        "plan_close_forced": ("按指定停招", "Closed as instructed"),
        "plan_cut_cohort": (
            "供给过剩 {pct:.0%}，压减至最小班额",
            "Surplus of {pct:.0%} of supply: cut to the minimum cohort",
        ),
        "plan_cut_step": (
            "供给过剩 {pct:.0%}，按年度调整上限压减",
            "Surplus of {pct:.0%} of supply: cut by the largest yearly step",
        ),
        "plan_cut": ("供给过剩 {pct:.0%}，压减 {n:,.0f} 人", "Surplus of {pct:.0%} of supply: cut by {n:,.0f}"),
        "plan_cut_capacity": ("学校招生超出办学能力，压减", "The school enrols beyond its capacity: cut"),
        "plan_cut_total": ("为满足中职招生总量上限而压减", "Cut to meet the upper bound on the 中职 total"),
        "plan_shift": ("调剂：本校其他专业缺口更大", "Shifted: other majors of the school have larger shortages"),
        "plan_same": ("维持", "Unchanged"),
        "plan_held": ("无需求数据（任何来源均无），维持今年招生，不压减、不停招",
                      "No demand evidence from any source: held at this year's size, neither cut nor closed"),
        "plan_phase_out": (
            "停招分年实施：受年度调整上限约束，今年减至 {planned:,.0f} 人，此后 {schedule}",
            "Closure phased within the yearly change limit: {planned:,.0f} this year, then {schedule}",
        ),
        "plan_phase_step": ("{year} 年 {n:,.0f} 人", "{n:,.0f} in {year}"),
    }
)
FAMILY_NAMES = {"capacity": ("办学能力", "capacity"), "change_up": ("年度扩招上限", "maximum yearly increase"),
                "change_down": ("年度压减上限", "maximum yearly cut"), "min_cohort": ("最小班额", "minimum cohort"),
                "keep": ("保留（不得停招）", "keep open"), "close": ("指定停招", "forced closure"),
                "total_min": ("中职总量下限（职普比）", "lower bound on the 中职 total"),
                "total_max": ("中职总量上限（职普比）", "upper bound on the 中职 total")}


def plan_frame(inputs: PlanInputs, problem: ep.EnrolmentProblem, result: ep.PlanResult) -> pl.DataFrame:
    """One row per offering: names, current, planned, change, status, binding families and the reason."""
    plan = inputs.pairs.with_columns(pl.Series("planned", result.enrolment)).with_columns(
        (pl.col("planned") - pl.col("current")).alias("change"))
    cons = result.constraints.filter(pl.col("binding"))
    pair_bind = cons.filter(pl.col("major").is_not_null()).group_by("school", "major").agg(pl.col("family").alias("binding"))
    school_bind = set(cons.filter(pl.col("family") == "capacity")["school"].to_list())
    totals = set(cons.filter(pl.col("family").str.starts_with("total"))["family"].to_list())
    names = inputs.majors_used.select("major_code", "major_name", "class_code", "class_name", "gap", "gap_ratio")
    plan = (
        plan.join(inputs.schools_used, on="institution_code", how="left")
        .join(names, on="major_code", how="left")
        .join(
            pair_bind.rename({"school": "institution_code", "major": "major_code"}),
            on=["institution_code", "major_code"],
            how="left",
        )
        .with_columns(pl.col("binding").fill_null([]))
    )
    pairs = zip(problem.pair_school, problem.pair_major, problem.force_close, strict=True)
    closed = {(problem.schools[s], problem.majors[m]) for s, m, f in pairs if f}
    index = {(problem.schools[s], problem.majors[m]): i for i, (s, m) in enumerate(zip(problem.pair_school, problem.pair_major,
                                                                                          strict=True))}
    held, phased = problem.held(), problem.phased()
    status, reasons, binding, held_col, phase_col, schedules = [], [], [], [], [], []
    for r in plan.iter_rows(named=True):
        i = index[(r["institution_code"], r["major_code"])]
        fams = list(r["binding"]) + (["capacity"] if r["institution_code"] in school_bind else [])
        # a phase-out: a closable pair held to its yearly step on its way to 0 (below the minimum cohort)
        phase_out = bool(phased[i]) and 0 < r["planned"] < inputs.o.min_cohort
        schedule = problem.phase_out_schedule(r["planned"], r["current"]) if phase_out else []
        status.append(_status(r))
        if held[i]:
            reasons.append(t("plan_held"))
        elif phase_out:
            steps = t("list_joiner").join(t("plan_phase_step", year=inputs.year + 2 + k, n=n) for k, n in enumerate(schedule))
            reasons.append(t("plan_phase_out", planned=r["planned"], schedule=steps))
        else:
            reasons.append(_reason(inputs, r, fams + sorted(totals), (r["institution_code"], r["major_code"]) in closed))
        binding.append(fams)
        held_col.append(bool(held[i]))
        phase_col.append(phase_out)
        schedules.append(schedule)
    return plan.with_columns(pl.Series("status", status), pl.Series("reason", reasons),
                             pl.Series("binding", binding, dtype=pl.List(pl.String)),
                             pl.Series("held", held_col, dtype=pl.Boolean), pl.Series("phase_out", phase_col, dtype=pl.Boolean),
                             pl.Series("schedule", schedules, dtype=pl.List(pl.Float64)),
                             pl.when(pl.col("current") > 0).then(pl.col("change") / pl.col("current")).alias("change_pct")
                             ).sort("institution_code", "major_code")

def _reason(inputs: PlanInputs, r: dict[str, Any], fams: list[str], forced: bool) -> str:
    gap, ratio, cohort, change = r["gap"] or 0.0, -(r["gap_ratio"] or 0.0), inputs.o.min_cohort, r["change"]
    if change > 0:
        if r["current"] == 0:
            return t("plan_grow_new", gap=gap)
        if gap <= 0:
            if r["planned"] <= cohort and r["current"] < cohort:
                return t("plan_grow_cohort", cohort=cohort)
            return t("plan_grow_total") if "total_min" in fams else t("plan_grow", gap=max(gap, 0.0), n=change)
        if "capacity" in fams:
            return t("plan_grow_cap", gap=gap)
        return t("plan_grow_step", gap=gap) if "change_up" in fams else t("plan_grow", gap=gap, n=change)
    if change < 0:
        if r["planned"] == 0:
            if forced:
                return t("plan_close_forced")
            return t("plan_close_small", cohort=cohort) if r["current"] < cohort else t("plan_close_surplus", pct=ratio)
        if gap < 0:
            if "min_cohort" in fams:
                return t("plan_cut_cohort", pct=ratio)
            return t("plan_cut_step", pct=ratio) if "change_down" in fams else t("plan_cut", pct=ratio, n=-change)
        if "capacity" in fams:
            return t("plan_cut_capacity")
        return t("plan_cut_total") if "total_max" in fams else t("plan_shift")
    return t("plan_same")


def _status(r: dict[str, Any]) -> str:
    if r["change"] == 0:
        return "unchanged"
    if r["current"] == 0:
        return "open"
    if r["planned"] == 0:
        return "close"
    return "grow" if r["change"] > 0 else "cut"


def binding_table(result: ep.PlanResult, inputs: PlanInputs) -> pl.DataFrame:
    """Binding constraints with the family's name in the user's language and school and major names."""
    lang = 1 if current_lang.get() == "en" else 0
    names = {f: v[lang] for f, v in FAMILY_NAMES.items()}
    schools = inputs.schools_used.select(pl.col("institution_code").alias("school"), "school_name")
    majors = inputs.majors_used.select(pl.col("major_code").alias("major"), "major_name")
    return (result.constraints.filter(pl.col("binding"))
            .with_columns(pl.col("family").replace_strict(names, default=None).alias("constraint"))
            .join(schools, on="school", how="left").join(majors, on="major", how="left")
            .select("family", "constraint", "school", "school_name", "major", "major_name", "value", "bound", "slack"))
