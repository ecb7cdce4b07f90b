"""The Database object: one engine per URL, migrations, and connection helpers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from silian.domain.errors import DatabaseBusy

BUSY_SECONDS = 10.0  # how long a write waits for SQLite's write lock before DatabaseBusy (settings.database_busy_seconds)
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, Any], None]:
    """The pragmas of every new SQLite connection: foreign keys, write-ahead logging (readers never wait for the
    writer, nor the writer for them), and how long a writer waits for another's write lock."""
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()
    return on_connect


def is_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (a DB-API error) says another connection holds the lock: SQLite's "database is locked",
    PostgreSQL's lock_timeout."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return getattr(exc, "sqlstate", None) == "55P03" or "database is locked" in str(exc)


def _busy_as_domain_error(busy_seconds: float) -> Callable[[sa.engine.ExceptionContext], None]:
    def on_error(context: sa.engine.ExceptionContext) -> None:
        if is_busy(context.original_exception):
            raise DatabaseBusy(busy_seconds) from context.original_exception
    return on_error


@contextmanager
def busy_as_domain_error(conn: Connection) -> Iterator[None]:
    """Around statements run on the driver's own cursor (bulk copies), whose errors SQLAlchemy's hook never sees:
    "database is locked" becomes DatabaseBusy, as for every other statement."""
    try:
        yield
    except DatabaseBusy:
        raise
    except Exception as exc:
        if not is_busy(exc):
            raise
        waited = (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) / 1000 if conn.dialect.name == "sqlite" else 0
        raise DatabaseBusy(waited) from exc


def private_file(path: Path) -> None:
    """Make ``path``'s folder (0700, when created here) and the file itself (0600, created empty when missing;
    an existing file of this user's is tightened) readable by this user only: the hub holds personal data and
    password hashes. SQLite gives its -wal and -journal files the database file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


class Database:
    """A hub database at ``url`` (SQLite or PostgreSQL). Nothing connects until first use."""

    def __init__(self, url: str, *, echo: bool = False, connect_args: dict | None = None,
                 busy_seconds: float = BUSY_SECONDS):
        self.url = url
        self.busy_seconds = busy_seconds
        self._echo = echo
        self._connect_args = connect_args or {}
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        url = sa.make_url(self.url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            private_file(Path(url.database))
        engine = sa.create_engine(url, echo=self._echo, connect_args=self._connect_args)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas(self.busy_seconds))
        sa.event.listen(engine, "handle_error", _busy_as_domain_error(self.busy_seconds))
        return engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction, committed on success and rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

    def write_unless_busy(self, write: Callable[[Connection], object], wait_seconds: float = 0.05) -> bool:
        """Run ``write`` in a short transaction of its own, or skip it (False) when another connection holds the
        write lock for more than ``wait_seconds``: for bookkeeping a read request may do (a token's last use)
        that must never make the reader wait for, or fail because of, a long import."""
        wait_ms = int(wait_seconds * 1000)
        try:
            with self.engine.connect() as conn:
                sqlite = conn.dialect.name == "sqlite"
                try:
                    with conn.begin():
                        conn.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}" if sqlite else f"SET LOCAL lock_timeout = {wait_ms}")
                        write(conn)
                finally:
                    if sqlite:  # a connection setting: back to the engine's for the pool's next user
                        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")
        except DatabaseBusy:
            return False
        return True

    # ---- migrations
    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("silian.storage") / "migrations"))
        cfg.attributes["database"] = self
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (default: the latest)."""
        command.upgrade(self.alembic_config(), revision)

    def downgrade(self, revision: str = "base") -> None:
        """Take the schema down to ``revision`` (default: empty)."""
        command.downgrade(self.alembic_config(), revision)

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def is_current(self) -> bool:
        return self.current_revision() == self.head_revision()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database server could not be reached or opened (the CLI's exit code 6)."""
    return isinstance(exc, sa.exc.OperationalError)


@contextmanager
def schema_database(url: str, *, prefix: str = "t") -> Iterator[Database]:
    """A PostgreSQL Database whose search_path is a new, empty schema (``<prefix>_<random>``), dropped with
    everything in it on exit: a clean database for each test or benchmark run on one shared server."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            yield db
        finally:
            db.dispose()
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
