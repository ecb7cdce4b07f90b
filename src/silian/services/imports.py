"""Import, export and templates for the hub tables."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from silian.catalog import Catalog, get_catalog
from silian.domain.errors import ImportRejected, InvalidInput
from silian.domain.messages import t
from silian.domain.tables import HUB_TABLES, TableSpec, resolve_table
from silian.ingest.readers import ROW, RawTable, read_table_file
from silian.ingest.spreadsheets import export_frame, write_template
from silian.ingest.validate import References, validate_table
from silian.services import telemetry
from silian.settings import Settings
from silian.storage import repository as repo
from silian.storage.audit import insert_audit
from silian.storage.database import Connection, Database


@dataclass
class ImportOutcome:
    table: str
    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    seconds: float
    source: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def table_spec(name: str) -> TableSpec:
    """The spec of an importable table by its name, Chinese name or English name (``企业``), or InvalidInput
    naming the available ones."""
    name = resolve_table(name) or name
    if name not in HUB_TABLES:
        raise InvalidInput(t("unknown_table", table=name, tables=t("list_joiner").join(HUB_TABLES)))
    return HUB_TABLES[name]


def build_references(conn: Connection, catalog: Catalog | None = None) -> References:
    """Catalogue code sets plus the codes already stored, for the validators."""
    catalog = catalog or get_catalog()
    majors = catalog.majors("current")
    spellings = {code: code for code in majors["major_code"]}
    spellings.update({code.rstrip("K"): code for code in majors["major_code"] if code.endswith("K")})
    return References(
        majors=spellings,
        major_levels=dict(zip(majors["major_code"], majors["level"], strict=True)),
        occupations=frozenset(catalog.occupations["code"]),
        industries=frozenset(catalog.industries["code"]),
        existing={
            "region": repo.read_codes(conn, "regions", "code"),
            "institution": repo.read_codes(conn, "institutions", "code"),
            "enterprise": repo.read_codes(conn, "enterprises", "credit_code"),
        },
        institution_levels=repo.read_institution_levels(conn),
    )


@contextmanager
def import_transaction(db: Database, *, dry_run: bool) -> Iterator[Connection]:
    """One transaction for a whole file: committed, or rolled back on any error and always for a dry run."""
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()


class ImportGuard(Protocol):
    """What a run does on behalf of a user (web uploads): rows outside their write scope, and the audit log."""

    def merged(self, conn: Connection, spec: TableSpec, raw: RawTable, exc: ImportRejected) -> ImportRejected:
        """A rejection with the rows outside the scope added, so that one round of fixes suffices."""
        ...

    def check(self, conn: Connection, spec: TableSpec, frame: pl.DataFrame) -> None:
        """Raise when a valid row is not the user's to write."""
        ...

    def audit(self, conn: Connection, spec: TableSpec, counts: repo.UpsertCounts, sha256: str) -> None:
        """Record the applied file in the audit log (same transaction)."""
        ...


def run_import(conn: Connection, spec: TableSpec, raw: RawTable, *, label: str, max_errors: int, dry_run: bool = False,
               record: str | None = None, sha256: str = "", guard: ImportGuard | None = None) -> ImportOutcome:
    """The one import pipeline (files, uploads, frames built in code): validate the whole table against the catalogues
    and the hub (problems name ``label``), let ``guard`` check the rows, upsert by natural key, then record the file
    in the import log (``record``) and the audit log — all in ``conn``'s transaction. Any problem raises and nothing
    is kept (the caller's transaction rolls back)."""
    started = time.perf_counter()
    try:
        result = validate_table(raw, spec, build_references(conn), file=label, max_errors=max_errors)
    except ImportRejected as exc:
        if guard is None:
            raise
        raise guard.merged(conn, spec, raw, exc) from None
    if guard is not None:
        guard.check(conn, spec, result.frame)
    counts = repo.upsert_frame(conn, spec, result.frame, only=result.present)  # a column the file lacks stays as stored
    if record is not None and not dry_run:
        telemetry.count("import_rows", counts.rows, table=spec.name)
        repo.record_import(conn, spec.name, record, sha256, counts)
        if guard is not None:
            guard.audit(conn, spec, counts, sha256)
    return ImportOutcome(spec.name, label, counts.rows, counts.inserted, counts.updated, counts.unchanged,
                         time.perf_counter() - started, raw.source, result.warnings)


