"""Hub records one at a time, as the API serves them: list (filters, sorting, pages), read, create, update and
delete, each limited to the rows the principal's role allows and written to the audit log.

A record sent by a user is validated exactly like a row of an imported file (types, codes, credit-code check
character, references, totals), so the API and `silian import` accept and reject the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from silian.domain.access import Principal, locked_column, read_scope, row_in_scope, write_scope
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES
from silian.ingest.readers import ROW, RawTable
from silian.ingest.validate import validate_table
from silian.services.accounts import write_audit
from silian.services.imports import build_references, table_spec
from silian.storage import records as store
from silian.storage.database import Connection, Database
from silian.storage.hub import school_counties

register_messages(
    {
        "rec_not_found": (
            "{table} 中没有 id 为 {id} 的记录（或无权查看）",
            "No record {id} in {table} (or not yours to see)",
        ),
        "rec_forbidden": ("当前角色不能修改 {table} 中的这条记录", "Your role may not change this record of {table}"),
        "rec_bad_sort": ("无法按“{field}”排序；可用字段：{fields}", "Cannot sort by '{field}'; fields: {fields}"),
        "rec_bad_filter": ("无法按“{field}”筛选；可用字段：{fields}", "Cannot filter by '{field}'; fields: {fields}"),
        "rec_duplicate": (
            "{table} 中已有相同关键字段的记录（id {id}）：请改用更新",
            "{table} already has a record with the same key (id {id}): update it instead",
        ),
        "rec_in_use": (
            "记录 {id} 仍被其他表引用，不能删除",
            "Record {id} is still referred to by other tables and cannot be deleted",
        ),
    }
)
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows, the total number matching, and the page asked for."""

    data: list[dict[str, Any]]
    count: int
    page: int
    page_size: int


def _columns(name: str) -> list[str]:
    return store.record_columns(name)


def list_records(db: Database, principal: Principal, name: str, *, filters: dict[str, str] | None = None,
                 sort: str | None = None, page: int = 1, page_size: int = 50) -> Page:
    """Rows of ``name`` the principal may read, filtered by exact field values, sorted, one page."""
    table_spec(name)
    for field in filters or {}:
        if field not in _columns(name):
            raise InvalidInput(t("rec_bad_filter", field=field, fields=", ".join(_columns(name))))
    order: list[tuple[str, bool]] = []
    if sort:
        field = sort.lstrip("-")
        if field not in _columns(name):
            raise InvalidInput(t("rec_bad_sort", field=field, fields=", ".join(_columns(name))))
        order = [(field, sort.startswith("-"))]
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    with db.engine.connect() as conn:
        total, rows = store.list_records(conn, name, read_scope(principal, name), filters=filters, order=order,
                                         limit=page_size, offset=(page - 1) * page_size)
    return Page(rows, total, page, page_size)


def get_record(db: Database, principal: Principal, name: str, record_id: int) -> dict[str, Any]:
    """One row, or NotFound when it does not exist or is outside the principal's scope (no difference shown)."""
    table_spec(name)
    with db.engine.connect() as conn:
        row = store.find_record(conn, name, record_id, read_scope(principal, name))
    if row is None:
        raise NotFound(t("rec_not_found", table=name, id=record_id))
    return row


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


def _check_write(conn: Connection, principal: Principal, name: str, row: dict[str, Any]) -> None:
    scope = write_scope(principal, name)
    if not row_in_scope(scope, row, school_counties(conn) if scope.kind == "school_county" else None):
        raise PermissionDenied(t("rec_forbidden", table=name))


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
            raise InvalidInput(t("rec_duplicate", table=name, id=existing))
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
            raise InvalidInput(t("rec_duplicate", table=name, id=clash))
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
        raise NotFound(t("rec_not_found", table=name, id=record_id))
    return row
