"""断头路, 散缺小 and 大工匠难育 on hand-checkable data."""

from __future__ import annotations

import polars as pl
import pytest

from silian.analytics import pathways, schools, skills
from silian.services.config import analysis_config
from silian.services.school_standards import school_standards
from silian.settings import Settings

SCHOOLS = pl.DataFrame({"code": ["m1", "m2", "a1"], "level": ["中职", "技工学校", "高职专科"], "name": ["一中专", "二技校", "一职院"],
                        "county_code": ["410102", "410102", "410103"], "affiliation": ["市属", "市属", "省属"],
                        "in_vocational_park": [False, False, False]})
POINTS = pl.DataFrame({
    "institution_code": ["m1", "m1", "m2", "a1", "a1"], "major_code": ["X", "Y", "X", "TX", "T0"],
    "year": [2024] * 5, "enrolment": [30, 20, 25, 100, 50], "students": [90, 60, 70, 300, 150],
    "graduates": [30, 20, 20, 90, 40], "continued": [12, 10, None, 5, 0],
})
CONT = pl.DataFrame({"source_level": ["中等职业教育"] * 3, "source_code": ["X", "Y", "Y"],
                     "target_level": ["高等职业教育专科"] * 3, "target_code": ["TX", "TY1", "TY2"],
                     "target_name": ["接续X", "接续Y1", "接续Y2"]})


def test_funnel_and_dead_ends() -> None:
    points = pathways.with_school_level(POINTS, SCHOOLS)
    funnel = pathways.funnel(points).row(0, named=True)
    assert funnel["secondary_graduates"] == 70 and funnel["secondary_continued"] == 22
    assert funnel["associate_enrolment"] == 150
    seats = pathways.continuation_seats(points, CONT, 2024)
    y = seats.filter(pl.col("major_code") == "Y").row(0, named=True)
    assert y["dead_end"] and y["targets"] == 2 and y["targets_offered"] == 0 and y["missing_seats"] == 10
    assert sorted(y["targets_not_offered"]) == ["接续Y1", "接续Y2"]
    x = seats.filter(pl.col("major_code") == "X").row(0, named=True)
    # m2 did not report `continued`: its graduates × the reported rate (22/50) are added
    assert not x["dead_end"] and x["local_seats"] == 100
    assert x["continuing"] == pytest.approx(12 + 20 * 22 / 50)


STANDARDS = school_standards(analysis_config(Settings())).for_analysis()  # the vendored file: 中职 and 技工学校


def profile() -> pl.DataFrame:
    return pl.DataFrame({
        "institution_code": ["ok", "small", "nodata"], "name": ["达标校", "小校", "缺数校"], "county_code": ["c"] * 3,
        "level": ["中职"] * 3, "major_codes": [["A", "B", "C"], ["A"], ["B", "D"]], "majors": [3, 1, 2],
        "students": [2000, 800, 1500], "enrolment": [700, 300, 500],
        "land_area_m2": [70000.0, 20000.0, None], "building_area_m2": [45000.0, 9000.0, 40000.0],
        "equipment_value_10k": [600.0, 150.0, 500.0], "books": [70000, 20000, 50000], "teachers": [100, 45, 80],
        "major_teachers": [60, 20, 50], "dual_teachers": [20, 5, 20], "enterprise_part_time": [5, 0, 3],
        "training_stations": [500, 100, 300], "affiliation": ["市属"] * 3, "in_vocational_park": [False] * 3,
    })


def test_compliance_names_every_failed_and_missing_check() -> None:
    result = schools.compliance(profile(), STANDARDS)
    by = {r["institution_code"]: r for r in result.iter_rows(named=True)}
    assert by["ok"]["compliant"] and by["ok"]["failed"] == []
    assert set(by["small"]["failed"]) == {"students", "teachers", "major_teacher_share", "campus", "buildings",
                                          "equipment", "books", "dual_share"}
    assert by["nodata"]["missing"] == ["campus"] and not by["nodata"]["compliant"]
    assert by["nodata"]["setting_verdict"] == by["nodata"]["monitoring_verdict"] == "no_data"
    assert by["small"]["setting_verdict"] == by["small"]["monitoring_verdict"] == "not_met"
    # the 达标 monitoring has neither a student count nor teacher shares
    assert set(by["small"]["monitoring_failed"]) == {"teachers", "campus", "buildings", "equipment", "books"}
    summary = schools.compliance_summary(result)
    assert summary["compliant"] == 1 and summary["students_in_compliant"] == 2000 and summary["fail_students"] == 1
    assert summary["setting_met"] == summary["monitoring_met"] == 1 and summary["setting_no_data"] == 1


