"""The postings pipeline on both engines gives identical aggregates (Spark in local mode, the real classifier),
and its demand records load into the hub on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from silian.services.postings.local import default_classifier, load_posting_demand, place_resolver, run_local
from silian.storage.database import Database
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

ROOT = Path(__file__).resolve().parents[2]
LIEPIN = ROOT / "tests" / "data" / "postings" / "liepin_2019-12_data_analyst_postings.csv"
EXTRA = ("岗位名称,薪资,城市,学历,经验,公司,发布日期\n"
         "数控车工,6-8K·13薪,郑州-金水区,中专及以上,1-3年,甲公司,2024-03-02\n"
         "招聘数控车工,6-8K·13薪,郑州-金水区,中专及以上,1-3年,甲公司,2024-03-09\n"
         "焊工（包吃住）,5000-7000元/月,郑州-新郑市,不限,不限,乙公司,2024-03-05\n"
         "电工,200元/天,郑州,不限,1年以上,丙公司,2024-04-01\n"
         "会计,4000-6000元/月,郑州-中原区,大专,不限,丁公司,2024-04-02\n")


@pytest.fixture(scope="module")
def classifier(trained_classifier):  # type: ignore[no-untyped-def]
    """The default model (trained once per session) as a postings classifier."""
    return default_classifier()


@pytest.fixture(params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo region on each backend."""
    yield from demo_for(request, request.param, tmp_path / "hub")


def test_local_and_spark_give_identical_aggregates(tmp_path: Path, classifier, spark) -> None:  # type: ignore[no-untyped-def]
    from silian.services.postings.spark import run_spark
    places = place_resolver()
    confirmed = {"数据分析": "4-07-02-05"}  # a reviewer's answer: both engines must apply it
    local = run_local(LIEPIN, classifier=classifier, places=places, records=tmp_path / "local", confirmed=confirmed)
    remote = run_spark(LIEPIN, spark=spark, classifier=classifier, places=places, records=tmp_path / "spark",
                       confirmed=confirmed)
    for field in ("rows", "rows_with_problems", "problems_by_reason", "duplicates_removed", "postings", "distinct_titles",
                  "classified", "review_postings", "no_place_or_date"):
        assert getattr(local, field) == getattr(remote, field), field
    a = local.aggregates
    b = remote.aggregates.select(a.columns).cast(dict(a.schema))
    assert a.height > 0 and a.equals(b)
    assert local.salary_summary.height > 0 and local.salary_summary.equals(remote.salary_summary)
    # both keep every posting, raw and parsed, and the classified titles: the same records
    mine = pl.read_parquet(tmp_path / "local" / "part-*.parquet").drop("row", "title_id")
    theirs = pl.read_parquet(tmp_path / "spark" / "postings" / "*.parquet")
    assert mine.height == theirs.height == local.rows
    key = ["raw"]
    theirs = theirs.with_columns(pl.col("posting_key").reinterpret(signed=False)).select(mine.columns).cast(dict(mine.schema))
    assert mine.sort(key).equals(theirs.sort(key))
    titles = pl.read_parquet(tmp_path / "local" / "titles.parquet").select("title", "occupation_code", "needs_review")
    spark_titles = pl.read_parquet(tmp_path / "spark" / "titles" / "*.parquet").select(titles.columns)
    assert titles.sort("title").equals(spark_titles.sort("title"))
    assert titles.filter(pl.col("title") == "数据分析").rows() == [("数据分析", "4-07-02-05", False)]


def test_posting_demand_loads_into_the_hub(demo_db: Database, tmp_path: Path, classifier) -> None:  # type: ignore[no-untyped-def]
    db = demo_db
    path = tmp_path / "extra.csv"
    path.write_text(EXTRA, encoding="utf-8")
    result = run_local(path, classifier=classifier, places=place_resolver(db))
    assert result.duplicates_removed == 1
    loaded, notes = load_posting_demand(db, result.aggregates)
    assert loaded == result.aggregates.height and notes == []
    import sqlalchemy as sa
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT region_code, period, occupation_code, count FROM demand WHERE source = 'posting'")).all()
    assert sum(r.count for r in rows) == result.aggregates["postings"].sum()
    assert {r.region_code for r in rows} <= {"410105", "410184", "410100", "410102"}
    again, _ = load_posting_demand(db, result.aggregates)  # re-loading replaces, never doubles
    with db.engine.connect() as conn:
        total = conn.execute(sa.text("SELECT SUM(count) FROM demand WHERE source = 'posting'")).scalar_one()
    assert total == result.aggregates["postings"].sum() and again == loaded
    outside = pl.DataFrame({"occupation_code": ["2-02-10-03"], "region_code": ["310000"], "period": ["2024-01"],
                            "skill_level": ["不限"], "postings": [3]})
    n, notes = load_posting_demand(db, outside)
    assert n == 0 and "310000" in notes[0]
