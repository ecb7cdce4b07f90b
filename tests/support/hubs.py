"""Migrated, empty hub databases for the ``db`` fixture, migrated once per test session (per pytest-xdist worker)
instead of once per test:

* SQLite — a migrated file, copied for each test (a file copy instead of running the migrations);
* PostgreSQL — one migrated schema, emptied after each test (every row deleted, every sequence restarted), then
  compared with what the migrations made (relations, columns, constraints, indexes, triggers and the Alembic
  revision): a test that changed the schema, migrated it up or down, or left a lock behind gets a fresh schema
  made in its place, so the next test always starts from exactly what ``db.upgrade()`` gives.

Emptying the schema costs a few milliseconds of server time; creating, migrating and dropping one costs ~0.45 s of
CPU (0.15 s here, 0.3 s in the server), for each of the ~150 PostgreSQL tests that take ``db``."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa

from silian.storage.database import Database

# What a test could change in the schema, read from the catalogue in one round trip each.
_SIGNATURE = (
    "SELECT c.relname, c.relkind::text FROM pg_class c WHERE c.relnamespace = CAST(:s AS regnamespace) ORDER BY 1, 2",
    ("SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '') "
     "FROM information_schema.columns WHERE table_schema = :s ORDER BY 1, 2"),
    ("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
     "WHERE connamespace = CAST(:s AS regnamespace) ORDER BY 1, 2"),
    ("SELECT tgrelid::regclass::text, tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
     "WHERE c.relnamespace = CAST(:s AS regnamespace) AND NOT t.tgisinternal ORDER BY 1, 2"),
    ("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
     "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = CAST(:s AS regnamespace) ORDER BY 1"),
)


class SqliteHubs:
    """A migrated SQLite hub made once; each test gets a copy of the file."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "migrated.db"
        db = Database(f"sqlite:///{self.path}")
        try:
            db.upgrade()
        finally:
            db.dispose()
        with closing(sqlite3.connect(self.path)) as conn:  # one self-contained file: no -wal or -shm beside it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")

    @contextmanager
    def database(self, folder: Path, name: str = "hub.db") -> Iterator[Database]:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, target)
        db = Database(f"sqlite:///{target}")
        try:
            yield db
        finally:
            db.dispose()


class PostgresHubs:
    """One migrated PostgreSQL schema reused by test after test, emptied in between (see the module's text)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = sa.create_engine(url)
        self.schema = ""
        self.tables: list[str] = []  # children before parents: the order rows can be deleted in
        self.sequences: list[str] = []
        self.signature: tuple[object, ...] = ()
        self.made = 0  # schemas migrated so far (1 unless a test changed one)
        self.leftover: list[str] = []
        self._make()

    def _database(self) -> Database:
        return Database(self.url, connect_args={"options": f"-csearch_path={self.schema}"})

    def _make(self) -> None:
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        db = self._database()
        try:
            db.upgrade()
            with db.engine.connect() as conn:
                reflected = sa.MetaData()
                reflected.reflect(conn)
        finally:
            db.dispose()
        self.tables = [t.name for t in reversed(reflected.sorted_tables) if t.name != "alembic_version"]
        with self.admin.connect() as conn:
            self.sequences = list(conn.execute(sa.text(
                "SELECT relname FROM pg_class WHERE relnamespace = CAST(:s AS regnamespace) AND relkind = 'S' ORDER BY 1"),
                {"s": self.schema}).scalars())
            self.signature = self._signature(conn)
        self.made += 1

    def _signature(self, conn: sa.Connection) -> tuple[object, ...]:
        parts: list[object] = [tuple(tuple(r) for r in conn.execute(sa.text(q), {"s": self.schema})) for q in _SIGNATURE]
        parts.append(tuple(conn.execute(sa.text(f'SELECT version_num FROM "{self.schema}".alembic_version ORDER BY 1'))
                           .scalars()))
        return tuple(parts)

    def _empty(self) -> bool:
        """Delete every row and restart every sequence; whether the schema is still the migrated one."""
        try:
            with self.admin.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
                for table in self.tables:
                    conn.execute(sa.text(f'DELETE FROM "{self.schema}"."{table}"'))
                for sequence in self.sequences:
                    conn.execute(sa.text(f'ALTER SEQUENCE "{self.schema}"."{sequence}" RESTART'))
                return self._signature(conn) == self.signature
        except sa.exc.DBAPIError:  # a table or sequence gone or changed, a lock held: not the migrated schema
            return False

    def _drop(self, schema: str) -> None:
        try:
            with self.admin.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except sa.exc.DBAPIError:  # still locked by what the test left open: tried again at the end
            self.leftover.append(schema)

    @contextmanager
    def database(self) -> Iterator[Database]:
        db = self._database()
        try:
            yield db
        finally:
            db.dispose()
            if not self._empty():
                self._drop(self.schema)
                self._make()

    def close(self) -> None:
        for schema in [*self.leftover, self.schema]:
            with self.admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()
