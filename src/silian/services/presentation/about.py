"""The 说明 of every presented table and headline figure: what it measures, how to read it, where it comes from,
and the method card that defines it (served by the app at ``/methods/<card>``)."""

from __future__ import annotations

from dataclasses import dataclass

from silian.domain.messages import MESSAGES, register_messages, t
from silian.services.presentation import method_cards

register_messages(
    {
        "about_coupling": (
            ("衡量教育链、人才链、产业链、创新链四条链的发展是否协调：U 为各链得分（0–1），C 为耦合度（各链是否齐头并进），"
             "T 为综合发展水平，D = √(C·T) 为耦合协调度，按 0.1 一档分为十个协调等级；阴影带为换用其他标准化与公式时 D 的范围。"
             "D 越高越好；某条链比最高的链低 0.1 以上即为“滞后”。来源：中心库各链指标，按固定基准计分。"),
            ("Whether the education, talent, industry and innovation chains develop together: U is each chain's score "
             "(0–1), C the coupling (do the chains move level with each other), T the overall level and D = √(C·T) the "
             "coupling coordination, read in ten levels of 0.1; the shaded band is D under the other normalisations and "
             "formulas. Higher D is better; a chain more than 0.1 below the highest is lagging. Source: the hub's chain "
             "indicators, scored on fixed benchmarks."),
        ),
        "about_obstacles": (
            ("障碍度：每个指标离目标的差距乘以它的权重，占全部差距的百分比。百分比越大，越是拉低耦合协调度的原因；"
             "各指标合计 100%。"),
            ("Obstacle degree: each indicator's distance from its target times its weight, as a percentage of all "
             "distances. The larger it is, the more the indicator pulls the coordination down; all indicators add up "
             "to 100 %."),
        ),
        "about_chain_obstacles": (
            "把各指标的障碍度按所属的链相加（%），看哪条链最拖后腿。",
            "The obstacle degrees of the indicators summed by chain (%): which chain holds the region back most.",
        ),
        "about_red_list": (
            ("红牌专业：毕业生远多于需求（缺口率低于阈值）且去向落实率、对口率或本地留存率偏低。这是本平台公开阈值的预警规则，"
             "只是信号，需结合实际核查后再决定减招。来源：专业点数据与混合需求。"),
            ("Red-card majors: graduates far above demand (gap ratio below the threshold) with low placement, related "
             "employment or local retention. Our own published rule with its thresholds — a signal to check, not a "
             "decision to cut. Source: major points and the blended demand."),
        ),
        "about_cards": (
            "按缺口率、去向落实率、对口率和本地留存率给每个专业亮牌：红牌需减招核查，黄牌需关注，绿牌正常，无数据不亮牌。",
            ("Each major gets a card from its gap ratio, placement, related employment and local retention: red — check "
             "before cutting, yellow — watch, green — fine; no card without demand data."),
        ),
        "about_counties": (
            ("各县（市、区）的耦合协调度 D，与全市用同一套指标和基准计分，可以直接比较。学校少的县数字受个别学校影响大。"),
            ("Each county's coupling coordination D, scored with the same indicators and benchmarks as the city, so "
             "counties compare directly. Counties with few schools move with single schools."),
        ),
        "about_county_u": (
            "各县四条链的得分 U（0–1，越深越好），看每个县哪条链弱。",
            "Each county's four chain scores U (0–1, darker is better): which chain is weak where.",
        ),
        "about_county_topsis": (
            ("TOPSIS 贴近度：各县在全部指标上离“最好县”多近、离“最差县”多远，0–1，越大越好；是县间的相对排名，不是绝对水平。"),
            ("TOPSIS closeness: how near each county is to the best and far from the worst on all indicators, 0–1, "
             "higher is better; a ranking among the counties, not an absolute level."),
        ),
        "about_gap_heatmap": (
            ("供需缺口 = 需求 − 供给（人）：供给为毕业生按专业—行业对照分到各产业链，需求为企业申报、招聘信息和统计推算的混合需求。"
             "红色为短缺（需求多于毕业生），蓝色为过剩。没有需求数据的专业不计为 0，另列在“无需求数据”表中。"),
            ("Gap = demand − supply (persons): supply is graduates carried into each chain by the major→industry "
             "crosswalk, demand blends declared demand, postings and statistics. Red is shortage (more demand than "
             "graduates), blue surplus. Majors without demand data are not counted as zero; they are listed apart."),
        ),
        "about_chain_gaps": (
            "各重点产业链的毕业生供给与需求（人），差值即缺口。",
            "Graduate supply and demand (persons) of each key chain; the difference is the gap.",
        ),
        "about_mismatch": (
            ("结构错配指数（0–1，越小越好）：Duncan 相异指数为要让毕业生的专业结构与需求结构一致需要调整的比例；"
             "Şahin 等（2014）错配指数为因结构不一致而少实现的匹配比例。"),
            ("Structural mismatch (0–1, lower is better): Duncan's dissimilarity is the share of graduates that would "
             "have to change class for supply to match demand; Şahin et al. (2014) is the share of matches lost to the "
             "mismatch."),
        ),
        "about_grow": (
            "需求明显多于毕业生、且就业质量好的专业：建议扩招或新开，原因列在每行。",
            "Majors with demand well above graduates and good outcomes: grow or open them; each row gives its reason.",
        ),
        "about_cut": (
            "毕业生明显多于需求、就业质量差的专业：建议减招，原因列在每行；没有需求数据的专业从不列入。",
            ("Majors with graduates well above demand and poor outcomes: cut them; each row gives its reason. Majors "
            "without demand data are never listed."),
        ),
        "about_no_data": (
            "没有任何来源的需求数据的专业：不是需求为零，而是不知道，所以不亮牌、不建议减招。",
            "Majors with no demand evidence from any source: not zero demand but unknown, so no card and no cut.",
        ),
        "about_pathways": (
            "中职毕业生的去向（人）：升学（升入高职专科、职业本科）、就业和其他。",
            "Where 中职 graduates go (persons): continuing to 高职专科 or 职业本科, employed, other.",
        ),
        "about_funnel": (
            "历年中职毕业生、升学人数和升学率（%），以及高职专科、职业本科招生（人）。",
            "中职 graduates, continuing and the progression rate (%) by year, with 高职专科 and 职业本科 enrolment (persons).",
        ),
        "about_dead_ends": (
            ("断头路：本地区没有开设任何对口接续高职专科专业的中职专业（依据教育部中高职接续专业目录），缺少的学位按升学人数估计。"),
            ("Dead ends: 中职 majors with no continuation 高职专科 major offered in the region (by the MOE's continuation "
             "list); the missing seats are estimated from those who continue."),
        ),
        "about_school_fails": (
            ("按学校类型的标准检查每所学校：中职按《中等职业学校设置标准》（2010）与办学条件达标监测指标，技工学校按人社部标准。"
             "条形为未达到该项的学校数（个）。"),
            ("Each school against the standard of its type: 中职 by the 2010 setting standard and the 达标 monitoring "
             "indicators, 技工学校 by the MOHRSS standard. Bars count the schools (number) missing each item."),
        ),
        "about_school_compliance": (
            "逐校达标情况：✓ 为达到，✗ 为未达到；设置标准与达标监测分别判断。只显示您有权查看的学校。",
            ("Each school's compliance: ✓ met, ✗ missed; the setting standard and the monitoring are judged apart. "
             "Only the schools you may see are shown."),
        ),
        "about_small_cohorts": (
            "同一专业在多所学校都只有很少学生（小而散），可考虑合并办学。",
            "One major offered by several schools with few students each (small and scattered): candidates to merge.",
        ),
        "about_simulations": (
            "合并方案模拟：把弱校并入强校（或职教园区）后重算达标情况。",
            "Consolidation simulated: weak schools merged into strong ones (or the vocational park), compliance recomputed.",
        ),
        "about_school_standards": (
            "各项标准的阈值与出处（文件号）。",
            "Each standard's thresholds and their source (document number).",
        ),
        "about_peers": (
            "与对标城市（苏锡常等）和省内其他城市比较地区生产总值（亿元）、产业结构和五年增速；来源为公开统计。",
            ("The city against peer cities (苏锡常 and others) and the province's other cities on GDP (100 million "
             "yuan), sector shares and five-year growth; public statistics."),
        ),
        "about_peer_score": (
            "经济与结构综合得分（0–1）：地区生产总值、五年增速与产业结构高级化（三产/二产），熵权法赋权。",
            ("Economy and structure score (0–1): GDP, five-year growth and structure advancement (tertiary/secondary), "
             "weighted by the entropy method."),
        ),
        "about_forecast": (
            ("各行业年度岗位需求（人）= 就业增长 + 退出替补；竖线为预测区间。每行附回测误差（MASE，小于 1 表示优于简单外推）。"),
            ("Yearly job openings by industry (persons) = employment growth + replacement; the marks are the "
             "prediction interval. Each row carries its backtest error (MASE below 1 beats the naive forecast)."),
        ),
        "about_postings": (
            "来自网络招聘信息的需求（条）。网络招聘明显少报制造业操作工，只用于划分需求结构，从不单独作为需求总量。",
            ("Demand from online postings (postings). Postings under-report manufacturing operators, so they only divide "
             "demand between occupations and are never used as a total."),
        ),
        "about_skills": (
            "按技能等级比较需求与培养（人）：高级工、技师、高级技师是否不足。",
            "Demand against supply by skill level (persons): are 高级工, 技师 and 高级技师 short.",
        ),
        "about_weights": (
            "每个指标的权重、方向、下限（0 分）与目标值（1 分）及其出处。",
            "Each indicator's weight, direction, floor (score 0) and target (score 1) with their sources.",
        ),
        "about_plan": (
            ("在需求预测、学校办学能力、最小班额、每年最大调整幅度和职普比约束下，用 HiGHS 求解使供需缺口最小的下一年招生计划；"
             "每项变化都写明原因和起作用的约束。"),
            ("Next year's enrolment that minimises the supply–demand gap under forecast demand, school capacity, "
             "minimum cohort, the largest yearly change and the 职普 ratio, solved by HiGHS; every change gives its "
             "reason and the binding constraints."),
        ),
        "about_method_link": ("方法说明：{title}", "Method: {title}"),
        "about_heading": ("说明", "About this"),
        "method_title_coupling": ("耦合协调度 C、T、D", "Coupling coordination C, T, D"),
        "method_title_indicators": ("四链指标体系与计分", "The four-chain indicators and scoring"),
        "method_title_obstacle_degree": ("障碍度", "Obstacle degree"),
        "method_title_warning_cards": ("专业预警红黄绿牌", "Warning cards"),
        "method_title_topsis": ("TOPSIS 贴近度", "TOPSIS closeness"),
        "method_title_alignment": ("供需对齐与缺口", "Supply–demand alignment and gaps"),
        "method_title_dissimilarity_index": ("Duncan 相异指数", "Duncan dissimilarity index"),
        "method_title_sahin_mismatch": ("Şahin 错配指数", "Şahin mismatch index"),
        "method_title_pathways": ("断头路：升学漏斗与断头专业", "Dead ends: progression funnel and dead-end majors"),
        "method_title_school_standards": ("学校办学标准与达标监测", "School standards and the 达标 monitoring"),
        "method_title_forecast": ("岗位需求预测与回测", "Job openings forecast and backtest"),
        "method_title_skills": ("技能等级", "Skill levels"),
        "method_title_grey_relational": ("灰色关联度", "Grey relational grade"),
        "method_title_entropy_weights": ("熵权法", "Entropy weights"),
        "method_title_enrolment_plan": ("招生计划优化（HiGHS）", "Enrolment plan optimiser (HiGHS)"),
        "method_title_structural_deviation": ("结构偏离度", "Structural deviation"),
        "method_title_completeness": ("完整年份与暂定年份", "Complete and provisional years"),
        "method_title_matching": ("学生与岗位匹配", "Student–seat matching"),
        "method_title_occupation_classifier": ("岗位名称分类", "Job-title classifier"),
    }
)


