"""CLI commands for job postings: `silian classify`, `silian classify evaluate`, `silian postings import`,
`silian postings confirm` and `silian postings confirmed`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from silian.domain.messages import register_messages, t
from silian.settings import Settings
from silian.storage.database import Database

register_messages({
    "cli_postings_done": ("{rows:,} 行 → 去重后 {postings:,} 条招聘 → {records:,} 条需求记录（{seconds:.1f} 秒，引擎 {engine}）",
                          "{rows:,} rows → {postings:,} postings after removing reposts → {records:,} demand records ({seconds:.1f} s, {engine} engine)"),
    "cli_postings_review": ("{n:,} 条招聘的岗位名称置信度低，进入人工复核队列（未计入需求）：{path}",
                            "{n:,} postings have low-confidence titles and wait for review (not counted): {path}"),
    "cli_postings_loaded": ("已载入数据库需求表（来源 posting）：{n:,} 行", "Loaded into the hub's demand table (source posting): {n:,} rows"),
    "cli_classified": ("已分类 {n:,} 个岗位名称 → {path}", "Classified {n:,} titles → {path}"),
    "cli_confirmed_used": ("已应用 {n:,} 个人工确认的岗位名称（{path}）", "Applied {n:,} titles confirmed by a reviewer ({path})"),
    "cli_review_hint": ("在 confirmed_code 列填写能确定的职业代码，然后运行：silian postings confirm {path}",
                        "Fill in confirmed_code for the titles you can decide, then run: silian postings confirm {path}"),
    "cli_confirm_done": ("已确认岗位名称：新增 {added:,}，改动 {changed:,}，不变 {unchanged:,}，未填写 {undecided:,}；共 {total:,} 个（{path}）",
                         "Confirmed titles: {added:,} added, {changed:,} changed, {unchanged:,} unchanged, {undecided:,} left empty; {total:,} in all ({path})"),
    "cli_confirm_dry": ("（试运行：未保存）", "(dry run: nothing saved)"),
})


def register(app: typer.Typer, console: Console, err_console: Console, database: Callable[[], Database],
             settings: Callable[[], Settings], print_json: Callable[[object], None]) -> None:
    """Add `classify` (FILE or `evaluate`) and `postings import` to ``app``."""
    postings_app = typer.Typer(no_args_is_help=True, help="招聘数据 / job postings")
    app.add_typer(postings_app, name="postings")

    @app.command("classify")
    def classify(target: Annotated[str, typer.Argument(help="CSV 文件（UTF-8、UTF-8-BOM、GBK），或 evaluate（交叉验证）")],
                 column: Annotated[str, typer.Option("--column", help="岗位名称所在列")] = "job_name",
                 output: Annotated[Path | None, typer.Option("-o", "--output", help="输出 CSV")] = None,
                 top_k: Annotated[int, typer.Option("--top-k", help="同时输出前 N 个候选")] = 1,
                 folds: Annotated[int, typer.Option(help="evaluate：交叉验证折数")] = 5,
                 as_json: Annotated[bool, typer.Option("--json", help="evaluate：输出 JSON")] = False,
                 use_confirmed: Annotated[bool, typer.Option("--confirmed/--no-confirmed",
                                                             help="采用人工确认的岗位名称（silian postings confirm）")] = True) -> None:
        """岗位名称 → 职业分类大典细类：`silian classify FILE.csv --column job_name -o OUT.csv [--top-k N]`；
        `silian classify evaluate` 打印交叉验证准确率 / job titles → occupations; `evaluate` prints CV accuracy."""
        if target == "evaluate":
            _evaluate(folds, as_json)
            return
        from silian.services.classify import classify_csv
        if output is None:
            raise typer.BadParameter("-o OUT.csv is required")
        confirmed = _confirmed(use_confirmed)
        n = classify_csv(Path(target), column=column, output=output, top_k=top_k, confirmed=confirmed)
        err_console.print(t("cli_classified", n=n, path=output))

    def _confirmed(use: bool) -> dict[str, str]:
        from silian.services.classify import code_names
        from silian.services.confirmed_titles import confirmed_path, load_confirmed
        if not use:
            return {}
        confirmed = load_confirmed(settings().data_dir, code_names())
        if confirmed:
            err_console.print(t("cli_confirmed_used", n=len(confirmed), path=confirmed_path(settings().data_dir)))
        return confirmed

    def _evaluate(folds: int, as_json: bool) -> None:
        from silian.services.classify import evaluate_cv
        with err_console.status("交叉验证中… / cross-validating…", spinner="dots"):
            scores = evaluate_cv(folds=folds)
        if as_json:
            print_json(scores)
            return
        table = Table(title=f"{folds}-fold 交叉验证 / cross-validated accuracy")
        table.add_column("层级 / level")
        table.add_column("准确率 / accuracy")
        for key, value in scores.items():
            table.add_row(str(key), f"{value:.1%}" if isinstance(value, float) else json.dumps(value, ensure_ascii=False))
        console.print(table)

    @postings_app.command("import")
    def postings_import(
        file: Annotated[Path, typer.Argument(help=".csv / .xlsx / .jsonl / .parquet")],
        preset: Annotated[str, typer.Option(help="列映射预设：liepin、zhaopin、generic_zh、generic_en（默认自动识别）")] = "",
        column: Annotated[str, typer.Option("--column", help="岗位名称所在列（覆盖预设）")] = "",
        engine: Annotated[str, typer.Option(help="local（默认，DuckDB/Polars 分批流式）或 spark")] = "local",
        master: Annotated[str, typer.Option(help="Spark master（--engine spark）")] = "local[2]",
        out: Annotated[Path | None, typer.Option("--out", help="输出目录：需求汇总、复核队列、问题行，以及每条招聘记录（records/）")] = None,
        records: Annotated[bool, typer.Option("--records/--no-records", help="--out 时保存每条招聘记录（原始记录与解析结果，Parquet）")] = True,
        load: Annotated[bool, typer.Option("--load/--no-load", help="把需求汇总载入数据库（来源 posting）")] = False,
        use_confirmed: Annotated[bool, typer.Option("--confirmed/--no-confirmed",
                                                    help="采用人工确认的岗位名称（silian postings confirm）")] = True,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """招聘数据 → 解析、去重、分类、汇总为需求 / postings → parsed, deduplicated, classified, aggregated demand."""
        from silian.services.confirmed_titles import review_sheet, save_review_queue
        from silian.services.posting_records import RECORDS_DIR
        from silian.services.postings import (
            hub_region_codes,
            load_posting_demand,
            place_resolver,
            run_local,
            save_salary_summary,
        )
        db = database() if load else None
        if db is not None:
            from silian.services.imports import ensure_schema
            ensure_schema(db)
        places = place_resolver(db)
        regions = hub_region_codes(db) if db is not None else None  # salary quantiles of what is loaded
        keep = out / RECORDS_DIR if out is not None and records else None
        confirmed = _confirmed(use_confirmed)
        if engine == "spark":
            from silian.services.postings_spark import run_spark, spark_session
            result = run_spark(file, spark=spark_session(master), preset=preset or None, title_column=column or None,
                               places=places, salary_regions=regions, records=keep, confirmed=confirmed)
        else:
            with err_console.status("处理招聘数据… / processing postings…", spinner="dots"):
                result = run_local(file, preset=preset or None, title_column=column or None, places=places,
                                   salary_regions=regions, records=keep, confirmed=confirmed)
        summary = result.summary()
        if result.review_queue.height and (out is not None or load):
            from silian.services.classify import review_candidates
            result.review_queue = review_candidates(result.review_queue, confirmed=confirmed)  # the next guesses too
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            result.aggregates.write_csv(out / "posting_demand.csv", include_bom=True)
            result.salary_summary.write_csv(out / "salary_summary.csv", include_bom=True)
            review_sheet(result.review_queue).write_csv(out / "review_queue.csv", include_bom=True)
            if result.problem_samples.height:
                result.problem_samples.with_columns(result.problem_samples["problems"].list.join("; ")).write_csv(
                    out / "problem_rows.csv", include_bom=True)
        if load and db is not None:
            loaded, notes = load_posting_demand(db, result.aggregates)
            save_salary_summary(settings().data_dir, result)
            save_review_queue(settings().data_dir, result.review_queue, source=file.name)  # for the web review page
            summary["loaded"] = loaded
            summary["notes"] = notes
        if as_json:
            print_json(summary)
            return
        console.print(t("cli_postings_done", rows=result.rows, postings=result.postings, records=result.aggregates.height,
                        seconds=result.seconds.get("total", 0.0), engine=result.engine))
        if result.review_postings:
            console.print(t("cli_postings_review", n=result.review_postings, path=(out / "review_queue.csv") if out else "--out"))
            if out is not None:
                console.print(t("cli_review_hint", path=out / "review_queue.csv"))
        if result.problems_by_reason:
            for reason, n in result.problems_by_reason.items():
                console.print(f"  • {reason}: {n:,}")
        if "loaded" in summary:
            console.print(t("cli_postings_loaded", n=summary["loaded"]))
            for note in summary.get("notes", []):  # type: ignore[union-attr]
                console.print(f"  • {note}")

    @postings_app.command("confirm")
    def postings_confirm(
        file: Annotated[Path, typer.Argument(help="填好 confirmed_code 列的复核队列（.csv / .xlsx）")],
        dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不保存")] = False,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """保存人工确认的岗位名称（复核队列的答案）/ store the titles a reviewer confirmed (the review queue's answers)."""
        from silian.services.classify import code_names
        from silian.services.confirmed_titles import confirmed_path, read_reviewed, save_confirmed
        reviewed = read_reviewed(file, code_names())
        counts = save_confirmed(settings().data_dir, reviewed, source=file.name, dry_run=dry_run)
        if as_json:
            print_json({"ok": True, "dry_run": dry_run, "path": str(confirmed_path(settings().data_dir)), **counts.as_dict()})
            return
        console.print(t("cli_confirm_done", path=confirmed_path(settings().data_dir), **counts.as_dict())
                      + (" " + t("cli_confirm_dry") if dry_run else ""))

    @postings_app.command("confirmed")
    def postings_confirmed(
        output: Annotated[Path | None, typer.Option("-o", "--output", help="导出为 CSV")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """列出人工确认的岗位名称 / list the titles a reviewer confirmed."""
        from silian.services.classify import code_names
        from silian.services.confirmed_titles import confirmed_table
        table = confirmed_table(settings().data_dir, code_names())
        if output is not None:
            table.write_csv(output, include_bom=True)
        if as_json:
            print_json(table.to_dicts())
            return
        listing = Table(title=f"人工确认的岗位名称 / confirmed titles: {table.height:,}")
        for column in ("title", "occupation_code", "occupation_name", "confirmed_at", "source"):
            listing.add_column(column)
        for row in table.head(50).iter_rows(named=True):
            listing.add_row(*(str(row[c] or "") for c in ("title", "occupation_code", "occupation_name", "confirmed_at", "source")))
        console.print(listing)
