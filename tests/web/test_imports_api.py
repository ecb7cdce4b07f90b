"""Uploading files over HTTP (``POST /api/v1/imports/{table}`` and the ``/data/upload`` page) on SQLite and
PostgreSQL: the same validation and problems as `silian import`, whole-file rejection (rows outside the uploader's
scope included) with the database unchanged, upserts, dry runs, encodings, templates, size limits and the audit log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from silian.domain.errors import ImportRejected
from silian.services.imports import import_file
from silian.storage.database import Database
from silian.storage.platform_schema import audit_log
from silian.storage.schema import import_log
from tests.web.test_permissions import (
    COUNTY1,
    COUNTY2,
    A,
    B,
    C,
    World,
    assert_refused,
    csv_file,
    log_in,
    make_world,
    snapshot,
    upload,
)

POINTS = ("学校代码,专业代码,年份,招生数,在校生数,毕业生数,就业人数,升学人数\n"
          f"{A},660103,2024,110,310,95,50,30\n"
          f"{C},730301,2024,60,170,50,20,25\n")


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    yield from make_world(db, tmp_path)


def problems_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "invalid_data" and "数据库未做任何修改" in body["message"]
    return body["problems"]  # type: ignore[no-any-return]


def rows_in(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_clean_file_is_applied_and_reimport_changes_nothing(world: World, tmp_path: Path) -> None:
    first = upload(world, "city_admin", "major_points", POINTS.encode(), "points.csv")
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in ("table", "file", "rows", "inserted", "updated", "unchanged", "dry_run")} == {
        "table": "major_points", "file": "points.csv", "rows": 2, "inserted": 2, "updated": 0, "unchanged": 0,
        "dry_run": False}
    before = snapshot(world.db, tmp_path)
    again = upload(world, "city_admin", "major_points", POINTS.encode(), "points.csv").json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert snapshot(world.db, tmp_path) == before
    changed = upload(world, "city_admin", "major_points", POINTS.replace(",110,", ",111,").encode()).json()
    assert (changed["inserted"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    with world.db.engine.connect() as conn:
        logged = conn.execute(sa.select(import_log.c.file_name, import_log.c.rows, import_log.c.inserted)
                              .where(import_log.c.table_name == "major_points").order_by(import_log.c.id)).all()
        audit = conn.execute(sa.select(audit_log).where(audit_log.c.action == "import").order_by(audit_log.c.id)).all()
    assert tuple(logged[0]) == ("web:admin:points.csv", 2, 2)
    assert (audit[0].username, audit[0].entity, audit[0].entity_id) == ("admin", "major_points", "points.csv")
    assert json.loads(audit[-1].after)["updated"] == 1


def test_dry_run_checks_and_writes_nothing(world: World, tmp_path: Path) -> None:
    before = snapshot(world.db, tmp_path)
    response = upload(world, "school_user", "major_points", POINTS.replace(C, A).encode(), dry_run="true")
    assert response.status_code == 200, response.text
    assert (response.json()["inserted"], response.json()["dry_run"]) == (2, True)
    assert snapshot(world.db, tmp_path) == before


def test_problems_are_those_of_the_cli_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    bad = POINTS + (f"{A},660199,2024,10,30,9,3,5\n"  # unknown major
                    f"{A},730301,2024,1二0,300,90,30,20\n"  # not a number
                    f"{C},660103,2024,100,300,90,60,50\n")  # employed + continued > graduates
    path = tmp_path / "points_bad.csv"
    path.write_text(bad, encoding="utf-8")
    before, counted = snapshot(world.db, tmp_path), rows_in(world.db, "major_points")
    problems = problems_of(upload(world, "city_admin", "major_points", bad.encode(), "points_bad.csv"))
    with pytest.raises(ImportRejected) as cli:
        import_file(world.db, "major_points", path, world.settings, dry_run=True)
    assert problems == [p.as_dict() for p in cli.value.problems]
    assert [(p["row"], p["column"], p["value"]) for p in problems[:2]] == [(4, "专业代码", "660199"), (5, "招生数", "1二0")]
    assert all(p["file"] == "points_bad.csv" and p["message"] and p["fix"] for p in problems)
    assert rows_in(world.db, "major_points") == counted
    assert snapshot(world.db, tmp_path) == before


def test_rows_of_another_school_reject_the_whole_file(world: World, tmp_path: Path) -> None:
    before, counted = snapshot(world.db, tmp_path), rows_in(world.db, "funding")
    content = f"学校代码,年份,财政拨款（万元）\n{A},2024,1700\n{B},2024,900\n{A},2025,1800\n{C},2025,1000\n"
    problems = problems_of(upload(world, "school_user", "funding", content.encode(), "经费.csv"))
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(3, "学校代码", B), (5, "学校代码", C)]
    assert all(p["message"].startswith("不是本校") and p["file"] == "经费.csv" for p in problems)
    assert rows_in(world.db, "funding") == counted
    assert snapshot(world.db, tmp_path) == before
    with world.db.engine.connect() as conn:
        denied = conn.execute(sa.select(audit_log).where(audit_log.c.action == "import_denied")).one()
    assert (denied.username, denied.entity, json.loads(denied.after)["problems"]) == ("school", "funding", 2)


def test_bad_values_and_foreign_rows_are_listed_together(world: World) -> None:
    content = f"学校代码,年份,财政拨款（万元）\n{A},2024,很多\n{B},2024,900\n"
    problems = problems_of(upload(world, "school_user", "funding", content.encode()))
    assert [(p["row"], p["value"]) for p in problems] == [(2, "很多"), (3, B)]
    assert problems[1]["message"].startswith("不是本校")


def test_county_officer_cannot_take_over_another_countys_school(world: World, tmp_path: Path) -> None:
    before = snapshot(world.db, tmp_path)
    content = f"学校代码,学校名称,办学层次,举办性质,所在县市区代码\n{B},乙职校,中职,公办,{COUNTY1}\n"
    problems = problems_of(upload(world, "county_officer", "institutions", content.encode()))
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(2, "学校代码", B)]
    assert COUNTY2 in problems[0]["message"]
    moved = f"学校代码,学校名称,办学层次,举办性质,所在县市区代码\n{A},甲中专,中职,公办,{COUNTY2}\n"
    problems = problems_of(upload(world, "county_officer", "institutions", moved.encode()))
    assert [(p["row"], p["value"]) for p in problems] == [(2, COUNTY2)] and problems[0]["message"].startswith("不是本县")
    assert snapshot(world.db, tmp_path) == before


def test_a_school_cannot_move_itself_to_another_county(world: World, tmp_path: Path) -> None:
    """The county decides jurisdiction: a school user may edit its own school, not change its county (upload or API)."""
    before = snapshot(world.db, tmp_path)
    moved = f"学校代码,学校名称,办学层次,举办性质,所在县市区代码\n{A},甲中专,中职,公办,{COUNTY2}\n"
    problems = problems_of(upload(world, "school_user", "institutions", moved.encode()))
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(2, "所在县市区代码", COUNTY2)]
    assert COUNTY1 in problems[0]["message"] and COUNTY1 in problems[0]["fix"]
    school = world.ids("institutions")["A"]
    h = world.headers("school_user")
    assert_refused(world.client.patch(f"/api/v1/institutions/{school}", json={"county_code": COUNTY2}, headers=h), 403)
    assert snapshot(world.db, tmp_path) == before
    kept = f"学校代码,学校名称,办学层次,举办性质,所在县市区代码,地址\n{A},甲中专,中职,公办,{COUNTY1},文化路 2 号\n"
    assert upload(world, "school_user", "institutions", kept.encode()).status_code == 200
    assert world.client.patch(f"/api/v1/institutions/{school}", json={"address": "文化路 3 号"}, headers=h).status_code == 200
    # the county officer (and the city admin) may move a school within their scope
    admin = world.client.patch(f"/api/v1/institutions/{school}", json={"county_code": COUNTY2},
                               headers=world.headers("city_admin"))
    assert admin.status_code == 200, admin.text


def test_enterprise_user_uploads_only_its_own_demand(world: World) -> None:
    from tests.web.test_permissions import CNC, E1, E2
    head = "来源,区划代码,时期,企业统一社会信用代码,职业代码,技能等级,需求人数\n"
    own = f"declared,{COUNTY2},2024-09,{E1},{CNC},高级工,6\n"
    assert upload(world, "enterprise_user", "demand", (head + own).encode()).json()["inserted"] == 1
    problems = problems_of(upload(world, "enterprise_user", "demand", (head + own + f"statistics,{COUNTY1},2024,,{CNC},不限,60\n"
                                                                      f"declared,{COUNTY1},2024,{E2},{CNC},不限,5\n").encode()))
    assert [(p["row"], p["value"]) for p in problems] == [(3, ""), (4, E2)]
    assert all(p["message"].startswith("不是本企业") for p in problems)


def test_encodings_and_the_template_round_trip(world: World, tmp_path: Path) -> None:
    content = f"学校代码,年份,财政拨款（万元）,生均拨款（元）\n{A},2024,1700,5200\n"
    gbk = upload(world, "school_user", "funding", content.encode("gbk"), "gbk.csv", dry_run="true")
    assert gbk.status_code == 200 and gbk.json()["source"] == "gb18030", gbk.text
    bom = upload(world, "school_user", "funding", b"\xef\xbb\xbf" + content.encode(), "bom.csv", dry_run="true")
    assert bom.status_code == 200 and bom.json()["source"] == "utf-8-sig", bom.text
    assert log_in(world.client, "school").status_code == 303
    template = world.client.get("/data/template/funding.xlsx")
    assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxml")
    path = tmp_path / "funding.xlsx"
    path.write_bytes(template.content)
    book = openpyxl.load_workbook(path)
    sheet = book["数据"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["学校代码", "年份", "财政拨款（万元）"] and "说明" in book.sheetnames
    sheet.append([A, 2024, 1700, 5200])
    book.save(path)
    world.client.cookies.clear()
    filled = upload(world, "school_user", "funding", path.read_bytes(), "经费.xlsx")
    assert filled.status_code == 200, filled.text
    assert (filled.json()["inserted"], filled.json()["source"]) == (1, "sheet 数据")


@pytest.fixture
def small_world(db: Database, tmp_path: Path) -> Iterator[World]:
    yield from make_world(db, tmp_path, import_max_bytes=300, max_request_bytes=4000)


def test_unreadable_oversized_and_misaddressed_uploads(small_world: World) -> None:
    w = small_world
    junk = upload(w, "city_admin", "funding", b"\xd0\xcf\x11\xe0 not a spreadsheet", "../../etc/old.xls")
    assert_refused(junk, 400)
    assert "old.xls" in junk.json()["error"]["message"] and "/tmp" not in junk.json()["error"]["message"]
    assert_refused(upload(w, "city_admin", "funding", b"", "empty.csv"), 400)
    too_big = upload(w, "city_admin", "funding", ("学校代码,年份\n" + f"{A},2024\n" * 40).encode(), "big.csv")
    assert_refused(too_big, 400)
    assert "big.csv" in too_big.json()["error"]["message"]
    assert_refused(upload(w, "city_admin", "funding", b"x" * 5000, "huge.csv"), 413)
    assert_refused(upload(w, "city_admin", "nosuch", b"a\n1\n"), 422)
    assert_refused(w.client.post("/api/v1/imports/funding", headers=w.headers("city_admin")), 422)
    assert_refused(upload(w, "enterprise_user", "funding", f"学校代码,年份\n{A},2024\n".encode()), 403)
    assert_refused(upload(w, "public", "funding", f"学校代码,年份\n{A},2024\n".encode()), 401)


def test_problems_in_english(world: World) -> None:
    content = f"institution_code,year\n{B},2024\n"
    response = world.client.post("/api/v1/imports/funding?lang=en", headers=world.headers("school_user"),
                                 files={"file": ("f.csv", io.BytesIO(content.encode()), "text/csv")})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("File rejected")
    problem = response.json()["error"]["problems"][0]
    assert problem["message"].startswith("Not your school"), problem
    assert problem["column"] == "institution_code" and problem["fix"].startswith("Remove this row")


# ------------------------------------------------------------------------------------------------ the page
def page_csrf(world: World) -> str:
    page = world.client.get("/data/upload")
    assert page.status_code == 200
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def test_upload_page_lists_the_writable_tables_and_needs_a_login(world: World) -> None:
    public = world.client.get("/data/upload", follow_redirects=False)
    assert public.status_code == 303 and public.headers["location"].startswith("/login?next=")
    assert log_in(world.client, "firm").status_code == 303
    page = world.client.get("/data/upload")
    options = [o.split('"')[0] for o in page.text.split('<option value="')[1:]]
    assert options == ["enterprises", "demand", "cooperation"]
    assert 'href="/data/template/enterprises.xlsx"' in page.text and "只能上传本企业" in page.text


def test_upload_page_shows_problems_then_counts(world: World, tmp_path: Path) -> None:
    assert log_in(world.client, "school").status_code == 303
    csrf = page_csrf(world)
    before = snapshot(world.db, tmp_path)
    bad = f"学校代码,年份,财政拨款（万元）\n{A},2024,很多\n{B},2024,900\n"
    response = world.client.post("/data/upload", data={"csrf_token": csrf, "table": "funding"},
                                 files={"file": ("经费.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    table = response.text.split('id="problems"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3 and "很多" in table and "不是本校" in table and B in table
    assert snapshot(world.db, tmp_path) == before
    good = f"学校代码,年份,财政拨款（万元）\n{A},2024,1700\n{A},2023,1550\n"
    done = world.client.post("/data/upload", data={"csrf_token": csrf, "table": "funding"},
                             files={"file": ("经费.csv", good.encode(), "text/csv")})
    assert done.status_code == 200
    counts = [done.text.split(f'id="count-{k}">')[1].split("<")[0] for k in ("inserted", "updated", "unchanged")]
    assert counts == ["1", "1", "0"]
    forged = world.client.post("/data/upload", data={"csrf_token": "forged", "table": "funding"},
                               files={"file": ("经费.csv", good.encode(), "text/csv")})
    assert forged.status_code == 403
    other = world.client.post("/data/upload", data={"csrf_token": csrf, "table": "enterprises"},
                              files={"file": ("e.csv", csv_file([{"credit_code": "x"}]), "text/csv")})
    assert other.status_code == 403 and "enterprises" in other.text
