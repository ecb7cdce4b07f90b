"""报告 on the web over HTTP on the demo region: a city admin's report runs to the end in the background (the
steps analysis, charts, PDF) and its PDF is a real PDF with Chinese text (pdftotext), its Excel has every table and
its HTML the region; the bounds (one report per user: 409; the server's limit: 429), who may ask for what (a county
officer only its county, other roles 403, another user's job 404), the audit records, the page and English."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from silian.domain.access import Principal
from silian.services.analysis_cache import AnalysisCache
from silian.services.report_jobs import ReportBusy, ReportJobs, ReportRenderers
from silian.storage.platform_schema import audit_log
from tests.support.demo import DemoTemplate
from tests.web.test_permissions import World, make_world


@pytest.fixture(scope="module")
def site(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("reports")
    db = demo_template.database(folder / "hub.db")
    with db.engine.connect() as conn:
        county = conn.execute(sa.text("SELECT county_code FROM institutions WHERE level = '中职' ORDER BY code")).scalar()
    yield from make_world(db, folder, {"county_officer": {"county_code": str(county)},
                                       "school_user": {"institution_code": "9410100001"}})
    db.dispose()


def wait_done(site: World, role: str, ident: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = site.get(role, f"/api/v1/reports/{ident}").json()
        if status["state"] in ("done", "failed"):
            return status  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError("the report did not finish")


def test_the_admin_report_runs_to_the_end_and_its_pdf_has_chinese_text(site: World) -> None:
    admin = site.headers("city_admin")
    started = site.client.post("/api/v1/reports", headers=admin, json={"region": "郑州市"})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] in ("queued", "running") and [s["key"] for s in job["steps"]] == ["analysis", "charts", "pdf"]
    again = site.client.post("/api/v1/reports", headers=admin, json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "report_running"
    assert site.get("county_officer", f"/api/v1/reports/{job['id']}").status_code == 404  # not the owner's
    status = wait_done(site, "city_admin", job["id"])
    assert status["state"] == "done", status
    assert [s["state"] for s in status["steps"]] == ["done"] * 3 and status["progress"] == 1
    assert status["year"] == 2024 and status["uses_generated_data"] and set(status["files"]) == {"pdf", "html", "xlsx"}
    pdf = site.get("city_admin", status["files"]["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
        assert "郑州市四链融合分析报告（2024 年）" in text and "耦合协调度" in text
    book = openpyxl.load_workbook(io.BytesIO(site.get("city_admin", status["files"]["xlsx"]).content), read_only=True)
    assert book.sheetnames[0] == "说明" and len(book.sheetnames) > 20
    assert "郑州市" in site.get("city_admin", status["files"]["html"]).text
    with site.db.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log).where(audit_log.c.entity == "reports"))]
    assert actions.count("report_start") >= 1 and actions.count("report_download") == 3
    page = site.get("city_admin", f"/reports/{job['id']}")
    assert page.status_code == 200 and 'id="download-pdf"' in page.text and "/static/js/report-progress.js" in page.text
    listing = site.get("city_admin", "/reports")
    assert f'data-report="{job["id"]}"' in listing.text and "<script>" not in listing.text.split("</head>")[1]


def test_who_may_ask_for_which_report(site: World) -> None:
    assert site.client.get("/reports", follow_redirects=False).headers["location"].startswith("/login")
    assert site.client.post("/api/v1/reports", json={}).status_code == 401
    for role in ("school_user", "enterprise_user"):
        assert site.client.post("/api/v1/reports", headers=site.headers(role), json={}).status_code == 403
        assert site.get(role, "/reports").status_code == 403
    refused = site.client.post("/api/v1/reports", headers=site.headers("county_officer"), json={"region": "410100"})
    assert refused.status_code == 403 and "本县" in refused.json()["error"]["message"]
    bad = site.client.post("/api/v1/reports", headers=site.headers("city_admin"), json={"region": "火星"})
    assert bad.status_code == 400 and bad.json()["error"]["problems"][0]["column"] == "region"
    year = site.client.post("/api/v1/reports", headers=site.headers("city_admin"), json={"year": 2010})
    assert year.status_code == 400
    page = site.get("county_officer", "/reports")
    assert page.status_code == 200 and page.text.count('<option value="41') == 1  # the own county only
    form = site.client.post("/reports", headers=site.headers("city_admin"), data={"region": "火星", "year": ""})
    assert form.status_code == 400 and 'id="region-error"' in form.text
    english = site.client.get("/reports?lang=en", headers=site.headers("city_admin")).text
    assert "Make the report" in english and "生成报告" not in english


def test_bounds_one_report_per_user_and_a_few_in_the_server(site: World) -> None:
    """Renderers that wait, so jobs stay running while the bounds are tried; the analysis is the real one."""
    gate = threading.Event()

    def slow_html(bundle: object) -> str:
        gate.wait(60)
        return "<html></html>"

    renderers = ReportRenderers(html=slow_html, xlsx=lambda b: b"", print_html=lambda b: "", pdf=lambda h: b"%PDF-")
    jobs = ReportJobs(site.db, site.settings, renderers, analyses=AnalysisCache(site.db, site.settings), workers=1,
                      max_active=2, keep_seconds=3600)
    first = Principal(role="city_admin", user_id=site.user_ids["city_admin"], username="admin")
    county_code = site.client.get("/api/v1/auth/me", headers=site.headers("county_officer")).json().get("county_code")
    second = Principal(role="county_officer", user_id=site.user_ids["county_officer"], username="county",
                       county_code=county_code)
    third = Principal(role="city_admin", user_id=10_000, username="other")
    try:
        one = jobs.submit(first)
        with pytest.raises(ReportBusy) as own:
            jobs.submit(first)
        assert own.value.reason == "own" and own.value.running == one.id
        two = jobs.submit(second)
        with pytest.raises(ReportBusy) as full:
            jobs.submit(third)
        assert full.value.reason == "full"
    finally:
        gate.set()
    assert jobs.wait(first, one.id).state == "done"
    assert jobs.wait(second, two.id).state == "done"  # the county's own report (scored at county level)
    assert jobs.clean_up(now=time.time() + 7200) >= 1 and not one.folder.exists()
    jobs.shutdown()
