"""`silian match`: students to order-class, apprenticeship and internship seats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.services.planning.seat_matching import MatchOutcome

SHOWN_POSITIONS = 30
SHEET_SUFFIXES = (".xlsx", ".csv")

register_messages({
    "match_summary": (
        ("匹配完成（{method}）：{n_students:,} 名学生中 {n_matched:,} 名获得岗位（{n_first:,} 名是第一志愿），"
         "{n_unmatched:,} 名未匹配；岗位共 {seats:,} 个名额"),
        ("Matched ({method}): {n_matched:,} of {n_students:,} students got a seat ({n_first:,} their first "
         "choice), {n_unmatched:,} unmatched; {seats:,} seats in all"),
    ),
    "match_written": ("结果已写入：{path}", "Result written: {path}"),
    "match_sheets_da_only": (
        "Excel 文件按成绩排序录取，只支持 --method da；按分数的最大权匹配请用 JSON 文件",
        "Excel files rank students by score and support --method da only; use a JSON file for max-weight",
    ),
    "match_more_positions": (
        "…… 另有 {count:,} 个岗位未显示；完整结果请用 -o OUT.json 或 --json",
        "… {count:,} more positions not shown; use -o OUT.json or --json for the whole result",
    ),
})


@app.command("match", help=bilingual("学生与订单班、学徒制、实习岗位的匹配",
                                     "Match students to order-class, apprenticeship and internship seats"))
def match(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "JSON：`students`（志愿）与 `positions`（`capacity`、`preferences`）；或 Excel：“学生”与“岗位”两个工作表（见 docs/cli.md）",
        "JSON: `students` (their choices) and `positions` (`capacity`, `preferences`); or Excel: the sheets `学生` "
        "(students) and `岗位` (positions) (see docs/cli.md)"))],
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual(
        "把结果写入 OUT.json 或 OUT.xlsx（Excel 输入时）", "Write the result to OUT.json, or OUT.xlsx for an Excel input"))] = None,
    method: Annotated[str, typer.Option("--method", help=bilingual(
        "`da`（默认，延迟接受，稳定）或 `weights`（按分数求最大权匹配，仅 JSON）",
        "`da` (default, deferred acceptance, stable) or `weights` (maximum-weight matching on scores, JSON only)"))] = "da",
    positions: Annotated[Path | None, typer.Option("--positions", help=bilingual(
        "岗位表（.xlsx 或 .csv），文件为学生表时", "The positions (.xlsx or .csv) when FILE holds the students"))] = None,
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
        if file.suffix.lower() in SHEET_SUFFIXES or positions is not None:
            outcome = _sheet_match(file, positions, method, output)
        else:
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


def _sheet_match(file: Path, positions: Path | None, method: str, output: Path | None) -> MatchOutcome:
    """A workbook (or students and positions files) matched by deferred acceptance; the result written as .xlsx
    (or .json) when ``output`` is given."""
    from silian.reports.match_workbook import write_match_xlsx
    from silian.services.planning.seat_matching import write_match_file
    from silian.services.planning.seat_workbook import match_from_workbook

    if method != "da":
        raise InvalidInput(t("match_sheets_da_only"))
    if not file.is_file():
        raise InvalidInput(t("file_missing", path=file))
    found = match_from_workbook(file, positions, max_bytes=context().settings.import_max_bytes)
    if output is not None:
        if output.suffix.lower() == ".xlsx":
            write_match_xlsx(found, output)
        else:
            write_match_file(found.outcome.result, output)
    return found.outcome


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
