"""Back up the hub and restore it (``silian backup FILE`` / ``silian restore FILE``).

A backup is one consistent snapshot, taken while the platform serves (SQLite's online backup API; ``pg_dump``).
A restore makes the hub exactly the backup: every table, its rows and the schema revision. Before it replaces
anything it writes a backup of what is there now to ``<data_dir>/backups/`` (so no restore loses data, even one
confirmed by mistake), checks that the file is a hub backup of this backend and of a revision this version knows,
and then replaces everything in one transaction. Tables that the backup lacks (made by a later migration) are
dropped after the restore; their rows are in the safety backup.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from silian.domain.errors import InvalidInput, SilianError
from silian.domain.messages import register_messages, t
from silian.settings import Settings
from silian.storage import backup as store
from silian.storage.backup import BackupFacts, BackupToolFailed, BackupToolMissing
from silian.storage.database import Database

register_messages({
    "backup_done": ("已备份 {tables} 张表、{rows} 行（{backend}）到 {path}（{size}，{seconds:.1f} 秒）",
                    "Backed up {tables} tables, {rows} rows ({backend}) to {path} ({size}, {seconds:.1f} s)"),
    "backup_done_pg": ("已备份 {tables} 张表（{backend}）到 {path}（{size}，{seconds:.1f} 秒）",
                       "Backed up {tables} tables ({backend}) to {path} ({size}, {seconds:.1f} s)"),
    "backup_exists": ("{path} 已存在；覆盖它吗？", "{path} exists; overwrite it?"),
    "backup_tool_missing": (("找不到 {tool}：PostgreSQL 的备份与恢复需要 postgresql-client（Debian：apt-get install "
                            "postgresql-client）"), ("{tool} not found: PostgreSQL backups need postgresql-client "
                            "(Debian: apt-get install postgresql-client)")),
    "backup_tool_failed": ("{tool} 失败：{detail}", "{tool} failed: {detail}"),
    "restore_no_file": ("找不到备份文件 {path}", "No backup file {path}"),
    "restore_not_backup": ("{path} 不是四链的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）",
                           "{path} is not a Silian backup (neither a SQLite database nor a pg_dump custom-format file)"),
    "restore_damaged": ("备份文件 {path} 已损坏：{detail}", "The backup {path} is damaged: {detail}"),
    "restore_wrong_backend": (("{path} 是 {found} 的备份，当前数据库是 {current}；跨数据库迁移请用 `silian export` 和 "
                              "`silian import`"), ("{path} is a {found} backup but the database is {current}; to move "
                              "between databases use `silian export` and `silian import`")),
    "restore_not_hub": ("{path} 里没有四链的数据库版本（alembic_version），不是平台的备份",
                        "{path} holds no Silian schema revision (alembic_version): not a platform backup"),
    "restore_newer": ("备份的数据库版本 {revision} 比本程序新；请先升级四链再恢复",
                      "The backup's schema revision {revision} is newer than this program; upgrade Silian first"),
    "restore_other_schema": ("备份来自 PostgreSQL 模式 {found}，当前数据库使用模式 {current}；请把 search_path 设为 {found}",
                             ("The backup is of PostgreSQL schema {found} but the database uses {current}; set the "
                             "search_path to {found}")),
    "restore_confirm": ("用 {path} 替换 {url} 的全部数据吗？当前 {rows} 行将被替换为备份中的数据（替换前会先自动备份到 {safety}）",
                        ("Replace every row of {url} with {path}? The {rows} rows there now are replaced by the "
                        "backup's (a backup of them is written to {safety} first)")),
    "restore_done": ("已从 {path} 恢复 {tables} 张表、{rows} 行（数据库版本 {revision}）；恢复前的数据已备份到 {safety}",
                     ("Restored {tables} tables, {rows} rows (schema revision {revision}) from {path}; the data "
                     "from before is backed up in {safety}")),
    "restore_upgrade": ("备份的数据库版本较旧：请运行 `silian db upgrade`", ("The backup's schema is older: run "
                        "`silian db upgrade`")),
    "restore_dropped": ("备份中没有的表已删除（其数据在恢复前的备份中）：{tables}",
                        "Tables the backup lacks were dropped (their rows are in the backup taken before): {tables}"),
})


@dataclass(frozen=True)
class BackupReport:
    """A written backup: where, which backend, how big, what it holds (rows and checksum per table)."""

    path: Path
    backend: str
    size: int
    seconds: float
    table_names: tuple[str, ...]
    tables: dict[str, int] = field(default_factory=dict)  # rows per table (SQLite backups, read from the file)

    @property
    def rows(self) -> int | None:
        return sum(self.tables.values()) if self.tables else None

    def message(self) -> str:
        return t("backup_done" if self.tables else "backup_done_pg", tables=len(self.table_names), rows=self.rows,
                 backend=self.backend, path=self.path, size=human_size(self.size), seconds=self.seconds)


@dataclass(frozen=True)
class RestoreReport:
    """A finished restore: the backup of what was there before, the revision now stored, what was dropped."""

    path: Path
    safety: Path
    revision: str | None
    needs_upgrade: bool
    dropped: tuple[str, ...]
    tables: dict[str, int] = field(default_factory=dict)  # rows per table after the restore

    def messages(self) -> list[str]:
        rows = sum(self.tables.values())
        lines = [t("restore_done", path=self.path, tables=len(self.tables), rows=rows, revision=self.revision,
                   safety=self.safety)]
        if self.dropped:
            lines.append(t("restore_dropped", tables=t("list_joiner").join(self.dropped)))
        if self.needs_upgrade:
            lines.append(t("restore_upgrade"))
        return lines


def human_size(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def hub_checksums(db: Database, only: tuple[str, ...] | None = None) -> dict[str, tuple[int, str]]:
    """``{table: (rows, sha256 of the sorted rows)}`` for every table of the hub (``alembic_version`` included), or
    for the tables named in ``only``."""
    with db.engine.connect() as conn:
        return store.table_checksums(conn, only)


def hub_row_counts(db: Database) -> dict[str, int]:
    """``{table: rows}`` for every table of the hub."""
    with db.engine.connect() as conn:
        return store.table_row_counts(conn)


def backup_hub(db: Database, target: Path) -> BackupReport:
    """Write a consistent backup of the hub to ``target`` (replaced if it exists: the caller asks first)."""
    started = time.perf_counter()
    with _tool_errors():
        if db.dialect == store.SQLITE:
            store.sqlite_backup(db, target)
        else:
            store.postgres_backup(db, target)
    seconds = time.perf_counter() - started
    if db.dialect != store.SQLITE:  # the dump's table of contents (its rows are counted only by restoring it)
        with _tool_errors():
            names = store.postgres_facts(target).tables
        return BackupReport(target, db.dialect, target.stat().st_size, seconds, names)
    copy = Database(f"sqlite:///{target}")
    try:
        counts = hub_row_counts(copy)
    finally:
        copy.dispose()
    return BackupReport(target, db.dialect, target.stat().st_size, seconds, tuple(counts), counts)


def check_backup(db: Database, path: Path) -> BackupFacts:
    """The facts of a backup that can be restored into ``db``; a clear error for anything else."""
    if not path.is_file():
        raise InvalidInput(t("restore_no_file", path=path))
    found = store.file_backend(path)
    if found is None:
        raise InvalidInput(t("restore_not_backup", path=path))
    if found != db.dialect:
        raise InvalidInput(t("restore_wrong_backend", path=path, found=found, current=db.dialect))
    with _tool_errors(damaged=path):
        facts = store.sqlite_facts(path) if found == store.SQLITE else store.postgres_facts(path)
    if found == store.POSTGRESQL:
        current = store.current_schema(db)
        if facts.schema and facts.schema != current:
            raise InvalidInput(t("restore_other_schema", found=facts.schema, current=current))
    if "alembic_version" not in facts.tables:
        raise InvalidInput(t("restore_not_hub", path=path))
    if facts.backend == store.POSTGRESQL:
        with _tool_errors(damaged=path):
            facts = BackupFacts(facts.backend, store.postgres_revision(path), facts.schema, facts.tables)
    if facts.revision is None:
        raise InvalidInput(t("restore_not_hub", path=path))
    if not store.is_known_revision(db, facts.revision):
        raise InvalidInput(t("restore_newer", revision=facts.revision))
    return facts


def safety_path(settings: Settings, dialect: str, now: datetime | None = None) -> Path:
    """Where the backup of what a restore replaces goes: ``<data_dir>/backups/before-restore-<time>.<ext>``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return settings.data_dir / "backups" / f"before-restore-{stamp}.{'db' if dialect == store.SQLITE else 'dump'}"


