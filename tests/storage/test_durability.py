"""SIGKILL in the middle of a write leaves the hub as it was before or as it is after, never between — on SQLite
and PostgreSQL: a large ``silian import`` killed at a few points (each chosen by seeing from outside that the write
has started: tests/support/crash.py), and a scenario save killed after its row and after its audit entry.

Each killed run must leave the imported table's checksum and the import log exactly as before (or, had the commit
landed first, exactly as after a finished import), and at least one run must have been killed mid-write."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from silian.services.backup import hub_checksums
from silian.services.imports import ensure_schema, import_file
from silian.settings import Settings
from silian.storage.database import Database
from tests.support import crash
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

ROWS = 20_000
REGIONS = ("410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181")
SKILLS = ("不限", "初级工", "中级工", "高级工", "技师", "高级技师")


def demand_csv(path: Path, rows: int, *, seed: int) -> Path:
    """``rows`` demand rows with unique keys (the first rows' keys are shared by every seed; counts differ)."""
    from silian.catalog import get_catalog

    occupations = list(get_catalog().occupations.filter(level=4)["code"])
    lines = ["来源,区划代码,时期,职业代码,技能等级,需求人数"]
    periods = [f"{year}-{month:02d}" for year in range(2015, 2025) for month in range(1, 13)]
    for index in range(rows):
        occupation = occupations[index % len(occupations)]
        rest = index // len(occupations)
        region = REGIONS[rest % len(REGIONS)]
        period = periods[rest // len(REGIONS)]
        lines.append(f"statistics,{region},{period},{occupation},{SKILLS[index % 6]},{(index * 7 + seed) % 500 + 1}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def state(db: Database) -> tuple[tuple[int, str], int]:
    """The demand table's (rows, checksum) and how many files the import log holds."""
    sums = hub_checksums(db, only=("demand", "import_log"))
    return sums["demand"], sums["import_log"][0]


@pytest.fixture
def hub(db: Database, tmp_path: Path) -> Iterator[Database]:
    """A migrated hub (each backend) with the country's regions and a first small demand file already imported."""
    ensure_schema(db)
    import_file(db, "demand", demand_csv(tmp_path / "first.csv", 500, seed=1), Settings(data_dir=tmp_path))
    yield db


def import_args(db: Database, csv: Path) -> list[str]:
    return [sys.executable, "-m", "silian.cli", "--db", crash.cli_url(db), "import", "demand", str(csv)]


def kill_points(db: Database) -> list[tuple[str, Callable[[], bool]]]:
    """Where to kill, each a probe that turns true once the write has got that far."""
    if db.dialect == "sqlite":
        path = Path(sa.make_url(db.url).database or "")
        return [("write lock taken", lambda: crash.sqlite_write_locked(path)),
                ("commit being written to the log", lambda: crash.sqlite_wal_bytes(path) > 0)]
    base = crash.postgres_table_bytes(db, "demand")
    return [("table locked by the import", lambda: crash.postgres_lock_holders(db, "demand") > 0),
            ("rows being written", lambda: crash.postgres_table_bytes(db, "demand") > base)]


def settle(db: Database) -> None:
    """Before the next run: SQLite's log emptied (so its growth is the next commit); PostgreSQL's killed backend gone."""
    if db.dialect == "sqlite":
        crash.sqlite_checkpoint(Path(sa.make_url(db.url).database or ""))
    else:
        crash.wait_for_no_locks(db, "demand")


def test_a_large_import_killed_midway_leaves_the_hub_before_or_after(hub: Database, tmp_path: Path) -> None:
    csv = demand_csv(tmp_path / "large.csv", ROWS, seed=2)
    env = crash.process_env(tmp_path / "data")
    before = state(hub)
    seen: list[tuple[crash.Attempt, tuple[tuple[int, str], int]]] = []
    committed = 0
    for point, started in kill_points(hub):
        settle(hub)
        attempt = crash.run_and_kill(import_args(hub, csv), env, point, started)
        seen.append((attempt, state(hub)))
        if seen[-1][1] != before:  # the commit landed before the kill (or the run finished first): checked below
            committed += 1
            break
    settle(hub)
    import_file(hub, "demand", csv, Settings(data_dir=tmp_path))  # the same import, to its end (in this process)
    demand_after, log_after = state(hub)
    assert demand_after[0] == before[0][0] + ROWS - 500 and demand_after != before[0]
    assert log_after == before[1] + 1 + committed
    for attempt, found in seen:
        assert found in (before, (demand_after, before[1] + 1)), f"{attempt.point}: the hub is between before and after"
    killed_midway = [attempt.point for attempt, found in seen if attempt.killed and found == before]
    assert killed_midway, f"no run was killed mid-write: {seen}"


@pytest.fixture(params=BACKENDS)
def demo_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from demo_for(request, request.param, tmp_path)


def scenario_state(db: Database) -> tuple[tuple[int, str], tuple[int, str]]:
    sums = hub_checksums(db, only=("scenarios", "audit_log"))
    return sums["scenarios"], sums["audit_log"]


def test_a_scenario_save_killed_inside_its_transaction_leaves_nothing_half_written(demo_hub: Database,
                                                                                  tmp_path: Path) -> None:
    crash.save_with_pause(demo_hub, "complete")  # in this process: one saved scenario and its audit entry
    before = scenario_state(demo_hub)
    # a replacing save, killed with its update and its audit entry written and the transaction not committed
    worker = [sys.executable, "-m", "tests.support.crash", crash.cli_url(demo_hub), "audit"]
    attempt = crash.run_until_paused(worker, crash.process_env(tmp_path / "data"))
    assert attempt.killed, attempt
    if demo_hub.dialect == "postgresql":
        crash.wait_for_no_locks(demo_hub, "scenarios")
    assert scenario_state(demo_hub) == before, "a half-written save is visible"
