"""Files uploaded through the web: saved to a temporary file within the size limit, validated exactly like
`silian import` (whole file, row-precise problems), checked row by row against the uploader's write scope, then
applied in one transaction (upsert by natural key) and written to the audit log. Any problem: nothing is written.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from silian.domain.access import Principal, Scope, locked_column, write_scope
from silian.domain.errors import ImportRejected, InvalidInput, PermissionDenied, RowProblem
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES, TableSpec
from silian.ingest.headers import header_map
from silian.ingest.readers import ROW, RawTable, read_table_file
from silian.services.accounts import write_audit
from silian.services.imports import ImportOutcome, import_transaction, run_import, table_spec
from silian.settings import Settings
from silian.storage.bulk import UpsertCounts
from silian.storage.database import Connection, Database
from silian.storage.hub import school_counties
from silian.storage.records import read_where_in

register_messages({
    "up_table_forbidden": ("当前角色不能上传“{table}”表的数据", "Your role may not upload data to '{table}'"),
    "up_not_your_school": ("不是本校的数据（本校代码 {code}）", "Not your school (yours is {code})"),
    "up_not_your_county": ("不是本县（市、区）的数据（本县代码 {code}）", "Not your county (yours is {code})"),
    "up_not_your_enterprise": ("不是本企业的数据（本企业代码 {code}）", "Not your enterprise (yours is {code})"),
    "up_keep_county": ("保留原值 {value}；如需调整归属，请联系市级管理员或县级教育部门",
                       "Keep {value}; ask the city admin or the county officer to change the county"),
    "up_not_yours_fix": ("删除这一行：其他单位的数据由该单位或市级管理员上传",
                         "Remove this row: other organisations' data are uploaded by them or by the city admin"),
    "up_existing_not_yours": ("这条记录已存在，属于其他{unit}（{owner}），不能改为本{unit}",
                              "This record exists and belongs to another {unit} ({owner}); it cannot be moved to yours"),
    "up_unit_school": ("学校", "school"), "up_unit_county": ("县（市、区）", "county"),
    "up_unit_enterprise": ("企业", "enterprise"),
})
CHUNK = 1 << 20
SAFE_NAME = re.compile(r"[^\w.\-()（）\u4e00-\u9fff]+")


class OutOfScope(ImportRejected):
    """A file rejected (also) because some rows belong to another school, county or enterprise."""


def writable_tables(principal: Principal) -> list[str]:
    """The hub tables ``principal`` may upload rows to (in the hub's order)."""
    return [name for name in HUB_TABLES if write_scope(principal, name).kind != "none"]


def safe_filename(name: str | None) -> str:
    """The uploaded file's own name without folders or odd characters (it names the file in every problem)."""
    base = re.split(r"[/\\]", name or "")[-1].strip()
    cleaned = SAFE_NAME.sub("_", base).strip("._")[-100:]
    return cleaned or "upload"


def save_upload(source: BinaryIO, path: Path, max_bytes: int) -> str:
    """Copy ``source`` to ``path`` in chunks, refusing more than ``max_bytes``; returns the SHA-256."""
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise InvalidInput(t("file_too_big", path=path.name, size=f"> {max_bytes}", limit=max_bytes))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def import_upload(db: Database, settings: Settings, principal: Principal, table: str, source: BinaryIO,
                  filename: str | None, *, sheet: str | None = None, dry_run: bool = False,
                  client: str = "") -> ImportOutcome:
    """Validate the uploaded file and apply it in one transaction, if every row is valid and the uploader's."""
    spec = table_spec(table)
    if write_scope(principal, table).kind == "none":
        raise PermissionDenied(t("up_table_forbidden", table=table))
    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="silian-upload-") as folder:
        path = Path(folder) / name
        sha256 = save_upload(source, path, settings.import_max_bytes)
        try:
            raw = read_table_file(path, sheet=sheet, max_bytes=settings.import_max_bytes)
        except InvalidInput as exc:  # name the user's file, not the temporary folder
            raise InvalidInput(exc.message.replace(str(path), name)) from None
    try:
        return _apply(db, settings, principal, spec, raw, name, sha256, dry_run=dry_run, client=client)
    except OutOfScope as exc:
        _audit_denied(db, principal, table, name, exc, client)
        raise


def _apply(db: Database, settings: Settings, principal: Principal, spec: TableSpec, raw: RawTable, name: str,
           sha256: str, *, dry_run: bool, client: str) -> ImportOutcome:
    guard = UploadGuard(principal, name, _headers(spec, raw), settings.import_max_errors, client)
    with import_transaction(db, dry_run=dry_run) as conn:
        return run_import(conn, spec, raw, label=name, max_errors=settings.import_max_errors, dry_run=dry_run,
                          record=f"web:{principal.username}:{name}", sha256=sha256, guard=guard)


@dataclass(frozen=True)
class UploadGuard:
    """The import pipeline's guard for a web upload: every row must be the uploader's to write (a rejected file also
    lists the rows outside the scope), and the applied file is written to the audit log."""

    principal: Principal
    name: str
    headers: dict[str, str]
    max_errors: int
    client: str

    def merged(self, conn: Connection, spec: TableSpec, raw: RawTable, exc: ImportRejected) -> ImportRejected:
        extra = scope_problems(conn, self.principal, spec, _as_fields(raw, spec), self.headers, self.name,
                               existing=False)
        return _merged(exc, extra, self.max_errors)

    def check(self, conn: Connection, spec: TableSpec, frame: pl.DataFrame) -> None:
        problems = scope_problems(conn, self.principal, spec, frame, self.headers, self.name)
        if problems:
            raise OutOfScope(t("rejected", count=len(problems)), problems)

    def audit(self, conn: Connection, spec: TableSpec, counts: UpsertCounts, sha256: str) -> None:
        write_audit(conn, self.principal, "import", spec.name, self.name, None,
                    {"file": self.name, "sha256": sha256, "rows": counts.rows, "inserted": counts.inserted,
                     "updated": counts.updated, "unchanged": counts.unchanged}, self.client)


