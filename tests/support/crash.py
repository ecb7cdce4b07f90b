"""Kill a writing process with SIGKILL at chosen points and look at what the database kept.

The writers are real ``silian`` processes (``silian import``) or a scenario save run by this module as a program
(``python -m tests.support.crash URL audit``): the save's own code, with a pause after its last write (the row
and its audit entry written, the transaction not yet committed) where the test kills it. The
probes see a write that has started from outside the writer: SQLite's write lock (another connection's ``BEGIN
IMMEDIATE`` is refused) and its write-ahead log growing (the commit being written); PostgreSQL's table lock held by
another backend and the table's file growing (uncommitted rows are written to the heap)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from silian.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
PAUSED = "paused-inside-the-transaction"


def cli_url(db: Database) -> str:
    """A URL a separate process opens the same hub with (PostgreSQL: the test's schema as its search path)."""
    if db.dialect == "sqlite":
        return db.url
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    return f"{db.url}{'&' if '?' in db.url else '?'}options=-csearch_path%3D{schema}"


def process_env(data_dir: Path) -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "SILIAN_DATA_DIR": str(data_dir), "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    env.pop("SILIAN_DATABASE_URL", None)
    return env


@dataclass(frozen=True)
class Attempt:
    """How one run ended: killed mid-write (``killed``) or finished first; what the probe saw."""

    point: str
    killed: bool
    returncode: int


def run_and_kill(args: list[str], env: dict[str, str], point: str, started: Callable[[], bool],
                 timeout: float = 180.0) -> Attempt:
    """Start ``args``; as soon as ``started()`` (polled every few milliseconds) says the write has begun, SIGKILL
    the process. A process that finishes before that is let be (``killed`` is False)."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if started():
                process.send_signal(signal.SIGKILL)
                process.wait(30)
                return Attempt(point, process.returncode == -signal.SIGKILL, process.returncode)
            time.sleep(0.003)
        assert process.poll() is not None, f"{point}: no evidence of a write within {timeout} s"
        return Attempt(point, False, process.returncode)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        if process.stderr is not None:
            process.stderr.close()


def run_until_paused(args: list[str], env: dict[str, str], timeout: float = 180.0) -> Attempt:
    """Start a writer that prints :data:`PAUSED` inside its transaction; SIGKILL it there."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the marker (or the end of the output)
        assert line.strip() == PAUSED, (line, process.stderr.read() if process.stderr else "")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout)
        return Attempt(args[-1], process.returncode == -signal.SIGKILL, process.returncode)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


# ---------------------------------------------------------------- probes
def sqlite_write_locked(path: Path) -> bool:
    """Whether another connection holds SQLite's write lock (a write transaction has written)."""
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc) or "busy" in str(exc)
        probe.execute("ROLLBACK")
        return False


def sqlite_wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def sqlite_checkpoint(path: Path) -> None:
    """Empty the write-ahead log into the database (so its growth shows the next writer's commit)."""
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def postgres_lock_holders(db: Database, table: str) -> int:
    """Backends other than the probe's that hold a lock on ``table`` of the hub's schema."""
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = :t AND c.relnamespace = CAST(current_schema() AS regnamespace) "
            "AND l.granted AND l.pid <> pg_backend_pid()"), {"t": table}).scalar_one())


def postgres_table_bytes(db: Database, table: str) -> int:
    """The size of ``table``'s heap file (uncommitted rows included)."""
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_relation_size(CAST(:t AS regclass))"), {"t": table}).scalar_one())


def wait_for_no_locks(db: Database, table: str, timeout: float = 60.0) -> None:
    """After a killed client, its server backend ends (rolling back) when it notices: wait for that."""
    deadline = time.monotonic() + timeout
    while postgres_lock_holders(db, table) and time.monotonic() < deadline:
        time.sleep(0.05)


# ---------------------------------------------------------------- the scenario-save writer
PLANT = {"county": "410122", "from_year": 2024, "occupations": [{"code": "6-18-01-07", "workers": 300}],
         "label": "数控机床厂"}


def _pause() -> None:
    print(PAUSED, flush=True)
    time.sleep(3600)


def save_with_pause(db: Database, pause: str) -> None:
    """Save the scenario 崩溃测试 (replacing one of that name; ``pause`` goes into its label); with ``pause`` ``audit``,
    stop for good right after the save's last write (the scenario updated, its audit entry written), before the
    commit — run so in a process of its own, which the test kills there."""
    from silian.services.scenarios import save_scenario
    from silian.services.scenarios import store as service

    if pause == "audit":
        write_audit = service.write_audit

        def audit_then_pause(*args, **kwargs):  # type: ignore[no-untyped-def]
            write_audit(*args, **kwargs)
            _pause()

        service.write_audit = audit_then_pause  # type: ignore[assignment]
    save_scenario(db, None, name="崩溃测试", kind="plant", spec={**PLANT, "label": f"数控机床厂 {pause}"}, replace=True)
    print("saved", flush=True)


if __name__ == "__main__":
    save_with_pause(Database(sys.argv[1]), sys.argv[2])
