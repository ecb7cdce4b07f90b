"""`silian match`: students to order-class, apprenticeship and internship seats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

SHOWN_POSITIONS = 30

register_messages({
    "match_summary": (
        ("匹配完成（{method}）：{n_students:,} 名学生中 {n_matched:,} 名获得岗位（{n_first:,} 名是第一志愿），"
         "{n_unmatched:,} 名未匹配；岗位共 {seats:,} 个名额"),
        ("Matched ({method}): {n_matched:,} of {n_students:,} students got a seat ({n_first:,} their first "
         "choice), {n_unmatched:,} unmatched; {seats:,} seats in all"),
    ),
    "match_written": ("结果已写入：{path}", "Result written: {path}"),
    "match_more_positions": (
        "…… 另有 {count:,} 个岗位未显示；完整结果请用 -o OUT.json 或 --json",
        "… {count:,} more positions not shown; use -o OUT.json or --json for the whole result",
    ),
})


@app.command("match", help=bilingual("学生与订单班、学徒制、实习岗位的匹配",
                                     "Match students to order-class, apprenticeship and internship seats"))
def match(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "JSON：`students`（志愿）与 `positions`（`capacity`、`preferences`），见 docs/cli.md",
        "JSON: `students` (their choices) and `positions` (`capacity`, `preferences`), see docs/cli.md"))],
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual(
        "把结果写入 OUT.json", "Write the result to OUT.json"))] = None,
    method: Annotated[str, typer.Option("--method", help=bilingual(
        "`da`（默认，延迟接受，稳定）或 `weights`（按分数求最大权匹配）",
        "`da` (default, deferred acceptance, stable) or `weights` (maximum-weight matching on scores)"))] = "da",
    as_json: Annotated[bool, typer.Option("--json", help=bilingual(
        "把结果（JSON）打印到标准输出", "Print the result (JSON) on standard output"))] = False,
) -> None:
    from silian.services.planning.seat_matching import (
        METHODS,
        dump_match_json,
        match_from_file,
        write_match_file,
    )

    if method not in METHODS:
        raise InvalidInput(t("match_unknown_method", method=method))
    ctx = context()
    with ctx.busy("matching"):
        outcome = match_from_file(file, method)
        if output is not None:
            write_match_file(outcome.result, output)
    if as_json:
        sys.stdout.write(dump_match_json(outcome.result))
    summary = t("match_summary", method=method, n_students=outcome.n_students, n_matched=outcome.n_matched,
                n_first=outcome.n_first_choice, n_unmatched=outcome.n_students - outcome.n_matched,
                seats=outcome.seats)
    (ctx.err_console if as_json else ctx.console).print(summary)
    if output is not None:
        (ctx.err_console if as_json else ctx.console).print(t("match_written", path=output))
    elif not as_json:
        _print_matching(outcome.result["matching"])


def _print_matching(matching: dict[str, list[str]]) -> None:
    console = context().console
    table = Table()
    for column in ("岗位 / position", "人数 / matched", "学生 / students"):
        table.add_column(column, overflow="fold")
    for position, students in list(matching.items())[:SHOWN_POSITIONS]:
        shown = "、".join(students[:20]) + (" …" if len(students) > 20 else "")
        table.add_row(position, str(len(students)), shown)
    console.print(table)
    if len(matching) > SHOWN_POSITIONS:
        console.print(t("match_more_positions", count=len(matching) - SHOWN_POSITIONS))
