"""The region × year indicator panel: every indicator of the system evaluated from the hub's tables.

Each record is attributed to a region (its own ``region_code``, or the county of its school) and to that
region's parent when the region is a county or functional zone, so a city's value is the sum over its
counties plus what is recorded for the city itself; ``distinct`` counts are taken after that roll-up, so an
enterprise cooperating with two counties counts once for the city. Cooperation counts in every year from
``start_year`` to ``end_year`` (open-ended: up to the last year in the data); demand in the year of its
period. A ratio whose denominator is 0 or missing is missing, never 0.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from silian.domain.indicators import Aggregate, IndicatorSpec, aggregate_of

COUNTY_LEVELS = ("县", "功能区")
LEVEL_OF = {"city": ("市",), "county": COUNTY_LEVELS, "province": ("省",)}
SCHOOL_TABLES = ("institution_resources", "major_points", "funding", "innovation", "cooperation")
REGION_TABLES = ("industry_stats", "regional_economy", "demand")


@dataclass(frozen=True)
class PanelInputs:
    """What the panel needs: hub tables by name, regions and schools, key industries and majors' key weight."""

    tables: Mapping[str, pl.DataFrame]
    key_industries: tuple[str, ...] = ()
    major_key_weight: Mapping[str, float] | None = None

    @property
    def regions(self) -> pl.DataFrame:
        return self.tables["regions"]


def attributed(inputs: PanelInputs, table: str) -> pl.DataFrame:
    """Rows of ``table`` with ``region_code`` (own region and parent, one row each) and ``year``."""
    frame = _with_year(inputs, table, inputs.tables[table])
    if table in SCHOOL_TABLES:
        schools = inputs.tables["institutions"].select(
            pl.col("code").alias("institution_code"), pl.col("county_code").alias("region_code"),
            pl.col("level").alias("school_level"))
        frame = frame.join(schools, on="institution_code", how="inner")
    if table == "major_points":
        weights = inputs.major_key_weight or {}
        frame = frame.with_columns(pl.col("major_code").replace_strict(
            weights, default=0.0, return_dtype=pl.Float64).alias("key_industry_weight"))
    return _with_parents(inputs.regions, frame)


