"""The analysis report as an Excel workbook: a 说明 sheet (region, year, the generated-data mark), then every
presented table of the bundle on a sheet of its own — the same titles, labels and rows as the dashboard's
downloads and the HTML/PDF report."""

from __future__ import annotations

import io
import re
from datetime import date

from silian.domain.cells import defuse
from silian.domain.messages import current_lang, register_messages, t
from silian.reports.format import table_name
from silian.services.analysis import AnalysisBundle
from silian.services.presentation import BUNDLE_TABLES

register_messages({
    "rw_about": ("说明", "About"),
    "rw_region": ("地区", "Region"),
    "rw_year": ("年份", "Year"),
    "rw_made": ("生成日期", "Made on"),
    "rw_sheets": ("各工作表", "Sheets"),
    "rw_generated": ("演示生成数据", "Generated demo data"),
    "rw_none": ("无（全部为导入的真实数据）", "none (every input is imported real data)"),
})
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(number: int, title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique (case-insensitively)."""
    name = f"{number:02d} " + _BAD_SHEET_CHARACTERS.sub(" ", title)
    name = name[:31].rstrip()
    while name.lower() in taken:
        name = name[:28] + f"~{number:02d}"
    taken.add(name.lower())
    return name


def report_xlsx(bundle: AnalysisBundle) -> bytes:
    """The workbook's bytes (cells of text are written as text: nothing runs as a formula)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    about = book.add_worksheet(t("rw_about"))
    english = current_lang.get() == "en"
    generated = t("list_joiner").join(table_name(n, english) for n in bundle.generated_tables) or t("rw_none")
    lines = [[t("rp_title", region=bundle.region_name, year=bundle.year)], [t("rw_region"), bundle.region_name],
             [t("rw_year"), str(bundle.year)], [t("rw_made"), date.today().isoformat()], [t("rw_generated"), generated],
             [], [t("rw_sheets")]]
    taken = {t("rw_about").lower()}
    tables = [build(bundle, None) for build in BUNDLE_TABLES.values()]
    names = [_sheet_name(i, table.title, taken) for i, table in enumerate(tables, start=1)]
    lines += [[name, table.title] for name, table in zip(names, tables, strict=True)]
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            about.write_string(r, c, defuse(value))
    about.set_column(0, 0, 34)
    about.set_column(1, 1, 60)
    for name, table in zip(names, tables, strict=True):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [c.label for c in table.columns], bold)
        for i, row in enumerate(table.export_rows(), start=1):
            for j, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(i, j, value)
                elif value is not None:
                    sheet.write(i, j, value)
        for j, column in enumerate(table.columns):
            sheet.set_column(j, j, max(10, min(40, len(column.label) * 2 + 2)))
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
