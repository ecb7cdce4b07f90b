"""The suite's own helpers keep tests apart, repeatable and cheap: the ``db`` fixture's migrated hubs
(tests/support/hubs.py) hand every test exactly what a fresh migration gives, no test reaches the real data
folder, and property tests draw the same examples on every run."""

from __future__ import annotations

import os
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa

from silian.settings import Settings, default_data_dir
from silian.storage.database import Database
from tests.support.backends import require_postgres
from tests.support.hubs import PostgresHubs, SqliteHubs


def _use(db: Database) -> int:
    """Write a row the way a test would; the id the database gave it."""
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (code, name, level) VALUES ('410100', '郑州市', 'city')"))
        return int(conn.execute(sa.text("SELECT id FROM regions WHERE code = '410100'")).scalar_one())


def _rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT COUNT(*) FROM regions")).scalar_one())


@pytest.mark.postgres
def test_each_postgres_test_starts_from_an_empty_migrated_schema() -> None:
    hubs = PostgresHubs(require_postgres())
    try:
        with hubs.database() as db:
            head = db.current_revision()
            first = _use(db)
        with hubs.database() as db:
            assert _rows(db) == 0 and _use(db) == first  # rows gone, sequences restarted
        assert hubs.made == 1
        with hubs.database() as db:  # a test that migrates down leaves a schema the next test must not get
            db.downgrade("base")
        with hubs.database() as db:
            assert db.current_revision() == head and _rows(db) == 0
        with hubs.database() as db, db.begin() as conn:  # nor one with a table changed
            conn.execute(sa.text("ALTER TABLE regions ADD COLUMN extra TEXT"))
        with hubs.database() as db, db.engine.connect() as conn:
            assert "extra" not in {c["name"] for c in sa.inspect(conn).get_columns("regions")}
        assert hubs.made == 3
    finally:
        hubs.close()


def test_each_sqlite_test_gets_its_own_migrated_copy(tmp_path: Path) -> None:
    hubs = SqliteHubs(tmp_path / "template")
    with hubs.database(tmp_path / "a") as a, hubs.database(tmp_path / "b") as b:
        _use(a)
        assert _rows(a) == 1 and _rows(b) == 0 and a.current_revision() == b.current_revision() is not None


def test_db_fixture_gives_an_empty_hub_at_the_latest_revision(db: Database, tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.upgrade()
    try:
        assert db.current_revision() == fresh.current_revision() and _rows(db) == 0
        with db.engine.connect() as conn, fresh.engine.connect() as other:
            assert set(sa.inspect(conn).get_table_names()) == set(sa.inspect(other).get_table_names())
    finally:
        fresh.dispose()


def test_no_test_uses_the_real_data_folder() -> None:
    assert Settings().data_dir != default_data_dir()


def test_property_tests_are_repeatable() -> None:
    if os.environ.get("SILIAN_HYPOTHESIS_PROFILE", "deterministic") != "deterministic":
        pytest.skip("another Hypothesis profile was asked for")
    default = hypothesis.settings.default
    assert default.derandomize and default.database is None


def test_passwords_are_hashed_cheaply_except_in_the_accounts_tests() -> None:
    from silian.services import accounts
    stored = accounts._hasher.hash("a long enough password")
    assert stored.startswith("$argon2id$") and accounts._hasher.time_cost == 1 and accounts._hasher.memory_cost == 8


@pytest.mark.real_password_hashing
def test_the_marked_tests_hash_at_the_production_cost() -> None:
    from argon2 import PasswordHasher

    from silian.services import accounts
    production = PasswordHasher()
    assert (accounts._hasher.time_cost, accounts._hasher.memory_cost) == (production.time_cost, production.memory_cost)


def test_the_longest_modules_are_handed_out_first() -> None:
    from types import SimpleNamespace

    from tests.support.schedule import longest_first
    ids = ["tests/unit/test_a.py::one", "tests/unit/test_lint.py::test_ruff_is_clean", "tests/unit/test_a.py::two",
           "tests/web/test_openapi_fuzz.py::x", "tests/cli/test_b.py::one", "tests/unit/test_lint.py::test_mypy_is_clean"]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    longest_first(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == [ids[3], ids[1], ids[5], ids[0], ids[2], ids[4]]
