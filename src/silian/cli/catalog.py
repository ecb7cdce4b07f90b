"""`silian catalog stats | search`: the official catalogues and crosswalks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app

catalog_app = typer.Typer(no_args_is_help=True, help=bilingual("官方目录与对照表", "The official catalogues and crosswalks"))
JsonOut = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]
app.add_typer(catalog_app, name="catalog")

KIND_LABELS = {"major": "专业", "occupation": "职业", "industry": "行业"}


def _check_version(version: str) -> None:
    from silian.catalog import CATALOG_VERSIONS
    from silian.domain.errors import InvalidInput
    from silian.domain.messages import t

    if version not in CATALOG_VERSIONS:
        raise InvalidInput(t("unknown_catalog_version", version=version))


@catalog_app.command("stats", help=bilingual("各目录条目数", "Counts of every classification"))
def catalog_stats(
    version: Annotated[str, typer.Option(help=bilingual(
        "专业目录版本：2021（默认）或 `current`", "Major catalogue version: 2021 (default) or `current`"))] = "2021",
    as_json: JsonOut = False,
) -> None:
    from silian.catalog import get_catalog

    _check_version(version)
    stats = get_catalog().stats(version)
    if as_json:
        context().print_json(stats)
        return
    table = Table(title=f"目录统计 / catalogue counts ({version})")
    table.add_column("项目 / item")
    table.add_column("数量 / count")
    for key, value in stats.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    context().console.print(table)


@catalog_app.command("search", help=bilingual("按名称或代码查找专业、职业和行业",
                                              "Find majors, occupations and industries by name or code"))
def catalog_search(
    query: Annotated[str, typer.Argument(metavar=bilingual("查询", "QUERY"), help=bilingual(
        "名称或代码，如 数控、660103、6-18-01、C34", "A name or a code, e.g. 660103, 6-18-01, C34"))],
    version: Annotated[str, typer.Option(help=bilingual("专业目录版本", "Major catalogue version"))] = "current",
    kind: Annotated[str, typer.Option(help=bilingual(
        "`major`、`occupation` 或 `industry`（默认全部）", "`major`, `occupation` or `industry` (default: all)"))] = "",
    limit: Annotated[int, typer.Option(help=bilingual("最多显示条数", "Most results shown"))] = 50,
    as_json: JsonOut = False,
) -> None:
    from silian.catalog import get_catalog
    from silian.catalog.search import search_catalog
    from silian.domain.messages import t

    _check_version(version)
    hits = search_catalog(get_catalog(), query, version=version, limit=10_000)
    hits = [h for h in hits if not kind or h.kind == kind][:limit]
    if as_json:
        context().print_json([h.as_dict() for h in hits])
        return
    if not hits:
        context().console.print(t("no_results", query=query))
        return
    table = Table()
    for column in ("类别", "代码", "名称", "层级", "所属"):
        table.add_column(column)
    for h in hits:
        table.add_row(KIND_LABELS[h.kind], h.code, h.name, h.level, h.context)
    context().console.print(table)
