"""SQL of hub records one at a time (the records API, uploads, cooperation records of accepted responses): list,
read, find by natural key, insert, update and delete, each limited to the rows of a role's scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.access import ALL, Scope
from silian.domain.tables import HUB_TABLES
from silian.storage.schema import hub_tables


class StillReferenced(Exception):
    """A record could not be deleted: rows of other tables refer to it."""


def record_columns(name: str) -> list[str]:
    """The columns of a record of hub table ``name``: id, its fields, is_generated."""
    return ["id", *HUB_TABLES[name].field_names, "is_generated"]


def _scope_clause(table: sa.Table, scope: Scope) -> sa.ColumnElement[bool]:
    """SQL condition for the rows in ``scope``."""
    if scope.kind == "all":
        return sa.true()
    if scope.kind == "none":
        return sa.false()
    if scope.kind == "column":
        return table.c[scope.column] == scope.value
    schools = hub_tables["institutions"]
    return table.c[scope.column].in_(sa.select(schools.c.code).where(schools.c.county_code == scope.value))


def _record(row: Any, name: str) -> dict[str, Any]:
    return {c: getattr(row, c) for c in record_columns(name)}


def list_records(conn: Connection, name: str, scope: Scope, *, filters: dict[str, str] | None = None,
                 order: Sequence[tuple[str, bool]] = (), limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """``(rows matching, one page of them)``: rows of ``name`` in ``scope`` whose fields (as text) equal ``filters``,
    ordered by ``order`` (``(column, descending)`` pairs; default: natural key, then id)."""
    table = hub_tables[name]
    query = sa.select(table).where(_scope_clause(table, scope))
    for field, value in (filters or {}).items():
        query = query.where(sa.cast(table.c[field], sa.String) == value)
    columns = ([table.c[c].desc() if desc else table.c[c].asc() for c, desc in order] if order
               else [table.c[k] for k in HUB_TABLES[name].key])
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(*columns, table.c.id).limit(limit).offset(offset)).all()
    return int(total), [_record(r, name) for r in rows]


def find_record(conn: Connection, name: str, record_id: int, scope: Scope = ALL) -> dict[str, Any] | None:
    """One row of ``name`` by id, if it lies in ``scope``."""
    table = hub_tables[name]
    row = conn.execute(sa.select(table).where(table.c.id == record_id).where(_scope_clause(table, scope))).first()
    return _record(row, name) if row is not None else None


def find_id_by_key(conn: Connection, name: str, row: dict[str, Any], *, other_than: int | None = None) -> int | None:
    """The id of the stored row with ``row``'s natural key (other than ``other_than``), if any."""
    table = hub_tables[name]
    key = [table.c[k] == row[k] for k in HUB_TABLES[name].key]
    if other_than is not None:
        key.append(table.c.id != other_than)
    return conn.execute(sa.select(table.c.id).where(sa.and_(*key))).scalar()


def insert_record(conn: Connection, name: str, values: dict[str, Any]) -> int:
    return int(conn.execute(hub_tables[name].insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def update_record(conn: Connection, name: str, record_id: int, values: dict[str, Any]) -> None:
    table = hub_tables[name]
    conn.execute(table.update().where(table.c.id == record_id).values(**values))


def delete_record(conn: Connection, name: str, record_id: int) -> None:
    """Delete one row; :class:`StillReferenced` when other rows refer to it (the transaction must be rolled back)."""
    table = hub_tables[name]
    try:
        conn.execute(table.delete().where(table.c.id == record_id))
    except sa.exc.IntegrityError as exc:
        raise StillReferenced(str(exc.orig)) from exc


def read_where_in(conn: Connection, name: str, columns: Sequence[str], column: str,
                  values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """``columns`` of the rows of ``name`` whose ``column`` is one of ``values`` (asked in batches of 1000)."""
    table = hub_tables[name]
    found: list[tuple[Any, ...]] = []
    values = list(values)
    for start in range(0, len(values), 1000):
        query = sa.select(*[table.c[c] for c in columns]).where(table.c[column].in_(values[start:start + 1000]))
        found += [tuple(r) for r in conn.execute(query)]
    return found
