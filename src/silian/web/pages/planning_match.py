"""学生与岗位匹配 (``/planning/match``), the 规划 tab open to every logged-in user: upload a JSON file (the
`silian match` contract: deferred acceptance or max-weight) or an Excel workbook with a 学生 sheet and a 岗位 sheet
(or the two as separate files; template at ``/planning/match/template.xlsx``), see every problem at once (sheet,
row, column, value, fix) or the result, and download it (JSON for a JSON file, .xlsx for a workbook).
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected, SilianError
from silian.domain.messages import register_messages, t
from silian.reports.match_workbook import match_xlsx
from silian.services.planning.seat_matching import METHODS, dump_match_json, match_from_bytes
from silian.services.planning.seat_workbook import WorkbookMatch, match_from_workbook, match_template
from silian.settings import Settings
from silian.web.dependencies import PrincipalDep, SettingsDep
from silian.web.pages.planning import _download, _login, _page

router = APIRouter(include_in_schema=False)
MAX_INLINE_DOWNLOAD = 4_000_000  # bytes of result offered as a download link on the page
SHOWN_POSITIONS = 50
SHOWN_STUDENTS = 200
SHEET_SUFFIXES = (".xlsx", ".csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
register_messages(
    {
        "pm_intro_excel": (
            ("也可以上传 Excel：一个工作簿含“学生”（学生编号、成绩、志愿1…）和“岗位”（岗位编号、名额）两个工作表，"
            "或分别上传学生文件和岗位文件（.xlsx 或 .csv）。岗位按成绩从高到低录取（延迟接受，结果稳定）。"),
            ("Or upload Excel: one workbook with a `学生` sheet (student code, score, choices `志愿1`…) and a `岗位` sheet "
            "(position code, seats), or the two as separate files (.xlsx or .csv). Seats take students by score, highest "
            "first (deferred acceptance: a stable result)."),
        ),
        "pm_template": ("下载 Excel 模板", "Download the Excel template"),
        "pm_file": ("文件（JSON，或含两个工作表的 Excel，或学生表）", "File (JSON, an Excel workbook with both sheets, or the students)"),
        "pm_positions": ("岗位文件（可选：学生与岗位分开上传时）", "Positions file (optional: when students and seats are separate)"),
        "pm_excel_da_only": (
            "Excel 文件按成绩排序录取，只支持延迟接受；“最大权匹配”请用 JSON 文件",
            "Excel files rank students by score and use deferred acceptance only; use a JSON file for max-weight",
        ),
        "pm_download_xlsx": ("下载结果（Excel）", "Download the result (Excel)"),
        "pm_students_title": ("每名学生的结果", "Each student's seat"),
        "pm_more_students": ("另有 {n} 名学生未显示，见下载的结果", "{n} more students in the downloaded result"),
        "pm_col_student": ("学生", "Student"),
        "pm_col_score": ("成绩", "Score"),
        "pm_col_seat": ("录取岗位", "Seat"),
        "pm_col_choice": ("第几志愿", "Choice"),
        "pm_col_capacity": ("名额", "Seats"),
        "pm_unmatched": ("未录取", "not matched"),
        "pm_problems": ("文件", "File"),
    }
)


def _match_page(request: Request, principal: Principal, status_code: int = 200, **context: Any) -> Response:
    base: dict[str, Any] = {"methods": METHODS, "method": "da", "outcome": None, "error": "", "problems": [], "workbook": None}
    return _page(request, principal, "planning/match.html", "match", status_code=status_code, **{**base, **context})


@router.get("/planning/match")
def match_page(request: Request, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login(request.url.path)
    return _match_page(request, principal)


@router.get("/planning/match/template.xlsx")
def match_template_download(request: Request, principal: PrincipalDep) -> Response:
    """The workbook template: 学生 and 岗位 sheets with an example, code columns as text, a 说明 sheet."""
    if principal.is_public:
        return _login(request.url.path)
    return _download(match_template(), "学生与岗位匹配模板.xlsx", XLSX)


def _is_sheet(upload: UploadFile | None) -> bool:
    return bool(upload and upload.filename and Path(upload.filename).suffix.lower() in SHEET_SUFFIXES)


def _workbook_match(settings: Settings, students: tuple[bytes, str], positions: tuple[bytes, str] | None) -> WorkbookMatch:
    with tempfile.TemporaryDirectory(prefix="silian-match-") as folder:
        path = Path(folder) / ("students" + Path(students[1]).suffix.lower())
        path.write_bytes(students[0])
        other = None
        if positions is not None:
            other = Path(folder) / ("positions" + Path(positions[1]).suffix.lower())
            other.write_bytes(positions[0])
        return match_from_workbook(path, other, max_bytes=settings.import_max_bytes, display=students[1],
                                   positions_display=positions[1] if positions else None)


@router.post("/planning/match")
async def match_upload(request: Request, settings: SettingsDep, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login(request.url.path)
    form = await request.form()
    method, file, second = str(form.get("method") or "da"), form.get("file"), form.get("positions")
    file = file if isinstance(file, UploadFile) and file.filename else None
    second = second if isinstance(second, UploadFile) and second.filename else None
    if file is None:
        return _match_page(request, principal, 400, method=method, error=t("up_choose_file"))
    if not (_is_sheet(file) or second is not None):
        return await _json_match(request, principal, file, method)
    if method != "da":
        return _match_page(request, principal, 400, method=method, error=t("pm_excel_da_only"))
    try:
        raw = (await file.read(), file.filename or "")
        other = (await second.read(), second.filename or "") if second is not None else None
        match = await run_in_threadpool(_workbook_match, settings, raw, other)
    except ImportRejected as exc:
        return _match_page(request, principal, 422, method=method, error=exc.message, problems=exc.problems)
    except SilianError as exc:
        return _match_page(request, principal, 400, method=method, error=exc.message)
    body = await run_in_threadpool(match_xlsx, match)
    link = f"data:{XLSX};base64," + base64.b64encode(body).decode() if len(body) <= MAX_INLINE_DOWNLOAD else ""
    outcome = match.outcome
    shown = list(outcome.result["matching"].items())[:SHOWN_POSITIONS]
    return _match_page(request, principal, method=method, outcome=outcome, shown=shown, workbook=match,
                       students=match.student_rows()[:SHOWN_STUDENTS], positions=match.position_rows()[:SHOWN_POSITIONS],
                       download=link, filename=f"{Path(file.filename or 'match').stem}_匹配结果.xlsx")


async def _json_match(request: Request, principal: Principal, file: UploadFile, method: str) -> Response:
    """A JSON matching file, as before (the `silian match` contract; the result as JSON)."""
    raw = await file.read()
    try:
        outcome = await run_in_threadpool(match_from_bytes, raw, method, file.filename or "request")
    except SilianError as exc:
        return _match_page(request, principal, 400, method=method, error=exc.message)
    text = dump_match_json(outcome.result)
    link = "data:application/json;charset=utf-8," + quote(text) if len(text) <= MAX_INLINE_DOWNLOAD else ""
    shown = list(outcome.result["matching"].items())[:SHOWN_POSITIONS]
    return _match_page(request, principal, method=method, outcome=outcome, shown=shown, download=link,
                       filename=f"{(file.filename or 'match').rsplit('.', 1)[0]}_matched.json")
