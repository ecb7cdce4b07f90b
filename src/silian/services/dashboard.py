"""View models of the dashboard: the table behind every chart (shown under the chart and downloaded as CSV or
Excel), the supply–demand gap drill-down, the pathway flows of the Sankey and the role-limited school table.

Everything is built from the cached :class:`AnalysisBundle` plus a few figures of the analysis year read once
per bundle (:func:`extras_for`): who offers each major, graduates' destinations by level, region names.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.domain.access import Principal, read_scope, row_in_scope
from silian.domain.errors import NotFound, PermissionDenied
from silian.domain.indicators import CHAIN_NAMES, CHAINS
from silian.domain.messages import current_lang, register_messages, t
from silian.services.analysis import AnalysisBundle
from silian.services.config import indicator_system
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.schema import hub_tables

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

# column kinds: how a value is shown (the downloads keep the raw value)
TEXT, INT, NUM3, NUM4, PCT, PCT_POINTS = "text", "int", "num3", "num4", "pct", "pct_points"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class DataTable:
    """A chart's data as a table: ``rows`` hold raw values (numbers stay numbers for Excel); ``marked`` are
    the indices of rows to highlight; ``links`` optional per-row query parameters (the drill-down)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    marked: frozenset[int] = frozenset()
    links: list[dict[str, str]] = field(default_factory=list)

    def values(self, key: str) -> list[Any]:
        """One column's values, by key."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class DashboardExtras:
    """Figures of the analysis year the bundle does not keep: every major point with students (who offers
    what), graduates' destinations by level, region names, and each major's crosswalk weight per key chain."""

    offerings: pl.DataFrame       # major_code, institution_code, school_name, students
    destinations: dict[str, dict[str, int]]  # level_key → graduates, continued, employed
    region_names: dict[str, str]
    chain_weights: pl.DataFrame   # major_code, chain, weight
    postings: PostingDemand | None = None  # posting-sourced demand in the hub (None: none imported)


@dataclass(frozen=True)
class PostingDemand:
    """Posting-sourced demand in the hub (``demand`` rows with ``source = posting``, every period), the share of
    production workers against statistics-based demand, and the salary quantiles saved by the last import."""

    records: pl.DataFrame          # region_code, period, occupation_code, skill_level, count
    bias: str | None               # posting_bias(): 大类 6 in postings vs statistics
    salaries: pl.DataFrame | None  # posting_demand.salary_summary of the last `postings import --load`
    salary_source: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return int(self.records["count"].sum())

    @property
    def periods(self) -> str:
        periods = self.records["period"].drop_nulls()
        first, last = (str(periods.min()), str(periods.max())) if len(periods) else ("", "")
        return first if first == last else f"{first}–{last}"


_EXTRAS: OrderedDict[int, tuple[AnalysisBundle, DashboardExtras]] = OrderedDict()
_LOCK = threading.Lock()
LEVEL_KEY = {"中职": "secondary", "技工学校": "secondary", "高职专科": "associate", "职业本科": "bachelor"}


def extras_for(db: Database, bundle: AnalysisBundle, settings: Settings | None = None) -> DashboardExtras:
    """The extras of ``bundle``, read once per bundle (a new bundle after a data change reads them again)."""
    with _LOCK:
        hit = _EXTRAS.get(id(bundle))
        if hit is not None and hit[0] is bundle:
            return hit[1]
    extras = read_extras(db, bundle.year, settings)
    with _LOCK:
        _EXTRAS[id(bundle)] = (bundle, extras)
        while len(_EXTRAS) > 8:
            _EXTRAS.popitem(last=False)
    return extras


def read_extras(db: Database, year: int, settings: Settings | None = None) -> DashboardExtras:
    """Read the extras of ``year`` (one query for the major points, one for the region names)."""
    m, i, r = hub_tables["major_points"], hub_tables["institutions"], hub_tables["regions"]
    query = (sa.select(m.c.major_code, m.c.institution_code, i.c.name, i.c.level, m.c.students, m.c.graduates,
                       m.c.employed, m.c.continued)
             .join(i, i.c.code == m.c.institution_code).where(m.c.year == year))
    schema = {"major_code": pl.String, "institution_code": pl.String, "school_name": pl.String, "level": pl.String,
              "students": pl.Int64, "graduates": pl.Int64, "employed": pl.Int64, "continued": pl.Int64}
    with db.engine.connect() as conn:
        points = pl.DataFrame(conn.execute(query).all(), schema=schema, orient="row")
        names = {code: name for code, name in conn.execute(sa.select(r.c.code, r.c.name))}
    points = points.with_columns(pl.col("level").replace_strict(LEVEL_KEY, default=None).alias("level_key"))
    destinations = {}
    for key in ("secondary", "associate", "bachelor"):
        rows = points.filter(pl.col("level_key") == key)
        destinations[key] = {c: int(rows[c].fill_null(0).sum()) for c in ("graduates", "continued", "employed")}
    offerings = (points.filter(pl.col("students").fill_null(0) > 0)
                 .select("major_code", "institution_code", "school_name", "students").sort("major_code", "students",
                                                                                         descending=[False, True]))
    return DashboardExtras(offerings=offerings, destinations=destinations, region_names=names,
                           chain_weights=_chain_weights(settings), postings=read_posting_demand(db, settings))


def read_posting_demand(db: Database, settings: Settings | None = None) -> PostingDemand | None:
    """Posting-sourced demand of the hub (None when no postings were imported), with the known bias and the
    saved salary quantiles (from ``settings.data_dir``)."""
    from silian.services.postings import posting_bias, read_salary_summary
    d = hub_tables["demand"]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(d.c.region_code, d.c.period, d.c.occupation_code, d.c.skill_level, d.c.count)
                            .where(d.c.source == "posting")).all()
        if not rows:
            return None
        stats = conn.execute(sa.select(d.c.occupation_code, sa.func.sum(d.c.count)).where(d.c.source == "statistics")
                             .group_by(d.c.occupation_code)).all()
    records = pl.DataFrame(rows, schema={"region_code": pl.String, "period": pl.String, "occupation_code": pl.String,
                                         "skill_level": pl.String, "count": pl.Int64}, orient="row")
    statistics = pl.DataFrame(stats, schema={"occupation_code": pl.String, "count": pl.Int64}, orient="row").with_columns(
        pl.lit("statistics").alias("source"))
    bias = posting_bias(records.group_by("occupation_code").agg(pl.col("count").sum().alias("postings")), statistics)
    saved = read_salary_summary(settings.data_dir) if settings is not None else None
    salaries, meta = saved if saved is not None else (None, {})
    return PostingDemand(records, bias, salaries, meta)



def _chain_weights(settings: Settings | None) -> pl.DataFrame:
    chains = indicator_system(settings).key_industries
    rows = [{"chain": chain, "industry_code": code} for chain, codes in chains.items() for code in codes]
    if not rows:
        return pl.DataFrame(schema={"major_code": pl.String, "chain": pl.String, "weight": pl.Float64})
    links = get_catalog().major_industries("major").select("major_code", "industry_code", "weight")
    return links.join(pl.DataFrame(rows), on="industry_code").group_by("major_code", "chain").agg(pl.col("weight").sum())


# ---------------------------------------------------------------- labels
def chain_label(key: str) -> str:
    return CHAIN_NAMES[key][1 if current_lang.get() == "en" else 0]


def level_label(key: object) -> str:
    return t(f"dash_level_{key}") if key in ("secondary", "associate", "bachelor") else str(key or "")


def card_label(card: object) -> str:
    return t(f"dash_card_{card}") if card in ("red", "yellow", "green") else "—"


def _titled(key: str, year: object) -> str:
    """A title with its year: ``标题（2023）`` or ``Title (2023)``."""
    return f"{t(key)} ({year})" if current_lang.get() == "en" else f"{t(key)}（{year}）"


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, t(label) if label else "", kind) for key, label, kind in spec)


# ---------------------------------------------------------------- overview
def coupling_table(b: AnalysisBundle) -> DataTable:
    s = b.city.scores
    columns = _cols(("year", "dash_c_year", TEXT), *[(f"U_{c}", "", NUM4) for c in CHAINS], ("C", "", NUM4), ("T", "", NUM4),
                    ("D", "", NUM4), ("level", "dash_c_level", TEXT), ("lag", "dash_c_lag", TEXT))
    columns = tuple(Column(c.key, f"U {chain_label(c.key[2:])}" if c.key.startswith("U_") else (c.label or c.key), c.kind)
                    for c in columns)
    rows = [tuple(r[c.key] for c in columns) for r in s.iter_rows(named=True)]
    return DataTable("coupling", t("dash_t_coupling"), columns, rows)


def latest_coupling_year(b: AnalysisBundle) -> int | None:
    years = b.city.scores["year"]
    return int(years.max()) if len(years) else None  # type: ignore[arg-type]


def obstacles_table(b: AnalysisBundle) -> DataTable:
    year = latest_coupling_year(b)
    top = b.city.obstacles.filter(pl.col("year") == year).sort("rank")
    columns = _cols(("rank", "dash_c_rank", INT), ("name", "dash_c_indicator", TEXT), ("chain", "dash_c_chain", TEXT),
                    ("obstacle", "dash_c_obstacle", NUM3))
    rows = [(r["rank"], r["name"], chain_label(r["chain"]), r["obstacle"]) for r in top.iter_rows(named=True)]
    return DataTable("obstacles", _titled("dash_t_obstacles", year), columns, rows)


def chain_obstacles_table(b: AnalysisBundle) -> DataTable:
    year = latest_coupling_year(b)
    chains = b.city.chain_obstacles.filter(pl.col("year") == year)
    columns = _cols(("chain", "dash_c_chain", TEXT), ("obstacle", "dash_c_obstacle", NUM3))
    return DataTable("chain-obstacles", _titled("dash_t_chain_obstacles", year), columns,
                     [(chain_label(c), o) for c, o in chains.select("chain", "obstacle").iter_rows()])


def card_counts(b: AnalysisBundle) -> dict[str, int]:
    cards = b.supply_demand.cards["card"]
    return {c: int((cards == c).sum()) for c in ("red", "yellow", "green")}


def _major_columns(*extra: tuple[str, str, str]) -> tuple[Column, ...]:
    return _cols(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT),
                 ("level", "dash_c_major_level", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                 ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT), *extra)


def _major_rows(frame: pl.DataFrame, *extra: Callable[[dict[str, Any]], Any]) -> list[tuple[Any, ...]]:
    return [(r["major_code"], r["major_name"] or "", level_label(r["level_key"]), r["supply"], r["demand"], r["gap"],
             r["gap_ratio"], *[f(r) for f in extra]) for r in frame.iter_rows(named=True)]


def _reasons(r: dict[str, Any]) -> str:
    return t("list_joiner").join(t(f"dash_reason_{k}") for k in r.get("reasons") or [])


def red_list_table(b: AnalysisBundle) -> DataTable:
    red = b.supply_demand.cards.filter(pl.col("card") == "red").sort("gap")
    return DataTable("red-list", t("dash_t_red_list"), _major_columns(("reasons", "dash_c_reasons", TEXT)),
                     _major_rows(red, _reasons))


def findings(b: AnalysisBundle) -> list[tuple[str, list[str]]]:
    """The key findings of the four diagnoses, as (diagnosis key, findings)."""
    return [("pathways", b.pathways.findings), ("schools", b.schools.findings),
            ("supply", b.supply_demand.findings), ("skills", b.skills.findings)]


# ---------------------------------------------------------------- counties
def _county_rows(b: AnalysisBundle) -> pl.DataFrame:
    if b.counties is None or b.counties.scores.height == 0:
        return pl.DataFrame()
    s = b.counties.scores
    return s.filter(pl.col("year") == s["year"].max()).sort("D", descending=True)


def _marked(frame: pl.DataFrame, county: str | None) -> frozenset[int]:
    if not county or frame.height == 0:
        return frozenset()
    return frozenset(i for i, code in enumerate(frame["region_code"].to_list()) if code == county)


def counties_table(b: AnalysisBundle, p: Principal) -> DataTable:
    now = _county_rows(b)
    columns = _cols(("region_name", "dash_c_region", TEXT), *[(f"U_{c}", "", NUM3) for c in CHAINS], ("C", "", NUM3),
                    ("T", "", NUM3), ("D", "", NUM3), ("level", "dash_c_level", TEXT), ("lag", "dash_c_lag", TEXT),
                    ("topsis", "dash_c_topsis", NUM3))
    columns = tuple(Column(c.key, chain_label(c.key[2:]) if c.key.startswith("U_") else (c.label or c.key), c.kind)
                    for c in columns)
    rows = [tuple(r[c.key] for c in columns) for r in now.iter_rows(named=True)] if now.height else []
    year = int(now["year"][0]) if now.height else b.year
    return DataTable("counties", _titled("dash_t_counties", year), columns, rows, _marked(now, p.county_code))


def county_u_table(b: AnalysisBundle, p: Principal) -> DataTable:
    full = counties_table(b, p)
    keep = [0, 1, 2, 3, 4]
    return DataTable("county-u", t("dash_t_county_u"), tuple(full.columns[i] for i in keep),
                     [tuple(r[i] for i in keep) for r in full.rows], full.marked)


def county_topsis_table(b: AnalysisBundle, p: Principal) -> DataTable:
    now = _county_rows(b)
    if now.height:
        now = now.sort("topsis", descending=True)
    columns = _cols(("region_name", "dash_c_region", TEXT), ("topsis", "dash_c_topsis", NUM3), ("rank", "dash_c_rank", INT))
    rows = [(r["region_name"], r["topsis"], i + 1) for i, r in enumerate(now.iter_rows(named=True))] if now.height else []
    return DataTable("county-topsis", t("dash_t_county_topsis"), columns, rows, _marked(now, p.county_code))


# ---------------------------------------------------------------- gaps
def gap_cells_table(b: AnalysisBundle) -> DataTable:
    """Every class × chain cell, classes ordered by their total absolute gap (the heatmap's rows)."""
    heat = b.supply_demand.by_class_chain
    columns = _cols(("class_name", "dash_c_class", TEXT), ("level", "dash_c_major_level", TEXT),
                    ("chain", "dash_c_key_chain", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                    ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT))
    if heat.height == 0:
        return DataTable("gap-heatmap", t("dash_t_gap_heatmap"), columns, [])
    size = heat.group_by("class_code").agg(pl.col("gap").abs().sum().alias("_size"))
    ordered = heat.join(size, on="class_code").sort(["_size", "class_code", "chain"], descending=[True, False, False])
    rows = [(r["class_name"], level_label(r["level_key"]), r["chain"], r["supply"], r["demand"], r["gap"], r["gap_ratio"])
            for r in ordered.iter_rows(named=True)]
    links = [{"class_code": c, "chain": ch} for c, ch in ordered.select("class_code", "chain").iter_rows()]
    return DataTable("gap-heatmap", t("dash_t_gap_heatmap"), columns, rows, links=links)


def chain_gaps_table(b: AnalysisBundle) -> DataTable:
    chains = b.supply_demand.by_chain.sort("gap")
    columns = _cols(("chain", "dash_c_key_chain", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                    ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT))
    return DataTable("chain-gaps", t("dash_t_chain_gaps"), columns,
                     [tuple(r[c.key] for c in columns) for r in chains.iter_rows(named=True)])


def mismatch_table(b: AnalysisBundle) -> DataTable:
    m = b.supply_demand.mismatch_trend
    columns = _cols(("year", "dash_c_year", TEXT), ("duncan", "", NUM3), ("sahin", "", NUM3), ("supply", "dash_c_supply", INT),
                    ("demand", "dash_c_demand", INT))
    columns = tuple(Column(c.key, c.label or {"duncan": "Duncan", "sahin": "Şahin"}[c.key], c.kind) for c in columns)
    return DataTable("mismatch", t("dash_t_mismatch"), columns, [tuple(r.values()) for r in m.select(
        "year", "duncan", "sahin", "supply", "demand").iter_rows(named=True)])


def grow_table(b: AnalysisBundle) -> DataTable:
    return DataTable("grow", t("dash_t_grow"), _major_columns(("related", "dash_c_related", PCT)),
                     _major_rows(b.supply_demand.grow, lambda r: r.get("related_rate")))


def cut_table(b: AnalysisBundle) -> DataTable:
    return DataTable("cut", t("dash_t_cut"), _major_columns(("related", "dash_c_related", PCT), ("reasons", "dash_c_reasons", TEXT)),
                     _major_rows(b.supply_demand.cut, lambda r: r.get("related_rate"), _reasons))


def gap_cell(b: AnalysisBundle, extras: DashboardExtras, class_code: str, chain: str) -> tuple[DataTable, dict[str, list[str]]]:
    """The drill-down of one heatmap cell: the majors of ``class_code`` carried into ``chain`` (their share
    of supply, demand and gap by the crosswalk weight), with their card, and the schools offering each in the
    analysis year. Returns the table and, per major code, the names of its schools."""
    cell = b.supply_demand.by_class_chain.filter((pl.col("class_code") == class_code) & (pl.col("chain") == chain))
    if cell.height == 0:
        raise NotFound(t("dash_unknown_cell", cls=class_code, chain=chain))
    majors = (b.supply_demand.by_major.filter(pl.col("class_code") == class_code)
              .join(extras.chain_weights.filter(pl.col("chain") == chain), on="major_code")
              .join(b.supply_demand.cards.select("major_code", "card"), on="major_code", how="left")
              .with_columns((pl.col("supply") * pl.col("weight")).alias("supply_in"),
                            (pl.col("demand") * pl.col("weight")).alias("demand_in"))
              .with_columns((pl.col("demand_in") - pl.col("supply_in")).alias("gap_in"))
              .filter((pl.col("supply_in") > 0) | (pl.col("demand_in") > 0))
              .sort(pl.col("gap_in").abs(), "major_code", descending=[True, False]))
    codes = majors["major_code"].to_list()
    offered = extras.offerings.filter(pl.col("major_code").is_in(codes))
    schools = {code: offered.filter(pl.col("major_code") == code)["school_name"].to_list() for code in codes}
    columns = _cols(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("weight", "dash_c_weight", PCT),
                    ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT), ("gap", "dash_c_gap", INT),
                    ("card", "dash_c_card", TEXT), ("schools", "dash_c_schools", INT),
                    ("school_list", "dash_c_school_list", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["weight"], r["supply_in"], r["demand_in"], r["gap_in"], card_label(r["card"]),
             len(schools[r["major_code"]]), t("list_joiner").join(schools[r["major_code"]]))
            for r in majors.iter_rows(named=True)]
    head = cell.row(0, named=True)
    title = t("dash_t_cell", cls=f"{head['class_name']}（{level_label(head['level_key'])}）", chain=chain)
    return DataTable("gap-cell", title, columns, rows), schools


