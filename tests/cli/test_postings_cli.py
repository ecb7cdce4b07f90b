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
