"""The dashboard's posting-demand view: the clear message (with the import command) while no postings are in the
hub, then — after postings are imported and loaded like `silian postings import --load` does — the top
occupations and 专业类, the county split, the salary quantiles, the known bias shown prominently, the CSV and Excel
downloads and the English labels."""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient

from silian.services.postings.local import (
    hub_region_codes,
    load_posting_demand,
    place_resolver,
    run_local,
    save_salary_summary,
)
from silian.settings import Settings
from silian.storage.database import Database
from silian.web.app import create_app
from tests.support.demo import DemoTemplate

OCCUPATIONS = {"数控车工": "6-18-01-01", "焊工": "6-18-02-04", "电工": "6-31-01-03", "会计": "2-06-03-00",
               "数据分析师": "2-02-10-03", "前台": "4-07-01-01"}
COUNTIES = ("金水区", "中原区", "二七区", "新郑市", "巩义市")
SALARIES = ("4000-6000元/月", "6-8K", "8-12K·13薪", "1-1.5万", "面议")


def table_classifier(titles: list[str]) -> pl.DataFrame:
    codes = [OCCUPATIONS.get(t) for t in titles]
    return pl.DataFrame({"title": titles, "occupation_code": codes, "occupation_name": ["-"] * len(titles),
                         "confidence": [0.9 if c else 0.1 for c in codes]})


def write_postings(path: Path, n: int = 400, seed: int = 5) -> Path:
    rng = random.Random(seed)
    titles = list(OCCUPATIONS) + ["不知道什么岗位"]
    lines = ["岗位名称,薪资,城市,学历,经验,公司,发布日期"]
    for i in range(n):
        lines.append(f"{rng.choice(titles)},{rng.choice(SALARIES)},郑州-{rng.choice(COUNTIES)},大专,1-3年,企业{i % 37},"
                     f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _app(template: DemoTemplate, tmp_path: Path) -> tuple[object, Database, Path]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hub.db'}", data_dir=tmp_path, secret_key="postings-tests")
    db = template.database(tmp_path / "hub.db")  # the demo region (a copy of the session's)
    return create_app(settings, database=db), db, tmp_path


@pytest.fixture(scope="module")
def empty_client(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, db, _ = _app(demo_template, tmp_path_factory.mktemp("no-postings"))
    yield TestClient(app)  # type: ignore[arg-type]
    db.dispose()


def import_postings(db: Database, folder: Path) -> int:
    """What `silian postings import FILE --load` does, with a table classifier."""
    result = run_local(write_postings(folder / "postings.csv"), classifier=table_classifier, places=place_resolver(db),
                       salary_regions=hub_region_codes(db))
    loaded, notes = load_posting_demand(db, result.aggregates)
    assert loaded > 0 and notes == []
    save_salary_summary(db, result)
    return int(result.aggregates["postings"].sum())


@pytest.fixture(scope="module")
def client(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int]]:
    folder = tmp_path_factory.mktemp("postings")
    app, db, _ = _app(demo_template, folder)
    total = import_postings(db, folder)
    yield TestClient(app), total  # type: ignore[arg-type]
    db.dispose()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_without_postings_the_view_says_so_and_how_to_import(empty_client: TestClient) -> None:
    overview = empty_client.get("/")
    assert 'href="/dashboard/postings' in overview.text  # linked from every dashboard page's tabs
    page = empty_client.get("/dashboard/postings")
    assert page.status_code == 200
    assert 'id="postings-empty"' in page.text and "尚未导入招聘数据" in page.text
    assert "silian postings import 招聘数据.csv --load" in page.text
    assert 'id="posting-bias"' in page.text and "少报制造业操作工" in page.text  # the known bias, even before any data
    assert 'id="chart-posting-occupations"' not in page.text
    download = empty_client.get("/dashboard/download/posting-occupations.csv")
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")


def test_posting_demand_view(client: tuple[TestClient, int]) -> None:
    c, total = client
    page = c.get("/dashboard/postings")
    assert page.status_code == 200
    html = page.text
    for chart in ("posting-occupations", "posting-classes", "posting-counties", "posting-salaries"):
        assert f'id="chart-{chart}"' in html and f'id="dl-{chart}-csv"' in html and f'id="table-{chart}"' in html
    shown = text_of(html)
    assert f"共有 {total:,} 条来自招聘信息的需求" in shown
    bias = text_of(html[html.index('id="posting-bias"'):html.index("</section>", html.index('id="posting-bias"'))])
    assert "少报制造业操作工" in bias and "大类 6" in bias and "统计推算需求中占" in bias  # figure against statistics
    assert "月薪分位数来自最近一次导入（postings.csv" in shown


def test_downloads_match_the_loaded_demand(client: tuple[TestClient, int]) -> None:
    c, total = client
    occupations = list(csv.reader(io.StringIO(c.get("/dashboard/download/posting-occupations.csv").content.decode("utf-8-sig"))))
    assert occupations[0] == ["代码", "职业", "招聘数（条）", "占比", "中位月薪"]
    assert {row[0] for row in occupations[1:]} <= set(OCCUPATIONS.values())
    assert sum(int(row[2]) for row in occupations[1:]) == total
    counties = list(csv.reader(io.StringIO(c.get("/dashboard/download/posting-counties.csv").content.decode("utf-8-sig"))))
    assert {row[0] for row in counties[1:]} <= set(COUNTIES) and sum(int(row[1]) for row in counties[1:]) == total
    salaries = list(csv.reader(io.StringIO(c.get("/dashboard/download/posting-salaries.csv").content.decode("utf-8-sig"))))
    assert salaries[1][0] == "全部招聘"
    for row in salaries[1:]:
        assert float(row[1]) <= float(row[2]) <= float(row[3])
    classes = list(csv.reader(io.StringIO(c.get("/dashboard/download/posting-classes.csv").content.decode("utf-8-sig"))))
    assert len(classes) > 1 and all(float(row[2]) > 0 for row in classes[1:])
    book = openpyxl.load_workbook(io.BytesIO(c.get("/dashboard/download/posting-counties.xlsx").content))
    assert book.active.cell(1, 1).value == "县市区"


def test_english_labels(client: tuple[TestClient, int]) -> None:
    c, _ = client
    c.get("/lang/en?next=/")
    try:
        page = text_of(c.get("/dashboard/postings").text)
        assert "Known bias" in page and "Occupations with the most postings" in page and "Postings" in page
        header = c.get("/dashboard/download/posting-salaries.csv").content.decode("utf-8-sig").splitlines()[0]
        assert header == "Occupation,P25 salary,Median salary,P75 salary,Postings with salary"
    finally:
        c.get("/lang/zh?next=/")
