"""`silian recommend`: the schools and majors best placed to supply each enterprise's declared demand."""

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
    from silian.services.demand_partners import DemandPartners

SHOWN_NEEDS = 20

register_messages(
    {
        "rc_title": (
            "{year} 年企业申报需求的合作学校推荐（每项需求前 {top} 名）",
            "Partner schools for the enterprise demand declared in {year} (best {top} per need)",
        ),
        "rc_need": (
            "{enterprise} · {region} · {what} · {count} 人",
            "{enterprise} · {region} · {what} · {count} people",
        ),
        "rc_no_partner": ("（没有开设对口专业的学校）", "(no school offers a fitting major)"),
        "rc_more": (
            "…… 另有 {count:,} 项需求未显示；完整结果请用 --json 或 -o OUT.csv",
            "… {count:,} more needs not shown; use --json or -o OUT.csv for all",
        ),
        "rc_truncated": (
            "需求超过 {limit} 项，只列出人数最多的 {limit} 项；可用 --enterprise 缩小范围",
            "More than {limit} needs: only the {limit} largest are listed; narrow with --enterprise",
        ),
        "rc_generated": (
            "【注意】需求或学校数据含演示生成数据",
            "[Note] the demand or school data include generated demo data",
        ),
        "rc_written": ("结果已写入：{path}（{rows:,} 行）", "Written: {path} ({rows:,} rows)"),
        "rc_col_school": ("学校", "School"),
        "rc_col_major": ("专业", "Major"),
        "rc_col_score": ("得分", "Score"),
        "rc_col_reason": ("理由", "Reason"),
    }
)


@app.command("recommend", help=bilingual("为企业申报的需求推荐合作学校与专业",
                                         "Partner schools and majors for each enterprise's declared demand"))
def recommend(
    enterprise: Annotated[str | None, typer.Option("--enterprise", help=bilingual(
        "只看这家企业（统一社会信用代码）", "Only this enterprise (its unified social credit code)"))] = None,
    year: Annotated[int | None, typer.Option("--year", help=bilingual(
        "需求年份（默认：最近一年）", "Demand year (default: the latest)"))] = None,
    top: Annotated[int, typer.Option("--top", help=bilingual(
        "每项需求列出的学校与专业数（1–50）", "Schools and majors listed per demand (1–50)"))] = 5,
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual(
        "把全部结果写入 CSV（UTF-8 BOM）", "Write every row to a CSV file (UTF-8 with BOM)"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))] = False,
) -> None:
    from silian.domain.access import Principal
    from silian.services.demand_partners import MAX_NEEDS, demand_partners, partners_table
    from silian.services.presentation.export import inert_frame

    ctx = context()
    result = demand_partners(ctx.database(), Principal("city_admin", username="cli"), enterprise=enterprise,
                             year=year, top=top)
    if output is not None:
        table = partners_table(result)
        inert_frame(table).write_csv(output, include_bom=True)
        ctx.err_console.print(t("rc_written", path=output, rows=table.height))
    if as_json:
        ctx.print_json({"year": result.year, "weights": result.weights, "truncated": result.truncated,
                        "generated": result.generated, "note": result.note,
                        "needs": [n.as_dict() for n in result.needs]})
        return
    if result.note:
        ctx.console.print(result.note)
        return
    if result.generated:
        ctx.console.print(f"[bold yellow]{t('rc_generated')}[/bold yellow]")
    ctx.console.print(f"[bold]{t('rc_title', year=result.year, top=max(1, min(top, 50)))}[/bold]")
    _print_needs(result)
    if len(result.needs) > SHOWN_NEEDS:
        ctx.console.print(t("rc_more", count=len(result.needs) - SHOWN_NEEDS))
    if result.truncated:
        ctx.console.print(t("rc_truncated", limit=MAX_NEEDS))


def _print_needs(result: DemandPartners) -> None:
    for need in result.needs[:SHOWN_NEEDS]:
        what = " / ".join(x for x in (need.occupation_name or need.occupation_code,
                                      need.major_name or need.major_code) if x)
        table = Table(title=t("rc_need", enterprise=need.enterprise_name or need.enterprise_credit_code,
                              region=need.region_code, what=what, count=need.count), title_justify="left")
        for key in ("rc_col_school", "rc_col_major", "rc_col_score", "rc_col_reason"):
            table.add_column(t(key), overflow="fold")
        for partner in need.partners:
            table.add_row(partner.name, partner.major_name or partner.major_code or "", f"{partner.score:.2f}",
                          partner.reason)
        if not need.partners:
            table.add_row(t("rc_no_partner"), "", "", "")
        context().console.print(table)
