"""Logging in and out in a real browser, and the language switch."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD, LiveServer, log_in


def test_login_wrong_password_then_right(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "admin")
    page.fill("#password", "wrong-password!")
    page.click("#login-submit")
    assert "用户名或密码错误" in page.inner_text("#login-error")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/login")
    assert "admin" in page.inner_text("header")
    page.click("header button[type=submit]")  # log out
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/login")
    assert "admin" not in page.inner_text("header")


def test_language_switch(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "school_user")
    page.goto(f"{live_server.url}/login")
    assert "登录" in page.inner_text("h2")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    assert "Log in" in page.inner_text("h2")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    assert "登录" in page.inner_text("h2")
