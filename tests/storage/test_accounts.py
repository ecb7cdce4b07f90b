"""Accounts on every backend: argon2 hashes, lockout with doubling backoff, tokens (expiry, revocation), the
audit log, demo accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from silian.domain.errors import InvalidInput, NotFound
from silian.services import accounts
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.platform_schema import api_tokens, audit_log, users
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

pytestmark = pytest.mark.real_password_hashing  # the accounts service as deployed: argon2 at its production cost

SETTINGS = Settings(login_max_failures=3, login_lock_minutes=10, token_days=30, secret_key="x")
PASSWORD = "a long enough password"


def test_passwords_are_argon2_hashed_and_roles_need_their_scope(db: Database) -> None:
    accounts.create_user(db, username="boss", password=PASSWORD, role="city_admin")
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(InvalidInput):
        accounts.create_user(db, username="boss", password=PASSWORD, role="city_admin")
    with pytest.raises(InvalidInput):
        accounts.create_user(db, username="c", password=PASSWORD, role="county_officer")  # no county
    with pytest.raises(InvalidInput):
        accounts.create_user(db, username="c", password=PASSWORD, role="county_officer", county_code="999999")
    with pytest.raises(InvalidInput):
        accounts.create_user(db, username="s", password="short", role="city_admin")
    with pytest.raises(InvalidInput):
        accounts.create_user(db, username="s", password=PASSWORD, role="superuser")
    assert accounts.authenticate(db, SETTINGS, "boss", PASSWORD).role == "city_admin"


def test_a_hash_made_with_other_parameters_is_renewed_at_the_next_login(db: Database) -> None:
    """A hash from older (here: cheaper) argon2 parameters still logs in, and is replaced by one at today's."""
    from argon2 import PasswordHasher

    accounts.create_user(db, username="old", password=PASSWORD, role="city_admin")
    with db.begin() as conn:
        conn.execute(users.update().values(password_hash=PasswordHasher(1, memory_cost=8, parallelism=1).hash(PASSWORD)))
    assert accounts.authenticate(db, SETTINGS, "old", PASSWORD).role == "city_admin"
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert not accounts._hasher.check_needs_rehash(stored) and accounts._hasher.verify(stored, PASSWORD)


def test_lockout_after_failures_with_doubling_backoff(db: Database) -> None:
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    for _ in range(2):
        with pytest.raises(accounts.LoginFailed) as err:
            accounts.authenticate(db, SETTINGS, "u", "wrong password!")
        assert err.value.locked_until is None
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, SETTINGS, "u", "wrong password!")  # third failure: locked 10 minutes
    with pytest.raises(accounts.LoginFailed) as err:
        accounts.authenticate(db, SETTINGS, "u", PASSWORD)  # even the right password is refused while locked
    first_lock = err.value.locked_until
    assert first_lock is not None
    assert timedelta(minutes=9) < first_lock - datetime.now(UTC) <= timedelta(minutes=10)
    with db.begin() as conn:  # let the lock expire, fail again: twice as long
        conn.execute(users.update().values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, SETTINGS, "u", "wrong password!")
    with db.engine.connect() as conn:
        locked = conn.execute(sa.select(users.c.locked_until)).scalar_one()
    locked = locked if locked.tzinfo else locked.replace(tzinfo=UTC)
    assert timedelta(minutes=19) < locked - datetime.now(UTC) <= timedelta(minutes=20)
    with pytest.raises(accounts.LoginFailed) as err:
        accounts.authenticate(db, SETTINGS, "nobody", PASSWORD)
    assert err.value.locked_until is None
    with db.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id))]
    assert actions.count("login_failed") == 5


def test_tokens_expire_and_can_be_revoked(db: Database) -> None:
    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    who = accounts.authenticate(db, SETTINGS, "u", PASSWORD)
    new = accounts.create_token(db, SETTINGS, who, "script")
    assert accounts.principal_for_token(db, new.token) == who
    with db.engine.connect() as conn:
        assert new.token not in {r.token_hash for r in conn.execute(sa.select(api_tokens.c.token_hash))}
    assert accounts.principal_for_token(db, new.token + "x") is None
    with db.begin() as conn:
        conn.execute(api_tokens.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert accounts.principal_for_token(db, new.token) is None
    other = accounts.create_token(db, SETTINGS, who)
    accounts.revoke_token(db, who, other.token)
    assert accounts.principal_for_token(db, other.token) is None
    with pytest.raises(NotFound):
        accounts.revoke_token(db, who, other.token)


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
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, SETTINGS, "demo-school", first["demo-school"][1] or "")


def test_simultaneous_wrong_passwords_are_checked_only_up_to_the_limit(db: Database) -> None:
    """20 guesses at the same moment: each attempt is counted in the database before its password is checked, so
    only the first ``login_max_failures`` are checked at all; the others find the account locked."""
    from concurrent.futures import ThreadPoolExecutor

    accounts.create_user(db, username="u", password=PASSWORD, role="city_admin")
    settings = Settings(login_max_failures=3)

    def guess(_: int) -> str:
        try:
            accounts.authenticate(db, settings, "u", "wrong password!")
        except accounts.LoginFailed as exc:
            return "locked" if exc.locked_until else "checked"
        return "in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count("in") == 0
    assert outcomes.count("checked") <= 3 and outcomes.count("locked") >= 17
    with db.engine.connect() as conn:  # locked; attempts after the lock was set are not even counted
        failed, locked = conn.execute(sa.select(users.c.failed_logins, users.c.locked_until)).one()
    assert locked is not None and 4 <= failed <= 20
