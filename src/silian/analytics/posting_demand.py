"""Classified postings → demand records: occupation × region × month × skill level, with salary quantiles.

The same function runs on every engine (the local engine calls it on the deduplicated postings; the Spark engine
runs the equivalent groupBy and is tested to give identical aggregates). Region = the county when the posting
names one, else the city. Salary = the monthly midpoint (low and high averaged; one side when only one is given).
"""

from __future__ import annotations

import re

import polars as pl

SKILL_WORDS = (("高级技师", "高级技师"), ("技师", "技师"), ("高级工", "高级工"), ("中级工", "中级工"), ("初级工", "初级工"),
               ("普工", "初级工"), ("学徒", "初级工"))
_SKILL_RE = re.compile("|".join(w for w, _ in SKILL_WORDS))
AGGREGATE_KEYS = ("occupation_code", "region_code", "period", "skill_level")


def skill_level_of(title: str) -> str:
    """The 技能等级 a title names (``数控车床高级技师`` → 高级技师; ``高级工程师`` names none), else ``不限``."""
    found = _SKILL_RE.search((title or "").replace("工程", ""))
    if not found:
        return "不限"
    return dict(SKILL_WORDS)[found.group(0)]


def region_expr() -> pl.Expr:
    """The posting's region: the county when named, else the city."""
    return pl.coalesce("county_code", "city_code").alias("region_code")


def skill_level_expr(title: str = "title") -> pl.Expr:
    """The 技能等级 named in the title column (:func:`skill_level_of` as an expression)."""
    return (pl.col(title).str.replace_all("工程", "").str.extract(f"({_SKILL_RE.pattern})", 1)
            .replace_strict(dict(SKILL_WORDS), default="不限", return_dtype=pl.String).fill_null("不限").alias("skill_level"))


def salary_mid_expr() -> pl.Expr:
    """The monthly midpoint: low and high averaged, one side when only one is given."""
    return (pl.when(pl.col("salary_low").is_not_null() & pl.col("salary_high").is_not_null())
            .then((pl.col("salary_low") + pl.col("salary_high")) / 2)
            .otherwise(pl.coalesce("salary_low", "salary_high")).alias("salary_mid"))


def with_demand_keys(postings: pl.DataFrame) -> pl.DataFrame:
    """Postings with ``region_code``, ``skill_level`` and ``salary_mid`` (the aggregation keys and value)."""
    return postings.with_columns(region_expr(), skill_level_expr(), salary_mid_expr())


def aggregate_postings(postings: pl.DataFrame) -> pl.DataFrame:
    """Demand records from deduplicated, classified postings (rows without occupation, region or month are left
    out and counted by the caller): ``postings``, ``reposts``, salary quantiles p25/p50/p75 (linear interpolation).

    ``period`` may be text (``2024-03``) or a date (any day of the month; the local engine groups on the first of
    the month and formats it here) and ``region_code`` text or categorical: the records always hold text."""
    usable = postings.drop_nulls(["occupation_code", "region_code", "period"])
    salary = pl.col("salary_mid")
    grouped = usable.group_by(*AGGREGATE_KEYS).agg(
        pl.len().alias("postings"), pl.col("reposts").sum().alias("reposts"),
        salary.quantile(0.25, "linear").alias("salary_p25"), salary.quantile(0.5, "linear").alias("salary_p50"),
        salary.quantile(0.75, "linear").alias("salary_p75"), salary.count().alias("salary_n"))
    as_text = []
    if grouped.schema["period"] == pl.Date:
        as_text.append(pl.col("period").dt.strftime("%Y-%m"))
    for name in AGGREGATE_KEYS:
        if grouped.schema[name] == pl.Categorical:
            as_text.append(pl.col(name).cast(pl.String))
    return grouped.with_columns(as_text).sort(*AGGREGATE_KEYS) if as_text else grouped.sort(*AGGREGATE_KEYS)


SUMMARY_SCHEMA = {"dimension": pl.String, "key": pl.String, "postings": pl.UInt32, "salary_n": pl.UInt32,
                  "salary_p25": pl.Float64, "salary_p50": pl.Float64, "salary_p75": pl.Float64}


def salary_summary(postings: pl.DataFrame, regions: frozenset[str] | None = None) -> pl.DataFrame:
    """Exact salary quantiles (linear) of the postings counted in demand records — overall (``dimension`` =
    ``all``), per occupation and per region — limited to ``regions`` when given (the hub's regions, when the
    records are loaded). Quantiles of groups cannot be combined afterwards, so they are taken here, from the
    postings themselves."""
    usable = postings.drop_nulls(["occupation_code", "region_code", "period"])
    if regions is not None:
        usable = usable.filter(pl.col("region_code").cast(pl.String).is_in(sorted(regions)))
    salary = pl.col("salary_mid")
    stats = (pl.len().alias("postings"), salary.count().alias("salary_n"), salary.quantile(0.25, "linear").alias("salary_p25"),
             salary.quantile(0.5, "linear").alias("salary_p50"), salary.quantile(0.75, "linear").alias("salary_p75"))
    parts = [usable.select(pl.lit("all").alias("dimension"), pl.lit("").alias("key"), *stats)]
    for dimension, column in (("occupation", "occupation_code"), ("region", "region_code")):
        parts.append(
            usable.group_by(column)
            .agg(*stats)
            .select(
                pl.lit(dimension).alias("dimension"),
                pl.col(column).cast(pl.String).alias("key"),
                "postings",
                "salary_n",
                "salary_p25",
                "salary_p50",
                "salary_p75",
            )
        )
    frame = pl.concat([p.select(list(SUMMARY_SCHEMA)).cast(SUMMARY_SCHEMA) for p in parts])  # type: ignore[arg-type]
    return frame.filter(pl.col("postings") > 0).sort("dimension", "key")
