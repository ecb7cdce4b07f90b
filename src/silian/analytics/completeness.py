"""Which years of a table are complete enough to be a headline or the end point of a trend.

A year is *provisional* when it has fewer reporting units than ``min_share`` of the typical year (the median of
the up to ``window`` years before it that have data), or, for tables counted by calendar period, when the year
has not ended yet (its year is the current year or later). The first year with data has no reference and counts
as complete. Provisional years are still shown, marked as such; they never become a headline or a trend's end.

The unit a table is counted in is part of the rule (see ``UNITS``): schools reporting for school tables,
enterprises declaring for declared demand, records for postings and statistics, industries for statistics by
industry. Four rows from one enterprise in a new year are then 1 unit against a typical year's hundreds.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import polars as pl

# table (or table/source) → what is counted per year: a column's distinct values, or "rows"
UNITS: dict[str, str] = {
    "major_points": "institution_code",
    "institution_resources": "institution_code",
    "funding": "institution_code",
    "innovation": "institution_code",
    "industry_stats": "industry_code",
    "demand/declared": "enterprise_credit_code",
    "demand/posting": "rows",
    "demand/statistics": "rows",
}
# tables whose year is a calendar period (a year that has not ended cannot be complete)
CALENDAR_TABLES = frozenset({"demand/declared", "demand/posting", "demand/statistics"})
STATUS_COMPLETE, STATUS_PROVISIONAL = "complete", "provisional"
COVERAGE_SCHEMA = {"table": pl.String, "year": pl.Int64, "units": pl.Int64, "typical": pl.Float64,
                   "share": pl.Float64, "status": pl.String, "reason": pl.String}


@dataclass(frozen=True)
class CompletenessRule:
    """``min_share`` of the typical year's units, the typical year being the median of ``window`` earlier years."""

    min_share: float = 0.5
    window: int = 3
    current_year: int | None = None  # calendar tables: this year and later are provisional (None: no such check)

    def __post_init__(self) -> None:
        if not 0.0 < self.min_share <= 1.0:
            raise ValueError(f"min_share must be in (0, 1], got {self.min_share}")
        if self.window < 1:
            raise ValueError(f"window must be at least 1, got {self.window}")


def units_by_year(frame: pl.DataFrame, year_column: str, unit: str) -> dict[int, int]:
    """Per year: the number of rows, or of distinct non-null values of ``unit`` (rows when none is given)."""
    if frame.height == 0:
        return {}
    if unit == "rows":
        counted = frame.group_by(year_column).agg(pl.len().alias("n"))
    else:
        counted = frame.group_by(year_column).agg(
            pl.when(pl.col(unit).is_not_null().any()).then(pl.col(unit).drop_nulls().n_unique()).otherwise(pl.len()).alias("n"))
    return {int(y): int(n) for y, n in counted.iter_rows()}


def year_status(counts: dict[int, int], rule: CompletenessRule, *, calendar: bool = False) -> list[dict[str, object]]:
    """One row per year with data: units, the typical year's units, their share, status and the reason."""
    rows: list[dict[str, object]] = []
    years = sorted(counts)
    for i, year in enumerate(years):
        earlier = [counts[y] for y in years[max(0, i - rule.window):i]]
        typical = float(statistics.median(earlier)) if earlier else None
        share = counts[year] / typical if typical else None
        status, reason = STATUS_COMPLETE, ""
        if calendar and rule.current_year is not None and year >= rule.current_year:
            status, reason = STATUS_PROVISIONAL, "year_not_ended"
        elif share is not None and share < rule.min_share:
            status, reason = STATUS_PROVISIONAL, "few_units"
        rows.append({"year": year, "units": counts[year], "typical": typical, "share": share, "status": status,
                     "reason": reason})
    return rows


def table_coverage(tables: dict[str, pl.DataFrame], rule: CompletenessRule) -> pl.DataFrame:
    """Coverage of every counted table (``demand`` per source) by year: see the module docstring."""
    rows: list[dict[str, object]] = []
    for key, unit in UNITS.items():
        name, _, source = key.partition("/")
        frame = tables.get(name)
        if frame is None or frame.height == 0:
            continue
        if source:
            frame = frame.filter(pl.col("source") == source).with_columns(
                pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("year"))
        if unit != "rows" and unit not in frame.columns:
            unit = "rows"
        status = year_status(units_by_year(frame, "year", unit), rule, calendar=key in CALENDAR_TABLES)
        rows += [{"table": key, **row} for row in status]
    return pl.DataFrame(rows, schema=COVERAGE_SCHEMA)


def _of_tables(coverage: pl.DataFrame, tables: tuple[str, ...]) -> pl.DataFrame:
    """The coverage rows of the named tables (``demand`` matches each of its sources); all rows when none named."""
    if not tables:
        return coverage
    return coverage.filter(pl.any_horizontal([(pl.col("table") == n) | pl.col("table").str.starts_with(f"{n}/")
                                              for n in tables]))


def provisional_years(coverage: pl.DataFrame, *tables: str) -> list[int]:
    """Years in which some named table is provisional."""
    wanted = _of_tables(coverage, tables)
    return sorted(set(wanted.filter(pl.col("status") == STATUS_PROVISIONAL)["year"].to_list()))


def complete_years(coverage: pl.DataFrame, *tables: str) -> list[int]:
    """Years in which every named table that has data is complete."""
    return sorted(set(_of_tables(coverage, tables)["year"].to_list()) - set(provisional_years(coverage, *tables)))
