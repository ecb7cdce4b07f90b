"""`silian db upgrade | downgrade | current`: the hub's schema (Alembic migrations); `silian backup` and
`silian restore`: the whole database to and from one file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app

db_app = typer.Typer(no_args_is_help=True, help=bilingual("数据库结构（迁移）", "The database schema (migrations)"))
app.add_typer(db_app, name="db")


@db_app.command("upgrade", help=bilingual("升级数据库结构（默认到最新版本）", "Upgrade the schema (default: to the latest)"))
def db_upgrade(revision: Annotated[str, typer.Option(help=bilingual("目标版本", "Target revision"))] = "head") -> None:
    from silian.domain.messages import t
    from silian.services.postings.state import import_state_files, imported_message

    db = context().database()
    db.upgrade(revision)
    if revision == "head":
        from silian.services.imports import seed_regions

        seed_regions(db)  # the country's 行政区划, preinstalled
    context().console.print(t("db_upgraded", url=db.display_url))
    taken = import_state_files(db, context().settings.data_dir)  # the files older versions kept, once
    if taken:
        context().console.print(imported_message(taken))


@db_app.command("downgrade", help=bilingual("降级数据库结构", "Downgrade the schema"))
def db_downgrade(revision: Annotated[str, typer.Option(help=bilingual(
        "目标版本（`base` = 清空）", "Target revision (`base` drops every table)"))] = "base") -> None:
    from silian.domain.messages import t

    context().database().downgrade(revision)
    context().console.print(t("db_downgraded", revision=revision))


@db_app.command("current", help=bilingual("显示数据库结构的当前版本与最新版本", "Show the current and the latest schema revision"))
def db_current(as_json: Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))] = False) -> None:
    db = context().database()
    info = {"url": db.display_url, "current": db.current_revision(), "head": db.head_revision()}
    if as_json:
        context().print_json(info)
    else:
        context().console.print(info)


@app.command("backup", help=bilingual("备份整个数据库（平台运行时也可，得到一致的快照）",
                                      "Back up the whole database (a consistent snapshot, also while the platform serves)"))
def backup(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "备份文件（SQLite：.db 副本；PostgreSQL：pg_dump 自定义格式）",
        "The backup file (SQLite: a copy of the .db; PostgreSQL: pg_dump's custom format)"))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=bilingual(
        "文件已存在时不询问，直接覆盖", "Overwrite an existing file without asking"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))] = False,
) -> None:
    from silian.domain.messages import t
    from silian.services.backup import backup_hub

    ctx = context()
    if file.exists() and not yes:
        typer.confirm(t("backup_exists", path=file), abort=True, err=True)
    report = backup_hub(ctx.database(), file)
    if as_json:
        ctx.print_json({"path": str(report.path), "backend": report.backend, "bytes": report.size,
                        "seconds": report.seconds, "rows": report.rows,
                        "tables": report.tables})
        return
    ctx.console.print(report.message())


@app.command("restore", help=bilingual(
    "用备份替换数据库的全部数据；先询问，并先把现有数据备份到数据目录的 `backups/`",
    "Replace every row with a backup's; asks first and backs up what is there to `backups/` in the data folder"))
def restore(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "`silian backup` 写出的备份文件", "A backup file written by `silian backup`"))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=bilingual(
        "不询问，直接替换（替换前仍会自动备份现有数据）", "Replace without asking (what is there is still backed up first)"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))] = False,
) -> None:
    from silian.domain.messages import t
    from silian.services.backup import check_backup, restore_hub, safety_path, stored_rows

    ctx = context()
    db = ctx.database()
    check_backup(db, file)
    safety = safety_path(ctx.settings, db.dialect)
    if not yes:
        typer.confirm(t("restore_confirm", path=file, url=db.display_url, rows=stored_rows(db), safety=safety),
                      abort=True, err=True)
    report = restore_hub(db, file, ctx.settings, safety=safety)
    if as_json:
        ctx.print_json({"path": str(report.path), "safety_backup": str(report.safety), "revision": report.revision,
                        "needs_upgrade": report.needs_upgrade, "dropped": list(report.dropped),
                        "tables": report.tables})
        return
    for line in report.messages():
        ctx.console.print(line)
