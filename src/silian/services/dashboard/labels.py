"""The dashboard's words: every chart title, column and value label (zh-CN and English) and the helpers
that pick the label of a chain, a level or a card."""

from __future__ import annotations

from silian.domain.indicators import CHAIN_NAMES
from silian.domain.messages import current_lang, register_messages, t

register_messages({
    "dash_t_coupling": ("四链耦合协调度（C、T、D）", "Four-chain coupling (C, T, D)"),
    "dash_t_obstacles": ("主要障碍因子", "Main obstacle factors"),
    "dash_t_chain_obstacles": ("各链障碍度", "Obstacle degree by chain"),
    "dash_t_red_list": ("红牌专业", "Red-card majors"),
    "dash_t_counties": ("县市区耦合协调度 D", "Coordination D by county"),
    "dash_t_county_u": ("县市区四链综合评价指数 U", "Chain scores U by county"),
    "dash_t_county_topsis": ("县市区 TOPSIS 贴近度", "TOPSIS closeness by county"),
    "dash_t_gap_heatmap": ("专业类 × 重点产业链供需缺口（人/年，正为缺口、负为过剩）",
                           "Gap by major class × key chain (per year; + shortage, − surplus)"),
    "dash_t_chain_gaps": ("重点产业链毕业生供给与需求（人/年）", "Graduate supply and demand by key industry chain (per year)"),
    "dash_t_mismatch": ("错配指数趋势", "Mismatch indices over time"),
    "dash_t_grow": ("建议扩大规模的专业", "Majors to grow"),
    "dash_t_cut": ("建议压减或调整的专业（红牌）", "Majors to cut or reshape (red cards)"),
    "dash_t_pathways": ("{year} 年毕业生去向（人）", "Where {year}'s graduates went"),
    "dash_t_funnel": ("升学通道历年数据", "Pathways by year"),
    "dash_t_dead_ends": ("断头路专业（本地无接续高职专科专业）", "Dead-end majors (no local 专科 continuation)"),
    "dash_t_school_fails": ("各项标准不达标学校数", "Schools failing each standard"),
    "dash_t_compliance": ("学校办学条件达标情况", "School compliance with the standards"),
    "dash_t_simulations": ("整合模拟", "Consolidation simulations"),
    "dash_t_small": ("重复开设的小规模专业", "Duplicated small cohorts"),
    "dash_t_peers": ("对标城市地区生产总值（亿元）", "GDP of peer cities (亿元)"),
    "dash_t_peer_score": ("产业结构综合得分", "Industry-structure score"),
    "dash_t_cell": ("{cls} · {chain}：专业明细", "{cls} · {chain}: majors"),
    "dash_c_year": ("年份", "Year"), "dash_c_region": ("地区", "Region"), "dash_c_level": ("协调等级", "Level"),
    "dash_c_lag": ("滞后类型", "Lagging"), "dash_c_rank": ("排序", "Rank"), "dash_c_indicator": ("指标", "Indicator"),
    "dash_c_chain": ("链", "Chain"), "dash_c_obstacle": ("障碍度（%）", "Obstacle (%)"),
    "dash_c_code": ("代码", "Code"), "dash_c_major": ("专业", "Major"), "dash_c_class": ("专业类", "Major class"),
    "dash_c_major_level": ("层次", "Level"), "dash_c_key_chain": ("重点产业链", "Key industry chain"),
    "dash_c_supply": ("供给（人/年）", "Supply / yr"), "dash_c_demand": ("需求（人/年）", "Demand / yr"),
    "dash_c_gap": ("缺口", "Gap"), "dash_c_gap_ratio": ("缺口率", "Gap ratio"), "dash_c_related": ("对口率", "Related rate"),
    "dash_c_card": ("预警", "Card"), "dash_c_reasons": ("原因", "Reasons"), "dash_c_topsis": ("TOPSIS 贴近度", "TOPSIS closeness"),
    "dash_c_from": ("来源", "From"), "dash_c_to": ("去向", "To"), "dash_c_people": ("人数", "People"),
    "dash_c_sec_grads": ("中职毕业生", "中职 graduates"), "dash_c_sec_cont": ("中职升学", "中职 continuing"),
    "dash_c_sec_rate": ("中职升学率", "中职 progression"), "dash_c_asc_enrol": ("高职专科招生", "专科 enrolment"),
    "dash_c_asc_grads": ("高职专科毕业生", "专科 graduates"), "dash_c_asc_cont": ("专科升本", "专科 continuing"),
    "dash_c_bach_enrol": ("职业本科招生", "职业本科 enrolment"),
    "dash_c_graduates": ("毕业生", "Graduates"), "dash_c_continuing": ("升学人数", "Continuing"),
    "dash_c_missing": ("缺少学位", "Seats missing"), "dash_c_targets": ("应接续的专科专业", "Continuation majors"),
    "dash_c_check": ("标准", "Standard"), "dash_c_schools": ("学校数", "Schools"), "dash_c_school": ("学校", "School"),
    "dash_c_county": ("县市区", "County"), "dash_c_students": ("在校生", "Students"), "dash_c_passed": ("达标项", "Passed"),
    "dash_c_compliant": ("全部达标", "Compliant"), "dash_c_plan": ("方案", "Plan"),
    "dash_c_before": ("整合前达标", "Compliant before"), "dash_c_after": ("整合后达标", "Compliant after"),
    "dash_c_share_before": ("达标校在校生占比（前）", "Students in compliant schools (before)"),
    "dash_c_share_after": ("达标校在校生占比（后）", "Students in compliant schools (after)"),
    "dash_c_enrolment": ("招生", "Enrolment"), "dash_c_gdp": ("GDP（亿元）", "GDP (亿元)"),
    "dash_c_secondary": ("二产占比", "Secondary share"), "dash_c_tertiary": ("三产占比", "Tertiary share"),
    "dash_c_growth": ("近 5 年年均增速", "5-year growth"), "dash_c_score": ("产业结构得分", "Structure score"),
    "dash_c_group": ("类别", "Group"), "dash_c_weight": ("计入该链的权重", "Weight in chain"),
    "dash_c_school_list": ("开设学校", "Schools offering it"),
    "dash_peer": ("对标城市", "peer city"), "dash_province": ("省内城市", "in province"),
    "dash_yes": ("是", "yes"), "dash_no": ("否", "no"),
    "dash_card_red": ("红牌", "red"), "dash_card_yellow": ("黄牌", "yellow"), "dash_card_green": ("绿牌", "green"),
    "dash_level_secondary": ("中职", "secondary"), "dash_level_associate": ("专科", "associate"),
    "dash_level_bachelor": ("本科", "bachelor"),
    "dash_reason_surplus_red": ("严重过剩", "large surplus"), "dash_reason_surplus_yellow": ("过剩", "surplus"),
    "dash_reason_low_employment": ("就业率低", "low employment"), "dash_reason_low_related": ("对口率低", "low related rate"),
    "dash_reason_low_retention": ("本地留存率低", "low local retention"),
    "dash_node_sec": ("中职毕业生", "中职 graduates"), "dash_node_asc": ("高职专科毕业生", "专科 graduates"),
    "dash_node_sec_up": ("升入高职专科等", "Continue to 专科 etc."), "dash_node_asc_up": ("升入本科", "Continue to 本科"),
    "dash_node_work": ("就业", "Employed"), "dash_node_other": ("其他（待业、未报告等）", "Other (not employed, not reported)"),
    "dash_no_scope": ("当前角色只能看到学校汇总数据", "Your role sees the school summary only"),
    "dash_unknown_table": ("没有这个图表：{name}", "No such chart: {name}"),
    "dash_unknown_cell": ("没有这个热力图单元格：{cls} × {chain}", "No such heatmap cell: {cls} × {chain}"),
    "dash_t_posting_occupations": ("招聘需求最多的职业（条，{periods}）", "Occupations with the most postings ({periods})"),
    "dash_t_posting_classes": ("招聘需求折算到专业类（{year} 年，条）", "Postings carried to major classes ({year})"),
    "dash_t_posting_counties": ("招聘需求的地区分布（条，{periods}）", "Postings by county ({periods})"),
    "dash_t_posting_salaries": ("招聘月薪分位数（元/月，{periods}）", "Monthly salary quantiles in postings (yuan, {periods})"),
    "dash_c_occupation": ("职业", "Occupation"), "dash_c_postings": ("招聘数（条）", "Postings"),
    "dash_c_share": ("占比", "Share"), "dash_c_salary_n": ("有薪资的招聘", "Postings with salary"),
    "dash_c_p25": ("P25 月薪", "P25 salary"), "dash_c_p50": ("中位月薪", "Median salary"), "dash_c_p75": ("P75 月薪", "P75 salary"),
    "dash_all_postings": ("全部招聘", "All postings"),
})


def chain_label(key: str) -> str:
    return CHAIN_NAMES[key][1 if current_lang.get() == "en" else 0]


def level_label(key: object) -> str:
    return t(f"dash_level_{key}") if key in ("secondary", "associate", "bachelor") else str(key or "")


def card_label(card: object) -> str:
    return t(f"dash_card_{card}") if card in ("red", "yellow", "green") else "—"


def titled(key: str, year: object) -> str:
    """A title with its year: ``标题（2023）`` or ``Title (2023)``."""
    return f"{t(key)} ({year})" if current_lang.get() == "en" else f"{t(key)}（{year}）"
