"""The indicator formula language and the region × year panel, on hand-checkable toy tables."""

from __future__ import annotations

import polars as pl
import pytest

from silian.analytics.panel import PanelInputs, evaluate
from silian.domain.errors import InvalidInput
from silian.domain.indicators import build_system, parse_formula

REGIONS = pl.DataFrame({"code": ["410100", "410102", "410103", "320500"], "level": ["市", "县", "县", "市"],
                        "parent_code": ["410000", "410100", "410100", "320000"]})
SCHOOLS = pl.DataFrame({"code": ["S1", "S2", "S3"], "county_code": ["410102", "410103", "410103"],
                        "level": ["中职", "中职", "高职专科"]})
POINTS = pl.DataFrame({
    "institution_code": ["S1", "S2", "S3", "S1"], "major_code": ["660103", "530302", "460103", "660103"],
    "year": [2023, 2023, 2023, 2024], "students": [100, 300, 600, 120], "graduates": [30, 90, 200, 40],
})
RESOURCES = pl.DataFrame({"institution_code": ["S1", "S2", "S3"], "year": [2023] * 3, "teachers": [10, 20, 0]})
STATS = pl.DataFrame({"region_code": ["410100", "410100", "410100"], "year": [2023] * 3,
                      "industry_code": ["34", "52", "39"], "value_added": [10.0, 5.0, 20.0]})
COOP = pl.DataFrame({"institution_code": ["S1", "S2", "S3"], "enterprise_credit_code": ["E1", "E1", "E2"],
                     "start_year": [2022, 2023, 2024], "end_year": [None, 2023, None]})


def inputs(**extra: pl.DataFrame) -> PanelInputs:
    tables = {"regions": REGIONS, "institutions": SCHOOLS, "major_points": POINTS, "institution_resources": RESOURCES,
              "industry_stats": STATS, "cooperation": COOP, **extra}
    return PanelInputs(tables=tables, key_industries=("34", "39"), major_key_weight={"660103": 0.5, "460103": 1.0})


def spec_system(*formulas: tuple[str, str]) -> tuple:  # type: ignore[type-arg]
    chains = ["education", "talent", "industry", "innovation"]
    raw = {"indicators": [{"key": k, "chain": chains[i % 4], "formula": f} for i, (k, f) in enumerate(formulas)]}
    while len(raw["indicators"]) < 4:
        raw["indicators"].append({"key": f"pad{len(raw['indicators'])}", "chain": chains[len(raw["indicators"])],
                                  "formula": "count(major_points)"})
    return build_system(raw).indicators


def value(panel: pl.DataFrame, region: str, year: int, key: str) -> float | None:
    return panel.filter((pl.col("region_code") == region) & (pl.col("year") == year))[key][0]


def test_sums_roll_up_from_counties_to_the_city() -> None:
    specs = spec_system(("students", "sum(major_points.students)"))
    city = evaluate(inputs(), specs, level="city")
    county = evaluate(inputs(), specs, level="county")
    assert value(county, "410102", 2023, "students") == 100
    assert value(county, "410103", 2023, "students") == 900
    assert value(city, "410100", 2023, "students") == 1000
    assert value(city, "410100", 2024, "students") == 120
    assert set(city["region_code"]) == {"410100"}  # 320500 has no data, so no rows


def test_ratio_with_zero_denominator_is_missing_not_zero() -> None:
    specs = spec_system(("ratio", "sum(major_points.students) / sum(institution_resources.teachers)"))
    county = evaluate(inputs(), specs, level="county")
    assert value(county, "410102", 2023, "ratio") == 10.0          # 100 / 10
    assert value(county, "410103", 2023, "ratio") == 900 / 20      # S3 has 0 teachers, S2 has 20
    city = evaluate(inputs(), specs, level="city")
    assert value(city, "410100", 2023, "ratio") == pytest.approx(1000 / 30)
    assert value(city, "410100", 2024, "ratio") is None            # no teachers reported in 2024


def test_filters_level_and_key_industry_and_derived_weight() -> None:
    specs = spec_system(("sec", "sum(major_points.students, level=\"中职\")"),
                        ("key_va", "sum(industry_stats.value_added, key_industry=true)"),
                        ("key_share", "100 * sum(major_points.key_industry_weight) / count(major_points)"))
    city = evaluate(inputs(), specs, level="city")
    assert value(city, "410100", 2023, "sec") == 400
    assert value(city, "410100", 2023, "key_va") == 30.0
    assert value(city, "410100", 2023, "key_share") == pytest.approx(100 * 1.5 / 3)


def test_distinct_counts_after_roll_up_and_cooperation_spans_years() -> None:
    specs = spec_system(("firms", "distinct(cooperation.enterprise_credit_code)"))
    city = evaluate(inputs(), specs, level="city")
    county = evaluate(inputs(), specs, level="county")
    assert value(county, "410102", 2023, "firms") == 1 and value(county, "410103", 2023, "firms") == 1
    assert value(city, "410100", 2023, "firms") == 1               # E1 with two counties counts once
    assert value(city, "410100", 2024, "firms") == 2               # S1's open-ended E1 and S3's E2 in 2024
    assert value(city, "410100", 2022, "firms") == 1


def test_constants_and_arithmetic() -> None:
    specs = spec_system(("x", "-(2 * sum(major_points.graduates) - 10) / 4 + 1"))
    city = evaluate(inputs(), specs, level="city")
    assert value(city, "410100", 2023, "x") == -(2 * 320 - 10) / 4 + 1


@pytest.mark.parametrize("formula", ["sum(nosuch.table)", "sum(major_points.nosuch)", "max(major_points.students)",
                                     "sum(major_points.students) ** 2", "import os", "sum(major_points.students, bogus=1)"])
def test_bad_formulas_are_rejected_with_the_indicator_named(formula: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_formula("my_indicator", formula)
    assert "my_indicator" in err.value.message


def test_a_system_needs_every_chain_and_unique_keys() -> None:
    one = {"key": "a", "chain": "education", "formula": "count(major_points)"}
    with pytest.raises(InvalidInput):
        build_system({"indicators": [one]})
    with pytest.raises(InvalidInput):
        build_system({"indicators": [one, one]})
    with pytest.raises(InvalidInput):
        build_system({"indicators": [{**one, "direction": "up"}]})


def test_a_ratio_with_an_empty_side_is_empty_not_an_error() -> None:
    """A hub with no rows for one side of a formula (e.g. no statistics yet): the indicator has no value, and the
    analysis does not crash on it."""
    import ast

    import polars as pl

    from silian.analytics.panel import _combine

    empty = pl.DataFrame(schema={"region_code": pl.String, "year": pl.Int64, "value": pl.Float64})
    some = pl.DataFrame({"region_code": ["410100"], "year": [2024], "value": [5.0]})
    assert _combine(some, empty, ast.Div())["value"].drop_nulls().len() == 0
    assert _combine(empty, empty, ast.Div()).height == 0
