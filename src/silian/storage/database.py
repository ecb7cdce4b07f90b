"""The Database object: one engine per URL, migrations, and connection helpers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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

    def __init__(self, url: str, *, echo: bool = False, connect_args: dict | None = None):
        self.url = url
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
            sa.event.listen(engine, "connect", _sqlite_pragmas)
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
