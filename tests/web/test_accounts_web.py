"""Account management over HTTP, in-process on every backend: the admin's API (users, tokens, audit) and pages
(forms with errors beside their field, a one-time password shown once, the audit viewer and its .xlsx), one's own
password and tokens, the login's one answer, Secure cookies and the production settings check."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from silian.domain.errors import InvalidInput
from silian.services import accounts
from silian.services.production_check import check_production
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.platform_schema import web_sessions
from silian.web import create_app
from silian.web.security import cookie_is_secure

PASSWORD = "a long enough password"
NEW_PASSWORD = "river lamp pencil seven"


@pytest.fixture
def client(db: Database, tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="k" * 40, login_max_failures=3)
    accounts.create_user(db, username="admin", password=PASSWORD, role="city_admin")
    with TestClient(create_app(settings, database=db)) as c:
        yield c


def bearer(client: TestClient, username: str = "admin", password: str = PASSWORD, name: str = "") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password, "name": name})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def csrf_of(page: str) -> str:
    return page.split('name="csrf-token" content="')[1].split('"')[0]


def log_in(client: TestClient, username: str = "admin", password: str = PASSWORD) -> Any:
    form = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                       follow_redirects=False)


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None) -> Any:
    csrf = csrf_of(client.get("/account").text)
    return client.post(url, data={**(data or {}), "csrf_token": csrf}, follow_redirects=False)


def test_unknown_wrong_and_waiting_get_one_answer(client: TestClient) -> None:
    answers = [client.post("/api/v1/auth/token", json={"username": name, "password": password})
               for name, password in (("nobody", PASSWORD), ("admin", "wrong password!"), ("admin", "wrong password!"),
                                      ("admin", "wrong password!"), ("admin", PASSWORD))]  # the last: waiting
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1 and answers[0].json()["error"]["code"] == "bad_credentials"
    page = log_in(client, "nobody")
    assert page.status_code == 401 and answers[0].json()["error"]["message"] in page.text


def test_the_admin_manages_users_tokens_and_reads_the_audit_over_the_api(client: TestClient) -> None:
    admin = bearer(client)
    made = client.post("/api/v1/users", json={"username": "c1", "role": "city_admin", "display_name": "Ms C"},
                       headers=admin)
    assert made.status_code == 201, made.text
    user, one_time = made.json()["user"], made.json()["one_time_password"]
    assert user["must_change_password"] and "password" not in str(user).replace("must_change_password", "")
    refused = client.post("/api/v1/auth/token", json={"username": "c1", "password": one_time})
    assert refused.status_code == 403  # the one-time password must be changed first
    with pytest.raises(AssertionError):
        bearer(client, "c1", one_time)
    bad = client.post("/api/v1/users", json={"username": "c2", "role": "county_officer", "county_code": "999999"},
                      headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    # the new user changes the password through a session, then scripts get tokens, one per client name
    assert log_in(client, "c1", one_time).headers["location"].startswith("/account?first=1")
    assert post_form(client, "/account/password", {"old_password": one_time, "new_password": NEW_PASSWORD,
                                                   "new_password2": NEW_PASSWORD}).status_code == 303
    client.cookies.clear()
    mine = bearer(client, "c1", NEW_PASSWORD, "nightly")
    bearer(client, "c1", NEW_PASSWORD, "nightly")  # replaces the first
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 401
    mine = bearer(client, "c1", NEW_PASSWORD, "nightly")
    own = client.get("/api/v1/auth/tokens", headers=mine).json()
    assert own["count"] == 1 and set(own["data"][0]) >= {"id", "name", "expires_at"} and "token" not in own["data"][0]
    assert client.get("/api/v1/users", headers=mine).status_code == 200  # c1 is a city admin too
    everyone = client.get("/api/v1/tokens", headers=admin).json()
    assert {t["username"] for t in everyone["data"]} == {"admin", "c1"}
    assert client.delete(f"/api/v1/tokens/{own['data'][0]['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 401
    # deactivate, unlock, reset through PATCH and the actions
    found = client.patch(f"/api/v1/users/{user['id']}", json={"is_active": False}, headers=admin).json()
    assert found["is_active"] is False
    reset = client.post(f"/api/v1/users/{user['id']}/reset-password", headers=admin).json()
    assert reset["one_time_password"] and reset["user"]["must_change_password"]
    assert client.post(f"/api/v1/users/{user['id']}/unlock", headers=admin).status_code == 200
    listed = client.get("/api/v1/users", params={"q": "c1", "status": "inactive"}, headers=admin).json()
    assert [u["username"] for u in listed["data"]] == ["c1"]
    audit = client.get("/api/v1/audit", params={"table": "users", "action": "deactivate"}, headers=admin).json()
    assert audit["count"] == 1 and audit["data"][0]["username"] == "admin"
    assert client.get("/api/v1/audit", params={"date_from": "2026-13-01"}, headers=admin).status_code == 400


def test_other_roles_and_the_public_cannot_manage_accounts(client: TestClient, db: Database) -> None:
    accounts.create_user(db, username="pleb", password=PASSWORD, role="city_admin")
    admin = bearer(client)
    pleb_id = accounts.user_id_of(db, "pleb")
    no_firm = client.patch(f"/api/v1/users/{pleb_id}", json={"role": "enterprise_user"}, headers=admin)
    assert no_firm.status_code == 400 and "企业" in no_firm.json()["error"]["message"]
    with db.begin() as conn:  # a school user (the empty test hub has no school to choose)
        conn.execute(sa.text("UPDATE users SET role = 'school_user', institution_code = 'X' WHERE username = 'pleb'"))
    pleb = bearer(client, "pleb")
    for method, url in (("get", "/api/v1/users"), ("get", "/api/v1/tokens"), ("get", "/api/v1/audit"),
                        ("post", f"/api/v1/users/{pleb_id}/unlock"), ("get", f"/api/v1/users/{pleb_id}")):
        assert getattr(client, method)(url, headers=pleb).status_code == 403, url
        assert getattr(client, method)(url).status_code == 401, url
    assert client.get("/admin/users", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303
    log_in(client, "pleb")
    page = client.get("/admin/users", headers={"accept": "text/html"})
    assert page.status_code == 403 and "<html" in page.text


def test_admin_pages_show_errors_beside_the_field_and_a_one_time_password_once(client: TestClient, db: Database) -> None:
    assert log_in(client).status_code == 303
    assert 'id="nav-admin"' in client.get("/admin/users").text
    refused = post_form(client, "/admin/users/new", {"username": "county1", "role": "county_officer",
                                                     "county_code": ""})
    assert refused.status_code == 400 and 'id="err-county_code"' in refused.text and '"error"' not in refused.text
    assert 'value="county1"' in refused.text  # what was typed is kept
    taken = post_form(client, "/admin/users/new", {"username": "admin", "role": "city_admin"})
    assert 'id="err-username"' in taken.text
    made = post_form(client, "/admin/users/new", {"username": "boss2", "role": "city_admin"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    one_time = made.text.split('id="one-time-password">')[1].split("<")[0]
    user_id = accounts.user_id_of(db, "boss2")
    page = client.get(f"/admin/users/{user_id}").text
    assert one_time not in page and "boss2" in page
    assert post_form(client, f"/admin/users/{user_id}/active", {"active": "0"}).status_code == 303
    assert "已停用" in client.get("/admin/users", params={"status": "inactive"}).text
    mine = post_form(client, f"/admin/users/{accounts.user_id_of(db, 'admin')}/active", {"active": "0"})
    assert mine.status_code == 400 and 'id="err-is_active"' in mine.text


def test_own_password_page_keeps_errors_beside_fields_and_ends_other_sessions(client: TestClient, db: Database) -> None:
    other = TestClient(client.app)
    assert log_in(other).status_code == 303
    assert log_in(client).status_code == 303
    wrong = post_form(client, "/account/password", {"old_password": "nope", "new_password": NEW_PASSWORD,
                                                    "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and 'id="err-old_password"' in wrong.text
    weak = post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": "aaaaaaaaaaaa",
                                                   "new_password2": "aaaaaaaaaaaa"})
    assert 'id="err-new_password"' in weak.text and "重复" in weak.text
    differ = post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                     "new_password2": NEW_PASSWORD + "x"})
    assert 'id="err-new_password2"' in differ.text
    done = post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "new_password2": NEW_PASSWORD})
    assert done.status_code == 303
    assert client.get("/api/v1/auth/me").json()["username"] == "admin"  # this browser has a fresh session
    assert other.get("/api/v1/auth/me").json()["role"] == "public"  # the other one ended
    with db.engine.connect() as conn:
        live = conn.execute(sa.select(sa.func.count()).select_from(web_sessions)
                            .where(web_sessions.c.ended_at.is_(None))).scalar_one()
    assert live == 1


def test_audit_viewer_filters_pages_and_downloads_text_as_text(client: TestClient) -> None:
    formula = '=HYPERLINK("http://x","y")'
    client.post("/api/v1/auth/token", json={"username": formula, "password": "whatever it is"})
    assert log_in(client).status_code == 303
    page = client.get("/admin/audit", params={"action": "login_failed"})
    assert page.status_code == 200 and "登录失败" in page.text and "HYPERLINK" in page.text
    bad = client.get("/admin/audit", params={"date_from": "2026-02-30"})
    assert bad.status_code == 400 and 'id="err-date_from"' in bad.text
    download = client.get("/admin/audit.xlsx", params={"action": "login_failed"})
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" for cell in cells)  # a string, never a formula
    english = client.get("/admin/audit", params={"lang": "en"}).text
    assert "failed login" in english and "登录失败" not in english


def test_cookies_are_secure_off_loopback_and_production_refuses_insecure_settings(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from starlette.requests import Request

    def request(scheme: str, host: str) -> Request:
        return Request({"type": "http", "scheme": scheme, "server": (host, 8000), "path": "/", "headers": []})

    assert cookie_is_secure(request("https", "127.0.0.1"), None)
    assert cookie_is_secure(request("http", "192.0.2.10"), None)
    assert not cookie_is_secure(request("http", "127.0.0.1"), None) and not cookie_is_secure(request("http", "::1"), None)
    assert not cookie_is_secure(request("http", "192.0.2.10"), False) and cookie_is_secure(request("http", "::1"), True)
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40)
    with TestClient(create_app(settings, database=db), base_url="https://testserver") as secure:
        assert "secure" in secure.get("/login").headers["set-cookie"].lower()
    check_production(settings, db)  # development: nothing checked
    accounts.create_user(db, username="demo-admin", password=PASSWORD, role="city_admin")
    insecure = Settings(data_dir=tmp_path, env="production", cookie_secure=False)
    with pytest.raises(InvalidInput) as err:
        check_production(insecure, db)
    for words in ("SILIAN_SECRET_KEY", "SILIAN_COOKIE_SECURE", "demo-admin"):
        assert words in err.value.message
    check_production(Settings(data_dir=tmp_path, env="production", secret_key="k" * 40), None)
