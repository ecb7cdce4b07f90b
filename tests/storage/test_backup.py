"""``silian backup`` and ``silian restore`` on SQLite and PostgreSQL: a restore reproduces every table (rows and a
checksum per table) and the same analysis; a backup taken while web requests write is one consistent state; a
restore asks first, keeps what it replaces, and refuses files it cannot restore."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.domain.errors import InvalidInput
from silian.services.accounts import create_user
from silian.services.analysis import run_analysis
from silian.services.backup import backup_hub, check_backup, hub_checksums, restore_hub
from silian.settings import Settings
from silian.storage.database import Database
from silian.web import create_app
from tests.support.backends import BACKENDS
from tests.support.cli import silian
from tests.support.fixtures import demo_for

PASSWORD = "a long enough password"


@pytest.fixture(params=BACKENDS)
def demo_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from demo_for(request, request.param, tmp_path)


def rounded(value: object) -> object:
    """Floats to 9 significant digits (the analysis sums in parallel, so its last bits vary from run to run on the
    same data), as text so that a missing value (NaN) equals itself."""
    if isinstance(value, float):
        return f"{value:.9g}"
    if isinstance(value, (list, tuple)):
        return tuple(rounded(item) for item in value)
    return value


def headline(db: Database, settings: Settings) -> object:
    """The analysis figures a restore must give back: the coupling scores (D and its parts) and supply–demand."""
    bundle = run_analysis(db, settings=settings)
    return rounded((bundle.region_code, bundle.year, bundle.city.scores.rows(),
                    bundle.supply_demand.by_major.sort("major_code").rows(), bundle.supply_demand.deviation_total))


def test_a_restore_gives_back_every_table_and_the_same_analysis(demo_hub: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    before, analysis = hub_checksums(demo_hub), headline(demo_hub, settings)
    assert before["institutions"][0] > 0 and before["demand"][0] > 0 and before["alembic_version"][0] == 1
    report = backup_hub(demo_hub, tmp_path / "hub.backup")
    assert report.size > 0 and len(report.table_names) == len(before)
    assert report.path.stat().st_mode & 0o077 == 0  # password hashes inside: readable by the owner only
    if report.tables:  # SQLite: the backup file itself was read
        assert report.tables == {name: rows for name, (rows, _) in before.items()}
    # the hub changes after the backup: rows deleted, changed and added
    with demo_hub.begin() as conn:
        conn.execute(sa.text("DELETE FROM demand WHERE id IN (SELECT id FROM demand ORDER BY id LIMIT 50)"))
        conn.execute(sa.text("UPDATE institutions SET name = name || '（改）'"))
        conn.execute(sa.text("CREATE TABLE later_migration (id INTEGER PRIMARY KEY)"))  # as a newer version would
        conn.execute(sa.text("INSERT INTO later_migration (id) VALUES (7)"))
    create_user(demo_hub, username="after-backup", password=PASSWORD, role="city_admin")
    changed = hub_checksums(demo_hub)
    assert changed != before
    restored = restore_hub(demo_hub, report.path, settings)
    assert hub_checksums(demo_hub) == before
    assert restored.tables == {name: rows for name, (rows, _) in before.items()}
    assert headline(demo_hub, settings) == analysis
    assert restored.revision == demo_hub.head_revision() and not restored.needs_upgrade
    assert restored.dropped == ("later_migration",)
    # nothing was lost: what the restore replaced is in its safety backup, which restores in turn
    assert restored.safety.parent == settings.data_dir / "backups" and restored.safety.exists()
    restore_hub(demo_hub, restored.safety, settings)
    assert hub_checksums(demo_hub) == changed


@pytest.fixture
def served(db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    create_user(db, username="admin", password=PASSWORD, role="city_admin")
    settings = Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k")
    with TestClient(create_app(settings, database=db)) as client:
        r = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 201, r.text
        yield client, {"Authorization": f"Bearer {r.json()['token']}"}


def created(db: Database) -> tuple[int, int]:
    """Regions the writer added, and the audit entries of their creation (one transaction each: always equal)."""
    with db.engine.connect() as conn:
        regions = conn.execute(sa.text("SELECT count(*) FROM regions WHERE name LIKE '备份测试%'")).scalar_one()
        audits = conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE entity = 'regions' AND action = 'create'"))
        return int(regions), int(audits.scalar_one())


def test_a_backup_taken_while_web_requests_write_is_consistent(db: Database, served: tuple[TestClient, dict[str, str]],
                                                               tmp_path: Path) -> None:
    client, auth = served
    stop, statuses = threading.Event(), []

    def write() -> None:  # one region and its audit entry per request, until told to stop (at most 400)
        for index in range(400):
            if stop.is_set():
                return
            r = client.post("/api/v1/regions", headers=auth,
                            json={"code": f"{990000 + index}", "name": f"备份测试{index}", "level": "县"})
            statuses.append(r.status_code)

    writer = threading.Thread(target=write)
    writer.start()
    backups = []
    try:
        for number in range(3):
            while len(statuses) < 5 * (number + 1) and writer.is_alive():
                stop.wait(0.01)
            backups.append(backup_hub(db, tmp_path / f"while-writing-{number}.backup").path)
    finally:
        stop.set()
        writer.join(60)
    assert statuses and set(statuses) == {201}, statuses
    final = created(db)
    assert final[0] == final[1] == len(statuses)
    for path in backups:
        if db.dialect == "sqlite":
            copy = Database(f"sqlite:///{path}")
            try:
                regions, audits = created(copy)
            finally:
                copy.dispose()
        else:
            restore_hub(db, path, Settings(data_dir=tmp_path / "data"))
            regions, audits = created(db)
        assert 5 <= regions == audits <= final[0], path


def test_restore_asks_first_and_refuses_what_it_cannot_restore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    silian("db", "upgrade", data_dir=data)
    silian("user", "add", "keeper", "--password", PASSWORD, data_dir=data)
    target = tmp_path / "hub.db"
    first = silian("backup", str(target), data_dir=data)
    assert "已备份" in first.stdout and target.exists()
    asked = silian("backup", str(target), data_dir=data, check=False)  # exists: asks, and without an answer stops
    assert asked.returncode != 0 and "覆盖" in asked.stderr
    silian("user", "add", "later", "--password", PASSWORD, data_dir=data)
    refused = silian("restore", str(target), data_dir=data, check=False)
    assert refused.returncode != 0 and "替换" in refused.stderr
    assert "later" in silian("user", "list", data_dir=data).stdout  # nothing replaced without an answer
    done = silian("--lang", "en", "restore", "--yes", str(target), data_dir=data)
    assert "Restored" in done.stdout and "later" not in silian("user", "list", data_dir=data).stdout
    safety = list((data / "backups").glob("before-restore-*.db"))
    assert len(safety) == 1
    again = silian("restore", "--yes", str(safety[0]), data_dir=data)  # the replaced data comes back
    assert "later" in silian("user", "list", data_dir=data).stdout and "恢复" in again.stdout
    (tmp_path / "not-a-backup.db").write_text("一个文本文件", encoding="utf-8")
    bad = silian("restore", "--yes", str(tmp_path / "not-a-backup.db"), data_dir=data, check=False)
    assert bad.returncode == 2 and "不是四链的备份文件" in bad.stderr
    missing = silian("--lang", "en", "restore", "--yes", str(tmp_path / "nowhere.db"), data_dir=data, check=False)
    assert missing.returncode == 2 and "No backup file" in missing.stderr


def test_a_backup_of_the_other_backend_or_of_no_hub_is_refused(db: Database, tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    plain = tmp_path / "plain.db"
    with closing(sqlite3.connect(plain)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(InvalidInput) as refused:
        check_backup(db, plain)
    expected = "alembic_version" if db.dialect == "sqlite" else "跨数据库迁移"
    assert expected in refused.value.message
