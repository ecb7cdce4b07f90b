"""SQL of the postings state: the titles reviewers confirmed, and the review queue and salary quantiles the last
`silian postings import --load` kept (with where they came from). Every write is one transaction that takes the
write lock first (SQLite: ``BEGIN IMMEDIATE``, waiting out the busy timeout; PostgreSQL: row locks of the upsert),
so simultaneous saves from threads, workers and CLI runs are applied one after the other and none is lost."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from silian.storage.database import Database
from silian.storage.postings_schema import (
    confirmed_titles,
    posting_review_queue,
    posting_salary_summary,
    posting_snapshots,
)

CONFIRMED_TABLE = confirmed_titles.name
REVIEW_QUEUE = "review_queue"
SALARY_SUMMARY = "salary_summary"
_SNAPSHOT_TABLES = {REVIEW_QUEUE: posting_review_queue, SALARY_SUMMARY: posting_salary_summary}
_CHUNK = 500


@dataclass(frozen=True)
class ConfirmedTitle:
    title_key: str
    title: str
    occupation_code: str
    confirmed_at: datetime  # UTC
    source: str


@dataclass(frozen=True)
class Snapshot:
    """A saved frame (the review queue or the salary quantiles) and where it came from."""

    frame: pl.DataFrame
    source: str
    saved_at: datetime  # UTC
    engine: str | None = None
    postings: int | None = None


# ---------------------------------------------------------------------------- connections
def state_ready(db: Database) -> bool:
    """Whether the postings state tables exist. Creates nothing: a SQLite file that does not exist yet stays absent."""
    url = sa.make_url(db.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not Path(url.database).is_file():
        return False
    with db.engine.connect() as conn:
        return sa.inspect(conn).has_table(CONFIRMED_TABLE)


@contextmanager
def _writing(db: Database, *, commit: bool = True) -> Iterator[Connection]:
    """One transaction holding the write lock from its first statement (SQLite ``BEGIN IMMEDIATE``: a second
    writer waits for the first to commit instead of failing on a stale snapshot); rolled back on error or when
    ``commit`` is false."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        if commit:
            conn.commit()
        else:
            conn.rollback()


