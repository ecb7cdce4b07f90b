"""Hostile spreadsheets are refused before a reader expands them: a shared string longer than Excel allows, a part
that inflates hundreds of times, more rows or columns than Excel allows. Each is refused with a clear message in
milliseconds, without building the expanded table."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from silian.domain.errors import InvalidInput
from silian.ingest import bombs
from silian.ingest.readers import read_table_file

LIMIT = 20 << 20


def _workbook(path: Path, rows: int = 3) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["区划代码", "名称", "层级"])
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, ["410100", "郑州市", "市"])
    book.close()
    return path


def _replace_part(path: Path, part: str, data: bytes) -> Path:
    out = path.with_name("hostile.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info.filename))
    return out


def test_a_normal_workbook_still_reads(tmp_path: Path) -> None:
    assert read_table_file(_workbook(tmp_path / "ok.xlsx"), max_bytes=LIMIT).frame.height == 3


def test_one_long_shared_string_referenced_by_many_cells_is_refused(tmp_path: Path) -> None:
    base = _workbook(tmp_path / "b.xlsx", rows=1000)  # every 郑州市 cell refers to one shared string
    with zipfile.ZipFile(base) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
    noise = "".join(chr(0x4E00 + random.Random(7).randrange(20_000)) for _ in range(40_000))  # does not compress
    hostile = _replace_part(base, "xl/sharedStrings.xml", shared.replace("郑州市", noise).encode())
    assert hostile.stat().st_size < 256 << 10  # a small file that would hold 1,000 copies of 40,000 characters
    with pytest.raises(InvalidInput, match="32,767"):
        read_table_file(hostile, max_bytes=LIMIT)
    repetitive = _replace_part(base, "xl/sharedStrings.xml", shared.replace("郑州市", "郑" * (1 << 20)).encode())
    assert repetitive.stat().st_size < 64 << 10  # 3 KB of zip for 3 MB of one string (×1,000 cells: 3 GB)
    with pytest.raises(InvalidInput, match="倍"):
        read_table_file(repetitive, max_bytes=LIMIT)


def test_a_part_that_inflates_hundreds_of_times_is_refused(tmp_path: Path) -> None:
    hostile = _replace_part(_workbook(tmp_path / "b.xlsx"), "docProps/app.xml", b" " * (8 << 20))
    with pytest.raises(InvalidInput, match="倍"):
        read_table_file(hostile, max_bytes=LIMIT)
    with pytest.raises(InvalidInput, match="字节"):  # and the total unpacked size has its own limit
        read_table_file(_workbook(tmp_path / "c.xlsx"), max_bytes=100)  # 4 × 100 bytes unpacked at most


def test_more_rows_than_excel_allows_are_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bombs, "EXCEL_MAX_ROWS", 1000)  # the real limit is 1,048,576; the rule is the same
    with pytest.raises(InvalidInput, match="行"):
        read_table_file(_workbook(tmp_path / "big.xlsx", rows=1500), max_bytes=LIMIT)
    assert read_table_file(_workbook(tmp_path / "fits.xlsx", rows=900), max_bytes=LIMIT).frame.height == 900


def test_a_csv_with_more_columns_than_excel_allows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="16,384"):
        read_table_file(path, max_bytes=LIMIT)


# ---------------------------------------------------------------- merged cells and hidden sheets (documented in docs/tables.md)
def _official_workbook(path: Path, *, merge: str | None = None, hidden_first: bool = False) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    helper = book.active
    helper.title = "辅助"
    helper.append(["备注"])
    helper.append(["这是官员自己的辅助表"])
    data = book.create_sheet("学校")
    data.append(["区划代码", "名称", "层级", "上级区划代码"])
    data.append(["410100", "郑州市", "市", None])
    data.append(["410105", "金水区", "县", "410100"])
    data.append(["410122", "中牟县", "县", "410100"])
    if merge:
        data.merge_cells(merge)
    if hidden_first:
        helper.sheet_state = "hidden"
    book.save(path)
    return path


def test_merged_cells_are_refused_with_their_ranges_and_the_fix(tmp_path: Path) -> None:
    path = _official_workbook(tmp_path / "区划.xlsx", merge="D3:D4", hidden_first=True)
    with pytest.raises(InvalidInput) as refused:
        read_table_file(path, max_bytes=1 << 20)
    assert "D3:D4" in refused.value.message and "取消合并" in refused.value.message and "学校" in refused.value.message


def test_a_hidden_sheet_is_passed_over_and_a_named_one_is_read(tmp_path: Path) -> None:
    path = _official_workbook(tmp_path / "区划.xlsx", hidden_first=True)
    raw = read_table_file(path, max_bytes=1 << 20)  # the only visible sheet is the data
    assert raw.source == "sheet 学校" and raw.frame.height == 3
    assert read_table_file(path, sheet="辅助", max_bytes=1 << 20).source == "sheet 辅助"
    visible = _official_workbook(tmp_path / "两表.xlsx")
    with pytest.raises(InvalidInput):  # two visible candidates and none named 数据: the user must name one
        read_table_file(visible, max_bytes=1 << 20)


def test_merges_found_across_chunk_boundaries(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in range(1, 60_000):
        sheet.append([f"r{row}", row])
    for row in range(2, 59_000, 500):
        sheet.merge_cells(f"A{row}:A{row + 1}")
    path = tmp_path / "many.xlsx"
    book.save(path)
    facts = bombs.check_xlsx(path, max_unpacked=1 << 30)
    assert len(facts.merged["数据"]) == len(range(2, 59_000, 500))
