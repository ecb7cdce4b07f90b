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


def with_demand_keys(postings: pl.DataFrame) -> pl.DataFrame:
    """Postings with ``region_code``, ``skill_level`` and ``salary_mid`` (the aggregation keys and value)."""
    return postings.with_columns(
        pl.coalesce("county_code", "city_code").alias("region_code"),
        pl.col("title").str.replace_all("工程", "").str.extract(f"({_SKILL_RE.pattern})", 1)
        .replace_strict(dict(SKILL_WORDS), default="不限", return_dtype=pl.String).fill_null("不限").alias("skill_level"),
        pl.when(pl.col("salary_low").is_not_null() & pl.col("salary_high").is_not_null())
        .then((pl.col("salary_low") + pl.col("salary_high")) / 2)
        .otherwise(pl.coalesce("salary_low", "salary_high")).alias("salary_mid"),
    )


def aggregate_postings(postings: pl.DataFrame) -> pl.DataFrame:
    """Demand records from deduplicated, classified postings (rows without occupation, region or month are left
    out and counted by the caller): ``postings``, ``reposts``, salary quantiles p25/p50/p75 (linear interpolation)."""
    usable = postings.drop_nulls(["occupation_code", "region_code", "period"])
    salary = pl.col("salary_mid")
    return (usable.group_by(*AGGREGATE_KEYS).agg(
        pl.len().alias("postings"), pl.col("reposts").sum().alias("reposts"),
        salary.quantile(0.25, "linear").alias("salary_p25"), salary.quantile(0.5, "linear").alias("salary_p50"),
        salary.quantile(0.75, "linear").alias("salary_p75"), salary.count().alias("salary_n"))
        .sort(*AGGREGATE_KEYS))
