"""Accounts on every backend: argon2 hashes, login throttling per account and source (no lockout from elsewhere,
waits that double up to a cap, an admin's unlock), the same work and answer for unknown, wrong and waiting,
exactly N checked attempts under concurrency, one token per client name, sessions and tokens ended by a password
change, a reset or a deactivation, idle and absolute session limits, the admin's operations and the demo accounts."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.services import account_access, account_admin, accounts
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.platform_schema import api_tokens, audit_log, login_throttle, users, web_sessions
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

SETTINGS = Settings(login_max_failures=3, login_lock_minutes=10, login_lock_max_minutes=30, token_days=30,
                    secret_key="x")
PASSWORD = "a long enough password"
HOME, ELSEWHERE = "203.0.113.7", "198.51.100.9"


def _admin(db: Database) -> Principal:
    accounts.create_user(db, username="boss", password=PASSWORD, role="city_admin")
    return accounts.authenticate(db, SETTINGS, "boss", PASSWORD)


def _actions(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id))]


def _refused(db: Database, username: str, password: str, client: str, settings: Settings = SETTINGS) -> str:
    with pytest.raises(accounts.LoginFailed) as err:
        accounts.authenticate(db, settings, username, password, client)
    return err.value.message


@pytest.mark.real_password_hashing  # the hasher as deployed
def test_passwords_are_argon2_hashed_and_roles_need_their_scope(db: Database) -> None:
    accounts.create_user(db, username="boss", password=PASSWORD, role="city_admin")
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    for bad in ({"username": "boss"}, {"username": "c", "role": "county_officer"},
                {"username": "c", "role": "county_officer", "county_code": "999999"},
                {"username": "s", "password": "short"}, {"username": "s", "password": "aaaaaaaaaaaa"},
                {"username": "s", "role": "superuser"}, {"username": "has space"}):
        with pytest.raises(InvalidInput):
            accounts.create_user(db, **{"password": PASSWORD, "role": "city_admin", **bad})  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        accounts.create_user(db, username="x", password=PASSWORD, role="city_admin",
                             actor=Principal(role="county_officer", username="c"))
    assert accounts.authenticate(db, SETTINGS, "boss", PASSWORD).role == "city_admin"


def test_a_source_waits_after_the_limit_the_owner_elsewhere_does_not(db: Database) -> None:
    """Three wrong passwords from one address: that address waits 10 minutes, even with the right password; the
    owner at another address logs in. After the wait one more try; each further failure doubles the wait, up to
    the cap (30 minutes); the admin's unlock ends every wait."""
    admin = _admin(db)
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    for _ in range(3):
        _refused(db, "u", "wrong password!", ELSEWHERE)
    _refused(db, "u", PASSWORD, ELSEWHERE)  # the attacker's address waits, right password or not
    assert accounts.authenticate(db, SETTINGS, "u", PASSWORD, HOME).username == "u"  # the owner is not locked out

    def wait_left() -> timedelta:
        with db.engine.connect() as conn:
            until = conn.execute(sa.select(login_throttle.c.locked_until)
                                 .where(login_throttle.c.source == ELSEWHERE)).scalar_one()
        return accounts.as_utc(until) - datetime.now(UTC)  # type: ignore[operator]

    def expire() -> None:
        with db.begin() as conn:
            conn.execute(login_throttle.update().values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))

    assert timedelta(minutes=9) < wait_left() <= timedelta(minutes=10)
    for minutes in (20, 30, 30):  # doubled, then capped
        expire()
        _refused(db, "u", "wrong password!", ELSEWHERE)
        assert timedelta(minutes=minutes - 1) < wait_left() <= timedelta(minutes=minutes)
    assert account_admin.list_users(db, status="locked")[0]["username"] == "u"
    assert account_admin.unlock(db, admin, accounts.user_id_of(db, "u")) == 1
    assert account_admin.list_users(db, status="locked") == []
    assert accounts.authenticate(db, SETTINGS, "u", PASSWORD, ELSEWHERE).username == "u"
    assert {"login_failed", "login_throttled", "unlock"} <= set(_actions(db))


