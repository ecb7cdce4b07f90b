"""Hub records one at a time, as the API serves them: list (filters, sorting, pages), read, create, update and
delete, each limited to the rows the principal's role allows and written to the audit log.

A record sent by a user is validated exactly like a row of an imported file (types, codes, credit-code check
character, references, totals), so the API, the web's record forms and `silian import` accept and reject the same
data. Lists can also be searched (text columns, and the names behind codes) and downloaded as .xlsx or CSV through
the export path of `silian export` (user text defused).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from silian.catalog.search import codes_named
from silian.domain.access import Principal, locked_column, read_scope, row_in_scope, write_scope
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES, REFERENCE_TARGETS, Field, TableSpec
from silian.ingest.readers import ROW, RawTable
from silian.ingest.spreadsheets import example_value, export_frame
from silian.ingest.validate import validate_table
from silian.services.accounts import write_audit
from silian.services.imports import build_references, table_spec
from silian.storage import records as store
from silian.storage.database import Connection, Database
from silian.storage.hub import school_counties

register_messages(
    {
        "rec_not_found": (
            "“{table}”中没有 id 为 {id} 的记录（或无权查看）",
            "No record {id} in {table} (or not yours to see)",
        ),
        "rec_forbidden": ("当前角色不能修改“{table}”中的这条记录", "Your role may not change this record of '{table}'"),
        "rec_bad_sort": ("无法按“{field}”排序；可用字段：{fields}", "Cannot sort by '{field}'; fields: {fields}"),
        "rec_bad_filter": ("无法按“{field}”筛选；可用字段：{fields}", "Cannot filter by '{field}'; fields: {fields}"),
        "rec_duplicate": (
            "“{table}”中已有相同关键字段的记录（id {id}）：请改用更新",
            "'{table}' already has a record with the same key (id {id}): update it instead",
        ),
        "rec_in_use": (
            "记录 {id} 仍被其他表引用，不能删除",
            "Record {id} is still referred to by other tables and cannot be deleted",
        ),
        "rec_export_too_big": (
            "符合条件的记录有 {count} 条，超过一次下载的上限 {limit} 条：请缩小搜索范围",
            "{count} records match, more than one download holds ({limit}): narrow the search",
        ),
        "rec_bad_format": ("下载格式只能是 xlsx 或 csv", "The download format is xlsx or csv"),
    }
)
MAX_PAGE_SIZE = 500
EXPORT_MAX_ROWS = 200_000
CATALOG_CHECKS = {"major": "majors", "occupation": "occupations", "industry": "industries"}


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows, the total number matching, and the page asked for."""

    data: list[dict[str, Any]]
    count: int
    page: int
    page_size: int


def _label(name: str) -> str:
    """The table's name in the current language (学校 / Schools)."""
    spec = HUB_TABLES[name]
    return spec.en if current_lang.get() == "en" else spec.zh


def _columns(name: str) -> list[str]:
    return store.record_columns(name)


def list_records(db: Database, principal: Principal, name: str, *, filters: dict[str, str] | None = None,
                 search: str = "", sort: str | None = None, page: int = 1, page_size: int = 50) -> Page:
    """Rows of ``name`` the principal may read, filtered by exact field values and by ``search`` (see
    :func:`text_search`), sorted, one page."""
    table_spec(name)
    _check_filters(name, filters)
    order = _order(name, sort)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    with db.engine.connect() as conn:
        total, rows = store.list_records(conn, name, read_scope(principal, name), filters=filters,
                                         search=text_search(HUB_TABLES[name], search), order=order,
                                         limit=page_size, offset=(page - 1) * page_size)
    return Page(rows, total, page, page_size)


def generated_count(db: Database, principal: Principal, name: str, *, search: str = "") -> int:
    """How many of the rows a list (with ``search``) shows are generated demo rows."""
    with db.engine.connect() as conn:
        return store.count_generated_rows(conn, name, read_scope(principal, name), search=text_search(HUB_TABLES[name], search))


def _check_filters(name: str, filters: dict[str, str] | None) -> None:
    for field in filters or {}:
        if field not in _columns(name):
            raise InvalidInput(t("rec_bad_filter", field=field, fields=", ".join(_columns(name))))