def _headers(spec: TableSpec, raw: RawTable) -> dict[str, str]:
    """``{field: the file's own header}``, falling back to the field's label in the user's language."""
    mapping, _ = header_map(spec, [c for c in raw.frame.columns if c != ROW])
    labels = {f.name: (f.en if current_lang.get() == "en" else f.zh) for f in spec.fields}
    return {**labels, **{name: header for header, name in mapping.items()}}


def _as_fields(raw: RawTable, spec: TableSpec) -> pl.DataFrame:
    """The raw text frame with field names as columns (for the scope check of a file that failed validation)."""
    mapping, _ = header_map(spec, [c for c in raw.frame.columns if c != ROW])
    return raw.frame.rename(mapping).select([ROW, *mapping.values()])


def _merged(exc: ImportRejected, extra: list[RowProblem], limit: int) -> ImportRejected:
    if not extra:
        return exc
    problems = sorted([*exc.problems, *extra], key=lambda p: p.row or 0)[:limit]
    truncated = exc.truncated or len(exc.problems) + len(extra) > limit
    message = t("rejected", count=len(problems)) + (t("rejected_truncated", count=len(problems)) if truncated else "")
    return OutOfScope(message, problems, truncated)


def scope_problems(conn: Connection, principal: Principal, spec: TableSpec, frame: pl.DataFrame,
                   headers: dict[str, str], file: str, *, existing: bool = True) -> list[RowProblem]:
    """One problem per row the principal may not write: its owner column names another school, county or
    enterprise, or (``existing``) its natural key names a stored row that belongs to someone else."""
    scope = write_scope(principal, spec.name)
    if scope.kind == "all" or scope.column not in frame.columns:
        return []
    unit = _unit(principal)
    owner = pl.col(scope.column).cast(pl.String).fill_null("")
    if scope.kind == "school_county":
        owner = owner.replace_strict(school_counties(conn), default="")
    bad = frame.with_columns(pl.col(scope.column).cast(pl.String).fill_null("").alias("__value")).filter(owner != scope.value)
    problems = [RowProblem(file, row[ROW], headers[scope.column], row["__value"],
                           t(f"up_not_your_{unit}", code=scope.value), t("up_not_yours_fix"))
                for row in bad.select(ROW, "__value").iter_rows(named=True)]
    if existing:
        problems += _stored_elsewhere(conn, spec, scope, unit, frame.filter(owner == scope.value), headers, file)
        problems += _moved_county(conn, principal, spec, frame, headers, file)
    return sorted(problems, key=lambda p: p.row or 0)


def _moved_county(conn: Connection, principal: Principal, spec: TableSpec, frame: pl.DataFrame,
                  headers: dict[str, str], file: str) -> list[RowProblem]:
    """Rows that would move the uploader's own school or enterprise to another county (see ``locked_column``)."""
    column = locked_column(principal, spec.name)
    if column is None or column not in frame.columns or frame.height == 0:
        return []
    first = spec.key[0]
    stored = dict(read_where_in(conn, spec.name, (first, column), first, frame[first].drop_nulls().unique().to_list()))
    problems = []
    for row in frame.select(ROW, first, column).iter_rows(named=True):
        before = stored.get(row[first])
        if before is not None and str(row[column] or "") != str(before or ""):
            problems.append(RowProblem(file, row[ROW], headers[column], str(row[column] or ""),
                                       t("locked_column", column=headers[column], value=before or ""),
                                       t("up_keep_county", value=before or "")))
    return problems


def _unit(principal: Principal) -> str:
    if principal.role == "school_user":
        return "school"
    if principal.role == "enterprise_user":
        return "enterprise"
    return "county"


def _stored_elsewhere(conn: Connection, spec: TableSpec, scope: Scope, unit: str, frame: pl.DataFrame,
                      headers: dict[str, str], file: str) -> list[RowProblem]:
    """Rows whose natural key matches a stored row outside the scope (an upsert would take it over)."""
    if scope.column in spec.key or frame.height == 0:
        return []
    first = spec.key[0]
    stored = read_where_in(conn, spec.name, (*spec.key, scope.column), first, frame[first].drop_nulls().unique().to_list())
    owners = {tuple(r[:-1]): str(r[-1] or "") for r in stored}
    problems = []
    for row in frame.select(ROW, *spec.key).iter_rows(named=True):
        owner = owners.get(tuple(row[k] for k in spec.key))
        if owner is not None and owner != scope.value:
            problems.append(RowProblem(file, row[ROW], headers[first], str(row[first]),
                                       t("up_existing_not_yours", unit=t(f"up_unit_{unit}"), owner=owner),
                                       t("up_not_yours_fix")))
    return problems


def _audit_denied(db: Database, principal: Principal, table: str, name: str, exc: ImportRejected, client: str) -> None:
    """Attempts to write outside one's scope are recorded (in their own transaction: the import rolled back)."""
    with db.begin() as conn:
        write_audit(conn, principal, "import_denied", table, name, None,
                    {"file": name, "problems": len(exc.problems)}, client)
