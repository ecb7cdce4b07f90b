"""Repository functions over the hub tables: bulk upsert by natural key, reads for checks and export."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.tables import HUB_TABLES, TableSpec
from silian.storage import bulk
from silian.storage.bulk import UpsertCounts
from silian.storage.schema import data_sources, hub_tables, import_log


def count_rows(conn: Connection, table: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(hub_tables[table])).scalar_one()


def upsert_frame(conn: Connection, spec: TableSpec, frame: pl.DataFrame,
                 only: Collection[str] | None = None) -> UpsertCounts:
    """Insert new rows and update changed ones (by natural key); rows equal to the stored ones are untouched.

    ``frame`` has one column per field and ``is_generated``; runs inside the caller's transaction
    (see :mod:`silian.storage.bulk` for how each backend writes it). With ``only`` (the fields a file carries),
    a stored row keeps its value in every other column: a file without an optional column never empties it.
    """
    return bulk.upsert(conn, spec, frame, only=only)


def read_table(conn: Connection, table: str) -> pl.DataFrame:
    """All rows of a hub table in natural-key order, one column per field plus ``is_generated``."""
    spec = HUB_TABLES[table]
    sql_table = hub_tables[table]
    columns = [sql_table.c[c] for c in (*spec.field_names, "is_generated")]
    result = conn.execute(sa.select(*columns).order_by(*[sql_table.c[k] for k in spec.key]))
    schema = {c.name: _polars_type(spec, c.name) for c in columns}
    return pl.DataFrame(result.all(), schema=schema, orient="row")


def _polars_type(spec: TableSpec, name: str) -> pl.DataType:
    kind = "bool" if name == "is_generated" else spec.field(name).kind
    return {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}.get(kind, pl.String)()


def read_codes(conn: Connection, table: str, column: str) -> frozenset[str]:
    sql_table = hub_tables[table]
    return frozenset(conn.execute(sa.select(sql_table.c[column])).scalars())


def read_institution_levels(conn: Connection) -> dict[str, str]:
    t = hub_tables["institutions"]
    return {code: level for code, level in conn.execute(sa.select(t.c.code, t.c.level))}


def record_import(conn: Connection, table: str, file_name: str, sha256: str, counts: UpsertCounts) -> None:
    conn.execute(
        import_log.insert().values(
            table_name=table, file_name=file_name[-500:], sha256=sha256, rows=counts.rows,
            inserted=counts.inserted, updated=counts.updated, imported_at=datetime.now(UTC),
        )
    )


def mark_source(conn: Connection, table: str, *, generated: bool, description: str, provenance: str) -> None:
    """Record (replace) where a table's data came from and whether it is generated."""
    conn.execute(data_sources.delete().where(data_sources.c.table_name == table))
    conn.execute(
        data_sources.insert().values(
            table_name=table, is_generated=generated, description=description, provenance=provenance,
            loaded_at=datetime.now(UTC),
        )
    )


def read_sources(conn: Connection) -> list[dict[str, object]]:
    rows = conn.execute(sa.select(data_sources).order_by(data_sources.c.table_name)).mappings().all()
    return [dict(r) for r in rows]


def generated_share(conn: Connection, table: str) -> tuple[int, int]:
    """``(generated rows, all rows)`` of a hub table."""
    t = hub_tables[table]
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((t.c.is_generated, 1), else_=0)), 0))
    total, generated = conn.execute(query).one()
    return int(generated), int(total)


class RowsStillReferenced(Exception):
    """Rows could not be deleted because other rows refer to them; ``table`` is the table being emptied."""

    def __init__(self, table: str) -> None:
        super().__init__(table)
        self.table = table


def delete_generated(conn: Connection, tables: list[str]) -> dict[str, int]:
    """Delete the generated (demo) rows of the given hub tables, children first, and nothing else; rows a user
    imported stay. Raises :class:`RowsStillReferenced` when a kept row refers to a
    generated one: the caller's transaction must then roll back (no savepoint: pysqlite's legacy transaction
    handling lets a released outermost savepoint commit). Returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    for name in tables:
        table = hub_tables[name]
        try:
            deleted[name] = conn.execute(table.delete().where(table.c.is_generated)).rowcount or 0
        except sa.exc.IntegrityError as exc:
            raise RowsStillReferenced(name) from exc
    return deleted


def user_keys(conn: Connection, table: str) -> pl.DataFrame:
    """The natural keys of a hub table's rows that are not generated (what a user put in)."""
    spec = HUB_TABLES[table]
    sql_table = hub_tables[table]
    columns = [sql_table.c[k] for k in spec.key]
    result = conn.execute(sa.select(*columns).where(~sql_table.c.is_generated))
    return pl.DataFrame(result.all(), schema={k: _polars_type(spec, k) for k in spec.key}, orient="row")


def delete_all(conn: Connection, tables: list[str]) -> None:
    """Empty the given hub tables (children first)."""
    for name in tables:
        conn.execute(hub_tables[name].delete())
