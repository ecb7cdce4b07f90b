"""Report sections on the four diagnoses: 断头路, 散缺小, 供需链难畅, 大工匠难育."""

from __future__ import annotations

from typing import Any

from silian.domain.messages import register_messages, t
from silian.reports.charts import Chart
from silian.reports.format import pct, source_line
from silian.services import presentation as present
from silian.services.analysis import AnalysisBundle
from silian.services.supply_demand import blend_text

register_messages(
    {
        "rp_pathways": ("诊断一：断头路（升学通道）", "Diagnosis 1: broken pathways (断头路)"),
        "rp_schools": ("诊断二：散缺小（学校办学条件）", "Diagnosis 2: scattered, lacking, small (散缺小)"),
        "rp_supply": ("诊断三：供需链难畅（专业与产业对接）", "Diagnosis 3: supply–demand mismatch (供需链难畅)"),
        "rp_skills": ("诊断四：大工匠难育（技能等级）", "Diagnosis 4: too few master craftsmen (大工匠难育)"),
        "rp_chart_funnel": (
            "升学通道：中职毕业与升学、高职专科与职业本科招生",
            "Pathways: 中职 graduates and continuation, 专科 and 本科 enrolment",
        ),
        "rp_card_rule": (
            (
                "预警规则（本系统自定，非麦可思红黄绿牌）：红牌 = 供给过剩 ≥ {rs} 且（就业率 < {re} 或对口率 < {rr}）；黄牌 = 过"
                "剩 ≥ {ys} 或对口率 < {yr} 或本地留存率 < {yt}；其余绿牌"
            ),
            (
                "Warning rule (this system's own, not MyCOS's): red = surplus ≥ {rs} an"
                "d (employment < {re} or related < {rr}); yellow = surplus ≥ {ys} or re"
                "lated < {yr} or retention < {yt}; else green"
            ),
        ),
        "rp_school_standards_file": (
            "学校标准阈值（{version} 版，各项条款与来源见“标准阈值及来源”表）",
            "school standard thresholds (version {version}; articles and sources in 'Thresholds and their sources')",
        ),
        "rp_chart_skills": ("技能等级：需求占比与证书供给占比", "Skill levels: share of demand and of certificates"),
    }
)
CROSSWALKS = "rp_catalog_crosswalks"
HEATMAP_ROWS = 12


def pathways(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    funnel = present.funnel_table(bundle)
    chart = Chart("funnel", "line", t("rp_chart_funnel"), funnel.shown("year"), funnel.series(*present.FUNNEL_SERIES))
    return Section("pathways", t("rp_pathways"), bundle.pathways.findings, [chart], [Table.of(present.dead_ends_table(bundle))],
                   source_line(["major_points", "institutions"], bundle.generated_tables, t("rp_catalog_continuations")))


def schools(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    fails = present.school_fails_table(bundle)
    chart = Chart("school_fails", "bar", fails.title, fails.shown("check"), fails.series("schools"), value_format=",.0f")
    tables = [Table.of(present.standards_table(bundle)), Table.of(present.simulations_table(bundle)),
              Table.of(present.noncompliant_table(bundle)), Table.of(present.small_cohorts_table(bundle)),
              Table.of(present.standard_items_table(bundle).without("copies"))]  # addresses: dashboard, JSON, method card
    standards = bundle.schools.standards
    version = standards.version if standards else ""
    return Section("schools", t("rp_schools"), [present.compliance_headline(bundle), *bundle.schools.findings], [chart], tables,
                   source_line(["institutions", "institution_resources", "major_points"], bundle.generated_tables,
                               t("rp_school_standards_file", version=version)))


def supply_demand(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    sd = bundle.supply_demand
    classes = present.class_gaps_table(bundle)
    labels = [f"{name}（{level}）" for name, level in zip(classes.shown("class_name"), classes.shown("level_key"), strict=True)]
    charts = [Chart("class_gap", "bar", classes.title, labels, classes.series("gap"), horizontal=True, value_format=",.0f")]
    cells = present.gap_cells_table(bundle)
    if cells.rows:
        _codes, rows, chains, values = present.heatmap(cells, HEATMAP_ROWS)
        charts.append(Chart("gap_heatmap", "heatmap", cells.title, chains, rows=rows, values=values, value_format=",.0f"))
    mismatch = present.mismatch_table(bundle)
    if mismatch.rows:
        charts.append(Chart("mismatch", "line", mismatch.title, mismatch.shown("year"), mismatch.series("duncan", "sahin"),
                            y_range=(0.0, 1.0)))
    tables = [Table.of(present.grow_table(bundle)), Table.of(present.cut_table(bundle)), Table.of(present.chain_gaps_table(bundle))]
    if sd.no_data.height:
        tables.append(Table.of(present.no_data_table(bundle)))
    return Section("supply_demand", t("rp_supply"), [*sd.findings, _card_rule(bundle)], charts, tables,
                   source_line(["major_points", "demand"], bundle.generated_tables, t(CROSSWALKS)) + f"；{blend_text(sd.blend)}")


def _card_rule(bundle: AnalysisBundle) -> str:
    from silian.services.config import analysis_config
    w = analysis_config().section("warning")
    return t("rp_card_rule", rs=pct(-w["red_surplus"], 0), re=pct(w["red_employment"], 0), rr=pct(w["red_related"], 0),
             ys=pct(-w["yellow_surplus"], 0), yr=pct(w["yellow_related"], 0), yt=pct(w["yellow_retention"], 0))


def skills(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    balance = present.skills_table(bundle)
    graded = [i for i, level in enumerate(balance.values("skill_level")) if level != "不限"]
    shares = balance.series("demand_share", "supply_share")
    chart = Chart("skills", "bar", t("rp_chart_skills"), [balance.shown("skill_level")[i] for i in graded],
                  {name: [values[i] for i in graded] for name, values in shares.items()}, value_format=".0%")
    return Section(
        "skills",
        t("rp_skills"),
        bundle.skills.findings,
        [chart],
        [Table.of(balance), Table.of(present.skill_trend_table(bundle))],
        source_line(["demand", "major_points"], bundle.generated_tables),
    )
