"""Job postings from the command line: `silian classify [evaluate]`, `silian postings import | confirm | confirmed`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.messages import register_messages, t

register_messages(
    {
        "cli_postings_done": (
            "{rows:,} 行 → 去重后 {postings:,} 条招聘 → {records:,} 条需求记录（{seconds:.1f} 秒，引擎 {engine}）",
            (
                "{rows:,} rows → {postings:,} postings after removing reposts → {record"
                "s:,} demand records ({seconds:.1f} s, {engine} engine)"
            ),
        ),
        "cli_postings_review": (
            "{n:,} 条招聘的岗位名称置信度低，进入人工复核队列（未计入需求）：{path}",
            "{n:,} postings have low-confidence titles and wait for review (not counted): {path}",
        ),
        "cli_postings_loaded": (
            "已载入数据库需求表（来源 posting）：{n:,} 行",
            "Loaded into the hub's demand table (source posting): {n:,} rows",
        ),
        "cli_classified": ("已分类 {n:,} 个岗位名称 → {path}", "Classified {n:,} titles → {path}"),
        "cli_confirmed_used": (
            "已应用 {n:,} 个人工确认的岗位名称（{path}）",
            "Applied {n:,} titles confirmed by a reviewer ({path})",
        ),
        "cli_review_hint": (
            "在 confirmed_code 列填写能确定的职业代码，然后运行：silian postings confirm {path}",
            "Fill in confirmed_code for the titles you can decide, then run: silian postings confirm {path}",
        ),
        "cli_confirm_done": (
            (
                "已确认岗位名称：新增 {added:,}，改动 {changed:,}，不变 {unchanged:,}，未填写 {undecided:,}；"
                "共 {total:,} 个（{path}）"
            ),
            (
                "Confirmed titles: {added:,} added, {changed:,} changed, {unchanged:,} "
                "unchanged, {undecided:,} left empty; {total:,} in all ({path})"
            ),
        ),
        "cli_confirm_dry": ("（试运行：未保存）", "(dry run: nothing saved)"),
    }
)


CONFIRMED_HELP = bilingual("采用人工确认的岗位名称（`silian postings confirm`）",
                           "Use the titles a reviewer confirmed (`silian postings confirm`)")
JsonOut = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]
postings_app = typer.Typer(no_args_is_help=True, help=bilingual("招聘数据", "Job postings"))
app.add_typer(postings_app, name="postings")


@app.command("classify", help=bilingual(
    "岗位名称 → 职业分类大典细类：`silian classify FILE.csv --column job_name -o OUT.csv [--top-k N]`；"
    "`silian classify evaluate` 打印交叉验证准确率",
    "Job titles → occupations of the 2022 classification: `silian classify FILE.csv --column job_name -o OUT.csv "
    "[--top-k N]`; `silian classify evaluate` prints the cross-validated accuracy"))
def classify(
    target: Annotated[str, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "CSV 文件（UTF-8、UTF-8-BOM、GBK），或 `evaluate`（交叉验证）", "A CSV file (UTF-8, UTF-8-BOM, GBK), or `evaluate`"))],
    column: Annotated[str, typer.Option("--column", help=bilingual("岗位名称所在列", "The column of the job titles"))] = "job_name",
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual("输出 CSV", "Output CSV file"))] = None,
    top_k: Annotated[int, typer.Option("--top-k", help=bilingual("同时输出前 N 个候选", "Also write the top N candidates"))] = 1,
    folds: Annotated[int, typer.Option(help=bilingual("`evaluate`：交叉验证折数", "`evaluate`: cross-validation folds"))] = 5,
    as_json: Annotated[bool, typer.Option("--json", help=bilingual("`evaluate`：输出 JSON", "`evaluate`: print JSON"))] = False,
    use_confirmed: Annotated[
        bool, typer.Option("--confirmed/--no-confirmed", help=CONFIRMED_HELP)
    ] = True,
) -> None:
    if target == "evaluate":
        _evaluate(folds, as_json)
        return
    from silian.services.postings.classifier import classify_csv
    if output is None:
        raise typer.BadParameter("-o OUT.csv is required")
    confirmed = _confirmed(use_confirmed)
    n = classify_csv(Path(target), column=column, output=output, top_k=top_k, confirmed=confirmed)
    context().err_console.print(t("cli_classified", n=n, path=output))


def _confirmed(use: bool) -> dict[str, str]:
    """The confirmed titles of the hub database; none when it does not exist yet or is not migrated."""
    from silian.services.postings.importing import confirmed_for_import
    confirmed, location = confirmed_for_import(context().settings, use=use)
    if confirmed:
        context().err_console.print(t("cli_confirmed_used", n=len(confirmed), path=location))
    return confirmed


def _evaluate(folds: int, as_json: bool) -> None:
    from silian.services.postings.classifier import evaluate_cv
    with context().busy("cross_validating"):
        scores = evaluate_cv(folds=folds)
    if as_json:
        context().print_json(scores)
        return
    table = Table(title=f"{folds}-fold 交叉验证 / cross-validated accuracy")
    table.add_column("层级 / level")
    table.add_column("准确率 / accuracy")
    for key, value in scores.items():
        table.add_row(str(key), f"{value:.1%}" if isinstance(value, float) else json.dumps(value, ensure_ascii=False))
    context().console.print(table)


@postings_app.command("import", help=bilingual("招聘数据 → 解析、去重、分类、汇总为需求",
                                               "Postings → parsed, deduplicated, classified, aggregated demand"))
def postings_import(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=".csv / .xlsx / .jsonl / .parquet")],
    preset: Annotated[
        str, typer.Option(help=bilingual("列映射预设：`liepin`、`zhaopin`、`generic_zh`、`generic_en`（默认自动识别）",
                                         "Column preset: `liepin`, `zhaopin`, `generic_zh`, `generic_en` (default: detected)"))
    ] = "",
    column: Annotated[str, typer.Option("--column", help=bilingual(
        "岗位名称所在列（覆盖预设）", "The column of the job titles (over the preset)"))] = "",
    engine: Annotated[str, typer.Option(help=bilingual("`local`（默认，DuckDB/Polars 分批流式）或 `spark`",
                                                       "`local` (default, DuckDB/Polars in batches) or `spark`"))] = "local",
    master: Annotated[str, typer.Option(help=bilingual("Spark 主节点地址（`--engine spark`）",
                                                       "The Spark master (`--engine spark`)"))] = "local[2]",
    out: Annotated[
        Path | None, typer.Option("--out", help=bilingual(
            "输出目录：需求汇总、复核队列、问题行，以及每条招聘记录（`records/`）",
            "Output folder: the demand, the review queue, the problem rows and every posting (`records/`)"))
    ] = None,
    records: Annotated[
        bool, typer.Option("--records/--no-records", help=bilingual(
            "使用 --out 时保存每条招聘记录（原始记录与解析结果，Parquet）",
            "With --out, keep every posting (raw and parsed, Parquet)"))
    ] = True,
    load: Annotated[bool, typer.Option("--load/--no-load", help=bilingual(
        "把需求汇总载入数据库（来源 `posting`）", "Load the demand into the database (source `posting`)"))] = False,
    use_confirmed: Annotated[
        bool, typer.Option("--confirmed/--no-confirmed", help=CONFIRMED_HELP)
    ] = True,
    as_json: JsonOut = False,
) -> None:
    from silian.services.postings.importing import PostingsImport, checked_engine, import_postings

    ctx = context()
    job = PostingsImport(file=file, preset=preset or None, title_column=column or None,
                         engine=checked_engine(engine), master=master,
                         out=out, keep_records=records, load=load, confirmed=_confirmed(use_confirmed))
    database = ctx.database() if load else None
    if engine == "spark":
        result, summary = import_postings(job, settings=ctx.settings, database=database)
    else:
        with ctx.busy("postings"):
            result, summary = import_postings(job, settings=ctx.settings, database=database)
    if as_json:
        ctx.print_json(summary)
        return
    console = ctx.console
    console.print(t("cli_postings_done", rows=result.rows, postings=result.postings, records=result.aggregates.height,
                    seconds=result.seconds.get("total", 0.0), engine=result.engine))
    if result.review_postings:
        console.print(t("cli_postings_review", n=result.review_postings,
                        path=(out / "review_queue.csv") if out else "--out"))
        if out is not None:
            console.print(t("cli_review_hint", path=out / "review_queue.csv"))
    for reason, n in result.problems_by_reason.items():
        console.print(f"  • {reason}: {n:,}")
    if "loaded" in summary:
        console.print(t("cli_postings_loaded", n=summary["loaded"]))
        for note in summary.get("notes", []):
            console.print(f"  • {note}")


@postings_app.command("confirm", help=bilingual("保存人工确认的岗位名称（复核队列的答案）",
                                                "Store the titles a reviewer confirmed (the review queue's answers)"))
def postings_confirm(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        "填好 `confirmed_code` 列的复核队列（.csv / .xlsx）",
        "The review queue with its `confirmed_code` column filled in (.csv / .xlsx)"))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=bilingual("只检查，不保存", "Check only, store nothing"))] = False,
    as_json: JsonOut = False,
) -> None:
    from silian.services.postings.classifier import code_names
    from silian.services.postings.confirmed_titles import confirmed_location, read_reviewed, save_confirmed
    from silian.services.postings.state import state_database
    reviewed = read_reviewed(file, code_names())
    db = state_database(context().settings, write=not dry_run)
    counts = save_confirmed(db, reviewed, source=file.name, dry_run=dry_run)
    if as_json:
        context().print_json({"ok": True, "dry_run": dry_run, "path": confirmed_location(db), **counts.as_dict()})
        return
    done = t("cli_confirm_done", path=confirmed_location(db), **counts.as_dict())  # type: ignore[arg-type]
    context().console.print(done + (" " + t("cli_confirm_dry") if dry_run else ""))


@postings_app.command("confirmed", help=bilingual("列出人工确认的岗位名称", "List the titles a reviewer confirmed"))
def postings_confirmed(
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual("导出为 CSV", "Export as CSV"))] = None,
    as_json: JsonOut = False,
) -> None:
    from silian.services.postings.classifier import code_names
    from silian.services.postings.confirmed_titles import confirmed_table
    from silian.services.postings.state import state_database
    from silian.services.presentation.export import inert_frame
    table = confirmed_table(state_database(context().settings), code_names())
    if output is not None:
        inert_frame(table).write_csv(output, include_bom=True)
    if as_json:
        context().print_json(table.to_dicts())
        return
    listing = Table(title=f"人工确认的岗位名称 / confirmed titles: {table.height:,}")
    for column in ("title", "occupation_code", "occupation_name", "confirmed_at", "source"):
        listing.add_column(column)
    for row in table.head(50).iter_rows(named=True):
        listing.add_row(*(str(row[c] or "") for c in ("title", "occupation_code", "occupation_name", "confirmed_at", "source")))
    context().console.print(listing)
