"""The demand-sharing platform in a real browser: an enterprise posts a demand and sees recommended schools, a
school finds it and responds, and the enterprise accepts, which shows the new cooperation record."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa

from tests.browser.conftest import LiveServer, log_in


def _school_major(server: LiveServer) -> str:
    with server.db.engine.connect() as conn:
        return str(conn.execute(sa.text(
            "SELECT major_code FROM major_points WHERE institution_code = :s ORDER BY year DESC, graduates DESC LIMIT 1"),
            {"s": server.school_code}).scalar_one())


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("header form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_enterprise_posts_school_responds_enterprise_accepts(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    major = _school_major(live_server)
    title = f"订单班招生 {int(time.time() * 1000)}"

    log_in(page, live_server, "enterprise_user")
    page.goto(f"{live_server.url}/platform")
    page.click("#new-post")
    page.select_option("#kind", "order_class")
    page.fill("#title", title)
    page.fill("#description", "毕业即入职，企业导师带教")
    page.fill("#major_code", major)
    page.fill("#count", "12")
    page.fill("#period", "2025-09")
    page.click("#post-submit")
    page.wait_for_url(re.compile(r"/platform/posts/\d+$"))
    assert page.inner_text("#post-title") == title
    assert page.inner_text("#post-kind") == "订单班名额"
    scores = [float(s) for s in page.locator("#recommendations td.pf-score").all_inner_texts()]
    assert scores and scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert "毕业生" in page.inner_text("#recommendations")
    post_url = page.url
    _log_out(page)

    log_in(page, live_server, "school_user")
    page.goto(f"{live_server.url}/platform")
    page.fill("#f-q", title)
    page.click("#filter-submit")  # htmx swaps the list in place
    page.wait_for_selector(f"#post-table a:text('{title}')")
    assert page.inner_text("#post-count").startswith("共 1 条")
    page.click(f"#post-table a:text('{title}')")
    page.wait_for_url(post_url)
    page.select_option("#major_code", major)
    page.fill("#seats", "8")
    page.fill("#message", "可组建 8 人订单班")
    page.click("#respond-submit")
    page.wait_for_selector("tr.response")
    assert "待处理" in page.inner_text("tr.response .response-status")
    assert page.locator("#respond-form").count() == 0
    _log_out(page)

    log_in(page, live_server, "enterprise_user")
    page.goto(post_url)
    row = page.locator("tr.response").first
    assert "可组建 8 人订单班" in row.inner_text()
    row.locator("button.accept").click()  # htmx: the responses card is replaced
    page.wait_for_selector(".pf-coop")
    assert "已接受" in page.inner_text("tr.response .response-status")
    assert "订单班" in page.inner_text(".pf-coop") and "8" in page.inner_text(".pf-coop")
    assert page.locator("button.accept").count() == 0
