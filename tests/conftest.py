"""Shared fixtures: a fresh, migrated hub database on SQLite (always) and PostgreSQL (when
SILIAN_TEST_DATABASE_URL is set, as in CI); each PostgreSQL test gets its own schema. Built once per session:
the demo region (copied per module or test, see tests/support/demo.py) and the trained occupation classifier."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from silian.domain.messages import current_lang
from silian.storage.database import Database
from tests.pg import postgres_schema_database
from tests.support.backends import (
    BACKENDS,
    PG_URL,
    PostgresDemo,
    build_postgres_demo,
    empty_database,
    require_postgres,
)
from tests.support.demo import DemoTemplate, build_demo_template
from tests.support.spark import local_spark_session

__all__ = ["BACKENDS", "PG_URL"]

# rich fixes a console's width from COLUMNS when the console is made (silian.cli's, at its import) and otherwise
# reads COLUMNS at each print, which the in-process CLI runner sets to 200 (tests/support/cli.py); pytest-xdist
# workers inherit COLUMNS=80, which would make the CLI's tables wrap there.
os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def _chinese_messages() -> Iterator[None]:
    token = current_lang.set("zh")
    yield
    current_lang.reset(token)


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A database with no schema yet, on each backend."""
    with empty_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated, empty hub database on each backend."""
    empty_db.upgrade()
    return empty_db


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo region (seed 2024) in a SQLite file, built once: copy it (``demo_template.database(path)``),
    never open it for writing."""
    return build_demo_template(tmp_path_factory.mktemp("demo-template"))


@pytest.fixture(scope="session")
def postgres_demo(demo_template: DemoTemplate) -> Iterator[PostgresDemo]:
    """The demo region in a PostgreSQL schema of its own, loaded once; copies: ``postgres_demo.copy_into(db)``."""
    with postgres_schema_database(require_postgres()) as db:
        db.upgrade()
        yield build_postgres_demo(db, demo_template)


@pytest.fixture(scope="session")
def trained_classifier():  # type: ignore[no-untyped-def]
    """The default occupation classifier, trained once for the session (``default_classifier`` keeps it)."""
    from silian.services.postings.classifier import default_classifier
    return default_classifier()


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local SparkSession for the test session (tests/support/spark.py); skips when Java is missing."""
    yield from local_spark_session()
