"""The analytics engine from the command line: `silian analyze | report | indicators | coupling`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.domain.indicators import Benchmark
    from silian.services.analysis import AnalysisBundle

register_messages({
    "cli_report_written": ("报告已写入：{path}（{seconds:.1f} 秒）", "Report written: {path} ({seconds:.1f} s)"),
    "cli_generated_note": ("【注意】分析使用了演示生成数据：{tables}", "[Note] the analysis uses generated demo data: {tables}"),
    "cli_indicators_ok": ("指标体系有效：{n} 个指标（{source}）", "The indicator system is valid: {n} indicators ({source})"),
    "cli_rebase_changes": ("已写出 {path}；基准的变化：", "Written {path}; what changed:"),
    "cli_rebase_effect": ("对城市耦合协调度 D 的影响（按年份）", "Effect on the city's coordination D by year"),
    "cli_rebase_use": (
        "新基准尚未生效：确认后设置 SILIAN_INDICATORS_FILE={path} 启用",
        "The new benchmarks are not in force yet: set SILIAN_INDICATORS_FILE={path} to use them",
    ),
})

RegionOpt = Annotated[str, typer.Option("--region", help=bilingual(
    "地区名称或代码，如 郑州 或 410100（默认：学校最多的城市）",
    "Region name or code, e.g. 郑州 or 410100 (default: the city with the most schools)"))]
YearOpt = Annotated[int, typer.Option("--year", help=bilingual("分析年份（默认：最新年份）", "Year to analyse (default: the latest)"))]


JsonAll = Annotated[bool, typer.Option("--json", help=bilingual("输出全部结果（JSON）", "Print every result (JSON)"))]
JsonOut = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]


def _analysis(region: str, year: int) -> AnalysisBundle:
    from silian.domain.errors import InvalidInput, NotFound
    from silian.services.analysis import run_analysis

    ctx = context()
    try:
        with ctx.busy("analysing"):
            return run_analysis(ctx.database(), settings=ctx.settings, region=region or None, year=year or None)
    except NotFound as exc:  # an unknown --region or --year is a bad option value: exit 2, as docs/cli.md says
        raise InvalidInput(exc.message) from None


@app.command("analyze", help=bilingual("四链耦合、四大诊断与预测", "Four-chain coupling, the four diagnoses and forecasts"))
def analyze(region: RegionOpt = "", year: YearOpt = 0, as_json: JsonAll = False) -> None:
    from silian.services.presentation import bundle_summary

    bundle = _analysis(region, year)
    if as_json:
        context().print_json(bundle_summary(bundle))
        return
    _print_bundle(bundle)


@app.command("report", help=bilingual("分析报告：HTML（交互图表）或 PDF", "The analysis report as HTML (interactive charts) or PDF"))
def report(output: Annotated[Path, typer.Option("-o", "--output", help=bilingual(
               "输出文件：report.html 或 report.pdf", "Output file: report.html or report.pdf"))],
           region: RegionOpt = "", year: YearOpt = 0) -> None:
    from silian.reports.report import write_report

    ctx = context()
    bundle = _analysis(region, year)
    started = time.perf_counter()
    with ctx.busy("rendering"):
        path = write_report(bundle, output)
    ctx.console.print(t("cli_report_written", path=path, seconds=time.perf_counter() - started))
    if bundle.generated_tables:
        ctx.err_console.print(t("cli_generated_note", tables="、".join(bundle.generated_tables)))


INDICATORS_HELP = bilingual("四链指标体系与基准（当前生效的，或 --check 检查的文件）",
                            "The indicator system and its benchmarks (the one in force, or a file to --check)")
indicators_app = typer.Typer(invoke_without_command=True, help=INDICATORS_HELP)
app.add_typer(indicators_app, name="indicators")


@indicators_app.callback()
def indicators(ctx: typer.Context,
               check: Annotated[Path | None, typer.Option("--check", help=bilingual(
                   "检查自定义指标体系文件（TOML）", "Check a custom indicator system file (TOML)"))] = None,
               as_json: JsonOut = False) -> None:
    """The indicator system in force, or check a file."""
    if ctx.invoked_subcommand is not None:
        return
    from silian.services.config import indicator_system

    cli = context()
    chosen = cli.settings.model_copy(update={"indicators_file": check}) if check else cli.settings
    system = indicator_system(chosen)
    if as_json:
        cli.print_json({"source": system.source, "release": system.release, "weights": system.weight_scheme,
                        "key_industries": system.key_industries,
                        "indicators": [{"key": i.key, "chain": i.chain, "name": i.name_zh, "name_en": i.name_en,
                                        "unit": i.unit, "direction": i.direction, "formula": i.formula.text,
                                        "levels": list(i.levels), "benchmark": _benchmark_json(i.benchmark),
                                        "level_benchmarks": {lv: _benchmark_json(b) for lv, b in i.level_benchmarks}}
                                       for i in system.indicators]})
        return
    table = Table(title=t("cli_indicators_ok", n=len(system.indicators), source=system.source))
    for column in ("链 / chain", "代码 / key", "指标 / name", "单位", "方向", "下限 / floor", "目标 / target", "公式 / formula"):
        table.add_column(column, overflow="fold")
    for i in system.indicators:
        mark = i.benchmark
        table.add_row(i.chain, i.key, i.name_zh, i.unit, i.direction, f"{mark.floor:g}" if mark else "—",
                      f"{mark.target:g}" if mark else "—", i.formula.text)
    cli.console.print(table)


def _benchmark_json(mark: Benchmark | None) -> dict[str, object] | None:
    if mark is None:
        return None
    return {"floor": mark.floor, "target": mark.target, "kind": mark.kind, "source": mark.source,
            "derivation": mark.derivation}


@indicators_app.command("rebase", help=bilingual("重设基准：写出新版本的指标体系文件并说明改了什么",
                                                 "Re-base the benchmarks into a new file and say what changed"))
def indicators_rebase(
    release: Annotated[str, typer.Option("--release", help=bilingual(
        "新的基准版本号，如 2027.1（必须与当前版本不同）", "The new release label, e.g. 2027.1 (not the current one)"))],
    output: Annotated[Path, typer.Option("-o", "--output", help=bilingual(
        "写出的新指标体系文件（TOML）", "The new indicator system file to write (TOML)"))],
    sets: Annotated[list[str] | None, typer.Option("--set", help=bilingual(
        "指标代码.字段=值，字段为 `floor`、`target`、`kind`、`source`、`derivation`；可重复",
        "KEY.FIELD=VALUE, FIELD one of `floor`, `target`, `kind`, `source`, `derivation`; repeatable"))] = None,
    region: RegionOpt = "",
    force: Annotated[bool, typer.Option("--force", help=bilingual(
        "覆盖已存在的输出文件", "Overwrite an existing output file"))] = False,
    as_json: JsonOut = False,
) -> None:
    from silian.services import benchmarks
    from silian.services.analysis import resolve_region
    from silian.services.config import analysis_config, indicator_system
    from silian.services.hub import load_hub

    cli = context()
    text, source = benchmarks.current_text(cli.settings.indicators_file)
    result = benchmarks.rebase(text, sets or [], release, source)
    benchmarks.write(result, output, force=force)
    effect = None
    db = cli.database()
    if db.is_current():
        hub = load_hub(db)
        if hub["major_points"].height:
            code, _ = resolve_region(hub, region or None)
            effect = benchmarks.effect_on_d(hub, indicator_system(cli.settings), result.system, code,
                                            analysis_config(cli.settings).section("coupling"))
    if as_json:
        cli.print_json({"output": str(output), "release": release, "changes": result.changes.to_dicts(),
                        "effect": effect.to_dicts() if effect is not None else []})
        return
    _print_rebase(result.changes, effect, output)


def _print_rebase(changes: Any, effect: Any, output: Path) -> None:
    console = context().console
    table = Table(title=t("cli_rebase_changes", path=output))
    for column in ("指标 / indicator", "层级 / level", "字段 / field", "原值 / old", "新值 / new"):
        table.add_column(column, overflow="fold")
    for r in changes.iter_rows(named=True):
        table.add_row(r["name"], r["level"] or "—", r["field"], r["old"], r["new"])
    console.print(table)
    if changes.height <= 1:
        console.print(t("rebase_nothing"))
    if effect is not None and effect.height:
        d = Table(title=t("cli_rebase_effect"))
        for column in ("年份", "D（原基准）", "D（新基准）", "变化"):
            d.add_column(column)
        for r in effect.iter_rows(named=True):
            d.add_row(str(r["year"]), *(f"{r[k]:.2f}" if r[k] is not None else "—" for k in ("D_old", "D_new")),
                      f"{r['change']:+.3f}" if r["change"] is not None else "—")
        console.print(d)
    console.print(t("cli_rebase_use", path=output))


@app.command("coupling", help=bilingual("CSV 文件每一行的耦合协调度 C、T、D 与协调等级",
                                        "Coupling coordination degree C, T, D and level of every row of a CSV file"))
def coupling(
    file: Annotated[Path, typer.Argument(metavar=bilingual("文件", "FILE"), help=bilingual(
        ".csv：`id` 列 + 每个子系统一列 0–1 得分（UTF-8、UTF-8-BOM、GBK）",
        ".csv: an `id` column and one 0–1 score column per subsystem (UTF-8, UTF-8-BOM, GBK)"))],
    method: Annotated[str, typer.Option("--method", help=bilingual(
        "`wang`（默认，王淑佳等 2021）、`classic` 或 `fan`", "`wang` (default, Wang Shujia et al. 2021), `classic` or `fan`"))] = "wang",
    weights: Annotated[str, typer.Option("--weights", help=bilingual(
        "各子系统权重，按列顺序、逗号分隔、合计为 1，如 0.4,0.3,0.3",
        "Subsystem weights in column order, comma-separated, summing to 1, e.g. 0.4,0.3,0.3"))] = "",
    as_json: JsonOut = False,
) -> None:
    from silian.services.coupling_file import coupling_from_file, parse_weights

    rows = coupling_from_file(file, method=method, weights=parse_weights(weights))
    if as_json:
        context().print_json(rows)
        return
    table = Table(title=f"耦合协调度 / coupling coordination ({method})")
    for column in ("id", "C", "T", "D", "协调等级 / level"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), *(f"{row[k]:.4f}" for k in ("C", "T", "D")), str(row["level"]))
    context().console.print(table)


def _print_bundle(bundle: AnalysisBundle) -> None:
    from silian.services import presentation as present

    console = context().console
    scores = bundle.city.scores
    table = Table(title=f"{bundle.region_name} 四链耦合协调度 / four-chain coupling ({bundle.city.method})")
    for column in ("年份", "U 教育", "U 人才", "U 产业", "U 创新", "C", "T", "D", "D 区间 / band", "等级 / level",
                   "滞后 / lag"):
        table.add_column(column)
    for r in scores.iter_rows(named=True):
        table.add_row(str(r["year"]),
                      *(f"{r[k]:.2f}" for k in ("U_education", "U_talent", "U_industry", "U_innovation", "C", "T", "D")),
                      f"{r['D_low']:.2f}–{r['D_high']:.2f}", r["level"], r["lag"])
    console.print(table)
    for title, findings in (("供需链难畅", bundle.supply_demand.findings), ("断头路", bundle.pathways.findings),
                            ("散缺小", bundle.schools.findings), ("大工匠难育", bundle.skills.findings),
                            ("说明 / notes", present.method_notes(bundle.city) + bundle.notes)):
        console.print(f"[bold]{title}[/bold]")
        for line in findings:
            console.print(f"  • {line}")
    if bundle.generated_tables:
        console.print(f"[bold yellow]{t('cli_generated_note', tables='、'.join(bundle.generated_tables))}[/bold yellow]")
