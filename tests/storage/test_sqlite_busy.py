"""SQLite as the embedded default with one writer at a time: write-ahead logging and a busy timeout on every
connection; a write that finds the lock taken waits (up to ``busy_seconds``) and then either goes through or is
refused as DatabaseBusy (a clear message, exit code 7), never a raw "database is locked"; bookkeeping writes of
read requests are skipped while another write holds the lock."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from silian.domain.errors import DatabaseBusy
from silian.storage.database import Database
from silian.storage.schema import hub_tables
from tests.support.cli import silian
from tests.support.hubs import SqliteHubs
from tests.support.write_lock import write_lock_held

REGIONS_CSV = "区划代码,名称,层级\n410100,郑州市,市\n410105,金水区,县\n"


@pytest.fixture
def sqlite_url(sqlite_hubs: SqliteHubs, tmp_path: Path) -> str:
    with sqlite_hubs.database(tmp_path) as db:
        return db.url


def _add_region(db: Database, code: str) -> None:
    with db.begin() as conn:
        conn.execute(hub_tables["regions"].insert().values(code=code, name=f"县{code}", level="县"))


def test_every_connection_uses_wal_and_a_busy_timeout(sqlite_url: str) -> None:
    db = Database(sqlite_url, busy_seconds=2.5)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_a_write_waits_for_the_lock_then_goes_through(sqlite_url: str) -> None:
    db = Database(sqlite_url, busy_seconds=20)
    with write_lock_held(sqlite_url) as release:
        threading.Timer(0.3, release.set).start()  # the "import" finishes while the write waits
        _add_region(db, "419001")
    with db.engine.connect() as conn:
        codes = set(conn.execute(sa.select(hub_tables["regions"].c.code)).scalars())
    assert {"419999", "419001"} <= codes
    db.dispose()


def test_a_write_that_waits_too_long_is_refused_clearly_and_changes_nothing(sqlite_url: str) -> None:
    db = Database(sqlite_url, busy_seconds=0.2)
    with write_lock_held(sqlite_url):
        with db.engine.connect() as conn:  # reads go on meanwhile (write-ahead log)
            assert conn.execute(sa.select(sa.func.count()).select_from(hub_tables["regions"])).scalar_one() == 0
        with pytest.raises(DatabaseBusy) as refused:
            _add_region(db, "419002")
        assert refused.value.exit_code == 7 and "数据库正忙" in refused.value.message
        assert db.write_unless_busy(lambda conn: conn.execute(
            hub_tables["regions"].insert().values(code="419003", name="x", level="县"))) is False
    with db.engine.connect() as conn:
        codes = set(conn.execute(sa.select(hub_tables["regions"].c.code)).scalars())
    assert codes == {"419999"}  # the held write committed; neither refused write left anything
    assert db.write_unless_busy(lambda conn: conn.execute(
        hub_tables["regions"].insert().values(code="419003", name="x", level="县"))) is True
    with db.engine.connect() as conn:  # the short wait of write_unless_busy is not left on the pooled connection
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 200
    db.dispose()


def test_a_second_cli_import_during_a_long_one_gets_a_clear_message(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    silian("db", "upgrade", data_dir=tmp_path)
    regions = tmp_path / "regions.csv"
    regions.write_text(REGIONS_CSV, encoding="utf-8")
    monkeypatch.setenv("SILIAN_DATABASE_BUSY_SECONDS", "0.3")
    url = f"sqlite:///{tmp_path / 'silian.db'}"
    with write_lock_held(url):
        refused = silian("import", "regions", str(regions), data_dir=tmp_path, check=False)
        english = silian("--lang", "en", "import", "regions", str(regions), data_dir=tmp_path, check=False)
    assert refused.returncode == 7, refused.stderr
    assert "数据库正忙" in refused.stderr and "没有做任何修改" in refused.stderr and "Traceback" not in refused.stderr
    assert english.returncode == 7 and "The database is busy" in english.stderr and "Traceback" not in english.stderr
    done = silian("import", "regions", str(regions), data_dir=tmp_path)  # the lock is free: the same import goes through
    assert done.returncode == 0
