"""Issue #14's guards in front of every route: per-client request limits (429 with Retry-After, in the one error
shape), security headers, a body nested too deep (400, never a 500), the API documentation behind the login, and a
data folder and database only their owner can read."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from silian.services.accounts import create_user
from silian.services.hub_database import open_database
from silian.services.imports import ensure_schema
from silian.settings import Settings
from silian.storage.database import Database
from silian.web import create_app

PASSWORD = "a long enough password"


@pytest.fixture
def app(db: Database, tmp_path: Path) -> FastAPI:
    settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="k", rate_limit_login="3/minute",
                        rate_limit_anonymous="5/minute", rate_limit_signed_in="8/minute")
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    return create_app(settings, database=db)


def client_at(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000), raise_server_exceptions=False)


def refused(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "rate_limited"
    return body["error"]  # type: ignore[no-any-return]


def test_logins_are_limited_per_client_address(app: FastAPI) -> None:
    guesser, owner = client_at(app, "10.0.0.1"), client_at(app, "10.0.0.2")
    for _ in range(3):
        assert guesser.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong guess"}).status_code == 401
    assert "秒后重试" in refused(guesser.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}))["message"]
    # the login page counts against the same budget; the refusal is in the caller's language
    assert "try again" in refused(guesser.post("/login?lang=en", data={"username": "admin", "password": "x"}))["message"]
    # another address still signs in: the guesser's flood spends only its own budget
    assert owner.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).status_code == 201


def test_anonymous_requests_are_limited_and_signed_in_users_have_their_own_budget(app: FastAPI) -> None:
    crowd = client_at(app, "10.0.0.3")
    for _ in range(5):
        assert crowd.get("/api/v1/regions").status_code == 200
    refused(crowd.get("/api/v1/regions"))
    assert crowd.get("/static/silian.css").status_code == 200  # static files are not counted
    user = client_at(app, "10.0.0.4")
    token = user.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["token"]
    for _ in range(6):
        assert user.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # made-up tokens are not a way around the limits: they spend the signed-in budget of their address
    forger = client_at(app, "10.0.0.5")
    for _ in range(8):
        assert forger.get("/api/v1/regions", headers={"Authorization": "Bearer made-up"}).status_code == 401
    refused(forger.get("/api/v1/regions", headers={"Authorization": "Bearer made-up"}))


def test_every_answer_carries_the_security_headers(app: FastAPI) -> None:
    client = client_at(app, "10.0.0.6")
    for response in (client.get("/login"), client.get("/api/v1/regions"), client.get("/api/v1/nowhere"),
                     client.get("/static/silian.css")):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS
    https = TestClient(app, base_url="https://silian.example", client=("10.0.0.7", 1))
    assert https.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_no_page_carries_an_inline_script() -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "silian" / "web" / "templates"
    inline = re.compile(r"<script(?![^>]*(\bsrc=|type=\"application/json\"))[^>]*>|\son[a-z]+=\"", re.IGNORECASE)
    offenders = [f"{path.relative_to(templates)}: {match.group(0)}" for path in templates.rglob("*.html")
                 for match in inline.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders


@pytest.mark.parametrize(("route", "body"), [("/api/v1/match", "[" * 100_000 + "]" * 100_000),
                                             ("/api/v1/match", '{"students": ' + "[" * 3000 + "]" * 3000 + "}"),
                                             ("/api/v1/regions", '{"name": ' + "[" * 5000 + "]" * 5000 + "}")])
def test_a_body_nested_too_deep_is_refused_not_a_crash(app: FastAPI, route: str, body: str) -> None:
    client = client_at(app, "10.0.0.8")
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["token"]
    response = client.post(route, content=body,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] in ("too_deep", "invalid_input", "bad_body"), error
    assert "嵌套过深" in error["message"]


def test_api_docs_follow_the_setting(db: Database, tmp_path: Path) -> None:
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    for setting, anonymous, signed_in in (("login", 401, 200), ("public", 200, 200), ("off", 404, 404)):
        app = create_app(Settings(database_url=db.url, data_dir=tmp_path, secret_key="k", api_docs=setting), database=db)
        client = TestClient(app)
        assert client.get("/api/v1/openapi.json").status_code == anonymous, setting
        token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["token"]
        document = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
        assert document.status_code == signed_in, setting
        page = client.get("/api/docs", follow_redirects=False)
        assert page.status_code == {"login": 303, "public": 200, "off": 404}[setting]
        if setting == "public":
            assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()


def test_the_data_folder_and_database_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "fresh" / "silian"
    settings = Settings(data_dir=folder)
    db = open_database(settings)
    ensure_schema(db)
    db.dispose()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "silian.db").stat().st_mode) == 0o600
    # a database left world-readable by an earlier version is tightened when opened
    (folder / "silian.db").chmod(0o644)
    Database(settings.resolved_database_url()).engine.connect().close()
    assert stat.S_IMODE((folder / "silian.db").stat().st_mode) == 0o600
