"""SQL of the audit log: one record per change, login and refusal; the admin's filtered, paged reading of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.storage.platform_schema import audit_log


def _json(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value, ensure_ascii=False, default=str) if value is not None else None


def insert_audit(conn: Connection, *, user_id: int | None, username: str, action: str, entity: str, entity_id: str,
                 before: dict[str, Any] | None, after: dict[str, Any] | None, client: str = "") -> None:
    """One audit record, stamped now; ``before`` and ``after`` are stored as JSON."""
    conn.execute(audit_log.insert().values(
        at=datetime.now(UTC), user_id=user_id, username=username, action=action, entity=entity,
        entity_id=entity_id[:100], before=_json(before), after=_json(after), client=client[:100]))



AUDIT_COLUMNS = ("id", "at", "user_id", "username", "action", "entity", "entity_id", "before", "after", "client")


@dataclass(frozen=True)
class AuditFilter:
    """Which audit records to read: by username (exact), action, table (``entity``) and time range [since, until)."""

    username: str = ""
    action: str = ""
    entity: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _where(query: Any, wanted: AuditFilter) -> Any:
    if wanted.username:
        query = query.where(audit_log.c.username == wanted.username)
    if wanted.action:
        query = query.where(audit_log.c.action == wanted.action)
    if wanted.entity:
        query = query.where(audit_log.c.entity == wanted.entity)
    if wanted.since is not None:
        query = query.where(audit_log.c.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(audit_log.c.at < wanted.until)
    return query


def read_audit(conn: Connection, wanted: AuditFilter, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Audit records matching ``wanted``, newest first, one page."""
    query = _where(sa.select(*(audit_log.c[c] for c in AUDIT_COLUMNS)), wanted)
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).offset(offset).limit(limit)
    return [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in conn.execute(query)]


def count_audit(conn: Connection, wanted: AuditFilter) -> int:
    return int(conn.execute(_where(sa.select(sa.func.count()).select_from(audit_log), wanted)).scalar_one())


def audit_vocabulary(conn: Connection) -> tuple[list[str], list[str]]:
    """The actions and the tables (entities) the audit log holds, sorted (for the viewer's filter lists)."""
    actions = conn.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars()
    entities = conn.execute(sa.select(audit_log.c.entity).distinct().where(audit_log.c.entity != "")
                            .order_by(audit_log.c.entity)).scalars()
    return list(actions), list(entities)
