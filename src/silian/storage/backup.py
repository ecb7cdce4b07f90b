"""Backups of the hub database and their restore, each with the backend's own tool, plus a checksum of every table.

* SQLite — SQLite's online backup API (:meth:`sqlite3.Connection.backup`): one step, so the copy is one consistent
  snapshot while the server keeps reading and writing (WAL); restore copies the backup's pages into the live file
  with the same API, in one write transaction, so open connections see the old or the new database, never a mix.
* PostgreSQL — ``pg_dump --format=custom`` of the hub's schema (one snapshot of one transaction) and
  ``pg_restore --clean --if-exists --single-transaction`` into the same schema (all or nothing). The programs come
  from Debian's ``postgresql-client``; the password travels in ``PGPASSWORD``, never on a command line.

A backup is written to a temporary file beside the target, synced, then renamed, so a crash never leaves half a
backup under the target's name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from silian.storage.database import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


class BackupToolMissing(RuntimeError):
    """``pg_dump`` or ``pg_restore`` is not installed (Debian: ``apt-get install postgresql-client``)."""


class BackupToolFailed(RuntimeError):
    """``pg_dump`` or ``pg_restore`` exited with an error (its message is the exception's text)."""


@dataclass(frozen=True)
class BackupFacts:
    """What a backup file is: its backend, the schema revision it holds and (PostgreSQL) the schema it was taken
    from and the tables it holds."""

    backend: str
    revision: str | None
    schema: str = ""
    tables: tuple[str, ...] = ()


# ---------------------------------------------------------------- checksums
def table_checksums(conn: sa.Connection, only: tuple[str, ...] | None = None) -> dict[str, tuple[int, str]]:
    """``{table: (rows, sha256)}`` for every table of the connection's schema (or those named in ``only``): the rows
    as text, sorted, hashed — equal for two databases holding the same rows whatever their physical order."""
    reflected = sa.MetaData()
    reflected.reflect(conn, only=list(only) if only is not None else None)
    sums: dict[str, tuple[int, str]] = {}
    for table in sorted(reflected.tables.values(), key=lambda item: item.name):
        lines = sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
        digest = hashlib.sha256()
        for line in lines:
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
        sums[table.name] = (len(lines), digest.hexdigest())
    return sums


def table_row_counts(conn: sa.Connection) -> dict[str, int]:
    """``{table: rows}`` for every table of the connection's schema."""
    preparer = conn.dialect.identifier_preparer
    return {name: int(conn.execute(sa.text(f"SELECT count(*) FROM {preparer.quote(name)}")).scalar_one())
            for name in sorted(sa.inspect(conn).get_table_names())}


# ---------------------------------------------------------------- which backend a file is
def file_backend(path: Path) -> str | None:
    """``sqlite`` or ``postgresql`` by the file's first bytes; None for anything else."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return POSTGRESQL
    return None


def sqlite_path(db: Database) -> Path:
    """The file of a SQLite hub."""
    name = sa.make_url(db.url).database
    if not name or name == ":memory:":
        raise ValueError("an in-memory SQLite database has no file to back up")
    return Path(name)


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` (readable by its owner only: a backup holds password hashes); renamed over
    it when the block succeeds, removed when it fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------- SQLite
def sqlite_backup(db: Database, target: Path) -> None:
    """Copy the live SQLite hub to ``target`` (one consistent snapshot; a self-contained file, no -wal beside it)."""
    with _replacing(target) as temporary, closing(sqlite3.connect(sqlite_path(db), timeout=30)) as source, \
                closing(sqlite3.connect(temporary)) as copy:
        source.backup(copy)  # all pages in one step: the snapshot of one read transaction
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(copy)


def sqlite_facts(path: Path) -> BackupFacts:
    """The revision a SQLite backup holds (after an integrity check); ValueError for a damaged file."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            _check_sqlite(conn)
            tables = tuple(name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
            revision = None
            if "alembic_version" in tables:
                found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = found[0] if found else None
    except sqlite3.DatabaseError as exc:
        raise ValueError(str(exc)) from exc
    return BackupFacts(SQLITE, revision, tables=tables)


def _check_sqlite(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise ValueError(f"SQLite quick_check: {result[0] if result else 'no answer'}")


def sqlite_restore(db: Database, source: Path) -> None:
    """Replace the live SQLite hub's content with ``source`` in one write transaction (waits up to 60 s for a
    writer to finish)."""
    live = sqlite_path(db)
    live.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup, \
            closing(sqlite3.connect(live, timeout=60)) as target:
        backup.backup(target)
        _check_sqlite(target)


# ---------------------------------------------------------------- PostgreSQL
def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupToolMissing(name)
    return found


def _libpq(db: Database) -> tuple[str, dict[str, str]]:
    """The libpq URL of ``db`` without its password, and the environment carrying the password."""
    url = sa.make_url(db.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def current_schema(db: Database) -> str:
    """The schema the hub's tables live in (the connection's search path; ``public`` by default)."""
    with db.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT current_schema()")).scalar_one())


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupToolFailed((done.stderr or done.stdout).strip())
    return done.stdout


def postgres_backup(db: Database, target: Path) -> None:
    """``pg_dump`` of the hub's schema (custom format, one snapshot) to ``target``."""
    url, env = _libpq(db)
    schema = current_schema(db)
    with _replacing(target) as temporary:
        _run([_program("pg_dump"), "--format=custom", f"--schema={schema}", "--no-owner", "--no-privileges",
              f"--file={temporary}", f"--dbname={url}"], env)


def _toc(path: Path) -> list[str]:
    return _run([_program("pg_restore"), "--list", str(path)], dict(os.environ)).splitlines()


def postgres_facts(path: Path) -> BackupFacts:
    """The schema and tables a ``pg_dump`` file holds (read from its table of contents); the revision is read
    after restoring, so it is None here."""
    schema, tables = "", []
    for line in _toc(path):
        if line.startswith(";"):
            continue
        words = line.split()
        if " SCHEMA - " in line and len(words) >= 6:
            schema = words[5]
        elif " TABLE DATA " in line and len(words) >= 7:
            schema = schema or words[5]
            tables.append(words[6])
    return BackupFacts(POSTGRESQL, None, schema=schema, tables=tuple(sorted(tables)))


def postgres_revision(path: Path) -> str | None:
    """The Alembic revision a ``pg_dump`` file holds (its ``alembic_version`` rows, read without restoring)."""
    text = _run([_program("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
                dict(os.environ))
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return None if value == "\\." else value
    return None


def is_known_revision(db: Database, revision: str) -> bool:
    """Whether this version's migrations know ``revision`` (a backup from a newer version does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(db.alembic_config()).get_revision(revision) is not None
    except (CommandError, KeyError, ValueError):
        return False


def schema_exists(db: Database, schema: str) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.execute(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"),
                                 {"s": schema}).scalar_one())


def postgres_restore(db: Database, source: Path, facts: BackupFacts) -> None:
    """``pg_restore --clean --if-exists --single-transaction`` of ``source`` into its schema: every object of the
    backup is dropped and made again in one transaction (all or nothing). The schema itself is kept when it exists
    (dropping it would fail on, or take with it, anything the backup does not hold)."""
    url, env = _libpq(db)
    entries = _toc(source)
    if schema_exists(db, facts.schema):
        entries = [line for line in entries if " SCHEMA - " not in line]
    db.dispose()  # this process's pooled connections would hold locks the DROPs wait for
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as listing:
        listing.write("\n".join(entries) + "\n")
        listing.flush()
        _run([_program("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
              "--no-owner", "--no-privileges", f"--use-list={listing.name}", f"--dbname={url}", str(source)], env)


def tables_of(db: Database) -> tuple[str, ...]:
    """The tables in the hub's schema, by name."""
    with db.engine.connect() as conn:
        return tuple(sorted(sa.inspect(conn).get_table_names()))


def drop_tables(db: Database, names: list[str]) -> None:
    """Drop ``names`` from the hub's schema (tables a restored backup does not have), in one transaction."""
    with db.begin() as conn:
        preparer = conn.dialect.identifier_preparer
        for name in names:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {preparer.quote(name)} CASCADE"))


def stored_revision(db: Database) -> str | None:
    """The Alembic revision stored in the hub (None without one)."""
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
