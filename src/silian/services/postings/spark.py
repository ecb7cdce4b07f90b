"""The postings pipeline on Apache Spark: the same normalisation and classifier as the local engine, applied
to Arrow batches with ``mapInArrow``; deduplication and aggregation as Spark operations. Tests run it in local
mode and check that it gives exactly the local engine's aggregates. docs/postings.md says how to run it on a
cluster (``--master spark://host:7077`` or ``yarn``; the input on storage every executor can read).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from silian.analytics.posting_demand import AGGREGATE_KEYS, SUMMARY_SCHEMA, with_demand_keys
from silian.ingest.postings.mapping import ColumnMapping, choose_mapping
from silian.ingest.postings.normalise import ParseCache, normalise
from silian.ingest.postings.places import PlaceResolver
from silian.ingest.postings.reader import JSONL_SUFFIXES, detect_encoding
from silian.services.postings.local import (
    KEEP,
    REVIEW_THRESHOLD,
    Classifier,
    PipelineResult,
    pipeline_classifier,
    place_resolver,
)

RECORD_COLUMNS = ("posting_key", "title", "description", "company", "industry_text", "salary_low", "salary_high",
                  "salary_months", "salary_negotiable", "education", "experience_min", "experience_max", "province_code",
                  "city_code", "county_code", "posted", "period", "url", "problems", "raw")
KEEP_SCHEMA = "posting_key long, title string, region_code string, period string, skill_level string, " \
              "salary_mid double, posted date"
LABEL_SCHEMA = "title string, occupation_code string, occupation_name string, confidence double"
KEEP_ARROW = pa.schema([("posting_key", pa.int64()), ("title", pa.string()), ("region_code", pa.string()),
                        ("period", pa.string()), ("skill_level", pa.string()), ("salary_mid", pa.float64()),
                        ("posted", pa.date32()), ("n_problems", pa.int32()), ("problems", pa.list_(pa.string()))])
RECORD_SCHEMA = ("posting_key long, title string, description string, company string, industry_text string, "
                 "salary_low double, salary_high double, salary_months long, salary_negotiable boolean, education string, "
                 "experience_min double, experience_max double, province_code string, city_code string, county_code string, "
                 "posted date, period string, url string, problems array<string>, raw string")
_RECORD_TYPES = {"posting_key": pa.int64(), "salary_low": pa.float64(), "salary_high": pa.float64(),
                 "salary_months": pa.int64(), "salary_negotiable": pa.bool_(), "experience_min": pa.float64(),
                 "experience_max": pa.float64(), "posted": pa.date32(), "problems": pa.list_(pa.string())}
RECORD_ARROW = pa.schema([(c, _RECORD_TYPES.get(c, pa.string())) for c in RECORD_COLUMNS])
LABEL_ARROW = pa.schema([("title", pa.string()), ("occupation_code", pa.string()), ("occupation_name", pa.string()),
                         ("confidence", pa.float64())])


# Arrow batches of 100,000 rows (Spark's default is 10,000): the per-batch cost of parsing (one lookup per column)
# is paid ten times less often; a batch of raw postings is a few tens of MB in a Python worker.
SESSION_DEFAULTS = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "100000",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
}


def spark_session(master: str = "local[2]", app_name: str = "silian-postings", **conf: str) -> Any:
    """A SparkSession (local mode by default) with Arrow enabled."""
    import os
    import sys

    from pyspark.sql import SparkSession
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter (with silian installed)
    settings = {**SESSION_DEFAULTS, **conf}
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _read(spark: Any, path: Path) -> tuple[Any, str]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        frame = spark.read.json(str(path))
        return frame.select([frame[c].cast("string").alias(c) for c in frame.columns]), "jsonl"
    if suffix == ".parquet":
        frame = spark.read.parquet(str(path))
        return frame.select([frame[c].cast("string").alias(c) for c in frame.columns]), "parquet"
    encoding = detect_encoding(path)
    spark_encoding = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030"}[encoding]
    frame = spark.read.option("header", True).option("encoding", spark_encoding).option("inferSchema", False).csv(str(path))
    if encoding == "utf-8-sig":  # Spark keeps the BOM in the first header
        frame = frame.withColumnRenamed(frame.columns[0], frame.columns[0].lstrip("\ufeff"))
    return frame, encoding


def run_spark(path: Path, *, spark: Any = None, classifier: Classifier | None = None, preset: str | None = None,
              title_column: str | None = None, places: PlaceResolver | None = None,
              review_threshold: float = REVIEW_THRESHOLD, salary_regions: frozenset[str] | None = None,
              records: str | Path | None = None, confirmed: Mapping[str, str] | None = None,
              mapping: ColumnMapping | None = None) -> PipelineResult:
    """The pipeline on Spark; returns the same PipelineResult as the local engine. ``confirmed``: titles a
    reviewer confirmed (title key → code), answered before the model, as on the local engine.

    ``records`` (a path every executor can write: a local folder in local mode, HDFS or object storage on a cluster):
    every posting, raw and parsed, in ``records/postings`` and the classified titles in ``records/titles``
    (Parquet; like the local engine's records, keyed by title instead of title number and without row numbers,
    which a distributed read does not have). It costs a second normalisation pass."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window
    started = time.perf_counter()
    spark = spark or spark_session()
    places = places or place_resolver()
    classify = pipeline_classifier(classifier, confirmed)
    raw, source = _read(spark, path)
    mapping = mapping or choose_mapping(raw.columns, preset, title_column)
    columns = raw.columns

    def normalise_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cache = ParseCache()  # values parsed in earlier batches of this task are not parsed again
        for batch in batches:
            frame = pl.from_arrow(batch).select([pl.col(c).cast(pl.String) for c in columns])  # type: ignore[union-attr]
            canon = normalise(frame, mapping, places, cache=cache, raw_json=False)
            out = with_demand_keys(canon).select(KEEP).with_columns(pl.col("posting_key").reinterpret(signed=True))
            problems = canon.select(pl.col("problems").list.len().cast(pl.Int32).alias("n_problems"), "problems")
            table = pl.concat([out, problems], how="horizontal").to_arrow()
            yield from table.cast(KEEP_ARROW).to_batches()

    def record_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cache = ParseCache()
        for batch in batches:
            frame = pl.from_arrow(batch).select([pl.col(c).cast(pl.String) for c in columns])  # type: ignore[union-attr]
            canon = normalise(frame, mapping, places, cache=cache, raw_json=True)
            table = canon.select(*RECORD_COLUMNS).with_columns(pl.col("posting_key").reinterpret(signed=True)).to_arrow()
            yield from table.cast(RECORD_ARROW).to_batches()

    result = PipelineResult(engine="spark", source=source, mapping=mapping.name, source_name=str(path))
    keep = raw.mapInArrow(normalise_batches, KEEP_SCHEMA + ", n_problems int, problems array<string>").cache()
    counts = keep.agg(F.count("*").alias("rows"), F.sum((F.col("n_problems") > 0).cast("long")).alias("flagged")).first()
    result.rows, result.rows_with_problems = int(counts["rows"]), int(counts["flagged"] or 0)
    flagged = keep.filter(F.col("n_problems") > 0)
    result.problems_by_reason = {r["reason"]: int(r["n"]) for r in flagged.select(F.explode("problems").alias("reason"))
                                 .groupBy("reason").agg(F.count("*").alias("n")).orderBy(F.desc("n")).collect()}
    result.seconds["read_normalise"] = time.perf_counter() - started
    t0 = time.perf_counter()
    first = Window.partitionBy("posting_key").orderBy(F.col("posted").asc_nulls_last())
    unique = (
        keep.withColumn("_rank", F.row_number().over(first))
        .withColumn("reposts", F.count("*").over(Window.partitionBy("posting_key")))
        .filter(F.col("_rank") == 1)
        .drop("_rank", "n_problems", "problems")
    ).cache()
    result.postings = unique.count()
    result.duplicates_removed = result.rows - result.postings
    result.seconds["deduplicate"] = time.perf_counter() - t0
    t0 = time.perf_counter()

    def classify_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            titles = [x for x in batch.column(0).to_pylist() if x is not None]
            if titles:
                labels = classify(titles).select("title", "occupation_code", "occupation_name", "confidence")
                yield from labels.to_arrow().cast(LABEL_ARROW).to_batches()

    titles = unique.select("title").where(F.col("title").isNotNull()).distinct()
    result.distinct_titles = titles.count()
    labels = titles.mapInArrow(classify_batches, LABEL_SCHEMA)
    labelled = unique.join(labels, on="title", how="left").cache()
    if records is not None:
        base = str(records).rstrip("/")
        raw.mapInArrow(record_batches, RECORD_SCHEMA).write.mode("overwrite").parquet(f"{base}/postings")
        (labels.withColumn("needs_review", F.coalesce(F.col("confidence"), F.lit(0.0)) < review_threshold)
         .write.mode("overwrite").parquet(f"{base}/titles"))
    result.seconds["classify"] = time.perf_counter() - t0
    low = F.coalesce(F.col("confidence"), F.lit(0.0)) < review_threshold
    review = labelled.filter(low)
    counts = labelled.agg(
        F.sum(low.cast("long")).alias("review"), F.sum((~low).cast("long")).alias("classified"),
        F.sum((~low & (F.col("region_code").isNull() | F.col("period").isNull())).cast("long")).alias("no_place")).first()
    result.review_postings = int(counts["review"] or 0)
    result.review_queue = pl.from_arrow(review.groupBy("title").agg(
        F.count("*").alias("postings"), F.first("occupation_code").alias("occupation_code"),
        F.first("occupation_name").alias("occupation_name"), F.first("confidence").alias("confidence"))
        .orderBy(F.desc("postings")).toArrow()) if result.review_postings else pl.DataFrame()  # type: ignore[assignment]
    counted = labelled.filter(~low)
    result.classified = int(counts["classified"] or 0)
    result.no_place_or_date = int(counts["no_place"] or 0)
    t0 = time.perf_counter()
    usable = counted.dropna(subset=["occupation_code", "region_code", "period"]).select(
        *AGGREGATE_KEYS, "reposts", "salary_mid").cache()  # read by the aggregates and the salary summary
    result.aggregates = _aggregate(usable)
    result.salary_summary = _salary_summary(usable, salary_regions)
    for frame in (usable, labelled, unique, keep):  # a session may run further jobs: free the cached postings
        frame.unpersist()
    result.seconds["aggregate"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - started
    return result


def _aggregate(usable: Any) -> pl.DataFrame:
    """Demand records from the counted postings that have an occupation, a region and a month."""
    from pyspark.sql import functions as F
    grouped = usable.groupBy(*AGGREGATE_KEYS).agg(
        F.count("*").alias("postings"), F.sum("reposts").alias("reposts"),
        F.percentile("salary_mid", 0.25).alias("salary_p25"), F.percentile("salary_mid", 0.5).alias("salary_p50"),
        F.percentile("salary_mid", 0.75).alias("salary_p75"), F.count("salary_mid").alias("salary_n"))
    frame = pl.from_arrow(grouped.toArrow())
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return frame
    return frame.with_columns(pl.col("postings", "salary_n").cast(pl.UInt32), pl.col("reposts").cast(pl.UInt32)).sort(*AGGREGATE_KEYS)


def _salary_summary(usable: Any, regions: frozenset[str] | None) -> pl.DataFrame:
    """posting_demand.salary_summary in Spark (exact ``percentile``, like the local engine's linear quantiles) over
    the counted postings that have an occupation, a region and a month."""
    from pyspark.sql import functions as F
    if regions is not None:
        usable = usable.filter(F.col("region_code").isin(sorted(regions)))
    stats = (F.count("*").alias("postings"), F.count("salary_mid").alias("salary_n"),
             F.percentile("salary_mid", 0.25).alias("salary_p25"), F.percentile("salary_mid", 0.5).alias("salary_p50"),
             F.percentile("salary_mid", 0.75).alias("salary_p75"))
    names = list(SUMMARY_SCHEMA)
    parts = [usable.agg(*stats).select(F.lit("all").alias("dimension"), F.lit("").alias("key"), *names[2:])]
    for dimension, column in (("occupation", "occupation_code"), ("region", "region_code")):
        parts.append(usable.groupBy(column).agg(*stats).select(F.lit(dimension).alias("dimension"), F.col(column).alias("key"),
                                                                 *names[2:]))
    frames = [pl.from_arrow(part.toArrow()) for part in parts]
    frame = pl.concat([f.select(names).cast(SUMMARY_SCHEMA) for f in frames if isinstance(f, pl.DataFrame)])  # type: ignore[arg-type]
    return frame.filter(pl.col("postings") > 0).sort("dimension", "key")
