"""Raw posting rows → canonical postings: parsed salary, education, experience, place and date, the raw record
kept as JSON, problems listed per row, and reposts removed.

Parsers run once per **distinct** value of a column and are joined back, so a batch of a million postings with a
few thousand distinct salary texts costs a few thousand parser calls; with a :class:`ParseCache` (the local engine
keeps one for the whole file) a value seen in an earlier batch is not parsed again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from silian.ingest.postings.mapping import ColumnMapping
from silian.ingest.postings.parse import parse_date, parse_education, parse_experience, parse_salary
from silian.ingest.postings.places import PlaceResolver

_TITLE_NOISE = re.compile(r"^(急招|诚聘|高薪招聘|招聘|急聘|直招)[:：\s]*|[（(]\s*(急招|急聘|高薪|双休|五险一金)[^)）]*[)）]")

CANONICAL_SCHEMA = {
    "posting_key": pl.UInt64, "title": pl.String, "description": pl.String, "company": pl.String, "industry_text": pl.String,
    "salary_low": pl.Float64, "salary_high": pl.Float64, "salary_months": pl.Int64, "salary_negotiable": pl.Boolean,
    "education": pl.String, "experience_min": pl.Float64, "experience_max": pl.Float64,
    "province_code": pl.String, "city_code": pl.String, "county_code": pl.String, "posted": pl.Date, "period": pl.String,
    "url": pl.String, "raw": pl.String, "problems": pl.List(pl.String),
}


def clean_title(title: str) -> str:
    """``招聘数据分析师（急招）`` → ``数据分析师``: recruiting noise removed, spaces collapsed."""
    return re.sub(r"\s+", " ", _TITLE_NOISE.sub("", title or "")).strip()


class ParseCache:
    """Parsed values of earlier batches, per column (a lookup table keyed ``_key``); a column whose table grows
    past ``max_values`` starts afresh, so memory stays bounded on any input. One cache serves one file (its
    column mapping and place resolver)."""

    def __init__(self, max_values: int = 1_000_000) -> None:
        self.max_values = max_values
        self.tables: dict[str, pl.DataFrame] = {}


def _parse_table(values: list[str], parse: Callable[[str], dict[str, Any]],
                 schema: Mapping[str, type[pl.DataType] | pl.DataType]) -> pl.DataFrame:
    rows = [{"_key": v, **parse(v)} for v in values]
    return pl.DataFrame(rows, schema={"_key": pl.String, **schema}) if rows else pl.DataFrame(schema={"_key": pl.String, **schema})


def _lookup(frame: pl.DataFrame, column: str, parse: Callable[[str], dict[str, Any]],
            schema: Mapping[str, type[pl.DataType] | pl.DataType],
            cache: ParseCache | None = None) -> pl.DataFrame:
    values = frame.get_column(column).drop_nulls().unique()
    if cache is None:
        return _parse_table(values.to_list(), parse, schema)
    known = cache.tables.get(column)
    if known is None or known.height > cache.max_values:
        known = _parse_table(values.to_list(), parse, schema)
    else:
        new = values.filter(~values.is_in(known.get_column("_key").implode()))
        if new.len():
            known = pl.concat([known, _parse_table(new.to_list(), parse, schema)])
    cache.tables[column] = known
    return known


def _parsed(frame: pl.DataFrame, column: str, table: pl.DataFrame) -> pl.DataFrame:
    """The parsed columns of ``column``, row by row (only the key column is joined, not the whole frame)."""
    return (frame.select(column).join(table, left_on=column, right_on="_key", how="left", maintain_order="left")
            .drop(column))


def _salary_text(m: ColumnMapping) -> pl.Expr:
    if m.salary:
        return pl.col(m.salary)
    if m.salary_low:
        low = pl.col(m.salary_low)
        high = pl.col(m.salary_high) if m.salary_high else pl.lit(None, pl.String)
        return pl.when(high.is_null() | (high.str.strip_chars() == "")).then(low).otherwise(low + "-" + high)
    return pl.lit(None, pl.String)


def _city_text(m: ColumnMapping) -> pl.Expr:
    if not m.city:
        return pl.lit(None, pl.String)
    cols = [pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)) for c in m.city]
    first = pl.coalesce(cols)
    if m.county:
        return pl.when(pl.col(m.county).is_not_null() & first.is_not_null()).then(first + "-" + pl.col(m.county)).otherwise(first)
    return first


def normalise(raw: pl.DataFrame, m: ColumnMapping, places: PlaceResolver, *, cache: ParseCache | None = None,
              raw_json: bool = True) -> pl.DataFrame:
    """Canonical postings (schema ``CANONICAL_SCHEMA``) from raw string columns, one row per input row, in the
    input's order.

    ``cache`` keeps parsed values across batches; ``raw_json=False`` leaves ``raw`` empty (the local engine needs
    the raw record only for the sample of problem rows)."""
    col = lambda name: pl.col(name) if name else pl.lit(None, pl.String)
    base = raw.select(
        (pl.struct(raw.columns).struct.json_encode() if raw_json else pl.lit(None, pl.String)).alias("raw"),
        col(m.title).fill_null("").alias("_title"),
        col(m.description).alias("description"), col(m.company).alias("company"), col(m.industry_text).alias("industry_text"),
        col(m.url).alias("url"), _salary_text(m).alias("_salary"), col(m.months).alias("_months"),
        col(m.education).alias("_education"), col(m.experience).alias("_experience"), _city_text(m).alias("_place"),
        col(m.date).alias("_date"),
    )
    unit = m.salary_unit
    titles = _lookup(base, "_title", lambda v: {"title": clean_title(v)}, {"title": pl.String}, cache)
    salary = _lookup(base, "_salary", lambda v: _salary_row(v, unit), {
        "salary_low": pl.Float64, "salary_high": pl.Float64, "_months_text": pl.Int64, "salary_negotiable": pl.Boolean,
        "_salary_reason": pl.String}, cache)
    education = _lookup(
        base,
        "_education",
        lambda v: {"education": (e := parse_education(v)).level, "_education_reason": e.reason},
        {"education": pl.String, "_education_reason": pl.String},
        cache,
    )
    experience = _lookup(base, "_experience", lambda v: {"experience_min": (e := parse_experience(v)).min_years,
                                                         "experience_max": e.max_years, "_experience_reason": e.reason},
                         {"experience_min": pl.Float64, "experience_max": pl.Float64, "_experience_reason": pl.String}, cache)
    place = _lookup(
        base,
        "_place",
        lambda v: {
            "province_code": (p := places.resolve(v)).province_code,
            "city_code": p.city_code,
            "county_code": p.county_code,
            "_place_reason": p.reason,
        },
        {"province_code": pl.String, "city_code": pl.String, "county_code": pl.String, "_place_reason": pl.String},
        cache,
    )
    dates = _lookup(base, "_date", lambda v: {"posted": (d := parse_date(v))[0], "_date_reason": d[1]},
                    {"posted": pl.Date, "_date_reason": pl.String}, cache)
    out = pl.concat([base, *(_parsed(base, column, table) for column, table in (
        ("_title", titles), ("_salary", salary), ("_education", education), ("_experience", experience), ("_place", place),
        ("_date", dates)))], how="horizontal")
    months = pl.col("_months").cast(pl.Int64, strict=False)
    problems = pl.concat_list([
        pl.when(pl.col("title") == "").then(pl.lit("title: empty")),
        *[pl.when(pl.col(f"{name}").is_not_null() & (pl.col(f"_{field}_reason").fill_null("") != ""))
          .then(pl.lit(f"{field}: ") + pl.col(f"_{field}_reason"))
          for name, field in (("_salary", "salary"), ("_education", "education"), ("_experience", "experience"),
                              ("_place", "place"), ("_date", "date"))],
    ]).list.drop_nulls()
    out = out.with_columns(
        pl.coalesce(months, pl.col("_months_text")).alias("salary_months"),
        pl.col("posted").dt.strftime("%Y-%m").alias("period"), problems.alias("problems"))
    out = out.with_columns(pl.struct("title", "company", "city_code", "salary_low", "salary_high").hash(seed=7).alias("posting_key"))
    return out.select(list(CANONICAL_SCHEMA))


def _salary_row(text: str, unit: str) -> dict[str, Any]:
    s = parse_salary(text, default_unit=unit)
    return {"salary_low": s.low, "salary_high": s.high, "_months_text": s.months, "salary_negotiable": s.negotiable,
            "_salary_reason": s.reason}


def deduplicate(postings: pl.DataFrame) -> pl.DataFrame:
    """One row per posting key (same cleaned title, company, city and salary): the earliest, with ``reposts``
    = how many times it appeared."""
    return (postings.sort("posted", nulls_last=True, maintain_order=True)
            .group_by("posting_key", maintain_order=True)
            .agg(pl.all().first(), pl.len().alias("reposts")))
