"""Import benchmark: a 1,000,000-row demand CSV into SQLite and PostgreSQL, validation included, each
against a floor measured in the same run.

    python benchmarks/bench_import.py [--rows 1000000] [--repeat 1] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

SQLite line: rows per second and ``ratio to floor``, the floor being DuckDB just reading the same file
(best of three). The line before it gives SQLite's own share, which no import can go below: the same rows
inserted by ``INSERT … SELECT`` from a TEMP table into the same indexed table, committed. PostgreSQL line:
``ratio to COPY``, the floor being a bare COPY of the same file's rows (the server parsing the CSV itself)
into the same indexed table (unique natural key, foreign key), freshly migrated in a schema of its own,
committed. Both imports include reading, validation and the commit.

Every SQLite figure is given twice: wall seconds, and in brackets the process's CPU seconds (all its threads,
DuckDB's included), which a shared machine disturbs far less than wall time. A last line splits one more SQLite
import into its phases (read / validate / write / commit, wall and CPU), run through the same functions
``import_file`` calls.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Self

import duckdb
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.ingest.readers import read_table_file
from silian.ingest.validate import validate_table
from silian.services.imports import build_references, import_file, import_transaction, table_spec
from silian.settings import Settings
from silian.storage import repository
from silian.storage.database import Database, schema_database

REGIONS = ["410100", "410102", "410103", "410104", "410105", "410106", "410108", "410122",
           "410181", "410182", "410183", "410184", "410185"]
SKILLS = ["不限", "初级工", "中级工", "高级工", "技师", "高级技师"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Unique (region, period, occupation, skill) keys, written in the user's header language."""
    rng = random.Random(seed)
    occupations = [c for c in get_catalog().occupations.filter(level=4)["code"]]
    periods = [f"{y}-{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("来源,区划代码,时期,职业代码,技能等级,需求人数\n")
        n = 0
        for period in periods:
            for region in REGIONS:
                for occupation in occupations:
                    if n >= rows:
                        return
                    fh.write(f"statistics,{region},{period},{occupation},{SKILLS[n % 6]},{rng.randint(1, 500)}\n")
                    n += 1


class Clock:
    """Wall and CPU seconds (the process's, all threads) of a ``with`` block."""

    def start(self) -> Self:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def stop(self) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def duckdb_floor(path: Path) -> Clock:
    with Clock() as clock:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # under load the read outlasts the bar's 2 s delay
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] > 0
        con.close()
    return clock


def seed_regions(db: Database, folder: Path) -> None:
    regions = folder / "regions.csv"
    regions.write_text("区划代码,名称,层级\n" + "".join(f"{c},区{c},县\n" for c in REGIONS), encoding="utf-8")
    import_file(db, "regions", regions, Settings())


def sqlite_engine_floor(path: Path, folder: Path) -> Clock:
    """SQLite's own work for the same rows: INSERT … SELECT from a TEMP table (filled beforehand, in key order)
    into an empty, freshly migrated demand table (same unique key and foreign key), committed. No parsing, no
    validation, no values crossing from Python: what is left when everything else costs nothing."""
    db = Database(f"sqlite:///{folder / f'engine_{uuid.uuid4().hex[:8]}.db'}")
    db.upgrade()
    seed_regions(db, folder)
    columns = "source, region_code, period, occupation_code, skill_level, count"
    with path.open(encoding="utf-8") as fh:
        next(fh)
        rows = sorted(tuple(line.rstrip("\n").split(",")) for line in fh)
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute(f"CREATE TEMP TABLE stage ({columns})")
        raw.executemany("INSERT INTO stage VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER))", rows)
        raw.commit()
        with Clock() as clock:
            raw.execute(f"INSERT INTO demand ({columns}) SELECT {columns} FROM stage")
            raw.commit()
    db.dispose()
    return clock


