"""The postings pipeline on the local engine: read in batches → normalise → deduplicate → classify distinct
titles → review queue → aggregate into demand records → (optionally) load them into the hub as
``source = posting``. The Spark engine (``postings_spark``) runs the same steps and gives the same aggregates.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue

import polars as pl

from silian.analytics.posting_demand import (
    SUMMARY_SCHEMA,
    aggregate_postings,
    region_expr,
    salary_mid_expr,
    salary_summary,
    skill_level_expr,
)
from silian.catalog import get_catalog
from silian.domain.messages import register_messages, t
from silian.ingest.postings.mapping import ColumnMapping, choose_mapping
from silian.ingest.postings.normalise import ParseCache, deduplicate, normalise
from silian.ingest.postings.places import PlaceResolver
from silian.ingest.postings.reader import scan_postings
from silian.services.postings.confirmed_titles import with_confirmed
from silian.services.postings.records import PostingRecords
from silian.storage import hub as hub_store
from silian.storage.database import Database

register_messages(
    {
        "postings_bias": (
            (
                "招聘信息中“生产制造及有关人员”（大类 6）占 {posting:.1%}，而统计推算需求中占 {stats:.1%}：网络招聘明显少报制造"
                "业操作工，需求分析按设置的权重混合三种来源，不单用招聘数据"
            ),
            (
                "Production workers (大类 6) are {posting:.1%} of postings but {stats:.1%"
                "} of statistics-based demand: online postings under-report manufacturi"
                "ng operators, so demand blends the three sources by the set weights"
            ),
        ),
        "postings_outside_hub": (
            "{count:,} 条岗位需求所在地区不在数据库中（如 {examples}），未载入",
            "{count:,} demand records are in regions not in the hub (e.g. {examples}); not loaded",
        ),
    }
)
Classifier = Callable[[list[str]], pl.DataFrame]  # titles → title, occupation_code, occupation_name, confidence
KEEP = ("posting_key", "title", "region_code", "period", "skill_level", "salary_mid", "posted")
REVIEW_THRESHOLD = 0.5  # = silian.services.postings.classifier.REVIEW_THRESHOLD (see docs/methods/occupation_classifier.md)
BATCH_ROWS = 250_000
PROCESS_WORKER_BYTES = 32 << 20  # from this file size the default model runs in its own process (see _classifier_worker)
LOCAL_KEEP = ("posting_key", "title_id", "region_code", "posted", "salary_mid")  # what the local engine keeps per posting
LOCAL_SCHEMA = {"posting_key": pl.UInt64, "title_id": pl.UInt32, "region_code": pl.Categorical, "posted": pl.Date,
                "salary_mid": pl.Float64}
LABEL_SCHEMA = {"title": pl.String, "occupation_code": pl.String, "occupation_name": pl.String, "confidence": pl.Float64}


@dataclass
class PipelineResult:
    """Counts at every step, the demand aggregates, the review queue and sample problems."""

    engine: str
    source: str
    mapping: str
    source_name: str = ""
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
    salary_summary: pl.DataFrame = field(default_factory=pl.DataFrame)  # see posting_demand.salary_summary
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        keys = ("engine", "source", "mapping", "rows", "rows_with_problems", "problems_by_reason", "duplicates_removed",
                "postings", "distinct_titles", "classified", "review_postings", "no_place_or_date")
        return {**{k: getattr(self, k) for k in keys}, "demand_records": self.aggregates.height,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def place_resolver(db: Database | None = None) -> PlaceResolver:
    """National cities from the catalogue; counties from the hub (when a database is given: its own names and its
    功能区 first) and then the country's GB/T 2260 counties, so 郑州-金水区 resolves without any hub at all."""
    counties: list[tuple[str, str, str]] = []
    if db is not None:
        with db.engine.connect() as conn:
            counties = hub_store.county_places(conn)  # type: ignore[assignment]
    national = get_catalog().regions.filter(pl.col("level") == "县").select("code", "name", "parent_code").rows()
    return PlaceResolver(get_catalog().cities.rows(), [*counties, *national])


def default_classifier(confirmed: Mapping[str, str] | None = None) -> Classifier:
    """The default model as a postings classifier; with ``confirmed``, the model trained with those titles too."""
    from silian.services.postings.classifier import classify_titles
    confirmed = dict(confirmed or {})

    def run(titles: list[str]) -> pl.DataFrame:
        out = classify_titles(titles, confirmed=confirmed)
        return out.select("title", "occupation_code", "occupation_name", "confidence")
    return run