def _order(name: str, sort: str | None) -> list[tuple[str, bool]]:
    if not sort:
        return []
    field = sort.lstrip("-")
    if field not in _columns(name):
        raise InvalidInput(t("rec_bad_sort", field=field, fields=", ".join(_columns(name))))
    return [(field, sort.startswith("-"))]


def text_search(spec: TableSpec, text: str) -> store.TextSearch | None:
    """A search box's text as a search of ``spec``'s rows: its text columns (codes, names, addresses) contain it;
    a whole number equals one of its number columns (a year); or a code column names something whose name
    contains it — a catalogue's major, occupation or industry, or a stored region, school or enterprise (so 数控
    finds the 专业点 of 数控技术, and 金水 the schools of 金水区)."""
    wanted = text.strip()
    if not wanted:
        return None
    return store.TextSearch(
        wanted,
        columns=tuple(f.name for f in spec.fields if f.kind in ("str", "period")),
        exact_columns=tuple(f.name for f in spec.fields if f.kind == "int") if wanted.isdigit() else (),
        codes={f.name: codes_named(CATALOG_CHECKS[f.check], wanted) for f in spec.fields if f.check in CATALOG_CHECKS},
        references={f.name: (*REFERENCE_TARGETS[f.check], "name") for f in spec.fields if f.check in REFERENCE_TARGETS},
    )


def export_records(db: Database, principal: Principal, name: str, *, search: str = "", sort: str | None = None,
                   file_format: str = "xlsx") -> bytes:
    """Every row a list (with ``search`` and ``sort``) shows, as an .xlsx or CSV file written like `silian export`
    writes (headers in the current language, re-importable; text that looks like a formula defused)."""
    spec = table_spec(name)
    if file_format not in ("xlsx", "csv"):
        raise InvalidInput(t("rec_bad_format"))
    with db.engine.connect() as conn:
        total, rows = store.list_records(conn, name, read_scope(principal, name), search=text_search(spec, search),
                                         order=_order(name, sort), limit=EXPORT_MAX_ROWS + 1, offset=0)
    if total > EXPORT_MAX_ROWS:
        raise InvalidInput(t("rec_export_too_big", count=total, limit=EXPORT_MAX_ROWS))
    kinds = {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}
    schema = {**{f.name: kinds.get(f.kind, pl.String) for f in spec.fields}, "is_generated": pl.Boolean}
    frame = pl.DataFrame([{c: row[c] for c in schema} for row in rows], schema=schema, orient="row")
    generated = int(frame["is_generated"].sum())
    note = t("real_mark") if generated == 0 else f"{t('generated_mark')} {generated}/{frame.height}"
    with tempfile.TemporaryDirectory(prefix="silian-records-") as folder:
        path = Path(folder) / f"{name}.{file_format}"
        export_frame(spec, frame, path, note=note)
        return path.read_bytes()


def get_record(db: Database, principal: Principal, name: str, record_id: int) -> dict[str, Any]:
    """One row, or NotFound when it does not exist or is outside the principal's scope (no difference shown)."""
    table_spec(name)
    with db.engine.connect() as conn:
        row = store.find_record(conn, name, record_id, read_scope(principal, name))
    if row is None:
        raise NotFound(t("rec_not_found", table=_label(name), id=record_id))
    return row


def example_for(field: Field) -> str:
    """A valid value of ``field``, as the import templates show it."""
    return example_value(field)


def record_exists(db: Database, name: str, record_id: int) -> bool:
    """Whether ``name`` has a record ``record_id`` at all (a page tells "not yours" from "no such record")."""
    table_spec(name)
    with db.engine.connect() as conn:
        return store.find_record(conn, name, record_id) is not None


def may_write(db: Database, principal: Principal, name: str, row: dict[str, Any] | None = None) -> bool:
    """Whether the principal may write ``row`` of ``name`` (without a row: any row of it)."""
    if row is None:
        return write_scope(principal, name).kind != "none"
    with db.engine.connect() as conn:
        return _writable(conn, principal, name, row)


