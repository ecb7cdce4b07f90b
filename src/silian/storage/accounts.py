"""SQL of the platform's accounts: users and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.access import Role
from silian.storage.platform_schema import api_tokens, users, web_sessions

USER_LIST_COLUMNS = ("id", "username", "role", "display_name", "county_code", "institution_code",
                     "enterprise_credit_code", "is_active")


@dataclass(frozen=True)
class UserRow:
    """A stored user (with its password hash: never shown)."""

    id: int
    username: str
    password_hash: str
    role: Role
    display_name: str
    county_code: str | None
    institution_code: str | None
    enterprise_credit_code: str | None
    is_active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class TokenOwner:
    """The user a token belongs to, the token's id and when it expires."""

    user: UserRow
    token_id: int
    expires_at: datetime | None


def _user(row: Any) -> UserRow:
    return UserRow(**{c.name: getattr(row, c.name) for c in users.columns})


def find_user_by_name(conn: Connection, username: str) -> UserRow | None:
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _user(row) if row is not None else None


def find_active_user(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(sa.select(users).where((users.c.id == user_id) & users.c.is_active)).first()
    return _user(row) if row is not None else None


def find_user_id(conn: Connection, username: str) -> int | None:
    return conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()


def insert_user(conn: Connection, *, username: str, password_hash: str, role: str, display_name: str,
                county_code: str | None, institution_code: str | None, enterprise_credit_code: str | None,
                created_at: datetime) -> int:
    result = conn.execute(users.insert().values(
        username=username, password_hash=password_hash, role=role, display_name=display_name, county_code=county_code,
        institution_code=institution_code, enterprise_credit_code=enterprise_credit_code, created_at=created_at))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def count_login_attempt(conn: Connection, user_id: int) -> int:
    """Count one more login attempt in the database itself (``failed_logins + 1``, one statement, so attempts made
    at the same moment each get their own number) and return the new count."""
    query = (users.update().where(users.c.id == user_id).values(failed_logins=users.c.failed_logins + 1)
             .returning(users.c.failed_logins))
    return int(conn.execute(query).scalar_one())


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    """Set the given columns of one user."""
    conn.execute(users.update().where(users.c.id == user_id).values(**values))


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every user (without password hashes), in the order they were created."""
    rows = conn.execute(sa.select(*(users.c[name] for name in USER_LIST_COLUMNS)).order_by(users.c.id)).all()
    return [dict(zip(USER_LIST_COLUMNS, row, strict=True)) for row in rows]


# ---------------------------------------------------------------- API tokens

def insert_token(conn: Connection, *, user_id: int | None, token_hash: str, name: str, created_at: datetime,
                 expires_at: datetime | None) -> None:
    conn.execute(api_tokens.insert().values(user_id=user_id, token_hash=token_hash, name=name, created_at=created_at,
                                            expires_at=expires_at))


def find_token_owner(conn: Connection, token_hash: str) -> TokenOwner | None:
    """The active user holding the token with this hash (expired or not)."""
    row = conn.execute(sa.select(users, api_tokens.c.id.label("token_id"), api_tokens.c.expires_at.label("token_expires_at"))
                       .join(api_tokens, api_tokens.c.user_id == users.c.id)
                       .where(api_tokens.c.token_hash == token_hash).where(users.c.is_active)).first()
    return TokenOwner(_user(row), row.token_id, row.token_expires_at) if row is not None else None


def token_last_used(conn: Connection, token_id: int) -> datetime | None:
    """When the token was last used, as last written (None: never)."""
    return conn.execute(sa.select(api_tokens.c.last_used_at).where(api_tokens.c.id == token_id)).scalar_one_or_none()


def touch_token(conn: Connection, token_id: int, at: datetime) -> None:
    conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=at))


def delete_token(conn: Connection, *, token_hash: str, user_id: int | None) -> int:
    """Delete a user's token; the number of tokens deleted (0 or 1)."""
    result = conn.execute(api_tokens.delete().where((api_tokens.c.token_hash == token_hash)
                                                    & (api_tokens.c.user_id == user_id)))
    return int(result.rowcount)


# ---------------------------------------------------------------- browser sessions


@dataclass(frozen=True)
class SessionOwner:
    """The user of a live browser session, the session's id and when it was last used."""

    user: UserRow
    session_id: int
    last_seen_at: datetime


def insert_session(conn: Connection, *, user_id: int, token_hash: str, at: datetime) -> int:
    result = conn.execute(web_sessions.insert().values(user_id=user_id, token_hash=token_hash, created_at=at,
                                                       last_seen_at=at))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def find_session_owner(conn: Connection, token_hash: str) -> SessionOwner | None:
    """The active user of a session that has not been ended (idle time is the caller's to judge)."""
    row = conn.execute(sa.select(users, web_sessions.c.id.label("session_id"), web_sessions.c.last_seen_at.label("seen"))
                       .join(web_sessions, web_sessions.c.user_id == users.c.id)
                       .where(web_sessions.c.token_hash == token_hash, web_sessions.c.ended_at.is_(None),
                              users.c.is_active)).first()
    if row is None:
        return None
    return SessionOwner(user=_user(row), session_id=int(row.session_id), last_seen_at=row.seen)


def touch_session(conn: Connection, session_id: int, at: datetime) -> None:
    conn.execute(web_sessions.update().where(web_sessions.c.id == session_id).values(last_seen_at=at))


def end_sessions(conn: Connection, *, at: datetime, token_hash: str | None = None, user_id: int | None = None) -> int:
    """End one session (by its hash) or every session of a user; returns how many were live."""
    query = web_sessions.update().where(web_sessions.c.ended_at.is_(None))
    query = query.where(web_sessions.c.token_hash == token_hash) if token_hash else query.where(web_sessions.c.user_id == user_id)
    return conn.execute(query.values(ended_at=at)).rowcount or 0
