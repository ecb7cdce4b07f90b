"""Every posting of an imported file, kept: the raw record beside what was parsed from it, so that any demand
figure can be traced back to the postings behind it (``silian postings import FILE --out DIR``; the local engine's
writer — the Spark engine writes the same columns itself, see ``postings_spark.run_spark``).

``DIR/records/part-00000.parquet …`` (one part per batch, written as the file is read): ``row`` (the posting's row
as a spreadsheet counts it: the header is row 1, the first posting row 2), ``posting_key`` (reposts share it:
cleaned title, company, city and salary range), ``title_id``, the
parsed fields of ``CANONICAL_SCHEMA`` (salary, education, experience, place codes, date, problems) and ``raw``,
the input row as JSON with its own column names. ``DIR/records/titles.parquet``: one row per distinct cleaned
title — ``title_id``, ``title``, ``occupation_code``, ``occupation_name``, ``confidence``, ``skill_level`` and
``needs_review`` (below the review threshold: not counted). Read them back with Polars or DuckDB::

    pl.scan_parquet("DIR/records/part-*.parquet").join(pl.scan_parquet("DIR/records/titles.parquet"), on="title_id")
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

RECORDS_DIR = "records"
TITLES_FILE = "titles.parquet"


class PostingRecords:
    """Writes the parts as batches come and the title table at the end, into an emptied ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self.parts = 0

    def write(self, canon: pl.DataFrame, title_ids: pl.Series, first_row: int) -> None:
        """One batch: ``canon`` (normalised, with ``raw``), each row's ``title_ids``, rows from ``first_row``."""
        part = (canon.with_row_index("row", offset=first_row).with_columns(title_ids.alias("title_id"))
                .select("row", "posting_key", "title_id", pl.exclude("row", "posting_key", "title_id", "raw"), "raw"))
        part.write_parquet(self.folder / f"part-{self.parts:05d}.parquet", compression="zstd")
        self.parts += 1

    def finish(self, titles: pl.DataFrame, review_threshold: float) -> None:
        """The classified titles (title_id order) with the review flag."""
        titles.with_columns((pl.col("confidence").fill_null(0.0) < review_threshold).alias("needs_review")).write_parquet(
            self.folder / TITLES_FILE, compression="zstd")
