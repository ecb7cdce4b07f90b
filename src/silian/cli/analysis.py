"""The analytics engine from the command line: `silian analyze | report | indicators | coupling`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.root import app
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.services.analysis import AnalysisBundle

register_messages({
    "cli_report_written": ("报告已写入：{path}（{seconds:.1f} 秒）", "Report written: {path} ({seconds:.1f} s)"),
    "cli_generated_note": ("【注意】分析使用了演示生成数据：{tables}", "[Note] the analysis uses generated demo data: {tables}"),
    "cli_indicators_ok": ("指标体系有效：{n} 个指标（{source}）", "The indicator system is valid: {n} indicators ({source})"),
})

RegionOpt = Annotated[str, typer.Option("--region", help="地区名称或代码，如 郑州 或 410100（默认：学校最多的城市）")]
YearOpt = Annotated[int, typer.Option("--year", help="分析年份（默认：最新年份）")]


def _analysis(region: str, year: int) -> AnalysisBundle:
    from silian.services.analysis import run_analysis

    ctx = context()
    with ctx.err_console.status("分析中… / analysing…", spinner="dots"):
        return run_analysis(ctx.database(), settings=ctx.settings, region=region or None, year=year or None)


@app.command("analyze")
def analyze(region: RegionOpt = "", year: YearOpt = 0,
            as_json: Annotated[bool, typer.Option("--json", help="输出全部结果（JSON）")] = False) -> None:
    """四链耦合、四大诊断与预测 / four-chain coupling, the four diagnoses and forecasts."""
    from silian.services.presentation import bundle_summary

    bundle = _analysis(region, year)
    if as_json:
        context().print_json(bundle_summary(bundle))
        return
    _print_bundle(bundle)


@app.command("report")
def report(output: Annotated[Path, typer.Option("-o", "--output", help="report.html 或 report.pdf")],
           region: RegionOpt = "", year: YearOpt = 0) -> None:
    """分析报告（HTML 或 PDF）/ the analysis report as HTML (interactive charts) or PDF."""
    from silian.reports.report import write_report

    ctx = context()
    bundle = _analysis(region, year)
    started = time.perf_counter()
    with ctx.err_console.status("生成报告… / rendering…", spinner="dots"):
        path = write_report(bundle, output)
    ctx.console.print(t("cli_report_written", path=path, seconds=time.perf_counter() - started))
    if bundle.generated_tables:
        ctx.err_console.print(t("cli_generated_note", tables="、".join(bundle.generated_tables)))


@app.command("indicators")
def indicators(check: Annotated[Path | None, typer.Option("--check", help="检查自定义指标体系文件（TOML）")] = None,
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """四链指标体系（当前生效或 --check 指定的文件）/ the indicator system in force, or check a file."""
    from silian.services.config import indicator_system

    ctx = context()
    chosen = ctx.settings.model_copy(update={"indicators_file": check}) if check else ctx.settings
    system = indicator_system(chosen)
    if as_json:
        ctx.print_json({"source": system.source, "key_industries": system.key_industries,
                        "indicators": [{"key": i.key, "chain": i.chain, "name": i.name_zh, "name_en": i.name_en,
                                        "unit": i.unit, "direction": i.direction, "formula": i.formula.text,
                                        "levels": list(i.levels)} for i in system.indicators]})
        return
    table = Table(title=t("cli_indicators_ok", n=len(system.indicators), source=system.source))
    for column in ("链 / chain", "代码 / key", "指标 / name", "单位", "方向", "公式 / formula"):
        table.add_column(column, overflow="fold")
    for i in system.indicators:
        table.add_row(i.chain, i.key, i.name_zh, i.unit, i.direction, i.formula.text)
    ctx.console.print(table)


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
        context().print_json(rows)
        return
    table = Table(title=f"耦合协调度 / coupling coordination ({method})")
    for column in ("id", "C", "T", "D", "协调等级 / level"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), *(f"{row[k]:.4f}" for k in ("C", "T", "D")), str(row["level"]))
    context().console.print(table)


def _print_bundle(bundle: AnalysisBundle) -> None:
    console = context().console
    scores = bundle.city.scores
    table = Table(title=f"{bundle.region_name} 四链耦合协调度 / four-chain coupling ({bundle.city.method})")
    for column in ("年份", "U 教育", "U 人才", "U 产业", "U 创新", "C", "T", "D", "等级 / level", "滞后 / lag"):
        table.add_column(column)
    for r in scores.iter_rows(named=True):
        table.add_row(str(r["year"]),
                      *(f"{r[k]:.3f}" for k in ("U_education", "U_talent", "U_industry", "U_innovation")),
                      *(f"{r[k]:.4f}" for k in ("C", "T", "D")), r["level"], r["lag"])
    console.print(table)
    for title, findings in (("供需链难畅", bundle.supply_demand.findings), ("断头路", bundle.pathways.findings),
                            ("散缺小", bundle.schools.findings), ("大工匠难育", bundle.skills.findings),
                            ("说明 / notes", bundle.city.warnings + bundle.notes)):
        console.print(f"[bold]{title}[/bold]")
        for line in findings:
            console.print(f"  • {line}")
    if bundle.generated_tables:
        console.print(f"[bold yellow]{t('cli_generated_note', tables='、'.join(bundle.generated_tables))}[/bold yellow]")
