"""The 郑州 demo region: calibration, real vs generated data, built-in patterns, determinism."""

from __future__ import annotations

import json

import polars as pl
import pytest
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.domain.credit_code import is_valid_credit_code
from silian.domain.tables import HUB_TABLES
from silian.services.demo_region import DemoSummary, load_demo
from silian.storage import repository as repo
from silian.storage.database import Database
from tests.support.demo import DemoTemplate

GENERATED = ("institutions", "institution_resources", "major_points", "enterprises", "industry_stats", "demand",
             "cooperation", "funding", "innovation")
REAL = ("regions", "regional_economy")
SECONDARY_LEVELS = ("中职", "技工学校")
MANUFACTURING = tuple(str(n) for n in range(13, 44))


@pytest.fixture(scope="module")
def loaded(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, DemoSummary]:
    """The session's demo region (seed 2024, loaded once into a fresh hub with a progress callback), a copy."""
    assert any("major_points" in m for m in demo_template.messages)
    db = demo_template.database(tmp_path_factory.mktemp("demo") / "d.db")
    yield db, demo_template.summary
    db.dispose()


@pytest.fixture(scope="module")
def db(loaded: tuple[Database, DemoSummary]) -> Database:
    return loaded[0]


def rows(db: Database, sql: str, **params: object) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def scalar(db: Database, sql: str, **params: object) -> object:
    return rows(db, sql, **params)[0][0]


def secondary_2024(db: Database) -> tuple[int, int, int]:
    return tuple(rows(db, """
        SELECT COUNT(DISTINCT CASE WHEN m.students > 0 THEN m.institution_code END), SUM(m.enrolment), SUM(m.students)
        FROM major_points m JOIN institutions i ON i.code = m.institution_code
        WHERE m.year = 2024 AND i.level IN ('中职', '技工学校')""")[0])


# ---------------------------------------------------------------- calibration
def test_2024_totals_are_exactly_the_published_ones(db: Database) -> None:
    assert secondary_2024(db) == (102, 91_200, 258_300)


def test_summary_reports_the_calibration_and_the_rows(loaded: tuple[Database, DemoSummary]) -> None:
    db, summary = loaded
    assert summary.seed == 2024
    assert summary.calibration["schools_2024"] == {"value": 102, "target": 102}
    assert summary.calibration["enrolment_2024"] == {"value": 91_200, "target": 91_200}
    assert summary.calibration["students_2024"] == {"value": 258_300, "target": 258_300}
    assert summary.years["schools"] == [2016, 2024]
    with db.engine.connect() as conn:
        assert summary.rows == {t: repo.count_rows(conn, t) for t in summary.rows}
    assert set(summary.rows) == set(HUB_TABLES)
    assert summary.generated == {t: t not in REAL for t in HUB_TABLES}
    as_json = json.loads(json.dumps(summary.as_dict(), ensure_ascii=False))
    assert as_json["calibration"]["students_2024"]["value"] == 258_300


def test_school_data_cover_at_least_eight_years(db: Database) -> None:
    years = [r[0] for r in rows(db, "SELECT DISTINCT year FROM major_points ORDER BY year")]
    assert len(years) >= 8 and years[-1] == 2024
    for table in ("institution_resources", "funding", "innovation"):
        assert scalar(db, f"SELECT COUNT(DISTINCT year) FROM {table}") >= 8


def test_school_mix(db: Database) -> None:
    levels = dict(rows(db, "SELECT level, COUNT(*) FROM institutions GROUP BY level"))
    assert 20 <= levels["高职专科"] <= 25 and levels["职业本科"] == 2 and levels["技工学校"] > 0
    assert scalar(db, "SELECT COUNT(*) FROM institutions WHERE affiliation = '省属' AND level IN ('中职', '技工学校')") >= 3
    assert scalar(db, "SELECT COUNT(*) FROM institutions WHERE in_vocational_park") == 5
    assert scalar(db, "SELECT COUNT(*) FROM institutions WHERE in_vocational_park AND affiliation <> '市属'") == 0
    codes = [r[0] for r in rows(db, "SELECT code FROM institutions")]
    assert all(len(c) == 10 and c.startswith("9") and c.isdigit() for c in codes)
    counties = scalar(db, "SELECT COUNT(DISTINCT county_code) FROM institutions WHERE level IN ('中职', '技工学校')")
    assert counties >= 12


