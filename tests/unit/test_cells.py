"""Text that ends up in a spreadsheet never runs as a formula (CSV/formula injection): school names, scraped job
titles and comments reach CSV and Excel downloads."""

from __future__ import annotations

import csv
import io

import polars as pl

from silian.domain.cells import defuse
from silian.ingest.spreadsheets import inert_frame
from silian.services.presentation.export import to_csv, to_xlsx
from silian.services.presentation.table import Column, PresentedTable

EVIL = ('=HYPERLINK("http://x.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1")


def test_text_starting_like_a_formula_is_marked_as_text_and_numbers_are_not() -> None:
    assert [defuse(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert [defuse(v) for v in ("数控技术", "a=b", -5, 3.5, None)] == ["数控技术", "a=b", -5, 3.5, None]


def test_frames_written_to_csv_are_inert() -> None:
    frame = pl.DataFrame({"title": list(EVIL), "n": [1, 2, 3, 4, 5]})
    assert inert_frame(frame)["title"].to_list() == ["'" + v for v in EVIL]
    assert inert_frame(frame)["n"].to_list() == [1, 2, 3, 4, 5]


def test_presented_table_downloads_are_inert() -> None:
    import openpyxl

    table = PresentedTable("t", "标题", (Column("name", "名称"),), [(v,) for v in EVIL])
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in EVIL]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table))).active  # the sheet is named by the title
    assert all(sheet.cell(row=i + 2, column=1).data_type == "s" for i in range(len(EVIL)))
