"""The web platform on SQLite while a long import holds the one write lock: requests with a bearer token are reads
(the token's last use is written at most once per 5 minutes, and skipped while the lock is taken), so they go on;
a write waits up to ``busy_seconds`` and is then refused with 503, Retry-After and the one error shape, in the
caller's language (Chinese by default); once the lock is free the same write goes through. A logged-in browser's
pages go on too (the session's last activity is skipped likewise)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.services.account_access import SESSION_TOUCH_SECONDS, TOKEN_TOUCH_SECONDS
from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.platform_schema import api_tokens, web_sessions
from silian.web import create_app
from tests.support.hubs import SqliteHubs
from tests.support.write_lock import write_lock_held

PASSWORD = "a long enough password"
REGION = {"code": "410100", "name": "郑州市", "level": "市"}


@pytest.fixture
def busy_app(sqlite_hubs: SqliteHubs, tmp_path: Path) -> Iterator[tuple[TestClient, Database]]:
    with sqlite_hubs.database(tmp_path) as migrated:
        db = Database(migrated.url, busy_seconds=0.3)
        create_user(db, username="admin", password=PASSWORD, role="city_admin")
        settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="k")
        with TestClient(create_app(settings, database=db)) as client:
            yield client, db
        db.dispose()


def _bearer(client: TestClient) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _last_used(db: Database) -> datetime | None:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(api_tokens.c.last_used_at)).scalar_one()  # type: ignore[no-any-return]


def test_reads_go_on_and_a_write_is_refused_clearly_while_an_import_holds_the_lock(
        busy_app: tuple[TestClient, Database]) -> None:
    client, db = busy_app
    bearer = _bearer(client)
    assert _last_used(db) is None
    with write_lock_held(db.url):
        for path in ("/api/v1/regions", "/api/v1/auth/me", "/api/v1/institutions?page_size=5"):
            assert client.get(path, headers=bearer).status_code == 200, path
        assert _last_used(db) is None  # the token's last use could not be written meanwhile: skipped, not waited for
        refused = client.post("/api/v1/regions", headers=bearer, json=REGION)
        english = client.post("/api/v1/regions", headers={**bearer, "Accept-Language": "en"}, json=REGION)
    assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()
    error = refused.json()
    assert set(error) == {"error"} and error["error"]["code"] == "busy"
    assert "数据库正忙" in error["error"]["message"] and "没有做任何修改" in error["error"]["message"]
    assert english.status_code == 503 and english.json()["error"]["message"].startswith("The database is busy")
    assert client.get("/api/v1/regions?code=410100", headers=bearer).json()["count"] == 0  # nothing was written
    created = client.post("/api/v1/regions", headers=bearer, json=REGION)  # the lock is free: the same write goes through
    assert created.status_code == 201, created.text
    assert _last_used(db) is not None  # written at the first use after the lock was freed


def test_a_form_refused_as_busy_gets_a_page_in_the_users_language(busy_app: tuple[TestClient, Database]) -> None:
    client, db = busy_app
    form = client.get("/login", headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    login = {"username": "admin", "password": PASSWORD, "csrf_token": csrf}
    with write_lock_held(db.url):
        page = client.post("/login", data=login, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "数据库正忙" in page.text and page.headers["Retry-After"].isdigit()
    assert client.post("/login", data=login, headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303


def test_requests_with_a_token_write_its_last_use_at_most_once_per_interval(busy_app: tuple[TestClient, Database]) -> None:
    client, db = busy_app
    bearer = _bearer(client)
    updates: list[str] = []

    def count_updates(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS") and "WHERE" in statement.upper():  # not the test's own
            updates.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count_updates)
    try:
        for _ in range(6):
            assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
        assert len(updates) == 1
        long_ago = datetime.now(UTC) - timedelta(seconds=TOKEN_TOUCH_SECONDS + 60)
        with db.begin() as conn:
            conn.execute(api_tokens.update().values(last_used_at=long_ago))
        assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
        assert len(updates) == 2  # older than the interval: written again
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_updates)
    assert _last_used(db).replace(tzinfo=UTC) > long_ago + timedelta(seconds=30)  # type: ignore[union-attr]


def _seen(db: Database) -> datetime:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(web_sessions.c.last_seen_at)).scalar_one().replace(tzinfo=UTC)  # type: ignore[no-any-return]


def test_a_logged_in_page_goes_on_while_an_import_holds_the_lock(busy_app: tuple[TestClient, Database]) -> None:
    """A browser session's last activity (written at most once a minute) is skipped while the lock is taken, so
    the page is served to its user instead of waiting into a 503; it is written at the next request after."""
    client, db = busy_app
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    login = {"username": "admin", "password": PASSWORD, "csrf_token": csrf}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    long_ago = datetime.now(UTC) - timedelta(seconds=SESSION_TOUCH_SECONDS + 60)
    with db.begin() as conn:
        conn.execute(web_sessions.update().values(last_seen_at=long_ago))
    with write_lock_held(db.url):
        page = client.get("/account")
        assert page.status_code == 200 and 'id="account-link"' in page.text  # served, and still logged in
        assert _seen(db) == long_ago  # the last activity could not be written meanwhile: skipped, not waited for
    assert client.get("/account").status_code == 200
    assert _seen(db) > long_ago + timedelta(seconds=30)  # written at the first request after the lock was freed
