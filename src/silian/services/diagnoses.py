"""Three of the four diagnoses as services: 断头路 (pathways), 散缺小 (school standards and consolidation),
大工匠难育 (skill levels). 供需链难畅 is in ``supply_demand``. Each returns tables and short findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from silian.analytics import pathways, schools, skills
from silian.catalog import Catalog
from silian.domain.messages import register_messages, t
from silian.domain.vocab import SCHOOL_LEVELS
from silian.services.config import AnalysisConfig
from silian.services.hub import HubSnapshot
from silian.services.school_standards import StandardsFile, school_standards

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
        "sc_finding_setting": (
            (
                "{year} 年 {schools} 所中职层次学校（{levels}）各按本类型的设置标准：{met} 所达到、{not_met} 所未达到{rest}；"
                "最常见的未达项：{top}"
            ),
            (
                "{year}: {schools} 中职-level schools ({levels}), each judged by its own type's setting standard: "
                "{met} meet it, {not_met} do not{rest}; most common failures: {top}"
            ),
        ),
        "sc_finding_monitoring": (
            "办学条件达标监测（教职成〔2022〕5号重点监测指标）：{met} 所全部达标、{not_met} 所未达标{rest}；最常见的未达项：{top}",
            (
                "达标 monitoring (key indicators of 教职成〔2022〕5号): {met} schools meet every key indicator, "
                "{not_met} do not{rest}; most common failures: {top}"
            ),
        ),
        "sc_rest_partial": (
            "，{n} 所仅能部分核定（该类标准部分重点指标未入库）",
            ", {n} only partly checked (some key indicators of their standard are not on file)",
        ),
        "sc_rest_no_data": ("，{n} 所缺数据无法判定", ", {n} cannot be judged for missing figures"),
        "sc_rest_no_standard": ("，{n} 所无适用标准", ", {n} have no standard on file"),
        "sc_finding_not_assessed": (
            "{level} {n} 所未作判定（{why}）",
            "{n} {level} schools are not judged ({why})",
        ),
        "sc_why_joiner": ("；", "; "),
        "sc_why_colon": ("：", ": "),
        "sc_finding_small": (
            "{n} 个专业在 {schools} 所学校重复开设且每校招生不足 {limit} 人",
            "{n} majors are offered by {schools} schools with under {limit} entrants each",
        ),
        "sc_finding_sim": (
            (
                "模拟“{plan}”：达到设置标准的学校 {setting_before}/{n_before} → {setting_after}/{n_after}；"
                "达标监测全部达标 {monitoring_before}/{n_before} → {monitoring_after}/{n_after}；"
                "在无不达标项学校就读的学生 {share_before:.1%} → {share_after:.1%}"
            ),
            (
                "Simulation '{plan}': schools meeting the setting standard {setting_before}/{n_before} → "
                "{setting_after}/{n_after}; meeting every 达标 indicator {monitoring_before}/{n_before} → "
                "{monitoring_after}/{n_after}; students in schools with no failed item {share_before:.1%} → "
                "{share_after:.1%}"
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
        "check_majors": ("开设专业数", "majors offered"),
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
    """散缺小 in ``year``: ``compliance`` has one row per 中职-level school with both verdicts (see
    ``analytics.schools.compliance``); ``standards`` is the standards file they were judged by;
    ``not_assessed`` counts the other schools with students by level (no standard on file)."""

    year: int
    compliance: pl.DataFrame
    summary: dict[str, int]
    small_cohorts: pl.DataFrame
    simulations: list[dict[str, object]]
    findings: list[str] = field(default_factory=list)
    standards: StandardsFile | None = None
    not_assessed: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SkillsResult:
    year: int
    balance: pl.DataFrame
    trend: pl.DataFrame
    findings: list[str] = field(default_factory=list)


def analyse_pathways(hub: HubSnapshot, catalog: Catalog, year: int, offered_by: HubSnapshot | None = None) -> PathwaysResult:
    """断头路 in ``year``: the funnel over all years and the 中职 majors without local continuation. ``offered_by``:
    the hub whose 高职 offerings count as local continuation when it is wider than ``hub`` (a county's students
    continue anywhere in their city, so a county's dead ends are judged against the city's offerings)."""
    points = pathways.with_school_level(hub["major_points"], hub["institutions"])
    funnel = pathways.funnel(points)
    names = catalog.major_names
    offered = points
    if offered_by is not None:
        wider = pathways.with_school_level(offered_by["major_points"], offered_by["institutions"])
        offered = pl.concat([points.filter(pl.col("level_key") == "secondary"),
                             wider.filter(pl.col("level_key") != "secondary")], how="diagonal_relaxed")
    seats = pathways.continuation_seats(offered, catalog.continuations, year).with_columns(
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
    """散缺小 in ``year``: every 中职-level school against its own type's 设置标准 and 达标 monitoring (two
    verdicts), duplicated small cohorts, consolidation plans."""
    file = school_standards(config)
    standards = file.for_analysis()
    profile = schools.school_profile(hub["institutions"], hub["institution_resources"], hub["major_points"], year)
    result = schools.compliance(profile, standards)
    summary = schools.compliance_summary(result)
    not_assessed = _not_assessed(hub, year)
    summary["not_assessed"] = sum(not_assessed.values())
    limits = config.section("small_cohorts")
    small = schools.small_cohorts(
        hub["major_points"],
        hub["institutions"],
        year,
        max_enrolment=int(limits.get("max_enrolment", 40)),
        min_schools=int(limits.get("min_schools", 2)),
    )
    simulations = []
    for name, merges in (default_plans(result) if plans is None else plans).items():
        added = {next(iter(merges)): {"land_area_m2": PARK_CAMPUS_M2}} if name == t("plan_park") and merges else None
        after = schools.compliance(schools.consolidate(profile, merges, added), standards)
        simulations.append({"plan": name, "merges": {k: list(v) for k, v in merges.items()},
                            "before": summary, "after": schools.compliance_summary(after)})
    findings = _school_findings(result, summary, file, not_assessed, year)
    if small.height:
        findings.append(t("sc_finding_small", n=small.height, schools=int(small["schools"].sum()), limit=limits.get("max_enrolment", 40)))
    for sim in simulations:
        b, a = sim["before"], sim["after"]
        assert isinstance(b, dict) and isinstance(a, dict)
        findings.append(t("sc_finding_sim", plan=sim["plan"], n_before=b["schools"], n_after=a["schools"],
                          setting_before=b["setting_met"], setting_after=a["setting_met"],
                          monitoring_before=b["monitoring_met"], monitoring_after=a["monitoring_met"],
                          share_before=b["students_in_compliant"] / max(b["students"], 1),
                          share_after=a["students_in_compliant"] / max(a["students"], 1)))
    return SchoolsResult(year=year, compliance=result, summary=summary, small_cohorts=small, simulations=simulations,  # type: ignore[arg-type]
                         findings=findings, standards=file, not_assessed=not_assessed)


def _not_assessed(hub: HubSnapshot, year: int) -> dict[str, int]:
    """Schools with students in ``year`` outside the 中职 level (高职专科, 职业本科), by level."""
    active = hub["major_points"].filter((pl.col("year") == year) & (pl.col("students") > 0))["institution_code"].unique()
    others = hub["institutions"].filter(pl.col("code").is_in(active.to_list()) & ~pl.col("level").is_in(schools.SECONDARY_LEVELS))
    return _by_level(others)


def _by_level(frame: pl.DataFrame) -> dict[str, int]:
    """Rows of ``frame`` per ``level``, in the vocabulary's order (中职, 技工学校, 高职专科, 职业本科, then others)."""
    counts = dict(frame.group_by("level").len().iter_rows())
    order = list(SCHOOL_LEVELS)
    return {lv: int(counts[lv]) for lv in sorted(counts, key=lambda lv: (order.index(lv) if lv in order else len(order), lv))}


