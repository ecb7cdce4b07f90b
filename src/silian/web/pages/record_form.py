"""One hub record in the browser: view, edit, create and delete (with a confirmation page).

A record is checked by the import validator (``services.records``: the same checks as an uploaded row), and each
problem is shown beside its field with how to fix it; nothing is written until the whole record is clean. The
write is one transaction and is audited. A user sees a record only within its role's scope; a record of another
school (county, enterprise) gives a 403 page that says why. Code fields carry the code picker
(``/static/js/picker.js``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal, locked_column, write_scope
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied, RowProblem, SilianError
from silian.domain.messages import register_messages, t
from silian.domain.tables import HUB_TABLES, Field, TableSpec
from silian.services import lookup as lookups
from silian.services import records
from silian.services.hub_database import Database
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep
from silian.web.pages.records import (
    english,
    error_response,
    field_label,
    known_table,
    login_redirect,
    scope_note,
    table_label,
    web_hint,
)
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "rf_title_new": ("新建记录：{table}", "New record: {table}"),
        "rf_title": ("记录 {id}：{table}", "Record {id}: {table}"),
        "rf_save": ("保存", "Save"),
        "rf_create": ("创建", "Create"),
        "rf_delete": ("删除…", "Delete…"),
        "rf_back": ("返回列表", "Back to the list"),
        "rf_required": ("必填", "required"),
        "rf_saved": ("已保存。", "Saved."),
        "rf_created": ("已创建。", "Created."),
        "rf_read_only": ("当前角色只能查看这条记录，不能修改。", "Your role may see this record but not change it."),
        "rf_problems": ("记录未保存：请改正标出的 {count} 个问题。", "Nothing was saved: fix the {count} problem(s) marked below."),
        "rf_not_saved": ("记录未保存：{message}", "Nothing was saved: {message}"),
        "rf_locked": ("此项只能由市级管理员或县级教育部门修改。", "Only the city admin or the county officer may change this."),
        "rf_generated": ("这条记录由演示数据生成器生成；保存修改后即视为真实数据。",
                         "This record was made by the demo-data generator; once you save a change it counts as real data."),
        "rf_not_yours": ("这条记录不在您的权限范围内。", "This record is not within your role's scope."),
        "rf_not_found": ("“{table}”中没有记录 {id}。", "'{table}' has no record {id}."),
        "rf_cannot_write": ("当前角色不能在“{table}”中新建或修改记录。", "Your role may not create or change records of '{table}'."),
        "rf_delete_title": ("删除记录 {id}：{table}", "Delete record {id}: {table}"),
        "rf_delete_confirm": ("确定删除这条记录吗？删除后不能恢复（操作会记入审计日志）。",
                              "Delete this record? It cannot be undone (the deletion is written to the audit log)."),
        "rf_delete_yes": ("确认删除", "Delete it"),
        "rf_cancel": ("取消", "Cancel"),
        "rf_example": ("示例：{value}", "e.g. {value}"),
        "rf_joiner": ("；", "; "),
        "rf_kind_int": ("整数", "whole number"),
        "rf_kind_float": ("数字", "number"),
        "rf_kind_bool": ("是/否", "yes/no"),
        "rf_kind_period": ("年或年月", "year or year-month"),
        "rf_choose": ("（请选择）", "(choose)"),
        "rf_picker_hint": ("可输入名称、代码或拼音首字母查找", "Type a name, a code or pinyin initials to find one"),
    }
)


def _help(f: Field) -> str:
    """The help under a field: the spec's own help (it is Chinese), else the kind of value and a valid example
    where these say something a select or the label does not."""
    if f.help and not english():
        return f.help
    if f.choices or f.kind == "bool" or (f.kind == "str" and not f.check):
        return ""
    example = records.example_for(f)
    parts = [t(f"rf_kind_{f.kind}")] if f.kind != "str" else []
    plain_number = f.kind in ("int", "float") and not (f.low is not None and f.low >= 1900)  # not a year
    if example and not plain_number and (example.isascii() or not english()):
        parts.append(t("rf_example", value=example))
    return t("rf_joiner").join(parts)


def _form_values(record: dict[str, Any] | None, spec: TableSpec) -> dict[str, str]:
    """The form's text per field, from a stored record."""
    values = {}
    for f in spec.fields:
        value = (record or {}).get(f.name)
        if value is None or value == "":
            values[f.name] = ""
        elif f.kind == "bool":
            values[f.name] = "是" if value else "否"
        elif isinstance(value, float):
            values[f.name] = str(int(value)) if value.is_integer() else repr(value)
        else:
            values[f.name] = str(value)
    return values