def stored_rows(db: Database) -> int:
    """Rows in the hub now (every table), for the restore's question."""
    return sum(hub_row_counts(db).values())


def restore_hub(db: Database, source: Path, settings: Settings, *, safety: Path | None = None) -> RestoreReport:
    """Make the hub exactly the backup ``source``: check it, back up what is there now to ``safety`` (default
    :func:`safety_path`), replace everything in one transaction, drop the tables the backup lacks."""
    facts = check_backup(db, source)
    safety = safety or safety_path(settings, db.dialect)
    backup_hub(db, safety)
    before = store.tables_of(db)
    with _tool_errors():
        if db.dialect == store.SQLITE:
            db.dispose()
            store.sqlite_restore(db, source)  # the whole file: tables the backup lacks go with the rest
        else:
            store.postgres_restore(db, source, facts)
            store.drop_tables(db, [name for name in store.tables_of(db) if name not in facts.tables])
    revision = store.stored_revision(db)
    return RestoreReport(source, safety, revision, revision != db.head_revision(),
                         tuple(name for name in before if name not in facts.tables), hub_row_counts(db))


@contextmanager
def _tool_errors(damaged: Path | None = None) -> Iterator[None]:
    """Turns the backup programs' failures (and, with ``damaged``, an unreadable file) into clear errors in the
    user's language."""
    try:
        yield
    except BackupToolMissing as exc:
        raise SilianError(t("backup_tool_missing", tool=str(exc))) from exc
    except (BackupToolFailed, ValueError) as exc:
        if damaged is not None:
            raise InvalidInput(t("restore_damaged", path=damaged, detail=str(exc))) from exc
        if isinstance(exc, BackupToolFailed):
            raise SilianError(t("backup_tool_failed", tool="pg_dump / pg_restore", detail=str(exc))) from exc
        raise
