"""Account management in a real browser: the admin creates a county user with a county scope; the county user logs
in with the one-time password, must change it, and the old password and the other session stop working; the
admin deactivates the user (their session ends), unlocks a user whose address must wait, and finds all of it in
the audit viewer. Screenshots of every account page (zh and en, desktop and phone) go to
test-artifacts/screenshots/accounts/."""

from __future__ import annotations

from typing import Any

from silian.services.accounts import create_user
from tests.browser.conftest import ARTIFACTS, PASSWORD, LiveServer, log_in

NEW_PASSWORD = "yellow river lamp 7"
SHOTS = ARTIFACTS / "accounts"


def _log_in_as(page: Any, server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


def _who(page: Any, server: LiveServer) -> str:
    page.goto(f"{server.url}/api/v1/auth/me")
    return str(page.evaluate("() => JSON.parse(document.body.innerText).username"))


def test_admin_and_user_manage_accounts_end_to_end(browser: Any, page: Any, live_server: LiveServer) -> None:
    server = live_server
    log_in(page, server, "city_admin")
    page.click("#nav-admin")
    page.click("#new-user")
    page.fill("#username", "county2")
    page.fill("#display_name", "县教育局 二")
    page.select_option("#role", "county_officer")
    assert page.is_visible("#county_code") and not page.is_visible("#institution_code")
    page.click("#create-submit")  # no county chosen: the error stands beside the field
    assert page.inner_text("#err-county_code")
    page.select_option("#county_code", server.county_code)
    page.click("#create-submit")
    one_time = page.inner_text("#one-time-password").strip()
    assert len(one_time) >= 12

    user_ctx, other_ctx = (browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                           for _ in range(2))
    user, other = user_ctx.new_page(), other_ctx.new_page()
    _log_in_as(other, server, "county2", one_time)  # a second device
    _log_in_as(user, server, "county2", one_time)
    assert "/account" in user.url and user.is_visible("#first-login")
    user.fill("#old_password", one_time)
    user.fill("#new_password", "1234567890")
    user.fill("#new_password2", "1234567890")
    user.click("#password-submit")
    assert user.inner_text("#err-new_password")  # refused beside the field, nothing changed
    user.fill("#old_password", one_time)
    user.fill("#new_password", NEW_PASSWORD)
    user.fill("#new_password2", NEW_PASSWORD)
    user.click("#password-submit")
    user.wait_for_load_state("networkidle")
    assert _who(user, server) == "county2"  # this browser continues, with a fresh session
    assert _who(other, server) == ""  # the other device's session is gone
    _log_in_as(other, server, "county2", one_time)  # the old password no longer works
    assert other.is_visible("#login-error")
    other_ctx.close()

    page.goto(f"{server.url}/admin/users?q=county2")
    page.click("#users a")
    page.click("#deactivate")
    assert page.is_visible("#user-notice") and page.is_visible("#reactivate")
    assert _who(user, server) == ""  # deactivated: their session has ended
    user_ctx.close()

    create_user(server.db, username="forgetful", password=PASSWORD, role="city_admin")
    locked_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    locked = locked_ctx.new_page()
    for _ in range(5):
        _log_in_as(locked, server, "forgetful", "not the password!")
    _log_in_as(locked, server, "forgetful", PASSWORD)
    assert locked.is_visible("#login-error")  # this address must wait now, even with the right password
    page.goto(f"{server.url}/admin/users?status=locked")
    assert page.is_visible('tr[data-username="forgetful"]')
    page.click('tr[data-username="forgetful"] a')
    page.click("#unlock")
    assert page.is_visible("#user-notice") and not page.is_visible("#unlock")
    _log_in_as(locked, server, "forgetful", PASSWORD)
    assert _who(locked, server) == "forgetful"
    locked_ctx.close()

    for action in ("deactivate", "unlock", "password_change", "create"):
        page.goto(f"{server.url}/admin/audit?action={action}")
        assert page.is_visible(f'#audit tr[data-action="{action}"]'), action
    page.goto(f"{server.url}/admin/audit?user=county2&action=password_change")
    assert "county2" in page.inner_text("#audit")


def test_screenshots_of_the_account_pages(browser: Any, live_server: LiveServer) -> None:
    """Every account page in both languages on a desktop and a phone (looked at by hand; the test checks that each
    page answers and that the other language's script does not leak into the page)."""
    server = live_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    admin_id = "1"
    pages = {"users": "/admin/users", "user_new": "/admin/users/new", "user": f"/admin/users/{admin_id}",
             "tokens": "/admin/tokens", "audit": "/admin/audit", "account": "/account"}
    for lang in ("zh", "en"):
        for width, height in ((1280, 800), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            context.add_cookies([{"name": "silian_lang", "value": lang, "url": server.url}])
            page = context.new_page()
            page.goto(f"{server.url}/login")
            page.fill("#username", "nobody")
            page.fill("#password", "wrong password!")
            page.click("#login-submit")
            page.screenshot(path=str(SHOTS / f"login_error_{lang}_{width}.png"), full_page=True)
            log_in(page, server, "city_admin")
            for name, path in pages.items():
                response = page.goto(server.url + path)
                assert response is not None and response.status == 200, path
                text = page.inner_text("main")
                assert ("Users" not in text) if lang == "zh" else ("用户" not in text), (lang, path)
                page.screenshot(path=str(SHOTS / f"{name}_{lang}_{width}.png"), full_page=True)
            page.goto(server.url + "/admin/users/new")
            page.select_option("#role", "school_user")
            page.fill("#username", "bad name")
            page.click("#create-submit")
            page.screenshot(path=str(SHOTS / f"user_new_error_{lang}_{width}.png"), full_page=True)
            page.goto(server.url + "/account")
            page.fill("#old_password", "wrong")
            page.fill("#new_password", "aaaaaaaaaaaa")
            page.fill("#new_password2", "aaaaaaaaaaaa")
            page.click("#password-submit")
            page.screenshot(path=str(SHOTS / f"account_error_{lang}_{width}.png"), full_page=True)
            context.close()