# ---------------------------------------------------------------- pathways
def pathway_flows(b: AnalysisBundle, extras: DashboardExtras) -> DataTable:
    """The Sankey's links for the analysis year: 中职 and 高职专科 graduates → continuing / employed / other.
    Graduates and continuing come from the pathway funnel; employed from the same year's major points."""
    now = b.pathways.funnel.filter(pl.col("year") == b.year)
    funnel = now.row(0, named=True) if now.height else {}
    rows: list[tuple[Any, ...]] = []
    for level, source, up in (("secondary", "dash_node_sec", "dash_node_sec_up"), ("associate", "dash_node_asc", "dash_node_asc_up")):
        graduates = int(funnel.get(f"{level}_graduates") or 0)
        continued = int(funnel.get(f"{level}_continued") or 0)
        employed = min(extras.destinations.get(level, {}).get("employed", 0), max(graduates - continued, 0))
        other = max(graduates - continued - employed, 0)
        rows += [(t(source), t(target), value) for target, value in ((up, continued), ("dash_node_work", employed),
                                                                     ("dash_node_other", other)) if value > 0]
    columns = _cols(("source", "dash_c_from", TEXT), ("target", "dash_c_to", TEXT), ("value", "dash_c_people", INT))
    return DataTable("pathways", t("dash_t_pathways", year=b.year), columns, rows)


