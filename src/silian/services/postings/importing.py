"""`silian postings import` as a use-case: run an engine over a postings file, then write the output folder
and/or load the demand into the hub (with the salary quantiles and the review queue the web page answers).
The command line and the web upload (:mod:`silian.services.postings.upload`) both run it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.ingest.postings.mapping import ColumnMapping
    from silian.services.postings.engines import Engine
    from silian.services.postings.local import PipelineResult
    from silian.settings import Settings
    from silian.storage.database import Database


@dataclass(frozen=True)
class PostingsImport:
    """What to run: the file, how to read it, which engine, and where the results go."""

    file: Path
    preset: str | None = None
    title_column: str | None = None
    engine: Engine = "local"
    master: str = "local[2]"
    out: Path | None = None
    keep_records: bool = True
    load: bool = False
    confirmed: dict[str, str] = field(default_factory=dict)
    mapping: ColumnMapping | None = None  # the columns chosen by a person; None: the preset or header matching


register_messages({
    "postings_bad_engine": ("未知的引擎：{engine}（local 或 spark）", "Unknown engine: {engine} (local or spark)"),
})


def checked_engine(engine: str) -> Engine:
    """``local`` or ``spark``; anything else is InvalidInput."""
    if engine not in ("local", "spark"):
        raise InvalidInput(t("postings_bad_engine", engine=engine))
    return "spark" if engine == "spark" else "local"


def confirmed_for_import(settings: Settings, *, use: bool = True) -> tuple[dict[str, str], str]:
    """The titles a reviewer confirmed, from the hub database the settings name, and where they are kept
    (``({}, "")`` when not wanted, or when the database does not exist or is not migrated yet)."""
    from silian.services.postings.classifier import code_names
    from silian.services.postings.confirmed_titles import confirmed_location, load_confirmed
    from silian.services.postings.state import state_database
    if not use:
        return {}, ""
    db = state_database(settings)
    confirmed = load_confirmed(db, code_names())
    return confirmed, confirmed_location(db) if confirmed else ""


def import_postings(job: PostingsImport, *, settings: Settings, database: Database | None) -> tuple[PipelineResult, dict[str, Any]]:
    """Run ``job``; the engine's result and its summary (with ``loaded`` and ``notes`` when loaded into the hub)."""
    from silian.services.postings.engines import run_pipeline
    from silian.services.postings.local import hub_region_codes, place_resolver
    from silian.services.postings.records import RECORDS_DIR

    db = database if job.load else None
    if db is not None:
        from silian.services.imports import ensure_schema

        ensure_schema(db, settings.data_dir)  # with the state files of older versions, once
    places = place_resolver(db)
    regions = hub_region_codes(db) if db is not None else None  # salary quantiles of what is loaded
    keep = job.out / RECORDS_DIR if job.out is not None and job.keep_records else None
    result = run_pipeline(job.file, engine=job.engine, master=job.master, preset=job.preset,
                          title_column=job.title_column, places=places, salary_regions=regions, records=keep,
                          confirmed=job.confirmed, mapping=job.mapping)
    summary = result.summary()
    if result.review_queue.height and (job.out is not None or job.load):
        from silian.services.postings.classifier import review_candidates

        result.review_queue = review_candidates(result.review_queue, confirmed=job.confirmed)  # the next guesses too
    if job.out is not None:
        write_output_folder(result, job.out)
    if db is not None:
        summary.update(_load(db, result, source=job.file.name))
    return result, summary


def write_output_folder(result: PipelineResult, out: Path) -> None:
    """posting_demand.csv, salary_summary.csv, review_queue.csv and problem_rows.csv (UTF-8 with BOM)."""
    from silian.ingest.spreadsheets import inert_frame
    from silian.services.postings.confirmed_titles import review_sheet

    out.mkdir(parents=True, exist_ok=True)
    inert_frame(result.aggregates).write_csv(out / "posting_demand.csv", include_bom=True)
    inert_frame(result.salary_summary).write_csv(out / "salary_summary.csv", include_bom=True)
    inert_frame(review_sheet(result.review_queue)).write_csv(out / "review_queue.csv", include_bom=True)
    if result.problem_samples.height:
        problems = result.problem_samples
        inert_frame(problems.with_columns(problems["problems"].list.join("; "))).write_csv(out / "problem_rows.csv",
                                                                                         include_bom=True)


def _load(db: Database, result: PipelineResult, *, source: str) -> dict[str, Any]:
    from silian.services.postings.confirmed_titles import save_review_queue
    from silian.services.postings.local import load_posting_demand, save_salary_summary

    loaded, notes = load_posting_demand(db, result.aggregates)
    save_salary_summary(db, result)
    save_review_queue(db, result.review_queue, source=source)  # for the web review page
    return {"loaded": loaded, "notes": notes}
