"""SQL of the audit log: one record per change, login and refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

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

