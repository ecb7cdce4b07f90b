"""`silian scenario save | list | show | compare | delete`: what-if scenarios compared with the baseline."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

register_messages(
    {
        "cli_sc_saved": (
            "已保存情景“{name}”（#{id}，{kind}，地区 {region}）",
            "Saved scenario '{name}' (#{id}, {kind}, region {region})",
        ),
        "cli_sc_deleted": ("已删除情景“{name}”（#{id}）", "Deleted scenario '{name}' (#{id})"),
        "cli_sc_none": (
            "还没有保存的情景；用 `silian scenario save` 保存一个",
            "No scenarios yet; save one with `silian scenario save`",
        ),
        "cli_sc_bad_json": (
            "{path} 不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）",
            "{path} is not valid JSON (line {line}, column {column}: {detail})",
        ),
        "cli_sc_indicator": ("指标", "Indicator"),
        "cli_sc_diff": ("差值", "change"),
        "cli_sc_title": ("{region} · {year} 年：基线与情景对比", "{region} · {year}: baseline and scenarios"),
    }
)
KIND_HELP = bilingual("`plan`（招生计划）、`plant`（新建工厂）或 `merger`（学校合并）",
                      "`plan` (an enrolment plan), `plant` (a new plant) or `merger` (a school merger)")
NAME_HELP = bilingual("情景名称或编号", "The scenario's name or number")
JsonOut = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]


def _scenarios() -> ModuleType:
    from silian.services import scenarios

    return scenarios


def read_spec_file(path: Path) -> Any:
    """The JSON object in ``path`` (UTF-8, with or without BOM)."""
    if not path.is_file():
        raise InvalidInput(t("file_missing", path=path))
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(t("file_bad_encoding", path=path)) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(t("cli_sc_bad_json", path=path.name, line=exc.lineno, column=exc.colno, detail=exc.msg)) from None


group = typer.Typer(no_args_is_help=True, help=bilingual("情景：保存并与基线对比", "What-if scenarios compared with the baseline"))
app.add_typer(group, name="scenario")


@group.command("save", help=bilingual("检查并保存情景", "Check and save a scenario"))
def save(name: Annotated[str, typer.Argument(metavar=bilingual("名称", "NAME"), help=bilingual(
             "情景名称（同一地区内唯一）", "The scenario's name (unique in its region)"))],
         kind: Annotated[str, typer.Option("--kind", help=KIND_HELP)],
         spec: Annotated[Path, typer.Option("--spec", help=bilingual(
             "情景方案 JSON 文件，见 docs/planning.md", "The scenario's JSON file, see docs/planning.md"))],
         region: Annotated[str, typer.Option("--region", help=bilingual(
             "所属地区（默认：学校最多的城市）", "Its region (default: the city with the most schools)"))] = "",
         replace: Annotated[bool, typer.Option("--replace", help=bilingual(
             "覆盖同名情景", "Replace a scenario of the same name"))] = False) -> None:
    data = read_spec_file(spec)
    saved = _scenarios().save_scenario(context().database(), None, name=name, kind=kind, spec=data,
                                       settings=context().settings, region=region or None, replace=replace)
    context().console.print(t("cli_sc_saved", name=saved.name, id=saved.id, kind=saved.kind, region=saved.region_code))

@group.command("list", help=bilingual("列出情景", "List the scenarios"))
def list_(as_json: JsonOut = False) -> None:
    found = _scenarios().list_scenarios(context().database())
    if as_json:
        context().print_json([s.public() for s in found])
        return
    if not found:
        context().console.print(t("cli_sc_none"))
        return
    table = Table()
    for column in ("#", "名称 / name", "类型 / kind", "地区 / region", "更新 / updated"):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(str(s.id), s.name, s.kind, s.region_code, str(s.updated_at)[:19])
    context().console.print(table)


@group.command("show", help=bilingual("显示情景方案（JSON）", "Show a scenario (JSON)"))
def show(name: Annotated[str, typer.Argument(metavar=bilingual("名称", "NAME"), help=NAME_HELP)]) -> None:
    context().print_json(_scenarios().get_scenario(context().database(), None, _ident(name)).public())

@group.command("compare", help=bilingual("基线与情景并列对比", "The baseline and the scenarios side by side"))
def compare(names: Annotated[list[str], typer.Argument(metavar=bilingual("名称", "NAME"), help=bilingual(
                "一个或多个情景名称或编号", "One or more scenario names or numbers"))],
            year: Annotated[int, typer.Option("--year", help=bilingual(
                "比较年份（默认最新）", "Year compared (default: the latest)"))] = 0,
            as_json: JsonOut = False) -> None:
    with context().busy("computing"):
        result = _scenarios().compare_saved(context().database(), None, [_ident(n) for n in names],
                                            settings=context().settings, year=year or None)
    if as_json:
        context().print_json(result.as_dict())
    else:
        print_comparison(result)

@group.command("delete", help=bilingual("删除情景", "Delete a scenario"))
def delete(name: Annotated[str, typer.Argument(metavar=bilingual("名称", "NAME"), help=NAME_HELP)]) -> None:
    gone = _scenarios().delete_scenario(context().database(), None, _ident(name))
    context().console.print(t("cli_sc_deleted", name=gone.name, id=gone.id))


def _ident(text: str) -> int | str:
    """A scenario's number (``#3`` or ``3``) or its name."""
    stripped = text.lstrip("#")
    return int(stripped) if stripped.isdigit() and len(stripped) < 10 else text


def _cell(value: Any, kind: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    if kind == "text":
        return str(value)
    if kind == "int":
        return f"{value:+,}" if signed else f"{value:,}"
    digits = 4 if abs(value) < 10 else 0
    return f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"


def print_comparison(result: Any) -> None:
    """The comparison as a table: indicator, baseline, then each scenario with its change."""
    console = context().console
    console.print(f"[bold]{t('cli_sc_title', region=result.region_name, year=result.year)}[/bold]")
    table = Table()
    table.add_column(t("cli_sc_indicator"), overflow="fold")
    table.add_column(result.columns[0], justify="right")
    for name in result.columns[1:]:
        table.add_column(name, justify="right", overflow="fold")
        table.add_column(t("cli_sc_diff"), justify="right")
    for row in result.rows:
        cells = [_cell(row.values[0], row.kind)]
        for value, diff in zip(row.values[1:], row.diffs, strict=True):
            cells += [_cell(value, row.kind), "" if diff in (None, 0) else _cell(diff, row.kind, signed=row.kind != "text")]
        table.add_row(row.label, *cells)
    console.print(table)
    for note in result.notes:
        console.print(f"  • {note}")
