"""The postings pipeline on the local engine: read in batches → normalise → deduplicate → classify distinct
titles → review queue → aggregate into demand records → (optionally) load them into the hub as
``source = posting``. The Spark engine (``postings_spark``) runs the same steps and gives the same aggregates.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from silian.analytics.posting_demand import aggregate_postings, with_demand_keys
from silian.catalog import get_catalog
from silian.domain.messages import register_messages, t
from silian.ingest.postings.mapping import ColumnMapping, choose_mapping
from silian.ingest.postings.normalise import deduplicate, normalise
from silian.ingest.postings.places import PlaceResolver
from silian.ingest.postings.reader import scan_postings
from silian.storage.database import Database
from silian.storage.schema import hub_tables

register_messages({
    "postings_bias": ("招聘信息中“生产制造及有关人员”（大类 6）占 {posting:.1%}，而统计推算需求中占 {stats:.1%}：网络招聘明显少报制造业操作工，需求分析按设置的权重混合三种来源，不单用招聘数据",
                      "Production workers (大类 6) are {posting:.1%} of postings but {stats:.1%} of statistics-based demand: online postings under-report manufacturing operators, so demand blends the three sources by the set weights"),
    "postings_outside_hub": ("{count:,} 条岗位需求所在地区不在数据库中（如 {examples}），未载入", "{count:,} demand records are in regions not in the hub (e.g. {examples}); not loaded"),
})
Classifier = Callable[[list[str]], pl.DataFrame]  # titles → title, occupation_code, occupation_name, confidence
KEEP = ("posting_key", "title", "region_code", "period", "skill_level", "salary_mid", "posted")
REVIEW_THRESHOLD = 0.5  # = silian.services.classify.REVIEW_THRESHOLD (see docs/methods/occupation_classifier.md)


@dataclass
class PipelineResult:
    """Counts at every step, the demand aggregates, the review queue and sample problems."""

    engine: str
    source: str
    mapping: str
    rows: int = 0
    rows_with_problems: int = 0
    problems_by_reason: dict[str, int] = field(default_factory=dict)
    duplicates_removed: int = 0
    postings: int = 0
    distinct_titles: int = 0
    classified: int = 0
    review_postings: int = 0
    no_place_or_date: int = 0
    aggregates: pl.DataFrame = field(default_factory=pl.DataFrame)
    review_queue: pl.DataFrame = field(default_factory=pl.DataFrame)
    problem_samples: pl.DataFrame = field(default_factory=pl.DataFrame)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        keys = ("engine", "source", "mapping", "rows", "rows_with_problems", "problems_by_reason", "duplicates_removed",
                "postings", "distinct_titles", "classified", "review_postings", "no_place_or_date")
        return {**{k: getattr(self, k) for k in keys}, "demand_records": self.aggregates.height,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def place_resolver(db: Database | None = None) -> PlaceResolver:
    """National cities from the catalogue plus the hub's counties (when a database is given)."""
    counties: list[tuple[str, str, str]] = []
    if db is not None:
        regions = hub_tables["regions"]
        with db.engine.connect() as conn:
            counties = [tuple(r) for r in conn.execute(  # type: ignore[misc]
                sa.select(regions.c.code, regions.c.name, regions.c.parent_code)
                .where(regions.c.level.in_(("县", "功能区")))).all()]
    return PlaceResolver(get_catalog().cities.rows(), counties)


def default_classifier() -> Classifier:
    from silian.services.classify import classify_titles

    def run(titles: list[str]) -> pl.DataFrame:
        out = classify_titles(titles)
        return out.select("title", "occupation_code", "occupation_name", "confidence")
    return run


def normalised_batches(path: Path, *, preset: str | None = None, title_column: str | None = None,
                       places: PlaceResolver, batch_rows: int = 250_000) -> tuple[ColumnMapping, str, object]:
    """The mapping, the source description and a generator of canonical batches."""
    lazy, source = scan_postings(path)
    mapping = choose_mapping(lazy.collect_schema().names(), preset, title_column)

    def batches():  # type: ignore[no-untyped-def]
        for batch in lazy.collect_batches(chunk_size=batch_rows):
            yield normalise(batch, mapping, places)
    return mapping, source, batches()


