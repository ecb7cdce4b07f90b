"""Scenarios applied to the demo hub in memory, checked by hand: a plant needing N workers raises the gap of its
occupation's majors by exactly N (and nothing else); a merger keeps every student and recomputes the merged
school's compliance from the summed figures; an unchanged plan equals the baseline exactly; a halved offering
takes exactly half of its market supply away; every problem of a spec is listed."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from silian.catalog import get_catalog
from silian.domain.errors import ImportRejected
from silian.services.config import analysis_config, indicator_system
from silian.services.diagnoses import analyse_schools
from silian.services.hub import HubSnapshot
from silian.services.scenarios import apply_scenario, compare, parse_spec
from silian.services.supply_demand import analyse_supply_demand
from silian.settings import Settings
from tests.support.demo import DemoTemplate, demo_snapshot

YEAR, CNC = 2024, "6-18-01-07"  # 多工序数控机床操作调整工


@pytest.fixture(scope="module")
def hub(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubSnapshot]:
    yield from demo_snapshot(demo_template, tmp_path_factory.mktemp("scenarios"))


def gaps(hub: HubSnapshot) -> dict[str, float]:
    settings = Settings()
    sd = analyse_supply_demand(hub, get_catalog(), analysis_config(settings), indicator_system(settings), YEAR)
    # demand − supply, a major without demand evidence counted at 0 here (it would gain evidence from a plant)
    return dict(sd.by_major.select("major_code", pl.col("demand").fill_null(0.0) - pl.col("supply")).iter_rows())


def test_a_plant_raises_its_occupations_majors_gap_by_exactly_its_workers(hub: HubSnapshot) -> None:
    spec = parse_spec("plant", {"county": "410122", "from_year": 2023, "occupations": [{"code": CNC, "workers": 500}]},
                      hub, get_catalog())
    before, after = gaps(hub), gaps(apply_scenario(hub, spec, year=YEAR).hub)
    linked = set(get_catalog().major_occupations.filter(pl.col("occupation_code") == CNC)["major_code"].to_list())
    changed = {m: after[m] - before.get(m, 0.0) for m in after if abs(after[m] - before.get(m, 0.0)) > 1e-9}
    assert changed and set(changed) <= linked
    assert sum(changed.values()) == pytest.approx(500, abs=1e-6)
    assert hub["demand"].height == apply_scenario(hub, spec, year=YEAR).hub.tables["demand"].height - 2  # 2 years, added once


def test_a_plant_from_a_later_year_leaves_the_compared_year_alone(hub: HubSnapshot) -> None:
    spec = parse_spec("plant", {"county": "410122", "from_year": 2030, "occupations": [{"code": CNC, "workers": 500}]},
                      hub, get_catalog())
    applied = apply_scenario(hub, spec, year=YEAR)
    assert gaps(applied.hub) == pytest.approx(gaps(hub)) and applied.notes


def test_a_merger_keeps_every_student_and_sums_the_merged_schools(hub: HubSnapshot) -> None:
    config = analysis_config(Settings())
    base = analyse_schools(hub, config, YEAR, plans={}).compliance
    small = base.sort("students").head(2)["institution_code"].to_list()  # the two smallest: each fails ≥ 1,200
    spec = parse_spec("merger", {"schools": small}, hub, get_catalog())
    merged = analyse_schools(apply_scenario(hub, spec, year=YEAR).hub, config, YEAR, plans={}).compliance
    assert merged["students"].sum() == base["students"].sum()
    assert merged.height == base.height - 1 and small[1] not in merged["institution_code"].to_list()
    parts = base.filter(pl.col("institution_code").is_in(small))
    survivor = merged.filter(pl.col("institution_code") == small[0]).row(0, named=True)
    students, teachers = int(parts["students"].sum()), int(parts["teachers"].sum())
    assert survivor["students"] == students and survivor["teachers"] == teachers
    assert survivor["ok_students"] == (students >= 1200)
    assert survivor["ok_student_teacher_ratio"] == (students / teachers <= 20)


def test_an_unchanged_plan_equals_the_baseline_exactly(hub: HubSnapshot) -> None:
    now = hub["major_points"].filter((pl.col("year") == YEAR) & (pl.col("enrolment") > 0)).head(3).rows(named=True)
    spec = parse_spec("plan", {"changes": [{"school": now[0]["institution_code"], "major": now[0]["major_code"],
                                            "enrolment": now[0]["enrolment"]},
                                           {"school": now[1]["institution_code"], "major": now[1]["major_code"], "change": 0}]},
                      hub, get_catalog())
    result = compare(hub, [("same", spec)], year=YEAR)
    for row in result.rows:
        assert row.values[1] == row.values[0], row.key
        assert row.diffs[0] in (0, None), row.key


def test_a_halved_offering_loses_half_of_its_market_supply(hub: HubSnapshot) -> None:
    window = hub["major_points"].filter(pl.col("year").is_between(YEAR - 2, YEAR))
    offering = window.filter((pl.col("year") == YEAR) & (pl.col("graduates") > 0)).row(0, named=True)
    school, major = offering["institution_code"], offering["major_code"]
    rows = window.filter((pl.col("institution_code") == school) & (pl.col("major_code") == major))
    market = float((rows["graduates"] - rows["continued"].fill_null(0)).sum()) / 3  # three years averaged
    spec = parse_spec("plan", {"changes": [{"school": school, "major": major, "enrolment": offering["enrolment"] / 2}]},
                      hub, get_catalog())
    before, after = gaps(hub), gaps(apply_scenario(hub, spec, year=YEAR).hub)
    assert after[major] - before[major] == pytest.approx(market / 2, abs=1e-6)  # less supply: the gap grows
    assert {m for m in after if abs(after[m] - before[m]) > 1e-9} == {major}


def test_every_problem_of_a_spec_is_listed(hub: HubSnapshot) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_spec("plan", {"changes": [{"school": "0000000000", "major": "999999", "enrolment": -5},
                                        {"school": "0000000000", "major": "999999", "change": 1, "enrolment": 2}],
                            "extra": 1}, hub, get_catalog())
    messages = [p.message for p in caught.value.problems]
    assert "未知的学校代码：0000000000" in messages and "未知的专业代码：999999" in messages
    assert "不能为负数" in messages and "无法识别的键：extra" in messages
    assert any("enrolment" in m and "change" in m for m in messages)
    with pytest.raises(ImportRejected) as caught:
        parse_spec("plant", {"county": "999999", "from_year": 2024, "occupations": [{"code": "1-01", "workers": 0}]},
                   hub, get_catalog())
    assert [p.column for p in caught.value.problems] == ["county", "occupations[0].code", "occupations[0].workers"]
    with pytest.raises(ImportRejected) as caught:
        parse_spec("merger", {"schools": ["9410100001"]}, hub, get_catalog())
    assert caught.value.problems[0].message == "合并至少需要两所不同的学校"
    with pytest.raises(ImportRejected):
        parse_spec("tunnel", {}, hub, get_catalog())
