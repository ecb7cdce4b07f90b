"""招聘岗位复核 over HTTP: the review queue saved by `silian postings import --load`, answered by the city admin in
the browser form. Roles (the public to the login page, every other role refused), the answers stored exactly as
`silian postings confirm` stores them (a bad code rejects the whole form and stores nothing), confirmed titles
leaving the queue, the CSV downloads and the English labels."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from silian.services.postings.confirmed_titles import load_confirmed, save_review_queue
from silian.storage.database import Database
from silian.storage.platform_schema import audit_log
from silian.storage.postings_schema import confirmed_titles
from tests.support.demo import DemoTemplate
from tests.web.test_permissions import ROLES, World, make_world

PATH = "/dashboard/postings/review"
QUEUE = pl.DataFrame({"title": ["储备干部", "直播助理", "前台"], "postings": [5, 3, 1],
                      "occupation_code": ["5-04-01-02", "2-05-08-06", "4-03-01-01"],
                      "occupation_name": ["水生植物苗种培育工", "助产士", "前厅服务员"], "confidence": [0.30, 0.45, 0.41],
                      "occupation_code_2": ["1-06-01-02", "4-01-06-02", None], "occupation_name_2": ["企业经理", "互联网营销师", None],
                      "confidence_2": [0.2, 0.31, None]})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[World]:
    db = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    db.upgrade()
    save_review_queue(db, QUEUE, source="招聘.csv")
    yield from make_world(db, tmp_path)
    db.dispose()


def stored(db: Database) -> list[tuple]:  # type: ignore[type-arg]
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(confirmed_titles))]


def rows_of(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr data-title="')[1:]]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_city_admin_reviews(site: World, role: str) -> None:
    h = site.headers(role)
    for url in (PATH, PATH + ".csv", "/dashboard/postings/confirmed.csv"):
        response = site.client.get(url, headers=h, follow_redirects=False)
        expected = {"public": 303, "city_admin": 200}.get(role, 403)
        assert response.status_code == expected, (url, role)
        if role == "public":
            assert response.headers["location"].startswith("/login")
    posted = site.client.post(PATH, data={"title_1": "储备干部", "code_1": "1-06-01-02"}, headers=h, follow_redirects=False)
    assert posted.status_code == {"public": 303, "city_admin": 303}.get(role, 403)
    assert load_confirmed(site.db) == ({"储备干部": "1-06-01-02"} if role == "city_admin" else {})


def test_answers_are_stored_and_leave_the_queue(site: World) -> None:
    admin = site.headers("city_admin")
    page = site.client.get(PATH, headers=admin)
    assert rows_of(page.text) == ["储备干部", "直播助理", "前台"]
    assert "待复核：3 个岗位名称，9 条招聘" in page.text and "来源：招聘.csv" in page.text
    second = re.search(r'<button [^>]*id="cand-2-2"[^>]*>([^<]*)</button>', page.text)
    assert second and second.group(1) == "4-01-06-02 互联网营销师" and 'data-code="4-01-06-02"' in second.group(0)
    assert 'id="cand-3-2"' not in page.text  # no second candidate for 前台
    assert 'list="occupation-codes"' in page.text and '<option value="1-06-01-02">企业经理</option>' in page.text
    done = site.client.post(PATH, data={"title_1": "储备干部", "code_1": "1-06-01", "title_2": "直播助理", "code_2": "",
                                        "title_3": "前台", "code_3": "4-07-03-01"}, headers=admin)
    assert done.status_code == 200 and "已确认 2 个新岗位名称" in done.text  # after the redirect
    assert load_confirmed(site.db) == {"储备干部": "1-06-01-00", "前台": "4-07-03-01"}
    assert rows_of(done.text) == ["直播助理"] and "待复核：1 个岗位名称，3 条招聘" in done.text
    sheet = list(csv.reader(io.StringIO(site.client.get(PATH + ".csv", headers=admin).content.decode("utf-8-sig"))))
    assert sheet[0][-1] == "confirmed_code" and [r[0] for r in sheet[1:]] == ["直播助理"]
    confirmed = list(csv.reader(io.StringIO(site.client.get("/dashboard/postings/confirmed.csv", headers=admin)
                                            .content.decode("utf-8-sig"))))
    assert {(r[0], r[1]) for r in confirmed[1:]} == {("储备干部", "1-06-01-00"), ("前台", "4-07-03-01")}
    assert {r[4] for r in confirmed[1:]} == {"web:admin"}
    with site.db.engine.connect() as conn:
        audit = conn.execute(sa.select(audit_log.c.username, audit_log.c.after).where(audit_log.c.action == "confirm")).all()
    assert [(a.username, json.loads(a.after)) for a in audit] == [("admin", {"储备干部": "1-06-01-00", "前台": "4-07-03-01"})]


def test_a_bad_code_rejects_the_whole_form(site: World) -> None:
    admin = site.headers("city_admin")
    site.client.post(PATH, data={"title_1": "前台", "code_1": "4-07-03-01"}, headers=admin)
    before = stored(site.db)
    refused = site.client.post(PATH, data={"title_1": "储备干部", "code_1": "1-06-01-02", "title_2": "直播助理",
                                           "code_2": "9-99-99"}, headers=admin)
    assert refused.status_code == 422 and 'id="review-error"' in refused.text
    problems = refused.text[refused.text.index('id="review-problems"'):]
    assert "#2" in problems and "9-99-99" in problems and "不是职业分类大典" in problems
    assert 'value="9-99-99"' in refused.text and 'value="1-06-01-02"' in refused.text  # the answers are kept
    assert stored(site.db) == before and len(before) == 1


def test_english_and_the_link_from_the_postings_tab(site: World) -> None:
    admin = site.headers("city_admin")
    site.client.get("/lang/en?next=/", headers=admin)
    page = site.client.get(PATH, headers=admin)
    assert "Review of job titles" in page.text and "Waiting: 3 titles, 9 postings" in page.text
    site.client.get("/lang/zh?next=/", headers=admin)


def test_the_postings_tab_links_the_review_for_the_city_admin(demo_template: DemoTemplate, tmp_path: Path) -> None:
    db = demo_template.database(tmp_path / "hub.db")  # a copy of the session's demo region
    for world in make_world(db, tmp_path, {"county_officer": {"county_code": "410122"}}):
        tab = world.client.get("/dashboard/postings", headers=world.headers("city_admin"))
        assert tab.status_code == 200 and 'href="/dashboard/postings/review"' in tab.text
        assert 'id="review-link"' not in world.client.get("/dashboard/postings", headers=world.headers("county_officer")).text
        assert 'id="review-link"' not in world.client.get("/dashboard/postings").text
    db.dispose()


def test_without_a_loaded_queue_the_page_says_how(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    db.upgrade()
    for world in make_world(db, tmp_path):
        page = world.client.get(PATH, headers=world.headers("city_admin"))
        assert page.status_code == 200 and 'id="review-no-load"' in page.text and "--load" in page.text
    db.dispose()
