"""The scenarios page in a real browser: a city admin saves a new-plant scenario and a school merger through the
form (a bad spec lists its problems and saves nothing), compares both with the baseline side by side (the
differences coloured), downloads the comparison as CSV, switches to English; no horizontal scroll at 1280×800
and 768×1024. The hub is never changed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.browser.conftest import LiveServer, log_in

PLANT_COUNTY, OCCUPATION = "410122", "6-18-01-07"


def hub_counts(server: LiveServer) -> tuple[int, int, int]:
    with server.db.engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()  # type: ignore[return-value]
                     for t in ("institutions", "major_points", "demand"))


def two_schools(server: LiveServer) -> list[str]:
    with server.db.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT code FROM institutions WHERE level = '中职' ORDER BY code LIMIT 2")).scalars())


def no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_scenarios_saved_and_compared(page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = hub_counts(live_server)
    log_in(page, live_server, "city_admin")
    page.click("#nav-planning")
    page.click("#tab-scenarios")
    page.wait_for_selector("#scenario-form")
    assert page.is_visible("#generated-banner")

    page.fill("#sc-name", "坏方案")
    page.select_option("#sc-kind", "plant")
    page.fill("#sc-county", PLANT_COUNTY)
    page.fill("#sc-year", "2024")
    page.fill("#sc-needs", "9-99-99-99,-5")
    page.click("#scenario-save")
    page.wait_for_selector("#scenario-problems")
    problems = page.inner_text("#scenario-problems")
    assert "未知的职业代码：9-99-99-99" in problems and "应为正整数" in problems
    assert page.is_visible("#no-scenarios")

    page.fill("#sc-name", "新建数控机床厂")
    page.fill("#sc-needs", f"{OCCUPATION},500")
    page.click("#scenario-save")
    page.wait_for_selector("#scenario-message")
    page.fill("#sc-name", "两校合并")
    page.select_option("#sc-kind", "merger")
    assert not page.is_visible("#fields-plant") and page.is_visible("#fields-merger")
    page.fill("#sc-schools", "\n".join(two_schools(live_server)))
    page.click("#scenario-save")
    page.wait_for_selector("#scenario-message")
    names = page.eval_on_selector_all("#table-scenarios tbody tr", "trs => trs.map(tr => tr.dataset.scenario)")
    assert names == ["新建数控机床厂", "两校合并"]

    page.check("#table-scenarios tbody tr:nth-child(1) input")
    page.check("#table-scenarios tbody tr:nth-child(2) input")
    page.click("#compare-submit")
    page.wait_for_selector("#table-comparison")
    header = page.eval_on_selector_all("#table-comparison thead th", "ths => ths.map(th => th.innerText)")
    assert header == ["指标", "基线（现状）", "新建数控机床厂", "差值", "两校合并", "差值"]
    rows = page.eval_on_selector_all("#table-comparison tbody tr", "trs => trs.map(tr => tr.dataset.key)")
    assert rows[0] == "coupling_D" and "shortage" in rows and "schools_compliant" in rows
    # the plant adds demand: a larger shortage (worse, red); the merger: one school fewer, students unchanged
    shortage = page.get_attribute("#table-comparison tr[data-key=shortage] td:nth-child(4)", "class")
    assert "worse" in (shortage or "")
    assert page.inner_text("#table-comparison tr[data-key=schools] td:nth-child(6)") == "-1"
    assert page.inner_text("#table-comparison tr[data-key=students] td:nth-child(6)") == ""
    assert no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.click("#dl-comparison-csv")
    saved = tmp_path / "compare.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").splitlines()[0].startswith("指标,基线（现状）,新建数控机床厂")

    compared = page.url
    page.click("#lang-switch")  # the switch keeps the path (not the query): open the comparison again
    page.goto(compared)
    page.wait_for_selector("#table-comparison")
    assert page.inner_text("#table-comparison thead th:first-child") == "Indicator"
    assert "Baseline" in page.inner_text("#table-comparison thead")
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        for url in (f"{live_server.url}/planning/scenarios", compared):
            page.goto(url)
            assert no_horizontal_scroll(page), (width, url)
    assert hub_counts(live_server) == before
