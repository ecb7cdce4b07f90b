"""Each role's home in a real browser: the county officer, the school user and the enterprise user log in, land on
/home and see their own county, school or enterprise and not another's; the county's full dashboard opens with the
region chooser on that county. Screenshots of each home in Chinese and English, on a desktop and a phone."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import ARTIFACTS, LiveServer, log_in

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def _names(server: LiveServer) -> dict[str, tuple[str, str]]:
    """Per role: its own county, school or enterprise name and one of another county, school or enterprise."""
    with server.db.engine.connect() as conn:
        def one(sql: str, **values: str) -> str:
            return str(conn.execute(sa.text(sql), values).scalar_one())

        county = one("SELECT name FROM regions WHERE code = :c", c=server.county_code)
        other_county_school = one("SELECT MIN(i.name) FROM institutions i WHERE i.county_code <> :c "
                                  "AND i.county_code IN (SELECT code FROM regions WHERE parent_code = "
                                  "(SELECT parent_code FROM regions WHERE code = :c))", c=server.county_code)
        school = one("SELECT name FROM institutions WHERE code = :s", s=server.school_code)
        other_school = one("SELECT MIN(name) FROM institutions WHERE code <> :s", s=server.school_code)
        firm = one("SELECT name FROM enterprises WHERE credit_code = :e", e=server.enterprise_code)
        other_firm = one("SELECT MIN(name) FROM enterprises WHERE credit_code <> :e", e=server.enterprise_code)
    return {"county_officer": (county, other_county_school), "school_user": (school, other_school),
            "enterprise_user": (firm, other_firm)}


def _screenshots(page: Any, server: LiveServer, role: str) -> None:
    """The home in both languages and both sizes (the language switch keeps the page)."""
    for lang in ("zh", "en"):
        page.goto(f"{server.url}/lang/{lang}?next=/home")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/home")
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{role} home ({lang}, {size}) is {overflow}px wider than the screen"
            page.screenshot(path=str(ARTIFACTS / f"home-{role}-{lang}-{size}.png"), full_page=True)
    page.goto(f"{server.url}/lang/zh?next=/home")


@pytest.mark.parametrize("role", ["county_officer", "school_user", "enterprise_user"])
def test_each_user_lands_on_a_home_of_their_own(page: Any, live_server: LiveServer, role: str) -> None:
    own, others = _names(live_server)[role]
    log_in(page, live_server, role)
    assert page.url.endswith("/home"), page.url
    title = page.inner_text("#home-title")
    assert own in title
    text = page.inner_text("main")
    assert others not in text and others not in title
    if role == "county_officer":
        page.click("#home-dashboard")
        page.wait_for_load_state("networkidle")
        chosen = page.eval_on_selector("#dash-region", "select => select.options[select.selectedIndex]")
        assert chosen is not None
        assert page.eval_on_selector("#dash-region", "select => select.value") == live_server.county_code
        assert own in page.eval_on_selector("#dash-region", "select => select.options[select.selectedIndex].text")
        page.goto(f"{live_server.url}/home")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _screenshots(page, live_server, role)
