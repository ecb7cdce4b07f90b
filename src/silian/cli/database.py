"""`silian db upgrade | downgrade | current`: the hub's schema (Alembic migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

from silian.cli.context import context
from silian.cli.root import app

db_app = typer.Typer(no_args_is_help=True, help="数据库结构（迁移） / database schema (migrations)")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Option(help="目标版本")] = "head") -> None:
    """升级数据库结构到最新版本 / upgrade the schema."""
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


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Option(help="目标版本（base = 清空）")] = "base") -> None:
    """降级数据库结构 / downgrade the schema."""
    from silian.domain.messages import t

    context().database().downgrade(revision)
    context().console.print(t("db_downgraded", revision=revision))


@db_app.command("current")
def db_current(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """显示数据库版本 / show the schema revision."""
    db = context().database()
    info = {"url": db.display_url, "current": db.current_revision(), "head": db.head_revision()}
    if as_json:
        context().print_json(info)
    else:
        context().console.print(info)