def test_consolidation_adds_up_resources_and_can_add_a_campus() -> None:
    merged = schools.consolidate(profile(), {"ok": ["small"]}, {"ok": {"land_area_m2": 1000.0}})
    assert merged.height == 2
    ok = merged.filter(pl.col("institution_code") == "ok").row(0, named=True)
    assert ok["students"] == 2800 and ok["teachers"] == 145 and ok["land_area_m2"] == 91000.0
    both = schools.consolidate(profile(), {"small": ["nodata"]}).filter(pl.col("institution_code") == "small")
    assert both["major_codes"][0].to_list() == ["A", "B", "D"] and both["majors"][0] == 3  # the union of majors
    after = schools.compliance_summary(schools.compliance(merged, STANDARDS))
    assert after["schools"] == 2 and after["students"] == 4300


def test_small_duplicated_cohorts() -> None:
    small = schools.small_cohorts(POINTS, SCHOOLS, 2024, max_enrolment=40, min_schools=2)
    assert small["major_code"].to_list() == ["X"] and small["schools"][0] == 2 and small["enrolment"][0] == 55


def test_skill_balance_shares_and_high_skill_gap() -> None:
    demand = pl.DataFrame({"source": ["declared", "statistics", "statistics", "declared"], "period": ["2024", "2024", "2024-06", "2023"],
                           "skill_level": ["高级工", "中级工", "技师", "高级工"], "count": [30, 50, 20, 999]})
    points = pl.DataFrame({"year": [2024, 2024], "cert_junior": [10, 0], "cert_intermediate": [50, 20], "cert_senior": [15, 5],
                           "cert_technician": [0, 0], "cert_senior_technician": [0, 0]})
    balance = skills.skill_balance(demand, points, 2024, ["高级工", "技师", "高级技师"])
    by = {r["skill_level"]: r for r in balance.iter_rows(named=True)}
    assert by["高级工"]["demand_declared"] == 30 and by["技师"]["demand_statistics"] == 20
    assert by["高级工"]["demand_share"] == pytest.approx(0.3) and by["高级工"]["supply_share"] == pytest.approx(0.2)
    high = balance.filter(pl.col("high_skill"))
    assert high["demand_share"].sum() == pytest.approx(0.5) and high["supply_share"].sum() == pytest.approx(0.2)


def test_the_peer_score_rewards_structural_advancement_once_not_both_sector_shares() -> None:
    """Two cities alike in GDP and growth: the one whose primary sector moved into the secondary sector (both
    shares of the other sectors unchanged in ratio terms would be rewarded twice by summing shares) does not score
    higher for it; the one with more services per unit of industry (三产/二产) does."""
    import polars as pl

    from silian.services.analysis import peer_comparison
    from silian.services.hub import HubSnapshot

    regions = pl.DataFrame({"code": ["410000", "410100", "410200", "410300"], "name": ["河南省", "甲市", "乙市", "丙市"],
                            "level": ["省", "市", "市", "市"], "parent_code": [None, "410000", "410000", "410000"],
                            "is_peer": [None, None, None, None]}, schema_overrides={"is_peer": pl.Boolean})
    rows = []
    for code, (primary, secondary, tertiary) in {"410100": (10, 40, 50), "410200": (2, 48, 50), "410300": (10, 30, 60)}.items():
        for year, scale in ((2018, 1.0), (2023, 1.3)):
            rows.append({"region_code": code, "year": year, "gdp": 100 * scale, "primary_va": primary * scale,
                         "secondary_va": secondary * scale, "tertiary_va": tertiary * scale})
    hub = HubSnapshot(tables={"regions": regions, "regional_economy": pl.DataFrame(rows)})
    scores = dict(peer_comparison(hub, "410100", 2023).select("region_code", "industry_score").iter_rows())
    assert scores["410300"] > scores["410100"] > scores["410200"]  # 2.0 > 1.25 > 1.04 services per unit of industry
