"""Three of the four diagnoses as services: 断头路 (pathways), 散缺小 (school standards and consolidation),
大工匠难育 (skill levels). 供需链难畅 is in ``supply_demand``. Each returns tables and short findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from silian.analytics import pathways, schools, skills
from silian.catalog import Catalog
from silian.domain.messages import register_messages, t
from silian.services.config import AnalysisConfig
from silian.services.hub import HubSnapshot

register_messages(
    {
        "pw_finding_rate": (
            (
                "{year} 年中职毕业生 {graduates:,} 人，升学 {continued:,} 人（升学率 {rate:.1%}）；当年高职专"
                "科招生 {associate:,} 人、职业本科招生 {bachelor:,} 人"
            ),
            (
                "{year}: {graduates:,} 中职 graduates, {continued:,} continued ({rate:.1%"
                "}); 专科 enrolment {associate:,}, 职业本科 enrolment {bachelor:,}"
            ),
        ),
        "pw_finding_dead_ends": (
            "{n} 个中职专业在本地没有任何接续高职专科专业（断头路）：{names}；涉及升学需求约 {seats:,.0f} 个学位",
            "{n} 中职 majors have no local 专科 continuation (dead ends): {names}; about {seats:,.0f} seats missing",
        ),
        "pw_finding_none": (
            "所有在办中职专业在本地都有接续高职专科专业",
            "Every 中职 major offered has a local 专科 continuation",
        ),
        "sc_finding": (
            "{year} 年 {schools} 所中职学校中 {compliant} 所全部达标；最常见的不达标项：{top}",
            "{year}: {compliant} of {schools} 中职 schools meet every standard; most common failures: {top}",
        ),
        "sc_finding_small": (
            "{n} 个专业在 {schools} 所学校重复开设且每校招生不足 {limit} 人",
            "{n} majors are offered by {schools} schools with under {limit} entrants each",
        ),
        "sc_finding_sim": (
            (
                "模拟“{plan}”：达标学校 {before}/{n_before} → {after}/{n_after}；在达标学校就读的学生 {sh"
                "are_before:.1%} → {share_after:.1%}"
            ),
            (
                "Simulation '{plan}': compliant schools {before}/{n_before} → {after}/{"
                "n_after}; students in compliant schools {share_before:.1%} → {share_af"
                "ter:.1%}"
            ),
        ),
        "sk_finding": (
            "{year} 年高技能（{levels}）需求占比 {demand:.1%}，学校高级工及以上证书占比 {supply:.1%}",
            "{year}: high-skill ({levels}) share of demand {demand:.1%}, of certificates awarded {supply:.1%}",
        ),
        "plan_county": (
            "县域整合：各县不达标公办学校并入本县规模最大的公办学校",
            "County consolidation: non-compliant public schools merge into their county's largest public school",
        ),
        "plan_park": (
            "职教园区：园区内学校合并为一所，新增校园 1,036 亩",
            "Vocational park: the park's schools merge into one with a new 1,036-mu campus",
        ),
        "check_students": ("在校生规模", "students"),
        "check_teachers": ("专任教师数", "teachers"),
        "check_student_teacher_ratio": ("生师比", "student–teacher ratio"),
        "check_major_teacher_share": ("专业课教师占比", "major-subject teacher share"),
        "check_dual_share": ("双师型比例", "dual-qualified share"),
        "check_campus": ("占地面积", "campus area"),
        "check_buildings": ("校舍面积", "building area"),
        "check_equipment": ("仪器设备值", "equipment value"),
        "check_books": ("生均图书", "books per student"),
    }
)


@dataclass(frozen=True)
class PathwaysResult:
    year: int
    funnel: pl.DataFrame
    seats: pl.DataFrame
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SchoolsResult:
    year: int
    compliance: pl.DataFrame
    summary: dict[str, int]
    small_cohorts: pl.DataFrame
    simulations: list[dict[str, object]]
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkillsResult:
    year: int
    balance: pl.DataFrame
    trend: pl.DataFrame
    findings: list[str] = field(default_factory=list)


def analyse_pathways(hub: HubSnapshot, catalog: Catalog, year: int) -> PathwaysResult:
    """断头路 in ``year``: the funnel over all years and the 中职 majors without local continuation."""
    points = pathways.with_school_level(hub["major_points"], hub["institutions"])
    funnel = pathways.funnel(points)
    names = catalog.major_names
    seats = pathways.continuation_seats(points, catalog.continuations, year).with_columns(
        pl.col("major_code").replace_strict(names, default=None).alias("major_name"))
    findings = []
    now = funnel.filter(pl.col("year") == year)
    if now.height:
        r = now.row(0, named=True)
        findings.append(t("pw_finding_rate", year=year, graduates=int(r["secondary_graduates"]),
                          continued=int(r["secondary_continued"]), rate=r["secondary_progression_rate"] or 0.0,
                          associate=int(r["associate_enrolment"]), bachelor=int(r["bachelor_enrolment"])))
    dead = seats.filter(pl.col("dead_end"))
    findings.append(
        t(
            "pw_finding_dead_ends",
            n=dead.height,
            names=t("list_joiner").join(dead["major_name"].fill_null("?").to_list()),
            seats=float(dead["missing_seats"].sum()),
        )
        if dead.height
        else t("pw_finding_none")
    )
    return PathwaysResult(year=year, funnel=funnel, seats=seats, findings=findings)


PARK_CAMPUS_M2 = 1036 * 10000 / 15  # 职教园区规划 1,036 亩 (published plan; 1 亩 = 10000/15 m²)


def default_plans(compliance: pl.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Two consolidation plans: county consolidation and the vocational park (see messages plan_*)."""
    county: dict[str, list[str]] = {}
    public = compliance.filter(pl.col("affiliation") != "民办")
    for (county_code,), group in public.group_by("county_code"):
        biggest = group.sort("students", descending=True)["institution_code"][0]
        weak = group.filter(~pl.col("compliant") & (pl.col("institution_code") != biggest))["institution_code"].to_list()
        if weak:
            county[biggest] = weak
    park = compliance.filter(pl.col("in_vocational_park").fill_null(False)).sort("students", descending=True)
    plans = {t("plan_county"): county}
    if park.height >= 2:
        plans[t("plan_park")] = {park["institution_code"][0]: park["institution_code"][1:].to_list()}
    return plans


