"""Publishing, changing and closing posts."""

from __future__ import annotations

from typing import Any

from silian.catalog import get_catalog
from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, PermissionDenied
from silian.domain.messages import t
from silian.domain.vocab import ENTERPRISE_KINDS, POST_KINDS, SCHOOL_KINDS
from silian.services.accounts import write_audit
from silian.services.platform_posts.reading import fetch_post
from silian.services.platform_posts.rules import (
    EDITABLE,
    check_occupation_level,
    is_blank,
    owns,
    post_spec,
    utc_now,
    validate_row,
)
from silian.storage import hub as hub_store
from silian.storage import platform_posts as store
from silian.storage.database import Connection, Database

# ---------------------------------------------------------------- publishing and changing posts

def _with_owner_defaults(principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    kind = values.get("kind")
    if kind in ENTERPRISE_KINDS and principal.role == "enterprise_user" and is_blank(values.get("enterprise_credit_code")):
        values["enterprise_credit_code"] = principal.enterprise_credit_code
    if kind in SCHOOL_KINDS and principal.role == "school_user" and is_blank(values.get("institution_code")):
        values["institution_code"] = principal.institution_code
    if kind in ENTERPRISE_KINDS:
        values["institution_code"] = None
    elif kind in SCHOOL_KINDS:
        values["enterprise_credit_code"] = None
    return values


def _owner_county(conn: Connection, row: dict[str, Any]) -> str | None:
    if row["kind"] in ENTERPRISE_KINDS:
        return hub_store.enterprise_county(conn, row["enterprise_credit_code"])
    return hub_store.school_county(conn, row["institution_code"])


def _validated_post(conn: Connection, principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    kind = values.get("kind")
    if kind not in POST_KINDS:
        validate_row(conn, post_spec("tech_need"), values)  # reports the bad kind (and anything else wrong)
    if not owns(principal, values):
        raise PermissionDenied(t("post_forbidden_owner"))
    row = validate_row(conn, post_spec(str(kind)), values)
    check_occupation_level(row)
    if row["kind"] in ENTERPRISE_KINDS and not row.get("skill_level"):
        row["skill_level"] = "不限"
    if row["kind"] in SCHOOL_KINDS:
        row["skill_level"] = row.get("skill_level") or None
    return row


def create_post(db: Database, principal: Principal, values: dict[str, Any], client: str = "") -> dict[str, Any]:
    """Publish a post for the principal's own enterprise or school (any, for the city admin); audited."""
    if principal.is_public:
        raise PermissionDenied(t("post_forbidden_owner"))
    with db.begin() as conn:
        row = _validated_post(conn, principal, _with_owner_defaults(principal, values))
        now = utc_now()
        full = {**row, "description": row.get("description") or "", "region_code": _owner_county(conn, row),
                "status": "open", "created_by": principal.user_id, "created_at": now, "updated_at": now}
        new_id = store.insert_post(conn, full)
        write_audit(conn, principal, "create", "posts", str(new_id), None, full, client)
        return fetch_post(conn, principal, new_id)


def update_post(db: Database, principal: Principal, post_id: int, changes: dict[str, Any], client: str = "") -> dict[str, Any]:
    """Change the content of an open post (owner or city admin); the whole post is re-validated; audited."""
    with db.begin() as conn:
        before = fetch_post(conn, principal, post_id)
        if not owns(principal, before):
            raise PermissionDenied(t("post_only_owner"))
        for field in changes:
            if field not in EDITABLE:
                raise InvalidInput(t("post_not_editable", field=field, fields=", ".join(EDITABLE)))
        if before["status"] != "open":
            raise InvalidInput(t("post_closed", id=post_id))
        stored = {k: before[k] for k in ("kind", "enterprise_credit_code", "institution_code", *EDITABLE)}
        row = _validated_post(conn, principal, {**stored, **changes})
        values = {k: row[k] for k in EDITABLE} | {"description": row.get("description") or "", "updated_at": utc_now()}
        store.update_post(conn, post_id, values)
        write_audit(conn, principal, "update", "posts", str(post_id), _plain(before), values, client)
        return fetch_post(conn, principal, post_id)


def close_post(db: Database, principal: Principal, post_id: int, client: str = "") -> dict[str, Any]:
    """Close a post (owner or city admin): it leaves the open lists and takes no more responses; audited."""
    with db.begin() as conn:
        before = fetch_post(conn, principal, post_id)
        if not owns(principal, before):
            raise PermissionDenied(t("post_only_owner"))
        if before["status"] != "closed":
            store.update_post(conn, post_id, {"status": "closed", "updated_at": utc_now()})
            write_audit(conn, principal, "update", "posts", str(post_id), {"status": before["status"]}, {"status": "closed"}, client)
        return fetch_post(conn, principal, post_id)


def _plain(post: dict[str, Any]) -> dict[str, Any]:
    return {c: post[c] for c in store.POST_COLUMNS if c in post}


def school_majors(db: Database, institution_code: str) -> list[tuple[str, str]]:
    """(code, name) of the majors a school offers in its latest reported year (for the response form)."""
    majors = get_catalog().major_names
    with db.engine.connect() as conn:
        return [(code, majors.get(code, code)) for code in hub_store.school_latest_majors(conn, institution_code)]


