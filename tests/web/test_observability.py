"""Observability: a request id on every request and log line, JSON access lines that never hold a secret, the
health and readiness probes, and the Prometheus metrics with their access setting (off, loopback, token)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silian.services.accounts import create_user
from silian.services.imports import import_file
from silian.settings import Settings
from silian.storage.database import Database
from silian.web import create_app
from silian.web.observability import JsonLines
from tests.support.demo import DemoTemplate

PASSWORD = "correct horse battery staple 42"
LOOPBACK = ("127.0.0.1", 50000)


def app_over(db: Database, folder: Path, **settings: object):  # type: ignore[no-untyped-def]
    return create_app(Settings(database_url=db.url, data_dir=folder, secret_key="k", **settings), database=db)


@pytest.fixture
def hub(sqlite_hubs, tmp_path: Path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated SQLite hub (the web-only behaviour here does not depend on the backend)."""
    with sqlite_hubs.database(tmp_path) as database:
        yield database


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the platform logs while the test runs, formatted as `silian serve` does (JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("silian")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_each_request_has_an_id_that_comes_back(hub: Database, tmp_path: Path) -> None:
    with TestClient(app_over(hub, tmp_path)) as client:
        given = client.get("/healthz", headers={"X-Request-ID": "edge-proxy.42_a"})
        assert given.headers["x-request-id"] == "edge-proxy.42_a"
        made = client.get("/api/v1/nowhere").headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        for insane in ("two words", "x" * 65, "<script>", "a/b", ""):
            replaced = client.get("/healthz", headers={"X-Request-ID": insane}).headers["x-request-id"]
            assert replaced != insane and re.fullmatch(r"[0-9a-f]{32}", replaced)
        assert client.get("/healthz").headers["x-request-id"] != client.get("/healthz").headers["x-request-id"]


def test_access_lines_are_json_with_the_route_template_and_no_secret(db: Database, tmp_path: Path,
                                                                    log_lines: io.StringIO) -> None:
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    with TestClient(app_over(db, tmp_path)) as client:
        form = client.get("/login")
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        login = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf},
                            follow_redirects=False)
        assert login.status_code == 303
        cookie = client.cookies.get("silian_session")
        wrong = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD + "x"})
        assert wrong.status_code == 401
        issued = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        token = issued.json()["token"]
        client.cookies.clear()
        made = client.post("/api/v1/regions", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-1"},
                           json={"code": "410100", "name": "郑州市", "level": "市"})
        assert made.status_code == 201
        client.get(f"/api/v1/regions/{made.json()['id']}?token={token}", headers={"Authorization": f"Bearer {token}"})
    text = log_lines.getvalue()
    for secret in (PASSWORD, token, cookie, csrf):
        assert secret and secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["logger"] == "silian.access"]
    assert {"time", "level", "request_id", "method", "route", "status", "duration_ms"} <= set(access[-1])
    by_id = [line for line in access if line["request_id"] == "req-1"]
    assert by_id and by_id[0]["route"] == "/api/v1/regions" and by_id[0]["status"] == 201
    assert access[-1]["route"] == "/api/v1/regions/{record_id}" and access[-1]["method"] == "GET"
    assert any(line["route"] == "/login" and line["status"] == 303 for line in access)
    assert any(line["route"] == "/api/v1/auth/token" and line["status"] == 401 for line in access)


def test_readiness_needs_a_reachable_migrated_database(db: Database, tmp_path: Path) -> None:
    with TestClient(app_over(db, tmp_path)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}
    if db.dialect != "sqlite":
        return
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # reachable, not migrated
    with TestClient(app_over(empty, tmp_path)) as client:
        assert client.get("/healthz").status_code == 200  # the process is alive
        r = client.get("/readyz")
        assert r.status_code == 503 and set(r.json()) == {"error"} and r.json()["error"]["code"] == "not_ready"
        assert "silian db upgrade" in r.json()["error"]["message"]
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    unreachable = Database(f"sqlite:///{tmp_path / 'a-file' / 'hub.db'}")  # cannot be opened
    with TestClient(app_over(unreachable, tmp_path)) as client:
        r = client.get("/readyz?lang=en")
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
        assert "unreachable" in r.json()["error"]["message"]


def metric(text: str, name: str, **labels: str) -> float:
    """One sample of the Prometheus text ``text`` (0 when absent)."""
    for line in text.splitlines():
        sample = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if sample and sample.group(1) == name:
            found = dict(re.findall(r'(\w+)="([^"]*)"', sample.group(2) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(sample.group(3))
    return 0.0


def test_metrics_count_requests_and_imports_and_only_loopback_reads_them(hub: Database, tmp_path: Path) -> None:
    db, app = hub, app_over(hub, tmp_path)
    with TestClient(app, client=LOOPBACK) as local, TestClient(app) as remote:
        local.get("/healthz")
        local.get("/api/v1/regions/12345")
        csv = tmp_path / "regions.csv"
        csv.write_text("区划代码,名称,层级\n410100,郑州市,市\n410102,中原区,县\n", encoding="utf-8")
        import_file(db, "regions", csv, Settings(data_dir=tmp_path))
        page = local.get("/metrics")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
        text = page.text
        assert metric(text, "silian_http_requests_total", method="GET", route="/healthz", status="200") == 1
        assert metric(text, "silian_http_requests_total", route="/api/v1/regions/{record_id}", status="404") == 1
        assert metric(text, "silian_http_request_duration_seconds_count", route="/healthz", status="200") == 1
        assert metric(text, "silian_import_rows_total", table="regions") == 2
        refused = remote.get("/metrics")  # the test client's address is not the loopback
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_metrics_can_be_switched_off_or_need_a_token(hub: Database, tmp_path: Path) -> None:
    db = hub
    with TestClient(app_over(db, tmp_path, metrics_access="off"), client=LOOPBACK) as client:
        assert client.get("/metrics").status_code == 404
    with TestClient(app_over(db, tmp_path, metrics_access="token", metrics_token="s3cret-scraper"),
                    client=LOOPBACK) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
        assert ok.status_code == 200 and "silian_http_requests_total" in ok.text
    with TestClient(app_over(db, tmp_path, metrics_access="token"), client=LOOPBACK) as client:
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401  # no token set


def test_the_analysis_cache_reports_hits_and_misses(demo_template: DemoTemplate, tmp_path: Path) -> None:
    db = demo_template.database(tmp_path / "hub.db")
    try:
        with TestClient(app_over(db, tmp_path), client=LOOPBACK) as client:
            assert client.get("/api/v1/analysis/coupling").status_code == 200
            assert client.get("/api/v1/analysis/coupling").status_code == 200
            text = client.get("/metrics").text
        assert metric(text, "silian_analysis_cache_total", result="miss") == 1
        assert metric(text, "silian_analysis_cache_total", result="hit") >= 1
    finally:
        db.dispose()