def _with_year(inputs: PanelInputs, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    if table == "demand":
        return frame.with_columns(pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("year"))
    if table == "cooperation":
        last = last_year(inputs)
        end = pl.min_horizontal(pl.col("end_year").fill_null(last), pl.lit(last))
        return (frame.with_columns(pl.int_ranges("start_year", end + 1).alias("year"))
                .explode("year").filter(pl.col("year").is_not_null()))
    return frame


def last_year(inputs: PanelInputs) -> int:
    """The last year any yearly school table reaches (the open end of ongoing cooperation)."""
    years = [int(f["year"].max()) for n in ("major_points", "institution_resources")  # type: ignore[arg-type]
             if (f := inputs.tables.get(n)) is not None and f.height]
    return max(years) if years else 2100


def _with_parents(regions: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    parents = regions.filter(pl.col("level").is_in(COUNTY_LEVELS)).select(
        pl.col("code").alias("region_code"), pl.col("parent_code").alias("_parent"))
    rolled = (frame.join(parents, on="region_code", how="inner")
              .with_columns(pl.col("_parent").alias("region_code")).drop("_parent"))
    return pl.concat([frame, rolled], how="vertical_relaxed")


def aggregate(inputs: PanelInputs, term: Aggregate, cache: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``term`` by region and year: columns ``region_code``, ``year``, ``value``."""
    if term.table not in cache:
        cache[term.table] = attributed(inputs, term.table)
    frame = cache[term.table]
    for name, value in term.filters:
        if name == "key_industry":
            in_key = pl.col("industry_code").is_in(list(inputs.key_industries))
            frame = frame.filter(in_key if value else ~in_key)
        elif name == "level":
            frame = frame.filter(pl.col("school_level") == value)
        else:
            frame = frame.filter(pl.col(name) == value)
    expr = {"sum": pl.col(term.field or "").sum(), "count": pl.len(),
            "distinct": pl.col(term.field or "").drop_nulls().filter(pl.col(term.field or "") != "").n_unique()}[term.func]
    return frame.group_by("region_code", "year").agg(expr.cast(pl.Float64).alias("value"))


def evaluate(inputs: PanelInputs, indicators: tuple[IndicatorSpec, ...], regions: list[str] | None = None,
             level: str = "city") -> pl.DataFrame:
    """The panel: one row per region × year, one column per indicator (missing where it cannot be computed).

    Rows are the regions of ``level`` (or the given ``regions``) and the years where at least one
    indicator has a value; the caller decides how to treat missing cells.
    """
    cache: dict[str, pl.DataFrame] = {}
    values: dict[str, pl.DataFrame] = {}
    for spec in indicators:
        terms = {a: aggregate(inputs, a, cache) for a in spec.formula.aggregates}
        values[spec.key] = _compute(spec.formula.tree, terms)
    wanted = regions or inputs.regions.filter(pl.col("level").is_in(LEVEL_OF[level]))["code"].to_list()
    keys = (pl.concat([f.select("region_code", "year") for f in values.values()]).unique()
            .filter(pl.col("region_code").is_in(wanted)))
    panel = keys
    for key, frame in values.items():
        panel = panel.join(frame.rename({"value": key}), on=["region_code", "year"], how="left")
    return panel.sort("region_code", "year")


def _compute(node: ast.expr, terms: dict[Aggregate, pl.DataFrame]) -> pl.DataFrame:
    """Evaluate the formula tree on frames keyed by region and year (outer join; missing stays missing)."""
    if isinstance(node, ast.Constant):
        return pl.DataFrame({"region_code": [None], "year": [None], "value": [float(node.value)]},  # type: ignore[arg-type]
                            schema={"region_code": pl.String, "year": pl.Int64, "value": pl.Float64})
    if isinstance(node, ast.UnaryOp):
        inner = _compute(node.operand, terms)
        return inner.with_columns(-pl.col("value"))
    if isinstance(node, ast.Call):
        return next(frame for term, frame in terms.items() if _same_call(term, node))
    assert isinstance(node, ast.BinOp)
    return _combine(_compute(node.left, terms), _compute(node.right, terms), node.op)


def _same_call(term: Aggregate, node: ast.Call) -> bool:
    return aggregate_of("", "", node) == term


def _combine(left: pl.DataFrame, right: pl.DataFrame, op: ast.operator) -> pl.DataFrame:
    scalar_left, scalar_right = left.height == 1 and left["region_code"][0] is None, \
        right.height == 1 and right["region_code"][0] is None  # (an empty side is not a scalar)
    if scalar_left and scalar_right:
        return left.with_columns(value=_apply(pl.lit(left["value"][0]), pl.lit(right["value"][0]), op))
    if scalar_left or scalar_right:
        frame, scalar = (right, left["value"][0]) if scalar_left else (left, right["value"][0])
        a, b = (pl.lit(scalar), pl.col("value")) if scalar_left else (pl.col("value"), pl.lit(scalar))
        return frame.with_columns(value=_apply(a, b, op))
    joined = left.join(right, on=["region_code", "year"], how="full", coalesce=True, suffix="_r")
    # sums over no rows are 0 for + and −, but a ratio needs both sides
    if isinstance(op, ast.Add | ast.Sub):
        a, b = pl.col("value").fill_null(0.0), pl.col("value_r").fill_null(0.0)
    else:
        a, b = pl.col("value"), pl.col("value_r")
    return joined.select("region_code", "year", _apply(a, b, op).alias("value"))


def _apply(a: pl.Expr, b: pl.Expr, op: ast.operator) -> pl.Expr:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    return pl.when(b == 0).then(None).otherwise(a / b)
