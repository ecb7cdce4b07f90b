"""The web core: one error shape, declared response codes, request size limit, language, tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from silian.web import create_app

PASSWORD = "a long enough password"


@pytest.fixture
def client(db: Database, tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="k", max_request_bytes=2000)
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    with TestClient(create_app(settings, database=db)) as c:
        yield c


def token(client: TestClient) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def assert_error(r, status: int, code: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_errors_have_one_shape(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nowhere"), 404, "not_found")
    assert_error(client.get("/api/v1/regions/999999"), 404, "not_found")
    assert_error(client.post("/api/v1/regions", json={"code": "410100"}), 401, "login_required")
    assert_error(client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"}), 401, "bad_credentials")
    h = token(client)
    err = assert_error(client.post("/api/v1/regions", headers=h, json={"code": "410100"}), 422, "invalid_request")
    assert {p["column"] for p in err["problems"]} >= {"name", "level"}
    err = assert_error(client.post("/api/v1/regions", headers=h, json={"code": "41", "name": "x", "level": "星系"}), 422, "invalid_data")
    assert any(p["column"] for p in err["problems"]) and all(p["fix"] is not None for p in err["problems"])
    assert_error(client.get("/api/v1/regions?sort=nosuch", headers=h), 400, "invalid_input")
    assert_error(client.get("/api/v1/regions", headers={"Authorization": "Bearer nope"}), 401, "login_required")


def test_create_update_delete_with_audit(client: TestClient, db: Database) -> None:
    h = token(client)
    r = client.post("/api/v1/regions", headers=h, json={"code": "410100", "name": "郑州市", "level": "市"})
    assert r.status_code == 201 and r.json()["is_generated"] is False
    rid = r.json()["id"]
    assert_error(client.post("/api/v1/regions", headers=h, json={"code": "410100", "name": "郑州", "level": "市"}), 400, "invalid_input")
    r = client.patch(f"/api/v1/regions/{rid}", headers=h, json={"name": "郑州"})
    assert r.status_code == 200 and r.json()["name"] == "郑州" and r.json()["code"] == "410100"
    assert client.get("/api/v1/regions?name=郑州").json()["count"] == 1
    assert client.delete(f"/api/v1/regions/{rid}", headers=h).status_code == 204
    assert client.get(f"/api/v1/regions/{rid}").status_code == 404
    import sqlalchemy as sa

    from silian.storage.platform_schema import audit_log
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log).where(audit_log.c.entity == "regions").order_by(audit_log.c.id)).all()
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert '"郑州市"' in rows[1].before and '"郑州"' in rows[1].after and rows[1].username == "admin"


def test_request_size_limit(client: TestClient) -> None:
    h = token(client)
    big = {"code": "410100", "name": "x" * 5000, "level": "市"}
    assert_error(client.post("/api/v1/regions", headers=h, json=big), 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed body is counted
        yield b'{"code": "410100", "name": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'", "level": "\xe5\xb8\x82"}'
    r = client.post("/api/v1/regions", headers={**h, "Content-Type": "application/json"}, content=chunks())
    assert_error(r, 413, "too_large")


def test_language_and_openapi(client: TestClient) -> None:
    assert "no record" in client.get("/api/v1/regions/1?lang=en").json()["error"]["message"].lower()
    assert "没有" in client.get("/api/v1/regions/1").json()["error"]["message"]
    assert_error(client.get("/api/v1/openapi.json"), 401, "login_required")  # api_docs = login (the default)
    spec = client.get("/api/v1/openapi.json", headers=token(client)).json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert codes - {"200", "201", "204", "422"}, f"{method} {path} declares no error response"
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")) and code != "422":
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse"), (path, code)


def test_a_person_gets_an_error_page_in_their_language_and_the_api_keeps_its_json(client: TestClient) -> None:
    page = client.get("/no-such-page", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and "/no-such-page" in page.text and "返回首页" in page.text
    english = client.get("/no-such-page?lang=en", headers={"accept": "text/html"})
    assert "Page not found" in english.text and "页面不存在" not in english.text
    assert_error(client.get("/no-such-page", headers={"accept": "application/json"}), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing", headers={"accept": "text/html"}), 404, "not_found")