def _field_errors(problems: list[RowProblem], spec: TableSpec) -> tuple[dict[str, list[RowProblem]], list[RowProblem]]:
    """Problems by the field they are about (the validator names fields by name here), and the others."""
    by_field: dict[str, list[RowProblem]] = {}
    other = []
    for problem in problems:
        fixed = RowProblem(problem.file, problem.row, problem.column, problem.value, problem.message, web_hint(problem.fix))
        if problem.column in spec.field_names:
            by_field.setdefault(problem.column, []).append(fixed)
        else:
            other.append(fixed)
    return by_field, other


def _page(request: Request, db: Database, principal: Principal, spec: TableSpec, *, record: dict[str, Any] | None,
          values: dict[str, str], status_code: int = 200, errors: dict[str, list[RowProblem]] | None = None,
          message: str = "", notice: str = "", editable: bool = True) -> Response:
    locked = locked_column(principal, spec.name) if record is not None else None
    names = lookups.code_names(db, spec, [values])
    title = (t("rf_title", id=record["id"], table=table_label(spec)) if record is not None
             else t("rf_title_new", table=table_label(spec)))
    fields = [{"field": f, "label": field_label(f), "help": _help(f), "value": values.get(f.name, ""),
               "name": names.get(f.name, {}).get(values.get(f.name, ""), ""), "locked": f.name == locked,
               "picker": lookups.CHECK_KINDS.get(f.check or ""), "choices": [(c, f.label(c)) for c in f.choices]}
              for f in spec.fields]
    action = f"/data/records/{spec.name}/{record['id']}" if record is not None else f"/data/records/{spec.name}/new"
    return render(request, "records/form.html", principal, status_code=status_code, spec=spec, table=spec.name,
                  title=title, record=record, fields=fields, errors=errors or {}, message=message, notice=notice,
                  editable=editable, action=action, scope_note=scope_note(principal), tab="tables")


async def _submitted(request: Request, spec: TableSpec, skip: str | None) -> dict[str, str | None]:
    """The form's fields (blank → None), without ``skip`` (a column the user may not change)."""
    form = await request.form()
    return {f.name: (str(form.get(f.name) or "").strip() or None) for f in spec.fields if f.name != skip}


def _visible(request: Request, db: Database, principal: Principal, table: str, record_id: int) -> dict[str, Any] | Response:
    """The record, or the page saying it does not exist (404) or is not the user's to see (403)."""
    try:
        return records.get_record(db, principal, table, record_id)
    except NotFound:
        if records.record_exists(db, table, record_id):
            return error_response(request, principal, 403, f"{t('rf_not_yours')} {scope_note(principal)}".strip())
        return error_response(request, principal, 404, t("rf_not_found", table=table_label(HUB_TABLES[table]), id=record_id))


def _problem_page(request: Request, db: Database, principal: Principal, spec: TableSpec, record: dict[str, Any] | None,
                  values: dict[str, str | None], exc: SilianError) -> Response:
    """The form again with what was sent and what is wrong: beside each field, or above the form."""
    shown = {**_form_values(record, spec), **{k: v or "" for k, v in values.items()}}
    if isinstance(exc, ImportRejected):
        errors, other = _field_errors(exc.problems, spec)
        lines = [f"{p.column or ''} {p.message} {p.fix}".strip() for p in other]
        message = " ".join([t("rf_problems", count=len(exc.problems)), *lines])
        return _page(request, db, principal, spec, record=record, values=shown, status_code=422, errors=errors,
                     message=message)
    status = 403 if isinstance(exc, PermissionDenied) else 400
    errors = {}
    scope = write_scope(principal, spec.name)
    if isinstance(exc, PermissionDenied) and scope.column in spec.field_names:
        errors = {scope.column: [RowProblem("form", None, scope.column, shown.get(scope.column), exc.message, scope_note(principal))]}
    return _page(request, db, principal, spec, record=record, values=shown, status_code=status, errors=errors,
                 message=t("rf_not_saved", message=exc.message))


# ---------------------------------------------------------------- create
def _prefilled(principal: Principal, spec: TableSpec) -> dict[str, str]:
    """A new record already belongs to the user's school, county or enterprise."""
    scope = write_scope(principal, spec.name)
    return {scope.column: scope.value} if scope.kind == "column" and scope.column in spec.field_names else {}


def _creatable(request: Request, db: Database, principal: Principal, table: str) -> TableSpec | Response:
    """The table a new record goes into, or the page that stops it: the login for the public, 404 for an unknown
    table, 403 for a table the user may not write."""
    if principal.is_public:
        return login_redirect(request)
    refused = known_table(request, principal, table)
    if refused is not None:
        return refused
    spec = HUB_TABLES[table]
    if not records.may_write(db, principal, table):
        return error_response(request, principal, 403, t("rf_cannot_write", table=table_label(spec)))
    return spec


