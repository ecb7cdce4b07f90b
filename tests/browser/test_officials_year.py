"""An official's year in Debian's Chromium (issue #13, "done when"): the city admin uploads a schools sheet and a
demand sheet as Excel leaves them (codes typed as numbers, Chinese labels, 时期 as an Excel date, 来源 企业申报),
finds the new school in the records list, edits it in its form, creates a county user; the county user logs in,
must change the one-time password, and lands on the county home; the admin makes the PDF report on the web and
downloads it; the platform is restarted the way `make run` does it (`silian demo --if-empty`, then a new server on
the same database) and every uploaded row is still there. Every page of the walk is photographed in zh and en at
1280×800 and 390×844 (test-artifacts/screenshots/year/)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import xlsxwriter

from silian.services.accounts import create_user
from silian.web import create_app
from tests.browser.conftest import ARTIFACTS, PASSWORD, demo_site, serving, watch_content_security_policy
from tests.support.cli import silian
from tests.support.demo import DemoTemplate

SHOTS = ARTIFACTS / "year"
SCHOOL_CODE = 9410199901  # typed as a number: Excel shows it without quotes
SCHOOL_NAME = "郑州市年度测试职业学校"
RENAMED = "郑州市年度测试职业技术学校"
COUNTY_PASSWORD = "yellow river lamp 7"


def _schools_sheet(path: Path, county: str) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["学校代码", "学校名称", "办学层次", "举办性质", "所在县市区代码", "是否入驻职教园区"])
    sheet.write_number(1, 0, SCHOOL_CODE)
    sheet.write_row(1, 1, [SCHOOL_NAME, "中职", "公办"])
    sheet.write_number(1, 4, int(county))
    sheet.write_string(1, 5, "否")
    book.close()
    return path


def _demand_sheet(path: Path, county: str) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["来源", "区划代码", "时期", "职业代码", "技能等级", "需求人数"])
    month = book.add_format({"num_format": "yyyy-mm"})
    sheet.write_string(1, 0, "企业申报")
    sheet.write_number(1, 1, int(county))
    sheet.write_datetime(1, 2, datetime(2024, 6, 1), month)  # typed 2024-06: Excel made it a date
    sheet.write_row(1, 3, ["2-02-07-07", "不限"])
    sheet.write_number(1, 5, 37)
    book.close()
    return path


def _shoot(page: Any, url: str, name: str) -> None:
    """The page at ``url`` in zh and en, desktop and phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{url}{'&' if '?' in url else '?'}lang=zh")


def _log_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


def _uploaded_rows(db: Any) -> tuple[int, int]:
    with db.engine.connect() as conn:
        schools = conn.execute(sa.text("SELECT COUNT(*) FROM institutions WHERE code = :c AND name = :n"),
                               {"c": str(SCHOOL_CODE), "n": RENAMED}).scalar_one()
        demand = conn.execute(sa.text("SELECT COUNT(*) FROM demand WHERE source = 'declared' AND period = '2024-06' "
                                      "AND count = 37 AND is_generated = :f"), {"f": False}).scalar_one()
    return int(schools), int(demand)


def test_an_officials_year(browser: Any, demo_template: DemoTemplate, tmp_path: Path) -> None:
    settings, db = demo_site(demo_template, tmp_path / "site", "officials-year")
    with db.engine.connect() as conn:
        county, county_name = conn.execute(sa.text(
            "SELECT r.code, r.name FROM regions r JOIN institutions i ON i.county_code = r.code "
            "GROUP BY r.code, r.name ORDER BY COUNT(*) DESC, r.code")).first()
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    refused = watch_content_security_policy(page)
    with serving(create_app(settings, database=db)) as url:
        _log_in(page, url, "admin", PASSWORD)
        # the schools sheet and the demand sheet, as Excel left them
        for table, sheet in (("institutions", _schools_sheet(tmp_path / "学校.xlsx", county)),
                             ("demand", _demand_sheet(tmp_path / "需求.xlsx", county))):
            page.goto(f"{url}/data/upload?table={table}")
            page.select_option("#table", table)
            page.set_input_files("#file", str(sheet))
            page.click("#upload-submit")
            page.wait_for_selector("#outcome")
            assert page.inner_text("#count-inserted") == "1", table
        _shoot(page, f"{url}/data/upload?table=demand", "upload")

        # the school in the records list, then its form
        page.goto(f"{url}/data/records/institutions")
        page.fill("#q", SCHOOL_NAME)
        page.click("#search-submit")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("#record-count").startswith("共 1 条")
        _shoot(page, f"{url}/data/records/institutions?q={SCHOOL_NAME}", "records")
        page.click("#records tbody tr a.rec-open")
        page.wait_for_url(re.compile(r"/data/records/institutions/\d+$"))
        form_url = page.url
        assert page.input_value("#f-code") == str(SCHOOL_CODE)  # the number Excel made is a code again
        page.fill("#f-name", RENAMED)
        page.click("#save")
        page.wait_for_selector("#notice")
        _shoot(page, form_url, "record-form")

        # a county user for the school's county
        page.goto(f"{url}/admin/users/new")
        page.fill("#username", "county-year")
        page.fill("#display_name", f"{county_name}教育局")
        page.select_option("#role", "county_officer")
        page.select_option("#county_code", county)
        page.click("#create-submit")
        one_time = page.inner_text("#one-time-password").strip()
        _shoot(page, f"{url}/admin/users?q=county-year", "admin-users")

        # the county user: first login, a new password, the county's home
        officer_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        officer = officer_context.new_page()
        officer_refused = watch_content_security_policy(officer)
        _log_in(officer, url, "county-year", one_time)
        assert "/account" in officer.url
        officer.fill("#old_password", one_time)
        officer.fill("#new_password", COUNTY_PASSWORD)
        officer.fill("#new_password2", COUNTY_PASSWORD)
        officer.click("#password-submit")
        officer.wait_for_load_state("networkidle")
        officer.goto(f"{url}/home")
        assert county_name in officer.inner_text("#home-title")
        _shoot(officer, f"{url}/home", "county-home")
        _shoot(officer, f"{url}/account", "account")
        officer_context.close()
        assert not officer_refused, officer_refused

        # the report, made on the web and downloaded
        page.goto(f"{url}/reports")
        page.wait_for_selector("#report-form")
        page.click("#report-start")
        page.wait_for_selector("#download-pdf", state="visible", timeout=900_000)
        with page.expect_download() as caught:
            page.click("#download-pdf")
        report = tmp_path / "report.pdf"
        caught.value.save_as(report)
        assert report.read_bytes()[:5] == b"%PDF-"
        _shoot(page, page.url, "report-job")
    assert _uploaded_rows(db) == (1, 1)

    # `make run` again: the demo is loaded only into an empty database, then the platform serves the same file
    result = silian("--db", settings.resolved_database_url(), "demo", "--if-empty", data_dir=settings.data_dir)
    assert "未载入演示区域" in result.stderr, result.stderr
    assert _uploaded_rows(db) == (1, 1)
    with serving(create_app(settings, database=db)) as url:
        _log_in(page, url, "admin", PASSWORD)
        page.goto(f"{url}/data/records/institutions?q={RENAMED}")
        assert page.inner_text("#record-count").startswith("共 1 条")
    context.close()
    db.dispose()
    assert not refused, refused
