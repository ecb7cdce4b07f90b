"""The dashboard pages in-process over the demo region: every page for the public and for an admin, the
generated-data banner, the school table limited by role, the downloads (CSV with BOM, Excel), the gap
drill-down, the language switch, and repeat requests served from the kept analysis and page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.services import dashboard as dash
from silian.services import presentation as present
from silian.services import telemetry
from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from silian.web.app import create_app
from tests.support.fixtures import demo_for

PASSWORD = "dashboard-test-password"
PAGES = ["/", "/dashboard/counties", "/dashboard/gaps", "/dashboard/pathways", "/dashboard/schools", "/dashboard/peers",
         "/dashboard/forecast"]
CHARTS = {"/": ["coupling", "obstacles", "chain-obstacles"], "/dashboard/counties": ["counties", "county-u", "county-topsis"],
          "/dashboard/gaps": ["gap-heatmap", "chain-gaps", "mismatch"], "/dashboard/pathways": ["pathways", "funnel"],
          "/dashboard/schools": ["school-fails"], "/dashboard/peers": ["peers", "peer-score"],
          "/dashboard/forecast": ["forecast"]}


@dataclass
class Site:
    app: object
    db: Database
    county: str
    county_name: str
    school: str
    clients: dict[str, TestClient]


def _log_in(app: object, username: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the login form has no CSRF token"
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1),
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def _site(db: Database, folder: Path) -> Site:
    """The demo region in ``db`` (a copy of the session's) with a user of each role, served in-process."""
    with db.engine.connect() as conn:
        county, county_name = conn.execute(sa.text(
            "SELECT i.county_code, r.name FROM institutions i JOIN regions r ON r.code = i.county_code WHERE i.level = '中职' "
            "GROUP BY i.county_code, r.name HAVING COUNT(*) >= 3 ORDER BY i.county_code")).first()
        school = conn.execute(sa.text("SELECT MIN(code) FROM institutions WHERE level = '中职' AND county_code <> :c"),
                              {"c": county}).scalar_one()
        firm = conn.execute(sa.text("SELECT credit_code FROM enterprises ORDER BY credit_code")).first()[0]
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    create_user(db, username="county", password=PASSWORD, role="county_officer", county_code=county)
    create_user(db, username="school", password=PASSWORD, role="school_user", institution_code=school)
    create_user(db, username="firm", password=PASSWORD, role="enterprise_user", enterprise_credit_code=firm)
    settings = Settings(database_url="sqlite://", data_dir=folder, secret_key="dashboard-tests")
    app = create_app(settings, database=db)
    clients = {"public": TestClient(app), **{role: _log_in(app, name) for role, name in
               (("city_admin", "admin"), ("county_officer", "county"), ("school_user", "school"), ("enterprise_user", "firm"))}}
    return Site(app, db, county, county_name, school, clients)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dash")
    for db in demo_for(request, request.param, folder):
        yield _site(db, folder)


def options(html: str) -> dict[str, dict]:
    """Every chart option inlined in a page, by chart id."""
    found = re.findall(r'<script type="application/json" id="option-([\w-]+)">(.*?)</script>', html, re.DOTALL)
    return {name: json.loads(text) for name, text in found}


def school_codes(html: str) -> set[str]:
    return set(re.findall(r'data-school="(\w+)"', html))


# ---------------------------------------------------------------- every page
@pytest.mark.parametrize("role", ["public", "city_admin"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_its_charts_and_the_generated_data_banner(site: Site, path: str, role: str) -> None:
    response = site.clients[role].get(path)
    assert response.status_code == 200, response.text
    html = response.text
    assert 'id="generated-banner"' in html and "生成的演示数据" in html
    drawn = options(html)
    for chart in CHARTS[path]:
        assert f'id="chart-{chart}"' in html and chart in drawn, chart
        assert f'/dashboard/download/{chart}.csv' in html and f'/dashboard/download/{chart}.xlsx' in html
        assert f'id="table-{chart}"' in html  # every chart is also a table
    assert "郑州市" in html


def test_overview_shows_coupling_levels_cards_and_findings(site: Site) -> None:
    html = site.clients["public"].get("/").text
    coupling = options(html)["coupling"]
    assert [s["name"] for s in coupling["series"]] == ["C", "T", "D", "D 区间下限", "D 区间上限"]  # D with its band
    assert len(coupling["series"][0]["markArea"]["data"]) == 10  # the ten coordination levels
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    red = int((bundle.supply_demand.cards["card"] == "red").sum())
    assert re.search(rf'id="count-red">红牌 <b>{red}</b>', html)
    assert html.count('<tr', html.index('id="table-red-list"')) >= red
    for title in ("断头路", "散缺小", "供需链难畅", "大工匠难育"):
        assert title in html
    assert bundle.city.scores["level"][-1] in html
    latest = bundle.city.scores.row(-1, named=True)
    assert f'D = {latest["D"]:.2f}</div>' in html
    assert f'敏感性区间 {latest["D_low"]:.2f}–{latest["D_high"]:.2f}' in html


def test_language_switch_gives_english_labels(site: Site) -> None:
    client = TestClient(site.app)  # type: ignore[arg-type]
    assert "总览" in client.get("/").text
    client.get("/lang/en?next=/")
    html = client.get("/dashboard/gaps").text
    assert "Overview" in html and "Supply–demand gaps" in html and "Download CSV" in html and "总览" not in html
    assert "generated demo data" in html
    assert "Four-chain coupling" in client.get("/").text


def test_language_switch_keeps_the_query_string(site: Site) -> None:
    html = site.clients["public"].get("/dashboard/gaps?year=2023").text
    assert 'href="/lang/en?next=/dashboard/gaps%3Fyear%3D2023"' in html
    client = TestClient(site.app)  # type: ignore[arg-type]
    back = client.get("/lang/en?next=/dashboard/gaps%3Fyear%3D2023", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/dashboard/gaps?year=2023"


def test_navigation_links_depend_on_the_role(site: Site) -> None:
    public = site.clients["public"].get("/").text
    assert 'id="nav-dashboard"' in public and 'id="nav-api"' in public
    assert 'id="nav-platform"' not in public and 'id="nav-data"' not in public
    school = site.clients["school_user"].get("/dashboard/peers").text
    assert 'href="/platform"' in school and 'href="/data"' in school


def test_a_bad_year_is_refused(site: Site) -> None:
    assert site.clients["public"].get("/dashboard/gaps?year=1990").status_code == 400
    landing = site.clients["public"].get("/?year=1990")
    assert landing.status_code == 400 and "2024" in landing.text  # the years with data are named


def test_an_earlier_year_can_be_chosen(site: Site) -> None:
    html = site.clients["public"].get("/dashboard/pathways?year=2022").text
    assert "2022 年" in html and '<option value="2022" selected>' in html
    assert 'href="/dashboard/gaps?year=2022"' in html  # the tabs keep the year


# ---------------------------------------------------------------- schools by role
def test_school_table_is_limited_by_role(site: Site) -> None:
    everyone = school_codes(site.clients["city_admin"].get("/dashboard/schools").text)
    with site.db.engine.connect() as conn:
        in_county = set(conn.execute(sa.text("SELECT code FROM institutions WHERE county_code = :c"), {"c": site.county}).scalars())
    assert len(everyone) >= 90 and site.school in everyone
    county = site.clients["county_officer"].get("/dashboard/schools").text
    assert school_codes(county) == everyone & in_county and len(in_county & everyone) >= 3
    assert 'data-scope="county"' in county
    assert school_codes(site.clients["school_user"].get("/dashboard/schools").text) == {site.school}
    for role in ("public", "enterprise_user"):
        html = site.clients[role].get("/dashboard/schools").text
        assert school_codes(html) == set() and 'id="table-school-compliance"' not in html
        assert 'data-scope="none"' in html
        # the two counts are there, each with its own kind of standard
        assert re.search(r'id="school-summary">\d+ 所中职层次学校：设置标准 \d+/\d+ 所达标；办学条件达标监测 \d+/\d+ 所全部达标', html)


def test_school_download_follows_the_same_scope(site: Site) -> None:
    assert site.clients["public"].get("/dashboard/download/school-compliance.csv").status_code == 403
    assert site.clients["enterprise_user"].get("/dashboard/download/school-compliance.xlsx").status_code == 403
    rows = list(csv.reader(io.StringIO(site.clients["school_user"].get("/dashboard/download/school-compliance.csv")
                                       .content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [site.school]


def test_school_compliance_export_keeps_its_columns_and_adds_both_verdicts(site: Site) -> None:
    book = openpyxl.load_workbook(io.BytesIO(site.clients["city_admin"].get("/dashboard/download/school-compliance.xlsx").content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    labels = rows[0]
    body = [r for r in rows[1:] if r[labels.index("学校类型")]]  # the notes under the table have no school type
    old = ["代码", "学校", "县市区", "在校生", "在校生规模", "专任教师数", "生师比", "专业课教师占比", "双师型比例", "占地面积",
           "校舍面积", "仪器设备值", "生均图书"]
    assert labels[:len(old)] == old, labels  # the columns before the split, in their order
    added = ["学校类型", "设置标准（依据）", "设置标准判定", "设置标准未达项", "达标监测（依据）", "达标监测判定", "达标监测未达项"]
    assert labels[-len(added):] == added, labels
    by_type = {r[labels.index("学校类型")]: r for r in body}
    technician = by_type["技工学校"]
    assert technician[labels.index("设置标准（依据）")].startswith("《技工学校设置标准（试行）》")
    assert by_type["中职"][labels.index("设置标准（依据）")].startswith("《中等职业学校设置标准》")
    verdicts = {r[labels.index(k)] for r in body for k in ("设置标准判定", "达标监测判定")}
    assert verdicts <= {"达标", "未达标", "缺数据，无法判定", "部分核定（已核各项均达标）"} and "达标" in verdicts
    assert technician[labels.index("专任教师数")] in ("", None)  # not a threshold of 人社部发〔2012〕8号: not judged


def test_own_county_is_highlighted_for_a_county_officer(site: Site) -> None:
    html = site.clients["county_officer"].get("/dashboard/counties").text
    assert 'id="own-county"' in html and site.county_name in html
    bars = options(html)["counties"]["series"][0]["data"]
    highlighted = [i for i, v in enumerate(bars) if isinstance(v, dict)]
    assert len(highlighted) == 1
    assert options(html)["counties"]["yAxis"]["data"][highlighted[0]] == site.county_name
    assert re.search(rf'<tr class="marked">\s*<td translate="no">{site.county_name}</td>', html)
    public = site.clients["public"].get("/dashboard/counties").text
    assert 'class="marked"' not in public and 'id="own-county"' not in public


# ---------------------------------------------------------------- downloads
@pytest.mark.parametrize("chart", ["coupling", "gap-heatmap", "pathways", "peers", "red-list", "school-fails", "counties"])
def test_downloads_are_valid_csv_with_bom_and_xlsx(site: Site, chart: str) -> None:
    client = site.clients["city_admin"]
    response = client.get(f"/dashboard/download/{chart}.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert f"silian-{chart}-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    html = client.get(next(p for p, charts in CHARTS.items() if chart in charts) if chart != "red-list" else "/").text
    header = re.search(rf'<table class="data" id="table-{chart}">\s*<thead><tr>(.*?)</tr>', html, re.DOTALL)
    assert header and re.findall(r"<th[^>]*>([^<]+)</th>", header.group(1)) == rows[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/dashboard/download/{chart}.xlsx").content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == rows[0]
    assert sum(1 for r in sheet.iter_rows(min_row=2, max_row=len(rows)) if r[0].value not in (None, "")) == len(rows) - 1


def test_download_numbers_match_the_bundle(site: Site) -> None:
    rows = list(csv.reader(io.StringIO(site.clients["public"].get("/dashboard/download/coupling.csv").content.decode("utf-8-sig"))))
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    assert rows[0][0] == "年份" and rows[0][7] == "D"
    assert [int(r[0]) for r in rows[1:]] == bundle.city.scores["year"].to_list()
    assert [float(r[7]) for r in rows[1:]] == pytest.approx(bundle.city.scores["D"].to_list(), abs=1e-6)


def test_unknown_downloads_are_404(site: Site) -> None:
    client = site.clients["public"]
    assert client.get("/dashboard/download/nothing.csv").status_code == 404
    assert client.get("/dashboard/download/coupling.pdf").status_code == 404


# ---------------------------------------------------------------- drill-down
def test_drill_down_lists_the_majors_of_the_clicked_cell_and_their_schools(site: Site) -> None:
    client = site.clients["public"]
    page = client.get("/dashboard/gaps").text
    link = re.search(r'hx-get="(/dashboard/gaps/cell\?[^"]+)"', page)
    assert link, "the heatmap table has drill-down links"
    url = link.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    class_code, chain = query["class_code"][0], query["chain"][0]
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'id="gap-cell"' in fragment
    codes = re.findall(r"<tr>\s*<td[^>]*>(\w+)</td>", fragment)
    assert codes and all(code.startswith(class_code) for code in codes)  # a major's code begins with its class code
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    extras = dash.extras_for(site.db, bundle)
    table, schools = present.gap_cell(bundle, extras, class_code, chain)
    assert [r[0] for r in table.rows] == codes
    cell = bundle.supply_demand.by_class_chain.filter((bundle.supply_demand.by_class_chain["class_code"] == class_code)
                                                       & (bundle.supply_demand.by_class_chain["chain"] == chain))
    assert sum(r[5] for r in table.rows) == pytest.approx(float(cell["gap"][0]), abs=1e-6)  # the majors add up to the cell
    with site.db.engine.connect() as conn:
        for code in codes:
            expected = set(conn.execute(sa.text(
                "SELECT i.name FROM major_points m JOIN institutions i ON i.code = m.institution_code "
                "WHERE m.year = :y AND m.major_code = :c AND m.students > 0"), {"y": bundle.year, "c": code}).scalars())
            assert set(schools[code]) == expected
            for name in expected:
                assert name in fragment


def test_drill_down_works_without_javascript_and_refuses_unknown_cells(site: Site) -> None:
    client = site.clients["public"]
    html = client.get("/dashboard/gaps", params={"class_code": "6603", "chain": "装备制造"}).text
    assert 'id="gap-cell"' in html and "660301" in html and "机电技术应用" in html
    assert client.get("/dashboard/gaps/cell", params={"class_code": "0000", "chain": "装备制造"}).status_code == 404


# ---------------------------------------------------------------- pathways
def test_sankey_flows_add_up_to_the_funnel(site: Site) -> None:
    html = site.clients["public"].get("/dashboard/pathways").text
    sankey = options(html)["pathways"]["series"][0]
    assert sankey["type"] == "sankey"
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    funnel = bundle.pathways.funnel.filter(bundle.pathways.funnel["year"] == bundle.year).row(0, named=True)
    out = {}
    for link in sankey["links"]:
        out[link["source"]] = out.get(link["source"], 0) + link["value"]
    assert out == {"中职毕业生": funnel["secondary_graduates"], "高职专科毕业生": funnel["associate_graduates"]}
    assert {"source": "中职毕业生", "target": "升入高职专科等", "value": funnel["secondary_continued"]} in sankey["links"]
    assert 'id="table-dead-ends"' in html and "音乐表演" in html


# ---------------------------------------------------------------- empty database and speed
def test_the_dashboard_of_an_empty_hub_says_so(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    db.upgrade()
    client = TestClient(create_app(Settings(database_url="sqlite://", data_dir=tmp_path, secret_key="x"), database=db))
    response = client.get("/")
    assert response.status_code == 200 and 'id="dashboard-empty"' in response.text
    db.dispose()


class _Tally:
    """The analysis cache's hits and misses as reported to telemetry (held weakly: gone with the test)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def listen(self, event: str, amount: float, labels: dict[str, str]) -> None:
        if event == "analysis_cache":
            self.counts[labels["result"]] += int(amount)


def test_repeat_requests_are_served_from_the_kept_analysis_and_page(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a page was shown, asking again computes no analysis (no cache miss), reads neither the region list, nor
    the user's default region, nor the page's extras again, and answers the same page."""
    reads: Counter[str] = Counter()
    for name in ("default_region", "region_choices", "extras_for"):
        original = getattr(dash, name)

        def counted(*args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            reads[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(dash, name, counted)
    paths = [*PAGES, *(f"{path}?region={site.county}" for path in PAGES)]
    first = {(role, path): site.clients[role].get(path) for role in ("city_admin", "school_user") for path in paths}
    assert all(response.status_code == 200 for response in first.values())
    tally = _Tally()
    telemetry.subscribe(tally.listen)
    reads.clear()
    again = {(role, path): site.clients[role].get(path) for role, path in first}
    assert tally.counts["miss"] == 0 and tally.counts["hit"] >= len(first)
    assert not reads, reads
    assert all(again[key].text == first[key].text for key in first)


# ---------------------------------------------------------------- one presenter: every renderer agrees
def _html_table(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """The header labels and the cells (as text) of ``<table id="table-<id>">`` in a page."""
    found = re.search(rf'<table[^>]* id="table-{table_id}"[^>]*>(.*?)</table>', html, re.DOTALL)
    assert found, table_id

    def text(cell: str) -> str:
        return unescape(re.sub(r"<[^>]+>", "", cell)).strip()
    head, body = found.group(1).split("</thead>")
    headers = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.DOTALL)]
    found_rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    rows = [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in found_rows]
    return headers, rows


AGREEING = [("coupling", "/"), ("chain-gaps", "/dashboard/gaps"), ("grow", "/dashboard/gaps"), ("cut", "/dashboard/gaps"),
            ("forecast", "/dashboard/forecast")]


@pytest.mark.parametrize(("table_id", "page"), AGREEING)
def test_dashboard_table_download_report_and_api_agree(site: Site, table_id: str, page: str) -> None:
    """The coupling and supply–demand gap tables: the dashboard's table, its CSV download, the report's table and
    the JSON API have the same rows, the same labels and the same numbers."""
    from silian.reports.report import render_html
    client = site.clients["public"]
    headers, cells = _html_table(client.get(page).text, table_id)
    bundle = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    report_headers, report_cells = _html_table(render_html(bundle), table_id)
    download = list(csv.reader(io.StringIO(client.get(f"/dashboard/download/{table_id}.csv").content.decode("utf-8-sig"))))
    api = client.get(f"/api/v1/analysis/tables/{table_id}").json()
    labels = [c["label"] for c in api["columns"]]
    assert headers == report_headers == download[0] == labels
    assert cells == report_cells and len(cells) == len(download) - 1 == len(api["rows"]) > 0
    for column, (key, kind) in enumerate((c["key"], c["kind"]) for c in api["columns"]):
        raw = [r[key] for r in api["rows"]]
        shown = [present.show(v, kind) for v in raw]
        assert shown == [row[column] for row in cells], key  # the API's values are what the page and report show
        if kind in ("int", "num2", "num3", "num4", "pct", "gap_ratio"):
            assert [float(r[column]) for r in download[1:]] == pytest.approx(raw, abs=0.5 if kind == "int" else 1e-6), key
        elif kind in ("level", "card", "chain", "reasons"):
            assert [r[f"{key}_name"] for r in api["rows"]] == [r[column] for r in download[1:]], key
        else:
            assert [str(v) for v in raw] == [r[column] for r in download[1:]], key
    summary = client.get("/api/v1/analysis/summary").json()
    subject = client.get("/api/v1/analysis/" + {"coupling": "coupling", "forecast": "forecast"}.get(table_id, "supply-demand")).json()
    assert summary["tables"][table_id]["rows"] == subject["tables"][table_id]["rows"] == api["rows"]


def test_the_forecast_page_shows_intervals_methods_in_words_and_the_assumption(site: Site) -> None:
    html = site.clients["public"].get("/dashboard/forecast").text
    headers, cells = _html_table(html, "forecast")
    assert {"岗位需求（人）", "岗位需求下限（人）", "岗位需求上限（人）", "回测误差 MASE", "预测方法"} <= set(headers)
    method = headers.index("预测方法")
    assert {row[method] for row in cells} == {"朴素法（沿用最近一年的值）"}
    assert "假设值" in html and "少于 12 年" in html and "岗位空缺" not in html
    client = TestClient(site.app)  # type: ignore[arg-type]
    client.get("/lang/en?next=/")
    english = client.get("/dashboard/forecast").text
    assert "Job openings (demand)" in english and "an assumption" in english and "the naive forecast" in english


def test_the_public_api_shows_no_more_schools_than_the_public_dashboard(site: Site) -> None:
    """Issue #14: the public analysis API listed the school codes of merger plans and small cohorts that the public
    dashboard hides; callers who see no school get counts only, an admin the schools."""
    codes = set(sa_codes(site.db))
    for role in ("public", "enterprise_user"):
        for route in ("/api/v1/analysis/schools", "/api/v1/analysis/summary"):
            text = site.clients[role].get(route).text
            assert not {code for code in codes if code in text}, (role, route)
    public = site.clients["public"].get("/api/v1/analysis/schools").json()
    assert public["simulations"] and all("merges" not in s and s["schools_merged"] >= 0 for s in public["simulations"])
    admin = site.clients["city_admin"].get("/api/v1/analysis/schools").json()
    assert any(s["merges"] for s in admin["simulations"]) and any(r["institution_codes"] for r in admin["small_cohorts"])


def sa_codes(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [code for (code,) in conn.execute(sa.text("SELECT code FROM institutions"))]
