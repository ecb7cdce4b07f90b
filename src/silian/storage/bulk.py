"""The bulk write path of an import: a validated frame upserted by natural key, set-based where it pays.

Runs inside the caller's transaction, so a rejected or failed file leaves the database unchanged, and it
reports exact counts: rows new to the table (inserted), rows whose stored values differ (updated) and rows
equal to the stored ones (unchanged, not written).

PostgreSQL: the rows are COPYed, sorted by the natural key, into a TEMP staging table (not WAL-logged), then
one statement joins them once with the stored rows: the new ones are inserted in key order (the unique-key
B-tree grows at its right edge, cheaper than file order), the changed ones updated by primary key, the
unchanged ones not touched (no row lock, no WAL); the counts are the row counts of the two writes. The
target table is locked against other writers (SHARE ROW EXCLUSIVE; readers go on) for the rest of the
transaction, so no concurrent import can slip a key in between the join and the insert. Into a table with no
rows (a first load) there is nothing to join with: the sorted rows are COPYed straight into it.

SQLite: staging costs more than it saves (every row still crosses from Python, and the engine is in
process), so the sorted rows go straight into one ``INSERT … VALUES (…), (…), … ON CONFLICT DO UPDATE … WHERE
changed`` per ~1000 bound values, with a large page cache for the duration of the write. Binding values is most
of what Python adds to SQLite's own work, so a column with one value in every row (a file's source, its
generated flag, an empty optional key part) is bound once per statement (``?1`` in every row) instead of once
per row. The count of rows changed by SQLite gives inserted + updated; the table's row count before and after
gives inserted.

Both: rows are sorted by one integer per row that orders them as the natural key does (:func:`key_order`),
several times quicker than sorting the key's text columns. SQLite does not even gather the frame in that
order: a repetitive text column is encoded once as its sorted distinct strings and each row's index (which is
also the row's rank for the key order), and the Python values are built straight from the permuted indexes.
"""

from __future__ import annotations

import gc
import io
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.tables import TableSpec
from silian.storage.database import busy_as_domain_error

if TYPE_CHECKING:
    import psycopg

COPY_BATCH_ROWS = 100_000
PG_WORK_MEM = "256MB"  # for the one join of staged with stored rows (transaction-local, restored after)
SQLITE_MAX_PARAMS = 999  # the lowest limit of any SQLite build (3.32+ allow 32766)
SQLITE_CACHE_KIB = 256 * 1024  # page cache while writing: the unique key's B-tree stays in memory


@dataclass(frozen=True)
class UpsertCounts:
    rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def write_columns(spec: TableSpec) -> list[str]:
    """The columns an import writes: every field, then ``is_generated``."""
    return [*spec.field_names, "is_generated"]