def funnel_table(b: AnalysisBundle) -> DataTable:
    f = b.pathways.funnel
    spec = [("year", "dash_c_year", TEXT), ("secondary_graduates", "dash_c_sec_grads", INT),
            ("secondary_continued", "dash_c_sec_cont", INT), ("secondary_progression_rate", "dash_c_sec_rate", PCT),
            ("associate_enrolment", "dash_c_asc_enrol", INT), ("associate_graduates", "dash_c_asc_grads", INT),
            ("associate_continued", "dash_c_asc_cont", INT), ("bachelor_enrolment", "dash_c_bach_enrol", INT)]
    columns = _cols(*spec)
    return DataTable("funnel", t("dash_t_funnel"), columns, [tuple(r[c.key] for c in columns) for r in f.iter_rows(named=True)])


def dead_ends_table(b: AnalysisBundle) -> DataTable:
    dead = b.pathways.seats.filter(pl.col("dead_end"))
    columns = _cols(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("graduates", "dash_c_graduates", INT),
                    ("continuing", "dash_c_continuing", INT), ("missing", "dash_c_missing", INT),
                    ("targets", "dash_c_targets", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["graduates"], r["continuing"], r["missing_seats"],
             t("list_joiner").join(r["targets_not_offered"] or [])) for r in dead.iter_rows(named=True)]
    return DataTable("dead-ends", t("dash_t_dead_ends"), columns, rows)


