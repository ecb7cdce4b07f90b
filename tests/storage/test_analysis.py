"""The full analysis of the demo region on every backend: same numbers on SQLite and PostgreSQL, the stories
the demo is built to tell are found, and the report renders in HTML and PDF."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl
import pytest

from silian.services.analysis import AnalysisBundle, run_analysis
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for


def _analysis(request: pytest.FixtureRequest, backend: str, folder) -> Iterator[AnalysisBundle]:  # type: ignore[no-untyped-def]
    for db in demo_for(request, backend, folder):
        yield run_analysis(db)


@pytest.fixture(scope="module")
def sqlite_bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisBundle]:
    """The analysis of the demo region on SQLite."""
    yield from _analysis(request, "sqlite", tmp_path_factory.mktemp("an"))


@pytest.fixture(scope="module")
def postgresql_bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisBundle]:
    """The analysis of the demo region on PostgreSQL (skipped when SILIAN_TEST_DATABASE_URL is not set)."""
    yield from _analysis(request, "postgresql", tmp_path_factory.mktemp("an-pg"))


@pytest.fixture(scope="module", params=BACKENDS)
def bundle(request: pytest.FixtureRequest) -> AnalysisBundle:
    """The analysis on each backend."""
    return request.getfixturevalue(f"{request.param}_bundle")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def both_backends(sqlite_bundle: AnalysisBundle, postgresql_bundle: AnalysisBundle) -> dict[str, AnalysisBundle]:
    """The analysis on the two backends, side by side."""
    return {"sqlite": sqlite_bundle, "postgresql": postgresql_bundle}


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


def test_openings_are_forecast_with_intervals_and_errors_in_openings(bundle: AnalysisBundle) -> None:
    """8 years of statistics: the naive forecast for every industry, said in each row; openings with their interval
    and the procedure's error in openings; the replacement rate kept as an assumption."""
    o = bundle.openings
    assert o["n_history"].max() < 12 and o["model"].unique().to_list() == ["naive"]
    assert o["warnings"].str.contains("少于 12 年").all()
    assert (o["openings_lower"] <= o["openings"]).all() and (o["openings"] <= o["openings_upper"]).all()
    assert o["openings_upper"].null_count() == 0 and o["backtest_mase"].null_count() == 0
    growth_plus_replacement = o["growth_demand"] + o["replacement_demand"]
    assert (o["openings"] - growth_plus_replacement).abs().max() < 1e-9  # type: ignore[operator]
    assert o["exit_rate_basis"].unique().to_list() == ["assumption"]
    assert bundle.forecast is not None and bundle.forecast.accuracy is not None
    assert bundle.forecast.accuracy["unit"].unique().to_list() == ["openings"]


@pytest.mark.postgres
def test_both_backends_give_the_same_numbers(both_backends: dict[str, AnalysisBundle]) -> None:
    a, b = both_backends["sqlite"].city.scores, both_backends["postgresql"].city.scores
    assert a["year"].to_list() == b["year"].to_list()
    for column in ("C", "T", "D"):
        assert a[column].to_list() == pytest.approx(b[column].to_list(), abs=1e-12)
    ga, gb = both_backends["sqlite"].supply_demand.by_major, both_backends["postgresql"].supply_demand.by_major
    assert ga.sort("major_code")["gap"].to_list() == pytest.approx(gb.sort("major_code")["gap"].to_list())


def test_report_renders_in_html_without_external_urls_and_in_pdf(sqlite_bundle: AnalysisBundle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The report does not depend on the backend: rendered from the SQLite analysis."""
    bundle = sqlite_bundle
    from pypdf import PdfReader

    from silian.reports.assets import find_external_urls
    from silian.reports.report import write_report
    html = write_report(bundle, tmp_path / "report.html").read_text(encoding="utf-8")
    assert find_external_urls(html) == []
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html)
    d_value = f"{bundle.city.scores['D'][-1]:.2f}"  # D is shown with two decimals and its band
    for heading in ("四链耦合协调度", "断头路", "散缺小", "供需链难畅", "大工匠难育", "对标城市", d_value, "演示生成数据", "敏感性区间"):
        assert heading in html
    assert html.count("echarts.init(") >= 8
    pdf = write_report(bundle, tmp_path / "report.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    compact = re.sub(r"\s+", "", text)
    for heading in ("四链耦合协调度", "断头路", "散缺小", "供需链难畅", "大工匠难育", f"D={d_value}", "演示生成数据"):
        assert heading in compact