@dataclass(frozen=True)
class About:
    """What a table or figure measures and how to read it, and its method card (a name under ``/methods/``)."""

    key: str
    methods: tuple[str, ...]

    @property
    def text(self) -> str:
        return t(f"about_{self.key}")


# table id → (message, method cards)
ABOUT = {
    "coupling": ("coupling", "coupling", "indicators"), "obstacles": ("obstacles", "obstacle_degree"),
    "chain-obstacles": ("chain_obstacles", "obstacle_degree"), "red-list": ("red_list", "warning_cards"),
    "cards": ("cards", "warning_cards"), "counties": ("counties", "coupling"), "county-u": ("county_u", "indicators"),
    "county-topsis": ("county_topsis", "topsis"), "gap-heatmap": ("gap_heatmap", "alignment"),
    "class-gaps": ("gap_heatmap", "alignment"), "chain-gaps": ("chain_gaps", "alignment"),
    "mismatch": ("mismatch", "dissimilarity_index", "sahin_mismatch"), "grow": ("grow", "warning_cards"), "cut": ("cut", "warning_cards"),
    "no-data": ("no_data", "alignment"), "pathways": ("pathways", "pathways"), "funnel": ("funnel", "pathways"),
    "dead-ends": ("dead_ends", "pathways"), "school-fails": ("school_fails", "school_standards"),
    "school-compliance": ("school_compliance", "school_standards"), "small-cohorts": ("small_cohorts", "school_standards"),
    "simulations": ("simulations", "school_standards"), "school-standards": ("school_standards", "school_standards"),
    "school-standard-items": ("school_standards", "school_standards"), "peers": ("peers", "indicators"),
    "peer-score": ("peer_score", "entropy_weights"), "forecast": ("forecast", "forecast"),
    "posting-occupations": ("postings", "alignment"), "posting-classes": ("postings", "alignment"),
    "posting-counties": ("postings", "alignment"), "posting-salaries": ("postings", "alignment"),
    "skills": ("skills", "skills"), "skill-trend": ("skills", "skills"), "weights": ("weights", "indicators"),
    "benchmarks": ("weights", "indicators"), "drivers": ("weights", "grey_relational"), "plan": ("plan", "enrolment_plan"),
    "home-majors": ("cards", "warning_cards", "alignment"), "home-dead-ends": ("dead_ends", "pathways"),
    "home-checks": ("school_compliance", "school_standards"),
}


def method_title(name: str) -> str:
    """A method card's title in the current language (the card's own heading for a card without one)."""
    key = f"method_title_{name}"
    return t(key) if key in MESSAGES else method_cards.card_title(name)


def about(table_id: str) -> About | None:
    """The 说明 of table (or figure) ``table_id``; None for one without."""
    found = ABOUT.get(table_id)
    return About(found[0], found[1:]) if found else None