# ---------------------------------------------------------------- schools
def check_keys(b: AnalysisBundle) -> list[str]:
    return [c[3:] for c in b.schools.compliance.columns if c.startswith("ok_")]


def school_fails_table(b: AnalysisBundle) -> DataTable:
    fails = [(t("check_" + k[5:]), v) for k, v in b.schools.summary.items() if k.startswith("fail_")]
    return DataTable("school-fails", t("dash_t_school_fails"), _cols(("check", "dash_c_check", TEXT),
                                                                     ("schools", "dash_c_schools", INT)), fails)


def may_see_schools(p: Principal) -> bool:
    """Whether ``p`` sees any school row (enterprises and the public see the summary only)."""
    return read_scope(p, "institutions").kind != "none"


def compliance_table(b: AnalysisBundle, p: Principal, names: dict[str, str] | None = None) -> DataTable:
    """Per school the principal may see: students, each standard passed (True) or failed (False), passed
    count and compliance. Raises PermissionDenied for roles that see the summary only."""
    scope = read_scope(p, "institutions")
    if scope.kind == "none":
        raise PermissionDenied(t("dash_no_scope"))
    frame = b.schools.compliance
    keep = [row_in_scope(scope, {"code": code, "county_code": county})
            for code, county in frame.select("institution_code", "county_code").iter_rows()]
    frame = frame.filter(pl.Series(keep, dtype=pl.Boolean)).sort(["compliant", "passed", "name"])
    checks = check_keys(b)
    columns = (Column("institution_code", t("dash_c_code")), Column("name", t("dash_c_school")),
               Column("county", t("dash_c_county")), Column("students", t("dash_c_students"), INT),
               *[Column(f"ok_{k}", t("check_" + k), "check") for k in checks],
               Column("passed", t("dash_c_passed"), INT), Column("compliant", t("dash_c_compliant"), "check"))
    names = names or {}
    rows = [(r["institution_code"], r["name"], names.get(r["county_code"], r["county_code"]), r["students"],
             *[r[f"ok_{k}"] for k in checks], r["passed"], r["compliant"]) for r in frame.iter_rows(named=True)]
    return DataTable("school-compliance", t("dash_t_compliance"), columns, rows)