# ---------------------------------------------------------------- real vs generated
def test_generated_tables_are_marked_in_every_row_and_in_data_sources(db: Database) -> None:
    with db.engine.connect() as conn:
        sources = {s["table_name"]: s for s in repo.read_sources(conn)}
        for table in GENERATED:
            generated, total = repo.generated_share(conn, table)
            assert total > 0 and generated == total, table
            assert sources[table]["is_generated"] is True, table
            assert sources[table]["description"] and sources[table]["provenance"]
        for table in REAL:
            generated, total = repo.generated_share(conn, table)
            assert total > 0 and generated == 0, table
            assert sources[table]["is_generated"] is False, table


def test_regions_are_real_codes(db: Database) -> None:
    regions = dict(rows(db, "SELECT code, name FROM regions"))
    assert regions["410100"] == "郑州市" and regions["410105"] == "金水区" and regions["410173"] == "郑州航空港经济综合实验区"
    assert scalar(db, "SELECT COUNT(*) FROM regions WHERE level = '市' AND parent_code = '410000'") == 17
    peers = rows(db, "SELECT code, parent_code FROM regions WHERE is_peer ORDER BY code")
    assert peers == [("320200", "320000"), ("320400", "320000"), ("320500", "320000")]
    assert scalar(db, "SELECT COUNT(*) FROM regions WHERE parent_code = '410100' AND level = '功能区'") == 3


def test_zhengzhou_gdp_is_the_published_one(db: Database) -> None:
    gdp, primary, secondary, tertiary = rows(
        db, "SELECT gdp, primary_va, secondary_va, tertiary_va FROM regional_economy WHERE region_code = '410100' AND year = 2022")[0]
    assert gdp == pytest.approx(12_935, abs=1)
    assert (primary, secondary, tertiary) == pytest.approx((186, 5_175, 7_575), abs=1)
    assert scalar(db, "SELECT COUNT(*) FROM regional_economy WHERE region_code IN ('320500', '320200', '320400')") == 72
    assert scalar(db, "SELECT COUNT(DISTINCT region_code) FROM regional_economy") == 20


@pytest.mark.parametrize("year", [2016, 2020, 2023])
def test_industry_value_added_adds_up_to_the_real_sectors(db: Database, year: int) -> None:
    stats = dict(rows(db, "SELECT industry_code, value_added FROM industry_stats WHERE region_code = '410100' AND year = :y", y=year))
    query = "SELECT primary_va, secondary_va, tertiary_va FROM regional_economy WHERE region_code = '410100' AND year = :y"
    real = rows(db, query, y=year)[0]
    assert "C" not in stats
    secondary = sum(v for k, v in stats.items() if k in ("B", "D", "E") or k in MANUFACTURING)
    tertiary = sum(v for k, v in stats.items() if k.isalpha() and "F" <= k <= "T")
    assert stats["A"] == pytest.approx(real[0], abs=0.01)
    assert secondary == pytest.approx(real[1], abs=0.01)
    assert tertiary == pytest.approx(real[2], abs=0.01)
    assert sum(stats.values()) == pytest.approx(sum(real), abs=0.03)


# ---------------------------------------------------------------- patterns
def test_small_schools_below_the_standard_exist(db: Database) -> None:
    small = rows(db, """
        SELECT m.institution_code, SUM(m.students), MAX(r.teachers), MAX(r.land_area_m2)
        FROM major_points m JOIN institutions i ON i.code = m.institution_code
        JOIN institution_resources r ON r.institution_code = m.institution_code AND r.year = m.year
        WHERE m.year = 2024 AND i.level IN ('中职', '技工学校')
        GROUP BY m.institution_code HAVING SUM(m.students) > 0 AND SUM(m.students) < 1200""")
    assert 12 <= len(small) <= 25
    assert all(teachers < 60 and land < 40_000 for _, _, teachers, land in small)
    compliant = scalar(db, """
        SELECT COUNT(*) FROM institution_resources r JOIN institutions i ON i.code = r.institution_code
        WHERE r.year = 2024 AND i.level IN ('中职', '技工学校') AND r.teachers >= 60 AND r.land_area_m2 >= 40000""")
    assert compliant >= 70


