"""Records you can browse and edit, on SQLite and PostgreSQL: the records API's search, sorting, paging and scope;
the code lookup (by name, code and pinyin initials, scoped for schools and enterprises); and the pages — the list,
its download, the single-record form (one bad field: its problem beside it, nothing written), create, edit and
delete with their audit rows, and a school user refused another school's record with a 403 page.

The region is the hand-checkable one of tests/web/test_permissions.py: schools A (甲中专) and C (丙职校) in 金水区
(410105), B (乙职校) in 中牟县 (410122); every school offers major 660103 (数控技术应用) in 2023.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.storage.platform_schema import audit_log
from tests.support.backends import BACKENDS
from tests.web.test_permissions import (
    COUNTY1,
    PASSWORD,
    USERNAMES,
    A,
    B,
    C,
    World,
    make_world,
    module_database,
    snapshot,
)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One seeded world per backend for the tests that only read."""
    folder = tmp_path_factory.mktemp("records")
    for db in module_database(request.param, folder):
        yield from make_world(db, folder)


@pytest.fixture
def world(db: Any, tmp_path: Path) -> Iterator[World]:
    """A fresh world for a test that writes."""
    yield from make_world(db, tmp_path)


def logged_in(world: World, role: str) -> TestClient:
    """A browser-like client with a session cookie of ``role``'s user (logged in through the login form)."""
    client = TestClient(world.client.app)
    client.post("/login", data={"username": USERNAMES[role], "password": PASSWORD, "next": "/",
                                "csrf_token": csrf_of(client.get("/login").text)})
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def ids_of(body: dict[str, Any], column: str) -> list[str]:
    return [str(row[column]) for row in body["data"]]


def audit_rows(world: World) -> list[tuple[str, str, str]]:
    with world.db.engine.connect() as conn:
        return [(r.action, r.entity, r.entity_id) for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.id))]