class CountingHasher(PasswordHasher):
    """The cheap test hasher, counting its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


def test_unknown_waiting_and_wrong_do_the_same_work_and_say_the_same(db: Database,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """No username enumeration: an unknown user, a wrong password and an address that must wait each run one argon2
    verification and get the same message; unknown names are throttled exactly like real ones."""
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", hasher)
    messages = []
    for username, password in (("nobody", PASSWORD), ("u", "wrong password!")):
        hasher.verified = 0
        messages.append(_refused(db, username, password, HOME))
        assert hasher.verified == 1
    for _ in range(2):
        _refused(db, "u", "wrong password!", HOME)
    hasher.verified = 0
    messages.append(_refused(db, "u", PASSWORD, HOME))  # waiting: the right password is still checked, then refused
    assert hasher.verified == 1
    assert len(set(messages)) == 1 and "用户名或密码错误" in messages[0]
    for _ in range(3):
        _refused(db, "nobody", PASSWORD, HOME)
    with db.engine.connect() as conn:
        waits = dict(conn.execute(sa.select(login_throttle.c.username, login_throttle.c.locked_until)).all())
    assert waits["nobody"] is not None and waits["u"] is not None  # an unknown name waits like a real one


def test_simultaneous_wrong_passwords_are_checked_exactly_up_to_the_limit(db: Database) -> None:
    """20 guesses at the same moment from one address: each attempt is counted in the database before its password
    is checked, so exactly ``login_max_failures`` are checked and fail; the other 17 are refused unchecked, and the
    address then waits. The same address and right password is refused; another address gets in."""
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")

    def guess(_: int) -> str:
        try:
            accounts.authenticate(db, SETTINGS, "u", "wrong password!", ELSEWHERE)
        except accounts.LoginFailed:
            return "refused"
        return "in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes == ["refused"] * 20
    actions = _actions(db)
    assert actions.count("login_failed") == 3 and actions.count("login_throttled") == 17
    with db.engine.connect() as conn:
        attempts, locked = conn.execute(sa.select(login_throttle.c.attempts, login_throttle.c.locked_until)).one()
    assert attempts == 3 and locked is not None
    _refused(db, "u", PASSWORD, ELSEWHERE)
    assert accounts.authenticate(db, SETTINGS, "u", PASSWORD, HOME).username == "u"


def test_one_token_per_client_name_listed_and_revoked_by_owner_or_admin(db: Database) -> None:
    admin = _admin(db)
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    who = accounts.authenticate(db, SETTINGS, "u", PASSWORD)
    first = account_access.create_token(db, SETTINGS, who, "script")
    second = account_access.create_token(db, SETTINGS, who, "script")  # the same client logs in again
    other = account_access.create_token(db, SETTINGS, who, "report")
    assert account_access.principal_for_token(db, first.token) is None  # replaced
    assert account_access.principal_for_token(db, second.token) == who
    with db.engine.connect() as conn:
        stored = {r.token_hash for r in conn.execute(sa.select(api_tokens.c.token_hash))}
    assert len(stored) == 2 and second.token not in stored
    assert {t["name"] for t in account_access.list_tokens(db, who)} == {"script", "report"}
    stranger = Principal(role="school_user", user_id=admin.user_id + 100, username="s")  # type: ignore[operator]
    with pytest.raises(NotFound):
        account_access.revoke_token_id(db, stranger, other.token_id)
    with pytest.raises(PermissionDenied):
        account_access.list_tokens(db, stranger, everyone=True)
    assert {t["username"] for t in account_access.list_tokens(db, admin, everyone=True)} == {"u"}
    account_access.revoke_token_id(db, admin, other.token_id)
    assert account_access.principal_for_token(db, other.token) is None
    account_access.revoke_token_id(db, who, second.token_id)
    assert account_access.list_tokens(db, who) == []
    expiring = account_access.create_token(db, SETTINGS, who, "x")
    with db.begin() as conn:
        conn.execute(api_tokens.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert account_access.principal_for_token(db, expiring.token) is None


def _access(db: Database, who: Principal) -> tuple[str, str]:
    """A browser session and an API token of ``who``."""
    return account_access.start_session(db, who.user_id or 0), account_access.create_token(db, SETTINGS, who, "t").token


def _alive(db: Database, access: tuple[str, str]) -> tuple[bool, bool]:
    return (account_access.principal_for_session(db, SETTINGS, access[0]) is not None,
            account_access.principal_for_token(db, access[1]) is not None)


def test_password_change_reset_and_deactivation_end_every_session_and_token(db: Database) -> None:
    admin = _admin(db)
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    who = accounts.authenticate(db, SETTINGS, "u", PASSWORD)
    access = _access(db, who)
    assert _alive(db, access) == (True, True)
    with pytest.raises(accounts.AccountInputError) as err:
        accounts.change_own_password(db, SETTINGS, who, "not my password", "another long passphrase")
    assert err.value.field == "old_password" and _alive(db, access) == (True, True)
    with pytest.raises(accounts.AccountInputError) as err:
        accounts.change_own_password(db, SETTINGS, who, PASSWORD, "1234567890")
    assert err.value.field == "new_password"
    accounts.change_own_password(db, SETTINGS, who, PASSWORD, "another long passphrase")
    assert _alive(db, access) == (False, False)
    _refused(db, "u", PASSWORD, HOME)

    access = _access(db, who)
    one_time = account_admin.reset_password(db, admin, who.user_id or 0)
    assert _alive(db, access) == (False, False) and accounts.must_change_password(db, who.user_id)
    assert accounts.authenticate(db, SETTINGS, "u", one_time).username == "u"

    access = _access(db, who)
    with pytest.raises(InvalidInput):
        account_admin.set_active(db, admin, admin.user_id or 0, False)  # not oneself
    account_admin.set_active(db, admin, who.user_id or 0, False)
    assert _alive(db, access) == (False, False)
    _refused(db, "u", one_time, HOME)
    account_admin.set_active(db, admin, who.user_id or 0, True)
    assert accounts.authenticate(db, SETTINGS, "u", one_time).username == "u"
    assert {"password_change", "password_reset", "deactivate", "activate"} <= set(_actions(db))


def test_sessions_end_after_the_idle_limit_and_the_absolute_limit(db: Database) -> None:
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    who = accounts.authenticate(db, SETTINGS, "u", PASSWORD)
    settings = Settings(session_hours=8, session_max_hours=24, secret_key="x")
    for column, hours in (("last_seen_at", 9), ("created_at", 25)):  # idle 9 h; or busy but begun 25 h ago
        session = account_access.start_session(db, who.user_id or 0)
        assert account_access.principal_for_session(db, settings, session) == who
        with db.begin() as conn:
            conn.execute(web_sessions.update().where(web_sessions.c.ended_at.is_(None))
                         .values({column: datetime.now(UTC) - timedelta(hours=hours)}))
        assert account_access.principal_for_session(db, settings, session) is None


def test_the_admin_changes_roles_within_the_rules(db: Database) -> None:
    admin = _admin(db)
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    user_id = accounts.user_id_of(db, "u")
    with pytest.raises(accounts.AccountInputError) as err:
        account_admin.change_role(db, admin, user_id, role="county_officer", county_code="999999")
    assert err.value.field == "county_code"
    account_admin.set_active(db, admin, user_id, False)
    with pytest.raises(InvalidInput):  # boss is now the last active city admin
        account_admin.change_role(db, admin, admin.user_id or 0, role="county_officer", county_code="x")
    with pytest.raises(PermissionDenied):
        account_admin.unlock(db, Principal(role="school_user", user_id=user_id, username="u"), user_id)
    details = account_admin.user_details(db, admin, user_id)
    assert details["username"] == "u" and not details["is_active"] and details["live_sessions"] == 0


@pytest.fixture(params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo region on each backend."""
    yield from demo_for(request, request.param, tmp_path)


