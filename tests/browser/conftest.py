"""Browser tests: the real app served by uvicorn on a free loopback port, driven by Playwright in Debian's
Chromium (/usr/bin/chromium; no browser is ever downloaded). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from tests.support.demo import DemoTemplate

CHROMIUM = os.environ.get("SILIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-password"


@dataclass(frozen=True)
class LiveServer:
    url: str
    db: Database
    users: dict[str, str]  # role → username; every password is PASSWORD
    school_code: str
    enterprise_code: str
    county_code: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_site(template: DemoTemplate, folder: Path, secret_key: str) -> tuple[Settings, Database]:
    """Settings and a migrated SQLite database in ``folder`` holding the demo region (a copy of the session's)."""
    settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", data_dir=folder, secret_key=secret_key)
    db = template.database(folder / "hub.db")
    return settings, db


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free local port; yields its base URL, stops it afterwards."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from silian.web import create_app
    settings, db = demo_site(demo_template, tmp_path_factory.mktemp("browser"), "browser-tests")
    with db.engine.connect() as conn:
        import sqlalchemy as sa
        school, county = conn.execute(sa.text("SELECT code, county_code FROM institutions WHERE level = '高职专科' ORDER BY code")).first()
        enterprise = conn.execute(sa.text("SELECT credit_code FROM enterprises ORDER BY credit_code LIMIT 1")).scalar_one()
    users = {"city_admin": "admin", "county_officer": "county", "school_user": "school", "enterprise_user": "firm"}
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    create_user(db, username="county", password=PASSWORD, role="county_officer", county_code=county)
    create_user(db, username="school", password=PASSWORD, role="school_user", institution_code=school)
    create_user(db, username="firm", password=PASSWORD, role="enterprise_user", enterprise_credit_code=enterprise)
    with serving(create_app(settings, database=db)) as url:
        yield LiveServer(url, db, users, school, enterprise, county)
    db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (CI installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    refused = watch_content_security_policy(page)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not refused, f"the Content-Security-Policy refused something on a page: {refused}"


def watch_content_security_policy(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every CSP refusal and uncaught script error the page reports (every browser test fails on one: the policy
    allows no inline script, so a template that adds one is caught here)."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: refused.append(f"script error: {error}"))
    return refused


def log_in(page, server: LiveServer, role: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the login form as the demo user of ``role``."""
    page.goto(f"{server.url}/login")
    page.fill("#username", server.users[role])
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")