def raw_batches(path: Path, *, preset: str | None = None, title_column: str | None = None,
                batch_rows: int = BATCH_ROWS, mapping: ColumnMapping | None = None
                ) -> tuple[ColumnMapping, str, Iterator[pl.DataFrame]]:
    """The mapping (``mapping`` when given, else the preset or header matching), the source description and an
    iterator of raw batches (every column text), read ahead by one batch in a background thread so that reading
    overlaps with parsing."""
    lazy, source = scan_postings(path)
    mapping = mapping or choose_mapping(lazy.collect_schema().names(), preset, title_column)
    return mapping, source, _read_ahead(lazy.collect_batches(chunk_size=batch_rows))


def _read_ahead(batches: Iterator[pl.DataFrame], depth: int = 1) -> Iterator[pl.DataFrame]:
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                queue.put(("batch", batch))
            queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer and raised there
            queue.put(("error", exc))

    worker = threading.Thread(target=produce, name="postings-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise item  # type: ignore[misc]
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                queue.get(timeout=0.05)
            except Empty:
                pass


class _TitleBook:
    """The distinct cleaned titles of the whole file, numbered as they first appear. Each batch's new titles go
    to the classifier at once (in a background worker), so classification overlaps with reading and parsing, and
    a title repeated in later batches (most are) is never classified again."""

    def __init__(self, classify: Callable[[list[str]], Future[pl.DataFrame]]) -> None:
        self.classify = classify
        self.table = pl.DataFrame(schema={"title": pl.String, "title_id": pl.UInt32})
        self.pending: list[Future[pl.DataFrame]] = []

    def add(self, titles: pl.Series) -> pl.DataFrame:
        """Number the titles not seen before, send them to the classifier; the whole title → id table."""
        distinct = titles.unique()
        new = distinct.filter(~distinct.is_in(self.table.get_column("title").implode())) if self.table.height else distinct
        if new.len():
            start = self.table.height
            ids = pl.int_range(start, start + new.len(), dtype=pl.UInt32, eager=True)
            self.table = pl.concat([self.table, pl.DataFrame({"title": new, "title_id": ids})])
            self.pending.append(self.classify(new.to_list()))
        return self.table

    def labelled(self) -> pl.DataFrame:
        """title_id, title, occupation_code, occupation_name, confidence, skill_level, one row per title in title_id
        order (row i is title i); waits for the classifier."""
        parts = [future.result() for future in self.pending]
        labels = pl.concat(parts) if parts else pl.DataFrame(schema=LABEL_SCHEMA)
        return (self.table.join(labels.unique("title", keep="first", maintain_order=True), on="title", how="left",
                                maintain_order="left")
                .with_columns(skill_level_expr()))


def _labels(classifier: Classifier, titles: list[str]) -> pl.DataFrame:
    return classifier(titles).select(*LABEL_SCHEMA).cast(LABEL_SCHEMA)  # type: ignore[arg-type]


def pipeline_classifier(classifier: Classifier | None, confirmed: Mapping[str, str] | None) -> Classifier:
    """What classifies the titles: the default model (which answers confirmed titles itself and is trained with
    them), or a given classifier whose answers for confirmed titles are replaced by the confirmed codes."""
    if classifier is None:
        return default_classifier(confirmed)
    if not confirmed:
        return classifier
    from silian.services.postings.classifier import code_names
    return with_confirmed(classifier, confirmed, code_names())


class _ModelProcess:
    """The default classifier in a child interpreter (``python -c``, so no script is re-imported): titles in,
    labels out, as pickles over its stdin/stdout. It trains the model as soon as it starts."""

    def __init__(self, confirmed: Mapping[str, str] | None = None) -> None:
        code = "from silian.services.postings.local import model_process_main; model_process_main()"
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None
        pickle.dump(dict(confirmed or {}), self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)  # first: what to train
        self.proc.stdin.flush()

    def classify(self, titles: list[str]) -> pl.DataFrame:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        pickle.dump(titles, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.flush()
        try:
            answer = pickle.load(self.proc.stdout)
        except EOFError:
            raise RuntimeError(f"the classifier process ended (exit code {self.proc.wait()})") from None
        if isinstance(answer, BaseException):
            raise answer
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()  # end of input: the child exits
            except BrokenPipeError:
                pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def model_process_main() -> None:
    """The child side of :class:`_ModelProcess`."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    inp = os.fdopen(0, "rb")
    from silian.services.postings.classifier import classifier_for
    confirmed = pickle.load(inp)
    classifier_for(confirmed)  # train now, while the parent parses the first batches
    classifier = default_classifier(confirmed)
    while True:
        try:
            titles = pickle.load(inp)
        except EOFError:
            return
        try:
            answer: object = _labels(classifier, titles)
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the parent
            answer = exc
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


@contextmanager
def _classifier_worker(classifier: Classifier | None, path: Path,
                       confirmed: Mapping[str, str] | None = None) -> Iterator[Callable[[list[str]], Future[pl.DataFrame]]]:
    """Where titles are classified while the main thread parses: one background thread, which for the default
    model on a large file (when the model is not trained in this process yet) hands the titles to a child process
    that trains the model while the first batches are parsed and then classifies on the other core, free of the
    GIL. A given classifier, a trained model or a small file: in the thread itself. Titles in ``confirmed``
    get their confirmed code either way (:func:`pipeline_classifier`; the child trains with them)."""
    from silian.services.postings.classifier import model_is_trained
    own_process = classifier is None and path.stat().st_size >= PROCESS_WORKER_BYTES and not model_is_trained(confirmed)
    child = _ModelProcess(confirmed) if own_process else None
    model = pipeline_classifier(classifier, confirmed)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="postings-classify") as threads:
            if child is not None:
                yield lambda titles: threads.submit(child.classify, titles)
            else:
                yield lambda titles: threads.submit(_labels, model, titles)
    finally:
        if child is not None:
            child.close()


def run_local(path: Path, *, classifier: Classifier | None = None, preset: str | None = None,
              title_column: str | None = None, places: PlaceResolver | None = None, batch_rows: int = BATCH_ROWS,
              review_threshold: float = REVIEW_THRESHOLD, samples: int = 200,
              salary_regions: frozenset[str] | None = None, records: Path | None = None,
              confirmed: Mapping[str, str] | None = None, mapping: ColumnMapping | None = None) -> PipelineResult:
    """The whole pipeline on the local engine, streaming ``batch_rows`` at a time. Memory holds, per posting, only
    its key, title number, region, date and salary (≈ 30 bytes) plus one batch and the distinct titles; the
    classifier sees each distinct title once, in the background while later batches are parsed (_classifier_worker).
    ``records``: a folder that receives every posting, raw and parsed (:mod:`silian.services.postings.records`).
    ``confirmed``: titles a reviewer confirmed (title key → code), answered before the model."""
    started = time.perf_counter()
    places = places or place_resolver()
    mapping, source, batches = raw_batches(path, preset=preset, title_column=title_column, batch_rows=batch_rows,
                                           mapping=mapping)
    result = PipelineResult(engine="local", source=source, mapping=mapping.name, source_name=str(path))
    kept: list[pl.DataFrame] = []
    reasons: Counter[str] = Counter()
    sample_parts: list[pl.DataFrame] = []
    n_samples = 0
    cache = ParseCache()
    writer = PostingRecords(records) if records is not None else None
    with _classifier_worker(classifier, path, confirmed) as classify:
        book = _TitleBook(classify)
        try:
            with closing(batches):  # type: ignore[type-var]
                for raw in batches:
                    canon = normalise(raw, mapping, places, cache=cache, raw_json=writer is not None)
                    first_row = result.rows + 2  # as a spreadsheet counts: the header is row 1
                    result.rows += canon.height
                    rows = canon.select(pl.arg_where(pl.col("problems").list.len() > 0)).to_series()
                    result.rows_with_problems += rows.len()
                    if rows.len():
                        counts = canon.get_column("problems").gather(rows).explode().value_counts()
                        reasons.update(dict(zip(counts[:, 0].to_list(), counts[:, 1].to_list(), strict=True)))
                        if n_samples < samples:  # the raw record (JSON) only for the rows shown
                            rows = rows.head(samples - n_samples)
                            sample_parts.append(canon.select("title", "problems").gather(rows).with_columns(
                                raw.gather(rows).select(pl.struct(raw.columns).struct.json_encode().alias("raw")).to_series()))
                            n_samples += rows.len()
                    table = book.add(canon.get_column("title"))
                    kept.append(
                        canon.select(
                            "posting_key", "title", region_expr().cast(pl.Categorical), "posted", salary_mid_expr()
                        )
                        .join(table, on="title", how="left", maintain_order="left")
                        .select(LOCAL_KEEP)
                    )
                    if writer is not None:
                        writer.write(canon, kept[-1].get_column("title_id"), first_row)
            result.seconds["read_normalise"] = time.perf_counter() - started
            result.problems_by_reason = dict(reasons.most_common())
            result.problem_samples = pl.concat(sample_parts) if sample_parts else pl.DataFrame()
            return _finish(result, kept, book, review_threshold, started, salary_regions, writer)
        finally:
            for future in book.pending:
                future.cancel()


def _finish(result: PipelineResult, kept: list[pl.DataFrame], book: _TitleBook, review_threshold: float,
            started: float, salary_regions: frozenset[str] | None, writer: PostingRecords | None = None) -> PipelineResult:
    """Deduplicate, look the classified titles up by number, set the review queue aside, aggregate."""
    t0 = time.perf_counter()
    everything = pl.concat(kept, rechunk=False) if kept else pl.DataFrame(schema=LOCAL_SCHEMA)
    kept.clear()
    unique = deduplicate(everything)
    del everything
    result.duplicates_removed = result.rows - unique.height
    result.postings = unique.height
    result.seconds["deduplicate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    titles = book.labelled()
    result.distinct_titles = titles.height
    result.seconds["classify_wait"] = time.perf_counter() - t0
    if writer is not None:
        writer.finish(titles, review_threshold)
    # per title (row = title_id): whether it waits for review, its occupation and skill level
    low_of_title = titles.get_column("confidence").fill_null(0.0) < review_threshold
    low = low_of_title.gather(unique.get_column("title_id"))
    review = unique.filter(low).group_by("title_id").agg(pl.len().alias("postings"))
    result.review_postings = int(review.get_column("postings").sum())
    result.review_queue = (review.join(titles, on="title_id", how="left")
                           .select("title", "postings", "occupation_code", "occupation_name", "confidence")
                           .sort(["postings", "title"], descending=[True, False]))
    counted = unique.filter(~low)
    del unique
    result.classified = counted.height
    result.no_place_or_date = counted.select((pl.col("region_code").is_null() | pl.col("posted").is_null()).sum()).item()
    t0 = time.perf_counter()
    ids = counted.get_column("title_id")
    demand = counted.select(
        titles.get_column("occupation_code").cast(pl.Categorical).gather(ids).alias("occupation_code"), "region_code",
        pl.col("posted").dt.month_start().alias("period"),
        titles.get_column("skill_level").cast(pl.Categorical).gather(ids).alias("skill_level"), "reposts", "salary_mid")
    del counted
    result.aggregates = aggregate_postings(demand)
    result.salary_summary = salary_summary(demand, salary_regions)
    result.seconds["aggregate"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - started
    return result


def hub_region_codes(db: Database) -> frozenset[str]:
    """Codes of every region the hub holds (demand records of other regions are not loaded)."""
    with db.engine.connect() as conn:
        return hub_store.region_codes(conn)


def load_posting_demand(db: Database, aggregates: pl.DataFrame, *, generated: bool = False) -> tuple[int, list[str]]:
    """Aggregates → hub ``demand`` rows (source ``posting``), validated like an import, for regions the hub holds;
    returns (rows loaded, notes)."""
    from silian.services.imports import load_frame
    known = hub_region_codes(db)
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


def save_salary_summary(db: Database, result: PipelineResult) -> None:
    """Keep the salary quantiles of the postings just loaded in the hub (``posting_salary_summary``): the
    ``demand`` table holds counts only, and quantiles cannot be recombined from its rows. The dashboard reads
    them with :func:`read_salary_summary`; the next ``--load`` replaces them (one transaction), as it replaces
    the counts."""
    from datetime import UTC, datetime

    from silian.storage.postings import SALARY_SUMMARY, Snapshot, replace_snapshot
    replace_snapshot(db, SALARY_SUMMARY, Snapshot(result.salary_summary, Path(result.source_name).name, datetime.now(UTC),
                                                  result.engine, result.postings))


def read_salary_summary(db: Database) -> tuple[pl.DataFrame, dict[str, str]] | None:
    """The salary quantiles saved by the last ``silian postings import --load`` and where they came from
    (``source``, ``engine``, ``postings``, ``saved_at`` in local time), or None when there are none."""
    from silian.services.postings.confirmed_titles import local_minute
    from silian.storage.postings import SALARY_SUMMARY, read_snapshot
    saved = read_snapshot(db, SALARY_SUMMARY)
    if saved is None:
        return None
    meta = {"source": saved.source, "engine": saved.engine or "", "postings": str(saved.postings or 0),
            "saved_at": local_minute(saved.saved_at)}
    return saved.frame.cast(SUMMARY_SCHEMA).sort("dimension", "key"), meta  # type: ignore[arg-type]


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