def simulations_table(b: AnalysisBundle) -> DataTable:
    columns = _cols(("plan", "dash_c_plan", TEXT), ("before", "dash_c_before", TEXT), ("after", "dash_c_after", TEXT),
                    ("share_before", "dash_c_share_before", PCT), ("share_after", "dash_c_share_after", PCT))
    rows = []
    for sim in b.schools.simulations:
        before, after = sim["before"], sim["after"]
        assert isinstance(before, dict) and isinstance(after, dict)
        rows.append((sim["plan"], f"{before['compliant']}/{before['schools']}", f"{after['compliant']}/{after['schools']}",
                     before["students_in_compliant"] / max(before["students"], 1),
                     after["students_in_compliant"] / max(after["students"], 1)))
    return DataTable("simulations", t("dash_t_simulations"), columns, rows)


def small_cohorts_table(b: AnalysisBundle) -> DataTable:
    names = dict(b.supply_demand.by_major.select("major_code", "major_name").iter_rows())
    columns = _cols(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("schools", "dash_c_schools", INT),
                    ("enrolment", "dash_c_enrolment", INT))
    rows = [(r["major_code"], names.get(r["major_code"]) or "", r["schools"], r["enrolment"])
            for r in b.schools.small_cohorts.iter_rows(named=True)]
    return DataTable("small-cohorts", t("dash_t_small"), columns, rows)


