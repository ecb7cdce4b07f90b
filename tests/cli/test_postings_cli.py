"""`silian postings import FILE --load --out DIR` as a script uses it: the demand records go into the hub, the
salary quantiles of the loaded postings are kept for the dashboard, and the output folder holds every file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from silian.services.postings import read_salary_summary
from tests.cli.run import silian
from tests.storage.test_postings_engines import EXTRA


def test_import_load_and_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    silian("demo", "--json", data_dir=data)
    source = tmp_path / "postings.csv"
    source.write_text(EXTRA, encoding="utf-8")
    out = tmp_path / "out"
    summary = json.loads(silian("postings", "import", str(source), "--load", "--out", str(out), "--json", data_dir=data).stdout)
    assert summary["rows"] == 5 and summary["duplicates_removed"] == 1 and summary["loaded"] >= 1
    assert {p.name for p in out.iterdir()} >= {"posting_demand.csv", "review_queue.csv", "salary_summary.csv"}
    saved = read_salary_summary(data)
    assert saved is not None
    salaries, meta = saved
    assert meta["source"] == "postings.csv" and meta["engine"] == "local"
    overall = salaries.filter(pl.col("dimension") == "all").row(0, named=True)
    demand = pl.read_csv(out / "posting_demand.csv", infer_schema=False)
    assert overall["postings"] == demand.filter(pl.col("region_code").str.starts_with("4101"))["postings"].cast(pl.Int64).sum()
    assert set(salaries.filter(pl.col("dimension") == "region")["key"]) <= {"410105", "410184", "410100", "410102"}
    # every posting is kept, raw and parsed, and traces to its classified title
    records = pl.read_parquet(out / "records" / "part-*.parquet").sort("row")
    titles = pl.read_parquet(out / "records" / "titles.parquet")
    assert records["row"].to_list() == [2, 3, 4, 5, 6] and records.height == summary["rows"]
    assert json.loads(records["raw"][2]) == {"岗位名称": "焊工（包吃住）", "薪资": "5000-7000元/月", "城市": "郑州-新郑市",
                                            "学历": "不限", "经验": "不限", "公司": "乙公司", "发布日期": "2024-03-05"}
    assert records["salary_low"][0] == 6000 and records["county_code"][0] == "410105"
    assert records["posting_key"][0] == records["posting_key"][1]  # the repost shares its key
    joined = records.join(titles, on="title_id", how="left")
    assert joined["occupation_code"].null_count() == 0 and titles.height == summary["distinct_titles"]
    assert titles.filter(pl.col("needs_review")).height == titles.filter(pl.col("confidence") < 0.5).height
    bare = tmp_path / "bare"
    silian("postings", "import", str(source), "--out", str(bare), "--no-records", "--json", data_dir=data)
    assert (bare / "posting_demand.csv").exists() and not (bare / "records").exists()
