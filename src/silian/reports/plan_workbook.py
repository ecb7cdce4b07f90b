"""The enrolment plan as an Excel workbook (``silian plan -o plan.xlsx``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from silian.services.planning.enrolment_plan import EnrolmentPlan


def write_plan_xlsx(plan: EnrolmentPlan, path: Path) -> Path:
    """Sheets: 计划 plan, 变化 changes, 约束 binding, 专业 majors, 效果 effect."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheets = {"计划 plan": plan.plan, "变化 changes": plan.changes, "约束 binding": plan.binding, "专业 majors": plan.majors}
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, frame.columns)
        for i, row in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(i, 0, ["、".join(v) if isinstance(v, list) else v for v in row])
    sheet = book.add_worksheet("效果 effect")
    for i, (key, value) in enumerate([*plan.effect.items(), *(("note", n) for n in plan.notes)]):
        sheet.write_row(i, 0, [key, value])
    book.close()
    return path