# ---------------------------------------------------------------- peers
def peers_table(b: AnalysisBundle) -> DataTable:
    p = b.peers
    columns = _cols(("name", "dash_c_region", TEXT), ("group", "dash_c_group", TEXT), ("gdp", "dash_c_gdp", INT),
                    ("secondary_share", "dash_c_secondary", PCT), ("tertiary_share", "dash_c_tertiary", PCT),
                    ("gdp_growth_5y", "dash_c_growth", PCT), ("industry_score", "dash_c_score", NUM3))
    rows = [(r["name"], t("dash_peer") if r["is_peer"] else t("dash_province"), r["gdp"], r["secondary_share"],
             r["tertiary_share"], r["gdp_growth_5y"], r.get("industry_score")) for r in p.iter_rows(named=True)]
    marked = frozenset(i for i, focus in enumerate(p["is_focus"].to_list()) if focus) if p.height else frozenset()
    year = int(p["stats_year"][0]) if p.height else b.year
    return DataTable("peers", _titled("dash_t_peers", year), columns, rows, marked)


def peer_score_table(b: AnalysisBundle) -> DataTable:
    full = peers_table(b)
    order = sorted(range(len(full.rows)), key=lambda i: -(full.rows[i][6] or 0.0))
    columns = (full.columns[0], full.columns[6])
    return DataTable("peer-score", t("dash_t_peer_score"), columns, [(full.rows[i][0], full.rows[i][6]) for i in order],
                     frozenset(n for n, i in enumerate(order) if i in full.marked))