@router.get("/data/records/{table}/new")
def new_record_form(request: Request, db: DbDep, principal: PrincipalDep, table: str) -> Response:
    spec = _creatable(request, db, principal, table)
    if isinstance(spec, Response):
        return spec
    return _page(request, db, principal, spec, record=None, values=_prefilled(principal, spec))


@router.post("/data/records/{table}/new")
async def create_from_form(request: Request, db: DbDep, principal: PrincipalDep, client: ClientDep, table: str) -> Response:
    spec = _creatable(request, db, principal, table)
    if isinstance(spec, Response):
        return spec
    values = await _submitted(request, spec, None)
    try:
        created = records.create_record(db, principal, table, values, client)
    except SilianError as exc:
        return _problem_page(request, db, principal, spec, None, values, exc)
    return RedirectResponse(f"/data/records/{table}/{created['id']}?" + urlencode({"done": "created"}), status_code=303)


# ---------------------------------------------------------------- view and edit
@router.get("/data/records/{table}/{record_id:int}")
def view_record(request: Request, db: DbDep, principal: PrincipalDep, table: str, record_id: int, done: str = "") -> Response:
    record = _record_for(request, db, principal, table, record_id)
    if isinstance(record, Response):
        return record
    spec = HUB_TABLES[table]
    editable = records.may_write(db, principal, table, record)
    notice = {"saved": t("rf_saved"), "created": t("rf_created")}.get(done, "")
    return _page(request, db, principal, spec, record=record, values=_form_values(record, spec), notice=notice,
                 editable=editable, message="" if editable else t("rf_read_only"))


@router.post("/data/records/{table}/{record_id:int}")
async def save_form(request: Request, db: DbDep, principal: PrincipalDep, client: ClientDep, table: str,
               record_id: int) -> Response:
    record = _record_for(request, db, principal, table, record_id, writing=True)
    if isinstance(record, Response):
        return record
    spec = HUB_TABLES[table]
    values = await _submitted(request, spec, locked_column(principal, table))
    try:
        records.update_record(db, principal, table, record_id, values, client)
    except SilianError as exc:
        return _problem_page(request, db, principal, spec, record, values, exc)
    return RedirectResponse(f"/data/records/{table}/{record_id}?" + urlencode({"done": "saved"}), status_code=303)


# ---------------------------------------------------------------- delete
def _delete_page(request: Request, principal: Principal, spec: TableSpec, record: dict[str, Any], *,
                 status_code: int = 200, message: str = "") -> Response:
    shown = [*spec.key, *(["name"] if "name" in spec.field_names and "name" not in spec.key else [])]
    key = [(field_label(spec.field(k)), record.get(k) or "") for k in shown]
    return render(request, "records/delete.html", principal, status_code=status_code, spec=spec, table=spec.name,
                  record=record, key=key, message=message, tab="tables",
                  title=t("rf_delete_title", id=record["id"], table=table_label(spec)))


def _record_for(request: Request, db: Database, principal: Principal, table: str, record_id: int, *,
                writing: bool = False) -> dict[str, Any] | Response:
    """The record a page works on, or the page that stops it: the login for the public, 404 for an unknown table or
    record, 403 for a record outside the user's scope (or, ``writing``, one the user may only read)."""
    if principal.is_public:
        return login_redirect(request)
    refused = known_table(request, principal, table)
    if refused is not None:
        return refused
    record = _visible(request, db, principal, table, record_id)
    if isinstance(record, Response):
        return record
    if writing and not records.may_write(db, principal, table, record):
        return error_response(request, principal, 403, f"{t('rf_read_only')} {scope_note(principal)}".strip())
    return record


@router.get("/data/records/{table}/{record_id:int}/delete")
def confirm_delete(request: Request, db: DbDep, principal: PrincipalDep, table: str, record_id: int) -> Response:
    record = _record_for(request, db, principal, table, record_id, writing=True)
    if isinstance(record, Response):
        return record
    return _delete_page(request, principal, HUB_TABLES[table], record)


@router.post("/data/records/{table}/{record_id:int}/delete")
async def delete_confirmed(request: Request, db: DbDep, principal: PrincipalDep, client: ClientDep, table: str,
                 record_id: int) -> Response:
    record = _record_for(request, db, principal, table, record_id, writing=True)
    if isinstance(record, Response):
        return record
    try:
        records.delete_record(db, principal, table, record_id, client)
    except (InvalidInput, PermissionDenied) as exc:
        return _delete_page(request, principal, HUB_TABLES[table], record, status_code=400, message=exc.message)
    return RedirectResponse(f"/data/records/{table}?" + urlencode({"deleted": record_id}), status_code=303)

