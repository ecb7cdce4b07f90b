"""Report sections on the four diagnoses: 断头路, 散缺小, 供需链难畅, 大工匠难育."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.domain.messages import register_messages, t
from silian.reports.charts import Chart
from silian.reports.format import num, pct, source_line, whole
from silian.services.analysis import AnalysisBundle
from silian.services.supply_demand import blend_text

register_messages({
    "rp_pathways": ("诊断一：断头路（升学通道）", "Diagnosis 1: broken pathways (断头路)"),
    "rp_schools": ("诊断二：散缺小（学校办学条件）", "Diagnosis 2: scattered, lacking, small (散缺小)"),
    "rp_supply": ("诊断三：供需链难畅（专业与产业对接）", "Diagnosis 3: supply–demand mismatch (供需链难畅)"),
    "rp_skills": ("诊断四：大工匠难育（技能等级）", "Diagnosis 4: too few master craftsmen (大工匠难育)"),
    "rp_chart_funnel": ("升学通道：中职毕业与升学、高职专科与职业本科招生", "Pathways: 中职 graduates and continuation, 专科 and 本科 enrolment"),
    "rp_dead_ends": ("断头路专业（本地无接续高职专科专业）", "Dead-end majors (no local 专科 continuation)"),
    "rp_chart_fails": ("各项标准不达标学校数", "Schools failing each standard"),
    "rp_noncompliant": ("未全部达标的学校", "Schools not meeting every standard"),
    "rp_small": ("重复开设的小规模专业", "Duplicated small cohorts"),
    "rp_simulation": ("整合模拟", "Consolidation simulations"),
    "rp_chart_class_gap": ("专业类供需缺口（人，正为缺口、负为过剩）", "Gap by major class (positive: shortage, negative: surplus)"),
    "rp_chart_heat": ("专业类 × 重点产业链 供需缺口（人）", "Gap by major class × key industry chain"),
    "rp_chart_mismatch": ("错配指数趋势", "Mismatch indices over time"),
    "rp_grow": ("建议扩大规模的专业", "Majors to grow"),
    "rp_cut": ("建议压减或调整的专业（红牌）", "Majors to cut or reshape (red cards)"),
    "rp_chains_gap": ("重点产业链供需", "Key industry chains"),
    "rp_card_rule": ("预警规则（本系统自定，非麦可思红黄绿牌）：红牌 = 供给过剩 ≥ {rs} 且（就业率 < {re} 或对口率 < {rr}）；黄牌 = 过剩 ≥ {ys} 或对口率 < {yr} 或本地留存率 < {yt}；其余绿牌",
                     "Warning rule (this system's own, not MyCOS's): red = surplus ≥ {rs} and (employment < {re} or related < {rr}); yellow = surplus ≥ {ys} or related < {yr} or retention < {yt}; else green"),
    "rp_chart_skills": ("技能等级：需求占比与证书供给占比", "Skill levels: share of demand and of certificates"),
    "h_major": ("专业", "Major"), "h_code": ("代码", "Code"), "h_level_short": ("层次", "Level"), "h_supply": ("供给（人/年）", "Supply / yr"),
    "h_demand": ("需求（人/年）", "Demand / yr"), "h_gap": ("缺口", "Gap"), "h_gap_ratio": ("缺口率", "Gap ratio"),
    "h_related": ("对口率", "Related"), "h_employed": ("就业率", "Employment"), "h_card": ("预警", "Card"),
    "h_graduates": ("毕业生", "Graduates"), "h_continuing": ("升学人数", "Continuing"), "h_missing": ("缺少学位", "Seats missing"),
    "h_targets": ("应接续的专科专业", "Continuation majors"), "h_school": ("学校", "School"), "h_students": ("在校生", "Students"),
    "h_failed": ("不达标项", "Failed"), "h_schools": ("学校数", "Schools"), "h_enrolment": ("招生", "Enrolment"),
    "h_plan": ("方案", "Plan"), "h_before": ("整合前达标", "Compliant before"), "h_after": ("整合后达标", "Compliant after"),
    "h_share_before": ("达标校在校生占比（前）", "Students in compliant schools (before)"),
    "h_share_after": ("达标校在校生占比（后）", "Students in compliant schools (after)"),
    "h_skill": ("技能等级", "Skill level"), "h_demand_share": ("需求占比", "Demand share"), "h_supply_share": ("证书占比", "Certificate share"),
    "h_certificates": ("证书数", "Certificates"), "h_high_demand": ("高技能需求占比", "High-skill demand share"),
    "h_high_supply": ("高技能证书占比", "High-skill certificate share"),
    "card_red": ("红牌", "red"), "card_yellow": ("黄牌", "yellow"), "card_green": ("绿牌", "green"),
    "level_secondary": ("中职", "secondary"), "level_associate": ("专科", "associate"), "level_bachelor": ("本科", "bachelor"),
})
CROSSWALKS = "rp_catalog_crosswalks"


def _level(key: object) -> str:
    return t(f"level_{key}") if key in ("secondary", "associate", "bachelor") else str(key or "")


def pathways(b: AnalysisBundle, Table: Any, Section: Any) -> Any:
    p = b.pathways
    f = p.funnel
    chart = Chart("funnel", "line", t("rp_chart_funnel"), f["year"].to_list(), {
        f"{t('h_graduates')} · {t('level_secondary')}": f["secondary_graduates"].to_list(),
        f"{t('h_continuing')} · {t('level_secondary')}": f["secondary_continued"].to_list(),
        f"{t('h_enrolment')} · {t('level_associate')}": f["associate_enrolment"].to_list(),
        f"{t('h_enrolment')} · {t('level_bachelor')}": f["bachelor_enrolment"].to_list()})
    dead = p.seats.filter(pl.col("dead_end"))
    rows = [[r["major_code"], r["major_name"] or "", whole(r["graduates"]), whole(r["continuing"]), whole(r["missing_seats"]),
             t("list_joiner").join(r["targets_not_offered"] or [])] for r in dead.iter_rows(named=True)]
    table = Table(t("rp_dead_ends"), [t("h_code"), t("h_major"), t("h_graduates"), t("h_continuing"), t("h_missing"), t("h_targets")],
                  rows, numeric={2, 3, 4})
    return Section("pathways", t("rp_pathways"), p.findings, [chart], [table],
                   source_line(["major_points", "institutions"], b.generated_tables, t("rp_catalog_continuations")))


def schools(b: AnalysisBundle, Table: Any, Section: Any) -> Any:
    s = b.schools
    fails = [(k[5:], v) for k, v in s.summary.items() if k.startswith("fail_")]
    chart = Chart("school_fails", "bar", t("rp_chart_fails"), [t("check_" + k) for k, _ in fails], {t("h_schools"): [v for _, v in fails]},
                  value_format=",.0f")
    bad = s.compliance.filter(~pl.col("compliant")).sort("passed")
    rows = [[r["name"], whole(r["students"]), t("list_joiner").join(t("check_" + k) for k in r["failed"]) or "—"] for r in bad.iter_rows(named=True)]
    noncompliant = Table(t("rp_noncompliant"), [t("h_school"), t("h_students"), t("h_failed")], rows, numeric={1})
    small = Table(t("rp_small"), [t("h_code"), t("h_schools"), t("h_enrolment")],
                  [[r["major_code"], str(r["schools"]), whole(r["enrolment"])] for r in s.small_cohorts.iter_rows(named=True)], numeric={1, 2})
    sims = Table(t("rp_simulation"), [t("h_plan"), t("h_before"), t("h_after"), t("h_share_before"), t("h_share_after")],
                 [[str(m["plan"]), f"{m['before']['compliant']}/{m['before']['schools']}", f"{m['after']['compliant']}/{m['after']['schools']}",  # type: ignore[index]
                   pct(m["before"]["students_in_compliant"] / max(m["before"]["students"], 1)),  # type: ignore[index]
                   pct(m["after"]["students_in_compliant"] / max(m["after"]["students"], 1))] for m in s.simulations],  # type: ignore[index]
                 numeric={3, 4})
    return Section("schools", t("rp_schools"), s.findings, [chart], [sims, noncompliant, small],
                   source_line(["institutions", "institution_resources", "major_points"], b.generated_tables))


def _major_rows(frame: pl.DataFrame, with_card: bool = False) -> list[list[str]]:
    return [[r["major_code"], r["major_name"] or "", _level(r["level_key"]), whole(r["supply"]), whole(r["demand"]), whole(r["gap"]),
             pct(r["gap_ratio"]), pct(r.get("related_rate")), *([t("card_" + r["card"])] if with_card else [])]
            for r in frame.iter_rows(named=True)]


def supply_demand(b: AnalysisBundle, Table: Any, Section: Any) -> Any:
    sd = b.supply_demand
    classes = sd.by_class.filter(pl.col("supply") + pl.col("demand") > 0)
    shown = pl.concat([classes.sort("gap").head(8), classes.sort("gap", descending=True).head(8)]).unique("class_code", keep="first").sort("gap")
    labels = [f"{r['class_name']}（{_level(r['level_key'])}）" for r in shown.iter_rows(named=True)]
    charts = [Chart("class_gap", "bar", t("rp_chart_class_gap"), labels, {t("h_gap"): shown["gap"].to_list()}, horizontal=True,
                    value_format=",.0f")]
    heat = sd.by_class_chain
    if heat.height:
        top_classes = heat.group_by("class_name", "level_key").agg(pl.col("gap").abs().sum().alias("size")).sort("size", descending=True).head(12)
        chains = sorted(heat["chain"].unique().to_list())
        rows_lbl, values = [], []
        for r in top_classes.iter_rows(named=True):
            cells = heat.filter((pl.col("class_name") == r["class_name"]) & (pl.col("level_key") == r["level_key"]))
            lookup = dict(zip(cells["chain"], cells["gap"], strict=False))
            rows_lbl.append(f"{r['class_name']}（{_level(r['level_key'])}）")
            values.append([round(lookup[c]) if c in lookup else None for c in chains])
        charts.append(Chart("gap_heatmap", "heatmap", t("rp_chart_heat"), chains, rows=rows_lbl, values=values, value_format=",.0f"))
    m = sd.mismatch_trend
    if m.height:
        charts.append(Chart("mismatch", "line", t("rp_chart_mismatch"), m["year"].to_list(),
                            {"Duncan": m["duncan"].to_list(), "Şahin": m["sahin"].to_list()}, y_range=(0.0, 1.0)))
    headers = [t("h_code"), t("h_major"), t("h_level_short"), t("h_supply"), t("h_demand"), t("h_gap"), t("h_gap_ratio"), t("h_related")]
    grow = Table(t("rp_grow"), headers, _major_rows(sd.grow), numeric={3, 4, 5, 6, 7})
    cut = Table(t("rp_cut"), [*headers, t("h_card")], _major_rows(sd.cut, with_card=True), numeric={3, 4, 5, 6, 7})
    chains = Table(t("rp_chains_gap"), [t("h_chain"), t("h_supply"), t("h_demand"), t("h_gap"), t("h_gap_ratio")],
                   [[r["chain"], whole(r["supply"]), whole(r["demand"]), whole(r["gap"]), pct(r["gap_ratio"])] for r in sd.by_chain.iter_rows(named=True)],
                   numeric={1, 2, 3, 4})
    return Section("supply_demand", t("rp_supply"), [*sd.findings, _card_rule(b)], charts, [grow, cut, chains],
                   source_line(["major_points", "demand"], b.generated_tables, t(CROSSWALKS)) + f"；{blend_text(sd.blend)}")


def _card_rule(b: AnalysisBundle) -> str:
    from silian.services.config import analysis_config
    w = analysis_config().section("warning")
    return t("rp_card_rule", rs=pct(-w["red_surplus"], 0), re=pct(w["red_employment"], 0), rr=pct(w["red_related"], 0),
             ys=pct(-w["yellow_surplus"], 0), yr=pct(w["yellow_related"], 0), yt=pct(w["yellow_retention"], 0))


def skills(b: AnalysisBundle, Table: Any, Section: Any) -> Any:
    k = b.skills
    graded = k.balance.filter(pl.col("skill_level") != "不限")
    chart = Chart("skills", "bar", t("rp_chart_skills"), graded["skill_level"].to_list(),
                  {t("h_demand_share"): graded["demand_share"].to_list(), t("h_supply_share"): graded["supply_share"].to_list()},
                  value_format=".0%")
    rows = [[r["skill_level"], whole(r["demand_all"]), whole(r["certificates"]), pct(r["demand_share"]), pct(r["supply_share"])]
            for r in k.balance.iter_rows(named=True)]
    balance = Table(t("rp_skills"), [t("h_skill"), t("h_demand"), t("h_certificates"), t("h_demand_share"), t("h_supply_share")], rows,
                    numeric={1, 2, 3, 4})
    trend = Table(t("rp_skills"), [t("h_year"), t("h_high_demand"), t("h_high_supply")],
                  [[str(r["year"]), pct(r["high_demand_share"]), pct(r["high_supply_share"])] for r in k.trend.iter_rows(named=True)],
                  numeric={1, 2})
    return Section("skills", t("rp_skills"), k.findings, [chart], [balance, trend], source_line(["demand", "major_points"], b.generated_tables))


def num4(value: object) -> str:
    return num(value, 4)
