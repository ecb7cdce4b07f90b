"""The audit-log viewer for the city admin (``/admin/audit``): filters by user, action, table and date range, 50
records a page, and the same selection as an .xlsx download (``/admin/audit.xlsx``; user text stays text)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from silian.domain.messages import register_messages, t
from silian.services import accounts
from silian.services.audit_log import AuditQuery, action_name, audit_page, audit_workbook, table_name
from silian.web.dependencies import DbDep, PrincipalDep
from silian.web.pages.admin_users import admin_only
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
register_messages({
    "aud_user": ("用户名", "Username"),
    "aud_action": ("操作", "Action"),
    "aud_table": ("数据表", "Table"),
    "aud_from": ("开始日期", "From"),
    "aud_to": ("结束日期", "To"),
    "aud_download": ("下载 Excel（.xlsx）", "Download (.xlsx)"),
    "aud_count": ("共 {n} 条记录，第 {page}/{pages} 页（时间为 UTC）", "{n} records, page {page} of {pages} (times in UTC)"),
    "aud_none": ("没有符合条件的记录", "No record matches"),
    "aud_prev": ("← 上一页", "← Previous"),
    "aud_next": ("下一页 →", "Next →"),
    "aud_details": ("修改前 → 修改后", "Before → after"),
})


def _query(user: str, action: str, table: str, date_from: str, date_to: str) -> AuditQuery:
    return AuditQuery(username=user, action=action, table=table, date_from=date_from, date_to=date_to)


@router.get("/admin/audit")
def audit(request: Request, db: DbDep, principal: PrincipalDep, user: str = "", action: str = "", table: str = "",
          date_from: str = "", date_to: str = "", page: int = 1) -> Response:
    query = _query(user, action, table, date_from, date_to)
    filters = {"user": user, "action": action, "table": table, "date_from": date_from, "date_to": date_to}

    def show() -> Response:
        try:
            found = audit_page(db, principal, query, page)
            errors: dict[str, str] = {}
        except accounts.AccountInputError as exc:
            found, errors = audit_page(db, principal, AuditQuery(), 1), {exc.field: exc.message}
        link = {key: value for key, value in filters.items() if value}
        return render(request, "admin/audit.html", principal, status_code=400 if errors else 200, found=found,
                      filters=filters, errors=errors, query_string=urlencode(link), action_name=action_name,
                      table_name=table_name,
                      page_link=lambda number: "/admin/audit?" + urlencode({**link, "page": number}))
    return admin_only(request, principal, show)


@router.get("/admin/audit.xlsx")
def audit_download(request: Request, db: DbDep, principal: PrincipalDep, user: str = "", action: str = "",
                   table: str = "", date_from: str = "", date_to: str = "") -> Response:
    def show() -> Response:
        content = audit_workbook(db, principal, _query(user, action, table, date_from, date_to))
        name = f"audit-{datetime.now(UTC):%Y%m%d-%H%M}.xlsx"
        return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                           "Cache-Control": "no-store"})
    try:
        return admin_only(request, principal, show)
    except accounts.AccountInputError:  # bad dates: the viewer shows them beside their fields
        return audit(request, db, principal, user, action, table, date_from, date_to)


__all__ = ["router", "t"]
