"""The posting-demand view in a real browser: reached from the dashboard tabs; without postings it says so and
shows the import command; with postings (a server of its own, so the shared demo stays without them) its four
charts draw as SVG, the known bias is visible at the top, the CSV downloads, and the language switch works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import LiveServer, demo_site, serving
from tests.support.demo import DemoTemplate
from tests.web.test_dashboard_postings import import_postings

CHARTS = ("posting-occupations", "posting-classes", "posting-counties", "posting-salaries")


@pytest.fixture(scope="module")
def posting_server(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from silian.web import create_app
    folder = tmp_path_factory.mktemp("browser-postings")
    settings, db = demo_site(demo_template, folder, "browser-postings")
    import_postings(db, folder)
    with serving(create_app(settings, database=db)) as url:
        yield url
    db.dispose()


def test_without_postings_the_view_explains_how_to_import(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/")
    page.click("#tab-postings")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard/postings")
    assert page.is_visible("#posting-bias") and "少报制造业操作工" in page.inner_text("#posting-bias")
    assert page.is_visible("#postings-empty")
    assert page.inner_text("#postings-command") == "silian postings import 招聘数据.csv --load"


def test_posting_charts_bias_download_and_english(page, posting_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{posting_server}/dashboard/postings")
    for chart in CHARTS:
        page.wait_for_selector(f"#chart-{chart}[data-rendered='1'] svg", state="attached", timeout=15000)
        assert page.locator(f"#chart-{chart} svg path").count() > 3
    bias = page.locator("#posting-bias")
    assert bias.is_visible() and bias.bounding_box()["y"] < page.locator("#panel-posting-occupations").bounding_box()["y"]
    assert "统计推算需求中占" in page.inner_text("#posting-bias-figure")
    assert "招聘需求最多的职业" in page.inner_text("#chart-posting-occupations")
    with page.expect_download() as download_info:
        page.click("#dl-posting-salaries-csv")
    saved = tmp_path / "salaries.csv"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf") and "全部招聘" in saved.read_text(encoding="utf-8-sig")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#chart-posting-occupations[data-rendered='1'] svg", state="attached", timeout=15000)
    assert "Known bias" in page.inner_text("#posting-bias")
    assert "Occupations with the most postings" in page.inner_text("#chart-posting-occupations")
    assert "Postings" in page.inner_text(".dash-tabs")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    assert not errors, errors
