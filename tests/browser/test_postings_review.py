"""招聘岗位复核 in a real browser: the city admin follows the link from the postings tab, picks a code for a queued
title (the field offers the 大典 codes), saves, and sees the title leave the queue; a malformed code is stopped by
the field before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from silian.services.accounts import create_user
from silian.services.postings.confirmed_titles import load_confirmed, save_review_queue
from silian.storage.database import Database
from tests.browser.conftest import PASSWORD, demo_site, serving
from tests.support.demo import DemoTemplate

QUEUE = pl.DataFrame({"title": ["储备干部", "直播助理"], "postings": [5, 3], "occupation_code": ["5-04-01-02", "2-05-08-06"],
                      "occupation_name": ["水生植物苗种培育工", "助产士"], "confidence": [0.30, 0.45],
                      "occupation_code_2": [None, "4-01-06-02"], "occupation_name_2": [None, "互联网营销师"],
                      "confidence_2": [None, 0.31]})


@pytest.fixture(scope="module")
def review_server(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    from silian.web import create_app
    folder = tmp_path_factory.mktemp("browser-review")
    settings, db = demo_site(demo_template, folder, "browser-review")
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    save_review_queue(db, QUEUE, source="招聘.csv")
    with serving(create_app(settings, database=db)) as url:
        yield url, db
    db.dispose()


def test_the_admin_confirms_a_title_in_the_browser(page, review_server: tuple[str, Database]) -> None:  # type: ignore[no-untyped-def]
    url, db = review_server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/login?next=/dashboard/postings")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")
    page.click("#review-link a")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard/postings/review")
    assert page.locator("#table-review tbody tr").count() == 2
    assert page.locator("#occupation-codes option[value='1-06-01-02']").count() == 1  # the field's suggestions
    page.fill("#code-1", "1-06-01-02")
    page.click("#review-submit")
    page.wait_for_load_state("networkidle")
    assert "已确认 1 个新岗位名称" in page.inner_text("#review-message")
    assert page.locator("#table-review tbody tr").count() == 1
    assert page.get_attribute("#table-review tbody tr", "data-title") == "直播助理"
    assert load_confirmed(db) == {"储备干部": "1-06-01-02"}
    before = page.url
    page.fill("#code-1", "互联网营销师")  # a name, not a code: the field refuses it, nothing is sent
    page.click("#review-submit")
    assert page.eval_on_selector("#code-1", "e => e.validity.valid") is False
    assert page.url == before and load_confirmed(db) == {"储备干部": "1-06-01-02"}
    assert "2-05-08-06 助产士" in page.inner_text("#cand-1-1")  # the model's guess and its next candidate
    page.click("#cand-1-2")  # one click picks the candidate
    assert page.input_value("#code-1") == "4-01-06-02"
    page.click("#review-submit")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("#review-none")
    assert load_confirmed(db) == {"储备干部": "1-06-01-02", "直播助理": "4-01-06-02"}
    assert errors == []
