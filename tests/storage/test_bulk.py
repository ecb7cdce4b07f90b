"""The bulk write path (storage.bulk) on every backend: exact counts, change detection, atomicity."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
import pytest
import sqlalchemy as sa

from silian.domain.errors import ImportRejected
from silian.domain.tables import HUB_TABLES
from silian.services.imports import import_file, load_frame
from silian.settings import Settings
from silian.storage import bulk, repository
from silian.storage.database import Database

SETTINGS = Settings()
REGIONS = ["410100", "410102", "410105", "410122"]
SKILLS = ["不限", "初级工", "中级工", "高级工", "技师", "高级技师"]
HEADER = "来源,区划代码,时期,职业代码,专业代码,技能等级,需求人数\n"


@pytest.fixture
def hub(db: Database, tmp_path: Path) -> Database:
    regions = tmp_path / "regions.csv"
    regions.write_text("区划代码,名称,层级\n" + "".join(f"{c},区{c},县\n" for c in REGIONS), encoding="utf-8")
    import_file(db, "regions", regions, SETTINGS)
    return db


def demand_rows(n: int, *, count: int = 7, skip: int = 0) -> list[str]:
    """``n`` distinct demand rows (some by occupation, some by major: optional key parts left empty)."""
    rows = []
    for i in range(skip, skip + n):
        region, period, skill = REGIONS[i % 4], f"{2000 + i // 12}-{i % 12 + 1:02d}", SKILLS[(i // 4) % 6]
        code = "6-18-01-07,," if i % 2 else ",660103,"
        rows.append(f"statistics,{region},{period},{code}{skill},{count + i % 3}\n")
    return rows


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def stored(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in repository.read_table(conn, "demand").iter_rows()]


def test_mixed_file_counts_new_changed_and_unchanged_rows(hub: Database, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "SQLITE_MAX_PARAMS", 40)  # SQLite: many small multi-row statements and a remainder
    first = import_file(hub, "demand", write(tmp_path / "a.csv", demand_rows(500)), SETTINGS)
    assert (first.rows, first.inserted, first.updated, first.unchanged) == (500, 500, 0, 0)
    rows = demand_rows(500)
    changed = {3, 77, 78, 250, 499}
    for i in changed:
        rows[i] = rows[i].rsplit(",", 1)[0] + ",999\n"
    mixed = rows[::-1] + demand_rows(123, skip=500)  # file order does not matter
    outcome = import_file(hub, "demand", write(tmp_path / "b.csv", mixed), SETTINGS)
    assert (outcome.rows, outcome.inserted, outcome.updated, outcome.unchanged) == (623, 123, len(changed), 500 - len(changed))
    table = stored(hub)
    assert len(table) == 623
    assert sum(1 for r in table if r[7] == 999) == len(changed)
    again = import_file(hub, "demand", write(tmp_path / "c.csv", mixed), SETTINGS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 623)
    with hub.engine.connect() as conn:
        log = conn.execute(sa.text("SELECT rows, inserted, updated FROM import_log ORDER BY id")).all()
    assert [tuple(r) for r in log][-3:] == [(500, 500, 0), (623, 123, 5), (623, 0, 0)]


def test_nulls_and_the_generated_flag_count_as_changes(hub: Database) -> None:
    """A value set to empty, empty set to a value, and only is_generated flipped are updates; null = null is not."""
    economy = pl.DataFrame({"region_code": ["410100", "410102", "410105"], "year": [2022, 2022, 2022],
                            "gdp": [12934.7, 0.1 + 0.2, None], "primary_va": [185.6, None, 1e-7]})
    with hub.begin() as conn:
        assert load_frame(conn, "regional_economy", economy, generated=False, label="t").inserted == 3
    with hub.begin() as conn:  # the same values again (floats exactly, nulls as nulls): nothing to write
        same = load_frame(conn, "regional_economy", economy, generated=False, label="t")
    assert (same.inserted, same.updated, same.unchanged) == (0, 0, 3)
    edited = economy.with_columns(pl.Series("gdp", [12934.7, None, 5.5]))
    with hub.begin() as conn:
        outcome = load_frame(conn, "regional_economy", edited, generated=False, label="t")
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 2, 1)
    with hub.begin() as conn:
        flipped = load_frame(conn, "regional_economy", edited, generated=True, label="t")
    assert (flipped.inserted, flipped.updated, flipped.unchanged) == (0, 3, 0)
    with hub.engine.connect() as conn:
        table = repository.read_table(conn, "regional_economy")
    assert table["gdp"].to_list() == [12934.7, None, 5.5]
    assert table["primary_va"].to_list() == [185.6, None, 1e-7]
    assert table["is_generated"].to_list() == [True, True, True]


def test_text_that_looks_like_a_null_marker_is_kept(hub: Database) -> None:
    regions = pl.DataFrame({"code": ["410199"], "name": ["\\N"], "level": ["县"], "parent_code": ["410100"]})
    with hub.begin() as conn:
        assert load_frame(conn, "regions", regions, generated=False, label="t").inserted == 1
    with hub.begin() as conn:
        assert load_frame(conn, "regions", regions, generated=False, label="t").unchanged == 1
    with hub.engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT code, name FROM regions")).all())
    assert names["410199"] == "\\N"


def test_a_rejected_file_changes_nothing_and_the_next_import_works(hub: Database, tmp_path: Path) -> None:
    import_file(hub, "demand", write(tmp_path / "a.csv", demand_rows(300)), SETTINGS)
    before = stored(hub)
    bad = [r.replace(",7\n", ",8\n") for r in demand_rows(300)] + demand_rows(50, skip=300)
    bad[-1] = bad[-1].replace("statistics,", "statistics,", 1).rsplit(",", 1)[0] + ",-1\n"
    with pytest.raises(ImportRejected):
        import_file(hub, "demand", write(tmp_path / "bad.csv", bad), SETTINGS)
    assert stored(hub) == before
    outcome = import_file(hub, "demand", write(tmp_path / "b.csv", demand_rows(350)), SETTINGS)
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (50, 0, 300)


def test_a_failure_inside_the_write_rolls_everything_back(hub: Database, tmp_path: Path) -> None:
    """A row the database refuses (here a region the foreign key does not know) after others were written."""
    import_file(hub, "demand", write(tmp_path / "a.csv", demand_rows(200)), SETTINGS)
    before = stored(hub)
    frame = pl.read_csv(write(tmp_path / "b.csv", demand_rows(400)), infer_schema=False).rename(
        {"来源": "source", "区划代码": "region_code", "时期": "period", "职业代码": "occupation_code",
         "专业代码": "major_code", "技能等级": "skill_level", "需求人数": "count"}
    ).with_columns(pl.col("count").cast(pl.Int64) + 1, pl.lit(None, pl.String).alias("enterprise_credit_code"),
                   pl.lit(False).alias("is_generated"))
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 399).then(pl.lit("999999")).otherwise(pl.col("region_code")).alias("region_code")
    )
    with pytest.raises((sa.exc.IntegrityError, sqlite3.IntegrityError, psycopg.errors.IntegrityError)), hub.begin() as conn:
        bulk.upsert(conn, HUB_TABLES["demand"], frame)
    assert stored(hub) == before
    with hub.begin() as conn:  # the connection is usable again: no staging table left, settings restored
        counts = bulk.upsert(conn, HUB_TABLES["demand"], frame.head(300))
    assert (counts.inserted, counts.updated, counts.unchanged) == (100, 200, 0)


def test_several_tables_and_the_same_table_twice_in_one_transaction(hub: Database) -> None:
    regions = pl.DataFrame({"code": ["410181", "410182"], "name": ["巩义市", "荥阳市"], "level": ["县", "县"]})
    economy = pl.DataFrame({"region_code": ["410181", "410182"], "year": [2023, 2023], "gdp": [1.5, 2.5]})
    with hub.begin() as conn:
        assert load_frame(conn, "regions", regions, generated=False, label="t").inserted == 2
        assert load_frame(conn, "regional_economy", economy, generated=False, label="t").inserted == 2
        again = load_frame(conn, "regional_economy", economy.with_columns(pl.lit(3.5).alias("gdp")),
                           generated=False, label="t")
        assert (again.inserted, again.updated) == (0, 2)
    with hub.engine.connect() as conn:
        assert repository.count_rows(conn, "regional_economy") == 2


def test_sqlite_page_cache_is_restored(hub: Database, tmp_path: Path) -> None:
    if hub.dialect != "sqlite":
        pytest.skip("SQLite only")
    with hub.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.commit()
        with conn.begin():
            bulk.upsert(conn, HUB_TABLES["regions"], pl.DataFrame(
                {"code": ["410183"], "name": ["新密市"], "level": ["县"], "parent_code": [None], "is_peer": [None],
                 "is_generated": [False]}, schema_overrides={"parent_code": pl.String, "is_peer": pl.Boolean}))
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == before != -bulk.SQLITE_CACHE_KIB


def test_shared_strings_equal_plain_values() -> None:
    """A column handed over as its distinct strings and each row's index gives the same values, in any order."""
    series = pl.Series("s", ["b", "a", "中", "a", "c", "a", "b", "a", "a"] * 3)
    reverse = np.arange(series.len())[::-1].copy()
    column = bulk._Encoded(series)
    assert column.codes is not None
    assert column.values(np.arange(series.len())) == series.to_list()
    assert column.values(reverse) == series.to_list()[::-1]
    rank, size = column.rank
    assert size == 4 and rank.to_list() == [["a", "b", "c", "中"].index(v) for v in series]
    for plain in (pl.Series(["a", None, "a", "a"] * 5), pl.Series([1, 2, 3]), pl.Series(["x", "y", "z"])):
        column = bulk._Encoded(plain)
        assert column.codes is None and column.rank is None
        assert column.values(np.arange(plain.len())[::-1].copy()) == plain.to_list()[::-1]


