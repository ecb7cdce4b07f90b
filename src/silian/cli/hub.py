"""The hub's tables from the command line: `silian tables | template | import | export | summary | demo`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app

if TYPE_CHECKING:
    from silian.domain.errors import ImportRejected
    from silian.services.hub_database import Database

TableArg = Annotated[str, typer.Argument(metavar=bilingual("数据表", "TABLE"), help=bilingual(
    "数据表名，见 `silian tables`", "The table's name, see `silian tables`"))]
JsonOut = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]
CALIBRATION_LABELS = {"schools": "中职学校数 / secondary schools", "enrolment": "中职招生 / secondary enrolment",
                      "students": "中职在校生 / secondary students",
                      "secondary_va": "第二产业增加值（亿元）/ secondary-sector value added"}


@app.command("tables", help=bilingual("可导入导出的数据表", "The tables that can be imported and exported"))
def list_tables(as_json: JsonOut = False) -> None:
    from silian.domain.tables import HUB_TABLES

    rows: list[dict[str, Any]] = [{"table": s.name, "zh": s.zh, "en": s.en, "key": list(s.key)}
                                  for s in HUB_TABLES.values()]
    if as_json:
        context().print_json(rows)
        return
    table = Table()
    for column in ("表 / table", "中文名", "English", "唯一键 / key"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["table"], r["zh"], r["en"], "+".join(r["key"]))
    context().console.print(table)


@app.command("template", help=bilingual("生成带中文表头和填写说明的 Excel 模板",
                                        "Write an Excel template with the Chinese headers and how to fill in every column"))
def template(
    table: TableArg,
    output: Annotated[Path, typer.Option("-o", "--output", help=bilingual("输出的 .xlsx 文件", "The .xlsx file to write"))],
) -> None:
    from silian.domain.messages import t
    from silian.services import imports

    imports.template_for(table, output)
    context().console.print(t("template_done", path=output))


@app.command("import", help=bilingual("校验并导入整个文件（有任何问题则整体拒绝）",
                                      "Validate and import a whole file (any problem rejects it whole)"))
def import_(
    table: TableArg,
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        ".xlsx 或 .csv（UTF-8、UTF-8-BOM、GBK）", ".xlsx or .csv (UTF-8, UTF-8-BOM, GBK)"))],
    sheet: Annotated[str | None, typer.Option(help=bilingual("工作表名（默认“数据”）", "Sheet name (default: `数据`)"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=bilingual("只校验，不写入", "Check only, write nothing"))] = False,
    as_json: JsonOut = False,
    errors_out: Annotated[Path | None, typer.Option("--errors-out", help=bilingual(
        "把全部问题写入 .csv", "Write every problem to a .csv file"))] = None,
) -> None:
    from silian.domain.errors import ImportRejected
    from silian.domain.messages import t
    from silian.services import imports

    ctx = context()
    db = ctx.database()
    imports.ensure_schema(db, ctx.settings.data_dir)
    try:
        with ctx.busy("importing"):
            outcome = imports.import_file(db, table, file, ctx.settings, sheet=sheet, dry_run=dry_run)
    except ImportRejected as exc:
        if errors_out:
            write_problems(exc, errors_out)
        if as_json:
            ctx.print_json({"ok": False, "message": exc.message, "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(exc.exit_code) from None
        raise
    if as_json:
        ctx.print_json({"ok": True, **outcome.as_dict()})
        return
    for warning in outcome.warnings:
        ctx.err_console.print(f"[yellow]{warning}[/yellow]")
    ctx.console.print(t("import_checked" if dry_run else "import_done", table=outcome.table, rows=outcome.rows,
                        inserted=outcome.inserted, updated=outcome.updated, unchanged=outcome.unchanged,
                        seconds=outcome.seconds))


def write_problems(exc: ImportRejected, path: Path) -> None:
    """Every problem of a rejected file as a CSV a user opens in Excel (UTF-8 with BOM)."""
    from silian.domain.cells import defused_row

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["文件", "行", "列", "值", "问题", "修改建议"])
        for p in exc.problems:  # the value is the user's own text: never a live formula
            writer.writerow(defused_row([p.file, p.row, p.column, p.value, p.message, p.fix]))


@app.command("export", help=bilingual("导出数据表（可再次导入）", "Export a table (re-importable)"))
def export(
    table: TableArg,
    output: Annotated[Path, typer.Option("-o", "--output", help=bilingual(
        "输出的 .xlsx 或 .csv 文件", "The .xlsx or .csv file to write"))],
) -> None:
    from silian.domain.messages import t
    from silian.services import imports

    db = context().database()
    imports.ensure_schema(db, context().settings.data_dir)
    rows = imports.export_table(db, table, output)
    context().console.print(t("export_done", table=table, rows=rows, path=output))


@app.command("demo", help=bilingual("载入郑州演示区域（保留您导入的数据），打印概要",
                                    "Load the 郑州 demo region (your own rows stay) and print a summary"))
def demo(
    seed: Annotated[int, typer.Option(help=bilingual(
        "随机种子（同一种子生成相同数据）", "Random seed (one seed, the same data)"))] = 2024,
    as_json: JsonOut = False,
    users: Annotated[bool, typer.Option("--users/--no-users", help=bilingual(
        "创建缺少的演示账号并打印其一次性密码", "Create the missing demo accounts and print their one-time passwords"))] = True,
    reset: Annotated[bool, typer.Option("--reset", help=bilingual(
        "先清空全部数据（包括您导入的数据）再载入；会先询问",
        "Empty every table first (your imported rows too), then load; asks first"))] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=bilingual(
        "与 --reset 同用：不询问，直接清空", "With --reset: do not ask"))] = False,
    if_empty: Annotated[bool, typer.Option("--if-empty", help=bilingual(
        "只在数据库没有任何数据时载入（`make run` 用）", "Load only into an empty database (what `make run` does)"))] = False,
) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from silian.domain.messages import t
    from silian.services import imports
    from silian.services.accounts import ensure_demo_users
    from silian.services.demo_region import load_demo

    ctx = context()
    db = ctx.database()
    imports.ensure_schema(db)
    counts = imports.table_counts(db)
    stored, user_rows = sum(n for _, n in counts.values()), sum(n - g for g, n in counts.values())
    if if_empty and any(n for name, (_, n) in counts.items() if name != "regions"):  # regions come preinstalled
        ctx.err_console.print(t("demo_not_empty", rows=stored))
        return
    if reset and not yes:
        typer.confirm(t("demo_reset_confirm", rows=stored, user_rows=user_rows, url=db.display_url), abort=True,
                      err=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=ctx.err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task(t("cli_busy_demo"), total=None)
        summary = load_demo(db, seed=seed, reset=reset, progress=lambda msg: progress.update(task, description=msg))
    accounts = ensure_demo_users(db, reset=reset) if users else {}
    if as_json:
        ctx.print_json({**summary.as_dict(),
                        "demo_users": {u: {"role": r, "password": p} for u, (r, p) in accounts.items()}})
        return
    ctx.console.print(t("demo_loaded", url=db.display_url))
    if summary.kept_user_rows:
        ctx.console.print(t("demo_kept", rows=sum(summary.kept_user_rows.values()),
                            tables="、".join(f"{name} {n:,}" for name, n in summary.kept_user_rows.items())))
    _print_summary(db)
    _print_calibration(summary.as_dict())
    if accounts:
        table = Table(title="演示账号（密码只显示这一次）/ demo accounts (passwords shown once)")
        for column in ("用户名 / username", "角色 / role", "密码 / password"):
            table.add_column(column)
        for username, (role, password) in accounts.items():
            table.add_row(username, role, password or t("demo_password_unchanged"))
        ctx.console.print(table)


@app.command("summary", help=bilingual("数据库中各表的行数与来源", "Rows per table and how many are generated"))
def summary(as_json: JsonOut = False) -> None:
    from silian.domain.errors import InvalidInput
    from silian.domain.messages import t
    from silian.services import imports

    db = context().database()
    if not db.is_current():
        raise InvalidInput(t("db_not_migrated"))
    if as_json:
        counts = imports.table_counts(db)
        context().print_json({name: {"rows": total, "generated_rows": gen} for name, (gen, total) in counts.items()})
        return
    _print_summary(db)


def _print_summary(db: Database) -> None:
    from silian.domain.messages import t
    from silian.domain.tables import HUB_TABLES
    from silian.services import imports

    table = Table(title="数据中心概要 / hub summary")
    for column in ("表 / table", "中文名", "行数 / rows", "来源 / source"):
        table.add_column(column)
    for name, (generated, total) in imports.table_counts(db).items():
        if total == 0:
            source = "—"
        elif generated == total:
            source = f"[bold magenta]{t('generated_mark')}[/bold magenta]"
        elif generated:
            source = f"[magenta]{t('generated_mark')} {generated}/{total}[/magenta]"
        else:
            source = t("real_mark")
        table.add_row(name, HUB_TABLES[name].zh, f"{total:,}", source)
    context().console.print(table)


def _calibration_label(name: str) -> str:
    stem, _, year = name.rpartition("_")
    return f"{CALIBRATION_LABELS.get(stem, stem)} {year}" if year.isdigit() else name


def _print_calibration(data: dict[str, Any]) -> None:
    checks = data.get("calibration") or {}
    if not checks:
        return
    table = Table(title="校准：演示数据与公开数 / calibration: demo data against published totals")
    for column in ("指标 / figure", "演示值 / demo", "公开数 / published"):
        table.add_column(column)
    for name, item in checks.items():
        if isinstance(item, dict):
            table.add_row(_calibration_label(name), f"{item.get('value', '')}", f"{item.get('target', '')}")
    context().console.print(table)