def import_file(db: Database, table: str, path: Path, settings: Settings, *, sheet: str | None = None,
                dry_run: bool = False) -> ImportOutcome:
    """Validate the whole file, then apply it in one transaction; on any problem nothing is written."""
    spec = table_spec(table)
    started = time.perf_counter()
    raw = read_table_file(path, sheet=sheet, max_bytes=settings.import_max_bytes)
    with import_transaction(db, dry_run=dry_run) as conn:
        sha256 = "" if dry_run else _sha256(path)
        outcome = run_import(conn, spec, raw, label=path.name, max_errors=settings.import_max_errors, dry_run=dry_run,
                             record=str(path), sha256=sha256)
        if not dry_run:
            _audit_command_line(conn, spec.name, path, sha256, outcome)
    outcome.file, outcome.seconds = str(path), time.perf_counter() - started
    return outcome


def _audit_command_line(conn: Connection, table: str, path: Path, sha256: str, outcome: ImportOutcome) -> None:
    """A file imported from the command line is in the audit log like an upload: the operating-system user, the
    machine, the file and its counts (same transaction)."""
    import getpass
    import socket

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        who = str(os.getuid())
    insert_audit(conn, user_id=None, username=f"cli:{who}", action="import", entity=table, entity_id=path.name,
                 before=None, after={"file": str(path), "sha256": sha256, "rows": outcome.rows, "inserted": outcome.inserted,
                                     "updated": outcome.updated, "unchanged": outcome.unchanged},
                 client=f"cli@{socket.gethostname()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_table(db: Database, table: str, path: Path) -> int:
    """Write every row of ``table`` to .xlsx or .csv; returns the number of rows."""
    spec = table_spec(table)
    table = spec.name
    with db.engine.connect() as conn:
        frame = repo.read_table(conn, table)
        generated, total = repo.generated_share(conn, table)
    note = t("real_mark") if generated == 0 else f"{t('generated_mark')} {generated}/{total}"
    export_frame(spec, frame, path, note=note)
    return frame.height


def template_for(table: str, path: Path) -> None:
    write_template(table_spec(table), path)


def table_counts(db: Database) -> dict[str, tuple[int, int]]:
    """``{table: (generated rows, all rows)}`` for every hub table."""
    with db.engine.connect() as conn:
        return {name: repo.generated_share(conn, name) for name in HUB_TABLES}


REGIONS_SOURCE = ("全国行政区划（GB/T 2260，省、地级、县级，3,219 个）；随平台预装，来自 cpca 0.5.5 的 adcodes.csv（MIT 许可，"
                  "国家统计局统计用区划代码）")


def ensure_schema(db: Database, data_dir: Path | None = None) -> None:
    """Upgrade the schema if it is behind (used by commands that write) and preinstall the country's 行政区划 (a
    fresh installation takes its first school at once); with ``data_dir``, then import the state files older
    versions kept there (once: :func:`silian.services.postings.state.import_state_files`)."""
    if not db.is_current():
        db.upgrade()
    seed_regions(db)
    if data_dir is not None:
        from silian.services.postings.state import import_state_files

        import_state_files(db, data_dir)




def seed_regions(db: Database, catalog: Catalog | None = None) -> int:
    """Add the GB/T 2260 regions the hub lacks (never changes a stored region); returns how many were added."""
    regions = (catalog or get_catalog()).regions
    with db.begin() as conn:
        missing = regions.filter(~pl.col("code").is_in(list(repo.read_codes(conn, "regions", "code"))))
        if missing.height == 0:
            return 0
        load_frame(conn, "regions", missing, generated=False, label="catalog:GB/T 2260")
        if not any(s["table_name"] == "regions" for s in repo.read_sources(conn)):
            repo.mark_source(conn, "regions", generated=False, description=REGIONS_SOURCE,
                             provenance="src/silian/catalog/data/PROVENANCE.md")
    return missing.height


def load_frame(conn: Connection, table: str, frame: pl.DataFrame, *, generated: bool, label: str) -> ImportOutcome:
    """Validate a frame built in code exactly as a user's file would be, then upsert it in ``conn``'s
    transaction. Columns are field names; values of any type (they are checked as their text)."""
    spec = table_spec(table)
    as_text = frame.with_columns(
        [pl.col(c).cast(pl.String) if frame[c].dtype != pl.Boolean else
         pl.when(pl.col(c)).then(pl.lit("是")).when(~pl.col(c)).then(pl.lit("否")).alias(c)
         for c in frame.columns]
    ).with_columns(pl.lit("是" if generated else "否").alias("is_generated"))
    raw = RawTable(as_text.with_row_index(ROW, offset=2), label)
    return run_import(conn, spec, raw, label=label, max_errors=50)
