"""The enrolment plan of the demo region: a plan is produced, every constraint holds, equipment
manufacturing grows while 会计 and 电子商务 shrink, every change has a reason, and the outputs render."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from silian.reports.plan_workbook import write_plan_xlsx
from silian.services.hub import HubSnapshot
from silian.services.planning.enrolment_plan import EnrolmentPlan, PlanOptions, plan_enrolment, plan_summary
from tests.support.demo import DemoTemplate, demo_snapshot


@pytest.fixture(scope="module")
def hub(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubSnapshot]:
    yield from demo_snapshot(demo_template, tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def plan(hub: HubSnapshot) -> EnrolmentPlan:
    return plan_enrolment(hub=hub)


def test_a_plan_is_produced_for_next_year(plan: EnrolmentPlan) -> None:
    assert plan.status == "optimal" and plan.result.feasible
    assert (plan.region_code, plan.year, plan.plan_year) == ("410100", 2024, 2025)
    assert plan.plan["institution_code"].n_unique() == 102
    assert plan.result.mip_gap <= 1e-3


def test_every_constraint_holds(plan: EnrolmentPlan) -> None:
    cons = plan.result.constraints
    assert cons.height > 0 and (cons["slack"] >= -1e-6).all()
    p = plan.plan
    opened = p.filter(pl.col("planned") > 0)
    # minimum cohort or zero, except offerings held for want of demand data and closures being phased out
    assert (opened.filter(~pl.col("held") & ~pl.col("phase_out"))["planned"] >= 30).all()
    kept = p.filter(pl.col("current") > 0)  # closures included: they count toward the yearly change limit
    step = (kept["current"] * 0.2).clip(lower_bound=30)  # ±20 %, at least 30 students
    assert (kept["planned"] <= kept["current"] + step + 1e-6).all()
    assert (kept["planned"] >= kept["current"] - step - 1e-6).all()
    new = opened.filter(pl.col("current") == 0)
    assert (new["planned"] <= 60).all()  # a first cohort of at most twice the minimum
    assert p["planned"].sum() >= p["current"].sum()  # the 中职 total does not fall (职普 ratio)
    assert p["planned"].sum() <= p["current"].sum() * 1.10


def test_equipment_manufacturing_grows_and_accounting_and_ecommerce_shrink(plan: EnrolmentPlan) -> None:
    totals = plan.plan.group_by("major_code").agg(pl.col("current", "planned").sum())
    by_code = {r["major_code"]: (r["current"], r["planned"]) for r in totals.iter_rows(named=True)}
    for code in ("730301", "730701"):  # 会计事务, 电子商务
        assert by_code[code][1] < by_code[code][0], code
    equipment = totals.filter(pl.col("major_code").str.starts_with("66"))
    assert equipment["planned"].sum() > equipment["current"].sum() * 1.3
    for code in ("660301", "660302", "660105"):  # 机电技术应用, 电气设备运行与控制, 焊接技术应用
        assert by_code[code][1] > by_code[code][0], code


def test_every_change_has_a_reason_and_the_effect_is_predicted(plan: EnrolmentPlan) -> None:
    changes = plan.changes
    assert changes.height > 0 and changes["reason"].str.len_chars().min() > 0
    assert changes.filter(pl.col("status") == "close")["reason"].str.contains("停招").all()
    grown = changes.filter(pl.col("status") == "grow", pl.col("major_code") == "660301")
    assert grown["reason"].str.contains("缺口").all()
    e = plan.effect
    assert e["gap_abs_plan"] < e["gap_abs_now"]
    assert e["duncan_plan"] < e["duncan_now"]
    assert 0 < e["coupling_D_now"] < 1 and 0 < e["coupling_D_plan"] < 1
    assert plan.binding["family"].is_in(["change_up", "min_cohort", "capacity", "total_min"]).any()


def test_majors_without_demand_evidence_are_held_never_cut_or_closed(plan: EnrolmentPlan) -> None:
    silent = plan.majors.filter(~pl.col("has_demand"))["major_code"].to_list()
    assert "710102" in silent  # 物联网技术应用: no source has demand for its occupations
    offerings = plan.plan.filter(pl.col("major_code").is_in(silent) & (pl.col("current") > 0))
    assert offerings.height > 0 and (offerings["planned"] == offerings["current"]).all() and offerings["held"].all()
    assert offerings["reason"].str.contains("无需求数据").all()


def test_closures_are_phased_within_the_yearly_change_limit(plan: EnrolmentPlan) -> None:
    closed = plan.plan.filter(pl.col("status") == "close")
    assert (closed["current"] <= 30).all()  # only cohorts the yearly step (max(20 %, 30)) can take to 0
    phased = plan.plan.filter(pl.col("phase_out"))
    assert phased.height > 0 and (phased["planned"] == phased["current"] - 30).all()
    assert phased["schedule"].list.last().eq(0).all() and phased["reason"].str.contains("分年").all()
    limits = plan_summary(plan)["limits"]
    assert limits["closures"]["offerings"] == closed.height and limits["phase_outs"]["offerings"] == phased.height


def test_the_plan_is_judged_in_each_demand_scenario(plan: EnrolmentPlan) -> None:
    scenarios = plan_summary(plan)["scenarios"]
    assert [s["scenario"] for s in scenarios] == ["low", "point", "high"]
    assert sum(s["weight"] for s in scenarios) == pytest.approx(1)
    assert scenarios[0]["demand"] < scenarios[1]["demand"] < scenarios[2]["demand"]
    assert all(s["gap_abs_plan"] < s["gap_abs_now"] for s in scenarios)


def test_summary_and_workbook(plan: EnrolmentPlan, tmp_path: Path) -> None:
    summary = plan_summary(plan)
    assert summary["status"] == "optimal" and summary["changes"] and summary["effect"]["duncan_plan"] > 0
    path = write_plan_xlsx(plan, tmp_path / "plan.xlsx")
    assert pl.read_excel(path, sheet_name="变化 changes").height == plan.changes.height
    assert pl.read_excel(path, sheet_name="情景 scenarios")["scenario"].to_list() == ["low", "point", "high"]


def test_an_impossible_total_is_explained(hub: HubSnapshot) -> None:
    plan = plan_enrolment(hub=hub, options=PlanOptions(total_bounds=(1.6, 1.7), open_new=False))
    assert plan.status == "infeasible" and plan.result.diagnosis is not None
    assert "total_min" in plan.result.diagnosis.families
    assert "无可行招生计划" in plan.notes[-1]
