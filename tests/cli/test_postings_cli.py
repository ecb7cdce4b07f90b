"""`silian postings import FILE --load --out DIR` as a script uses it: the demand records go into the hub, the
salary quantiles of the loaded postings are kept for the dashboard, and the output folder holds every file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from silian.services.postings.confirmed_titles import pending_review
from silian.services.postings.local import read_salary_summary
from silian.storage.database import Database
from tests.storage.test_postings_engines import EXTRA
from tests.support.cli import copy_demo_dir, silian


def test_import_load_and_out(cli_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = copy_demo_dir(cli_demo, tmp_path / "data")  # what `silian demo --json` left
    source = tmp_path / "postings.csv"
    source.write_text(EXTRA, encoding="utf-8")
    out = tmp_path / "out"
    summary = json.loads(silian("postings", "import", str(source), "--load", "--out", str(out), "--json", data_dir=data).stdout)
    assert summary["rows"] == 5 and summary["duplicates_removed"] == 1 and summary["loaded"] >= 1
    assert {p.name for p in out.iterdir()} >= {"posting_demand.csv", "review_queue.csv", "salary_summary.csv"}
    hub = Database(f"sqlite:///{data / 'silian.db'}")
    saved = read_salary_summary(hub)
    assert saved is not None
    queue, _ = pending_review(hub, {})  # for the web review page
    hub.dispose()
    assert queue["title"].to_list() == pl.read_csv(out / "review_queue.csv", infer_schema=False)["title"].to_list()
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


def test_review_queue_round_trip(tmp_path: Path) -> None:
    """The review loop as a user runs it: import → fill in confirmed_code → confirm → import again counts them;
    a sheet with a bad code is rejected (exit 3) and the confirmed titles stay as they were."""
    data = tmp_path / "data"
    source = tmp_path / "postings.csv"
    source.write_text("岗位名称,薪资,城市,学历,经验,公司,发布日期\n"
                      "储备干部,4000-6000元/月,郑州-中原区,大专,不限,甲公司,2024-04-02\n"
                      "储备干部,4000-6000元/月,郑州-金水区,大专,不限,乙公司,2024-04-03\n"
                      "数控车工,6-8K·13薪,郑州-金水区,中专及以上,1-3年,丙公司,2024-03-02\n", encoding="utf-8")
    first = json.loads(silian("postings", "import", str(source), "--out", str(tmp_path / "a"), "--json", data_dir=data).stdout)
    queue = pl.read_csv(tmp_path / "a" / "review_queue.csv", infer_schema=False)
    assert first["review_postings"] == 2 and queue["title"].to_list() == ["储备干部"]
    assert queue.columns[-1] == "confirmed_code" and {"occupation_code_2", "occupation_name_3"} <= set(queue.columns)
    assert queue["occupation_code_2"][0] not in (None, queue["occupation_code"][0])  # the model's next guess
    bad = tmp_path / "bad.csv"
    queue.with_columns(pl.lit("1-06-01").alias("confirmed_code")).write_csv(bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace("1-06-01", "1-66-01"), encoding="gbk")
    rejected = silian("postings", "confirm", str(bad), data_dir=data, check=False)
    assert rejected.returncode == 3 and "1-66-01" in rejected.stderr + rejected.stdout
    assert not (data / "silian.db").exists()  # nothing stored, no database created
    filled = tmp_path / "filled.csv"
    queue.with_columns(pl.lit("1-06-01-02").alias("confirmed_code")).write_csv(filled, include_bom=True)
    done = json.loads(silian("postings", "confirm", str(filled), "--json", data_dir=data).stdout)
    assert (done["added"], done["total"]) == (1, 1)
    listed = json.loads(silian("postings", "confirmed", "--json", data_dir=data).stdout)
    assert [(x["title"], x["occupation_code"], x["occupation_name"]) for x in listed] == [("储备干部", "1-06-01-02", "企业经理")]
    second = json.loads(silian("postings", "import", str(source), "--out", str(tmp_path / "b"), "--json", data_dir=data).stdout)
    assert second["review_postings"] == 0 and second["classified"] == first["classified"] + 2
    demand = pl.read_csv(tmp_path / "b" / "posting_demand.csv", infer_schema=False)
    assert demand.filter(pl.col("occupation_code") == "1-06-01-02")["postings"].cast(pl.Int64).sum() == 2
    titles = tmp_path / "titles.csv"
    titles.write_text("job_name\n储备干部\n", encoding="utf-8")
    silian("classify", str(titles), "-o", str(tmp_path / "o.csv"), data_dir=data)
    silian("classify", str(titles), "-o", str(tmp_path / "raw.csv"), "--no-confirmed", data_dir=data)
    assert pl.read_csv(tmp_path / "o.csv", infer_schema=False).row(0) == ("储备干部", "1-06-01-02", "企业经理", "1.0", "false")
    assert pl.read_csv(tmp_path / "raw.csv", infer_schema=False)["occupation_code"][0] != "1-06-01-02"
