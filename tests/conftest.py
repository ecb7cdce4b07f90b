"""Shared fixtures: a fresh, migrated hub database on SQLite (always) and PostgreSQL (when
SILIAN_TEST_DATABASE_URL is set, as in CI); each PostgreSQL test gets its own schema."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from silian.domain.messages import current_lang
from silian.storage.database import Database
from tests.pg import postgres_schema_database

PG_URL = os.environ.get("SILIAN_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _chinese_messages() -> Iterator[None]:
    token = current_lang.set("zh")
    yield
    current_lang.reset(token)


def _postgres_database() -> Iterator[Database]:
    if not PG_URL:
        pytest.skip("SILIAN_TEST_DATABASE_URL is not set (CI sets it; see .ci/run)")
    with postgres_schema_database(PG_URL) as db:
        yield db


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A database with no schema yet, on each backend."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'hub.db'}")
        yield db
        db.dispose()
    else:
        yield from _postgres_database()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated, empty hub database on each backend."""
    empty_db.upgrade()
    return empty_db
