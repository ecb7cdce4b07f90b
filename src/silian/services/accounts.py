"""Accounts: users with argon2 password hashes, login with throttling per account and source, API tokens (one per
user and client name), browser sessions (idle and absolute limits), the audit log.

Login throttling (issue #14): wrong passwords are counted per (username as typed, source address), never per
account alone, so nobody can lock another person out from elsewhere. After ``login_max_failures`` wrong passwords
from one source, that source waits ``login_lock_minutes``, then may try once more; each further wrong password
doubles the wait, up to ``login_lock_max_minutes``. The owner, from their own address, is not affected by an attacker
elsewhere; an admin can end every wait of an account (:func:`unlock`). Unknown usernames are counted the same way,
every refusal (unknown user, wrong password, a source that must wait) does the same work (one argon2 verification,
against a dummy hash for an unknown user) and says the same thing, so the answer does not tell whether a username
exists.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from silian.domain.access import USER_ROLES, Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import register_messages, t
from silian.services.password_policy import password_problem
from silian.settings import Settings
from silian.storage import accounts as store
from silian.storage import hub as hub_store
from silian.storage.accounts import UserRow
from silian.storage.audit import insert_audit
from silian.storage.database import Connection, Database

register_messages(
    {
        "acct_bad_role": ("角色必须是 {roles} 之一，实际为“{role}”", "Role must be one of {roles}, not '{role}'"),
        "acct_needs_county": ("县级用户须选择所属县（市、区）", "A county officer needs a county"),
        "acct_needs_school": ("学校用户须选择所属学校", "A school user needs a school"),
        "acct_needs_enterprise": ("企业用户须选择所属企业", "An enterprise user needs an enterprise"),
        "acct_unknown_ref": ("{what}“{code}”不在数据库中", "{what} '{code}' is not in the database"),
        "acct_exists": ("用户名已存在：{username}", "The username is taken: {username}"),
        "acct_bad_username": ("用户名须为 1–64 个字母、数字、汉字或 . _ - @，不含空格",
                              "A username is 1–64 letters, digits, Chinese characters or . _ - @, without spaces"),
        "acct_bad_login": (
            "用户名或密码错误。连续输错多次后须等待一段时间（最长 {minutes} 分钟）才能再试，也可请管理员解锁。",
            ("Wrong username or password. After several wrong tries you must wait before trying again (at most "
            "{minutes} minutes), or ask an administrator to unlock the account."),
        ),
        "acct_no_user": ("没有用户：{username}", "No such user: {username}"),
        "acct_no_user_id": ("没有编号为 {id} 的用户", "No user with id {id}"),
        "acct_no_token": ("没有编号为 {id} 的令牌（或不属于你）", "No token with id {id} (or it is not yours)"),
        "acct_no_bearer": ("这个请求没有带令牌", "This request carries no token"),
        "acct_admin_only": ("只有市级管理员可以管理用户、令牌和查看审计日志",
                            "Only the city admin may manage users and tokens or read the audit log"),
        "acct_not_self": ("不能停用自己的账号", "You cannot deactivate your own account"),
        "acct_last_admin": ("这是最后一个启用的市级管理员，不能停用或改为其他角色",
                            "This is the last active city admin: it cannot be deactivated or given another role"),
        "acct_old_password": ("原密码不正确", "The current password is wrong"),
        "acct_same_password": ("新密码不能与原密码相同", "The new password must differ from the current one"),
        "acct_change_first": ("请先在网页上修改管理员给你的一次性密码，再申请 API 令牌",
                              ("Change the one-time password your administrator gave you (in the browser) before "
                              "asking for an API token")),
        "ref_county": ("县（市、区）", "County"),
        "ref_school": ("学校", "School"),
        "ref_enterprise": ("企业", "Enterprise"),
    }
)

_hasher = PasswordHasher()
USERNAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")
ONE_TIME_PASSWORD_BYTES = 12  # 16 URL-safe characters


class LoginFailed(SilianError):
    """Wrong credentials, an unknown user or a source that must wait: one answer for all (HTTP 401)."""

    exit_code = 7


class AccountInputError(InvalidInput):
    """Bad input for one field of an account form (``field``: the form field the message belongs beside)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


DATE_FIELDS = ("created_at", "last_login_at", "expires_at", "last_used_at", "locked_until", "last_attempt_at")


