"""The `silian` command line: thin wrappers over services, Chinese messages by default (`--lang en`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy.exc
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from silian.catalog import CATALOG_VERSIONS, get_catalog
from silian.catalog.search import search_catalog
from silian.domain.errors import ImportRejected, InvalidInput, SilianError
from silian.domain.messages import current_lang, t
from silian.domain.tables import HUB_TABLES
from silian.services import imports
from silian.settings import Settings
from silian.storage.database import Database

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="四链 Silian：区域职业教育中心平台 / regional vocational education center platform")
db_app = typer.Typer(no_args_is_help=True, help="数据库结构（迁移） / database schema (migrations)")
catalog_app = typer.Typer(no_args_is_help=True, help="官方目录与对照表 / official catalogues and crosswalks")
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")

console = Console()
err_console = Console(stderr=True)
_state: dict[str, Any] = {}


def _settings() -> Settings:
    return _state["settings"]


def _database() -> Database:
    return Database(_settings().resolved_database_url())


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback()
def _main(
    lang: Annotated[str, typer.Option("--lang", help="zh（默认）或 en")] = "",
    database_url: Annotated[str, typer.Option("--db", help="数据库 URL（默认 SQLite，或 SILIAN_DATABASE_URL）")] = "",
) -> None:
    settings = Settings()
    if database_url:
        settings.database_url = database_url
    if lang:
        settings.lang = lang
    if settings.lang not in ("zh", "en"):
        raise InvalidInput(f"--lang: zh / en ({settings.lang})")
    current_lang.set(settings.lang)
    _state["settings"] = settings


# ---------------------------------------------------------------- db
@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Option(help="目标版本")] = "head") -> None:
    """升级数据库结构到最新版本 / upgrade the schema."""
    db = _database()
    db.upgrade(revision)
    console.print(t("db_upgraded", url=db.display_url))


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Option(help="目标版本（base = 清空）")] = "base") -> None:
    """降级数据库结构 / downgrade the schema."""
    _database().downgrade(revision)
    console.print(t("db_downgraded", revision=revision))


@db_app.command("current")
def db_current(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """显示数据库版本 / show the schema revision."""
    db = _database()
    info = {"url": db.display_url, "current": db.current_revision(), "head": db.head_revision()}
    if as_json:
        _print_json(info)
    else:
        console.print(info)


# ---------------------------------------------------------------- catalog
def _check_version(version: str) -> None:
    if version not in CATALOG_VERSIONS:
        raise InvalidInput(t("unknown_catalog_version", version=version))


@catalog_app.command("stats")
def catalog_stats(
    version: Annotated[str, typer.Option(help="专业目录版本：2021（默认）或 current")] = "2021",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """各目录条目数 / counts of every classification."""
    _check_version(version)
    stats = get_catalog().stats(version)
    if as_json:
        _print_json(stats)
        return
    table = Table(title=f"目录统计 / catalogue counts ({version})")
    table.add_column("项目 / item")
    table.add_column("数量 / count")
    for key, value in stats.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    console.print(table)


@catalog_app.command("search")
def catalog_search(
    query: Annotated[str, typer.Argument(help="名称或代码，如 数控、660103、6-18-01、C34")],
    version: Annotated[str, typer.Option(help="专业目录版本")] = "current",
    kind: Annotated[str, typer.Option(help="major / occupation / industry（默认全部）")] = "",
    limit: Annotated[int, typer.Option(help="最多显示条数")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """按名称或代码查找专业、职业和行业 / find majors, occupations and industries."""
    _check_version(version)
    hits = search_catalog(get_catalog(), query, version=version, limit=10_000)
    hits = [h for h in hits if not kind or h.kind == kind][:limit]
    if as_json:
        _print_json([h.as_dict() for h in hits])
        return
    if not hits:
        console.print(t("no_results", query=query))
        return
    labels = {"major": "专业", "occupation": "职业", "industry": "行业"}
    table = Table()
    for column in ("类别", "代码", "名称", "层级", "所属"):
        table.add_column(column)
    for h in hits:
        table.add_row(labels[h.kind], h.code, h.name, h.level, h.context)
    console.print(table)


# ---------------------------------------------------------------- tables, templates, import, export
@app.command("tables")
def list_tables(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """可导入导出的数据表 / the tables that can be imported and exported."""
    rows = [{"table": s.name, "zh": s.zh, "en": s.en, "key": list(s.key)} for s in HUB_TABLES.values()]
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for column in ("表 / table", "中文名", "English", "唯一键 / key"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["table"], r["zh"], r["en"], "+".join(r["key"]))
    console.print(table)


@app.command("template")
def template(
    table: Annotated[str, typer.Argument(help="数据表名，见 `silian tables`")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出 .xlsx 文件")],
) -> None:
    """生成带中文表头和填写说明的 Excel 模板 / write an Excel template."""
    imports.template_for(table, output)
    console.print(t("template_done", path=output))


@app.command("import")
def import_(
    table: Annotated[str, typer.Argument(help="数据表名，见 `silian tables`")],
    file: Annotated[Path, typer.Argument(help=".xlsx 或 .csv（UTF-8、UTF-8-BOM、GBK）")],
    sheet: Annotated[str | None, typer.Option(help="工作表名（默认“数据”）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    errors_out: Annotated[Path | None, typer.Option("--errors-out", help="把全部问题写入 .csv")] = None,
) -> None:
    """校验并导入整个文件（有任何问题则整体拒绝） / validate and import a whole file atomically."""
    db = _database()
    imports.ensure_schema(db)
    try:
        with console.status("校验并写入… / validating and writing…", spinner="dots"):
            outcome = imports.import_file(db, table, file, _settings(), sheet=sheet, dry_run=dry_run)
    except ImportRejected as exc:
        if errors_out:
            _write_problems(exc, errors_out)
        if as_json:
            _print_json({"ok": False, "message": exc.message, "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(exc.exit_code) from None
        raise
    if as_json:
        _print_json({"ok": True, **outcome.as_dict()})
        return
    for warning in outcome.warnings:
        err_console.print(f"[yellow]{warning}[/yellow]")
    console.print(t("import_done", table=table, rows=outcome.rows, inserted=outcome.inserted,
                    updated=outcome.updated, unchanged=outcome.unchanged, seconds=outcome.seconds))


def _write_problems(exc: ImportRejected, path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["文件", "行", "列", "值", "问题", "修改建议"])
        for p in exc.problems:
            writer.writerow([p.file, p.row, p.column, p.value, p.message, p.fix])


@app.command("export")
def export(
    table: Annotated[str, typer.Argument(help="数据表名，见 `silian tables`")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出 .xlsx 或 .csv")],
) -> None:
    """导出数据表（可再次导入） / export a table (re-importable)."""
    db = _database()
    imports.ensure_schema(db)
    rows = imports.export_table(db, table, output)
    console.print(t("export_done", table=table, rows=rows, path=output))


# ---------------------------------------------------------------- demo and summary
@app.command("demo")
def demo(
    seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同数据）")] = 2024,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    users: Annotated[bool, typer.Option("--users/--no-users", help="创建（或重置）演示账号并打印其一次性密码")] = True,
) -> None:
    """建库并载入郑州演示区域，打印概要 / create the database, load the 郑州 demo region, print a summary."""
    from silian.demo import load_demo
    from silian.services.accounts import ensure_demo_users

    db = _database()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("载入演示区域… / loading the demo region…", total=None)
        summary = load_demo(db, seed=seed, progress=lambda msg: progress.update(task, description=msg))
    accounts = ensure_demo_users(db) if users else {}
    if as_json:
        _print_json({**summary.as_dict(), "demo_users": {u: {"role": r, "password": p} for u, (r, p) in accounts.items()}})
        return
    console.print(t("demo_loaded", url=db.display_url))
    _print_summary(db)
    _print_calibration(summary.as_dict())
    if accounts:
        table = Table(title="演示账号（密码只显示这一次）/ demo accounts (passwords shown once)")
        for column in ("用户名 / username", "角色 / role", "密码 / password"):
            table.add_column(column)
        for username, (role, password) in accounts.items():
            table.add_row(username, role, password)
        console.print(table)


@app.command("summary")
def summary(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """数据库中各表的行数与来源 / rows per table and whether they are generated."""
    db = _database()
    if not db.is_current():
        raise InvalidInput(t("db_not_migrated"))
    if as_json:
        counts = imports.table_counts(db)
        _print_json({name: {"rows": total, "generated_rows": gen} for name, (gen, total) in counts.items()})
        return
    _print_summary(db)


def _print_summary(db: Database) -> None:
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
    console.print(table)


_CALIBRATION_LABELS = {"schools": "中职学校数 / secondary schools", "enrolment": "中职招生 / secondary enrolment",
                       "students": "中职在校生 / secondary students",
                       "secondary_va": "第二产业增加值（亿元）/ secondary-sector value added"}


def _calibration_label(name: str) -> str:
    stem, _, year = name.rpartition("_")
    return f"{_CALIBRATION_LABELS.get(stem, stem)} {year}" if year.isdigit() else name


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
    console.print(table)


# ---------------------------------------------------------------- coupling coordination of a CSV file
@app.command("coupling")
def coupling(
    file: Annotated[Path, typer.Argument(help=".csv：id 列 + 每个子系统一列 0–1 得分（UTF-8、UTF-8-BOM、GBK）")],
    method: Annotated[str, typer.Option("--method", help="wang（默认，王淑佳等 2021）/ classic / fan")] = "wang",
    weights: Annotated[str, typer.Option("--weights", help="各子系统权重，按列顺序、逗号分隔、合计为 1，如 0.4,0.3,0.3")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """耦合协调度 C、T、D 与协调等级 / coupling coordination degree of every row of a CSV file."""
    from silian.services.coupling_file import coupling_from_file, parse_weights

    rows = coupling_from_file(file, method=method, weights=parse_weights(weights))
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"耦合协调度 / coupling coordination ({method})")
    for column in ("id", "C", "T", "D", "协调等级 / level"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), *(f"{row[k]:.4f}" for k in ("C", "T", "D")), str(row["level"]))
    console.print(table)


# ---------------------------------------------------------------- analysis, report, indicators
def _register_analysis() -> None:
    from silian.cli_analysis import register
    register(app, console, err_console, _database, _settings, _print_json)


_register_analysis()


def _register_platform() -> None:
    from silian.cli_platform import register
    register(app, console, _database, _settings)


_register_platform()


def _register_postings() -> None:
    from silian.cli_postings import register
    register(app, console, err_console, _database, _settings, _print_json)


_register_postings()


def _register_optional(module_name: str) -> None:
    """Commands of a module that registers itself (planning, matching), when the module is installed."""
    from silian.optional import import_optional
    module = import_optional(module_name)
    if module is not None:
        module.register(app, console, err_console, _database, _settings, _print_json)


_register_optional("silian.cli_planning")
_register_optional("silian.cli_plan")
_register_optional("silian.cli_scenario")
_register_optional("silian.cli_recommend")


# ---------------------------------------------------------------- entry point
def _show_rejection(exc: ImportRejected) -> None:
    err_console.print(f"[bold red]{exc.message}[/bold red]")
    table = Table(show_lines=False)
    for column in ("文件 / file", "行 / row", "列 / column", "值 / value", "问题 / problem", "修改 / fix"):
        table.add_column(column, overflow="fold")
    for p in exc.problems[:200]:
        table.add_row(p.file, "" if p.row is None else str(p.row), p.column or "", p.value or "", p.message, p.fix)
    err_console.print(table)
    if len(exc.problems) > 200:
        err_console.print(f"… {len(exc.problems) - 200} more (--errors-out FILE.csv)")


def main() -> None:
    """Console entry point: domain errors become clear messages and non-zero exit codes."""
    try:
        app()
    except ImportRejected as exc:
        _show_rejection(exc)
        sys.exit(exc.exit_code)
    except SilianError as exc:
        err_console.print(f"[bold red]{exc.message}[/bold red]")
        sys.exit(exc.exit_code)
    except sqlalchemy.exc.OperationalError as exc:
        url = _state.get("settings").resolved_database_url() if _state.get("settings") else "?"
        err_console.print(f"[bold red]{t('db_unreachable', url=url, detail=str(exc.orig).strip())}[/bold red]")
        sys.exit(6)


if __name__ == "__main__":
    main()
