"""The complete-year rule: a year with few reporting units, or a calendar year not yet ended, is provisional."""

from __future__ import annotations

import polars as pl
import pytest

from silian.analytics.completeness import (
    CompletenessRule,
    complete_years,
    provisional_years,
    table_coverage,
    units_by_year,
    year_status,
)


def _declared(rows: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame({"source": ["declared"] * len(rows), "period": [p for p, _ in rows],
                         "enterprise_credit_code": [e for _, e in rows]})


def test_a_few_rows_from_one_enterprise_make_a_provisional_year() -> None:
    rows = [(str(y), f"E{i:03d}") for y in (2021, 2022, 2023, 2024) for i in range(40)]
    rows += [("2025-03", "E001")] * 4  # four rows of 2025 from one enterprise
    coverage = table_coverage({"demand": _declared(rows)}, CompletenessRule(current_year=2030))
    row = coverage.filter(pl.col("year") == 2025).row(0, named=True)
    assert (row["units"], row["typical"], row["status"], row["reason"]) == (1, 40.0, "provisional", "few_units")
    assert complete_years(coverage, "demand") == [2021, 2022, 2023, 2024]
    assert provisional_years(coverage, "demand") == [2025]


def test_a_year_that_has_not_ended_is_provisional_for_calendar_tables_only() -> None:
    rows = [(str(y), f"E{i:03d}") for y in (2025, 2026) for i in range(10)]
    points = pl.DataFrame({"year": [2025] * 3 + [2026] * 3, "institution_code": ["a", "b", "c"] * 2})
    coverage = table_coverage({"demand": _declared(rows), "major_points": points}, CompletenessRule(current_year=2026))
    assert provisional_years(coverage, "demand") == [2026]
    assert coverage.filter((pl.col("table") == "demand/declared") & (pl.col("year") == 2026))["reason"][0] == "year_not_ended"
    assert complete_years(coverage, "major_points") == [2025, 2026]


def test_the_typical_year_is_the_median_of_the_window_before_it() -> None:
    status = year_status({2019: 100, 2020: 10, 2021: 90, 2022: 95, 2023: 44}, CompletenessRule(min_share=0.5, window=3))
    by_year = {r["year"]: r for r in status}
    assert by_year[2019]["typical"] is None and by_year[2019]["status"] == "complete"  # first year: no reference
    assert by_year[2020]["status"] == "provisional"                    # 10 of 100
    assert by_year[2021]["typical"] == 55.0                            # median(100, 10)
    assert by_year[2023]["typical"] == 90.0 and by_year[2023]["status"] == "provisional"  # 44 < 0.5 × median(10, 90, 95)


def test_units_count_distinct_values_or_rows() -> None:
    frame = pl.DataFrame({"year": [1, 1, 1, 2], "school": ["a", "a", "b", None]})
    assert units_by_year(frame, "year", "school") == {1: 2, 2: 1}
    assert units_by_year(frame, "year", "rows") == {1: 3, 2: 1}


@pytest.mark.parametrize("bad", [{"min_share": 0.0}, {"min_share": 1.5}, {"window": 0}])
def test_a_rule_out_of_range_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        CompletenessRule(**bad)  # type: ignore[arg-type]
