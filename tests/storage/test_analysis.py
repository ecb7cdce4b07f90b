"""The full analysis of the demo region on every backend: same numbers on SQLite and PostgreSQL, the stories
the demo is built to tell are found, and the report renders in HTML and PDF."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl
import pytest

from silian.services.analysis import AnalysisBundle, run_analysis
from silian.services.demo_region import load_demo
from silian.storage.database import Database
from tests.pg import PG_URL, postgres_schema_database

RESULTS: dict[str, AnalysisBundle] = {}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisBundle]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path_factory.mktemp('an')}/hub.db")
        db.upgrade()
        load_demo(db, seed=2024)
        RESULTS["sqlite"] = run_analysis(db)
        yield RESULTS["sqlite"]
        db.dispose()
        return
    if not PG_URL:
        pytest.skip("SILIAN_TEST_DATABASE_URL is not set")
    with postgres_schema_database(PG_URL) as db:
        db.upgrade()
        load_demo(db, seed=2024)
        RESULTS["postgresql"] = run_analysis(db)
        yield RESULTS["postgresql"]


def test_coupling_is_computed_for_the_city_and_every_county(bundle: AnalysisBundle) -> None:
    scores = bundle.city.scores
    assert bundle.region_code == "410100" and bundle.year == 2024
    assert scores["year"].to_list() == list(range(2018, 2024))  # cooperation from 2018, statistics to 2023
    for column in ("C", "T", "D"):
        assert scores[column].is_between(0.0, 1.0).all()
    assert scores["D"][-1] > scores["D"][0]
    assert bundle.counties is not None and bundle.counties.scores["region_code"].n_unique() >= 12
    assert bundle.city.weights.group_by("chain").agg(pl.col("weight").sum())["weight"].to_list() == pytest.approx([1.0] * 4)


def test_the_demo_stories_are_found(bundle: AnalysisBundle) -> None:
    sd = bundle.supply_demand
    grow_classes = set(sd.grow["class_name"].to_list())
    assert grow_classes & {"装备制造类", "机械设计制造类", "机电设备类", "自动化类"}
    cut = " ".join(sd.cut["major_name"].to_list())
    assert "会计" in cut and "电子商务" in cut
    chains = dict(sd.by_chain.select("chain", "gap").iter_rows())
    assert chains["装备制造"] > 0
    dead = set(bundle.pathways.seats.filter(pl.col("dead_end"))["major_code"].to_list())
    assert {"630502", "620501", "610113", "680402", "710401", "670204"} <= dead
    assert bundle.schools.summary["schools"] == 102
    assert bundle.schools.summary["schools"] - bundle.schools.summary["compliant"] >= 17
    high = bundle.skills.balance.filter(pl.col("high_skill"))
    assert high["demand_share"].sum() > high["supply_share"].sum()
    assert bundle.uses_generated_data and "major_points" in bundle.generated_tables
    assert "regional_economy" not in bundle.generated_tables


def test_forecasts_come_with_their_backtest_error(bundle: AnalysisBundle) -> None:
    assert bundle.forecast is not None
    f = bundle.forecast.forecasts
    assert f["year"].min() == 2024 and f["backtest_mape"].null_count() < f.height
    assert (bundle.openings["openings"] >= 0).all()


def test_both_backends_give_the_same_numbers(bundle: AnalysisBundle) -> None:
    if len(RESULTS) < 2:
        pytest.skip("runs after both backends (needs SILIAN_TEST_DATABASE_URL)")
    a, b = RESULTS["sqlite"].city.scores, RESULTS["postgresql"].city.scores
    assert a["year"].to_list() == b["year"].to_list()
    for column in ("C", "T", "D"):
        assert a[column].to_list() == pytest.approx(b[column].to_list(), abs=1e-12)
    ga, gb = RESULTS["sqlite"].supply_demand.by_major, RESULTS["postgresql"].supply_demand.by_major
    assert ga.sort("major_code")["gap"].to_list() == pytest.approx(gb.sort("major_code")["gap"].to_list())


def test_report_renders_in_html_without_external_urls_and_in_pdf(bundle: AnalysisBundle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if bundle is not RESULTS.get("sqlite"):
        pytest.skip("the report does not depend on the backend")
    from pypdf import PdfReader

    from silian.reports.assets import find_external_urls
    from silian.reports.report import write_report
    html = write_report(bundle, tmp_path / "report.html").read_text(encoding="utf-8")
    assert find_external_urls(html) == []
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html)
    d_value = f"{bundle.city.scores['D'][-1]:.4f}"
    for heading in ("四链耦合协调度", "断头路", "散缺小", "供需链难畅", "大工匠难育", "对标城市", d_value, "演示生成数据"):
        assert heading in html
    assert html.count("echarts.init(") >= 8
    pdf = write_report(bundle, tmp_path / "report.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    compact = re.sub(r"\s+", "", text)
    for heading in ("四链耦合协调度", "断头路", "散缺小", "供需链难畅", "大工匠难育", f"D={d_value}", "演示生成数据"):
        assert heading in compact
