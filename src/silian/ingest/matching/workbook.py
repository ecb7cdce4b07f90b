"""Matching from spreadsheets: one workbook with a 学生 sheet (each student's ranked choices) and a 岗位 sheet (each
seat's capacity), or the two as separate files (.xlsx or .csv). Every problem is found row by row and reported
together (sheet, row, column, value, what is wrong, how to fix it) as :class:`ImportRejected`; a clean file
becomes the same :class:`MatchInput` as a JSON file (:mod:`silian.ingest.matching.check`), for deferred acceptance.

A seat accepts every student who lists it and ranks them by 成绩 (score; higher first, students without a score
after those with one, ties in the sheet's order): the usual rule when a school fills order classes and
apprenticeships by grades. The template is :mod:`silian.ingest.matching.template`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from silian.domain.errors import ImportRejected, InvalidInput, RowProblem
from silian.domain.messages import register_messages, t
from silian.ingest.matching.check import MatchInput, check_match_data
from silian.ingest.matching.decode import JsonObject
from silian.ingest.readers import ROW, XLSX_MAGIC, read_table_file

STUDENT_SHEETS = ("学生", "students", "Students")
POSITION_SHEETS = ("岗位", "positions", "Positions")
# each column: its Chinese header first (the template's), then what else is accepted
STUDENT_ID = ("学生编号", "学号", "student_id", "student")
STUDENT_NAME = ("姓名", "name", "student_name")
STUDENT_SCORE = ("成绩", "分数", "score")
POSITION_ID = ("岗位编号", "position_id", "position")
POSITION_NAME = ("岗位名称", "position_name")
POSITION_EMPLOYER = ("企业", "单位", "enterprise", "employer")
POSITION_CAPACITY = ("名额", "人数", "capacity", "seats")
CHOICE = re.compile(r"^(?:志愿|第\s*)(\d+)(?:\s*志愿)?$|^choice[ _]?(\d+)$", re.IGNORECASE)
MAX_PROBLEMS = 200

register_messages(
    {
        "mw_rejected": (
            "匹配文件有 {count} 处问题，未进行匹配：请按下表改正后重新上传",
            "The matching file has {count} problem(s) and was not matched: fix them as listed and upload again",
        ),
        "mw_missing_column": ("缺少“{column}”列", "The column '{column}' is missing"),
        "mw_missing_column_fix": (
            "在第 1 行加上列名“{column}”（可下载模板对照）",
            "Add the header '{column}' to row 1 (compare with the template)",
        ),
        "mw_no_choices": ("没有志愿列（志愿1、志愿2……）", "No choice columns (志愿1, 志愿2, …)"),
        "mw_no_choices_fix": (
            "在第 1 行加上“志愿1”“志愿2”等列，每名学生按先后填写岗位编号",
            "Add the headers 志愿1, 志愿2, … to row 1 and fill in position codes, best first",
        ),
        "mw_empty_id": ("编号为空", "The code is empty"),
        "mw_empty_id_fix": ("每一行都要有编号；不需要的行请整行删除", "Every row needs a code; delete rows you do not need"),
        "mw_repeated_id": ("编号与第 {first} 行重复", "The code repeats row {first}"),
        "mw_repeated_id_fix": ("每个编号只能出现一次", "Each code may appear once"),
        "mw_bad_score": ("成绩不是数字", "The score is not a number"),
        "mw_bad_score_fix": ("填写数字，如 86.5；没有成绩可留空", "Write a number such as 86.5, or leave it empty"),
        "mw_bad_capacity": ("名额应为不小于 0 的整数", "The number of seats must be a whole number ≥ 0"),
        "mw_bad_capacity_fix": ("填写整数，如 2", "Write a whole number such as 2"),
        "mw_unknown_position": ("“岗位”表中没有这个岗位编号", "No such position code in the positions sheet"),
        "mw_unknown_position_fix": (
            "填写“岗位”表中已有的岗位编号，或在“岗位”表中补上这个岗位",
            "Use a code listed in the positions sheet, or add the position there",
        ),
        "mw_repeated_choice": ("与“{first}”重复", "Repeats '{first}'"),
        "mw_repeated_choice_fix": ("每个岗位只能填一次", "List each position once"),
        "mw_sheets": (
            "{path} 中没有“学生”和“岗位”两个工作表（现有：{sheets}）；也可以分别上传学生文件和岗位文件",
            "{path} has no 学生 and 岗位 sheets (it has: {sheets}); or upload the students and positions as two files",
        ),
    }
)


@dataclass
class MatchWorkbook:
    """A checked matching workbook: the solver's input and what the result sheet shows beside the codes."""

    data: MatchInput
    student_names: dict[str, str] = field(default_factory=dict)
    student_scores: dict[str, float] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    position_names: dict[str, str] = field(default_factory=dict)
    employers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Sheet:
    frame: pl.DataFrame
    label: str  # how problems name it: 文件 › 工作表


