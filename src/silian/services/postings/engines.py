"""The postings pipeline behind one interface: the same call runs the local engine (Polars/DuckDB in batches) or
Apache Spark, and both return the same :class:`PipelineResult` (tests check that their aggregates are identical)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from silian.ingest.postings.mapping import ColumnMapping
from silian.ingest.postings.places import PlaceResolver
from silian.services.postings.local import PipelineResult

Engine = Literal["local", "spark"]
ENGINES: tuple[Engine, ...] = ("local", "spark")


def run_pipeline(path: Path, *, engine: Engine = "local", master: str = "local[2]", preset: str | None = None,
                 title_column: str | None = None, places: PlaceResolver | None = None,
                 salary_regions: frozenset[str] | None = None, records: Path | None = None,
                 confirmed: Mapping[str, str] | None = None, mapping: ColumnMapping | None = None) -> PipelineResult:
    """Read, normalise, deduplicate, classify and aggregate the postings in ``path`` on ``engine``
    (``master``: the Spark master URL, ``local[2]`` by default); ``mapping``: the file's columns as chosen by a
    person (the web preview), instead of the preset or header matching."""
    if engine == "spark":
        from silian.services.postings.spark import run_spark, spark_session

        return run_spark(path, spark=spark_session(master), preset=preset, title_column=title_column, places=places,
                         salary_regions=salary_regions, records=records, confirmed=confirmed, mapping=mapping)
    from silian.services.postings.local import run_local

    return run_local(path, preset=preset, title_column=title_column, places=places, salary_regions=salary_regions,
                     records=records, confirmed=confirmed, mapping=mapping)