def run_local(path: Path, *, classifier: Classifier | None = None, preset: str | None = None,
              title_column: str | None = None, places: PlaceResolver | None = None, batch_rows: int = 250_000,
              review_threshold: float = REVIEW_THRESHOLD, samples: int = 200) -> PipelineResult:
    """The whole pipeline on the local engine, streaming ``batch_rows`` at a time (memory ~ the kept columns)."""
    started = time.perf_counter()
    places = places or place_resolver()
    mapping, source, batches = normalised_batches(path, preset=preset, title_column=title_column, places=places,
                                                  batch_rows=batch_rows)
    result = PipelineResult(engine="local", source=source, mapping=mapping.name)
    kept: list[pl.DataFrame] = []
    reasons: Counter[str] = Counter()
    sample_parts: list[pl.DataFrame] = []
    for canon in batches:  # type: ignore[attr-defined]
        result.rows += canon.height
        flagged = canon.filter(pl.col("problems").list.len() > 0)
        result.rows_with_problems += flagged.height
        reasons.update(flagged.explode("problems")["problems"].to_list())
        if sum(p.height for p in sample_parts) < samples:
            sample_parts.append(flagged.select("title", "problems", "raw").head(samples))
        kept.append(with_demand_keys(canon).select(KEEP))
    result.seconds["read_normalise"] = time.perf_counter() - started
    result.problems_by_reason = dict(reasons.most_common())
    result.problem_samples = pl.concat(sample_parts).head(samples) if sample_parts else pl.DataFrame()
    everything = pl.concat(kept) if kept else pl.DataFrame(schema={k: pl.String for k in KEEP})
    return finish(result, everything, classifier or default_classifier(), review_threshold, started)


def finish(result: PipelineResult, everything: pl.DataFrame, classifier: Classifier, review_threshold: float,
           started: float) -> PipelineResult:
    """Deduplicate, classify distinct titles, set the review queue aside, aggregate."""
    t0 = time.perf_counter()
    unique = deduplicate(everything)
    result.duplicates_removed = everything.height - unique.height
    result.postings = unique.height
    result.seconds["deduplicate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    titles = unique["title"].unique().drop_nulls().to_list()
    result.distinct_titles = len(titles)
    labels = classifier(titles) if titles else pl.DataFrame(
        schema={"title": pl.String, "occupation_code": pl.String, "occupation_name": pl.String, "confidence": pl.Float64})
    result.seconds["classify"] = time.perf_counter() - t0
    labelled = unique.join(labels, on="title", how="left")
    low = labelled["confidence"].fill_null(0.0) < review_threshold
    review = labelled.filter(low)
    result.review_postings = review.height
    result.review_queue = (review.group_by("title").agg(pl.len().alias("postings"), pl.col("occupation_code").first(),
                                                        pl.col("occupation_name").first(), pl.col("confidence").first())
                           .sort("postings", descending=True))
    counted = labelled.filter(~low)
    result.classified = counted.height
    result.no_place_or_date = counted.filter(pl.col("region_code").is_null() | pl.col("period").is_null()).height
    t0 = time.perf_counter()
    result.aggregates = aggregate_postings(counted)
    result.seconds["aggregate"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - started
    return result


def load_posting_demand(db: Database, aggregates: pl.DataFrame, *, generated: bool = False) -> tuple[int, list[str]]:
    """Aggregates → hub ``demand`` rows (source ``posting``), validated like an import, for regions the hub holds;
    returns (rows loaded, notes)."""
    from silian.services.imports import load_frame
    regions = hub_tables["regions"]
    with db.engine.connect() as conn:
        known = set(conn.execute(sa.select(regions.c.code)).scalars())
    inside = aggregates.filter(pl.col("region_code").is_in(list(known)))
    outside = aggregates.filter(~pl.col("region_code").is_in(list(known)))
    notes = []
    if outside.height:
        examples = "、".join(outside["region_code"].unique().sort().head(5).to_list())
        notes.append(t("postings_outside_hub", count=outside.height, examples=examples))
    none = pl.lit(None, pl.String)
    frame = inside.select(pl.lit("posting").alias("source"), "region_code", "period", none.alias("enterprise_credit_code"),
                          "occupation_code", none.alias("major_code"), "skill_level",
                          pl.col("postings").cast(pl.Int64).alias("count"))
    if frame.height == 0:
        return 0, notes
    with db.begin() as conn:
        outcome = load_frame(conn, "demand", frame, generated=generated, label="postings pipeline")
    return outcome.rows, notes


def posting_bias(aggregates: pl.DataFrame, statistics_demand: pl.DataFrame) -> str | None:
    """How under-represented production workers (大典 大类 6) are in postings against statistics-based demand."""
    if aggregates.height == 0 or statistics_demand.height == 0:
        return None
    posting_share = float(aggregates.filter(pl.col("occupation_code").str.starts_with("6"))["postings"].sum()) / max(
        float(aggregates["postings"].sum()), 1.0)
    stats = statistics_demand.filter(pl.col("source") == "statistics")
    stats_share = float(stats.filter(pl.col("occupation_code").fill_null("").str.starts_with("6"))["count"].sum()) / max(
        float(stats["count"].sum()), 1.0)
    return t("postings_bias", posting=posting_share, stats=stats_share)
