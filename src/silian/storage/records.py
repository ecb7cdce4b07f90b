"""SQL of hub records one at a time (the records API, uploads, cooperation records of accepted responses): list,
read, find by natural key, insert, update and delete, each limited to the rows of a role's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class TextSearch:
    """What a list's search box asks for: rows where any of ``columns`` contains ``text`` (any case), any of
    ``exact_columns`` equals it as text (years, counts), any of ``codes`` holds one of the given codes (catalogue
    codes whose names contain the text), or any of ``references`` names a row of another table whose name
    contains the text (``column → (table, code column, name column)``)."""

    text: str
    columns: tuple[str, ...] = ()
    exact_columns: tuple[str, ...] = ()
    codes: dict[str, frozenset[str]] = field(default_factory=dict)
    references: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def _search_clause(table: sa.Table, search: TextSearch) -> sa.ColumnElement[bool]:
    text = search.text.lower()
    matches: list[sa.ColumnElement[bool]] = [
        sa.func.lower(sa.cast(table.c[c], sa.String)).contains(text, autoescape=True) for c in search.columns]
    matches += [sa.cast(table.c[c], sa.String) == search.text for c in search.exact_columns]
    matches += [table.c[c].in_(sorted(codes)) for c, codes in search.codes.items() if codes]
    for column, (other, code, name) in search.references.items():
        target = hub_tables[other]
        named = sa.select(target.c[code]).where(sa.func.lower(target.c[name]).contains(text, autoescape=True))
        matches.append(table.c[column].in_(named.scalar_subquery()))
    return sa.or_(*matches) if matches else sa.false()


def _conditions(table: sa.Table, scope: Scope, filters: dict[str, str] | None,
                search: TextSearch | None) -> list[sa.ColumnElement[bool]]:
    """The scope, the exact filters (fields as text) and the search, as SQL conditions."""
    conditions = [_scope_clause(table, scope)]
    conditions += [sa.cast(table.c[column], sa.String) == value for column, value in (filters or {}).items()]
    if search is not None and search.text:
        conditions.append(_search_clause(table, search))
    return conditions


def _record(row: Any, name: str) -> dict[str, Any]:
    return {c: getattr(row, c) for c in record_columns(name)}


def list_records(conn: Connection, name: str, scope: Scope, *, filters: dict[str, str] | None = None,
                 search: TextSearch | None = None, order: Sequence[tuple[str, bool]] = (), limit: int,
                 offset: int) -> tuple[int, list[dict[str, Any]]]:
    """``(rows matching, one page of them)``: rows of ``name`` in ``scope`` whose fields (as text) equal ``filters``
    and that match ``search``, ordered by ``order`` (``(column, descending)`` pairs; default: natural key, then id)."""
    table = hub_tables[name]
    query = sa.select(table).where(*_conditions(table, scope, filters, search))
    columns = ([table.c[c].desc() if desc else table.c[c].asc() for c, desc in order] if order
               else [table.c[k] for k in HUB_TABLES[name].key])
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(*columns, table.c.id).limit(limit).offset(offset)).all()
    return int(total), [_record(r, name) for r in rows]


def count_generated_rows(conn: Connection, name: str, scope: Scope, *, filters: dict[str, str] | None = None,
                    search: TextSearch | None = None) -> int:
    """How many of the rows :func:`list_records` would list are generated demo rows."""
    table = hub_tables[name]
    query = sa.select(sa.func.count()).select_from(table).where(*_conditions(table, scope, filters, search),
                                                                table.c.is_generated)
    return int(conn.execute(query).scalar_one())


def named_rows(conn: Connection, name: str, columns: Sequence[str], scope: Scope) -> list[tuple[Any, ...]]:
    """``columns`` of every row of ``name`` in ``scope``, in the order of the first column (what pickers search)."""
    table = hub_tables[name]
    query = sa.select(*[table.c[c] for c in columns]).where(_scope_clause(table, scope)).order_by(table.c[columns[0]])
    return [tuple(r) for r in conn.execute(query)]


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
