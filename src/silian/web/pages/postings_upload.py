"""招聘数据上传 (``/data/postings``): the city admin uploads a postings export (.csv in UTF-8, UTF-8-BOM or GBK, or
.xlsx), sees which file column became which field (auto-mapped, changeable with drop-downs), how many rows would
be kept and how many dropped by reason (with examples), then imports it — the same use-case as
``silian postings import FILE --load`` (:mod:`silian.services.postings.upload`). Low-confidence titles go to the
review queue (招聘岗位复核, linked). Other roles are refused; the public is sent to the login page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import register_messages, t
from silian.services.hub_database import Database
from silian.services.postings import upload as svc
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, SettingsDep
from silian.web.pages.postings_review import PATH as REVIEW_PATH
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/data/postings"
register_messages(
    {
        "nav_postings": ("招聘数据", "Postings"),
        "pu_title": ("招聘数据上传", "Upload job postings"),
        "pu_intro": (
            ("上传招聘网站导出的岗位数据（.csv：UTF-8、UTF-8-BOM、GBK 均可；或 .xlsx）。下一步会显示文件的每一列对应哪个字段"
            "（自动识别，可修改）、将计入需求和被剔除的行数及原因；确认后导入，与命令 silian postings import 文件 --load 相同。"),
            ("Upload a postings export (.csv in UTF-8, UTF-8 with BOM or GBK, or .xlsx). The next step shows which file "
            "column became which field (recognised automatically, and changeable), how many rows would be counted and "
            "how many dropped and why; then import it, as the command silian postings import FILE --load does."),
        ),
        "pu_file": ("文件", "File"),
        "pu_upload": ("上传并预览", "Upload and preview"),
        "pu_choose_file": ("请选择要上传的文件", "Choose a file to upload"),
        "pu_preview_title": ("列对应与预览：{name}", "Columns and preview: {name}"),
        "pu_read_as": ("读取方式：{source}；共 {n} 列", "Read as {source}; {n} columns"),
        "pu_auto": ("自动识别（预设 {preset}）", "Recognised automatically (preset {preset})"),
        "pu_auto_none": (
            "未能自动识别岗位名称列，请在下方选择",
            "The job-title column was not recognised: choose it below",
        ),
        "pu_col_field": ("字段", "Field"),
        "pu_col_column": ("文件中的列", "File column"),
        "pu_col_samples": ("示例值", "Sample values"),
        "pu_none": ("（不使用）", "(not used)"),
        "pu_required": ("必填", "required"),
        "pu_unit": ("薪资数字的单位（数字不带单位时）", "Unit of bare salary numbers"),
        "pu_unit_": ("元", "yuan"),
        "pu_unit_k": ("千元（k）", "thousand (k)"),
        "pu_unit_w": ("万元（w）", "ten thousand (w)"),
        "pu_repreview": ("按此对应重新预览", "Preview with this mapping"),
        "pu_import": ("导入（计入需求）", "Import (count in demand)"),
        "pu_fix_first": ("请先改正上面标出的问题", "Fix the problems marked above first"),
        "pu_rows": ("读取 {rows:,} 行", "{rows:,} rows read"),
        "pu_kept": ("计入需求 {kept:,} 条", "{kept:,} counted in demand"),
        "pu_dropped": ("未计入 {n:,} 行", "{n:,} rows not counted"),
        "pu_records": ("汇总为 {n:,} 条需求记录", "{n:,} demand records"),
        "pu_dropped_title": ("未计入需求的行（按原因）", "Rows not counted in demand, by reason"),
        "pu_unreadable_title": (
            "计入但有字段无法识别的行（该字段留空）",
            "Rows with a field that could not be read (that field left empty)",
        ),
        "pu_col_reason": ("原因", "Reason"),
        "pu_col_rows": ("行数", "Rows"),
        "pu_col_examples": ("示例", "Examples"),
        "pu_nothing_unreadable": ("所有字段都能识别。", "Every field could be read."),
        "pu_done_title": ("导入完成：{name}", "Imported: {name}"),
        "pu_done_loaded": ("已载入需求表（来源 posting）：{n:,} 行", "Loaded into the demand table (source posting): {n:,} rows"),
        "pu_done_review": (
            "{n:,} 条招聘的岗位名称置信度低，已进入复核队列",
            "{n:,} postings have low-confidence titles and wait in the review queue",
        ),
        "pu_review_link": ("去复核岗位名称（招聘岗位复核）", "Review the titles (review of job titles)"),
        "pu_dashboard_link": ("查看招聘需求看板", "See the postings dashboard"),
        "pu_again": ("再上传一个文件", "Upload another file"),
    }
)


def _refused(request: Request, principal: Principal) -> Response | None:
    if principal.is_public:
        return RedirectResponse("/login?" + urlencode({"next": PATH}), status_code=303)
    if not principal.is_admin:
        return render(request, "postings/upload.html", principal, status_code=403, forbidden=t("pu_forbidden"), error="")
    return None


def _upload_page(request: Request, principal: Principal, status_code: int = 200, error: str = "") -> Response:
    return render(request, "postings/upload.html", principal, status_code=status_code, forbidden="", error=error,
                  review_path=REVIEW_PATH)


@router.get(PATH)
def upload_form(request: Request, principal: PrincipalDep) -> Response:
    return _refused(request, principal) or _upload_page(request, principal)


@router.post(PATH)
async def upload_file(request: Request, settings: SettingsDep, principal: PrincipalDep) -> Response:
    refused = _refused(request, principal)
    if refused:
        return refused
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_page(request, principal, 400, t("pu_choose_file"))
    try:
        stored = await run_in_threadpool(svc.store_upload, settings, principal, file.file, file.filename)
    except InvalidInput as exc:
        return _upload_page(request, principal, 400, exc.message)
    try:
        await run_in_threadpool(svc.file_columns, stored)  # an unreadable file is refused here, beside the form
    except InvalidInput as exc:
        svc.remove_upload(stored)
        return _upload_page(request, principal, 400, exc.message)
    return RedirectResponse(f"{PATH}/{stored.token}", status_code=303)


async def _preview(request: Request, db: Database, principal: Principal, upload: svc.StoredUpload,
                   choices: dict[str, str] | None, salary_unit: str | None, status_code: int = 200) -> Response:
    columns = await run_in_threadpool(svc.file_columns, upload)
    auto, auto_unit, preset = svc.auto_choices(columns.columns)
    chosen = auto if choices is None else choices
    unit = auto_unit if salary_unit is None else salary_unit
    mapping, problems = svc.mapping_from_choices(chosen, columns.columns, unit, name=preset or "web")
    preview = await run_in_threadpool(svc.preview_upload, db, principal, upload, mapping) if mapping else None
    return render(request, "postings/preview.html", principal, status_code=400 if problems else status_code,
                  upload=upload, columns=columns, fields=svc.FIELDS, required=svc.REQUIRED, chosen=chosen, unit=unit,
                  units=svc.SALARY_UNITS, problems=problems, preview=preview, preset=preset if choices is None else "",
                  auto_failed=choices is None and not auto["title"], error="", review_path=REVIEW_PATH)


def _gone(request: Request, principal: Principal, exc: SilianError) -> Response:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 400
    return _upload_page(request, principal, status, exc.message)


@router.get(PATH + "/{token}")
async def preview_page(request: Request, token: str, db: DbDep, settings: SettingsDep, principal: PrincipalDep) -> Response:
    refused = _refused(request, principal)
    if refused:
        return refused
    try:
        upload = svc.find_upload(settings, principal, token)
        return await _preview(request, db, principal, upload, None, None)
    except SilianError as exc:
        return _gone(request, principal, exc)


@router.post(PATH + "/{token}")
async def preview_or_import(request: Request, token: str, db: DbDep, settings: SettingsDep, client: ClientDep,
                            principal: PrincipalDep) -> Response:
    """``action=preview`` shows the preview with the drop-downs' mapping; ``action=import`` imports with it."""
    refused = _refused(request, principal)
    if refused:
        return refused
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    choices = {f: form.get(f"map_{f}", "") for f in svc.FIELDS}
    unit = form.get("salary_unit", "")
    try:
        upload = svc.find_upload(settings, principal, token)
        if form.get("action") != "import":
            return await _preview(request, db, principal, upload, choices, unit)
        columns = await run_in_threadpool(svc.file_columns, upload)
        mapping, _ = svc.mapping_from_choices(choices, columns.columns, unit)
        if mapping is None:  # the preview says what is wrong, beside each drop-down
            return await _preview(request, db, principal, upload, choices, unit)
        summary = await run_in_threadpool(svc.import_upload, db, settings, principal, upload, mapping, client=client)
    except SilianError as exc:
        return _gone(request, principal, exc)
    return render(request, "postings/done.html", principal, name=upload.name, summary=summary, review_path=REVIEW_PATH,
                  error="")