def _validated(conn: Connection, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """One record checked like an imported row; returns typed values (raises ImportRejected)."""
    spec = table_spec(name)
    cells = {f.name: (None if values.get(f.name) is None else _as_text(values[f.name])) for f in spec.fields}
    frame = pl.DataFrame({ROW: [1], **{k: [v] for k, v in cells.items()}}, schema={ROW: pl.Int64, **{k: pl.String for k in cells}})
    result = validate_table(RawTable(frame, "api"), spec, build_references(conn), file="request", max_errors=100)
    row = dict(result.frame.drop(ROW).row(0, named=True))
    for key in spec.key:  # optional parts of the natural key are stored as '' (see storage/schema.py)
        if row.get(key) is None:
            row[key] = ""
    return row


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _writable(conn: Connection, principal: Principal, name: str, row: dict[str, Any]) -> bool:
    scope = write_scope(principal, name)
    return row_in_scope(scope, row, school_counties(conn) if scope.kind == "school_county" else None)


def _check_write(conn: Connection, principal: Principal, name: str, row: dict[str, Any]) -> None:
    if not _writable(conn, principal, name, row):
        raise PermissionDenied(t("rec_forbidden", table=_label(name)))


def _check_locked(principal: Principal, name: str, stored: dict[str, Any], merged: dict[str, Any]) -> None:
    column = locked_column(principal, name)
    if column and str(merged.get(column) or "") != str(stored.get(column) or ""):
        field = HUB_TABLES[name].field(column)
        label = field.en if current_lang.get() == "en" else field.zh
        raise PermissionDenied(t("locked_column", column=label, value=stored.get(column) or ""))


def create_record(db: Database, principal: Principal, name: str, values: dict[str, Any], client: str = "") -> dict[str, Any]:
    """Validate and insert one record the principal may write; audit it."""
    table_spec(name)
    with db.begin() as conn:
        row = _validated(conn, name, values)
        _check_write(conn, principal, name, row)
        existing = store.find_id_by_key(conn, name, row)
        if existing is not None:
            raise InvalidInput(t("rec_duplicate", table=_label(name), id=existing))
        new_id = store.insert_record(conn, name, row)
        write_audit(conn, principal, "create", name, str(new_id), None, row, client)
        return _stored(conn, name, new_id)


def update_record(db: Database, principal: Principal, name: str, record_id: int, changes: dict[str, Any],
                  client: str = "") -> dict[str, Any]:
    """Apply ``changes`` to one record; the whole record is re-validated and must stay in the principal's scope."""
    before = get_record(db, principal, name, record_id)
    with db.begin() as conn:
        _check_write(conn, principal, name, before)
        stored = {k: (None if v == "" else v) for k, v in before.items() if k not in ("id", "is_generated")}
        merged = {**stored, **changes}
        _check_locked(principal, name, stored, merged)
        row = _validated(conn, name, merged)
        _check_write(conn, principal, name, row)
        clash = store.find_id_by_key(conn, name, row, other_than=record_id)
        if clash is not None:
            raise InvalidInput(t("rec_duplicate", table=_label(name), id=clash))
        store.update_record(conn, name, record_id, {**row, "is_generated": False})
        after = _stored(conn, name, record_id)
        write_audit(conn, principal, "update", name, str(record_id), before, after, client)
        return after


def delete_record(db: Database, principal: Principal, name: str, record_id: int, client: str = "") -> None:
    """Delete one record the principal may write (refused while other rows refer to it)."""
    before = get_record(db, principal, name, record_id)
    try:
        with db.begin() as conn:
            _check_write(conn, principal, name, before)
            store.delete_record(conn, name, record_id)
            write_audit(conn, principal, "delete", name, str(record_id), before, None, client)
    except store.StillReferenced as exc:
        raise InvalidInput(t("rec_in_use", id=record_id)) from exc


def _stored(conn: Connection, name: str, record_id: int) -> dict[str, Any]:
    row = store.find_record(conn, name, record_id)
    if row is None:
        raise NotFound(t("rec_not_found", table=_label(name), id=record_id))
    return row
