"""The 规划 pages over HTTP on the demo region: who sees what, the optimiser's changes with reasons and their CSV,
a match upload and its download, scenarios saved through the form and compared (CSV too), English."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
import sqlalchemy as sa

from silian.storage.platform_schema import users
from tests.support.demo import DemoTemplate
from tests.web.test_permissions import World, make_world

MATCH = {"students": {"s1": ["p2", "p1"], "s2": ["p1"], "s3": ["p1", "p2"]},
         "positions": {"p1": {"capacity": 1, "preferences": ["s3", "s2", "s1"]}, "p2": {"capacity": 1, "preferences": ["s1"]}}}


@pytest.fixture(scope="module")
def site(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("planning-pages")
    db = demo_template.database(folder / "hub.db")  # a copy of the session's demo region
    with db.engine.connect() as conn:
        county = conn.execute(sa.text("SELECT county_code FROM institutions WHERE level = '中职' ORDER BY code")).scalar()
    yield from make_world(db, folder, {"county_officer": {"county_code": str(county)}, "school_user": {"institution_code": "9410100001"}})
    db.dispose()


def test_who_may_open_which_page(site: World) -> None:
    for path in ("/planning/plan", "/planning/match", "/planning/scenarios"):
        assert site.client.get(path, follow_redirects=False).headers["location"].startswith("/login")
    school = site.headers("school_user")
    assert site.client.get("/planning/plan", headers=school).status_code == 403
    assert site.client.get("/planning/scenarios", headers=school).status_code == 403
    page = site.client.get("/planning/match", headers=school)
    assert page.status_code == 200 and 'id="tab-plan"' not in page.text and 'id="nav-planning"' in page.text
    admin = site.client.get("/planning/plan", headers=site.headers("city_admin"))
    assert 'id="tab-scenarios"' in admin.text and 'id="generated-banner"' in admin.text


def test_the_plan_shows_each_change_with_its_reason_and_downloads_as_csv(site: World) -> None:
    query = "run=1&max_change=20&min_cohort=30&key_chain_bonus=1&open_new=true"  # 20 %: the form takes percent
    page = site.client.get(f"/planning/plan?{query}", headers=site.headers("city_admin"))
    assert page.status_code == 200 and 'id="table-plan-changes"' in page.text and "停招" in page.text
    body = site.client.get(f"/planning/plan.csv?{query}", headers=site.headers("county_officer"))
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert rows[0] == ["学校", "专业", "今年", "计划", "变化", "原因", "约束"] and len(rows) > 1
    assert all(int(r[3]) - int(r[2]) == int(r[4]) and r[5] for r in rows[1:])
    with site.db.engine.connect() as conn:
        county = conn.execute(sa.select(users.c.county_code).where(users.c.username == "county")).scalar_one()
        names = set(conn.execute(sa.text("SELECT name FROM institutions WHERE county_code = :c"), {"c": county}).scalars())
    assert {r[0] for r in rows[1:]} <= names
    assert 'id="max_change" name="max_change" type="number" step="5" min="5" max="100" value="20"' in page.text
    changes = page.text.split('id="table-plan-changes"')[1].split("</table>")[0]
    assert changes.count("<tr>") == 51 and 'id="plan-pager"' in page.text  # a header and 50 rows a page
    second = site.client.get(f"/planning/plan?{query}&page=2", headers=site.headers("city_admin"))
    assert second.status_code == 200 and "第 51–" in second.text
    book = openpyxl.load_workbook(io.BytesIO(site.client.get(f"/planning/plan.xlsx?{query}",
                                                             headers=site.headers("county_officer")).content))
    sheet = book.worksheets[0]
    assert sheet.title == "招生变化（每项附原因）" and [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_plan_form_errors_are_shown_beside_their_fields_never_as_json(site: World) -> None:
    admin = site.headers("city_admin")
    empty_year = site.client.get("/planning/plan?run=1&year=&max_change=20&min_cohort=30&key_chain_bonus=1", headers=admin)
    assert empty_year.status_code == 200 and 'id="plan-result"' in empty_year.text  # empty = the latest year
    bad = site.client.get("/planning/plan?run=1&year=20x4&max_change=500&min_cohort=30&key_chain_bonus=1", headers=admin)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert 'id="year-error"' in bad.text and 'id="max_change-error"' in bad.text and 'id="min_cohort-error"' not in bad.text
    assert 'value="20x4"' in bad.text and 'value="500"' in bad.text  # what was typed stays in the form


def test_a_match_upload_gives_the_result_to_download(site: World) -> None:
    files = {"file": ("志愿.json", json.dumps(MATCH).encode(), "application/json")}
    page = site.client.post("/planning/match", headers=site.headers("enterprise_user"), files=files, data={"method": "da"})
    assert page.status_code == 200 and "3 名学生中 2 名获得岗位" in page.text
    link = page.text.split('id="match-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    result = json.loads(unquote(link.split(",", 1)[1]))
    assert result == {"matching": {"p1": ["s3"], "p2": ["s1"]}, "unmatched": ["s2"]}
    bad = {"file": ("坏.json", b'{"students": {"s1": ["p9"]}, "positions": {}}', "application/json")}
    refused = site.client.post("/planning/match", headers=site.headers("enterprise_user"), files=bad, data={"method": "da"})
    assert refused.status_code == 400 and "未知岗位：p9" in refused.text


def test_scenarios_are_saved_through_the_form_and_compared(site: World) -> None:
    admin = site.headers("city_admin")
    saved = site.client.post("/planning/scenarios", headers=admin, follow_redirects=False,
                             data={"name": "页面工厂", "kind": "plant", "county": "410122", "from_year": "2024",
                                   "needs": "6-18-01-07,400,中级工"})
    assert saved.status_code == 303, saved.text[:500]
    bad = site.client.post("/planning/scenarios", headers=admin,
                           data={"name": "坏", "kind": "plan", "changes": "9410100001,999999,-5"})
    assert bad.status_code == 422 and "未知的专业代码：999999" in bad.text
    listed = site.client.get("/planning/scenarios", headers=admin)
    ident = listed.text.split('name="ids" value="')[1].split('"')[0]
    assert "中牟县 自 2024 年：多工序数控机床操作调整工（6-18-01-07）×400" in listed.text  # codes shown with their names
    page = site.client.get(f"/planning/scenarios/compare?ids={ident}", headers=admin)
    assert page.status_code == 200 and "页面工厂" in page.text and 'data-key="shortage"' in page.text
    rows = list(csv.reader(io.StringIO(site.client.get(f"/planning/scenarios/compare.csv?ids={ident}", headers=admin)
                                       .content.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "基线（现状）", "页面工厂", "页面工厂 差值"]
    english = site.client.get(f"/planning/scenarios/compare?ids={ident}&lang=en", headers=admin)
    assert "Baseline" in english.text and "Total shortage" in english.text
    deleted = site.client.post(f"/planning/scenarios/{ident}/delete", headers=admin, follow_redirects=False)
    assert deleted.status_code == 303
