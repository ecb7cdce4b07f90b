"""Titles confirmed by a reviewer: the review sheet is checked as a whole (a bad row rejects the file and keeps
what was stored), merged into the hub database (table confirmed_titles, on SQLite and PostgreSQL), and applied
before the model by `classify_titles` and the postings pipeline, so confirmed titles leave the review queue and
are counted."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.domain.errors import ImportRejected, InvalidInput
from silian.ingest.postings.places import PlaceResolver
from silian.services.postings.classifier import code_names
from silian.services.postings.confirmed_titles import (
    apply_to_labels,
    confirmed_table,
    load_confirmed,
    read_reviewed,
    review_sheet,
    save_confirmed,
)
from silian.services.postings.local import run_local
from silian.storage.database import Database
from silian.storage.postings_schema import confirmed_titles
from tests.unit.postings.test_pipeline import SMALL, rule_classifier, write


def sheet(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "review.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def stored_rows(db: Database) -> list[tuple]:  # type: ignore[type-arg]
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(confirmed_titles).order_by(confirmed_titles.c.title_key))]


def test_a_filled_sheet_is_read_padded_and_merged(tmp_path: Path, db: Database) -> None:
    names = code_names()
    first = read_reviewed(sheet(tmp_path, "岗位名称,确认职业代码\n前台,4-01-02\n储备干部,\nJava开发,2-02-10-03\n", "gbk"), names)
    assert [(c.title, c.code) for c in first.confirmations] == [("前台", "4-01-02-00"), ("Java开发", "2-02-10-03")]
    assert first.undecided == 1
    counts = save_confirmed(db, first, source="review.csv")
    assert (counts.added, counts.changed, counts.unchanged, counts.total) == (2, 0, 0, 2)
    assert load_confirmed(db) == {"前台": "4-01-02-00", "java开发": "2-02-10-03"}
    # the review queue's own layout; a title confirmed again takes the new code; matching ignores case and spaces
    again = read_reviewed(sheet(tmp_path, "title,postings,occupation_code,confidence,confirmed_code\n"
                                          " JAVA开发 ,3,2-02-10-03,0.4,2-02-10-03\n前台,5,x,0.3,3-01-01-00\n"), names)
    counts = save_confirmed(db, again, source="review2.csv")
    assert (counts.added, counts.changed, counts.unchanged, counts.total) == (0, 1, 1, 2)
    assert load_confirmed(db) == {"前台": "3-01-01-00", "java开发": "2-02-10-03"}
    table = confirmed_table(db, names)
    assert dict(zip(table["title"], table["occupation_name"], strict=True)) == {
        "前台": names["3-01-01-00"], "JAVA开发": "计算机软件工程技术人员"}


def test_one_bad_row_rejects_the_sheet_and_keeps_what_was_stored(tmp_path: Path, db: Database) -> None:
    names = code_names()
    save_confirmed(db, read_reviewed(sheet(tmp_path, "title,confirmed_code\n前台,4-01-02-00\n"), names), source="ok")
    before = stored_rows(db)
    bad = sheet(tmp_path, "title,confirmed_code\n会计,9-99-99\n,2-02-10-03\n电工,6-31-01-03\n电工 ,6-31-01-04\n出纳,\n",
                "gbk", "bad.csv")
    with pytest.raises(ImportRejected) as caught:
        read_reviewed(bad, names)
    problems = [(p.file, p.row, p.column, p.value) for p in caught.value.problems]
    assert problems == [("bad.csv", 2, "confirmed_code", "9-99-99"), ("bad.csv", 3, "title", ""),
                        ("bad.csv", 5, "confirmed_code", "6-31-01-04")]
    assert all(p.fix for p in caught.value.problems) and "6-31-01-03" in caught.value.problems[2].message
    assert stored_rows(db) == before and len(before) == 1
    with pytest.raises(InvalidInput, match="confirmed_code"):
        read_reviewed(sheet(tmp_path, "title,code\n前台,4-01-02-00\n", name="wrong.csv"), names)


def test_dry_run_saves_nothing(tmp_path: Path, db: Database) -> None:
    reviewed = read_reviewed(sheet(tmp_path, "title,confirmed_code\n前台,4-01-02-00\n"), code_names())
    counts = save_confirmed(db, reviewed, source="x", dry_run=True)
    assert (counts.added, counts.total) == (1, 1) and load_confirmed(db) == {} and stored_rows(db) == []
    save_confirmed(db, reviewed, source="x")
    again = read_reviewed(sheet(tmp_path, "title,confirmed_code\n前台,3-01-01-00\n会计,2-06-03-00\n"), code_names())
    counts = save_confirmed(db, again, source="y", dry_run=True)
    assert (counts.added, counts.changed, counts.total) == (1, 1, 2) and load_confirmed(db) == {"前台": "4-01-02-00"}


def test_without_a_database_nothing_is_confirmed_and_nothing_is_created(tmp_path: Path) -> None:
    """`silian classify` needs no database: one that does not exist yet or is not migrated reads as no confirmations
    (and is not created); a dry run counts against nothing."""
    missing = Database(f"sqlite:///{tmp_path / 'none' / 'silian.db'}")
    assert load_confirmed(missing, code_names()) == {} and confirmed_table(missing, code_names()).height == 0
    reviewed = read_reviewed(sheet(tmp_path, "title,confirmed_code\n前台,4-01-02-00\n"), code_names())
    assert save_confirmed(missing, reviewed, source="x", dry_run=True).added == 1
    assert not (tmp_path / "none" / "silian.db").exists()
    bare = Database(f"sqlite:///{tmp_path / 'bare.db'}")
    bare.upgrade("0003")
    assert load_confirmed(bare) == {}
    bare.dispose()


def test_confirmed_titles_override_the_model_only_where_confirmed() -> None:
    labels = pl.DataFrame({"title": ["前台", "会计", None], "occupation_code": ["4-03-01-01", "2-06-03-00", None],
                           "occupation_name": ["a", "b", None], "confidence": pl.Series([0.3, 0.8, 0.0], dtype=pl.Float32),
                           "needs_review": [True, False, True]})
    out = apply_to_labels(labels, {"前台": "3-01-01-00"}, code_names())
    assert out.schema == labels.schema
    assert out.row(0) == ("前台", "3-01-01-00", code_names()["3-01-01-00"], 1.0, False)
    assert out.slice(1).equals(labels.slice(1))


def test_the_pipeline_counts_confirmed_titles(tmp_path: Path) -> None:
    resolver = PlaceResolver(get_catalog().cities.rows(), [("410105", "金水区", "410100")])
    path = write(tmp_path, SMALL)
    before = run_local(path, classifier=rule_classifier, places=resolver)
    assert before.review_queue["title"].to_list() == ["前台"] and before.review_postings == 1
    after = run_local(path, classifier=rule_classifier, places=resolver, confirmed={"前台": "4-07-03-01"})
    assert after.review_postings == 0 and after.classified == before.classified + 1
    front = after.aggregates.filter(pl.col("occupation_code") == "4-07-03-01")
    assert front["postings"].sum() == 1 and front["region_code"].to_list() == ["410100"]
    sheet_frame = review_sheet(before.review_queue)
    assert sheet_frame.columns[-1] == "confirmed_code" and sheet_frame["confirmed_code"].null_count() == 1
    assert review_sheet(pl.DataFrame()).columns == ["title", "postings", "occupation_code", "occupation_name",
                                                   "confidence", "confirmed_code"]


def test_the_model_learns_from_confirmed_titles() -> None:
    """A confirmed title also moves its variants: the model is retrained with the confirmations (the packaged
    label of 直播助理 is 助产士, a string match; a reviewer's 互联网营销师 replaces it)."""
    from silian.services.postings.classifier import classifier_for, classify_titles, default_classifier
    variants = ["直播助理（包住）", "直播助理/场控"]
    before = classify_titles(variants)["occupation_code"].to_list()
    after = classify_titles(variants, confirmed={"直播助理": "4-01-06-02"})
    assert before == ["2-05-08-06", "2-05-08-06"]
    assert after["occupation_code"].to_list() == ["4-01-06-02", "4-01-06-02"] and (after["confidence"] < 1).all()
    assert classifier_for({}) is default_classifier()
    assert classifier_for({"直播助理": "4-01-06-02"}) is classifier_for({"直播助理": "4-01-06-02"})  # trained once


def test_a_hand_edited_store_with_an_unknown_code_is_named(tmp_path: Path, db: Database) -> None:
    save_confirmed(db, read_reviewed(sheet(tmp_path, "title,confirmed_code\n前台,4-01-02-00\n"), code_names()), source="x")
    with db.begin() as conn:
        conn.execute(sa.update(confirmed_titles).values(occupation_code="4-01-02-99"))
    assert load_confirmed(db) == {"前台": "4-01-02-99"}
    with pytest.raises(InvalidInput, match="4-01-02-99"):
        load_confirmed(db, code_names())


def test_the_model_process_of_large_files_gets_the_confirmations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files are classified by the default model in a child process (services.postings._ModelProcess);
    it is trained with the confirmed titles too."""
    from silian.services.postings import local as postings
    started: list[dict[str, str]] = []

    class Recorded(postings._ModelProcess):
        def __init__(self, confirmed=None):  # type: ignore[no-untyped-def]
            started.append(dict(confirmed or {}))
            super().__init__(confirmed)

    monkeypatch.setattr(postings, "PROCESS_WORKER_BYTES", 0)
    monkeypatch.setattr(postings, "_ModelProcess", Recorded)
    confirmed = {"前台": "4-07-03-01", "直播助理": "4-01-06-02"}
    resolver = PlaceResolver(get_catalog().cities.rows(), [("410105", "金水区", "410100")])
    path = write(tmp_path, SMALL + "直播助理（包住）,5000-7000元/月,郑州,不限,不限,戊公司,2024-04-03\n")
    result = run_local(path, places=resolver, confirmed=confirmed, records=tmp_path / "records")
    assert started == [confirmed]
    titles = pl.read_parquet(tmp_path / "records" / "titles.parquet")
    codes = dict(zip(titles["title"], titles["occupation_code"], strict=True))
    assert codes["前台"] == "4-07-03-01" and codes["直播助理（包住）"] == "4-01-06-02"
    assert "前台" not in (result.review_queue["title"].to_list() if result.review_queue.width else [])


def _confirm_one(url: str, connect_args: dict, title: str) -> None:  # type: ignore[type-arg]
    from silian.services.postings.confirmed_titles import Confirmation, ReviewedFile, save_confirmed
    from silian.storage.database import Database
    db = Database(url, connect_args=connect_args)
    try:  # a title of its own, and one every save shares (an upsert of the same row at the same moment)
        save_confirmed(db, ReviewedFile([Confirmation(title, "4-01-02-00"), Confirmation("共同岗位", "4-01-02-00")], 0),
                       source=title)
    finally:
        db.dispose()


def test_simultaneous_confirmations_are_all_kept(db: Database) -> None:
    """Two admins saving at once (threads of one server, or `silian serve --workers N` processes) lose nothing:
    each save is one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: INSERT … ON CONFLICT)."""
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor
    target = (db.url, db._connect_args)
    titles = [f"岗位{i}" for i in range(120)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda x: _confirm_one(*target, x), titles[:60]))
    # two processes are enough for two at once across processes; each spawned one imports the platform (~3 s CPU)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.starmap(_confirm_one, [(*target, x) for x in titles[60:]])
    assert sorted(load_confirmed(db)) == sorted([*titles, "共同岗位"])


def test_a_sheet_saved_by_excel_is_read_and_a_code_turned_into_a_date_is_named(tmp_path: Path) -> None:
    """Reviewers fill the queue in Excel: an .xlsx with any sheet name is read; a three-part code typed into a General
    cell becomes a date (4-01-02 → 2002-04-01), and the message says so and how to avoid it."""
    import datetime

    import openpyxl
    book = openpyxl.Workbook()
    sheet_ = book.active
    sheet_.title = "review_queue"
    sheet_.append(["title", "postings", "confirmed_code"])
    sheet_.append(["前台", 5, "4-07-03-01"])
    sheet_.append(["储备干部", 3, None])
    book.save(tmp_path / "ok.xlsx")
    reviewed = read_reviewed(tmp_path / "ok.xlsx", code_names())
    assert [(c.title, c.code) for c in reviewed.confirmations] == [("前台", "4-07-03-01")] and reviewed.undecided == 1
    sheet_.append(["店长", 2, datetime.datetime(2002, 4, 1)])
    book.save(tmp_path / "dated.xlsx")
    with pytest.raises(ImportRejected) as caught:
        read_reviewed(tmp_path / "dated.xlsx", code_names())
    [problem] = caught.value.problems
    assert problem.row == 4 and problem.column == "confirmed_code" and "日期" in problem.message
    assert "4-01-02-00" in problem.fix
    gbk = sheet(tmp_path, "title,confirmed_code\n店长,2002/4/1\n", "gbk", "dated.csv")
    with pytest.raises(ImportRejected, match="1 个问题") as caught:
        read_reviewed(gbk, code_names())
    assert "日期" in caught.value.problems[0].message
