"""Hub records in the browser: ``/data`` (every table the user may see, with its count), ``/data/records/{table}``
(a searchable, sortable, paged list of the rows the user's role may read, downloadable as .xlsx or CSV) and
``/data/lookup`` (find a code by name, code or pinyin). The record forms are :mod:`silian.web.pages.record_form`.

Everything goes through :mod:`silian.services.records` and :mod:`silian.services.lookup`, as the API does."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal, read_scope
from silian.domain.errors import SilianError
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES, Field, TableSpec
from silian.services import lookup as lookups
from silian.services import records
from silian.web.dependencies import DbDep, PrincipalDep
from silian.web.errors import error_heading
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "nav_data": ("数据", "Data"),
        "rl_tab_tables": ("数据表", "Tables"),
        "rl_tab_upload": ("上传文件", "Upload a file"),
        "rl_tab_lookup": ("代码查询", "Code lookup"),
        "rl_index_title": ("数据", "Data"),
        "rl_index_intro": (
            "查看、搜索和修改您有权查看的数据记录；逐条修改与上传文件使用同样的校验。",
            ("See, search and change the records your role may see; a record changed here is checked exactly as an "
            "uploaded file is."),
        ),
        "rl_table": ("数据表", "Table"),
        "rl_count": ("记录数", "Records"),
        "rl_browse": ("浏览", "Browse"),
        "rl_upload": ("上传", "Upload"),
        "rl_template": ("模板", "Template"),
        "rl_read_only": ("只读", "read only"),
        "rl_search": ("搜索", "Search"),
        "rl_search_hint": ("代码、名称或年份", "Code, name or year"),
        "rl_search_title": ("在文本列中查找；代码列也按其所指的名称查找（如专业名、县名）",
                            ("Searches the text columns; code columns are found by the names they stand for too "
                            "(a major's or a county's name)")),
        "rl_page_size": ("每页", "Per page"),
        "rl_total": ("共 {count} 条", "Records: {count}"),
        "rl_total_generated": ("其中 {count} 条为生成数据", "{count} of them generated"),
        "rl_generated": ("生成数据", "Generated"),
        "rl_generated_note": (
            "标有“生成数据”的行由演示数据生成器生成，只用于演示，不是真实数据。",
            "Rows marked 'Generated' come from the demo-data generator: they only demonstrate the platform and are not real.",
        ),
        "rl_new": ("新建记录", "New record"),
        "rl_download_xlsx": ("下载 Excel（当前筛选）", "Download Excel (this list)"),
        "rl_download_csv": ("下载 CSV（当前筛选）", "Download CSV (this list)"),
        "rl_open": ("打开", "Open"),
        "rl_id": ("编号", "ID"),
        "rl_yes": ("是", "Yes"),
        "rl_no": ("否", "No"),
        "rl_none_found": ("没有符合条件的记录。", "No records match."),
        "rl_page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
        "rl_first": ("首页", "First"),
        "rl_prev": ("上一页", "Previous"),
        "rl_next": ("下一页", "Next"),
        "rl_last": ("末页", "Last"),
        "rl_sort_by": ("按“{column}”排序", "Sort by '{column}'"),
        "rl_deleted": ("已删除记录 {id}。", "Record {id} was deleted."),
        "rl_no_tables": ("当前角色没有可查看的数据表。", "Your role has no tables to see."),
        "rl_unknown_table": ("没有这个数据表：{table}", "No such table: {table}"),
        "rl_scope_none": ("当前角色不能查看“{table}”中的记录。", "Your role may not see the records of '{table}'."),
        "rl_scope_all": ("市级管理员：可查看和修改所有记录。", "City admin: you may see and change every record."),
        "rl_scope_school_user": ("学校用户只能查看和修改本校（{code}）的记录。",
                                  "A school user may see and change its own school's ({code}) records only."),
        "rl_scope_county_officer": ("县级用户只能查看和修改本县（市、区，{code}）的记录。",
                                     "A county officer may see and change its county's ({code}) records only."),
        "rl_scope_enterprise_user": ("企业用户只能查看和修改本企业（{code}）的记录。",
                                      "An enterprise user may see and change its own enterprise's ({code}) records only."),
        "rl_lookup_title": ("代码查询", "Code lookup"),
        "rl_lookup_intro": (
            "按名称、代码或拼音查找代码：例如输入 sk 或 shukong 可找到“数控技术”。学校和企业只列出您有权查看的。",
            ("Find a code by its name, the code itself or the pinyin of the name: sk or shukong finds 数控技术 "
            "(CNC technology). Schools and enterprises list only those your role may see."),
        ),
        "rl_lookup_kind": ("查找", "Find"),
        "rl_lookup_query": ("名称、代码或拼音", "Name, code or pinyin"),
        "rl_code": ("代码", "Code"),
        "rl_name": ("名称", "Name"),
        "rl_context": ("所属", "Context"),
        "rl_picker_empty": ("没有找到", "Nothing found"),
        "rl_picker_failed": ("查询失败，请重试", "The lookup failed; try again"),
        "rl_hint_lookup": ("代码查询页（/data/lookup）", "the code lookup page (/data/lookup)"),
        "rl_hint_upload": ("数据上传页（/data/upload）", "the upload page (/data/upload)"),
    }
)
PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
# the CLI's hints, and what a page says instead (`silian catalog search …`, `silian import TABLE`)
_CLI_HINTS = ((re.compile(r"`silian catalog search[^`]*`"), "rl_hint_lookup"),
              (re.compile(r"`silian import [^`]*`"), "rl_hint_upload"))


# ---------------------------------------------------------------- shared by the record pages
def english() -> bool:
    return current_lang.get() == "en"


def field_label(f: Field) -> str:
    return f.en if english() else f.zh


def table_label(spec: TableSpec) -> str:
    return spec.en if english() else spec.zh


def web_hint(text: str) -> str:
    """A hint written for the command line, as a page says it: `silian catalog search` → the code lookup page,
    `silian import TABLE` → the upload page."""
    for pattern, key in _CLI_HINTS:
        text = pattern.sub(t(key), text)
    return text


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def error_response(request: Request, principal: Principal, status: int, message: str) -> Response:
    """The error page (403 with why, 404, 400) with the user's own header and navigation."""
    return render(request, "error.html", principal, status_code=status, status=status, heading=error_heading(status),
                  message=message)


