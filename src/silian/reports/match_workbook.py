"""Students matched to seats as an Excel workbook (the 学生与岗位匹配 page's download, ``silian match … -o OUT.xlsx``):
录取结果 (every student: the seat and which choice it was), 岗位 (every position: seats, matched, left, who) and
说明 (the summary). Users' codes and names are written as text cells: nothing runs as a formula, no leading zero
is lost."""

from __future__ import annotations

import io
from pathlib import Path

from silian.domain.messages import register_messages, t
from silian.services.planning.seat_workbook import WorkbookMatch

register_messages({
    "mx_sheet_students": ("录取结果", "Students"),
    "mx_sheet_positions": ("岗位", "Positions"),
    "mx_sheet_about": ("说明", "About"),
    "mx_student": ("学生编号", "Student"),
    "mx_name": ("姓名", "Name"),
    "mx_score": ("成绩", "Score"),
    "mx_position": ("录取岗位编号", "Seat"),
    "mx_position_name": ("岗位名称", "Position"),
    "mx_employer": ("企业", "Employer"),
    "mx_choice": ("第几志愿", "Choice"),
    "mx_unmatched": ("未录取", "not matched"),
    "mx_code": ("岗位编号", "Position code"),
    "mx_capacity": ("名额", "Seats"),
    "mx_matched": ("录取人数", "Matched"),
    "mx_left": ("剩余名额", "Seats left"),
    "mx_students": ("录取的学生（按成绩）", "Students matched (by score)"),
    "mx_summary": (
        "{n_students:,} 名学生中 {n_matched:,} 名获得岗位（{n_first:,} 名是第一志愿），岗位共 {seats:,} 个名额",
        "{n_matched:,} of {n_students:,} students got a seat ({n_first:,} their first choice); {seats:,} seats in all",
    ),
    "mx_method": (
        "方法：延迟接受（学生提出，岗位按成绩择优；结果稳定，对每名学生是所有稳定结果中最好的）",
        "Method: deferred acceptance (students propose, seats take the best scores; stable and best for every student)",
    ),
})


def match_xlsx(match: WorkbookMatch) -> bytes:
    """The workbook's bytes."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    text = book.add_format({"num_format": "@"})
    students = book.add_worksheet(t("mx_sheet_students"))
    heads = ["mx_student", "mx_name", "mx_score", "mx_position", "mx_position_name", "mx_employer", "mx_choice"]
    students.write_row(0, 0, [t(h) for h in heads], bold)
    for r, row in enumerate(match.student_rows(), start=1):
        students.write_string(r, 0, row["student"], text)
        _text(students, r, 1, row["name"])
        if row["score"] is not None:
            students.write_number(r, 2, row["score"])
        students.write_string(r, 3, row["position"] or t("mx_unmatched"), text)
        _text(students, r, 4, row["position_name"])
        _text(students, r, 5, row["employer"])
        if row["choice"] is not None:
            students.write_number(r, 6, row["choice"])
    for col, width in enumerate((14, 12, 8, 14, 22, 26, 10)):
        students.set_column(col, col, width)
    students.freeze_panes(1, 0)
    positions = book.add_worksheet(t("mx_sheet_positions"))
    heads = ["mx_code", "mx_position_name", "mx_employer", "mx_capacity", "mx_matched", "mx_left", "mx_students"]
    positions.write_row(0, 0, [t(h) for h in heads], bold)
    for r, row in enumerate(match.position_rows(), start=1):
        positions.write_string(r, 0, row["position"], text)
        _text(positions, r, 1, row["name"])
        _text(positions, r, 2, row["employer"])
        for col, key in ((3, "capacity"), (4, "matched"), (5, "left")):
            positions.write_number(r, col, row[key])
        positions.write_string(r, 6, t("list_joiner").join(row["students"]))
    for col, width in enumerate((14, 22, 26, 8, 10, 10, 60)):
        positions.set_column(col, col, width)
    positions.freeze_panes(1, 0)
    about = book.add_worksheet(t("mx_sheet_about"))
    outcome = match.outcome
    about.write_string(0, 0, t("mx_summary", n_students=outcome.n_students, n_matched=outcome.n_matched,
                                n_first=outcome.n_first_choice, seats=outcome.seats))
    about.write_string(1, 0, t("mx_method"))
    book.close()
    return out.getvalue()


def _text(sheet, row: int, col: int, value: str) -> None:  # type: ignore[no-untyped-def]
    """A text cell, left empty for no text (an empty string would be a cell holding "")."""
    if value:
        sheet.write_string(row, col, value)


def write_match_xlsx(match: WorkbookMatch, path: Path) -> Path:
    """Write :func:`match_xlsx` to ``path`` through a temporary file (a failed run leaves no half file)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(match_xlsx(match))
    partial.replace(path)
    return path
