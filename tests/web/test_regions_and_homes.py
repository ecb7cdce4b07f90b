"""Any region, chosen; a home for each role; pages that explain themselves — over the demo region in-process.

The region is a parameter of the dashboard and the analysis API (a county's analysis is its own and agrees with its
row in the city's county comparison); each role lands on its own home and sees only its own county, school or
enterprise; every 说明 links to a method card served by the app; the year chooser moves the headline."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.services import dashboard as dash
from silian.services import presentation as present
from silian.services.analysis import county_caveats
from silian.services.hub import HubSnapshot, load_hub
from silian.services.hub_scope import scope_hub
from tests.support.fixtures import demo_for
from tests.web.test_dashboard_pages import PASSWORD, Site, _site


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("homes")
    for db in demo_for(request, request.param, folder):
        yield _site(db, folder)


def headline(html: str) -> str:
    found = re.search(r'<div class="kpi-value">(D = [0-9.]+)</div>', html)
    assert found, "no headline D on the page"
    return found.group(1)


# ---------------------------------------------------------------- any region, chosen
def test_a_county_analysis_agrees_with_its_row_in_the_city_comparison(site: Site) -> None:
    analyses = site.app.state.analysis  # type: ignore[attr-defined]
    city, county = analyses.get(None, None, "zh"), analyses.get(site.county, None, "zh")
    assert county.level == "county" and county.region_code == site.county and county.counties is None
    row = present.coupling_row(county)
    assert row is not None
    in_city = city.counties.scores.filter((city.counties.scores["region_code"] == site.county)
                                          & (city.counties.scores["year"] == row["year"]))
    assert in_city["D"][0] == pytest.approx(row["D"], abs=1e-9)  # the same indicators and benchmarks
    assert county.schools.compliance["county_code"].unique().to_list() == [site.county]
    assert any("全市开设" in c for c in county.caveats)  # dead ends judged against the city, and it says so
    assert any("未分到县" in c for c in county.caveats)  # city-wide demand is not split over counties


def test_a_county_with_few_schools_says_its_figures_are_thin(site: Site) -> None:
    whole = load_hub(site.db)
    county = scope_hub(whole, site.county)
    assert not any("只宜参考" in c for c in county_caveats(whole, county, site.county, site.county_name))
    two = HubSnapshot({**county.tables, "institutions": county["institutions"].head(2)}, county.generated)
    assert any("只有 2 所学校" in c and "只宜参考" in c for c in county_caveats(whole, two, site.county, site.county_name))


def test_the_api_takes_a_region_code_and_refuses_unknown_ones_in_the_one_error_shape(site: Site) -> None:
    client = site.clients["public"]
    county = client.get(f"/api/v1/analysis/coupling?region={site.county}").json()
    assert county["region_code"] == site.county and county["region_level"] == "county" and county["caveats"]
    assert county["scores"] and county["region_name"] == site.county_name
    unknown = client.get("/api/v1/analysis/pathways?region=999999")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert "999999" in unknown.json()["error"]["message"]
    province = client.get("/api/v1/analysis/summary?region=410000")
    assert province.status_code == 400 and province.json()["error"]["code"] == "invalid_input"
    # the OpenAPI document is for signed-in users by default (the api_docs setting)
    described = site.clients["city_admin"].get("/api/v1/openapi.json").json()["paths"]["/api/v1/analysis/coupling"]["get"]["parameters"]
    assert "GB/T 2260" in next(p for p in described if p["name"] == "region")["description"]


def test_the_dashboard_chooses_a_region_and_keeps_it_in_every_link(site: Site) -> None:
    html = site.clients["public"].get(f"/dashboard/gaps?region={site.county}&year=2023").text
    assert f"<h1>{site.county_name} · 2023 年</h1>" in html
    assert f'<option value="{site.county}" selected>' in html and '<optgroup label="郑州市">' in html
    assert f'href="/dashboard/schools?region={site.county}&amp;year=2023"' in html  # the tabs keep both
    assert f"/dashboard/download/chain-gaps.csv?region={site.county}&amp;year=2023" in html
    english = TestClient(site.app, cookies={"silian_lang": "en"}).get(f"/?region={site.county}").text
    assert dash.english_region_name(site.county_name) in english and '<optgroup label="Zhengzhou">' in english
    missing = site.clients["public"].get("/dashboard/gaps?region=999999", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "999999" in missing.text and "<html" in missing.text


def test_users_start_on_their_own_county_and_a_county_is_compared_within_its_city(site: Site) -> None:
    assert f"<h1>{site.county_name} · " in site.clients["county_officer"].get("/").text
    assert "<h1>郑州市 · " in site.clients["city_admin"].get("/").text
    counties = site.clients["public"].get(f"/dashboard/counties?region={site.county}").text
    assert 'id="chart-counties"' in counties and re.search(rf'<tr class="marked">\s*<td translate="no">{site.county_name}</td>', counties)


def test_english_region_names() -> None:
    assert dash.english_region_name("郑州市") == "Zhengzhou"
    assert dash.english_region_name("中牟县") == "Zhongmu County"
    assert dash.english_region_name("管城回族区") == "Guancheng Hui District"
    assert dash.english_region_name("郑州经济技术开发区") == "Zhengzhou Economic and Technological Development Zone"


# ---------------------------------------------------------------- the year moves every figure
def test_changing_the_year_changes_the_headline(site: Site) -> None:
    client = site.clients["public"]
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    scores = dict(bundle.city.scores.select("year", "D").iter_rows())
    years = sorted(scores)
    first, last = years[0], years[-1]
    assert round(scores[first], 2) != round(scores[last], 2), "the demo's D should differ between these years"
    assert headline(client.get(f"/?year={last}").text) == f"D = {scores[last]:.2f}"
    earlier = client.get(f"/?year={first}").text
    assert headline(earlier) == f"D = {scores[first]:.2f}" and f"（{first} 年）" in earlier
    assert f"主要障碍因子（{first}）" in earlier  # the obstacles follow the year too


# ---------------------------------------------------------------- homes
def test_each_role_lands_on_its_home_after_logging_in(site: Site) -> None:
    for role, username, target in (("county_officer", "county", "/home"), ("city_admin", "admin", "/")):
        client = TestClient(site.app)  # type: ignore[arg-type]
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
                           follow_redirects=False)
        assert done.headers["location"] == target, role
    assert site.clients["public"].get("/home", follow_redirects=False).headers["location"] == "/"


def test_the_county_home_shows_its_score_schools_gaps_and_what_to_do_and_nothing_of_other_counties(site: Site) -> None:
    html = site.clients["county_officer"].get("/home").text
    assert site.county_name in html and 'id="kpi-coupling"' in html and "敏感性区间" in html
    assert re.search(r'id="county-rank">全市 \d+ 个县（市、区）中排第 \d+', html)
    assert 'id="home-todo"' in html and html.count("<li>", html.index('id="home-todo"')) >= 1
    with site.db.engine.connect() as conn:
        own = set(conn.execute(sa.text("SELECT code FROM institutions WHERE county_code = :c"), {"c": site.county}).scalars())
    shown = set(re.findall(r'data-school="(\w+)"', html))
    assert shown and shown <= own
    assert 'id="table-chain-gaps"' in html and 'id="about-coupling"' in html


def test_the_school_home_shows_its_compliance_majors_and_dead_ends_only(site: Site) -> None:
    html = site.clients["school_user"].get("/home").text
    with site.db.engine.connect() as conn:
        name = conn.execute(sa.text("SELECT name FROM institutions WHERE code = :c"), {"c": site.school}).scalar_one()
    assert name in html and 'id="kpi-setting"' in html and 'id="kpi-monitoring"' in html
    assert 'id="table-home-checks"' in html and 'id="table-home-majors"' in html and "home-dead-ends" in html
    assert 'data-school=' not in html  # no other school's row
    assert 'id="table-home-posts"' in html or 'id="panel-home-posts"' in html


def test_the_enterprise_home_recommends_partner_schools_from_its_demand(site: Site) -> None:
    html = site.clients["enterprise_user"].get("/home").text
    assert 'id="panel-home-posts"' in html and 'id="panel-home-partners"' in html
    with site.db.engine.connect() as conn:
        declared = conn.execute(sa.text("SELECT COUNT(*) FROM demand d JOIN enterprises e ON "
                                        "e.credit_code = d.enterprise_credit_code WHERE d.source = 'declared' "
                                        "AND e.credit_code = (SELECT MIN(credit_code) FROM enterprises)")).scalar_one()
    if declared:
        assert 'id="table-home-partners"' in html


# ---------------------------------------------------------------- pages that explain themselves
def test_every_about_box_links_to_a_method_card_the_app_serves(site: Site) -> None:
    client = site.clients["public"]
    for about in {present.about(key) for key in present.ABOUT}:
        assert about is not None and about.text and not about.text.startswith("about_")
        for name in about.methods:
            assert name in present.method_cards.card_names(), name
    html = client.get("/").text
    links = set(re.findall(r'href="/methods/(\w+)"', html))
    assert {"coupling", "obstacle_degree", "warning_cards"} <= links
    card = client.get("/methods/coupling")
    assert card.status_code == 200 and "<h1>" in card.text and "D = sqrt(C · T)" in card.text
    assert client.get("/methods").status_code == 200
    assert client.get("/methods/nope", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/methods/..%2Fsettings").status_code == 404


def test_table_headers_carry_units_in_the_page_language(site: Site) -> None:
    assert "缺口（人/年）" in site.clients["public"].get("/dashboard/gaps").text
    english = TestClient(site.app, cookies={"silian_lang": "en"}).get("/dashboard/pathways").text  # type: ignore[arg-type]
    assert "Graduates (persons)" in english and "（人）" not in english


def test_excel_sheets_are_named_in_the_page_language(site: Site) -> None:
    import io

    import openpyxl

    zh = openpyxl.load_workbook(io.BytesIO(site.clients["public"].get("/dashboard/download/coupling.xlsx").content))
    assert zh.sheetnames == ["四链耦合协调度（C、T、D）"[:31]]
    english = TestClient(site.app, cookies={"silian_lang": "en"})  # type: ignore[arg-type]
    en = openpyxl.load_workbook(io.BytesIO(english.get("/dashboard/download/coupling.xlsx").content))
    assert en.sheetnames[0].isascii() and "coupling" != en.sheetnames[0]