def prepare(spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's written columns, optional key parts as '' (as stored)."""
    return frame.select(write_columns(spec)).with_columns(
        [pl.col(k).fill_null("") for k in spec.key if frame[k].dtype == pl.String]
    )


def key_permutation(frame: pl.DataFrame, key: Sequence[str], known: Mapping[str, tuple[pl.Series, int]] | None = None) -> np.ndarray | None:
    """The row positions in natural-key order (None: the rows already are); ``known`` as for :func:`key_order`."""
    if frame.height < 2:
        return None
    order = key_order(frame, key, known)
    return None if order.is_sorted() else order.arg_sort().to_numpy()


def sorted_by_key(frame: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """The frame's rows in natural-key order."""
    positions = key_permutation(frame, key)
    return frame if positions is None else frame[positions]


def key_order(frame: pl.DataFrame, key: Sequence[str], known: Mapping[str, tuple[pl.Series, int]] | None = None) -> pl.Series:
    """One UInt64 per row that sorts as the natural key does (text byte-wise, as SQLite's unique key compares
    it; numbers by value; nulls first): each part becomes its rank among the part's distinct values, and the
    ranks are combined positionally. Sorting one integer is several times quicker than sorting seven text
    columns. When the ranks do not fit in 64 bits, the row's position under a multi-column sort of the ranks.
    ``known``: parts whose ranks (named as the part) and number of distinct values are already at hand."""
    name = "__key_order"
    ranks, sizes = [], []
    for part in key:
        series = frame[part]
        if known and part in known:
            rank, size = known[part]
        elif series.len() and series.null_count() == 0 and (series == series[0]).all():
            continue  # one value in every row (a file's source, an empty optional part): orders nothing
        elif series.dtype == pl.String and series.null_count() == 0:
            distinct = series.unique().sort()
            rank = series.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt64)
            size = distinct.len()
        else:
            rank = series.rank("dense").fill_null(0).cast(pl.UInt64)  # 1, 2, …; nulls 0: first, as in SQLite
            size = series.n_unique() + 1
        ranks.append(rank)
        sizes.append(size)
    if not ranks:
        return pl.zeros(frame.height, pl.UInt64, eager=True).alias(name)
    if math.prod(sizes) >= 2**64:
        ordered = pl.DataFrame(ranks).with_row_index(name).sort([r.name for r in ranks])[name]
        return pl.Series(name, ordered.arg_sort(), dtype=pl.UInt64)
    combined = ranks[0]
    for rank, size in zip(ranks[1:], sizes[1:], strict=True):
        combined = combined * size + rank
    return combined.alias(name)


def upsert(conn: Connection, spec: TableSpec, frame: pl.DataFrame, *, only: Collection[str] | None = None) -> UpsertCounts:
    """Insert new rows and update changed ones by natural key; rows equal to the stored ones are untouched.

    ``frame`` has one column per field and ``is_generated`` (validated: no duplicate keys). ``only``: the fields
    the input carries; a stored row is compared and updated on those (and ``is_generated``) only, so a column the
    input lacks keeps its stored value (new rows get it empty). None: every field.
    """
    frame = prepare(spec, frame)
    if frame.height == 0:
        return UpsertCounts(0, 0, 0)
    values = _value_columns(spec, only)
    with busy_as_domain_error(conn):  # the driver's own cursor: SQLAlchemy's error hook does not see its errors
        if conn.dialect.name == "postgresql":
            inserted, updated = _postgres(conn, spec, sorted_by_key(frame, spec.key), values)
        else:
            inserted, updated = _sqlite(conn, spec, frame, values)
    return UpsertCounts(rows=frame.height, inserted=inserted, updated=updated)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_columns(spec: TableSpec, only: Collection[str] | None = None) -> list[str]:
    """The non-key columns an upsert compares and updates (``only``'s fields and ``is_generated``; None: all)."""
    return [c for c in write_columns(spec) if c not in spec.key and (only is None or c in only or c == "is_generated")]


def _changed(values: Sequence[str], left: str, right: str, distinct: str) -> str:
    """SQL true when any of ``values`` differs between ``left`` and ``right`` (nulls compared as values)."""
    return " OR ".join(f"{left}.{_q(c)} {distinct} {right}.{_q(c)}" for c in values)


def _same_key(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{_q(k)} = {right}.{_q(k)}" for k in spec.key)


# ---- PostgreSQL


def _postgres(conn: Connection, spec: TableSpec, frame: pl.DataFrame, values: list[str]) -> tuple[int, int]:
    target, stage = _q(spec.name), _q(f"_stage_{spec.name}")
    columns = write_columns(spec)
    names = ", ".join(_q(c) for c in columns)
    raw = conn.connection.driver_connection  # the psycopg connection, inside the caller's transaction
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(f"LOCK TABLE {target} IN SHARE ROW EXCLUSIVE MODE")
        if not cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {target})").fetchone()[0]:
            # nothing stored (and, under the lock, nothing can be until commit): no row to join with, so the
            # rows are COPYed straight in, in key order — a bulk load costs what a bare COPY costs
            return _copy(cursor, f"{target} ({names})", frame), 0
        cursor.execute(f"CREATE TEMP TABLE {stage} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DROP")
        cursor.execute(f"ALTER TABLE {stage} DROP COLUMN id")
        _copy(cursor, f"{stage} ({names})", frame)
        # one join of the staged rows with the stored ones classifies every row: new (no stored id),
        # changed, or unchanged; the changed ones are updated by primary key, the new ones inserted in key
        # order (already so when staged: the sort then only checks it, but any join plan or collation is covered)
        work_mem = cursor.execute("SELECT current_setting('work_mem')").fetchone()[0]
        cursor.execute("SELECT set_config('work_mem', %s, true)", (PG_WORK_MEM,))
        changed = f"({_changed(values, 't', 's', 'IS DISTINCT FROM')})" if values else "false"
        staged = ", ".join(f"s.{_q(c)}" for c in columns)
        update = (
            f"UPDATE {target} AS t SET {', '.join(f'{_q(c)} = m.{_q(c)}' for c in values)} FROM matched AS m "
            f"WHERE m.stored_id IS NOT NULL AND m.changed AND t.id = m.stored_id RETURNING 1"
            if values else "SELECT 1 WHERE false"
        )
        cursor.execute(
            f"WITH matched AS MATERIALIZED (SELECT {staged}, t.id AS stored_id, {changed} AS changed "
            f"FROM {stage} AS s LEFT JOIN {target} AS t ON {_same_key(spec, 't', 's')}), "
            f"updated AS ({update}), "
            f"inserted AS (INSERT INTO {target} ({names}) SELECT {names} FROM matched WHERE stored_id IS NULL "
            f"ORDER BY {', '.join(_q(k) for k in spec.key)} RETURNING 1) "
            f"SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated)"
        )
        inserted, updated = cursor.fetchone()
        cursor.execute("SELECT set_config('work_mem', %s, true)", (work_mem,))
        cursor.execute(f"DROP TABLE {stage}")
    return int(inserted), int(updated)


def _copy(cursor: psycopg.Cursor, into: str, frame: pl.DataFrame) -> int:
    """COPY the frame's rows into ``into`` (a table and its column list) as CSV; the number of rows copied."""
    from psycopg.copy import QueuedLibpqWriter  # only a PostgreSQL write needs the driver's module

    # text quoted, so that a value spelled like the null marker stays text; the queued writer sends a batch from
    # its own thread while the next one is encoded (polars releases the GIL)
    with cursor.copy(f"COPY {into} FROM STDIN (FORMAT csv, NULL '\\N')", writer=QueuedLibpqWriter(cursor)) as copy:
        for batch in frame.iter_slices(COPY_BATCH_ROWS):
            buffer = io.BytesIO()
            batch.write_csv(buffer, include_header=False, null_value="\\N", quote_style="non_numeric")
            copy.write(buffer.getvalue())
    return cursor.rowcount


# ---- SQLite


def _sqlite(conn: Connection, spec: TableSpec, frame: pl.DataFrame, values: list[str]) -> tuple[int, int]:
    columns = write_columns(spec)
    shared = _constant_columns(frame, columns)
    varying = [c for c in columns if c not in shared]
    keys = ", ".join(_q(k) for k in spec.key)
    if values:
        assignments = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in values)
        on_conflict = f"ON CONFLICT ({keys}) DO UPDATE SET {assignments} WHERE {_changed(values, _q(spec.name), 'excluded', 'IS NOT')}"
    else:
        on_conflict = f"ON CONFLICT ({keys}) DO NOTHING"
    per_statement = max(1, (SQLITE_MAX_PARAMS - len(shared)) // len(varying))
    head = f"INSERT INTO {_q(spec.name)} ({', '.join(_q(c) for c in columns)}) VALUES "
    fixed = [frame[c][0] for c in shared]  # bound once per statement as ?1 … ?k

    def statement(rows: int) -> str:
        return head + ", ".join(_numbered_row(columns, shared, len(shared) + r * len(varying)) for r in range(rows)) + " " + on_conflict

    before = _count(conn, spec.name)
    encoded = [_Encoded(frame[name]) for name in varying]
    known = {name: column.rank for name, column in zip(varying, encoded, strict=True) if name in spec.key and column.rank}
    positions = key_permutation(frame, spec.key, known)
    if positions is None:
        positions = np.arange(frame.height)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    old_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        changed = 0
        width = per_statement * len(varying)
        chunk_rows = per_statement * 500
        for start in range(0, frame.height, chunk_rows):
            params = _flat_rows(encoded, positions[start:start + chunk_rows])
            whole = len(params) // width * width
            if whole:
                cursor.executemany(statement(per_statement), (fixed + params[i:i + width] for i in range(0, whole, width)))
                changed += cursor.rowcount
            if whole < len(params):
                cursor.execute(statement((len(params) - whole) // len(varying)), fixed + params[whole:])
                changed += cursor.rowcount
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(old_cache)}")
        cursor.close()
    inserted = _count(conn, spec.name) - before
    return inserted, changed - inserted


def _constant_columns(frame: pl.DataFrame, columns: Sequence[str]) -> list[str]:
    """Columns (text, integer, boolean) holding one value in every row of a frame of two rows or more: bound once
    per statement rather than once per row (a file's source, its generated flag, empty optional key parts)."""
    if frame.height < 2:
        return []
    shared = []
    for name in columns:
        series = frame[name]
        if series.dtype.is_float():
            continue  # 0.0 and -0.0 compare equal but are two values
        nulls = series.null_count()
        if nulls == frame.height or (nulls == 0 and (series == series[0]).all()):
            shared.append(name)
    return shared if len(shared) < len(columns) else []  # identical rows (not a validated frame): bind them all


def _numbered_row(columns: Sequence[str], shared: Sequence[str], offset: int) -> str:
    """``(?3, ?1, ?4, …)``: a shared column's parameter number, or the next of this row's own after ``offset``."""
    cells, own = [], offset
    for name in columns:
        if name in shared:
            cells.append(f"?{shared.index(name) + 1}")
        else:
            own += 1
            cells.append(f"?{own}")
    return "(" + ", ".join(cells) + ")"


class _Encoded:
    """A column ready to be handed to SQLite in any row order: a repetitive text column without nulls as its
    distinct strings (sorted) and each row's index into them (one shared str object per distinct value: about
    three times quicker to build than a list of fresh strings, and SQLite encodes each distinct string once;
    the index is also the row's rank for :func:`key_order`); any other column as itself."""

    def __init__(self, series: pl.Series):
        self.series = series
        self.strings: np.ndarray | None = None
        self.codes: np.ndarray | None = None
        self.rank: tuple[pl.Series, int] | None = None
        if series.dtype == pl.String and series.len() > 1 and series.null_count() == 0:
            distinct = series.unique().sort()
            if distinct.len() * 4 <= series.len():
                codes = series.cast(pl.Enum(distinct)).to_physical()
                self.strings = np.array(distinct.to_list(), dtype=object)
                self.codes = codes.to_numpy()
                self.rank = codes.cast(pl.UInt64).alias(series.name), distinct.len()

    def values(self, positions: np.ndarray) -> list[object]:
        """The column's values at ``positions``, as Python objects."""
        if self.strings is not None and self.codes is not None:
            return self.strings[self.codes[positions]].tolist()
        return self.series.gather(positions).to_list()


def _flat_rows(columns: Sequence[_Encoded], positions: np.ndarray) -> list[object]:
    """The cells of the rows at ``positions``, row after row, as one flat list of Python values (for multi-row
    VALUES)."""
    width = len(columns)
    flat: list[object] = [None] * (len(positions) * width)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of new objects, none of them cyclic: no need for the collector to walk them
    try:
        for i, column in enumerate(columns):
            flat[i::width] = column.values(positions)
    finally:
        if gc_was_enabled:
            gc.enable()
    return flat


def _count(conn: Connection, table: str) -> int:
    return conn.execute(sa.text(f"SELECT count(*) FROM {_q(table)}")).scalar_one()
