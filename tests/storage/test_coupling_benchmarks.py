"""The four-chain coupling of the demo region on fixed benchmarks: no year's D is 0 by construction, a year's D does
not change when later years are deleted, counties are on the city's scale, entropy (an option) gives no weight to a
near-constant indicator, D comes with its sensitivity band, and re-basing says what changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from silian.domain.errors import InvalidInput
from silian.services.benchmarks import current_text, effect_on_d, rebase
from silian.services.config import indicator_system
from silian.services.four_chains import FourChainResult, analyse_four_chains
from silian.services.hub import HubSnapshot
from silian.settings import Settings
from tests.support.demo import DemoTemplate, demo_snapshot

CITY = "410100"
YEARLY = ("major_points", "institution_resources", "funding", "innovation", "industry_stats", "regional_economy")


@pytest.fixture(scope="module")
def hub(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubSnapshot]:
    yield from demo_snapshot(demo_template, tmp_path_factory.mktemp("coupling"))


@pytest.fixture(scope="module")
def system():  # type: ignore[no-untyped-def]
    return indicator_system(Settings(indicators_file=None))


@pytest.fixture(scope="module")
def city(hub: HubSnapshot, system) -> FourChainResult:  # type: ignore[no-untyped-def]
    return analyse_four_chains(hub, system, level="city", regions=[CITY])


def _counties(hub: HubSnapshot) -> list[str]:
    return hub["regions"].filter(pl.col("parent_code") == CITY)["code"].to_list()


def _d(result: FourChainResult) -> dict[tuple[str, int], float]:
    return {(r, y): d for r, y, d in result.scores.select("region_code", "year", "D").iter_rows()}


def _before(hub: HubSnapshot, year: int) -> HubSnapshot:
    """The hub without any row for ``year`` and later (cooperation starting then, demand of those periods)."""
    tables = dict(hub.tables)
    for name in YEARLY:
        tables[name] = tables[name].filter(pl.col("year") < year)
    tables["demand"] = tables["demand"].filter(pl.col("period").str.slice(0, 4).cast(pl.Int64) < year)
    tables["cooperation"] = tables["cooperation"].filter(pl.col("start_year") < year)
    return HubSnapshot(tables=tables, generated=hub.generated)


def test_every_city_year_has_a_d_above_005_and_none_is_zero_by_construction(city: FourChainResult) -> None:
    scores = city.scores
    assert scores["year"].to_list() == list(range(2018, 2024))
    assert (scores["D"] > 0.05).all(), scores.select("year", "D")
    assert city.normalisation == "benchmark" and city.weighting == "fixed" and city.release


def test_deleting_2023_and_later_leaves_every_earlier_year_unchanged(hub: HubSnapshot, system, city: FourChainResult) -> None:  # type: ignore[no-untyped-def]
    earlier = analyse_four_chains(hub=_before(hub, 2023), system=system, level="city", regions=[CITY])
    now, then = _d(city), _d(earlier)
    assert sorted(then) == [(CITY, y) for y in range(2018, 2023)]
    for key, value in then.items():
        assert value == pytest.approx(now[key], abs=1e-12), key
    counties = _counties(hub)
    all_years = analyse_four_chains(hub, system, level="county", regions=counties)
    cut = analyse_four_chains(_before(hub, 2023), system, level="county", regions=counties)
    assert cut.scores.height and all(v == pytest.approx(_d(all_years)[k], abs=1e-12) for k, v in _d(cut).items())


def test_a_county_is_scored_alone_as_among_its_neighbours(hub: HubSnapshot, system) -> None:  # type: ignore[no-untyped-def]
    counties = _counties(hub)
    together = _d(analyse_four_chains(hub, system, level="county", regions=counties))
    for county in (counties[0], counties[-1]):
        alone = _d(analyse_four_chains(hub, system, level="county", regions=[county]))
        assert alone and all(v == pytest.approx(together[k], abs=1e-12) for k, v in alone.items())


def test_a_county_and_its_city_are_on_the_same_scale(hub: HubSnapshot, system, city: FourChainResult) -> None:  # type: ignore[no-untyped-def]
    """Move every school into one county: its education and talent indicators are then the city's, so their chain
    scores must be the city's too (the county's years run 2019–2024, the city's 2018–2023)."""
    county = _counties(hub)[0]
    tables = dict(hub.tables)
    tables["institutions"] = tables["institutions"].with_columns(pl.lit(county).alias("county_code"))
    one = analyse_four_chains(HubSnapshot(tables=tables, generated=hub.generated), system, level="county", regions=[county])
    own = analyse_four_chains(HubSnapshot(tables=tables, generated=hub.generated), system, level="city", regions=[CITY])
    pairs = one.scores.join(own.scores, on="year", suffix="_city")
    assert pairs.height >= 4
    for chain in ("education", "talent"):
        assert pairs[f"U_{chain}"].to_list() == pytest.approx(pairs[f"U_{chain}_city"].to_list(), abs=1e-12), chain
    assert own.scores["D"].to_list() == pytest.approx(city.scores["D"].to_list(), abs=1e-12)