def _demand(db: Database, occupations: set[str], year: int) -> int:
    frame = pl.DataFrame(rows(db, "SELECT occupation_code, count FROM demand WHERE source IN ('declared', 'statistics') "
                                  "AND (period = :y OR period LIKE :m)", y=str(year), m=f"{year}-%"),
                         schema=["occupation", "count"], orient="row")
    return int(frame.filter(pl.col("occupation").is_in(list(occupations)))["count"].sum())


def _graduates(db: Database, majors: set[str], year: int) -> int:
    frame = pl.DataFrame(rows(db, "SELECT major_code, graduates FROM major_points WHERE year = :y", y=year),
                         schema=["major", "graduates"], orient="row")
    return int(frame.filter(pl.col("major").is_in(list(majors)))["graduates"].sum())


def test_accounting_and_ecommerce_surplus_and_equipment_shortage(db: Database) -> None:
    catalog = get_catalog()
    crosswalk = catalog.major_occupations
    surplus = {"730301", "730701", "530302", "530701"}  # 会计事务, 电子商务 (中职); 大数据与会计, 电子商务 (专科)
    surplus_occupations = set(crosswalk.filter(pl.col("major_code").is_in(list(surplus)))["occupation_code"])
    equipment = set(catalog.majors("current").filter(pl.col("category_code").is_in(["66", "46", "26"]))["major_code"])
    equipment_occupations = set(crosswalk.filter(pl.col("major_code").is_in(list(equipment)))["occupation_code"])
    assert surplus_occupations and equipment_occupations
    for year in (2022, 2024):
        surplus_graduates, surplus_demand = _graduates(db, surplus, year), _demand(db, surplus_occupations, year)
        equipment_graduates, equipment_demand = _graduates(db, equipment, year), _demand(db, equipment_occupations, year)
        assert surplus_demand > 0 and equipment_graduates > 0
        assert surplus_graduates > 3 * surplus_demand, (year, surplus_graduates, surplus_demand)
        assert equipment_demand > 2 * equipment_graduates, (year, equipment_demand, equipment_graduates)


def test_cheap_majors_are_duplicated_across_many_schools(db: Database) -> None:
    for major in ("730301", "730701"):
        points, small = rows(db, "SELECT COUNT(*), SUM(CASE WHEN enrolment <= 60 THEN 1 ELSE 0 END) FROM major_points "
                                 "WHERE year = 2024 AND major_code = :m AND enrolment > 0", m=major)[0]
        assert points >= 40 and small >= 8, (major, points, small)


def test_secondary_majors_without_local_continuation(db: Database) -> None:
    links = get_catalog().continuations.filter(
        (pl.col("source_level") == "中等职业教育") & (pl.col("target_level") == "高等职业教育专科")
    ).drop_nulls("target_code")
    offered = rows(db, "SELECT DISTINCT i.level, m.major_code FROM major_points m JOIN institutions i "
                       "ON i.code = m.institution_code WHERE m.year = 2024 AND m.students > 0")
    secondary = {m for level, m in offered if level in SECONDARY_LEVELS}
    associate = {m for level, m in offered if level == "高职专科"}
    targets: dict[str, set[str]] = {}
    for source, target in links.select("source_code", "target_code").iter_rows():
        targets.setdefault(source, set()).add(target)
    dead_ends = sorted(m for m in secondary if targets.get(m) and not targets[m] & associate)
    assert len(dead_ends) >= 3, dead_ends
    assert {"630502", "710401"} <= set(dead_ends)  # 金属压力加工 (巩义 aluminium), 微电子 (航空港)


def test_graduate_destinations_are_plausible(db: Database) -> None:
    continued, graduates = rows(db, """
        SELECT SUM(m.continued), SUM(m.graduates) FROM major_points m JOIN institutions i ON i.code = m.institution_code
        WHERE m.year = 2024 AND i.level = '中职'""")[0]
    assert 0.6 <= continued / graduates <= 0.75
    assert scalar(db, "SELECT COUNT(*) FROM major_points WHERE employed + continued > graduates "
                      "OR employed_related > employed OR stayed_local > employed OR enrolment > students") == 0