# ---------------------------------------------------------------- posting-sourced demand
POSTING_TOP = 15


def _occupation_names() -> dict[str, str]:
    occupations = get_catalog().occupations
    return dict(zip(occupations["code"].to_list(), occupations["name"].to_list(), strict=True))


def _salary_lookup(e: DashboardExtras, dimension: str) -> dict[str, dict[str, Any]]:
    salaries = e.postings.salaries if e.postings is not None else None
    if salaries is None or salaries.height == 0:
        return {}
    return {r["key"]: r for r in salaries.filter(pl.col("dimension") == dimension).iter_rows(named=True)}


def posting_occupations_table(e: DashboardExtras) -> DataTable:
    """The occupations with the most postings (every period in the hub), with their share and median salary."""
    pd = e.postings
    columns = _cols(("code", "dash_c_code", TEXT), ("name", "dash_c_occupation", TEXT), ("postings", "dash_c_postings", INT),
                    ("share", "dash_c_share", PCT), ("p50", "dash_c_p50", INT))
    if pd is None:
        return DataTable("posting-occupations", t("dash_t_posting_occupations", periods="—"), columns, [])
    names, salary = _occupation_names(), _salary_lookup(e, "occupation")
    top = (pd.records.group_by("occupation_code").agg(pl.col("count").sum()).sort(["count", "occupation_code"], descending=[True, False])
           .head(POSTING_TOP))
    rows = [(code, names.get(code or "", code or ""), n, n / max(pd.total, 1), salary.get(code or "", {}).get("salary_p50"))
            for code, n in top.iter_rows()]
    return DataTable("posting-occupations", t("dash_t_posting_occupations", periods=pd.periods), columns, rows)


def posting_classes_table(b: AnalysisBundle, e: DashboardExtras) -> DataTable:
    """Posting demand of the alignment year carried to 专业类 exactly as the alignment analysis carries it
    (occupation → majors by the MOHRSS crosswalk): the ``demand_posting`` of its class table."""
    sd = b.supply_demand
    columns = _cols(("class_name", "dash_c_class", TEXT), ("level", "dash_c_major_level", TEXT),
                    ("postings", "dash_c_postings", NUM3))
    by_class = sd.by_class
    rows: list[tuple[Any, ...]] = []
    if e.postings is not None and "demand_posting" in by_class.columns:
        top = (by_class.filter(pl.col("demand_posting") > 0).sort(["demand_posting", "class_code"], descending=[True, False])
               .head(POSTING_TOP))
        rows = [(r["class_name"], level_label(r["level_key"]), round(float(r["demand_posting"]), 1)) for r in top.iter_rows(named=True)]
    return DataTable("posting-classes", t("dash_t_posting_classes", year=sd.year), columns, rows)


def posting_counties_table(e: DashboardExtras) -> DataTable:
    """Postings per county (or city, when the posting names no county), with share and median salary."""
    pd = e.postings
    columns = _cols(("region", "dash_c_county", TEXT), ("postings", "dash_c_postings", INT), ("share", "dash_c_share", PCT),
                    ("p50", "dash_c_p50", INT))
    if pd is None:
        return DataTable("posting-counties", t("dash_t_posting_counties", periods="—"), columns, [])
    salary = _salary_lookup(e, "region")
    by_region = pd.records.group_by("region_code").agg(pl.col("count").sum()).sort(["count", "region_code"], descending=[True, False])
    rows = [(e.region_names.get(code, code), n, n / max(pd.total, 1), salary.get(code, {}).get("salary_p50"))
            for code, n in by_region.iter_rows()]
    return DataTable("posting-counties", t("dash_t_posting_counties", periods=pd.periods), columns, rows)


