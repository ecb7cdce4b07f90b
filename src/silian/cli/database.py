"""`silian db upgrade | downgrade | current`: the hub's schema (Alembic migrations)."""

from __future__ import annotations

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
