"""Data entry in the browser (``/data/upload``): choose a table the user may write, download its template, upload an
.xlsx or .csv, and see every problem (file, row, column, value, problem, fix) or, once the file is clean, what it
changed. Uploads go through :mod:`silian.services.uploads`, exactly as ``POST /api/v1/imports/{table}``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from silian.domain.access import Principal, write_scope
from silian.domain.errors import ImportRejected, InvalidInput, PermissionDenied, SilianError
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES
from silian.services import uploads
from silian.services.imports import ImportOutcome, template_for
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, SettingsDep
from silian.web.pages.records import web_hint
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "up_title": ("数据填报", "Data upload"),
        "up_intro": (
            (
                "选择数据表并下载模板，按模板填好后上传（.xlsx 或 .csv，UTF-8、UTF-8-BOM、GBK 均可）。整个文件先逐行校验：有任何"
                "问题，"
                "一行也不写入，按下表改正后重新上传即可；全部通过后在一个事务内写入（按唯一键新增或更新）。"
            ),
            (
                "Choose a table and download its template, fill it in and upload it (.xlsx or .csv in UTF-8, UTF-8 with BOM "
                "or GBK). The whole file is checked row by row first: if anything is wrong, no row is written — fix what the "
                "table below lists and upload again. A clean file is written in one transaction (new rows added, existing "
                "ones updated by their key)."
            ),
        ),
        "up_scope_all": ("市级管理员：可上传任何数据。", "City admin: you may upload any data."),
        "up_scope_school_user": ("只能上传本校（{code}）的数据。", "You may upload your school's ({code}) data only."),
        "up_scope_county_officer": (
            "只能上传本县（市、区，{code}）的数据。",
            "You may upload your county's ({code}) data only.",
        ),
        "up_scope_enterprise_user": (
            "只能上传本企业（{code}）的数据。",
            "You may upload your enterprise's ({code}) data only.",
        ),
        "up_no_tables": ("当前角色没有可填报的数据表。", "Your role has no tables to upload to."),
        "up_table": ("数据表", "Table"),
        "up_template": ("下载模板", "Download the template"),
        "up_file": ("文件", "File"),
        "up_dry_run": ("只校验，不写入", "Check only, write nothing"),
        "up_submit": ("上传", "Upload"),
        "up_columns": ("各列说明", "The columns"),
        "up_required": ("必填", "required"),
        "up_key": ("唯一键（重复上传时据此更新）：{key}", "Key (a re-upload updates by it): {key}"),
        "up_problems": (
            "文件未写入：请改正以下 {count} 个问题后重新上传",
            "Nothing was written: fix these {count} problems and upload again",
        ),
        "up_row": ("行", "Row"),
        "up_column": ("列", "Column"),
        "up_value": ("值", "Value"),
        "up_problem": ("问题", "Problem"),
        "up_fix": ("修改建议", "How to fix"),
        "up_done": ("已写入“{table}”：共 {rows} 行", "Written to '{table}': {rows} rows"),
        "up_checked": (
            "校验通过（只校验，未写入）：“{table}”共 {rows} 行",
            "The file is clean (checked only, nothing written): '{table}', {rows} rows",
        ),
        "up_inserted": ("新增", "new"),
        "up_updated": ("更新", "updated"),
        "up_unchanged": ("未变", "unchanged"),
        "up_choose_file": ("请选择要上传的文件", "Choose a file to upload"),
        "up_records": ("浏览、搜索和逐条修改“{table}”的记录", "See, search and edit the records of '{table}'"),
        "up_lists": ("逐条查看和修改记录", "See and edit records one by one"),
    }
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login_redirect(request: Request) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": "/data/upload"}), status_code=303)


def _scope_note(principal: Principal) -> str:
    if principal.is_admin:
        return t("up_scope_all")
    code = {"school_user": principal.institution_code, "county_officer": principal.county_code,
            "enterprise_user": principal.enterprise_credit_code}.get(principal.role)
    return t(f"up_scope_{principal.role}", code=code or "")


def _page(request: Request, principal: Principal, table: str | None, *, status_code: int = 200, outcome: ImportOutcome | None = None,
          dry_run: bool = False, error: str = "", problems: list[Any] | None = None) -> Response:
    tables = uploads.writable_tables(principal)
    chosen = table if table in tables else (tables[0] if tables else None)
    en = current_lang.get() == "en"
    names = {name: HUB_TABLES[name].en if en else HUB_TABLES[name].zh for name in HUB_TABLES}
    spec = HUB_TABLES[chosen] if chosen else None
    key = "+".join((spec.field(k).en if en else spec.field(k).zh) for k in spec.key) if spec else ""
    return render(request, "uploads/upload.html", principal, status_code=status_code, tables=tables, chosen=chosen, names=names,
                  spec=spec, key=key, en=en, scope_note=_scope_note(principal), outcome=outcome, dry_run=dry_run, error=error,
                  problems=problems or [], web_hint=web_hint, tab="upload")


@router.get("/data/upload")
def upload_form(request: Request, principal: PrincipalDep, table: str | None = None) -> Response:
    if principal.is_public:
        return _login_redirect(request)
    return _page(request, principal, table)


@router.post("/data/upload")
async def upload_file(request: Request, db: DbDep, settings: SettingsDep, client: ClientDep, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login_redirect(request)
    form = await request.form()
    table, dry_run, file = str(form.get("table") or ""), bool(form.get("dry_run")), form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, principal, table, status_code=400, error=t("up_choose_file"))
    try:
        if write_scope(principal, table).kind == "none":
            raise PermissionDenied(t("up_table_forbidden", table=table))
        outcome = await run_in_threadpool(uploads.import_upload, db, settings, principal, table, file.file, file.filename,
                                          dry_run=dry_run, client=client)
    except ImportRejected as exc:
        return _page(request, principal, table, status_code=422, error=t("up_problems", count=len(exc.problems)),
                     problems=exc.problems)
    except SilianError as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400 if isinstance(exc, InvalidInput) else 422
        return _page(request, principal, table, status_code=status, error=exc.message)
    return _page(request, principal, table, outcome=outcome, dry_run=dry_run)


@router.get("/data/template/{table}.xlsx")
def template(request: Request, table: str, principal: PrincipalDep) -> Response:
    """The table's .xlsx template (headers in the page's language, a 说明 sheet describing every column)."""
    if principal.is_public:
        return _login_redirect(request)
    if table not in HUB_TABLES:
        raise HTTPException(404, t("web_not_found", path=request.url.path))
    with tempfile.TemporaryDirectory(prefix="silian-template-") as folder:
        path = Path(folder) / f"{table}.xlsx"
        template_for(table, path)
        content = path.read_bytes()
    name = f"{HUB_TABLES[table].zh}_{table}.xlsx"
    disposition = f"attachment; filename=\"{table}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})