def posting_salaries_table(e: DashboardExtras) -> DataTable:
    """Salary quantiles (P25, median, P75) of all postings and of the occupations with the most postings."""
    columns = _cols(("name", "dash_c_occupation", TEXT), ("p25", "dash_c_p25", INT), ("p50", "dash_c_p50", INT),
                    ("p75", "dash_c_p75", INT), ("salary_n", "dash_c_salary_n", INT))
    pd = e.postings
    overall, by_occupation = _salary_lookup(e, "all"), _salary_lookup(e, "occupation")
    if pd is None or not by_occupation:
        return DataTable("posting-salaries", t("dash_t_posting_salaries", periods=pd.periods if pd else "—"), columns, [])
    names = _occupation_names()
    rows = []
    for key, label in [("", t("dash_all_postings"))] + [(r[0], r[1]) for r in posting_occupations_table(e).rows]:
        r = overall.get("") if key == "" else by_occupation.get(key)
        if r is not None and r["salary_n"]:
            rows.append((label or names.get(key, key), r["salary_p25"], r["salary_p50"], r["salary_p75"], r["salary_n"]))
    return DataTable("posting-salaries", t("dash_t_posting_salaries", periods=pd.periods), columns, rows)


# ---------------------------------------------------------------- registry and exports
Builder = Callable[[AnalysisBundle, DashboardExtras, Principal], DataTable]
TABLES: dict[str, Builder] = {
    "coupling": lambda b, e, p: coupling_table(b), "obstacles": lambda b, e, p: obstacles_table(b),
    "chain-obstacles": lambda b, e, p: chain_obstacles_table(b), "red-list": lambda b, e, p: red_list_table(b),
    "counties": lambda b, e, p: counties_table(b, p), "county-u": lambda b, e, p: county_u_table(b, p),
    "county-topsis": lambda b, e, p: county_topsis_table(b, p), "gap-heatmap": lambda b, e, p: gap_cells_table(b),
    "chain-gaps": lambda b, e, p: chain_gaps_table(b), "mismatch": lambda b, e, p: mismatch_table(b), "grow": lambda b, e, p: grow_table(b), "cut": lambda b, e, p: cut_table(b),
    "pathways": lambda b, e, p: pathway_flows(b, e), "funnel": lambda b, e, p: funnel_table(b),
    "dead-ends": lambda b, e, p: dead_ends_table(b), "school-fails": lambda b, e, p: school_fails_table(b),
    "school-compliance": lambda b, e, p: compliance_table(b, p, e.region_names),
    "simulations": lambda b, e, p: simulations_table(b), "small-cohorts": lambda b, e, p: small_cohorts_table(b),
    "peers": lambda b, e, p: peers_table(b), "peer-score": lambda b, e, p: peer_score_table(b),
    "posting-occupations": lambda b, e, p: posting_occupations_table(e), "posting-classes": lambda b, e, p: posting_classes_table(b, e),
    "posting-counties": lambda b, e, p: posting_counties_table(e), "posting-salaries": lambda b, e, p: posting_salaries_table(e),
}


def build_table(table_id: str, b: AnalysisBundle, extras: DashboardExtras, p: Principal) -> DataTable:
    """The table behind chart ``table_id`` as ``p`` may see it (NotFound for an unknown id)."""
    builder = TABLES.get(table_id)
    if builder is None:
        raise NotFound(t("dash_unknown_table", name=table_id))
    return builder(b, extras, p)


def export_value(value: Any, kind: str) -> Any:
    """A cell as written to a file: numbers stay numbers (rounded), checks become yes/no."""
    if value is None:
        return ""
    if kind == "check" or isinstance(value, bool):
        return t("dash_yes") if value else t("dash_no")
    if kind == INT and isinstance(value, float):
        return round(value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return t("list_joiner").join(map(str, value))
    return value


def _export_rows(table: DataTable) -> list[list[Any]]:
    return [[export_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]


def to_csv(table: DataTable) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), a header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    writer.writerows(_export_rows(table))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: DataTable, notes: Sequence[str] = ()) -> bytes:
    """One sheet: the header row (bold, frozen), the rows, then ``notes`` (e.g. the generated-data mark)."""
    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(table.id[:31])
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    sheet.write_row(0, 0, [c.label for c in table.columns], bold)
    for i, row in enumerate(_export_rows(table), start=1):
        sheet.write_row(i, 0, row)
    for j, note in enumerate(notes):
        sheet.write(len(table.rows) + 2 + j, 0, note)
    for j, column in enumerate(table.columns):
        sheet.set_column(j, j, max(10, min(40, len(column.label) * 2 + 2)))
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
