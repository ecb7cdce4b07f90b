"""The enrolment plan as an Excel workbook (``silian plan -o plan.xlsx``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from silian.services.planning.enrolment_plan import EnrolmentPlan


def write_plan_xlsx(plan: EnrolmentPlan, path: Path) -> Path:
    """Sheets: 计划 plan, 变化 changes, 约束 binding, 专业 majors, 情景 scenarios (how this year's enrolment and
    the plan do in the low / point / high demand scenario), 效果 effect."""
    import polars as pl
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    scenarios = pl.DataFrame(plan.effect.get("scenarios") or [])
    sheets = {"计划 plan": plan.plan, "变化 changes": plan.changes, "约束 binding": plan.binding, "专业 majors": plan.majors,
              "情景 scenarios": scenarios}
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, frame.columns)
        for i, row in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(i, 0, [_cell(v) for v in row])
    sheet = book.add_worksheet("效果 effect")
    effect = [(k, v) for k, v in plan.effect.items() if k != "scenarios"]
    for i, (key, value) in enumerate([*effect, *(("note", n) for n in plan.notes)]):
        sheet.write_row(i, 0, [key, _cell(value)])
    book.close()
    return path


def _cell(value: object) -> object:
    """Lists as text (``、``-joined; numbers without decimals when whole)."""
    if isinstance(value, list):
        return "、".join(f"{v:,.0f}" if isinstance(v, float) and v.is_integer() else str(v) for v in value)
    return value
