"""Hub databases on the two backends: SQLite (always) and PostgreSQL (when SILIAN_TEST_DATABASE_URL is set, as
in CI; each database is a schema of its own, dropped afterwards), and copies of the demo region on each."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from silian.storage.database import Database
from tests.pg import postgres_schema_database
from tests.support.demo import DemoTemplate, demo_database

PG_URL = os.environ.get("SILIAN_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def require_postgres() -> str:
    """The PostgreSQL URL, or skip the test when none is set."""
    if not PG_URL:
        pytest.skip("SILIAN_TEST_DATABASE_URL is not set (CI sets it; see .ci/run)")
    return PG_URL


@contextmanager
def empty_database(backend: str, folder: Path, name: str = "hub.db") -> Iterator[Database]:
    """A database with no schema yet on ``backend`` (a file in ``folder`` for SQLite), disposed of afterwards."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{folder / name}")
        try:
            yield db
        finally:
            db.dispose()
    else:
        with postgres_schema_database(require_postgres()) as db:
            yield db


@contextmanager
def migrated_database(backend: str, folder: Path, name: str = "hub.db") -> Iterator[Database]:
    """A migrated, empty hub on ``backend``."""
    with empty_database(backend, folder, name) as db:
        db.upgrade()
        yield db


# ---------------------------------------------------------------- the demo region on PostgreSQL
@dataclass(frozen=True)
class PostgresDemo:
    """A schema holding the demo region, loaded once per session: copies are made with INSERT … SELECT."""

    schema: str
    tables: tuple[str, ...]  # parents before children
    serials: tuple[tuple[str, str], ...]  # (table, column) fed by a sequence

    def copy_into(self, db: Database) -> None:
        """Fill ``db`` (migrated, empty, on the same server) with the demo rows, sequences moved past them."""
        with db.begin() as conn:
            for table in self.tables:
                columns = ", ".join(f'"{c}"' for c in _columns(conn, self.schema, table))
                conn.execute(sa.text(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{self.schema}"."{table}"'))
            for table, column in self.serials:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX(\"{column}\"), 1), "
                                     f"MAX(\"{column}\") IS NOT NULL) FROM \"{table}\""), {"t": table, "c": column})


def _columns(conn: sa.Connection, schema: str, table: str) -> list[str]:
    return list(conn.execute(sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = :s "
                                     "AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"),
                             {"s": schema, "t": table}).scalars())


def build_postgres_demo(db: Database, template: DemoTemplate) -> PostgresDemo:
    """Load the demo region into ``db`` (a migrated PostgreSQL schema of its own) and describe how to copy it."""
    from silian.services.demo_region import load_demo

    load_demo(db, seed=template.summary.seed)
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        reflected = sa.MetaData()
        reflected.reflect(conn)
        tables = tuple(t.name for t in reflected.sorted_tables if t.name != "alembic_version")
        serials = tuple(conn.execute(sa.text(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = :s "
            "AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') ORDER BY table_name, column_name"),
            {"s": schema}).all())
        serials = tuple((str(t), str(c)) for t, c in serials)
    return PostgresDemo(schema, tables, serials)


@contextmanager
def demo_on(backend: str, folder: Path, template: DemoTemplate, postgres_demo: PostgresDemo | None,
            name: str = "hub.db") -> Iterator[Database]:
    """A writable copy of the demo region on ``backend``: a file copy of the template for SQLite, a fresh schema
    filled from the session's demo schema for PostgreSQL."""
    if backend == "sqlite":
        with demo_database(template, folder, name) as db:
            yield db
        return
    assert postgres_demo is not None
    with migrated_database(backend, folder) as db:
        postgres_demo.copy_into(db)
        yield db