def analyse_schools(hub: HubSnapshot, config: AnalysisConfig, year: int,
                    plans: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> SchoolsResult:
    """散缺小 in ``year``: compliance of every 中职 school, duplicated small cohorts, consolidation plans."""
    standards = config.section("school_standards")
    profile = schools.school_profile(hub["institutions"], hub["institution_resources"], hub["major_points"], year)
    result = schools.compliance(profile, standards)
    summary = schools.compliance_summary(result)
    limits = config.section("small_cohorts")
    small = schools.small_cohorts(
        hub["major_points"],
        hub["institutions"],
        year,
        max_enrolment=int(limits.get("max_enrolment", 40)),
        min_schools=int(limits.get("min_schools", 2)),
    )
    simulations = []
    for name, merges in (plans or default_plans(result)).items():
        added = {next(iter(merges)): {"land_area_m2": PARK_CAMPUS_M2}} if name == t("plan_park") and merges else None
        after = schools.compliance(schools.consolidate(profile, merges, added), standards)
        simulations.append({"plan": name, "merges": {k: list(v) for k, v in merges.items()},
                            "before": summary, "after": schools.compliance_summary(after)})
    fails = sorted(((k[5:], v) for k, v in summary.items() if k.startswith("fail_") and v), key=lambda kv: -kv[1])[:3]
    findings = [t("sc_finding", year=year, schools=summary["schools"], compliant=summary["compliant"],
                  top=t("list_joiner").join(f"{t('check_' + k)} {v}" for k, v in fails) or "—")]
    if small.height:
        findings.append(t("sc_finding_small", n=small.height, schools=int(small["schools"].sum()), limit=limits.get("max_enrolment", 40)))
    for sim in simulations:
        b, a = sim["before"], sim["after"]
        findings.append(t("sc_finding_sim", plan=sim["plan"], before=b["compliant"], n_before=b["schools"],  # type: ignore[index]
                          after=a["compliant"], n_after=a["schools"],  # type: ignore[index]
                          share_before=b["students_in_compliant"] / max(b["students"], 1),  # type: ignore[index]
                          share_after=a["students_in_compliant"] / max(a["students"], 1)))  # type: ignore[index]
    return SchoolsResult(year=year, compliance=result, summary=summary, small_cohorts=small, simulations=simulations,  # type: ignore[arg-type]
                         findings=findings)


def analyse_skills(hub: HubSnapshot, config: AnalysisConfig, year: int) -> SkillsResult:
    """大工匠难育 in ``year``: demand by skill level against certificates, and the high-skill trend."""
    high = list(config.section("skills").get("high_levels", ["高级工", "技师", "高级技师"]))
    balance = skills.skill_balance(hub["demand"], hub["major_points"], year, high)
    trend = skills.high_skill_trend(hub["demand"], hub["major_points"], high)
    graded = balance.filter(pl.col("high_skill"))
    findings = [t("sk_finding", year=year, levels=t("list_joiner").join(high), demand=float(graded["demand_share"].sum()),
                  supply=float(graded["supply_share"].sum()))]
    return SkillsResult(year=year, balance=balance, trend=trend, findings=findings)