def field_error(page: str, field: str) -> str:
    """The text of the problem shown beside ``field`` on a record form ('' when there is none)."""
    found = re.search(rf'<div class="field-error" id="f-{field}-error">(.*?)</div>', page, re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


# ------------------------------------------------------------------------------------------------ the records API
def test_the_list_searches_text_and_the_names_behind_codes(shared: World) -> None:
    def codes(query: str, role: str = "city_admin", table: str = "institutions", column: str = "code") -> list[str]:
        response = shared.get(role, f"/api/v1/{table}", params={"q": query, "sort": column})
        assert response.status_code == 200, response.text
        return ids_of(response.json(), column)

    assert codes("甲") == [A]  # a school's name
    assert codes("9410100002") == [B]  # a code
    assert codes("金水") == [A, C]  # the name of the county its code refers to
    assert codes("数控", table="major_points", column="institution_code") == [A, B, C]  # 660103 数控技术应用
    assert codes("2023", table="funding", column="institution_code") == [A, B, C]  # a year
    assert codes("乙", role="county_officer") == []  # B is not in the county officer's county
    assert codes("", role="school_user") == [A]
    assert codes("100%_") == []  # LIKE's wildcards are plain text


def test_the_list_sorts_pages_and_counts(shared: World) -> None:
    first = shared.get("city_admin", "/api/v1/institutions", params={"sort": "-name", "page_size": 2}).json()
    second = shared.get("city_admin", "/api/v1/institutions", params={"sort": "-name", "page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == 3
    assert [r["name"] for r in first["data"] + second["data"]] == sorted(["甲中专", "乙职校", "丙职校"], reverse=True)
    bad = shared.get("city_admin", "/api/v1/institutions", params={"sort": "nonsense"})
    assert bad.status_code == 400 and set(bad.json()) == {"error"}


def test_lookup_finds_codes_by_pinyin_initials_code_and_name(shared: World) -> None:
    def found(kind: str, query: str, role: str = "city_admin", limit: int = 10) -> list[tuple[str, str]]:
        response = shared.get(role, f"/api/v1/lookup/{kind}", params={"q": query, "limit": limit})
        assert response.status_code == 200, response.text
        return [(hit["code"], hit["name"]) for hit in response.json()["data"]]

    assert ("460103", "数控技术") in found("majors", "sk", limit=3)
    assert found("majors", "shukong")[0][1] == "数控技术"
    assert found("majors", "660103")[0] == ("660103", "数控技术应用")
    assert found("occupations", "6-18-01-07")[0][0] == "6-18-01-07"
    assert found("industries", "C36")[0] == ("36", "汽车制造业")
    assert found("regions", "jsq")[0] == (COUNTY1, "金水区")  # the hub's own county before 金山区 (Shanghai)
    assert found("schools", "jzz") == [(A, "甲中专")]  # 甲中专
    assert found("schools", "", role="school_user") == [(A, "甲中专")]
    assert found("schools", "yzx", role="school_user") == []  # 乙职校 is another school's
    assert found("schools", "", role="public") == [] and found("enterprises", "", role="public") == []
    assert found("regions", "郑州", role="public")[0][1] == "郑州市"  # regions are open data
    assert shared.get("city_admin", "/api/v1/lookup/planets").status_code == 422
    assert shared.get("city_admin", "/api/v1/lookup/majors", params={"limit": 101}).status_code == 422


def test_an_api_record_with_one_bad_field_names_it_and_changes_nothing(world: World, tmp_path: Path) -> None:
    before, audited = snapshot(world.db, tmp_path), audit_rows(world)
    school = world.ids("institutions")["A"]
    patch = world.client.patch(f"/api/v1/institutions/{school}", json={"name": "改名", "level": "大学"},
                               headers=world.headers("city_admin"))
    assert patch.status_code == 422
    assert [p["column"] for p in patch.json()["error"]["problems"]] == ["level"]
    new = {"institution_code": A, "year": 2030, "appropriation_10k": -5.0}
    post = world.client.post("/api/v1/funding", json=new, headers=world.headers("city_admin"))
    assert post.status_code == 422
    assert [p["column"] for p in post.json()["error"]["problems"]] == ["appropriation_10k"]
    assert snapshot(world.db, tmp_path) == before and audit_rows(world) == audited


# ------------------------------------------------------------------------------------------------ pages
def test_pages_need_a_login_and_follow_the_scope(shared: World) -> None:
    public = TestClient(shared.client.app)
    assert public.get("/data/records/institutions", follow_redirects=False).status_code == 303
    school = logged_in(shared, "school_user")
    own, other = shared.ids("institutions")["A"], shared.ids("institutions")["B"]
    listing = school.get("/data/records/institutions")
    assert listing.status_code == 200 and "甲中专" in listing.text and "乙职校" not in listing.text
    assert school.get(f"/data/records/institutions/{own}").status_code == 200
    refused = school.get(f"/data/records/institutions/{other}")
    assert refused.status_code == 403 and 'id="error-page"' in refused.text
    assert "乙职校" not in refused.text and A in refused.text  # says whose records it may see, shows nothing of B
    forged = school.post(f"/data/records/institutions/{other}",
                         data={"csrf_token": csrf_of(listing.text), "name": "被改"})
    assert forged.status_code == 403
    assert school.get("/data/records/institutions/999999").status_code == 404
    assert school.get("/data/records/enterprises").status_code == 403  # no enterprises in a school's scope
    assert school.get("/data/records/planets").status_code == 404
    regions = school.get(f"/data/records/regions/{shared.ids('regions')[COUNTY1]}")
    assert regions.status_code == 200 and 'id="save"' not in regions.text  # open data: read only
    index = school.get("/data")
    assert 'href="/data/records/institutions"' in index.text and 'href="/data/records/enterprises"' not in index.text


def test_the_list_page_searches_sorts_marks_and_downloads(shared: World) -> None:
    admin = logged_in(shared, "city_admin")
    page = admin.get("/data/records/institutions", params={"q": "金水", "sort": "-code", "page_size": 20})
    assert page.status_code == 200
    rows = re.findall(r'<tr data-id="(\d+)"', page.text)
    ids = shared.ids("institutions")
    assert rows == [str(ids["C"]), str(ids["A"])]
    assert "共 2 条" in page.text and "金水区" in page.text  # the count; the county's name beside its code
    assert 'aria-sort="descending"' in page.text
    english = admin.get("/data/records/institutions", params={"lang": "en"}).text
    assert "School name" in english and "学校名称" not in english
    download = admin.get("/data/records/institutions/export.csv", params={"q": "金水", "sort": "-code"})
    assert download.status_code == 200
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["学校代码", "学校名称"] and [r[0] for r in table[1:]] == [C, A]
    workbook = admin.get("/data/records/institutions/export.xlsx", params={"q": "乙"})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["数据"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [B]
    assert admin.get("/data/records/institutions/export.pdf").status_code == 400
    assert admin.get("/data/records/institutions", params={"page": "x", "page_size": "7"}).status_code == 200


def test_a_form_with_one_bad_field_shows_its_problem_beside_it_and_writes_nothing(world: World, tmp_path: Path) -> None:
    admin = logged_in(world, "city_admin")
    school = world.ids("institutions")["A"]
    form = admin.get(f"/data/records/institutions/{school}").text
    before, audited = snapshot(world.db, tmp_path), audit_rows(world)
    sent = {"csrf_token": csrf_of(form), "code": A, "name": "改了名", "level": "大学", "ownership": "公办",
            "county_code": COUNTY1}
    response = admin.post(f"/data/records/institutions/{school}", data=sent)
    assert response.status_code == 422
    assert field_error(response.text, "name") == ""
    assert field_error(response.text, "level").startswith("不是允许的取值") and "中职" in field_error(response.text, "level")
    assert 'value="改了名"' in response.text  # what was typed is kept
    assert snapshot(world.db, tmp_path) == before and audit_rows(world) == audited

    points = world.ids("major_points")["A"]
    form = admin.get(f"/data/records/major_points/{points}").text
    sent = {"csrf_token": csrf_of(form), "institution_code": A, "major_code": "999999", "year": "2023",
            "enrolment": "100", "students": "300", "graduates": "90"}
    response = admin.post(f"/data/records/major_points/{points}", data=sent)
    problem = field_error(response.text, "major_code")
    assert response.status_code == 422 and "/data/lookup" in problem and "silian catalog search" not in problem
    assert 'data-picker="majors"' in response.text
    assert snapshot(world.db, tmp_path) == before


def test_create_edit_and_delete_through_the_forms_are_audited(world: World) -> None:
    school = logged_in(world, "school_user")
    form = school.get("/data/records/funding/new").text
    assert f'value="{A}"' in form  # a new record is already the user's own school's
    created = school.post("/data/records/funding/new", data={"csrf_token": csrf_of(form), "institution_code": A,
                                                             "year": "2030", "appropriation_10k": "1234.5"},
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    record_url = created.headers["location"].split("?")[0]
    record_id = record_url.rsplit("/", 1)[1]
    shown = school.get(record_url).text
    assert 'value="1234.5"' in shown

    edited = school.post(record_url, data={"csrf_token": csrf_of(shown), "institution_code": A, "year": "2030",
                                           "appropriation_10k": "1300", "special_funds_10k": "12"},
                         follow_redirects=False)
    assert edited.status_code == 303
    stored = world.get("city_admin", f"/api/v1/funding/{record_id}").json()
    assert (stored["appropriation_10k"], stored["special_funds_10k"]) == (1300.0, 12.0)

    moved = school.post(record_url, data={"csrf_token": csrf_of(shown), "institution_code": B, "year": "2030"})
    assert moved.status_code == 403 and field_error(moved.text, "institution_code")  # not to another school

    confirm = school.get(f"{record_url}/delete")
    assert confirm.status_code == 200 and "2030" in confirm.text
    deleted = school.post(f"{record_url}/delete", data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False)
    assert deleted.status_code == 303
    assert world.get("city_admin", f"/api/v1/funding/{record_id}").status_code == 404
    actions = [(action, entity, entity_id) for action, entity, entity_id in audit_rows(world) if entity == "funding"]
    assert actions == [("create", "funding", record_id), ("update", "funding", record_id),
                       ("delete", "funding", record_id)]
    with world.db.engine.connect() as conn:
        update = conn.execute(sa.select(audit_log).where(audit_log.c.action == "update")).one()
    assert json.loads(update.before)["appropriation_10k"] == 1234.5 and json.loads(update.after)["appropriation_10k"] == 1300


def test_a_record_still_referred_to_is_not_deleted(world: World, tmp_path: Path) -> None:
    admin = logged_in(world, "city_admin")
    school = world.ids("institutions")["A"]
    confirm = admin.get(f"/data/records/institutions/{school}/delete").text
    before = snapshot(world.db, tmp_path)
    refused = admin.post(f"/data/records/institutions/{school}/delete", data={"csrf_token": csrf_of(confirm)})
    assert refused.status_code == 400 and "仍被其他表引用" in refused.text
    assert snapshot(world.db, tmp_path) == before


def test_downloads_defuse_text_that_looks_like_a_formula(world: World) -> None:
    record = {"code": "9410100099", "name": "=HYPERLINK(\"http://x\")", "level": "中职", "ownership": "公办",
              "county_code": COUNTY1}
    assert world.client.post("/api/v1/institutions", json=record, headers=world.headers("city_admin")).status_code == 201
    download = logged_in(world, "city_admin").get("/data/records/institutions/export.csv", params={"q": "HYPERLINK"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"