def test_entropy_option_gives_the_near_constant_student_teacher_ratio_no_weight(hub: HubSnapshot, system) -> None:  # type: ignore[no-untyped-def]
    result = analyse_four_chains(hub, system, level="city", regions=[CITY], weighting="entropy")
    weights = dict(result.weights.select("indicator", "weight").iter_rows())
    cv = dict(result.weights.select("indicator", "cv").iter_rows())
    assert cv["edu_student_teacher_ratio"] < 0.01 and weights["edu_student_teacher_ratio"] == 0.0
    assert weights["edu_funding_per_student"] > 0
    assert any("生师比" in w for w in result.warnings) and "熵权" in result.weighting_description
    chains = result.weights.group_by("chain").agg(pl.col("weight").sum())["weight"].to_list()
    assert chains == pytest.approx([1.0] * 4)


def test_d_comes_with_its_sensitivity_band(city: FourChainResult) -> None:
    s = city.scores
    assert ((s["D_low"] <= s["D"] + 1e-12) & (s["D"] <= s["D_high"] + 1e-12)).all()
    assert (s["D_high"] > s["D_low"]).all()
    assert set(s["D_low_variant"].to_list() + s["D_high_variant"].to_list()) <= {
        f"{n}/{m}" for n in ("benchmark", "panel", "window") for m in ("wang", "classic", "fan")}
    assert city.band["variants"] == ["benchmark", "panel", "window"] and "9" in city.band["description"]


def test_window_is_an_option_with_a_warning(hub: HubSnapshot, system, city: FourChainResult) -> None:  # type: ignore[no-untyped-def]
    window = analyse_four_chains(hub, system, level="city", regions=[CITY], normalisation="window")
    assert any("不同版本的结果不可比较" in w for w in window.warnings)
    assert (window.scores["D"] > 0).all()  # rescaled into [a, 1 − a]: the worst year is not 0 by construction
    assert window.scores["D"].to_list() != pytest.approx(city.scores["D"].to_list())
    with pytest.raises(InvalidInput, match="benchmark"):
        analyse_four_chains(hub, system, level="city", regions=[CITY], normalisation="zscore")


def test_rebase_writes_a_new_release_and_says_what_changed(hub: HubSnapshot, system, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text, source = current_text(None)
    result = rebase(text, ["inn_rd_intensity.target=5.0", "inn_rd_intensity.source=测试"], "test.2", source)
    changed = {(r["indicator"], r["field"]): (r["old"], r["new"]) for r in result.changes.iter_rows(named=True)}
    assert changed[("", "release")] == (system.release, "test.2")
    assert changed[("inn_rd_intensity", "target")] == ("2.65", "5")
    assert ("inn_rd_intensity", "source") in changed and len(changed) == 3
    assert "# 四链指标体系" in result.text  # comments kept
    effect = effect_on_d(hub, system, result.system, CITY, {})
    assert (effect["change"] < 0).all()  # a higher R&D target lowers every year's D
    with pytest.raises(InvalidInput, match=system.release):
        rebase(text, [], system.release, source)
    with pytest.raises(InvalidInput, match="inn_rd_intensity"):
        rebase(text, ["inn_rd_intensity.target=-1"], "test.3", source)
