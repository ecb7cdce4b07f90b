"""Schools respond to enterprise posts; the enterprise accepts (→ a cooperation record) or declines."""

from __future__ import annotations

from typing import Any

from silian.catalog import get_catalog
from silian.domain.access import Principal, row_in_scope, write_scope
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.domain.messages import t
from silian.domain.tables import HUB_TABLES
from silian.domain.vocab import ENTERPRISE_KINDS
from silian.services.accounts import write_audit
from silian.services.platform_posts.reading import fetch_post
from silian.services.platform_posts.rules import (
    COOPERATION_KIND,
    owns,
    response_spec,
    utc_now,
    validate_row,
)
from silian.storage import platform_posts as store
from silian.storage import records
from silian.storage.database import Connection, Database

# ---------------------------------------------------------------- responses

def _response_dict(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    majors = get_catalog().major_names
    data.update(major_name=majors.get(data["major_code"] or ""), status_name=t(f"resp_status_{data['status']}"),
                cooperation=None)
    if data["cooperation_id"] is not None:
        found = records.find_record(conn, "cooperation", data["cooperation_id"])
        data["cooperation"] = {c: found[c] for c in ("id", *HUB_TABLES["cooperation"].field_names)} if found else None
    return data


def list_responses(db: Database, principal: Principal, post_id: int) -> list[dict[str, Any]]:
    """Responses to a post: all of them for its owner and the city admin; a school its own; others 403."""
    with db.engine.connect() as conn:
        post = fetch_post(conn, principal, post_id)
        school = None
        if not owns(principal, post):
            if principal.role != "school_user" or not principal.institution_code:
                raise PermissionDenied(t("post_only_owner"))
            school = principal.institution_code
        return [_response_dict(conn, r) for r in store.list_responses(conn, post_id, institution_code=school)]


def respond(db: Database, principal: Principal, post_id: int, values: dict[str, Any], client: str = "") -> dict[str, Any]:
    """A school answers an open enterprise post (once): seats, major and message; audited."""
    if principal.role != "school_user" or not principal.institution_code:
        raise PermissionDenied(t("post_only_school"))
    with db.begin() as conn:
        post = fetch_post(conn, principal, post_id, lock=True)
        if post["kind"] not in ENTERPRISE_KINDS:
            raise InvalidInput(t("post_not_respondable"))
        if post["status"] != "open":
            raise InvalidInput(t("post_closed", id=post_id))
        earlier = store.find_response_id(conn, post_id, principal.institution_code)
        if earlier is not None:
            raise InvalidInput(t("post_responded", id=post_id, rid=earlier))
        row = validate_row(conn, response_spec(post["kind"]), {**values, "institution_code": principal.institution_code})
        full = {**row, "message": row.get("message") or "", "post_id": post_id,
                "enterprise_credit_code": post["enterprise_credit_code"], "status": "pending",
                "created_by": principal.user_id, "created_at": utc_now()}
        new_id = store.insert_response(conn, full)
        write_audit(conn, principal, "create", "post_responses", str(new_id), None, full, client)
        return _one_response(conn, post_id, new_id)


def _one_response(conn: Connection, post_id: int, response_id: int) -> dict[str, Any]:
    row = store.find_response(conn, post_id, response_id)
    if row is None:
        raise NotFound(t("post_response_not_found", post=post_id, id=response_id))
    return _response_dict(conn, row)


def decide(db: Database, principal: Principal, post_id: int, response_id: int, *, accept: bool, client: str = "") -> dict[str, Any]:
    """The post's owner (or the city admin) accepts or declines a pending response; accepting a response to talent
    demand, order-class or apprenticeship seats writes a cooperation record, linked back; all audited."""
    with db.begin() as conn:
        post = fetch_post(conn, principal, post_id, lock=True)
        if not owns(principal, post):
            raise PermissionDenied(t("post_only_owner"))
        response = _one_response(conn, post_id, response_id)
        if response["status"] != "pending":
            raise InvalidInput(t("post_decided", id=response_id, status=response["status_name"]))
        changes: dict[str, Any] = {"status": "accepted" if accept else "declined", "decided_at": utc_now()}
        if accept and post["kind"] in COOPERATION_KIND:
            changes["cooperation_id"] = _create_cooperation(conn, principal, post, response, client)
        store.update_response(conn, response_id, changes)
        write_audit(conn, principal, "update", "post_responses", str(response_id), {"status": "pending"}, changes, client)
        return _one_response(conn, post_id, response_id)


def _create_cooperation(conn: Connection, principal: Principal, post: dict[str, Any], response: dict[str, Any], client: str) -> int:
    """The accepted response as a ``cooperation`` record, validated like an imported row and in the owner's scope."""
    kind = COOPERATION_KIND[post["kind"]]
    name = t("post_coop_name", in_lang="zh", kind=kind, title=post["title"][:150], id=post["id"])
    values = {"kind": kind, "institution_code": response["institution_code"],
              "enterprise_credit_code": post["enterprise_credit_code"],
              "major_code": response["major_code"] or post["major_code"], "name": name,
              "start_year": utc_now().year, "participants": response["seats"]}
    spec = HUB_TABLES["cooperation"]
    row = validate_row(conn, spec, values)
    if not row_in_scope(write_scope(principal, "cooperation"), row):
        raise PermissionDenied(t("post_only_owner"))
    row = {k: ("" if v is None and k in spec.key else v) for k, v in row.items()}
    new_id = records.insert_record(conn, "cooperation", {**row, "is_generated": False})
    write_audit(conn, principal, "create", "cooperation", str(new_id), None, row, client)
    return new_id


