"""Report sections on the four chains: summary, coupling trend, obstacle factors, counties, peer cities,
forecasts, methods and sources. The diagnoses are in ``sections_diagnoses``."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.domain.indicators import CHAINS
from silian.domain.messages import current_lang, register_messages, t
from silian.reports.charts import Chart
from silian.reports.format import num, pct, source_line, table_name, whole
from silian.services import presentation as present
from silian.services.analysis import AnalysisBundle
from silian.services.four_chains import PANEL_TABLES, level_bands

register_messages(
    {
        "rp_summary": ("概要", "Summary"),
        "rp_coupling": ("四链耦合协调度", "Four-chain coupling coordination"),
        "rp_coupling_finding": (
            "{year} 年{region}四链耦合协调度 D = {D}（{level}），耦合度 C = {C}，综合发展指数 T = {T}；{lag}",
            "{year}: four-chain coordination D = {D} ({level}) in {region}, coupling C = {C}, development T = {T}; {lag}",
        ),
        "rp_year_differs": (
            "本报告为 {year} 年报告；四链耦合协调度的最新完整年份为 {coupling_year} 年，{year} 年的耦合指标不全，未作为标题数字",
            ("This is the {year} report; the latest complete year of four-chain coupling is {coupling_year}: {year}'s "
            "coupling indicators are incomplete and are not a headline"),
        ),
        "rp_coupling_trend": (
            "D 从 {first_year} 年的 {first} 变为 {last_year} 年的 {last}",
            "D moved from {first} in {first_year} to {last} in {last_year}",
        ),
        "rp_chart_dct": ("耦合度 C、综合发展指数 T 与耦合协调度 D", "Coupling C, development T and coordination D"),
        "rp_chart_u": ("四链综合评价指数 U", "Chain scores U"),
        "rp_obstacles": ("障碍因子", "Obstacle factors"),
        "rp_obstacle_finding": ("{year} 年主要障碍因子：{names}", "{year}: main obstacle factors: {names}"),
        "rp_chart_chain_obstacle": ("各链障碍度（%）", "Obstacle degree by chain (%)"),
        "rp_counties": ("县市区比较", "Counties compared"),
        "rp_county_finding": (
            "{year} 年县市区耦合协调度最高为{best}（{best_d}），最低为{worst}（{worst_d}）",
            "{year}: highest county coordination {best} ({best_d}), lowest {worst} ({worst_d})",
        ),
        "rp_peers": ("对标城市比较（苏锡常与河南各市）", "Peer cities (苏锡常 and the cities of 河南)"),
        "rp_peer_finding": (
            ("{year} 年{region}地区生产总值 {gdp} 亿元，在 {n} 个比较城市中居第 {rank} 位；"
             "总量、增速与产业结构高级化（三产/二产）综合得分居第 {score_rank} 位"),
            ("{year}: GDP of {region} {gdp} 亿元, rank {rank} of {n}; "
             "score of size, growth and structural advancement (tertiary/secondary) rank {score_rank}"),
        ),
        "rp_forecast": ("岗位需求预测", "Forecast job openings (demand)"),
        "rp_forecast_finding": (
            ("按行业从业人员预测未来 {h} 年的岗位需求（增长需求 + 更替需求，更替率 {rate}，为假设值）；表中每个预测给出 {level} "
            "预测区间和整个预测方法的滚动起点回测误差（以岗位需求计）"),
            ("Job openings (demand) over the next {h} years from employment by industry (growth + replacement, "
            "replacement rate {rate}, an assumption); each forecast in the table has its {level} prediction interval "
            "and the rolling-origin backtest error of the whole forecasting procedure (in openings)"),
        ),
        "rp_methods": ("方法与数据来源", "Methods and sources"),
        "rp_methods_text": (
            (
                "耦合协调度：{method}；指标计分：{normalisation}（基准版本 {release}）；链内权重：{weighting}；障碍度模型；TOPSIS（向量归"
                "一化，按指标得分 z，权重 × 链权重）；灰色关联分析（ρ = 0.5）；供需对齐按 Lightcast 方法拆分职业需求；错配指数："
                "Duncan 与 Şahin 等（2014）；预警规则为本系统自定规则。方法卡见 docs/methods/。"
            ),
            (
                "Coupling coordination: {method}; indicator scores: {normalisation} (release {release}); weights within "
                "each chain: {weighting}; obstacle degree; TOPSIS (vector normalisation, on the indicator scores z, "
                "weights × chain weights); grey relational analysis (ρ = 0.5); alignment splits occupation demand the "
                "Lightcast way; mismatch: Duncan and Şahin et al. (2014); the warning rule is this system's own. Method "
                "cards: docs/methods/."
            ),
        ),
        "rp_weighting_fixed": ("固定权重", "fixed"),
        "rp_weighting_entropy": ("熵权法", "entropy"),
        "rp_weighting_combined": ("组合权重", "combined"),
        "rp_notes": ("分析说明", "Notes"),
        "h_table": ("数据表", "Table"),
        "h_rows": ("行数", "Rows"),
        "h_kind": ("性质", "Kind"),
        "kind_generated": ("生成数据", "generated"),
        "kind_real": ("真实数据", "real"),
    }
)


def all_sections(bundle: AnalysisBundle, Table: Any, Section: Any) -> list[Any]:
    from silian.reports import sections_diagnoses as dx
    parts = [coupling(bundle, Table, Section), obstacles(bundle, Table, Section), counties(bundle, Table, Section),
             peers(bundle, Table, Section), dx.pathways(bundle, Table, Section), dx.schools(bundle, Table, Section),
             dx.supply_demand(bundle, Table, Section), dx.skills(bundle, Table, Section), forecast(bundle, Table, Section),
             methods(bundle, Table, Section)]
    parts = [p for p in parts if p is not None]
    findings = [f for p in parts[:-1] for f in p.findings[:2]]
    return [Section(id="summary", title=t("rp_summary"), findings=findings, charts=[], tables=[], source=""), *parts]


def coupling(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    s = bundle.city.scores
    years = s["year"].to_list()
    last = s.row(-1, named=True)
    findings = [t("rp_coupling_finding", year=last["year"], region=bundle.region_name, D=present.d_with_band(last),
                  level=last["level"], C=num(last["C"], 2), T=num(last["T"], 2), lag=last["lag"])]
    if last["year"] != bundle.year:  # the report's year and its headline year differ: say so
        findings.append(t("rp_year_differs", year=bundle.year, coupling_year=last["year"]))
    if s.height >= 2:
        findings.append(t("rp_coupling_trend", first_year=years[0], first=num(s["D"][0], 2), last_year=years[-1], last=num(last["D"], 2)))
    findings += present.method_notes(bundle.city)
    table = present.coupling_table(bundle)
    years = table.shown("year")
    charts = [Chart("coupling_dct", "line", t("rp_chart_dct"), years, table.series("C", "T", "D", "D_low", "D_high"),
                    y_range=(0.0, 1.0), bands=level_bands()),
              Chart("coupling_u", "line", t("rp_chart_u"), years, table.series(*[f"U_{c}" for c in CHAINS]), y_range=(0.0, 1.0))]
    tables = [Table.of(table), Table.of(present.weights_table(bundle)), Table.of(present.benchmarks_table(bundle)),
              Table.of(present.drivers_table(bundle))]
    return Section("coupling", t("rp_coupling"), findings, charts, tables, source_line(PANEL_TABLES, bundle.generated_tables))


def obstacles(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    year = int(bundle.city.scores["year"].max())  # type: ignore[arg-type]
    top = bundle.city.obstacles.filter(pl.col("year") == year).sort("rank")
    leading = top.select("name", "obstacle").head(3).iter_rows()
    findings = [t("rp_obstacle_finding", year=year, names=t("list_joiner").join(f"{n}（{o:.1f}%）" for n, o in leading))]
    chains = present.chain_obstacles_table(bundle)
    chart = Chart("chain_obstacles", "bar", t("rp_chart_chain_obstacle"), chains.shown("chain"), chains.series("obstacle"),
                  y_label="%", value_format=".1f")
    table = Table.of(present.obstacles_table(bundle))
    return Section("obstacles", t("rp_obstacles"), findings, [chart], [table], source_line(PANEL_TABLES, bundle.generated_tables), level=3)


def counties(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    if bundle.counties is None or bundle.counties.scores.height == 0:
        return None
    s = bundle.counties.scores
    year = int(s["year"].max())  # type: ignore[arg-type]
    now = s.filter(pl.col("year") == year).sort("D", descending=True)
    best, worst = now.row(0, named=True), now.row(-1, named=True)
    findings = [t("rp_county_finding", year=year, best=best["region_name"], best_d=present.d_with_band(best),
                  worst=worst["region_name"], worst_d=present.d_with_band(worst)), *bundle.counties.warnings]
    table = present.counties_table(bundle)
    chart = Chart("county_d", "bar", f"{year} D", table.shown("region_name"), table.series("D"), horizontal=True, value_format=".2f")
    table = Table.of(table)
    return Section("counties", t("rp_counties"), findings, [chart], [table], source_line(PANEL_TABLES, bundle.generated_tables))


def peers(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    p = bundle.peers
    if p.height == 0:
        return None
    focus = p.filter(pl.col("is_focus"))
    findings = list(bundle.notes)
    if focus.height and "industry_score" in p.columns:
        ranked = p.sort("industry_score", descending=True)["region_code"].to_list()
        row = focus.row(0, named=True)
        findings.insert(0, t("rp_peer_finding", year=row["stats_year"], region=bundle.region_name, gdp=num(row["gdp"], 0), n=p.height,
                             rank=p["region_code"].to_list().index(row["region_code"]) + 1,
                             score_rank=ranked.index(row["region_code"]) + 1))
    gdp = present.peers_table(bundle)
    chart = Chart("peers_gdp", "bar", gdp.column("gdp").label, gdp.shown("name"), gdp.series("gdp"), horizontal=True,
                  value_format=",.0f")
    table = Table.of(gdp)
    return Section("peers", t("rp_peers"), findings, [chart], [table], source_line(["regional_economy"], bundle.generated_tables))


def forecast(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    if bundle.openings.height == 0:
        return None
    industries, by_year = present.openings_series(bundle)
    chart = Chart("openings", "bar", t("col_openings"), industries, by_year, horizontal=True, value_format=",.0f")
    level = pct(bundle.forecast.interval_level, 0) if bundle.forecast else ""
    finding = t("rp_forecast_finding", h=len(by_year), rate=pct(float(bundle.openings["exit_rate"][0])), level=level)
    return Section("forecast", t("rp_forecast"), [finding, *present.forecast_notes(bundle)], [chart],
                   [Table.of(present.forecast_table(bundle))],
                   source_line(["industry_stats"], bundle.generated_tables))


def methods(bundle: AnalysisBundle, Table: Any, Section: Any) -> Any:
    english = current_lang.get() == "en"
    rows = [[table_name(n, english), whole(rows),
             "—" if not rows else t("kind_generated") if n in bundle.generated_tables else t("kind_real")]
            for n, rows in bundle.table_rows.items()]
    sources = Table(t("rp_methods"), [t("h_table"), t("h_rows"), t("h_kind")], rows, numeric={1})
    city = bundle.city
    text = t("rp_methods_text", method=t(f"method_{city.method}") if city.method in ("wang", "classic", "fan") else city.method,
             normalisation=t(f"norm_{city.normalisation}"), release=city.release or "—",
             weighting=t(f"rp_weighting_{city.weighting}"))
    return Section("methods", t("rp_methods"), [text, *bundle.supply_demand.warnings], [], [sources], "")
