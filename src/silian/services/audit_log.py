"""The audit log for the city admin: filtered (user, action, table, date range), paged, and as an .xlsx download in
which every text a user typed stays text (cells written as strings, never formulas)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from silian.domain.access import Principal
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES
from silian.services.accounts import AccountInputError, as_utc, require_admin
from silian.storage.audit import AuditFilter, audit_vocabulary, count_audit, read_audit
from silian.storage.database import Database

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one download
register_messages({
    "audit_bad_date": ("日期格式应为 YYYY-MM-DD：{value}", "A date is written YYYY-MM-DD: {value}"),
    "audit_dates_reversed": ("结束日期早于开始日期", "The end date is before the start date"),
    "audit_col_at": ("时间（UTC）", "Time (UTC)"),
    "audit_col_user": ("用户", "User"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_table": ("数据表", "Table"),
    "audit_col_record": ("记录", "Record"),
    "audit_col_before": ("修改前", "Before"),
    "audit_col_after": ("修改后", "After"),
    "audit_col_client": ("来源地址", "Client address"),
    "audit_sheet": ("审计日志", "Audit log"),
})
# what each audited action and platform table is called (hub tables are named by their TableSpec)
ACTION_NAMES = {"create": ("新增", "create"), "update": ("修改", "update"), "delete": ("删除", "delete"),
                "login": ("登录", "login"), "login_failed": ("登录失败", "failed login"),
                "login_throttled": ("登录受限（须等待）", "login refused (waiting)"),
                "password_change": ("修改密码", "password change"), "password_reset": ("重置密码", "password reset"),
                "password_set": ("设置密码", "password set"), "activate": ("启用账号", "reactivate"),
                "deactivate": ("停用账号", "deactivate"), "unlock": ("解除登录限制", "unlock"),
                "import": ("导入数据", "import"), "import_denied": ("导入被拒（越权）", "import refused (scope)"),
                "scenario_save": ("保存情景", "save scenario"), "scenario_delete": ("删除情景", "delete scenario"),
                "confirm": ("确认职业", "confirm titles")}
PLATFORM_TABLES = {"users": ("用户", "users"), "api_tokens": ("API 令牌", "API tokens"), "posts": ("需求发布", "posts"),
                   "post_responses": ("需求响应", "post responses"), "scenarios": ("情景", "scenarios"),
                   "confirmed_titles": ("已确认职业", "confirmed titles")}


def action_name(action: str) -> str:
    """An audited action in the current language (the code itself when it has no name)."""
    names = ACTION_NAMES.get(action)
    return (names[1] if current_lang.get() == "en" else names[0]) if names else action


def table_name(entity: str) -> str:
    """A table in the current language (the code itself when it has no name)."""
    en = current_lang.get() == "en"
    if entity in HUB_TABLES:
        return HUB_TABLES[entity].en if en else HUB_TABLES[entity].zh
    names = PLATFORM_TABLES.get(entity)
    return (names[1] if en else names[0]) if names else entity
EXPORT_COLUMNS = (("at", "audit_col_at"), ("username", "audit_col_user"), ("action_name", "audit_col_action"),
                  ("table_name", "audit_col_table"), ("entity_id", "audit_col_record"), ("before", "audit_col_before"),
                  ("after", "audit_col_after"), ("client", "audit_col_client"))


@dataclass(frozen=True)
class AuditQuery:
    """The viewer's filters as typed: a username, an action, a table and a date range (inclusive, YYYY-MM-DD)."""

    username: str = ""
    action: str = ""
    table: str = ""
    date_from: str = ""
    date_to: str = ""

    def to_filter(self) -> AuditFilter:
        """The storage filter; bad dates are an :class:`AccountInputError` beside their field."""
        since, until = _day("date_from", self.date_from), _day("date_to", self.date_to)
        if since and until and until < since:
            raise AccountInputError("date_to", t("audit_dates_reversed"))
        return AuditFilter(username=self.username.strip(), action=self.action, entity=self.table,
                           since=_start(since), until=_start(until + timedelta(days=1)) if until else None)


def _day(field: str, value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise AccountInputError(field, t("audit_bad_date", value=value)) from None


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log: its rows (newest first), the number of matching rows, the page and the pages."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    actions: list[str]
    tables: list[str]


def audit_page(db: Database, actor: Principal, query: AuditQuery, page: int = 1) -> AuditPage:
    """One page of the records matching ``query`` (admins only), with the lists the filters choose from."""
    require_admin(actor)
    wanted = query.to_filter()
    with db.engine.connect() as conn:
        total = count_audit(conn, wanted)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = read_audit(conn, wanted, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        actions, tables = audit_vocabulary(conn)
    return AuditPage([_shown(r) for r in rows], total, page, pages, actions, tables)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A record as shown and exported: the time in UTC to the second, before/after as compact JSON text."""
    at = as_utc(row["at"])
    return {**row, "at": at.strftime("%Y-%m-%d %H:%M:%S") if at else "", "action_name": action_name(row["action"]),
            "table_name": table_name(row["entity"]), "before": _compact(row["before"]), "after": _compact(row["after"])}


def _compact(value: str | None) -> str:
    if not value:
        return ""
    try:
        return json.dumps(json.loads(value), ensure_ascii=False, separators=(", ", ": "))
    except ValueError:
        return value


def audit_workbook(db: Database, actor: Principal, query: AuditQuery) -> bytes:
    """The records matching ``query`` (at most ``EXPORT_LIMIT``, newest first) as an .xlsx workbook: a header row in
    the current language, then one row per record; every cell is written as a string (a username or a value that
    starts with = stays text)."""
    import xlsxwriter

    require_admin(actor)
    wanted = query.to_filter()
    with db.engine.connect() as conn:
        rows = [_shown(r) for r in read_audit(conn, wanted, limit=EXPORT_LIMIT)]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    sheet = book.add_worksheet(t("audit_sheet"))
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    for column, (_key, label) in enumerate(EXPORT_COLUMNS):
        sheet.write_string(0, column, t(label), bold)
    for index, row in enumerate(rows, start=1):
        for column, (key, _label) in enumerate(EXPORT_COLUMNS):
            sheet.write_string(index, column, str(row[key] if row[key] is not None else ""))
    for column, width in enumerate((20, 16, 16, 16, 12, 40, 40, 16)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