def _sheet_names(path: Path) -> list[str]:
    with path.open("rb") as fh:
        if not fh.read(4).startswith(XLSX_MAGIC):
            return []
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception:  # noqa: BLE001 - calamine's own errors; read_table_file says what is wrong
        return []


def _read(path: Path, wanted: tuple[str, ...], display: str, max_bytes: int) -> _Sheet:
    names = _sheet_names(path)
    sheet = next((n for n in wanted if n in names), None)
    raw = read_table_file(path, sheet=sheet, max_bytes=max_bytes)
    return _Sheet(raw.frame, f"{display} › {sheet}" if sheet else display)


def _column(frame: pl.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in frame.columns if c.strip().lower() in {n.lower() for n in names}), None)


def _choice_columns(frame: pl.DataFrame) -> list[str]:
    found = []
    for column in frame.columns:
        hit = CHOICE.match(column.strip())
        if hit:
            found.append((int(hit.group(1) or hit.group(2)), column))
    return [c for _, c in sorted(found)]


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _code(text: str | None) -> str:
    """A code cell as text: ``1001.0`` (a number cell) is ``1001``."""
    if text is None:
        return ""
    text = text.strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


class _Problems:
    def __init__(self) -> None:
        self.found: list[RowProblem] = []

    def add(self, sheet: _Sheet, row: int | None, column: str | None, value: str | None, message: str, fix: str) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(RowProblem(sheet.label, row, column, value, message, fix))

    def missing(self, sheet: _Sheet, header: str) -> None:
        self.add(sheet, 1, header, None, t("mw_missing_column", column=header), t("mw_missing_column_fix", column=header))


def _ids(sheet: _Sheet, column: str, problems: _Problems) -> list[tuple[int, str]]:
    """``(row, code)`` of every row with a code that is not repeated; empty and repeated codes are problems."""
    seen: dict[str, int] = {}
    rows = []
    for row, value in sheet.frame.select(ROW, column).iter_rows():
        code = _code(value)
        if not code:
            problems.add(sheet, row, column, None, t("mw_empty_id"), t("mw_empty_id_fix"))
        elif code in seen:
            problems.add(sheet, row, column, code, t("mw_repeated_id", first=seen[code]), t("mw_repeated_id_fix"))
        else:
            seen[code] = row
            rows.append((row, code))
    return rows


def _positions(sheet: _Sheet, problems: _Problems, book: MatchWorkbook) -> dict[str, int]:
    frame = sheet.frame
    id_col, cap_col = _column(frame, POSITION_ID), _column(frame, POSITION_CAPACITY)
    for header, found in ((POSITION_ID[0], id_col), (POSITION_CAPACITY[0], cap_col)):
        if found is None:
            problems.missing(sheet, header)
    if id_col is None or cap_col is None:
        return {}
    name_col, employer_col = _column(frame, POSITION_NAME), _column(frame, POSITION_EMPLOYER)
    by_row = {r[ROW]: r for r in frame.iter_rows(named=True)}
    capacities: dict[str, int] = {}
    for row, code in _ids(sheet, id_col, problems):
        record = by_row[row]
        text = (record[cap_col] or "").strip()
        number = _number(text) if text else None
        if number is None or number < 0 or number != int(number):
            problems.add(sheet, row, cap_col, text or None, t("mw_bad_capacity"), t("mw_bad_capacity_fix"))
            capacities[code] = 0
        else:
            capacities[code] = int(number)
        if name_col and record[name_col]:
            book.position_names[code] = record[name_col]
        if employer_col and record[employer_col]:
            book.employers[code] = record[employer_col]
    return capacities


