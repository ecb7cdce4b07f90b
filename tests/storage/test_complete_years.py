"""Complete years only in headlines: a few rows of a new year neither become the supply–demand year nor end the
mismatch trend; the analysis says which years are provisional."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from silian.services.analysis import AnalysisBundle, run_analysis
from silian.services.hub import HubSnapshot
from silian.services.presentation import bundle_summary
from tests.support.demo import DemoTemplate, demo_snapshot


@pytest.fixture(scope="module")
def demo_hub(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubSnapshot]:
    yield from demo_snapshot(demo_template, tmp_path_factory.mktemp("years"))


def _with_demand(hub: HubSnapshot, demand: pl.DataFrame) -> HubSnapshot:
    return HubSnapshot(tables={**hub.tables, "demand": demand}, generated=dict(hub.generated), database=hub.database)


def _four_rows_of_one_enterprise(hub: HubSnapshot, year: int) -> pl.DataFrame:
    declared = hub["demand"].filter(pl.col("source") == "declared")
    firm = declared["enterprise_credit_code"].drop_nulls()[0]
    return (declared.filter(pl.col("enterprise_credit_code") == firm).unique("occupation_code").head(4)
            .with_columns(pl.lit(f"{year}-03").alias("period")))


@pytest.fixture(scope="module")
def thin_2024(demo_hub: HubSnapshot) -> AnalysisBundle:
    """The demo with its 2024 demand replaced by four rows from one enterprise."""
    demand = demo_hub["demand"]
    kept = demand.filter(~pl.col("period").str.starts_with("2024"))
    return run_analysis(hub=_with_demand(demo_hub, pl.concat([kept, _four_rows_of_one_enterprise(demo_hub, 2024)])))


def test_a_thin_year_is_not_the_supply_demand_year(thin_2024: AnalysisBundle) -> None:
    assert thin_2024.year == 2024 and thin_2024.supply_demand.year == 2023
    assert any("暂定" in n and "2024" in n for n in thin_2024.notes)
    coverage = thin_2024.coverage.filter((pl.col("table") == "demand/declared") & (pl.col("year") == 2024))
    assert coverage["status"].to_list() == ["provisional"] and coverage["units"].to_list() == [1]


def test_a_thin_year_is_shown_marked_and_never_ends_the_trend(thin_2024: AnalysisBundle) -> None:
    trend = thin_2024.supply_demand.mismatch_trend
    assert trend.filter(pl.col("year") == 2024)["provisional"].to_list() == [True]
    finding = next(f for f in thin_2024.supply_demand.findings if "Duncan" in f or "错配" in f)
    assert "2024" not in finding and "2023" in finding
    assert any(r["status"] == "provisional" for r in bundle_summary(thin_2024)["coverage"])


def test_rows_of_a_later_year_never_enter_the_analysis_of_an_earlier_one(demo_hub: HubSnapshot) -> None:
    later = pl.concat([demo_hub["demand"], _four_rows_of_one_enterprise(demo_hub, 2025)])
    bundle = run_analysis(hub=_with_demand(demo_hub, later))
    assert bundle.year == 2024 and bundle.supply_demand.year == 2024
    assert bundle.supply_demand.mismatch_trend["year"].max() == 2024


def test_the_report_says_when_its_headline_year_is_not_its_year(thin_2024: AnalysisBundle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from silian.reports.report import write_report

    assert int(thin_2024.city.scores["year"].max()) == 2023  # type: ignore[arg-type]
    html = write_report(thin_2024, tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count("本报告为 2024 年报告；四链耦合协调度的最新完整年份为 2023 年") == 2  # in the summary and the section
    assert "市级：年份" in html or "县市区层级：年份" in html


def test_the_reports_data_table_has_no_internal_names(thin_2024: AnalysisBundle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import re

    from silian.reports.report import write_report

    html = write_report(thin_2024, tmp_path / "r.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", html, flags=re.DOTALL))
    for word in ("post_demand", "major_points", "regional_economy", "zero", "naive", "declared", "statistics", "no_data"):
        assert not re.search(rf"(?<![A-Za-z_]){word}(?![A-Za-z_])", text), word
    assert "需求共享平台的人才需求" in text
