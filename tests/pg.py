"""A PostgreSQL database in a schema of its own, dropped afterwards (each test or module gets a clean one).

The helper itself is :func:`silian.storage.database.schema_database`, shared with the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from silian.storage.database import Database, schema_database

PG_URL = os.environ.get("SILIAN_TEST_DATABASE_URL", "")


@contextmanager
def postgres_schema_database(url: str = PG_URL) -> Iterator[Database]:
    """A Database whose search_path is a fresh schema; the schema is dropped on exit."""
    with schema_database(url, prefix="t") as db:
        yield db