def _students(sheet: _Sheet, problems: _Problems, positions: dict[str, int], book: MatchWorkbook) -> list[str]:
    frame = sheet.frame
    id_col, choices = _column(frame, STUDENT_ID), _choice_columns(frame)
    if id_col is None:
        problems.missing(sheet, STUDENT_ID[0])
    if not choices:
        problems.add(sheet, 1, "志愿1", None, t("mw_no_choices"), t("mw_no_choices_fix"))
    if id_col is None or not choices:
        return []
    name_col, score_col = _column(frame, STUDENT_NAME), _column(frame, STUDENT_SCORE)
    by_row = {r[ROW]: r for r in frame.iter_rows(named=True)}
    order = []
    for row, student in _ids(sheet, id_col, problems):
        record = by_row[row]
        order.append(student)
        if name_col and record[name_col]:
            book.student_names[student] = record[name_col]
        if score_col and record[score_col]:
            score = _number(record[score_col])
            if score is None:
                problems.add(sheet, row, score_col, record[score_col], t("mw_bad_score"), t("mw_bad_score_fix"))
            else:
                book.student_scores[student] = score
        listed: dict[str, str] = {}
        for column in choices:
            code = _code(record[column])
            if not code:
                continue
            if positions and code not in positions:
                problems.add(sheet, row, column, code, t("mw_unknown_position"), t("mw_unknown_position_fix"))
            elif code in listed:
                problems.add(sheet, row, column, code, t("mw_repeated_choice", first=listed[code]),
                             t("mw_repeated_choice_fix"))
            else:
                listed[code] = column
        book.choices[student] = list(listed)
    return order


def _ranked_applicants(order: list[str], book: MatchWorkbook, positions: dict[str, int]) -> dict[str, list[str]]:
    """Each position's applicants, best first: by score (higher first; no score last), then sheet order."""
    place = {s: i for i, s in enumerate(order)}
    ranked = sorted(order, key=lambda s: (s not in book.student_scores, -book.student_scores.get(s, 0.0), place[s]))
    applicants: dict[str, list[str]] = {p: [] for p in positions}
    for student in ranked:
        for position in book.choices.get(student, []):
            applicants[position].append(student)
    return applicants


def read_match_workbook(path: Path, positions_path: Path | None = None, *, max_bytes: int,
                        display: str | None = None, positions_display: str | None = None) -> MatchWorkbook:
    """Read and check a matching workbook (``path`` with both sheets) or two files (students in ``path``,
    positions in ``positions_path``); ``display`` names a file in problems (an upload's own name)."""
    display = display or path.name
    if positions_path is None:
        names = _sheet_names(path)
        if not any(n in names for n in STUDENT_SHEETS) or not any(n in names for n in POSITION_SHEETS):
            raise InvalidInput(t("mw_sheets", path=display, sheets="、".join(names) or "—"))
        positions_sheet = _read(path, POSITION_SHEETS, display, max_bytes)
    else:
        positions_sheet = _read(positions_path, POSITION_SHEETS, positions_display or positions_path.name, max_bytes)
    students_sheet = _read(path, STUDENT_SHEETS, display, max_bytes)
    problems = _Problems()
    book = MatchWorkbook(data=None)  # type: ignore[arg-type]  # filled once the sheets are clean
    capacities = _positions(positions_sheet, problems, book)
    order = _students(students_sheet, problems, capacities, book)
    if problems.found:
        found = sorted(problems.found, key=lambda p: (p.file != students_sheet.label, p.row or 0))
        raise ImportRejected(t("mw_rejected", count=len(found)), found,
                             truncated=len(problems.found) >= MAX_PROBLEMS)
    applicants = _ranked_applicants(order, book, capacities)
    students = JsonObject((s, book.choices.get(s, [])) for s in order)
    positions = JsonObject((p, JsonObject([("capacity", c), ("preferences", applicants[p])])) for p, c in capacities.items())
    book.data = check_match_data(JsonObject([("students", students), ("positions", positions)]), display, "da")
    return book
