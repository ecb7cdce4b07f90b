"""Data entry in a real browser: a school user chooses a table, downloads its template, uploads a file with problems
(and a row of another school), sees every problem with its row, and nothing is written; then uploads its own rows
and sees the counts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import sqlalchemy as sa

from silian.storage import repository as repo
from tests.browser.conftest import LiveServer, log_in


def own_funding(server: LiveServer) -> pl.DataFrame:
    """The school user's own funding rows as stored (field names as headers, so the file re-imports unchanged)."""
    with server.db.engine.connect() as conn:
        frame = repo.read_table(conn, "funding")
    return frame.filter(pl.col("institution_code") == server.school_code)


def funding_export(server: LiveServer) -> str:
    with server.db.engine.connect() as conn:
        return repo.read_table(conn, "funding").write_csv()


def another_school(server: LiveServer) -> str:
    with server.db.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT code FROM institutions WHERE code <> :code ORDER BY code"),
                                {"code": server.school_code}).scalars().first())


def test_upload_shows_problems_then_counts(page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "school_user")
    page.goto(f"{live_server.url}/data/upload")
    assert live_server.school_code in page.inner_text("#scope-note")
    options = page.eval_on_selector_all("#table option", "els => els.map(e => e.value)")
    assert "funding" in options and "enterprises" not in options and "regions" not in options
    page.select_option("#table", "funding")
    assert page.get_attribute("#template-link", "href") == "/data/template/funding.xlsx"
    with page.expect_download() as download:
        page.click("#template-link")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert [c.value for c in openpyxl.load_workbook(template)["数据"][1]][:2] == ["学校代码", "年份"]

    own = own_funding(live_server)
    assert own.height > 0
    before = funding_export(live_server)
    bad = tmp_path / "经费.csv"
    bad.write_text("学校代码,年份,财政拨款（万元）\n"
                   f"{live_server.school_code},2030,很多\n"
                   f"{another_school(live_server)},2030,100\n", encoding="utf-8")
    page.select_option("#table", "funding")
    page.set_input_files("#file", str(bad))
    page.click("#upload-submit")
    page.wait_for_selector("#problems")
    rows = page.eval_on_selector_all("#problems tbody tr", "trs => trs.map(tr => [...tr.cells].map(td => td.innerText))")
    assert [(r[0], r[1], r[3]) for r in rows] == [("经费.csv", "2", "很多"), ("经费.csv", "3", another_school(live_server))]
    assert "不是本校" in rows[1][4] and rows[0][5]
    assert funding_export(live_server) == before  # nothing applied until the file is clean

    clean = tmp_path / "own.csv"
    own.write_csv(clean)
    page.select_option("#table", "funding")
    page.set_input_files("#file", str(clean))
    page.click("#upload-submit")
    page.wait_for_selector("#outcome")
    counts = [page.inner_text(f"#count-{k}") for k in ("inserted", "updated", "unchanged")]
    assert counts == ["0", "0", str(own.height)]
    assert funding_export(live_server) == before
