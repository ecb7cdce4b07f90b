"""Dashboard pages kept beside their analysis: rendered once per path, query, language and role-view, each
answer carrying its own user's name and CSRF token; queries the cache does not know are rendered each time; a
write through the web is seen at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from silian.services import presentation as present
from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from silian.web.app import create_app
from silian.web.pages import dashboard
from tests.support.fixtures import demo_for

PASSWORD = "dashboard-cache-password"


@dataclass
class Site:
    app: object
    db: Database
    public: TestClient
    users: dict[str, tuple[TestClient, str]]  # username → (logged-in client, its session's CSRF token)


def _log_in(app: object, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)  # type: ignore[arg-type]
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client, _csrf(client.get("/platform").text)  # the session's token (a new one at login), from a page not kept


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dash-cache")
    for db in demo_for(request, "sqlite", folder):
        for name in ("ada", "bo"):
            create_user(db, username=name, password=PASSWORD, role="city_admin")
        app = create_app(Settings(database_url=db.url, data_dir=folder, secret_key="cache-tests"), database=db)
        yield Site(app, db, TestClient(app), {name: _log_in(app, name) for name in ("ada", "bo")})


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the overview's tables are built (the work a kept page saves)."""
    built: list[str] = []
    original = present.red_list_table

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append("red-list")
        return original(*args, **kwargs)

    monkeypatch.setattr(dashboard.present, "red_list_table", counted)
    return built


def _csrf(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]*)">', html).group(1)  # type: ignore[union-attr]


def test_one_rendering_per_view_each_with_its_own_user_and_csrf_token(site: Site, renders: list[str]) -> None:
    public = [site.public.get("/?year=2023") for _ in range(3)]
    assert all(r.status_code == 200 for r in public) and len({r.text for r in public}) == 1
    assert 'id="login-link"' in public[0].text and "silian-" not in public[0].text  # no stand-in left
    pages = {name: [client.get("/?year=2023").text for _ in range(2)] for name, (client, _) in site.users.items()}
    assert len(renders) == 2  # the public's view, then the city admins' (one view for both)
    for name, (client, token) in site.users.items():
        other = next(n for n in site.users if n != name)
        for html in pages[name]:
            assert f'<span translate="no">{name}</span> · ' in html and f'<span translate="no">{other}</span> · ' not in html
            assert _csrf(html) == token and f'name="csrf_token" value="{token}"' in html
            assert "silian-csrf-mark" not in html and "silian-user-mark" not in html
    english = site.public.get("/?year=2023", headers={"Accept-Language": "en"}).text
    assert "Overview" in english and len(renders) == 3  # another language, another page


def test_unknown_query_parameters_are_rendered_each_time_and_not_kept(site: Site, renders: list[str]) -> None:
    for n in range(3):
        assert site.public.get(f"/?year=2022&utm={n}").status_code == 200
    assert len(renders) == 3
    site.public.get("/?year=2022")
    site.public.get("/?year=2022")
    assert len(renders) == 4


def test_a_write_through_the_web_is_seen_at_once(site: Site, renders: list[str]) -> None:
    site.public.get("/")
    site.public.get("/")
    assert len(renders) <= 1
    before = site.app.state.analysis.get(None, None, "zh")  # type: ignore[attr-defined]
    client, token = site.users["ada"]
    created = client.post("/api/v1/regions", json={"code": "419997", "name": "新区", "level": "县", "parent_code": "410100"},
                          headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    shown = len(renders)
    assert site.public.get("/").status_code == 200 and len(renders) == shown + 1  # rendered anew over a new analysis
    assert site.app.state.analysis.get(None, None, "zh") is not before  # type: ignore[attr-defined]
