"""`silian plan`: next year's enrolment plan by school × major (the optimiser)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.services.planning.enrolment_plan import EnrolmentPlan

register_messages(
    {
        "cli_plan_title": ("{region} {year} 年招生计划（{status}）", "{region} enrolment plan for {year} ({status})"),
        "cli_plan_effect": (
            "预测效果（稳态）：缺口 Σ|gap| {gap_now:,.0f} → {gap_plan:,.0f}；专业类错配指数 {duncan_now:.3f} → {duncan_plan:.3f}",
            (
                "Predicted effect (steady state): Σ|gap| {gap_now:,.0f} → {gap_plan:,.0"
                "f}; class mismatch (Duncan) {duncan_now:.3f} → {duncan_plan:.3f}"
            ),
        ),
        "cli_plan_coupling": (
            "四链耦合协调度 D {now:.4f} → {plan:.4f}",
            "Four-chain coupling D {now:.4f} → {plan:.4f}",
        ),
        "cli_plan_scenario": (
            "  {name}：需求 {demand:,.0f}，缺口 Σ|gap| {now:,.0f} → {plan:,.0f}",
            "  {name}: demand {demand:,.0f}, Σ|gap| {now:,.0f} → {plan:,.0f}",
        ),
        "cli_plan_scenario_low": ("低情景（预测区间下限）", "low (interval lower bound)"),
        "cli_plan_scenario_point": ("中情景（点预测）", "point forecast"),
        "cli_plan_scenario_high": ("高情景（预测区间上限）", "high (interval upper bound)"),
        "cli_plan_written": ("招生计划已写入：{path}", "Plan written: {path}"),
        "cli_plan_suffix": ("请用 .xlsx 文件名：{path}", "Use an .xlsx file name: {path}"),
    }
)


@app.command("plan", help=bilingual("下一年招生计划优化（学校 × 专业）", "Next year's enrolment plan by school × major"))
def plan(region: Annotated[str, typer.Option("--region", help=bilingual(
             "地区名称或代码（默认：学校最多的城市）", "Region name or code (default: the city with the most schools)"))] = "",
         year: Annotated[int, typer.Option("--year", help=bilingual(
             "基准年份（计划下一年；默认最新）", "Base year (the plan is for the next; default: the latest)"))] = 0,
         max_change: Annotated[float, typer.Option("--max-change", help=bilingual(
             "每个专业点每年最大调整幅度", "Largest change of one school's major per year (a share)"))] = 0.2,
         min_cohort: Annotated[float, typer.Option("--min-cohort", help=bilingual(
             "最小班额（人），低于则停招", "Smallest class (students); below it the major stops enrolling"))] = 30,
         as_json: Annotated[bool, typer.Option("--json", help=bilingual("输出全部结果（JSON）", "Print every result (JSON)"))] = False,
         output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual(
             "写出 plan.xlsx", "Write the plan to an .xlsx file"))] = None) -> None:
    from silian.domain.errors import InvalidInput
    from silian.reports.plan_workbook import write_plan_xlsx
    from silian.services.planning.enrolment_plan import (
        PlanOptions,
        infeasible_text,
        plan_enrolment,
        plan_summary,
    )

    ctx = context()
    if output is not None and output.suffix.lower() != ".xlsx":
        raise InvalidInput(t("cli_plan_suffix", path=output))
    if not 0 <= max_change <= 10 or min_cohort < 0:
        raise InvalidInput(f"--max-change {max_change} / --min-cohort {min_cohort}")
    options = PlanOptions(max_change=max_change, min_cohort=min_cohort)
    with ctx.busy("solving"):
        result = plan_enrolment(ctx.database(), settings=ctx.settings, region=region or None, year=year or None,
                                options=options)
    if as_json:
        ctx.print_json(plan_summary(result))
    else:
        _print_plan(result)
    if not result.result.feasible:
        ctx.err_console.print(infeasible_text(result.result) if result.result.diagnosis else result.status)
        raise typer.Exit(2)
    if output is not None:
        write_plan_xlsx(result, output)
        ctx.err_console.print(t("cli_plan_written", path=output))


def _print_plan(plan: EnrolmentPlan) -> None:
    console = context().console
    console.print(f"[bold]{t('cli_plan_title', region=plan.region_name, year=plan.plan_year, status=plan.status)}[/bold]")
    if plan.plan.height:
        table = Table()
        for column in ("学校 / school", "专业 / major", "今年", "计划", "变化", "原因 / reason"):
            table.add_column(column, overflow="fold")
        for r in plan.changes.sort("change").iter_rows(named=True):
            table.add_row(r["school_name"], r["major_name"] or r["major_code"], f"{r['current']:,.0f}",
                          f"{r['planned']:,.0f}", f"{r['change']:+,.0f}", r["reason"])
        console.print(table)
        effect = plan.effect
        console.print(t("cli_plan_effect", gap_now=effect["gap_abs_now"], gap_plan=effect["gap_abs_plan"],
                        duncan_now=effect["duncan_now"], duncan_plan=effect["duncan_plan"]))
        if "coupling_D_now" in effect:
            console.print(t("cli_plan_coupling", now=effect["coupling_D_now"], plan=effect["coupling_D_plan"]))
        for sc in effect.get("scenarios", []):
            console.print(t("cli_plan_scenario", name=t(f"cli_plan_scenario_{sc['scenario']}"), demand=sc["demand"],
                            now=sc["gap_abs_now"], plan=sc["gap_abs_plan"]))
    for note in plan.notes:
        console.print(f"  • {note}")
