"""What the city admin does with accounts (the pages under /admin/users, the `/api/v1/users` routes and
`silian user …`): list and inspect users, change role and scope, deactivate and reactivate, reset and set
passwords, unlock. Every change is audited; a password set or reset and a deactivation end every session and API
token of the user at once. Login, tokens and sessions themselves: :mod:`silian.services.accounts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from silian.domain.access import ROLE_NAMES, Principal
from silian.domain.messages import t
from silian.services import accounts as core
from silian.storage import accounts as store
from silian.storage.database import Connection, Database


def set_password(db: Database, actor: Principal, user_id: int, password: str) -> None:
    """An operator sets a user's password (`silian user set-password`): policy checked, every session and token ends."""
    core.require_admin(actor)
    with db.begin() as conn:
        row = core.user_row(conn, user_id)
        core.check_password("password", password, row.username, row.display_name)
        store.update_user(conn, row.id, password_hash=core.password_hasher().hash(password), must_change_password=False)
        store.forget_login_failures(conn, row.username)
        ended = core.end_all_access(conn, row.id)
        core.write_audit(conn, actor, "password_set", "users", str(row.id), None, ended)


def reset_password(db: Database, actor: Principal, user_id: int) -> str:
    """An admin gives a user a one-time password (returned once; the user must change it at the next login); every
    session and token of the user ends and every wait of the account is lifted."""
    core.require_admin(actor)
    with db.begin() as conn:
        row = core.user_row(conn, user_id)
        password = core.one_time_password(row.username)
        store.update_user(conn, row.id, password_hash=core.password_hasher().hash(password), must_change_password=True)
        store.forget_login_failures(conn, row.username)
        ended = core.end_all_access(conn, row.id)
        core.write_audit(conn, actor, "password_reset", "users", str(row.id), None, ended)
    return password


# ---------------------------------------------------------------- administration

def _active_admins(conn: Connection) -> int:
    return len(store.list_users(conn, role="city_admin", active=True))


def set_active(db: Database, actor: Principal, user_id: int, active: bool) -> None:
    """Deactivate (every session and token ends at once) or reactivate a user."""
    core.require_admin(actor)
    with db.begin() as conn:
        row = core.user_row(conn, user_id)
        if not active and row.id == actor.user_id:
            raise core.AccountInputError("is_active", t("acct_not_self"))
        if not active and row.role == "city_admin" and row.is_active and _active_admins(conn) <= 1:
            raise core.AccountInputError("is_active", t("acct_last_admin"))
        store.update_user(conn, row.id, is_active=active)
        ended = core.end_all_access(conn, row.id) if not active else {}
        core.write_audit(conn, actor, "activate" if active else "deactivate", "users", str(row.id),
                    {"is_active": row.is_active}, {"is_active": active, **ended})


def change_role(db: Database, actor: Principal, user_id: int, *, role: str, county_code: str | None = None,
                institution_code: str | None = None, enterprise_credit_code: str | None = None,
                display_name: str | None = None) -> None:
    """Give a user another role and scope (checked against the hub) and, optionally, another display name."""
    core.require_admin(actor)
    with db.begin() as conn:
        row = core.user_row(conn, user_id)
        scope = core.checked_scope(conn, role, county_code, institution_code, enterprise_credit_code)
        if row.role == "city_admin" and role != "city_admin" and row.is_active and _active_admins(conn) <= 1:
            raise core.AccountInputError("role", t("acct_last_admin"))
        before = {"role": row.role, "county_code": row.county_code, "institution_code": row.institution_code,
                  "enterprise_credit_code": row.enterprise_credit_code, "display_name": row.display_name}
        after = {"role": role, **scope, "display_name": display_name or row.display_name}
        store.update_user(conn, row.id, **after)
        core.write_audit(conn, actor, "update", "users", str(row.id), before, after)


def unlock(db: Database, actor: Principal, user_id: int) -> int:
    """End every wait of an account (from every source); returns how many sources had failures."""
    core.require_admin(actor)
    with db.begin() as conn:
        row = core.user_row(conn, user_id)
        forgotten = store.forget_login_failures(conn, row.username)
        core.write_audit(conn, actor, "unlock", "users", str(row.id), None, {"sources": forgotten})
    return forgotten


USER_STATUSES = ("active", "inactive", "locked")


def list_users(db: Database, *, search: str = "", role: str = "", status: str = "") -> list[dict[str, Any]]:
    """Users (without password hashes) in the order they were created, each with ``locked_sources`` (how many
    addresses must wait now): ``search`` in the name, one role, status active / inactive / locked."""
    now = core.utc_now()
    with db.engine.connect() as conn:
        locked = store.locked_sources(conn, now)
        active = {"active": True, "inactive": False}.get(status)
        rows = store.list_users(conn, search=search.strip(), role=role if role in ROLE_NAMES else "", active=active,
                                usernames=frozenset(locked) if status == "locked" else None)
    return [{**core.with_utc_dates(row), "locked_sources": locked.get(row["username"], 0)} for row in rows]


def user_details(db: Database, actor: Principal, user_id: int) -> dict[str, Any]:
    """One user for the admin: the list's fields, the failing sources, the tokens and the live sessions."""
    core.require_admin(actor)
    with db.engine.connect() as conn:
        row = core.user_row(conn, user_id)
        found = core.with_utc_dates(store.list_users(conn, usernames=frozenset({row.username}))[0])
        failures = [core.with_utc_dates(f) for f in store.lock_details(conn, row.username)]
        tokens = [core.with_utc_dates(token) for token in store.list_tokens(conn, row.id)]
        sessions = store.count_live_sessions(conn, row.id)
    now = core.utc_now()
    for failure in failures:
        failure["waiting"] = bool(failure["locked_until"] and failure["locked_until"] > now)
    return {**found, "locked_sources": sum(f["waiting"] for f in failures), "failures": failures, "tokens": tokens,
            "live_sessions": sessions}


def active_demo_accounts(db: Database) -> list[str]:
    """The demo accounts that are active (their passwords were printed by `silian demo`)."""
    with db.engine.connect() as conn:
        return [r["username"] for r in store.list_users(conn, active=True,
                                                         usernames=frozenset(name for name, _ in core.DEMO_USERS))]



@dataclass(frozen=True)
class ScopeChoices:
    """What a user's scope is chosen from (the hub's counties, schools and enterprises, as ``(code, name)``)."""

    counties: list[tuple[str, str]]
    schools: list[tuple[str, str]]
    enterprises: list[tuple[str, str]]

    def name_of(self, user: dict[str, Any]) -> str:
        """The name of a user's county, school or enterprise ('' for a city admin or an unknown code)."""
        for field, options in (("county_code", self.counties), ("institution_code", self.schools),
                               ("enterprise_credit_code", self.enterprises)):
            if user.get(field):
                return dict(options).get(user[field], "")
        return ""

    def code_for(self, field: str, typed: str) -> str:
        """The code a person meant: the code itself, or the exact name of one county, school or enterprise."""
        options = {"county_code": self.counties, "institution_code": self.schools,
                   "enterprise_credit_code": self.enterprises}[field]
        typed = typed.strip()
        if typed in dict(options):
            return typed
        named = [code for code, name in options if name == typed or f"{code} {name}" == typed]
        return named[0] if len(named) == 1 else typed


def scope_choices(db: Database) -> ScopeChoices:
    with db.engine.connect() as conn:
        found = store.scope_choices(conn)
    return ScopeChoices(found["counties"], found["schools"], found["enterprises"])
