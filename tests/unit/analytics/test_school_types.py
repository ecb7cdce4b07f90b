"""Each school is judged by its own type's standard, and the 设置标准 and the 达标 monitoring are two verdicts.

A small hand-made hub (no database): a 技工学校 of 900 students on 32,000 m² meets 人社部发〔2012〕8号 (≥ 800
students, campus ≥ 30,000 m²) although it would fail the 中职 standard's 1,200 students and 40,000 m²; a 中职 of 900
students fails 教职成〔2010〕12号; a 中职 of 1,000 students with every 达标 indicator met fails its setting standard
only, so the two counts differ. Only modules that existed before the split are imported, so under the old code
these tests fail on their assertions, not on an import.
"""

from __future__ import annotations

import polars as pl
import pytest

from silian.services.config import analysis_config
from silian.services.diagnoses import analyse_schools
from silian.services.hub import HubSnapshot
from silian.settings import Settings

YEAR = 2024
# code: (level, students, campus m², building m², equipment 万元, books, teachers, major teachers, dual, majors)
SCHOOLS = {
    "tech900": ("技工学校", 900, 32000, 18000, 300, 9000, 40, 20, 4, 3),
    "sec900": ("中职", 900, 45000, 25000, 400, 30000, 60, 35, 12, 3),
    "sec1000": ("中职", 1000, 40000, 24000, 300, 30000, 60, 35, 12, 3),
    "tech_small_campus": ("技工学校", 2000, 25000, 40000, 800, 60000, 100, 60, 20, 4),
    "college": ("高职专科", 6000, 400000, 200000, 9000, 500000, 400, 250, 100, 3),
}


def hub() -> HubSnapshot:
    institutions = pl.DataFrame({
        "code": list(SCHOOLS), "name": [f"学校{c}" for c in SCHOOLS], "level": [v[0] for v in SCHOOLS.values()],
        "county_code": ["410102"] * len(SCHOOLS), "affiliation": ["市属"] * len(SCHOOLS),
        "in_vocational_park": [False] * len(SCHOOLS)})
    resources = pl.DataFrame({
        "institution_code": list(SCHOOLS), "year": [YEAR] * len(SCHOOLS),
        "land_area_m2": [float(v[2]) for v in SCHOOLS.values()], "building_area_m2": [float(v[3]) for v in SCHOOLS.values()],
        "equipment_value_10k": [float(v[4]) for v in SCHOOLS.values()], "books": [v[5] for v in SCHOOLS.values()],
        "teachers": [v[6] for v in SCHOOLS.values()], "major_teachers": [v[7] for v in SCHOOLS.values()],
        "dual_teachers": [v[8] for v in SCHOOLS.values()], "enterprise_part_time": [0] * len(SCHOOLS),
        "training_stations": [500] * len(SCHOOLS)})
    points = []
    for code, v in SCHOOLS.items():
        students, majors = v[1], v[9]
        for m in range(majors):  # students spread over the majors, the last one takes the remainder
            share = students // majors + (students % majors if m == majors - 1 else 0)
            points.append({"institution_code": code, "major_code": f"7{m:05d}", "year": YEAR, "students": share,
                           "enrolment": share // 3})
    return HubSnapshot(tables={"institutions": institutions, "institution_resources": resources,
                               "major_points": pl.DataFrame(points)})


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, object]]:
    result = analyse_schools(hub(), analysis_config(Settings()), YEAR, plans={})
    return {r["institution_code"]: r for r in result.compliance.iter_rows(named=True)}


def test_a_technician_school_of_900_students_on_32000_m2_meets_its_setting_standard(rows: dict[str, dict[str, object]]) -> None:
    tech = rows["tech900"]
    assert tech["ok_students"] is True and tech["ok_campus"] is True  # 800 and 30,000 m², not 1,200 and 40,000
    assert tech["setting_verdict"] == "met" and tech["setting_failed"] == []
    assert tech["setting_standard"] == "technician_setting_2012"
    # the 中职 standard's teacher and book thresholds are not 人社部发〔2012〕8号's: not applied, not failed
    assert tech["ok_teachers"] is None and tech["ok_books"] is None
    assert "teachers" not in tech["failed"] and "books" not in tech["failed"]


def test_a_secondary_school_of_900_students_fails_its_setting_standard(rows: dict[str, dict[str, object]]) -> None:
    sec = rows["sec900"]
    assert sec["ok_students"] is False
    assert sec["setting_verdict"] == "not_met" and sec["setting_failed"] == ["students"]
    assert sec["setting_standard"] == "secondary_setting_2010"


def test_setting_standard_and_monitoring_are_two_verdicts_with_two_counts() -> None:
    result = analyse_schools(hub(), analysis_config(Settings()), YEAR, plans={})
    by = {r["institution_code"]: r for r in result.compliance.iter_rows(named=True)}
    # 1,000 students: below the 设置标准's 1,200, but the 达标 monitoring has no student count
    assert by["sec1000"]["setting_verdict"] == "not_met" and by["sec1000"]["monitoring_verdict"] == "met"
    # a technician school's 达标 monitoring has 3 key groups, 2 not on file: passing the one on file is partial
    assert by["tech900"]["monitoring_verdict"] == "partial"
    assert by["tech_small_campus"]["monitoring_verdict"] == "not_met"  # 25,000 m² < 30,000
    assert by["tech_small_campus"]["monitoring_failed"] == ["campus"]
    s = result.summary
    assert (s["setting_met"], s["setting_not_met"]) == (1, 3)  # tech900; sec900, sec1000, tech_small_campus
    assert (s["monitoring_met"], s["monitoring_partial"], s["monitoring_not_met"]) == (2, 1, 1)
    assert s["setting_met"] + s["setting_not_met"] == s["schools"] == 4
    assert s["setting_fail_students"] == 2 and s["monitoring_fail_campus"] == 1
    # both counts are in the findings, each in its own sentence
    assert any("设置标准" in f and "1 所达到、3 所未达到" in f for f in result.findings)
    assert any("达标监测" in f and "2 所全部达标、1 所未达标" in f for f in result.findings)


def test_a_school_type_without_a_standard_on_file_is_not_judged(rows: dict[str, dict[str, object]]) -> None:
    result = analyse_schools(hub(), analysis_config(Settings()), YEAR, plans={})
    assert "college" not in rows  # a 高职专科 is never judged by a 中职-level standard
    assert result.not_assessed == {"高职专科": 1} and result.summary["not_assessed"] == 1
    assert any("高职专科 1 所未作判定" in f and "教发〔2004〕2号" in f for f in result.findings)


def test_no_major_teachers_is_not_a_full_dual_qualified_share() -> None:
    snapshot = hub()
    resources = snapshot["institution_resources"].with_columns(
        pl.when(pl.col("institution_code") == "sec900").then(0).otherwise(pl.col(c)).alias(c)
        for c in ("major_teachers", "dual_teachers"))
    snapshot = HubSnapshot(tables={**snapshot.tables, "institution_resources": resources})
    result = analyse_schools(snapshot, analysis_config(Settings()), YEAR, plans={})
    sec = result.compliance.filter(pl.col("institution_code") == "sec900").row(0, named=True)
    assert sec["ok_dual_share"] is False and sec["ok_major_teacher_share"] is False  # 0 / 0 was NaN, and NaN ≥ 0.3