def test_demo_accounts_are_kept_on_a_second_load_and_renewed_only_on_reset(demo_db: Database) -> None:
    """`silian demo` a second time leaves the accounts (and a password the user changed) alone; `--reset` renews them."""
    db = demo_db
    first = accounts.ensure_demo_users(db)
    again = accounts.ensure_demo_users(db)
    assert set(first) == set(again) == {"demo-admin", "demo-county", "demo-school", "demo-firm"}
    assert all(first[name][1] for name in first) and all(again[name][1] is None for name in again)
    assert accounts.authenticate(db, SETTINGS, "demo-school", first["demo-school"][1] or "").role == "school_user"
    second = accounts.ensure_demo_users(db, reset=True)
    assert all(first[name][1] != second[name][1] for name in first)
    with db.engine.connect() as conn:
        rows = {r.username: r for r in conn.execute(sa.select(users))}
    assert len(rows) == 4 and rows["demo-county"].county_code and rows["demo-county"].institution_code is None
    assert rows["demo-school"].institution_code and rows["demo-firm"].enterprise_credit_code
    assert accounts.authenticate(db, SETTINGS, "demo-school", second["demo-school"][1] or "").role == "school_user"
    _refused(db, "demo-school", first["demo-school"][1] or "", HOME)
    assert account_admin.active_demo_accounts(db) == [name for name, _ in accounts.DEMO_USERS]


def test_the_0006_upgrade_keeps_every_user_and_the_newest_token_per_client(empty_db: Database) -> None:
    """A database from before revision 0006 kept one token per login: the upgrade keeps the users and their
    sessions, and the newest token of each (user, name)."""
    db = empty_db
    db.upgrade("0005")
    now = datetime.now(UTC)
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (username, password_hash, role, created_at) "
                             "VALUES ('u', 'x', 'city_admin', :now)"), {"now": now})
        for number, name in enumerate(("", "", "script", "")):
            conn.execute(sa.text("INSERT INTO api_tokens (user_id, token_hash, name, created_at) VALUES "
                                 "(1, :hash, :name, :now)"), {"hash": f"h{number}", "name": name, "now": now})
        conn.execute(sa.text("INSERT INTO web_sessions (user_id, token_hash, created_at, last_seen_at) "
                             "VALUES (1, 's', :now, :now)"), {"now": now})
    db.upgrade()
    with db.engine.connect() as conn:
        kept = sorted(conn.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars())
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM web_sessions")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT must_change_password FROM users")).scalar_one() in (False, 0)
    assert kept == ["h2", "h3"]
    db.downgrade("0005")  # and back: the users and sessions stay
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM web_sessions")).scalar_one() == 1
