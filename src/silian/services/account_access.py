"""Access after login: API tokens (one per user and client name; listed and revoked by their owner or the city
admin) and browser sessions kept on the server (ended by logout, by ``session_hours`` without activity, by
``session_max_hours`` after the login, and, with every token, by a password change or reset or a deactivation)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from silian.domain.access import Principal
from silian.domain.errors import NotFound
from silian.domain.messages import t
from silian.services import accounts as core
from silian.settings import Settings
from silian.storage import accounts as store
from silian.storage.database import Database


@dataclass(frozen=True)
class NewToken:
    """A freshly created API token: ``token`` is shown once and never stored."""

    token: str
    expires_at: datetime | None
    token_id: int = 0


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- API tokens

def create_token(db: Database, settings: Settings, principal: Principal, name: str = "") -> NewToken:
    """A new bearer token for ``principal`` and client ``name`` (shown once; only its SHA-256 is stored). An earlier
    token of the same user and name is replaced: one token per client."""
    token = "sl_" + secrets.token_urlsafe(32)
    now = core.utc_now()
    expires = now + timedelta(days=settings.token_days) if settings.token_days else None
    with db.begin() as conn:
        token_id = store.insert_token(conn, user_id=principal.user_id, token_hash=_token_hash(token), name=name,
                                      created_at=now, expires_at=expires)
        core.write_audit(conn, principal, "create", "api_tokens", str(token_id), None,
                         {"name": name, "expires_at": str(expires)})
    return NewToken(token=token, expires_at=expires, token_id=token_id)


def principal_for_token(db: Database, token: str) -> Principal | None:
    """The user a bearer token belongs to, if the token exists, has not expired and the user is active."""
    now = core.utc_now()
    with db.engine.connect() as conn:  # a read: a request with a token never waits for, or fails on, a long import
        found = store.find_token_owner(conn, _token_hash(token))
        if found is None or ((exp := core.as_utc(found.expires_at)) is not None and exp <= now):
            return None
        last_used = store.token_last_used(conn, found.token_id)
    note_token_use(db, found.token_id, core.as_utc(last_used), now)
    return core.principal_of(found.user)


TOKEN_TOUCH_SECONDS = 300  # a token's last use is written at most once per 5 minutes


def note_token_use(db: Database, token_id: int, last_used: datetime | None, now: datetime) -> None:
    """Write the token's last use (shown in token lists, to the nearest 5 minutes) when the stored one is older than
    :data:`TOKEN_TOUCH_SECONDS`, in a short transaction of its own that is skipped (and tried at the next use) when
    another write holds the database: so requests with a token are reads, and never wait for an import."""
    if last_used is None or (now - last_used).total_seconds() >= TOKEN_TOUCH_SECONDS:
        db.write_unless_busy(lambda conn: store.touch_token(conn, token_id, now))


def revoke_token(db: Database, principal: Principal, token: str) -> None:
    """Revoke the token a request was made with."""
    if not token:
        raise NotFound(t("acct_no_bearer"))
    with db.begin() as conn:
        if store.delete_token(conn, token_hash=_token_hash(token), user_id=principal.user_id) == 0:
            raise NotFound(t("acct_no_bearer"))
        core.write_audit(conn, principal, "delete", "api_tokens", "", None, None)


def list_tokens(db: Database, actor: Principal, user_id: int | None = None, *, everyone: bool = False) -> list[dict[str, Any]]:
    """API tokens (never the tokens themselves): the actor's own; an admin's choice of one user's or everyone's."""
    if everyone or (user_id is not None and user_id != actor.user_id):
        core.require_admin(actor)
    with db.engine.connect() as conn:
        rows = store.list_tokens(conn, None if everyone else (user_id if user_id is not None else actor.user_id))
    return [core.with_utc_dates(row) for row in rows]


def revoke_token_id(db: Database, actor: Principal, token_id: int, *, own_only: bool = False) -> dict[str, Any]:
    """Revoke one token by its id: one's own, or (an admin, unless ``own_only``) anyone's. Returns its row."""
    with db.begin() as conn:
        found = store.find_token(conn, token_id)
        if found is None or (found["user_id"] != actor.user_id and (own_only or not actor.is_admin)):
            raise NotFound(t("acct_no_token", id=token_id))
        store.delete_token_by_id(conn, token_id)
        core.write_audit(conn, actor, "delete", "api_tokens", str(token_id),
                         {"user": found["username"], "name": found["name"]}, None)
    return found


# ---------------------------------------------------------------- browser sessions (kept on the server)

SESSION_TOUCH_SECONDS = 60  # last activity is written at most once a minute per session


def start_session(db: Database, user_id: int) -> str:
    """A new browser session for a user who just logged in: its id goes into the signed cookie, only its SHA-256
    is stored."""
    session_id = secrets.token_urlsafe(32)
    with db.begin() as conn:
        store.insert_session(conn, user_id=user_id, token_hash=_token_hash(session_id), at=core.utc_now())
    return session_id


def principal_for_session(db: Database, settings: Settings, session_id: str) -> Principal | None:
    """The user of a browser session that was not ended, has been used within ``session_hours`` (each use moves
    that on) and began less than ``session_max_hours`` ago.

    A read: the last activity (at most once per :data:`SESSION_TOUCH_SECONDS`) and the end of a session found
    expired are written in short transactions of their own, skipped when another write holds the database (tried
    again at the next request), so a logged-in page never waits for, or fails because of, a long import."""
    now = core.utc_now()
    token_hash = _token_hash(session_id)
    with db.engine.connect() as conn:
        found = store.find_session_owner(conn, token_hash)
    if found is None:
        return None
    seen, started = core.as_utc(found.last_seen_at) or now, core.as_utc(found.created_at) or now
    if now - seen > timedelta(hours=settings.session_hours) or now - started > timedelta(hours=settings.session_max_hours):
        db.write_unless_busy(lambda conn: store.end_sessions(conn, at=now, token_hash=token_hash))
        return None  # refused whether or not the end could be written now
    if (now - seen).total_seconds() >= SESSION_TOUCH_SECONDS:
        db.write_unless_busy(lambda conn: store.touch_session(conn, found.session_id, now))
    return core.principal_of(found.user)


def end_session(db: Database, session_id: str) -> None:
    """Log out: the session ends on the server, so a saved copy of its cookie no longer works."""
    with db.begin() as conn:
        store.end_sessions(conn, at=core.utc_now(), token_hash=_token_hash(session_id))