def scope_note(principal: Principal) -> str:
    """What the user's role may see and change, in a sentence."""
    if principal.is_admin:
        return t("rl_scope_all")
    code = {"school_user": principal.institution_code, "county_officer": principal.county_code,
            "enterprise_user": principal.enterprise_credit_code}.get(principal.role)
    return t(f"rl_scope_{principal.role}", code=code or "") if code else ""


def known_table(request: Request, principal: Principal, table: str) -> Response | None:
    """None when ``table`` is a hub table the user may read; else the page that says why not."""
    if table not in HUB_TABLES:
        return error_response(request, principal, 404, t("rl_unknown_table", table=table))
    if read_scope(principal, table).kind == "none":
        message = t("rl_scope_none", table=table_label(HUB_TABLES[table]))
        return error_response(request, principal, 403, f"{message} {scope_note(principal)}".strip())
    return None


def shown_value(f: Field, value: Any) -> str:
    """A stored value as a cell shows it (是/否, a choice's label, whole numbers without .0)."""
    if value is None or value == "":
        return ""
    if f.kind == "bool":
        return t("rl_yes") if value else t("rl_no")
    if f.aliases and not english():
        return f.label(str(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    return str(value)


# ---------------------------------------------------------------- /data
@router.get("/data")
def data_index(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return login_redirect(request)
    rows = []
    for name, spec in HUB_TABLES.items():
        if read_scope(principal, name).kind == "none":
            continue
        count = records.list_records(db, principal, name, page_size=1).count
        rows.append({"name": name, "label": table_label(spec), "count": count,
                     "writable": records.may_write(db, principal, name)})
    return render(request, "records/index.html", principal, tables=rows, scope_note=scope_note(principal), tab="tables")


# ---------------------------------------------------------------- /data/records/{table}
def _whole(text: str, default: int) -> int:
    """A query parameter as a whole number (a hand-edited address falls back to ``default``, not an error)."""
    return int(text) if text.strip().isdigit() and len(text.strip()) < 10 else default


def _sort_links(spec: TableSpec, sort: str, params: dict[str, Any], table: str) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (ascending, or descending when it already sorts ascending) and the
    current direction (``ascending``/``descending``/``none``, for aria-sort)."""
    links = {}
    for column in ("id", *spec.field_names, "is_generated"):
        ascending, descending = sort == column, sort == f"-{column}"
        target = f"-{column}" if ascending else column
        query = urlencode({**params, "sort": target, "page": 1})
        links[column] = {"href": f"/data/records/{table}?{query}",
                         "state": "ascending" if ascending else "descending" if descending else "none"}
    return links


@router.get("/data/records/{table}")
def record_list(request: Request, db: DbDep, principal: PrincipalDep, table: str, q: str = "", sort: str = "",
                page: str = "1", page_size: str = str(DEFAULT_PAGE_SIZE), deleted: str = "") -> Response:
    if principal.is_public:
        return login_redirect(request)
    refused = known_table(request, principal, table)
    if refused is not None:
        return refused
    spec = HUB_TABLES[table]
    q = q.strip()[:100]
    size = _whole(page_size, DEFAULT_PAGE_SIZE)
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    try:
        result = records.list_records(db, principal, table, search=q, sort=sort or None,
                                      page=min(max(1, _whole(page, 1)), 1_000_000), page_size=size)
    except SilianError as exc:
        return error_response(request, principal, 400, exc.message)
    generated = records.generated_count(db, principal, table, search=q) if result.count else 0
    pages = max(1, math.ceil(result.count / size))
    params = {k: v for k, v in {"q": q, "sort": sort, "page_size": size}.items() if v}
    downloads = {fmt: f"/data/records/{table}/export.{fmt}?" + urlencode({k: v for k, v in params.items() if k != "page_size"})
                 for fmt in ("xlsx", "csv")}
    cells = [{"record": row, "cells": [shown_value(f, row[f.name]) for f in spec.fields]} for row in result.data]
    return render(request, "records/list.html", principal, spec=spec, table=table, title=table_label(spec),
                  labels=[field_label(f) for f in spec.fields], rows=cells, names=lookups.code_names(db, spec, result.data),
                  q=q, sort=sort, page=result.page, pages=pages, page_size=size, page_sizes=PAGE_SIZES,
                  count=result.count, generated=generated, sort_links=_sort_links(spec, sort, params, table),
                  page_link=lambda number: f"/data/records/{table}?" + urlencode({**params, "page": number}),
                  downloads=downloads, writable=records.may_write(db, principal, table),
                  deleted=_whole(deleted, 0) or None,
                  scope_note=scope_note(principal), tab="tables")


@router.get("/data/records/{table}/export.{file_format}")
def record_export(request: Request, db: DbDep, principal: PrincipalDep, table: str, file_format: str, q: str = "",
                  sort: str = "") -> Response:
    """The list as it is filtered and sorted, as .xlsx or CSV (written like `silian export`; text defused)."""
    if principal.is_public:
        return login_redirect(request)
    refused = known_table(request, principal, table)
    if refused is not None:
        return refused
    try:
        content = records.export_records(db, principal, table, search=q.strip()[:100], sort=sort or None,
                                         file_format=file_format)
    except SilianError as exc:
        return error_response(request, principal, 400, exc.message)
    media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}[file_format]
    name = f"{HUB_TABLES[table].zh}_{table}.{file_format}"
    disposition = f"attachment; filename=\"{table}.{file_format}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


# ---------------------------------------------------------------- /data/lookup
@router.get("/data/lookup")
def lookup_page(request: Request, db: DbDep, principal: PrincipalDep, kind: str = "majors", q: str = "") -> Response:
    """Find a code (works without JavaScript: the form is a GET; with it, the box suggests as one types)."""
    if principal.is_public:
        return login_redirect(request)
    kind = kind if kind in lookups.LOOKUP_KINDS else "majors"
    q = q.strip()[:100]
    hits = lookups.lookup(db, principal, kind, q, limit=50) if q else []
    kinds = [(k, lookups.kind_label(k)) for k in lookups.LOOKUP_KINDS]
    return render(request, "records/lookup.html", principal, kinds=kinds, kind=kind, q=q, hits=hits, tab="lookup")