def with_utc_dates(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with its dates in UTC (SQLite gives them back without a time zone)."""
    return {key: as_utc(value) if key in DATE_FIELDS else value for key, value in row.items()}


def require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise PermissionDenied(t("acct_admin_only"))


def operator(name: str) -> Principal:
    """The person at the command line (`silian user …`): acts as a city admin, audited as ``cli:<name>``."""
    return Principal(role="city_admin", username=f"cli:{name}"[:64])


SYSTEM = Principal(role="city_admin", username="system")


# ---------------------------------------------------------------- users

def checked_scope(conn: Connection, role: str, county_code: str | None, institution_code: str | None,
                   enterprise_credit_code: str | None) -> dict[str, str | None]:
    """The role's scope columns (only the one the role uses is kept), each checked against the hub."""
    if role not in USER_ROLES:
        raise AccountInputError("role", t("acct_bad_role", roles="、".join(USER_ROLES), role=role))
    needs = {"county_officer": ("county_code", county_code, "acct_needs_county", "regions", "code", "ref_county"),
             "school_user": ("institution_code", institution_code, "acct_needs_school", "institutions", "code",
                             "ref_school"),
             "enterprise_user": ("enterprise_credit_code", enterprise_credit_code, "acct_needs_enterprise",
                                 "enterprises", "credit_code", "ref_enterprise")}
    scope: dict[str, str | None] = {"county_code": None, "institution_code": None, "enterprise_credit_code": None}
    if role in needs:
        field, value, missing, table, column, label = needs[role]
        if not value:
            raise AccountInputError(field, t(missing))
        if not hub_store.code_exists(conn, table, column, value):
            raise AccountInputError(field, t("acct_unknown_ref", what=t(label), code=value))
        scope[field] = value
    return scope


def check_password(field: str, password: str, username: str, display_name: str = "") -> None:
    problem = password_problem(password, username=username, display_name=display_name)
    if problem:
        raise AccountInputError(field, problem)


def create_user(db: Database, *, username: str, password: str, role: str, display_name: str = "",
                county_code: str | None = None, institution_code: str | None = None,
                enterprise_credit_code: str | None = None, actor: Principal = SYSTEM,
                must_change_password: bool = False) -> int:
    """Add a user; checks the name, the password policy, the role, the scope it needs and that it exists in the hub."""
    require_admin(actor)
    if not USERNAME_PATTERN.match(username):
        raise AccountInputError("username", t("acct_bad_username"))
    with db.begin() as conn:
        scope = checked_scope(conn, role, county_code, institution_code, enterprise_credit_code)
        check_password("password", password, username, display_name)
        if store.find_user_id(conn, username) is not None:
            raise AccountInputError("username", t("acct_exists", username=username))
        user_id = store.insert_user(conn, username=username, password_hash=_hasher.hash(password), role=role,
                                    display_name=display_name or username, created_at=utc_now(), **scope)
        if must_change_password:
            store.update_user(conn, user_id, must_change_password=True)
        write_audit(conn, actor, "create", "users", str(user_id), None,
                    {"username": username, "role": role, **{k: v for k, v in scope.items() if v}})
    return user_id


def one_time_password(username: str) -> str:
    """A random password an admin hands over once (the user must change it at the next login); drawn again in the
    rare case the draw breaks the policy (a run or a word by chance)."""
    while True:
        password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        if password_problem(password, username=username) is None:
            return password


def create_user_with_one_time_password(db: Database, actor: Principal, *, username: str, role: str,
                                       display_name: str = "", county_code: str | None = None,
                                       institution_code: str | None = None,
                                       enterprise_credit_code: str | None = None) -> tuple[int, str]:
    """Create a user with a one-time password (shown once to the admin, never stored in clear)."""
    password = one_time_password(username)
    user_id = create_user(db, username=username, password=password, role=role, display_name=display_name,
                          county_code=county_code, institution_code=institution_code,
                          enterprise_credit_code=enterprise_credit_code, actor=actor, must_change_password=True)
    return user_id, password


def principal_of(row: UserRow) -> Principal:
    """The Principal of a users row."""
    return Principal(role=row.role, user_id=row.id, username=row.username, county_code=row.county_code,
                     institution_code=row.institution_code, enterprise_credit_code=row.enterprise_credit_code)


def load_principal(db: Database, user_id: int) -> Principal | None:
    """The active user with this id, or None."""
    with db.engine.connect() as conn:
        row = store.find_active_user(conn, user_id)
    return principal_of(row) if row else None


def must_change_password(db: Database, user_id: int | None) -> bool:
    """Whether the user still has the one-time password an admin set."""
    with db.engine.connect() as conn:
        row = store.find_user(conn, user_id or 0)
    return bool(row and row.must_change_password)


def user_row(conn: Connection, user_id: int) -> UserRow:
    row = store.find_user(conn, user_id)
    if row is None:
        raise NotFound(t("acct_no_user_id", id=user_id))
    return row


def user_id_of(db: Database, username: str) -> int:
    """The id of ``username`` (NotFound otherwise)."""
    with db.engine.connect() as conn:
        found = store.find_user_id(conn, username)
    if found is None:
        raise NotFound(t("acct_no_user", username=username))
    return int(found)


# ---------------------------------------------------------------- login

def source_of(client: str) -> str:
    """The throttling source of a client address: the IPv4 address, or the /64 network of an IPv6 address (one
    machine commonly has a whole /64); anything else as given."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    """A hash of a random password with the hasher's own parameters: checking it costs what a real check costs."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def password_hasher() -> PasswordHasher:
    """The argon2 hasher in force (tests swap the module's ``_hasher`` for cheap parameters)."""
    return _hasher


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _wait_minutes(settings: Settings, allowance: int) -> int:
    """The wait after the last allowed attempt failed: doubling with each lock, capped."""
    doublings = min(max(allowance - settings.login_max_failures, 0), 20)
    return min(settings.login_lock_minutes * 2 ** doublings, settings.login_lock_max_minutes)


def authenticate(db: Database, settings: Settings, username: str, password: str, client: str = "") -> Principal:
    """Log in: check the password (:func:`checked_user`), note the login (and rehash a password stored with older
    argon2 parameters)."""
    row = checked_user(db, settings, username, password, client)
    values: dict[str, Any] = {"last_login_at": utc_now()}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    principal = principal_of(row)
    with db.begin() as conn:
        store.update_user(conn, row.id, **values)
        write_audit(conn, principal, "login", "users", str(row.id), None, None, client)
    return principal


def checked_user(db: Database, settings: Settings, username: str, password: str, client: str = "") -> UserRow:
    """The active user whose password this is, or :class:`LoginFailed` (see the module's doc for the throttling).

    Each attempt is counted in the database (one atomic, conditional increment per username and source) *before*
    the password is checked, in its own short transaction: of many attempts made at the same moment from one
    source, exactly ``login_max_failures`` are checked; the rest are refused unchecked. Every attempt runs one
    argon2 verification, whatever the outcome, and every refusal raises the same :class:`LoginFailed`.
    """
    now, name, source = utc_now(), username[:64], source_of(client)
    with db.begin() as conn:  # committed before the check: the attempt counts even if the process dies
        row = store.find_user_by_name(conn, name)
        counted = store.count_login_attempt(conn, username=name, source=source, at=now,
                                            allowance=settings.login_max_failures)
    known = row if row is not None and row.is_active else None
    matches = _verify(known.password_hash if known else _dummy_hash(), password)  # one hash, whatever the case
    if known is None or counted is None or not matches:
        with db.begin() as conn:
            _record_refusal(conn, settings, known, name, source, counted, now, client)
        raise LoginFailed(t("acct_bad_login", minutes=settings.login_lock_max_minutes))
    with db.begin() as conn:  # the right password: this source's failures are forgotten
        store.forget_login_failures(conn, name, source)
    return known


def _record_refusal(conn: Connection, settings: Settings, row: UserRow | None, name: str, source: str,
                    counted: tuple[int, int] | None, now: datetime, client: str) -> None:
    """Audit a refused login; the last allowed attempt from a source makes that source wait (known user or not)."""
    who = principal_of(row) if row is not None else None
    entity_id = str(row.id) if row is not None else name
    if counted is None:
        write_audit(conn, who, "login_throttled", "users", entity_id, None, {"source": source}, client)
        return
    attempt, allowance = counted
    after: dict[str, Any] = {"attempt": attempt, "source": source}
    if attempt >= allowance:
        until = now + timedelta(minutes=_wait_minutes(settings, allowance))
        store.make_source_wait(conn, username=name, source=source, until=until)
        after["wait_until"] = until.isoformat(timespec="seconds")
    write_audit(conn, who, "login_failed", "users", entity_id, None, after, client)


def end_all_access(conn: Connection, user_id: int) -> dict[str, int]:
    """End every browser session and delete every API token of a user (password changed or reset, deactivated)."""
    return {"sessions_ended": store.end_sessions(conn, at=utc_now(), user_id=user_id),
            "tokens_revoked": store.delete_user_tokens(conn, user_id)}


# ---------------------------------------------------------------- passwords

def change_own_password(db: Database, settings: Settings, principal: Principal, old_password: str,
                        new_password: str, client: str = "") -> None:
    """A user changes their password: the current one is checked like a login (throttled, audited); every session
    and token of the user ends (the caller starts a fresh session for the browser in use)."""
    try:
        checked_user(db, settings, principal.username, old_password, client)
    except LoginFailed:
        raise AccountInputError("old_password", t("acct_old_password")) from None
    if new_password == old_password:
        raise AccountInputError("new_password", t("acct_same_password"))
    with db.begin() as conn:
        row = user_row(conn, principal.user_id or 0)
        check_password("new_password", new_password, row.username, row.display_name)
        store.update_user(conn, row.id, password_hash=_hasher.hash(new_password), must_change_password=False)
        ended = end_all_access(conn, row.id)
        write_audit(conn, principal, "password_change", "users", str(row.id), None, ended, client)


# ---------------------------------------------------------------- audit and demo accounts

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
        fresh = one_time_password(username)
        with db.begin() as conn:
            exists = store.find_user_id(conn, username)
            if exists is not None and reset:
                scope = {"county_code": None, "institution_code": None, "enterprise_credit_code": None, **refs.get(role, {})}
                store.update_user(conn, exists, password_hash=_hasher.hash(fresh), role=role, is_active=True,
                                  must_change_password=False, **scope)
                store.forget_login_failures(conn, username)
        if exists is None:
            refs_of_role = refs.get(role, {})
            create_user(db, username=username, password=fresh, role=role, display_name=f"{username}（演示账号）",
                        county_code=refs_of_role.get("county_code"), institution_code=refs_of_role.get("institution_code"),
                        enterprise_credit_code=refs_of_role.get("enterprise_credit_code"))
        out[username] = (role, fresh if exists is None or reset else None)
    return out