def _insert(conn: Connection, table: sa.Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _utc(value: datetime) -> datetime:
    """SQLite keeps no time zone: what comes back naive was stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------------------- confirmed titles
def read_confirmed(db: Database) -> list[ConfirmedTitle]:
    """Every confirmed title, by title key (none when the tables do not exist yet)."""
    if not state_ready(db):
        return []
    t = confirmed_titles
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.title_key, t.c.title, t.c.occupation_code, t.c.confirmed_at, t.c.source)
                            .order_by(t.c.title_key)).all()
    return [ConfirmedTitle(r.title_key, r.title, r.occupation_code, _utc(r.confirmed_at), r.source) for r in rows]


def merge_confirmed(db: Database, rows: Sequence[ConfirmedTitle], *, dry_run: bool = False) -> tuple[dict[str, str], int]:
    """Upsert ``rows`` (one per title key; a key stored already takes the new row) in one transaction. Returns
    the codes the keys had before (absent: new) and how many titles are confirmed afterwards. ``dry_run``:
    the same answer, nothing written."""
    t = confirmed_titles
    keys = sorted({r.title_key for r in rows})
    with _writing(db, commit=not dry_run) as conn:
        before: dict[str, str] = {}
        for chunk in _chunks(keys):
            before.update((key, code) for key, code in conn.execute(
                sa.select(t.c.title_key, t.c.occupation_code).where(t.c.title_key.in_(chunk))))
        if not dry_run:
            _put_confirmed(conn, rows, replace=True)
        total = _count_confirmed(conn)
    return before, total + (len(keys) - len(before) if dry_run else 0)


def _count_confirmed(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(confirmed_titles)).scalar_one()


def _put_confirmed(conn: Connection, rows: Sequence[ConfirmedTitle], *, replace: bool) -> None:
    """Insert ``rows``, in key order (two transactions never wait on each other's rows crosswise); a stored
    key takes the new row (``replace``) or keeps its own."""
    if not rows:
        return
    insert = _insert(conn, confirmed_titles)
    if replace:
        statement = insert.on_conflict_do_update(
            index_elements=["title_key"],
            set_={c: insert.excluded[c] for c in ("title", "occupation_code", "confirmed_at", "source")})
    else:
        statement = insert.on_conflict_do_nothing(index_elements=["title_key"])
    values = [{"title_key": r.title_key, "title": r.title, "occupation_code": r.occupation_code,
               "confirmed_at": r.confirmed_at, "source": r.source} for r in sorted(rows, key=lambda r: r.title_key)]
    for chunk in _chunks(values):
        conn.execute(statement, list(chunk))


# ---------------------------------------------------------------------------- review queue and salary quantiles
def replace_snapshot(db: Database, name: str, snapshot: Snapshot) -> None:
    """Replace the saved review queue (``REVIEW_QUEUE``) or salary quantiles (``SALARY_SUMMARY``) in one
    transaction: readers see the old rows or the new, never a mix."""
    with _writing(db) as conn:
        _put_snapshot(conn, name, snapshot)


def read_snapshot(db: Database, name: str) -> Snapshot | None:
    """The saved review queue or salary quantiles (rows in saved order, every column of the table), or None when
    nothing was saved (or the tables do not exist yet)."""
    if not state_ready(db):
        return None
    table, s = _SNAPSHOT_TABLES[name], posting_snapshots
    with db.engine.connect() as conn:
        meta = conn.execute(sa.select(s).where(s.c.name == name)).first()
        if meta is None:
            return None
        rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
    frame = pl.DataFrame([tuple(r) for r in rows], schema=_schema(table), orient="row")
    return Snapshot(frame, meta.source, _utc(meta.saved_at), meta.engine, meta.postings)


def _schema(table: sa.Table) -> dict[str, Any]:
    kinds = {sa.Integer: pl.Int64, sa.BigInteger: pl.Int64, sa.Double: pl.Float64}
    return {c.name: next((v for k, v in kinds.items() if isinstance(c.type, k)), pl.String) for c in table.columns}


def _put_snapshot(conn: Connection, name: str, snapshot: Snapshot) -> None:
    """Write the snapshot's row first (an upsert: on PostgreSQL it locks the row, so a second load at the same
    moment waits and then replaces this one whole instead of colliding with it), then its frame."""
    table, s = _SNAPSHOT_TABLES[name], posting_snapshots
    meta = {"source": snapshot.source, "engine": snapshot.engine, "postings": snapshot.postings, "saved_at": snapshot.saved_at}
    insert = _insert(conn, s)
    conn.execute(insert.values(name=name, **meta).on_conflict_do_update(index_elements=["name"], set_=meta))
    columns = [c.name for c in table.columns if c.name in snapshot.frame.columns]
    frame = snapshot.frame.select(columns)
    if name == REVIEW_QUEUE:
        frame = frame.with_row_index("position")
    conn.execute(sa.delete(table))
    for chunk in _chunks(frame.to_dicts(), 5000):
        conn.execute(sa.insert(table), list(chunk))


def _has_snapshot(conn: Connection, name: str) -> bool:
    s = posting_snapshots
    return conn.execute(sa.select(s.c.name).where(s.c.name == name)).first() is not None


# ---------------------------------------------------------------------------- the files of older versions
def import_old_state(db: Database, confirmed: Sequence[ConfirmedTitle], snapshots: Mapping[str, Snapshot]) -> dict[str, int]:
    """Take in, in one transaction, the state older versions kept as files: confirmed titles the table does not
    hold yet (a title confirmed since keeps its newer answer), and each snapshot unless one is saved already.
    Returns the rows taken per kind (``confirmed``, ``review_queue``, ``salary_summary``)."""
    with _writing(db) as conn:
        stored = _count_confirmed(conn)
        _put_confirmed(conn, confirmed, replace=False)
        taken = {"confirmed": _count_confirmed(conn) - stored}
        for name, snapshot in snapshots.items():
            if not _has_snapshot(conn, name):
                _put_snapshot(conn, name, snapshot)
                taken[name] = snapshot.frame.height
            else:
                taken[name] = 0
    return taken
