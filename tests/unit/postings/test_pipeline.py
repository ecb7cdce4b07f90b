"""The local postings pipeline on the real liepin export and on small hand-made files: mapping, parsing,
reposts, the review queue, aggregation and bad files. The classifier here is a small rule table so the counts
can be checked by hand; the real classifier is tested in test_classifier.py and end to end in
tests/storage/test_postings_engines.py."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from silian.catalog import get_catalog
from silian.domain.errors import InvalidInput
from silian.ingest.postings.places import PlaceResolver
from silian.services.postings.local import place_resolver, run_local

ROOT = Path(__file__).resolve().parents[3]
LIEPIN = ROOT / "tests" / "data" / "postings" / "liepin_2019-12_data_analyst_postings.csv"


def rule_classifier(titles: list[str]) -> pl.DataFrame:
    code = ["2-02-10-03" if "分析" in t else "6-18-01-01" if "数控" in t else None for t in titles]
    return pl.DataFrame({"title": titles, "occupation_code": code, "occupation_name": ["x"] * len(titles),
                         "confidence": [0.9 if c else 0.1 for c in code]})


@pytest.fixture(scope="module")
def places():  # type: ignore[no-untyped-def]
    return place_resolver()


def test_liepin_export(places) -> None:  # type: ignore[no-untyped-def]
    r = run_local(LIEPIN, classifier=rule_classifier, places=places)
    assert r.mapping == "liepin" and r.source == "utf-8" and r.rows == 4002
    assert r.duplicates_removed == 128 and r.postings == 3874
    assert r.problems_by_reason == {"place: province only": 32, "place: unknown place": 1}
    assert r.classified + r.review_postings == r.postings
    agg = r.aggregates
    assert agg["postings"].sum() == r.classified - r.no_place_or_date
    beijing = agg.filter((pl.col("region_code") == "110000") & (pl.col("occupation_code") == "2-02-10-03")
                         & (pl.col("skill_level") == "不限")).row(0, named=True)
    assert beijing["period"] == "2019-12" and beijing["salary_p25"] <= beijing["salary_p50"] <= beijing["salary_p75"]
    assert r.review_queue["postings"].sum() == r.review_postings


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


SMALL = ("岗位名称,薪资,城市,学历,经验,公司,发布日期\n"
         "招聘数控车工,6-8K·13薪,郑州-金水区,中专及以上,1-3年,甲公司,2024-03-02\n"
         "数控车工,6-8K·13薪,郑州-金水区,中专及以上,1-3年,甲公司,2024-03-09\n"  # a repost of the first
         "数控车床高级技师,1-1.5万,郑州,大专,5年以上,乙公司,2024-03-05\n"
         "数据分析师,面议,北京,本科,经验不限,丙公司,2024-04-01\n"
         "前台,3000-4000元/月,郑州,不限,不限,丁公司,2024-04-02\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_small_file_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    resolver = PlaceResolver(get_catalog().cities.rows(), [("410105", "金水区", "410100")])
    r = run_local(write(tmp_path, SMALL, encoding), classifier=rule_classifier, places=resolver)
    assert r.rows == 5 and r.duplicates_removed == 1 and r.postings == 4 and r.review_postings == 1  # 前台
    rows = {(x["occupation_code"], x["region_code"], x["period"], x["skill_level"]): x for x in r.aggregates.to_dicts()}
    lathe = rows[("6-18-01-01", "410105", "2024-03", "不限")]
    assert lathe["postings"] == 1 and lathe["reposts"] == 2 and lathe["salary_p50"] == 7000
    assert rows[("6-18-01-01", "410100", "2024-03", "高级技师")]["salary_p50"] == 12500
    assert rows[("2-02-10-03", "110000", "2024-04", "不限")]["salary_n"] == 0  # 面议: no salary


def test_other_formats_give_the_same_result(tmp_path: Path, places) -> None:  # type: ignore[no-untyped-def]
    csv = run_local(write(tmp_path, SMALL), classifier=rule_classifier, places=places)
    frame = pl.read_csv(write(tmp_path, SMALL), infer_schema=False)
    frame.write_ndjson(tmp_path / "p.jsonl")
    frame.write_parquet(tmp_path / "p.parquet")
    frame.write_excel(tmp_path / "p.xlsx")
    for name in ("p.jsonl", "p.parquet", "p.xlsx"):
        other = run_local(tmp_path / name, classifier=rule_classifier, places=places)
        assert other.aggregates.equals(csv.aggregates), name


def test_bad_files(tmp_path: Path, places) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="空"):
        run_local(write(tmp_path, ""), classifier=rule_classifier, places=places)
    with pytest.raises(InvalidInput, match="岗位名称"):
        run_local(write(tmp_path, "公司,城市\n甲,郑州\n"), classifier=rule_classifier, places=places)
    with pytest.raises(InvalidInput, match="编码"):
        run_local(_utf16(tmp_path), classifier=rule_classifier, places=places)
    with pytest.raises(InvalidInput, match="格式"):
        run_local(write(tmp_path, "x", name="p.doc"), classifier=rule_classifier, places=places)


def _utf16(tmp_path: Path) -> Path:
    path = tmp_path / "utf16.csv"
    path.write_bytes("岗位名称\n数控车工\n".encode("utf-16"))
    return path


def test_batches_do_not_change_the_result(places) -> None:  # type: ignore[no-untyped-def]
    """Small batches: titles and parsed values are carried across batches (numbered once, classified once), and
    the repost kept is still the earliest one of the whole file."""
    calls: list[list[str]] = []

    def counting(titles: list[str]) -> pl.DataFrame:
        calls.append(titles)
        return rule_classifier(titles)
    whole = run_local(LIEPIN, classifier=rule_classifier, places=places)
    small = run_local(LIEPIN, classifier=counting, places=places, batch_rows=300)
    assert len(calls) > 1 and sum(len(c) for c in calls) == len({t for c in calls for t in c}) == small.distinct_titles
    assert small.aggregates.equals(whole.aggregates)
    assert small.summary() | {"seconds": {}} == whole.summary() | {"seconds": {}}
    assert small.review_queue.equals(whole.review_queue)
    assert small.problem_samples.height == whole.problem_samples.height == 33
    assert small.problem_samples["raw"].str.contains("岗位名称").all()  # the raw record of each sample, as JSON


def test_salary_summary_is_exact(tmp_path: Path, places) -> None:  # type: ignore[no-untyped-def]
    r = run_local(LIEPIN, classifier=rule_classifier, places=places)
    summary = r.salary_summary
    overall = summary.filter(pl.col("dimension") == "all").row(0, named=True)
    assert overall["postings"] == r.aggregates["postings"].sum()
    beijing = summary.filter((pl.col("dimension") == "region") & (pl.col("key") == "110000")).row(0, named=True)
    agg = r.aggregates.filter(pl.col("region_code") == "110000")
    assert agg.height == 1 and beijing["salary_p50"] == agg["salary_p50"][0] and beijing["salary_n"] == agg["salary_n"][0]
    only = run_local(LIEPIN, classifier=rule_classifier, places=places, salary_regions=frozenset({"110000"}))
    assert set(only.salary_summary["key"].to_list()) == {"", "2-02-10-03", "110000"}
    assert only.aggregates.equals(r.aggregates)  # the regions limit the salary summary only
