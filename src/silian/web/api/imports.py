"""``POST /api/v1/imports/{table}``: upload an .xlsx or .csv into a hub table, validated and applied like
`silian import` (whole file or nothing), limited to the rows the caller's role may write."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from silian.domain.tables import HUB_TABLES
from silian.services import uploads
from silian.web.dependencies import ClientDep, DbDep, SettingsDep, UserDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/imports", tags=["导入 / imports"])
TableName = Enum("TableName", {name: name for name in HUB_TABLES}, type=str)  # type: ignore[misc]


class ImportResult(BaseModel):
    """What an accepted file did (with ``dry_run``: would do) to the table."""

    table: str
    file: str = Field(..., description="The uploaded file's name")
    rows: int = Field(..., description="Data rows in the file")
    inserted: int
    updated: int
    unchanged: int
    dry_run: bool = Field(..., description="True: validated only, nothing written")
    seconds: float
    source: str = Field(..., description="How the file was read: the CSV encoding or the sheet")
    warnings: list[str] = Field(default_factory=list, description="e.g. columns that were not recognised (ignored)")


DESCRIPTION = """上传 .xlsx（“数据”工作表）或 .csv（UTF-8、UTF-8-BOM、GBK）文件，表头与模板一致（`/data/template/{table}.xlsx`）。
整个文件先逐行校验；任何一行有问题（包括不属于本校、本县或本企业的行）则整体拒绝（422，`problems` 列出每个问题的
文件、行、列、值、问题和修改建议），数据库不做任何修改。通过后在一个事务内按唯一键新增或更新，并写入审计日志。
`dry_run=true` 只校验不写入。

Upload an .xlsx or .csv shaped like the table's template. The whole file is validated first; any problem (rows
outside the caller's school, county or enterprise included) rejects it whole (422, every problem listed) and
nothing changes. Otherwise it is applied in one transaction (upsert by natural key) and audited."""


@router.post("/{table}", response_model=ImportResult, responses=responses(400, 401, 403, 413, 422),
             summary="Import a file into a table", description=DESCRIPTION)
def import_table(db: DbDep, settings: SettingsDep, client: ClientDep, table: TableName, principal: UserDep,
                 file: Annotated[UploadFile, File(description=".xlsx or .csv (UTF-8, UTF-8-BOM, GBK)")],
                 dry_run: Annotated[bool, Query(description="Validate only; write nothing")] = False,
                 sheet: Annotated[str | None, Query(max_length=100, description="Sheet of an .xlsx (default 数据)")] = None,
                 ) -> ImportResult:
    outcome = uploads.import_upload(db, settings, principal, table.value, file.file, file.filename, sheet=sheet, dry_run=dry_run,
                                    client=client)
    return ImportResult(table=outcome.table, file=outcome.file, rows=outcome.rows, inserted=outcome.inserted,
                        updated=outcome.updated, unchanged=outcome.unchanged, dry_run=dry_run,
                        seconds=round(outcome.seconds, 3), source=outcome.source, warnings=outcome.warnings)
