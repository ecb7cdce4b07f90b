"""The dashboard in a real browser: charts drawn as SVG, the language switch, the gap drill-down by clicking
the heatmap and by a cell link, downloads, and layouts at 1280×800 and on a 768×1024 tablet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import LiveServer, log_in

PAGES = ["/", "/dashboard/counties", "/dashboard/gaps", "/dashboard/pathways", "/dashboard/schools", "/dashboard/peers"]


def wait_for_chart(page, chart: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#chart-{chart}[data-rendered='1'] svg", state="attached", timeout=15000)


def test_overview_draws_the_coupling_chart(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/")
    wait_for_chart(page, "coupling")
    assert page.locator("#chart-coupling svg").count() == 1
    assert page.locator("#chart-coupling svg path").count() > 10  # lines, bands and axes were drawn
    svg_text = page.inner_text("#chart-coupling")
    assert "四链耦合协调度" in svg_text and "良好协调" in svg_text  # title and a level band
    for chart in ("obstacles", "chain-obstacles"):
        wait_for_chart(page, chart)
    assert "生成的演示数据" in page.inner_text("#generated-banner")
    assert not errors, errors


def test_language_switch_shows_english_labels(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/")
    wait_for_chart(page, "coupling")
    assert "总览" in page.inner_text(".dash-tabs")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    wait_for_chart(page, "coupling")
    assert "Overview" in page.inner_text(".dash-tabs")
    assert "Four-chain coupling" in page.inner_text("#chart-coupling")
    assert "Download CSV" in page.inner_text("#panel-coupling")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    assert "总览" in page.inner_text(".dash-tabs")


def test_clicking_a_heatmap_cell_lists_its_majors(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/dashboard/gaps")
    wait_for_chart(page, "gap-heatmap")
    page.locator("#chart-gap-heatmap").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # let the entry animation finish
    target = page.evaluate("""() => {
        const chart = window.silianCharts['chart-gap-heatmap'];
        const cells = JSON.parse(document.getElementById('gap-cells').textContent);
        const [x, y] = chart.getOption().series[0].data[0];
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [x, y]);
        const box = document.getElementById('chart-gap-heatmap').getBoundingClientRect();
        return {x: box.left + px, y: box.top + py, classCode: cells.rows[y], chain: cells.cols[x]};
    }""")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_selector("#gap-drill #gap-cell", timeout=10000)
    drill = page.inner_text("#gap-drill")
    assert target["chain"] in drill
    codes = page.locator("#gap-drill tbody tr td:first-child").all_inner_texts()
    assert codes and all(code.startswith(target["classCode"]) for code in codes)


def test_a_cell_link_loads_the_majors_fragment(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/dashboard/gaps")
    wait_for_chart(page, "gap-heatmap")
    page.click("#panel-gap-heatmap details.chart-table summary")
    link = page.locator("#table-gap-heatmap a.drill").nth(2)
    href = link.get_attribute("href") or ""
    class_code = re.search(r"class_code=(\w+)", href).group(1)  # type: ignore[union-attr]
    link.click()
    page.wait_for_selector("#gap-drill #gap-cell", timeout=10000)
    assert page.url.endswith("/dashboard/gaps")  # htmx swapped the fragment in; no navigation
    codes = page.locator("#gap-drill tbody tr td:first-child").all_inner_texts()
    assert codes and all(code.startswith(class_code) for code in codes)


def test_csv_download_from_the_page(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/dashboard/pathways")
    wait_for_chart(page, "pathways")
    with page.expect_download() as info:
        page.click("#dl-pathways-csv")
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "中职毕业生" in data.decode("utf-8-sig")


def test_county_officer_sees_own_county_highlighted(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "county_officer")
    page.goto(f"{live_server.url}/dashboard/counties")
    wait_for_chart(page, "counties")
    assert page.locator("#own-county").is_visible()
    assert page.locator("#table-counties tr.marked").count() == 1


@pytest.mark.parametrize("width,height", [(1280, 800), (768, 1024)])
def test_pages_fit_the_screen_without_horizontal_scrolling(page, live_server: LiveServer, width: int,  # type: ignore[no-untyped-def]
                                                           height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, "city_admin")  # the widest pages: every school's row
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(".chart[data-rendered='1']", state="attached")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (path, scroll)
        chart_width = page.evaluate("document.querySelector('.chart').getBoundingClientRect().width")
        assert 0 < chart_width <= width
