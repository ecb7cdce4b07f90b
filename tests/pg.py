"""A PostgreSQL database in a schema of its own, dropped afterwards (each test or module gets a clean one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from silian.storage.database import Database

PG_URL = os.environ.get("SILIAN_TEST_DATABASE_URL", "")


@contextmanager
def postgres_schema_database(url: str = PG_URL) -> Iterator[Database]:
    """A Database whose search_path is a fresh schema; the schema is dropped on exit."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