def test_a_failed_first_load_leaves_the_table_empty_and_usable(hub: Database, tmp_path: Path) -> None:
    """Into an empty table the rows go straight in (PostgreSQL: COPY without staging); a row the database
    refuses still takes every other row with it."""
    frame = pl.read_csv(write(tmp_path / "a.csv", demand_rows(300)), infer_schema=False).rename(
        {"来源": "source", "区划代码": "region_code", "时期": "period", "职业代码": "occupation_code",
         "专业代码": "major_code", "技能等级": "skill_level", "需求人数": "count"}
    ).with_columns(pl.col("count").cast(pl.Int64), pl.lit(None, pl.String).alias("enterprise_credit_code"),
                   pl.lit(False).alias("is_generated"))
    refused = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 150).then(pl.lit("999999")).otherwise(pl.col("region_code")).alias("region_code")
    )
    with pytest.raises((sa.exc.IntegrityError, sqlite3.IntegrityError, psycopg.errors.IntegrityError)), hub.begin() as conn:
        bulk.upsert(conn, HUB_TABLES["demand"], refused)
    assert stored(hub) == []
    with hub.begin() as conn:
        first = bulk.upsert(conn, HUB_TABLES["demand"], frame)
        again = bulk.upsert(conn, HUB_TABLES["demand"], frame.with_columns(pl.col("count") + (pl.int_range(pl.len()) < 10)))
    assert (first.inserted, first.updated, again.inserted, again.updated, again.unchanged) == (300, 0, 0, 10, 290)
    assert sorted(r[7] for r in stored(hub)) == sorted(frame["count"] + (pl.int_range(300, eager=True) < 10))


