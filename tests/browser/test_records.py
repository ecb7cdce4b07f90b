"""Records in a real browser: the city admin finds a school in the list by searching, opens its form, renames it and
sees the change; a bad value gets its message beside the field; the county field's picker finds 金水区 by its pinyin
initials. A school user cannot open another school's form (a 403 page says why). Screenshots of the list and the
form in Chinese and English at 1280×800 and 390×844 go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.browser.conftest import ARTIFACTS, LiveServer, log_in

VIEWPORTS = ((1280, 800), (390, 844))


def another_school(server: LiveServer) -> tuple[int, str, str]:
    """``(id, code, name)`` of a school that is not the school user's."""
    with server.db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, code, name FROM institutions WHERE code <> :code ORDER BY code"),
                           {"code": server.school_code}).first()
    assert row is not None
    return int(row[0]), str(row[1]), str(row[2])


def stored_name(server: LiveServer, school_id: int) -> str:
    with server.db.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT name FROM institutions WHERE id = :id"), {"id": school_id}).scalar_one())


def test_admin_finds_a_school_renames_it_and_sees_a_bad_value_beside_its_field(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    school_id, code, name = another_school(live_server)
    log_in(page, live_server, "city_admin")
    page.goto(f"{live_server.url}/data")
    page.click("#table-institutions a")
    page.fill("#q", name)
    page.click("#search-submit")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#record-count").startswith("共 1 条")
    page.click(f'#records tr[data-id="{school_id}"] a.rec-open')
    page.wait_for_url(re.compile(rf"/data/records/institutions/{school_id}$"))
    assert page.input_value("#f-code") == code

    renamed = name + "（新校名）"
    try:
        page.fill("#f-name", renamed)
        page.click("#save")
        page.wait_for_selector("#notice")
        assert page.input_value("#f-name") == renamed and stored_name(live_server, school_id) == renamed

        page.fill("#f-county_code", "jsq")  # the picker: 金水区 by its pinyin initials
        page.wait_for_selector(".picker-list li[data-index]")
        assert "金水区" in page.inner_text(".picker-list li[data-index='0']")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.input_value("#f-county_code") == "410105" and page.inner_text("#f-county_code-name") == "金水区"

        page.fill("#f-county_code", "999999")
        page.fill("#f-name", "不应保存")
        page.click("#save")
        page.wait_for_selector("#f-county_code-error")
        assert "在数据库中找不到该行政区划" in page.inner_text("#f-county_code-error")
        assert page.locator("#f-name-error").count() == 0
        assert page.get_attribute("#f-county_code", "aria-invalid") == "true"
        assert stored_name(live_server, school_id) == renamed  # nothing written
    finally:
        page.goto(f"{live_server.url}/data/records/institutions/{school_id}")
        page.fill("#f-name", name)
        page.click("#save")
        page.wait_for_selector("#notice")
    assert stored_name(live_server, school_id) == name


def test_a_school_user_cannot_open_another_schools_form(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    school_id, _, name = another_school(live_server)
    log_in(page, live_server, "school_user")
    response = page.goto(f"{live_server.url}/data/records/institutions/{school_id}")
    assert response is not None and response.status == 403
    text = page.inner_text("#error-page")
    assert live_server.school_code in text and name not in text


def test_screenshots_of_the_list_and_the_form(browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    with live_server.db.engine.connect() as conn:
        points = conn.execute(sa.text("SELECT id FROM major_points WHERE institution_code = :code ORDER BY id"),
                              {"code": live_server.school_code}).scalar()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        for width, height in VIEWPORTS:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            log_in(page, live_server, "school_user")
            page.goto(f"{live_server.url}/lang/{lang}?next=/data")  # the language switch's cookie
            page.goto(f"{live_server.url}/data/records/major_points")
            assert page.locator("#records tbody tr").count() > 0
            page.screenshot(path=str(ARTIFACTS / f"records_list_{lang}_{width}.png"))
            page.goto(f"{live_server.url}/data/records/major_points/{points}")
            page.fill("#f-enrolment", "很多")
            page.click("#save")
            page.wait_for_selector("#f-enrolment-error")
            page.screenshot(path=str(ARTIFACTS / f"records_form_{lang}_{width}.png"), full_page=True)
            context.close()
