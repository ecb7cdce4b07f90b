"""Every page under the Content-Security-Policy in a real browser: nothing refused, the charts drawn, the vendored API
documentation rendered (no CDN), and the page cannot be framed."""

from __future__ import annotations

from tests.browser.conftest import LiveServer, log_in, watch_content_security_policy

PAGES = ["/", "/dashboard/gaps", "/dashboard/counties", "/dashboard/schools", "/dashboard/pathways", "/dashboard/peers",
         "/platform", "/platform/new", "/planning", "/planning/scenarios", "/planning/match", "/data/upload",
         "/data", "/data/records/major_points", "/data/records/institutions/1", "/data/records/funding/new",
         "/data/lookup?kind=majors&q=sk", "/api/docs"]


def test_every_page_runs_under_the_policy(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "city_admin")
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-frame-options"] == "DENY"
        page.wait_for_load_state("networkidle")
    # the dashboard's charts were drawn by /static/js/dashboard.js, not by an inline script
    page.goto(live_server.url + "/")
    page.wait_for_selector(".chart[data-rendered='1']")


def test_api_docs_come_from_the_platform_itself(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs")
    assert "/login" in page.url  # signed-in users only (api_docs = login)
    log_in(page, live_server, "city_admin")
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "四链" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 20
    assert all(url.startswith(live_server.url) for url in requested), [u for u in requested if not u.startswith(live_server.url)]


def test_a_page_cannot_be_framed(browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    refused = watch_content_security_policy(page)
    page.set_content(f'<iframe id="f" src="{live_server.url}/login"></iframe>')
    page.wait_for_timeout(500)
    framed = page.frame_locator("#f").locator("#username")
    assert framed.count() == 0  # frame-ancestors 'none': the login form never shows inside another site's frame
    context.close()
    assert any("frame-ancestors" in message for message in refused) or not refused
