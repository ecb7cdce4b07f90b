"""Accounts: users with argon2 password hashes, login with lockout and backoff, API tokens, the audit log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from silian.domain.access import ROLE_NAMES, Principal
from silian.domain.errors import InvalidInput, NotFound, SilianError
from silian.domain.messages import register_messages, t
from silian.settings import Settings
from silian.storage import accounts as store
from silian.storage import hub as hub_store
from silian.storage.accounts import UserRow
from silian.storage.audit import insert_audit
from silian.storage.database import Connection, Database

register_messages(
    {
        "acct_bad_role": ("角色必须是 {roles} 之一，实际为“{role}”", "Role must be one of {roles}, not '{role}'"),
        "acct_needs_county": (
            "县级用户须指定所属县市区代码（--county）",
            "A county officer needs a county code (--county)",
        ),
        "acct_needs_school": ("学校用户须指定学校代码（--school）", "A school user needs a school code (--school)"),
        "acct_needs_enterprise": (
            "企业用户须指定统一社会信用代码（--enterprise）",
            "An enterprise user needs a credit code (--enterprise)",
        ),
        "acct_unknown_ref": ("{what}“{code}”不在数据库中", "{what} '{code}' is not in the database"),
        "acct_exists": ("用户名已存在：{username}", "The username is taken: {username}"),
        "acct_short_password": ("密码至少 10 个字符", "The password needs at least 10 characters"),
        "acct_bad_login": ("用户名或密码错误", "Wrong username or password"),
        "acct_locked": (
            "登录失败次数过多，账号已锁定至 {until}（UTC）",
            "Too many failed logins: the account is locked until {until} (UTC)",
        ),
        "acct_no_user": ("没有用户：{username}", "No such user: {username}"),
        "ref_county": ("县市区", "County"),
        "ref_school": ("学校", "School"),
        "ref_enterprise": ("企业", "Enterprise"),
    }
)

_hasher = PasswordHasher()
MIN_PASSWORD = 10


class LoginFailed(SilianError):
    """Wrong credentials or a locked account (HTTP 401 / 429)."""

    exit_code = 7

    def __init__(self, message: str, *, locked_until: datetime | None = None):
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class NewToken:
    """A freshly created API token: ``token`` is shown once and never stored."""

    token: str
    expires_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def create_user(db: Database, *, username: str, password: str, role: str, display_name: str = "",
                county_code: str | None = None, institution_code: str | None = None,
                enterprise_credit_code: str | None = None) -> int:
    """Add a user; checks the role, the reference it needs and that it exists in the hub."""
    if role not in ROLE_NAMES or role == "public":
        raise InvalidInput(t("acct_bad_role", roles="、".join(r for r in ROLE_NAMES if r != "public"), role=role))
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(t("acct_short_password"))
    needs = {"county_officer": ("county_code", county_code, "acct_needs_county", "regions", "code", "ref_county"),
             "school_user": ("institution_code", institution_code, "acct_needs_school", "institutions", "code", "ref_school"),
             "enterprise_user": ("enterprise_credit_code", enterprise_credit_code, "acct_needs_enterprise", "enterprises",
                                 "credit_code", "ref_enterprise")}
    with db.begin() as conn:
        if role in needs:
            _field, value, missing, table, column, label = needs[role]
            if not value:
                raise InvalidInput(t(missing))
            if not hub_store.code_exists(conn, table, column, value):
                raise InvalidInput(t("acct_unknown_ref", what=t(label), code=value))
        if store.find_user_id(conn, username) is not None:
            raise InvalidInput(t("acct_exists", username=username))
        user_id = store.insert_user(
            conn, username=username, password_hash=_hasher.hash(password), role=role, display_name=display_name or username,
            county_code=county_code if role == "county_officer" else None,
            institution_code=institution_code if role == "school_user" else None,
            enterprise_credit_code=enterprise_credit_code if role == "enterprise_user" else None, created_at=_now())
        write_audit(conn, Principal(role="city_admin", username="system"), "create", "users", str(user_id), None,
                    {"username": username, "role": role})
    return user_id


def principal_of(row: UserRow) -> Principal:
    """The Principal of a users row."""
    return Principal(role=row.role, user_id=row.id, username=row.username, county_code=row.county_code,
                     institution_code=row.institution_code, enterprise_credit_code=row.enterprise_credit_code)


def authenticate(db: Database, settings: Settings, username: str, password: str, client: str = "") -> Principal:
    """Check a password; after ``login_max_failures`` failures in a row the account locks, doubling each time.

    Each attempt is counted in the database (one atomic increment) *before* the password is checked, in its own
    short transaction: of many attempts made at the same moment only the first ``login_max_failures`` are checked
    at all, the rest find the account locked. A success resets the count. Failures are committed before the error
    is raised, so they count even though the login fails.
    """
    now = _now()
    refused: LoginFailed | None = None
    attempt = 0
    with db.begin() as conn:  # committed before any refusal is raised: the attempt and the lock count
        row = store.find_user_by_name(conn, username)
        if row is None or not row.is_active:
            write_audit(conn, None, "login_failed", "users", username, None, None, client)
        else:
            locked = _aware(row.locked_until)
            if locked and locked > now:
                refused = LoginFailed(t("acct_locked", until=locked.strftime("%Y-%m-%d %H:%M")), locked_until=locked)
            else:
                attempt = store.count_login_attempt(conn, row.id)
                if attempt > settings.login_max_failures:  # others are being checked right now: lock, do not check
                    refused = _lock(conn, settings, row, attempt, now, client)
    if refused is not None:
        raise refused
    if row is None or not row.is_active:
        _hasher.hash(password)  # same work whether or not the user exists
        raise LoginFailed(t("acct_bad_login"))
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        with db.begin() as conn:
            _record_failure(conn, settings, row, attempt, now, client)
        raise LoginFailed(t("acct_bad_login")) from None
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    principal = principal_of(row)
    with db.begin() as conn:
        store.update_user(conn, row.id, **values)
        write_audit(conn, principal, "login", "users", str(row.id), None, None, client)
    return principal


def _lock_minutes(settings: Settings, failures: int) -> int:
    return min(settings.login_lock_minutes * 2 ** (failures - settings.login_max_failures), 24 * 60)


def _lock(conn: Connection, settings: Settings, row: UserRow, attempt: int, now: datetime, client: str) -> LoginFailed:
    """Lock the account at once (an attempt beyond the limit while others were checked) and say until when."""
    until = now + timedelta(minutes=_lock_minutes(settings, attempt))
    store.update_user(conn, row.id, locked_until=until)
    write_audit(conn, principal_of(row), "login_failed", "users", str(row.id), None, {"failed_logins": attempt}, client)
    return LoginFailed(t("acct_locked", until=until.strftime("%Y-%m-%d %H:%M")), locked_until=until)


def _record_failure(conn: Connection, settings: Settings, row: UserRow, attempt: int, now: datetime, client: str) -> None:
    """A wrong password: the attempt is already counted; lock from the ``login_max_failures``-th on."""
    if attempt >= settings.login_max_failures:
        store.update_user(conn, row.id, locked_until=now + timedelta(minutes=_lock_minutes(settings, attempt)))
    write_audit(conn, principal_of(row), "login_failed", "users", str(row.id), None, {"failed_logins": attempt}, client)


def load_principal(db: Database, user_id: int) -> Principal | None:
    """The active user with this id, or None."""
    with db.engine.connect() as conn:
        row = store.find_active_user(conn, user_id)
    return principal_of(row) if row else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Database, settings: Settings, principal: Principal, name: str = "") -> NewToken:
    """A new bearer token for ``principal`` (shown once; only its SHA-256 is stored)."""
    token = "sl_" + secrets.token_urlsafe(32)
    expires = _now() + timedelta(days=settings.token_days) if settings.token_days else None
    with db.begin() as conn:
        store.insert_token(conn, user_id=principal.user_id, token_hash=_token_hash(token), name=name, created_at=_now(),
                           expires_at=expires)
        write_audit(conn, principal, "create", "api_tokens", name, None, {"expires_at": str(expires)})
    return NewToken(token=token, expires_at=expires)


def principal_for_token(db: Database, token: str) -> Principal | None:
    """The user a bearer token belongs to, if the token exists, has not expired and the user is active."""
    now = _now()
    with db.engine.connect() as conn:  # a read: a request with a token never waits for, or fails on, a long import
        found = store.find_token_owner(conn, _token_hash(token))
        if found is None or ((exp := _aware(found.expires_at)) is not None and exp <= now):
            return None
        last_used = store.token_last_used(conn, found.token_id)
    note_token_use(db, found.token_id, _aware(last_used), now)
    return principal_of(found.user)


TOKEN_TOUCH_SECONDS = 300  # a token's last use is written at most once per 5 minutes


def note_token_use(db: Database, token_id: int, last_used: datetime | None, now: datetime) -> None:
    """Write the token's last use (shown in token lists, to the nearest 5 minutes) when the stored one is older than
    :data:`TOKEN_TOUCH_SECONDS`, in a short transaction of its own that is skipped (and tried at the next use) when
    another write holds the database: so requests with a token are reads, and never wait for an import."""
    if last_used is None or (now - last_used).total_seconds() >= TOKEN_TOUCH_SECONDS:
        db.write_unless_busy(lambda conn: store.touch_token(conn, token_id, now))


# ---------------------------------------------------------------- browser sessions (kept on the server)

SESSION_TOUCH_SECONDS = 60  # last activity is written at most once a minute per session


def start_session(db: Database, user_id: int) -> str:
    """A new browser session for a user who just logged in: its id goes into the signed cookie, only its SHA-256
    is stored."""
    session_id = secrets.token_urlsafe(32)
    with db.begin() as conn:
        store.insert_session(conn, user_id=user_id, token_hash=_token_hash(session_id), at=_now())
    return session_id


def principal_for_session(db: Database, settings: Settings, session_id: str) -> Principal | None:
    """The user of a browser session that was not ended and has been used within ``session_hours``; each use
    moves the idle limit on (sliding expiry)."""
    now = _now()
    with db.begin() as conn:
        found = store.find_session_owner(conn, _token_hash(session_id))
        if found is None:
            return None
        seen = _aware(found.last_seen_at) or now
        if now - seen > timedelta(hours=settings.session_hours):
            store.end_sessions(conn, at=now, token_hash=_token_hash(session_id))
            return None
        if (now - seen).total_seconds() >= SESSION_TOUCH_SECONDS:
            store.touch_session(conn, found.session_id, now)
    return principal_of(found.user)


def end_session(db: Database, session_id: str) -> None:
    """Log out: the session ends on the server, so a saved copy of its cookie no longer works."""
    with db.begin() as conn:
        store.end_sessions(conn, at=_now(), token_hash=_token_hash(session_id))


def revoke_token(db: Database, principal: Principal, token: str) -> None:
    with db.begin() as conn:
        if store.delete_token(conn, token_hash=_token_hash(token), user_id=principal.user_id) == 0:
            raise NotFound(t("acct_no_user", username=principal.username))
        write_audit(conn, principal, "delete", "api_tokens", "", None, None)


def write_audit(conn: Connection, principal: Principal | None, action: str, entity: str, entity_id: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None, client: str = "") -> None:
    """One audit record: who, when, what, before and after (JSON)."""
    insert_audit(conn, user_id=principal.user_id if principal else None,
                 username=principal.username if principal else "", action=action, entity=entity, entity_id=entity_id,
                 before=before, after=after, client=client)


DEMO_USERS = (("demo-admin", "city_admin"), ("demo-county", "county_officer"), ("demo-school", "school_user"),
              ("demo-firm", "enterprise_user"))


def ensure_demo_users(db: Database, *, reset: bool = False) -> dict[str, tuple[str, str | None]]:
    """Demo accounts for the demo region: ``{username: (role, password)}``. A missing account is created with a
    random password (returned once, never stored in clear); an existing one is left as it is (password ``None``)
    unless ``reset``, which gives it a new password, its demo role and scope, and unlocks it. The county, school
    and enterprise are the demo region's largest."""
    with db.begin() as conn:
        county = hub_store.busiest_county(conn)
        school = hub_store.first_school_of_level(conn, "高职专科")
        firm = hub_store.first_integration_enterprise(conn)
    if not (county and school and firm):
        return {}
    refs = {"county_officer": {"county_code": county}, "school_user": {"institution_code": school},
            "enterprise_user": {"enterprise_credit_code": firm}}
    out: dict[str, tuple[str, str | None]] = {}
    for username, role in DEMO_USERS:
        fresh = secrets.token_urlsafe(9)
        with db.begin() as conn:
            exists = store.find_user_id(conn, username)
            if exists is not None and reset:
                scope = {"county_code": None, "institution_code": None, "enterprise_credit_code": None, **refs.get(role, {})}
                store.update_user(conn, exists, password_hash=_hasher.hash(fresh), role=role, failed_logins=0,
                                  locked_until=None, is_active=True, **scope)
        if exists is None:
            create_user(db, username=username, password=fresh, role=role, display_name=f"{username}（演示账号）",
                        **refs.get(role, {}))
        out[username] = (role, fresh if exists is None or reset else None)
    return out


def list_users(db: Database) -> list[dict[str, Any]]:
    """Every platform user (without password hashes), in the order they were created."""
    with db.engine.connect() as conn:
        return store.list_users(conn)
