"""A presented table as a download: CSV (UTF-8 with a byte-order mark) or an Excel sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from silian.domain.cells import defused_row
from silian.ingest.spreadsheets import inert_frame
from silian.services.presentation.table import PresentedTable

__all__ = ["inert_frame", "to_csv", "to_xlsx"]


def to_csv(table: PresentedTable) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), a header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    writer.writerows(defused_row(row) for row in table.export_rows())  # text never runs as a formula
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: PresentedTable, notes: Sequence[str] = ()) -> bytes:
    """One sheet: the header row (bold, frozen), the rows, then ``notes`` (e.g. the generated-data mark)."""
    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name(table.title))  # the table's title in the user's language, not its id
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    sheet.write_row(0, 0, [c.label for c in table.columns], bold)
    for i, row in enumerate(table.export_rows(), start=1):
        sheet.write_row(i, 0, row)
    for j, note in enumerate(notes):
        sheet.write_string(len(table.rows) + 2 + j, 0, note)
    for j, column in enumerate(table.columns):
        sheet.set_column(j, j, max(10, min(40, len(column.label) * 2 + 2)))
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()



def sheet_name(title: str) -> str:
    """An Excel sheet name from a title: without the characters Excel refuses (``[]:*?/\\``), at most 31 long."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip().strip("'")
    return (cleaned or "Sheet1")[:31]
