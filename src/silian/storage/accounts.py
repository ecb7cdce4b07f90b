"""SQL of the platform's accounts: users, login throttling, API tokens and browser sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from silian.domain.access import Role
from silian.storage.platform_schema import api_tokens, login_throttle, users, web_sessions
from silian.storage.schema import hub_tables

USER_LIST_COLUMNS = ("id", "username", "role", "display_name", "county_code", "institution_code",
                     "enterprise_credit_code", "is_active", "created_at", "last_login_at", "must_change_password")
TOKEN_LIST_COLUMNS = ("id", "user_id", "name", "created_at", "expires_at", "last_used_at")


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
    must_change_password: bool


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


def find_user(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
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


def count_login_attempt(conn: Connection, *, username: str, source: str, at: datetime, allowance: int) -> tuple[int, int] | None:
    """Count one more login attempt for (``username``, ``source``) in the database itself, before its password is
    checked: ``attempts + 1`` in one conditional statement, so attempts made at the same moment each get their own
    number and no more than the allowance are ever counted. Returns ``(attempt, allowance)``, or None when the source
    must wait (locked, or its allowance is taken by attempts being checked right now). Rows unused for a day go."""
    conn.execute(login_throttle.delete().where(login_throttle.c.last_attempt_at < at - timedelta(days=1),
                                               sa.or_(login_throttle.c.locked_until.is_(None),
                                                      login_throttle.c.locked_until < at)))
    conn.execute(_insert(conn)(login_throttle).values(username=username, source=source, attempts=0, allowance=allowance,
                                                      last_attempt_at=at)
                 .on_conflict_do_nothing(index_elements=["username", "source"]))
    key = (login_throttle.c.username == username) & (login_throttle.c.source == source)
    query = (login_throttle.update()
             .where(key, login_throttle.c.attempts < login_throttle.c.allowance,
                    sa.or_(login_throttle.c.locked_until.is_(None), login_throttle.c.locked_until <= at))
             .values(attempts=login_throttle.c.attempts + 1, last_attempt_at=at)
             .returning(login_throttle.c.attempts, login_throttle.c.allowance))
    row = conn.execute(query).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def _insert(conn: Connection) -> Any:
    """The INSERT … ON CONFLICT builder of the connection's dialect."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def make_source_wait(conn: Connection, *, username: str, source: str, until: datetime) -> None:
    """The last allowed attempt failed: the source waits until ``until`` and may then try once more."""
    conn.execute(login_throttle.update()
                 .where(login_throttle.c.username == username, login_throttle.c.source == source)
                 .values(locked_until=until, allowance=login_throttle.c.allowance + 1))


def forget_login_failures(conn: Connection, username: str, source: str | None = None) -> int:
    """A success (one source) or an admin's unlock (every source): the failures are forgotten. Returns the rows."""
    query = login_throttle.delete().where(login_throttle.c.username == username)
    if source is not None:
        query = query.where(login_throttle.c.source == source)
    return int(conn.execute(query).rowcount or 0)


def locked_sources(conn: Connection, at: datetime, username: str | None = None) -> dict[str, int]:
    """``{username: number of sources waiting}`` for the accounts some source must wait for at ``at``."""
    query = (sa.select(login_throttle.c.username, sa.func.count()).where(login_throttle.c.locked_until > at)
             .group_by(login_throttle.c.username))
    if username is not None:
        query = query.where(login_throttle.c.username == username)
    return {name: int(count) for name, count in conn.execute(query)}


def lock_details(conn: Connection, username: str) -> list[dict[str, Any]]:
    """The sources that failed for ``username``: source, attempts, allowance, locked_until, last_attempt_at."""
    columns = ("source", "attempts", "allowance", "locked_until", "last_attempt_at")
    query = (sa.select(*(login_throttle.c[c] for c in columns)).where(login_throttle.c.username == username)
             .order_by(login_throttle.c.last_attempt_at.desc()))
    return [dict(zip(columns, row, strict=True)) for row in conn.execute(query)]


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    """Set the given columns of one user."""
    conn.execute(users.update().where(users.c.id == user_id).values(**values))