def copy_floor(url: str, path: Path, folder: Path) -> float:
    """A bare COPY of the file's rows into an empty, freshly migrated demand table (same indexes and keys)."""
    with schema_database(url, prefix="bench") as db:
        db.upgrade()
        seed_regions(db, folder)
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            start = time.perf_counter()
            with raw.cursor() as cursor, cursor.copy(
                "COPY demand (source, region_code, period, occupation_code, skill_level, count) "
                "FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy, path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            raw.commit()
            return time.perf_counter() - start


def timed_import(db: Database, path: Path, folder: Path) -> tuple[Clock, Clock]:
    db.upgrade()
    seed_regions(db, folder)
    with Clock() as first:
        outcome = import_file(db, "demand", path, Settings())
    with Clock() as second:
        again = import_file(db, "demand", path, Settings())  # idempotent re-import: every row unchanged
    assert outcome.inserted == again.unchanged
    return first, second


def import_phases(db: Database, path: Path, folder: Path) -> dict[str, Clock]:
    """One import into an empty table, phase by phase, through the functions ``import_file`` calls."""
    db.upgrade()
    seed_regions(db, folder)
    spec, settings, clocks = table_spec("demand"), Settings(), {}
    with Clock() as clocks["read"]:
        raw = read_table_file(path, max_bytes=settings.import_max_bytes)
    with import_transaction(db, dry_run=False) as conn:
        with Clock() as clocks["validate"]:
            result = validate_table(raw, spec, build_references(conn), file=path.name, max_errors=settings.import_max_errors)
        with Clock() as clocks["write"]:
            repository.upsert_frame(conn, spec, result.frame, only=result.present)
        clocks["commit"] = Clock().start()
    clocks["commit"].stop()
    return clocks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="measure everything this many times")
    parser.add_argument("--pg", default=os.environ.get("SILIAN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "demand.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size_mb:.1f} MB")
        for _ in range(args.repeat):
            run_once(args, path, folder)


def run_once(args: argparse.Namespace, path: Path, folder: Path) -> None:
    floor = min((duckdb_floor(path) for _ in range(3)), key=lambda clock: clock.wall)
    print(f"duckdb read (floor): {floor.wall:.2f} s ({floor.cpu:.2f} cpu)  {args.rows / floor.wall:,.0f} rows/s")
    db = Database(f"sqlite:///{folder / f'bench_{uuid.uuid4().hex[:8]}.db'}")
    first, again = timed_import(db, path, folder)
    db.dispose()
    engine = sqlite_engine_floor(path, folder)
    print(f"{'sqlite':10s} INSERT…SELECT (engine alone): {engine.wall:6.2f} s ({engine.cpu:5.2f} cpu)  "
          f"ratio to floor {engine.wall / floor.wall:5.1f}x ({engine.cpu / floor.cpu:4.1f}x cpu)")
    print(f"{'sqlite':10s} import: {first.wall:6.2f} s ({first.cpu:5.2f} cpu)  {args.rows / first.wall:10,.0f} rows/s  "
          f"ratio to floor {first.wall / floor.wall:5.1f}x ({first.cpu / floor.cpu:4.1f}x cpu)"
          f"  | re-import (all unchanged): {again.wall:6.2f} s ({again.cpu:5.2f} cpu)  ratio {again.wall / floor.wall:5.1f}x",
          flush=True)
    db = Database(f"sqlite:///{folder / f'phases_{uuid.uuid4().hex[:8]}.db'}")
    phases = import_phases(db, path, folder)
    db.dispose()
    print(f"{'sqlite':10s} phases: " + "  ".join(f"{name} {clock.wall:.2f} s ({clock.cpu:.2f} cpu)" for name, clock in phases.items()),
          flush=True)
    try:
        copy = copy_floor(args.pg, path, folder)
        with schema_database(args.pg, prefix="bench") as pg:
            first, again = timed_import(pg, path, folder)
    except sa.exc.OperationalError as exc:
        print(f"postgresql: skipped ({str(exc.orig).strip()})", file=sys.stderr)
        return
    print(f"{'postgresql':10s} COPY (floor): {copy:6.2f} s  {args.rows / copy:10,.0f} rows/s")
    print(
        f"{'postgresql':10s} import: {first.wall:6.2f} s  {args.rows / first.wall:10,.0f} rows/s  ratio to COPY {first.wall / copy:5.2f}x"
        f"  ratio to floor {first.wall / floor.wall:5.1f}x  | re-import (all unchanged): "
        f"{again.wall:6.2f} s  ratio to COPY {again.wall / copy:5.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
