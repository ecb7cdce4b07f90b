"""The postings state in the hub database, on SQLite and PostgreSQL: revision 0004 up and down, the one-time import
of the files older versions kept in the data folder (renamed afterwards, never taken twice, never overriding a
newer confirmation), and replacements that fail leaving the tables as they were."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from silian.domain.errors import ImportRejected
from silian.services.imports import ensure_schema
from silian.services.postings.classifier import code_names
from silian.services.postings.confirmed_titles import (
    Confirmation,
    ReviewedFile,
    check_rows,
    confirmed_table,
    load_confirmed,
    pending_review,
    save_confirmed,
    save_review_queue,
)
from silian.services.postings.local import read_salary_summary
from silian.services.postings.state import import_state_files, old_state_files
from silian.storage.database import Database
from silian.storage.postings import REVIEW_QUEUE, Snapshot, replace_snapshot
from tests.support.cli import silian

STATE_TABLES = {"confirmed_titles", "posting_review_queue", "posting_salary_summary", "posting_snapshots"}
QUEUE = pl.DataFrame({"title": ["储备干部", "直播助理"], "postings": pl.Series([5, 3], dtype=pl.UInt32),
                      "occupation_code": ["5-04-01-02", "2-05-08-06"], "occupation_name": ["水生植物苗种培育工", "助产士"],
                      "confidence": [0.30, 0.45], "occupation_code_2": ["1-06-01-02", "4-01-06-02"],
                      "occupation_name_2": ["企业经理", "互联网营销师"], "confidence_2": [0.2, 0.31],
                      "occupation_code_3": [None, None], "occupation_name_3": [None, None],
                      "confidence_3": pl.Series([None, None], dtype=pl.Float64)})
SALARIES = pl.DataFrame({"dimension": ["all", "occupation", "region"], "key": ["", "6-18-01-01", "410105"],
                         "postings": pl.Series([10, 4, 6], dtype=pl.UInt32), "salary_n": pl.Series([9, 4, 5], dtype=pl.UInt32),
                         "salary_p25": [5000.0, 6000.0, None], "salary_p50": [6500.0, 7000.0, 6000.0],
                         "salary_p75": [8000.0, 8500.0, 7000.0]})


def write_old_files(folder: Path) -> None:
    """The three files a version before revision 0004 left in its data folder, as it wrote them."""
    (folder / "classify").mkdir(parents=True, exist_ok=True)
    (folder / "postings").mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"title_key": ["java开发", "前台"], "title": ["Java开发", "前台"], "occupation_code": ["2-02-10-03", "4-01-02-00"],
                  "confirmed_at": ["2026-11-01T08:00:00+00:00", "2026-11-02T09:30:00+00:00"],
                  "source": ["review.csv", "web:admin"]}).write_csv(folder / "classify" / "confirmed_titles.csv", include_bom=True)
    (folder / "classify" / ".confirmed_titles.lock").touch()
    QUEUE.drop("occupation_code_3", "occupation_name_3", "confidence_3").write_parquet(
        folder / "postings" / "review_queue.parquet", metadata={"source": "招聘.csv", "saved_at": "2026-11-03 10:00"})
    SALARIES.write_parquet(folder / "postings" / "salary_summary.parquet",
                           metadata={"source": "招聘.csv", "engine": "local", "postings": "10", "saved_at": "2026-11-03 10:00"})


def _tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_revision_0004_adds_the_state_tables_and_takes_them_away(empty_db: Database) -> None:
    if empty_db.current_revision() is None:  # to 0003, from an empty database or from whatever the head is now
        empty_db.upgrade("0003")
    else:
        empty_db.downgrade("0003")
    assert not STATE_TABLES & _tables(empty_db)
    empty_db.upgrade("0004")
    assert STATE_TABLES <= _tables(empty_db) and empty_db.current_revision() == "0004"
    save_confirmed(empty_db, ReviewedFile([Confirmation("前台", "4-01-02-00")], 0), source="x")
    empty_db.downgrade("0003")
    assert not STATE_TABLES & _tables(empty_db) and {"users", "scenarios", "demand"} <= _tables(empty_db)
    assert load_confirmed(empty_db) == {}  # an older schema reads as nothing confirmed
    empty_db.upgrade()
    assert load_confirmed(empty_db) == {}


def test_old_files_are_imported_once_on_upgrade(empty_db: Database, tmp_path: Path) -> None:
    empty_db.upgrade("0003")
    write_old_files(tmp_path)
    ensure_schema(empty_db, tmp_path)
    assert empty_db.is_current() and old_state_files(tmp_path) == []
    assert {p.name for p in (tmp_path / "classify").iterdir()} == {"confirmed_titles.csv.imported"}  # the lock file is gone
    assert {p.name for p in (tmp_path / "postings").iterdir()} == {"review_queue.parquet.imported",
                                                                    "salary_summary.parquet.imported"}
    assert load_confirmed(empty_db, code_names()) == {"java开发": "2-02-10-03", "前台": "4-01-02-00"}
    table = confirmed_table(empty_db, code_names())
    assert table.select("title", "confirmed_at", "source").rows() == [
        ("前台", "2026-11-02T09:30:00+00:00", "web:admin"), ("Java开发", "2026-11-01T08:00:00+00:00", "review.csv")]
    queue, meta = pending_review(empty_db, {"java开发": "2-02-10-03"})
    assert queue.equals(QUEUE.drop("occupation_code_3", "occupation_name_3", "confidence_3").cast({"postings": pl.Int64}))
    assert meta == {"source": "招聘.csv", "saved_at": _local("2026-11-03 10:00", utc=True)}
    salaries, salary_meta = read_salary_summary(empty_db) or (None, {})
    assert salaries is not None and salaries.equals(SALARIES)
    assert salary_meta == {"source": "招聘.csv", "engine": "local", "postings": "10", "saved_at": "2026-11-03 10:00"}
    # a confirmation made since is never undone by the same files coming back (a restored backup, say)
    save_confirmed(empty_db, check_rows([(2, "前台", "3-01-01-00")], code_names(), file="web"), source="web:admin")
    save_review_queue(empty_db, QUEUE.head(1), source="新的.csv")
    write_old_files(tmp_path)
    assert import_state_files(empty_db, tmp_path) == {"confirmed": 0, "review_queue": 0, "salary_summary": 0}
    assert load_confirmed(empty_db)["前台"] == "3-01-01-00"
    assert pending_review(empty_db, {})[1]["source"] == "新的.csv" and old_state_files(tmp_path) == []
    assert import_state_files(empty_db, tmp_path) == {}  # nothing waits any more


def _local(text: str, *, utc: bool) -> str:
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return (moment.replace(tzinfo=UTC) if utc else moment).astimezone().strftime("%Y-%m-%d %H:%M")


def test_files_wait_until_the_tables_exist_and_an_unreadable_snapshot_is_set_aside(tmp_path: Path) -> None:
    write_old_files(tmp_path)
    (tmp_path / "postings" / "review_queue.parquet").write_bytes(b"not parquet")
    db = Database(f"sqlite:///{tmp_path / 'silian.db'}")
    db.upgrade("0003")
    assert import_state_files(db, tmp_path) == {}  # not migrated: the files stay
    assert len(old_state_files(tmp_path)) == 3
    ensure_schema(db, tmp_path)
    assert (tmp_path / "postings" / "review_queue.parquet.unreadable").exists()
    assert len(load_confirmed(db)) == 2 and read_salary_summary(db) is not None and pending_review(db, {})[1] == {}
    db.dispose()


def test_a_failed_save_leaves_the_tables_as_they_were(db: Database) -> None:
    names = code_names()
    save_confirmed(db, check_rows([(2, "前台", "4-01-02-00")], names, file="a"), source="a")
    save_review_queue(db, QUEUE, source="a.csv")
    before = (confirmed_table(db, names), pending_review(db, {}))
    with pytest.raises(ImportRejected):
        save_confirmed(db, check_rows([(2, "会计", "2-06-03-00"), (3, "电工", "9-99-99")], names, file="b"), source="b")
    broken = QUEUE.with_columns(pl.Series("postings", [1, None], dtype=pl.Int64))  # NOT NULL fails on the second row
    with pytest.raises(sa.exc.IntegrityError):
        replace_snapshot(db, REVIEW_QUEUE, Snapshot(broken, "b.csv", _now()))
    after = (confirmed_table(db, names), pending_review(db, {}))
    assert after[0].equals(before[0]) and after[1][0].equals(before[1][0]) and after[1][1] == before[1][1]


def _now() -> datetime:
    return datetime.now(UTC)


def test_classify_without_a_database_and_the_cli_import_of_old_files(tmp_path: Path) -> None:
    """`silian classify` with no database: no confirmations, and no database is created. With the files of an older
    version waiting, the first command takes them in (here `silian classify`, which then applies them); `silian db
    upgrade` says what it imported."""
    titles = tmp_path / "titles.csv"
    titles.write_text("job_name\n前台\n", encoding="utf-8")
    fresh = tmp_path / "fresh"
    silian("classify", str(titles), "-o", str(tmp_path / "a.csv"), data_dir=fresh)
    assert not (fresh / "silian.db").exists()
    old = tmp_path / "old"
    write_old_files(old)
    silian("classify", str(titles), "-o", str(tmp_path / "b.csv"), data_dir=old)
    assert pl.read_csv(tmp_path / "b.csv", infer_schema=False)["occupation_code"][0] == "4-01-02-00"
    assert old_state_files(old) == [] and (old / "silian.db").exists()
    listed = json.loads(silian("postings", "confirmed", "--json", data_dir=old).stdout)
    assert {x["title"] for x in listed} == {"前台", "Java开发"}
    again = tmp_path / "again"
    write_old_files(again)
    silian("db", "upgrade", "--revision", "0003", data_dir=again)
    assert len(old_state_files(again)) == 3  # no tables yet: the files wait
    upgraded = silian("db", "upgrade", data_dir=again)
    assert "确认的岗位名称 2 个" in upgraded.stdout and old_state_files(again) == []
    assert "确认的岗位名称" not in silian("db", "upgrade", data_dir=again).stdout


def test_simultaneous_loads_replace_the_queue_whole(db: Database) -> None:
    """Two `--load` runs at the same moment: each replacement is one transaction (the snapshot row is written
    first and locks out the other), so neither fails and the queue left is one load's, with that load's source."""
    from concurrent.futures import ThreadPoolExecutor

    def load(n: int) -> None:
        queue = QUEUE.with_columns(pl.lit(f"岗位{n}").alias("title")).head(1 + n % 2)
        save_review_queue(db, queue, source=f"{n}.csv")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(load, range(24)))
    queue, meta = pending_review(db, {})
    n = int(meta["source"].removesuffix(".csv"))
    assert queue["title"].to_list() == [f"岗位{n}"] * (1 + n % 2)
