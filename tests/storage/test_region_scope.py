"""Every result is scoped to the region asked for: in a hub that also holds a copy of the demo region under other
codes (another city of the same province), 郑州's analysis, plan and scenario comparison equal those of the demo
region alone. Peer comparison reads other cities on purpose and is left out of the comparison."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

from silian.services.analysis import run_analysis
from silian.services.hub import HubSnapshot
from silian.services.hub_scope import region_and_descendants, scope_hub
from silian.services.planning.enrolment_plan import plan_enrolment, plan_summary
from silian.services.presentation import bundle_summary
from tests.support.demo import DemoTemplate, demo_snapshot

CITY = "410100"


def _twin_code(code: str | None) -> str | None:
    """A region code of the twin city: 4101xx… → 4199xx… (same province, unused by the demo)."""
    return code if code is None or not code.startswith("4101") else "4199" + code[4:]


def _twin(hub: HubSnapshot) -> HubSnapshot:
    """The demo region again under other region, school and enterprise codes, beside the original."""
    regions = hub["regions"]
    city_rows = regions.filter(pl.col("code").str.starts_with("4101"))
    recode = pl.col("code").map_elements(_twin_code, return_dtype=pl.String)
    twin_regions = city_rows.with_columns(recode, pl.col("parent_code").map_elements(_twin_code, return_dtype=pl.String),
                                          pl.col("name").map_elements(lambda n: f"孪生{n}", return_dtype=pl.String))
    tables: dict[str, pl.DataFrame] = {"regions": pl.concat([regions, twin_regions])}
    for name, frame in hub.tables.items():
        if name == "regions":
            continue
        copy = frame
        for column in ("region_code", "county_code"):
            if column in copy.columns:
                copy = copy.with_columns(pl.col(column).map_elements(_twin_code, return_dtype=pl.String))
        if name == "regional_economy":
            copy = copy.filter(pl.col("region_code").str.starts_with("4199"))
        for column in ("institution_code",) + (("code",) if name == "institutions" else ()):
            if column in copy.columns:
                copy = copy.with_columns(("T" + pl.col(column)).str.slice(0, 20).alias(column))
        for column in ("enterprise_credit_code",) + (("credit_code",) if name == "enterprises" else ()):
            if column in copy.columns:
                copy = copy.with_columns(("Z" + pl.col(column).str.slice(1)).alias(column))
        tables[name] = pl.concat([frame, copy], how="vertical_relaxed")
    return HubSnapshot(tables=tables, generated=dict(hub.generated), database=hub.database)


@pytest.fixture(scope="module")
def hubs(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubSnapshot, HubSnapshot]]:
    for hub in demo_snapshot(demo_template, tmp_path_factory.mktemp("scope")):
        yield hub, _twin(hub)


def _rounded(value: Any) -> Any:
    """Floats to 10 significant digits: sums over the same rows in another order differ in the last bits."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _without_peers_and_timings(summary: dict[str, Any]) -> dict[str, Any]:
    summary = {k: v for k, v in summary.items() if k not in ("peers", "seconds")}
    summary["tables"] = {k: v for k, v in summary.get("tables", {}).items() if "peer" not in k}
    return _rounded(summary)  # type: ignore[no-any-return]


def test_the_twin_hub_really_holds_two_cities(hubs: tuple[HubSnapshot, HubSnapshot]) -> None:
    alone, both = hubs
    assert both["institutions"].height == 2 * alone["institutions"].height
    assert both["major_points"].height == 2 * alone["major_points"].height
    assert both["enterprises"]["credit_code"].n_unique() == 2 * alone["enterprises"].height
    scoped = scope_hub(both, CITY)
    for name in ("institutions", "major_points", "enterprises", "demand", "industry_stats", "cooperation"):
        assert scoped[name].height == alone[name].height, name
    assert region_and_descendants(both["regions"], CITY) == set(
        alone["regions"].filter(pl.col("code").str.starts_with("4101"))["code"].to_list())


def test_a_citys_analysis_ignores_the_other_cities_in_the_hub(hubs: tuple[HubSnapshot, HubSnapshot]) -> None:
    alone, both = hubs
    expected = _without_peers_and_timings(bundle_summary(run_analysis(hub=alone, region=CITY)))
    got = _without_peers_and_timings(bundle_summary(run_analysis(hub=both, region=CITY)))
    assert got == expected


def test_a_citys_plan_ignores_the_other_cities_in_the_hub(hubs: tuple[HubSnapshot, HubSnapshot]) -> None:
    alone, both = hubs
    expected = _without_peers_and_timings(plan_summary(plan_enrolment(hub=alone, region=CITY)))
    got = _without_peers_and_timings(plan_summary(plan_enrolment(hub=both, region=CITY)))
    assert got == expected


def test_a_hub_table_without_a_region_rule_is_refused(hubs: tuple[HubSnapshot, HubSnapshot]) -> None:
    alone, _ = hubs
    extra = HubSnapshot(tables={**alone.tables, "mystery": pl.DataFrame({"x": [1]})})
    with pytest.raises(ValueError, match="mystery"):
        scope_hub(extra, CITY)