def test_enterprises_have_valid_credit_codes_and_known_industries(db: Database) -> None:
    enterprises = rows(db, "SELECT credit_code, industry_code, county_code FROM enterprises")
    assert 1_400 <= len(enterprises) <= 1_600
    assert all(is_valid_credit_code(c) and c.startswith("91") and c[2:8] == county for c, _, county in enterprises)
    industries = set(get_catalog().industries["code"])
    assert all(code in industries and len(code) in (2, 4) for _, code, _ in enterprises)
    key = sum(1 for _, code, _ in enterprises if code[:2] in ("39", "36", "34", "35", "38", "13", "14", "15",
                                                               "32", "33", "26", "30", "27"))
    assert key > len(enterprises) / 2
    assert scalar(db, "SELECT COUNT(*) FROM enterprises WHERE is_integration") > 20


def test_demand_sources_and_periods(db: Database) -> None:
    by_source = dict(rows(db, "SELECT source, COUNT(*) FROM demand GROUP BY source"))
    assert set(by_source) == {"declared", "statistics"}
    assert scalar(db, "SELECT COUNT(*) FROM demand WHERE source = 'declared' AND enterprise_credit_code = ''") == 0
    assert scalar(db, "SELECT COUNT(*) FROM demand WHERE source = 'statistics' AND enterprise_credit_code <> ''") == 0
    periods = {r[0] for r in rows(db, "SELECT DISTINCT period FROM demand")}
    assert {"2019", "2024", "2024-03"} <= periods
    levels = dict(rows(db, "SELECT skill_level, SUM(count) FROM demand WHERE period LIKE '2024%' GROUP BY skill_level"))
    assert levels["高级工"] + levels["技师"] + levels["高级技师"] > levels["初级工"]


def test_cooperation_kinds(db: Database) -> None:
    kinds = dict(rows(db, "SELECT kind, COUNT(*) FROM cooperation GROUP BY kind"))
    assert set(kinds) == {"订单班", "现代学徒制", "共建专业", "产业学院", "实训基地", "教师企业实践"}
    assert 200 <= sum(kinds.values()) <= 800
    assert scalar(db, "SELECT COUNT(*) FROM cooperation WHERE kind = '实训基地' AND (capacity IS NULL OR fn_teaching IS NULL "
                      "OR fn_training IS NULL OR fn_assessment IS NULL OR fn_production IS NULL OR fn_service IS NULL)") == 0
    assert scalar(db, "SELECT COUNT(*) FROM cooperation WHERE kind = '教师企业实践' AND practice_days IS NULL") == 0
    assert scalar(db, "SELECT MIN(start_year) FROM cooperation") >= 2018


# ---------------------------------------------------------------- determinism
def _table(db: Database, table: str) -> pl.DataFrame:
    with db.engine.connect() as conn:
        return repo.read_table(conn, table)


def test_same_seed_gives_identical_data(db: Database, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = Database(f"sqlite:///{tmp_path_factory.mktemp('demo_same')}/d.db")
    try:
        load_demo(other, seed=2024)
        for table in ("major_points", "demand", "enterprises"):
            assert _table(db, table).equals(_table(other, table)), table
        load_demo(other, seed=2024)  # loading again replaces, it does not add
        assert _table(db, "cooperation").equals(_table(other, "cooperation"))
    finally:
        other.dispose()


def test_another_seed_gives_other_data_with_the_same_calibration(db: Database, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = Database(f"sqlite:///{tmp_path_factory.mktemp('demo_other')}/d.db")
    try:
        summary = load_demo(other, seed=7)
        assert summary.seed == 7
        assert not _table(db, "major_points").equals(_table(other, "major_points"))
        assert not _table(db, "enterprises").equals(_table(other, "enterprises"))
        assert _table(db, "regional_economy").equals(_table(other, "regional_economy"))  # real data do not change
        assert secondary_2024(other) == (102, 91_200, 258_300)
    finally:
        other.dispose()