def _school_findings(result: pl.DataFrame, summary: dict[str, int], file: StandardsFile, not_assessed: dict[str, int],
                     year: int) -> list[str]:
    """One finding per regime (its own counts and most common failures) and one per type not judged."""
    levels = t("list_joiner").join(f"{level} {n}" for level, n in _by_level(result).items())
    findings = []
    for regime in schools.REGIMES:
        rest = "".join(t(f"sc_rest_{v}", n=summary[f"{regime}_{v}"])
                       for v in (schools.PARTIAL, schools.NO_DATA, schools.NO_STANDARD) if summary[f"{regime}_{v}"])
        prefix = f"{regime}_fail_"
        fails = sorted(((k[len(prefix):], v) for k, v in summary.items() if k.startswith(prefix) and v), key=lambda kv: -kv[1])[:3]
        top = t("list_joiner").join(f"{t('check_' + k)} {v}" for k, v in fails) or "—"
        findings.append(t(f"sc_finding_{regime}", year=year, schools=summary["schools"], levels=levels,
                          met=summary[f"{regime}_met"], not_met=summary[f"{regime}_not_met"], rest=rest, top=top))
    for level, n in not_assessed.items():
        why = t("sc_why_joiner").join(f"{t('std_regime_' + r)}{t('sc_why_colon')}{file.why_none(level, r).rstrip('。.')}"
                                      for r in schools.REGIMES)
        findings.append(t("sc_finding_not_assessed", level=level, n=n, why=why))
    return findings


def analyse_skills(hub: HubSnapshot, config: AnalysisConfig, year: int) -> SkillsResult:
    """大工匠难育 in ``year``: demand by skill level against certificates, and the high-skill trend."""
    high = list(config.section("skills").get("high_levels", ["高级工", "技师", "高级技师"]))
    balance = skills.skill_balance(hub["demand"], hub["major_points"], year, high)
    trend = skills.high_skill_trend(hub["demand"], hub["major_points"], high)
    graded = balance.filter(pl.col("high_skill"))
    findings = [t("sk_finding", year=year, levels=t("list_joiner").join(high), demand=float(graded["demand_share"].sum()),
                  supply=float(graded["supply_share"].sum()))]
    return SkillsResult(year=year, balance=balance, trend=trend, findings=findings)