def test_columns_with_one_value_cross_from_python_once(hub: Database, tmp_path: Path, monkeypatch) -> None:
    """SQLite binds a column that holds one value in every row once per statement: the source, the generated
    flag, the empty optional key parts and here the count are not turned into a million Python values."""
    if hub.dialect != "sqlite":
        pytest.skip("SQLite only")
    seen: list[list[str]] = []
    flat_rows = bulk._flat_rows
    monkeypatch.setattr(bulk, "_flat_rows",
                        lambda columns, positions: seen.append([c.series.name for c in columns]) or flat_rows(columns, positions))
    monkeypatch.setattr(bulk, "SQLITE_MAX_PARAMS", 40)  # many statements and a remainder
    rows = [r.rsplit(",", 1)[0] + ",5\n" for r in demand_rows(333)]
    first = import_file(hub, "demand", write(tmp_path / "a.csv", rows), SETTINGS)
    assert {c for columns in seen for c in columns} == {"region_code", "period", "occupation_code", "major_code", "skill_level"}
    changed = import_file(hub, "demand", write(tmp_path / "b.csv", [r.replace(",5\n", ",6\n") for r in rows]), SETTINGS)
    assert (first.inserted, changed.updated, changed.unchanged) == (333, 333, 0)
    table = stored(hub)
    assert {(r[0], r[3], r[7], r[8]) for r in table} == {("statistics", "", 6, False)}
    assert sorted(r[1:3] + r[4:7] for r in table) == sorted(
        (region, period, occupation or "", major or "", skill)
        for region, period, occupation, major, skill in (r.split(",")[1:6] for r in rows)
    )


def test_key_order_sorts_as_the_natural_key() -> None:
    """One integer per row orders rows as a sort of the key columns does (text byte-wise: 中 after Z and é,
    '' first; numbers by value, nulls first), also when the key's ranks overflow 64 bits."""
    rng = random.Random(11)
    for _ in range(100):
        n = rng.randint(2, 80)
        frame = pl.DataFrame({"a": [rng.choice(["x", "é", "中", "", "Z", "x2"]) for _ in range(n)],
                              "b": [rng.choice([None, -3, 0, 7, 2**40]) for _ in range(n)],
                              "c": [rng.choice(["p", "pp", "中文", "ab", "0"]) for _ in range(n)]})
        order = bulk.key_order(frame, ["a", "b", "c"])
        assert frame.with_columns(order).sort(order.name).drop(order.name).equals(frame.sort(["a", "b", "c"]))
    constant_first = pl.DataFrame({"a": ["s"] * 5, "b": [3, 1, 2, 1, 0], "c": ["", "", "", "", ""]})
    order = bulk.key_order(constant_first, ["a", "b", "c"])
    assert order.to_list() == [4, 2, 3, 2, 1]  # the ranks of b, the one part that varies
    assert bulk.key_order(constant_first, ["a", "c"]).to_list() == [0] * 5
    wide = pl.DataFrame({f"k{i}": [str(rng.randint(0, 10**6)) for _ in range(3000)] for i in range(7)})  # 3000⁷ > 2⁶⁴
    order = bulk.key_order(wide, wide.columns)
    assert wide.with_columns(order).sort(order.name).drop(order.name).equals(wide.sort(wide.columns))