def list_users(conn: Connection, *, search: str = "", role: str = "", active: bool | None = None,
               usernames: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Users (without password hashes) in the order they were created: ``search`` in the username or display name,
    one ``role``, active or not, or only the given ``usernames``."""
    query = sa.select(*(users.c[name] for name in USER_LIST_COLUMNS)).order_by(users.c.id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(users.c.username.ilike(pattern, escape="\\"),
                                   users.c.display_name.ilike(pattern, escape="\\")))
    if role:
        query = query.where(users.c.role == role)
    if active is not None:
        query = query.where(users.c.is_active.is_(active))
    if usernames is not None:
        query = query.where(users.c.username.in_(sorted(usernames)))
    return [dict(zip(USER_LIST_COLUMNS, row, strict=True)) for row in conn.execute(query).all()]


# ---------------------------------------------------------------- API tokens

def insert_token(conn: Connection, *, user_id: int | None, token_hash: str, name: str, created_at: datetime,
                 expires_at: datetime | None) -> int:
    """A new token; any earlier token of the same user and client name is deleted first (one per name).
    Returns the new token's id."""
    conn.execute(api_tokens.delete().where(api_tokens.c.user_id == user_id, api_tokens.c.name == name))
    result = conn.execute(api_tokens.insert().values(user_id=user_id, token_hash=token_hash, name=name,
                                                     created_at=created_at, expires_at=expires_at))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def list_tokens(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """API tokens (never their hashes) with their owner's username, newest first: one user's, or everyone's."""
    query = (sa.select(*(api_tokens.c[c] for c in TOKEN_LIST_COLUMNS), users.c.username)
             .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.id.desc()))
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return [dict(zip((*TOKEN_LIST_COLUMNS, "username"), row, strict=True)) for row in conn.execute(query)]


def find_token(conn: Connection, token_id: int) -> dict[str, Any] | None:
    """One token (id, user_id, name, dates; never its hash) with its owner's username."""
    query = (sa.select(*(api_tokens.c[c] for c in TOKEN_LIST_COLUMNS), users.c.username)
             .join(users, users.c.id == api_tokens.c.user_id).where(api_tokens.c.id == token_id))
    row = conn.execute(query).first()
    return dict(zip((*TOKEN_LIST_COLUMNS, "username"), row, strict=True)) if row is not None else None


def delete_token_by_id(conn: Connection, token_id: int) -> int:
    return int(conn.execute(api_tokens.delete().where(api_tokens.c.id == token_id)).rowcount or 0)


def delete_user_tokens(conn: Connection, user_id: int) -> int:
    """Every token of a user (password changed or reset, account deactivated); returns how many."""
    return int(conn.execute(api_tokens.delete().where(api_tokens.c.user_id == user_id)).rowcount or 0)


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
    created_at: datetime


def insert_session(conn: Connection, *, user_id: int, token_hash: str, at: datetime) -> int:
    result = conn.execute(web_sessions.insert().values(user_id=user_id, token_hash=token_hash, created_at=at,
                                                       last_seen_at=at))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def find_session_owner(conn: Connection, token_hash: str) -> SessionOwner | None:
    """The active user of a session that has not been ended (idle time is the caller's to judge)."""
    row = conn.execute(sa.select(users, web_sessions.c.id.label("session_id"), web_sessions.c.last_seen_at.label("seen"),
                                 web_sessions.c.created_at.label("started"))
                       .join(web_sessions, web_sessions.c.user_id == users.c.id)
                       .where(web_sessions.c.token_hash == token_hash, web_sessions.c.ended_at.is_(None),
                              users.c.is_active)).first()
    if row is None:
        return None
    return SessionOwner(user=_user(row), session_id=int(row.session_id), last_seen_at=row.seen, created_at=row.started)


def touch_session(conn: Connection, session_id: int, at: datetime) -> None:
    conn.execute(web_sessions.update().where(web_sessions.c.id == session_id).values(last_seen_at=at))


def end_sessions(conn: Connection, *, at: datetime, token_hash: str | None = None, user_id: int | None = None) -> int:
    """End one session (by its hash) or every session of a user; returns how many were live."""
    query = web_sessions.update().where(web_sessions.c.ended_at.is_(None))
    query = query.where(web_sessions.c.token_hash == token_hash) if token_hash else query.where(web_sessions.c.user_id == user_id)
    return conn.execute(query.values(ended_at=at)).rowcount or 0


def count_live_sessions(conn: Connection, user_id: int) -> int:
    """Sessions of a user not ended by logout or by the platform (idle ones included until they are next seen)."""
    query = sa.select(sa.func.count()).select_from(web_sessions).where(web_sessions.c.user_id == user_id,
                                                                       web_sessions.c.ended_at.is_(None))
    return int(conn.execute(query).scalar_one())


# ---------------------------------------------------------------- what a user's scope may be chosen from


def scope_choices(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    """``{"counties" | "schools" | "enterprises": [(code, name)]}`` from the hub, by code: the counties and
    functional areas, every school, every enterprise."""
    regions, schools, firms = hub_tables["regions"], hub_tables["institutions"], hub_tables["enterprises"]
    queries = {"counties": sa.select(regions.c.code, regions.c.name).where(regions.c.level.in_(("县", "功能区")))
               .order_by(regions.c.code),
               "schools": sa.select(schools.c.code, schools.c.name).order_by(schools.c.code),
               "enterprises": sa.select(firms.c.credit_code, firms.c.name).order_by(firms.c.credit_code)}
    return {kind: [(str(code), str(name)) for code, name in conn.execute(query)] for kind, query in queries.items()}
