"""Shared fixtures: a migrated, empty hub database on SQLite (always) and PostgreSQL (when
SILIAN_TEST_DATABASE_URL is set, as in CI) for each test — a copy of a file migrated once, or a schema migrated
once and emptied after each test (tests/support/hubs.py); ``empty_db`` gives a schema of its own, unmigrated.
Built once per session (per pytest-xdist worker): the migrated hubs, the demo region (copied per module or test,
see tests/support/demo.py), the trained occupation classifier and a local SparkSession (tests/support/spark.py).
Every test process has a data folder of its own, repeatable Hypothesis examples and cheap argon2 parameters, and
solves each distinct enrolment-plan problem once (tests/support/memo.py)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

import hypothesis
import pytest
from argon2 import PasswordHasher

from silian.domain.messages import current_lang
from silian.services import accounts
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
from tests.support.hubs import PostgresHubs, SqliteHubs
from tests.support.memo import memoise_plan_solver
from tests.support.schedule import longest_first
from tests.support.spark import local_spark_session

__all__ = ["BACKENDS", "PG_URL"]

# rich fixes a console's width from COLUMNS when the console is made (silian.cli's, at its import) and otherwise
# reads COLUMNS at each print, which the in-process CLI runner sets to 200 (tests/support/cli.py); pytest-xdist
# workers inherit COLUMNS=80, which would make the CLI's tables wrap there.
os.environ.pop("COLUMNS", None)

# Nothing a test runs may use the real data folder (~/.local/share/silian, or the caller's SILIAN_DATA_DIR): a
# folder of this process's own, so two runs, or two pytest-xdist workers, never share a database or a secret key.
_DATA_DIR = tempfile.mkdtemp(prefix="silian-tests-")
os.environ["SILIAN_DATA_DIR"] = _DATA_DIR
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)

# Per-client request limits (web/rate_limits.py) are off in tests, which send hundreds of requests from one address
# ("testclient"); tests/web/test_rate_limits.py sets them explicitly.
for _budget in ("LOGIN", "ANONYMOUS", "SIGNED_IN"):
    os.environ.setdefault(f"SILIAN_RATE_LIMIT_{_budget}", "0")

# Property tests are repeatable: the same examples on every run and every machine (no random seed, no example
# database written beside the code), within each test's own max_examples. SILIAN_HYPOTHESIS_PROFILE=explore gives
# random examples and Hypothesis' example database, to look for new failures by hand.
hypothesis.settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
hypothesis.settings.register_profile("explore", deadline=None)
hypothesis.settings.load_profile(os.environ.get("SILIAN_HYPOTHESIS_PROFILE", "deterministic"))


# argon2 at its cheapest for the tests (the production hasher takes ~0.27 s of CPU per hash or check, and the suite
# makes and logs in ~200 users): hashes are still argon2id, checked and rehashed by the same code. The accounts
# tests (tests/storage/test_accounts.py, marked real_password_hashing) keep the production parameters. Set for the
# whole process, so the users that session and module fixtures make (the browser's live server, the dashboard's
# site) are cheap to make and to log in as too; a marked test gets the production hasher back for its duration.
FAST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PRODUCTION_PASSWORD_HASHER = accounts._hasher
accounts._hasher = FAST_PASSWORD_HASHER


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_password_hashing") is not None:
        monkeypatch.setattr(accounts, "_hasher", PRODUCTION_PASSWORD_HASHER)


# Each distinct enrolment-plan problem is solved once per test process (tests/support/memo.py): the demo region's
# plan is asked for by many modules.
memoise_plan_solver()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest modules first (tests/support/schedule.py), so two pytest-xdist workers finish together."""
    longest_first(items)


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


@pytest.fixture(scope="session")
def sqlite_hubs(tmp_path_factory: pytest.TempPathFactory) -> SqliteHubs:
    """A migrated SQLite hub made once per session; ``db`` copies it (tests/support/hubs.py)."""
    return SqliteHubs(tmp_path_factory.mktemp("migrated"))


@pytest.fixture(scope="session")
def postgres_hubs() -> Iterator[PostgresHubs]:
    """One migrated PostgreSQL schema per session, emptied after each test that takes ``db`` (tests/support/hubs.py)."""
    hubs = PostgresHubs(require_postgres())
    yield hubs
    hubs.close()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated, empty hub database on each backend: what ``empty_db`` then ``upgrade()`` gives, without running
    the migrations for every test (a copy of a migrated file; an emptied migrated schema)."""
    if request.param == "sqlite":
        with request.getfixturevalue("sqlite_hubs").database(tmp_path) as database:
            yield database
    else:
        with request.getfixturevalue("postgres_hubs").database() as database:
            yield database


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
