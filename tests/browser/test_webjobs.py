"""The web jobs in a real browser: a city admin makes the PDF report on the 报告 page (the steps filled in by
/static/js/report-progress.js) and downloads it (%PDF); a GBK postings export shows its column mapping and preview
and is imported; matching from the Excel template gives a result and an Excel download. Screenshots of every new
page in Chinese and English at 1280×800 and 390×844 (test-artifacts/screenshots/webjobs-*.png), without
horizontal scroll."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import ARTIFACTS, LiveServer, log_in
from tests.web.test_postings_upload import gbk_export

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def shoot(page, name: str, url: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """``url`` (or the page as it is) in both languages and both sizes; the page is left in Chinese at 1280×900."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = url or page.url.split("?")[0]
    for lang in ("zh", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{target}?lang={lang}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / f"webjobs-{name}-{lang}-{size}.png"), full_page=True)
            assert no_horizontal_scroll(page), (name, lang, size)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{target}?lang=zh")


def test_the_admin_makes_the_pdf_report_and_downloads_it(page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "city_admin")
    page.click("#nav-reports")
    page.wait_for_selector("#report-form")
    shoot(page, "reports")
    page.select_option("#report-year", "2024")
    page.click("#report-start")
    page.wait_for_selector("#report-job")
    assert page.get_attribute("#report-job", "data-state") in ("queued", "running", "done")
    page.wait_for_selector("#download-pdf", state="visible", timeout=600_000)  # the script saw the job finish
    assert page.get_attribute('li[data-step="pdf"]', "data-state") == "done"
    with page.expect_download() as caught:
        page.click("#download-pdf")
    saved = tmp_path / "report.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-" and saved.stat().st_size > 100_000
    shoot(page, "report-job")
    page.goto(f"{live_server.url}/reports")
    assert page.locator("#reports-table tbody tr").count() >= 1


def test_a_postings_upload_shows_the_mapping_and_imports(page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "招聘导出.csv"
    export.write_bytes(gbk_export(120))
    log_in(page, live_server, "city_admin")
    page.click("#nav-postings")
    page.wait_for_selector("#postings-form")
    shoot(page, "postings-upload")
    page.set_input_files("#postings-file", str(export))
    page.click("#postings-upload", no_wait_after=True)
    page.wait_for_selector("#mapping-table", timeout=300_000)
    assert page.input_value("#map-city") == "工作地点" and page.input_value("#map-salary") == "薪资"
    assert page.is_visible("#count-kept") and page.is_visible('#dropped-table tr[data-reason="duplicates"]')
    shoot(page, "postings-preview")
    page.select_option("#map-title", "")
    page.click("#mapping-preview", no_wait_after=True)
    page.wait_for_selector("#problem-title")
    assert page.is_disabled("#mapping-import")
    page.select_option("#map-title", "岗位名称")
    page.click("#mapping-preview", no_wait_after=True)
    page.wait_for_selector("#count-kept", timeout=300_000)
    page.click("#mapping-import", no_wait_after=True)
    page.wait_for_selector("#import-done", timeout=300_000)
    for lang, size in (("zh", "desktop"), ("zh", "phone")):
        page.set_viewport_size({"width": SIZES[size][0], "height": SIZES[size][1]})
        page.screenshot(path=str(ARTIFACTS / f"webjobs-postings-done-{lang}-{size}.png"), full_page=True)
        assert no_horizontal_scroll(page)
    page.click("#review-link")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard/postings/review")


def test_matching_from_the_excel_template(page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "school_user")
    page.goto(f"{live_server.url}/planning/match")
    with page.expect_download() as caught:
        page.click("#match-template")
    template = tmp_path / "模板.xlsx"
    caught.value.save_as(template)
    assert template.read_bytes()[:2] == b"PK"
    shoot(page, "match")
    for lang in ("zh", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/lang/{lang}?next=/planning/match")  # the cookie: the POST's answer too
            page.set_input_files("#match-file", str(template))
            page.click("#match-submit")
            page.wait_for_selector("#match-result")
            page.screenshot(path=str(ARTIFACTS / f"webjobs-match-result-{lang}-{size}.png"), full_page=True)
            assert no_horizontal_scroll(page), (lang, size)
    assert "Matched: 3 of 3 students" in page.inner_text("#match-summary")
    page.goto(f"{live_server.url}/lang/zh?next=/planning/match")
    page.set_input_files("#match-file", str(template))
    page.click("#match-submit")
    page.wait_for_selector("#match-result")
    assert page.is_visible('#match-students-table tr[data-student="S002"]')
    with page.expect_download() as result:
        page.click("#match-download")
    saved = tmp_path / "结果.xlsx"
    result.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and result.value.suggested_filename.endswith(".xlsx")
