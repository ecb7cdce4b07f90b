"""Next year's enrolment plan for a region: the problem built from the hub (current enrolment, school
capacity, demand targets, key-chain priorities), solved, and turned into tables a bureau can act on — the
plan, the change against this year with a reason per change, the binding constraints and the predicted
effect on the gap, the Duncan index over 专业类 and the four-chain coupling D. Method card:
docs/methods/enrolment_plan.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from silian.analytics import alignment as al
from silian.analytics import enrolment_plan as ep
from silian.analytics.mismatch import dissimilarity_index
from silian.analytics.schools import SECONDARY_LEVELS
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t
from silian.domain.vocab import MAJOR_LEVELS, SCHOOL_LEVELS
from silian.services.analysis import default_year, forecast_industry_openings, resolve_region
from silian.services.config import analysis_config, indicator_system
from silian.services.four_chains import analyse_four_chains, major_key_weights
from silian.services.hub import HubSnapshot, load_hub
from silian.services.supply_demand import alignment_inputs, demand_years
from silian.settings import Settings
from silian.storage.database import Database

register_messages({
    "plan_no_schools": ("{region} 在 {year} 年没有{levels}学校的招生数据", "{region} has no enrolment at {levels} schools in {year}"),
    "plan_grow_new": ("缺口 {gap:,.0f} 人，新开专业（本校已开同类专业）", "Shortage of {gap:,.0f}: open the major (the school teaches its class)"),
    "plan_grow_cap": ("缺口 {gap:,.0f} 人，扩招至产能上限", "Shortage of {gap:,.0f}: grow to the school's capacity"),
    "plan_grow_step": ("缺口 {gap:,.0f} 人，扩招至年度调整上限", "Shortage of {gap:,.0f}: grow by the largest yearly step"),
    "plan_grow": ("缺口 {gap:,.0f} 人，扩招 {n:,.0f} 人", "Shortage of {gap:,.0f}: grow by {n:,.0f}"),
    "plan_grow_cohort": ("班额不足，补足至最小班额 {cohort:,.0f} 人", "Cohort too small: raised to the minimum of {cohort:,.0f}"),
    "plan_grow_total": ("为满足中职招生总量（职普比）下限而扩招", "Grown to meet the lower bound on the 中职 total (职普 ratio)"),
    "plan_close_small": ("低于最小班额 {cohort:,.0f} 人，停招", "Below the minimum cohort of {cohort:,.0f}: stop enrolling"),
    "plan_close_surplus": ("供给过剩 {pct:.0%}，停招", "Surplus of {pct:.0%} of supply: stop enrolling"),
    "plan_close_forced": ("按指定停招", "Closed as instructed"),
    "plan_cut_cohort": ("供给过剩 {pct:.0%}，压减至最小班额", "Surplus of {pct:.0%} of supply: cut to the minimum cohort"),
    "plan_cut_step": ("供给过剩 {pct:.0%}，按年度调整上限压减", "Surplus of {pct:.0%} of supply: cut by the largest yearly step"),
    "plan_cut": ("供给过剩 {pct:.0%}，压减 {n:,.0f} 人", "Surplus of {pct:.0%} of supply: cut by {n:,.0f}"),
    "plan_cut_capacity": ("学校招生超出办学能力，压减", "The school enrols beyond its capacity: cut"),
    "plan_cut_total": ("为满足中职招生总量上限而压减", "Cut to meet the upper bound on the 中职 total"),
    "plan_shift": ("调剂：本校其他专业缺口更大", "Shifted: other majors of the school have larger shortages"),
    "plan_same": ("维持", "Unchanged"),
    "plan_note_over_capacity": ("{n} 所学校今年招生已超出办学能力（按教师、工位、校舍折算），其上限取今年招生的 {floor:.0%}",
                                "{n} schools already enrol beyond their capacity (teachers, stations, buildings); their cap is {floor:.0%} of this year's"),
    "plan_note_region": ("需求与供给口径取全库数据（对齐分析），学校与专业点限于 {region}", "Demand and supply come from the whole hub (alignment); schools and offerings are those of {region}"),
    "plan_note_forecast": ("需求按重点行业就业预测从 {base} 年推至毕业年 {grad} 年（回测误差中位数 {mape:.1f}%）",
                           "Demand carried from {base} to the graduation year {grad} by the employment forecast of each major's industries (median backtest error {mape:.1f}%)"),
    "plan_infeasible": ("无可行招生计划：{families} 相互冲突；最少需放宽：{detail}", "No feasible plan: {families} conflict; the least relaxation: {detail}"),
    "plan_levels": ("招生计划一次只能针对一个培养层次（如 中职、技工学校）：{levels}", "Plan one catalogue level at a time (e.g. 中职 and 技工学校): {levels}"),
    "plan_note_coupling": ("耦合协调度 D 的预测：在最近完整年份的指标上，只把专业点换成“今年招生”与“计划招生”各自的稳态（同一套熵权）",
                           "Coupling D predicted on the latest complete year's indicators with the offerings replaced by the steady state of this year's and of the planned enrolment (one set of entropy weights)"),
    "plan_note_no_coupling": ("无法预测耦合协调度 D：{detail}", "Coupling D cannot be predicted: {detail}"),
    "plan_status_time_limit": ("求解达到时间上限：给出的是目前最好的方案，距证明最优还差 {gap:.2%}", "Time limit reached: the best plan found, within {gap:.2%} of proven optimal"),
})
FAMILY_NAMES = {"capacity": ("办学能力", "capacity"), "change_up": ("年度扩招上限", "maximum yearly increase"),
                "change_down": ("年度压减上限", "maximum yearly cut"), "min_cohort": ("最小班额", "minimum cohort"),
                "keep": ("保留（不得停招）", "keep open"), "close": ("指定停招", "forced closure"),
                "total_min": ("中职总量下限（职普比）", "lower bound on the 中职 total"),
                "total_max": ("中职总量上限（职普比）", "upper bound on the 中职 total")}
DURATION = {"secondary": 3, "associate": 3, "bachelor": 4}


@dataclass(frozen=True)
class PlanOptions:
    """The planning rules (defaults in docs/methods/enrolment_plan.md)."""

    max_change: float = 0.2             # relative change per offering and year
    min_cohort: float = 30              # students; an offering enrols 0 or at least this
    change_floor: float | None = None   # students any offering may move anyway (default: min_cohort)
    key_chain_bonus: float = 1.0        # weight 1 + bonus × (share of the major in the key industry chains)
    students_per_station: float = 3.0   # students one training station serves over a programme
    close_surplus: float = 0.30         # an offering may close when its major's supply exceeds demand by this
    open_new: bool = True               # schools may open shortage majors of a 专业类 they already teach
    new_cohort_max: float | None = None  # largest first cohort of a new offering (default: 2 × min_cohort)
    grow_surplus: bool = False          # may offerings of a major in surplus grow (e.g. to meet the 中职 total)?
    total_bounds: tuple[float, float] = (1.0, 1.10)  # 中职 total as a share of this year's (职普 ratio)
    use_forecast: bool = True
    levels: tuple[str, ...] = SECONDARY_LEVELS
    time_limit: float = 60.0
    mip_rel_gap: float = 1e-3


@dataclass(frozen=True)
class EnrolmentPlan:
    """The plan and everything said about it; frames documented in docs/methods/enrolment_plan.md."""

    region_code: str
    region_name: str
    year: int
    plan_year: int
    status: str
    plan: pl.DataFrame          # one row per offering: current, planned, change, status, reason, binding
    majors: pl.DataFrame        # one row per major: demand, yield, target, current and planned totals, gaps
    binding: pl.DataFrame       # binding constraints with names
    effect: dict[str, Any]
    result: ep.PlanResult
    options: PlanOptions
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> pl.DataFrame:
        return self.plan.filter(pl.col("change") != 0)


def plan_enrolment(db: Database | None = None, *, hub: HubSnapshot | None = None, settings: Settings | None = None,
                   region: str | None = None, year: int | None = None, options: PlanOptions | None = None,
                   keep: Sequence[tuple[str, str]] = (), close: Sequence[tuple[str, str]] = (),
                   catalog: Catalog | None = None) -> EnrolmentPlan:
    """Plan ``year + 1``'s enrolment for ``region`` (defaults as in `silian analyze`); ``keep`` and
    ``close`` are (school code, major code) pairs that must stay open or must close."""
    settings, options, catalog = settings or Settings(), options or PlanOptions(), catalog or get_catalog()
    if hub is None:
        assert db is not None
        hub = load_hub(db)
    code, name = resolve_region(hub, region)
    year = default_year(hub, year)
    inputs = _Inputs(hub, catalog, settings, code, name, year, options)
    problem = inputs.problem(set(keep), set(close))
    result = ep.solve_enrolment_plan(problem, time_limit=options.time_limit, mip_rel_gap=options.mip_rel_gap)
    if not result.feasible:
        return EnrolmentPlan(code, name, year, year + 1, result.status, pl.DataFrame(), inputs.majors, pl.DataFrame(),
                             {}, result, options, [*inputs.notes, infeasible_text(result)])
    if result.status == "time_limit":
        inputs.notes.append(t("plan_status_time_limit", gap=result.mip_gap))
    plan = inputs.plan_frame(problem, result)
    majors = inputs.major_frame(plan)
    effect = inputs.effect(plan, majors)
    return EnrolmentPlan(code, name, year, year + 1, result.status, plan, majors, _binding(result, inputs), effect,
                         result, options, list(inputs.notes))


def infeasible_text(result: ep.PlanResult) -> str:
    """The diagnosis in words: the conflicting families and the least relaxation."""
    lang = 0 if t("plan_same") == "维持" else 1
    diagnosis = result.diagnosis
    if diagnosis is None:
        return result.status
    families = t("list_joiner").join(FAMILY_NAMES[f][lang] for f in diagnosis.families)
    rows = diagnosis.violations.head(8).iter_rows(named=True)
    detail = t("list_joiner").join(f"{FAMILY_NAMES[r['family']][lang]} {r['school'] or ''} {r['major'] or ''} {r['amount']:,.0f}"
                                   .replace("  ", " ") for r in rows)
    return t("plan_infeasible", families=families, detail=detail)


class _Inputs:
    """The hub, read once for the plan: scope schools, offerings, capacity, demand targets, yields."""

    def __init__(self, hub: HubSnapshot, catalog: Catalog, settings: Settings, code: str, name: str, year: int,
                 options: PlanOptions):
        self.hub, self.catalog, self.code, self.name, self.year, self.o = hub, catalog, code, name, year, options
        self.system, self.config = indicator_system(settings), analysis_config(settings)
        self.notes = [t("plan_note_region", region=name)]
        self.schools = self._schools()
        self.level_keys = sorted({MAJOR_LEVELS[SCHOOL_LEVELS.get(lv, lv)] for lv in options.levels if SCHOOL_LEVELS.get(lv, lv) in MAJOR_LEVELS})
        if len(self.level_keys) != 1:
            raise InvalidInput(t("plan_levels", levels="、".join(options.levels)))
        self.duration = DURATION[self.level_keys[0]]
        points = hub["major_points"].filter(pl.col("institution_code").is_in(self.schools["institution_code"].to_list()))
        self.points = points
        self.current = points.filter((pl.col("year") == year) & (pl.col("enrolment") > 0)).select(
            "institution_code", "major_code", pl.col("enrolment").cast(pl.Float64).alias("current"))
        if self.current.height == 0:
            raise InvalidInput(t("plan_no_schools", region=name, year=year, levels="、".join(options.levels)))
        self.majors = self._majors()

    def _schools(self) -> pl.DataFrame:
        regions = self.hub["regions"]
        counties = regions.filter((pl.col("parent_code") == self.code) | (pl.col("code") == self.code))["code"].to_list()
        schools = self.hub["institutions"].filter(pl.col("county_code").is_in(counties) & pl.col("level").is_in(list(self.o.levels)))
        return schools.select(pl.col("code").alias("institution_code"), pl.col("name").alias("school_name"), "level")

    def _majors(self) -> pl.DataFrame:
        """Per major of the scope's catalogue levels: demand (graduates to the labour market, forecast to the
        graduation year), yield per entrant, target entrants, weight, and this year's gap."""
        inputs = alignment_inputs(self.hub, self.catalog, self.config, self.system)
        self.sd_year = max([y for y in demand_years(self.hub) if y <= self.year], default=self.year)
        by_major, _ = al.gaps_by_major(inputs, self.sd_year)
        frame = by_major.filter(pl.col("level_key").is_in(self.level_keys))
        completion = self._completion()
        growth = self._growth(frame)
        key = major_key_weights(self.catalog, self.system.key_industry_codes())
        frame = (frame.join(completion, on="major_code", how="left").join(growth, on="major_code", how="left")
                 .with_columns(pl.col("completion").fill_null(pl.col("completion").mean()).fill_null(0.9).clip(0.5, 1.0),
                               pl.col("continued_rate").fill_null(pl.col("continued_rate").mean()).fill_null(0.0).clip(0.0, 0.95),
                               pl.col("growth").fill_null(1.0),
                               pl.col("major_code").replace_strict(key, default=0.0, return_dtype=pl.Float64).alias("key_share")))
        return frame.with_columns(
            (pl.col("completion") * (1 - pl.col("continued_rate"))).alias("yield"),
            (pl.col("demand") * pl.col("growth")).alias("demand_forecast"),
            (1 + self.o.key_chain_bonus * pl.col("key_share")).alias("weight"),
        ).with_columns((pl.col("demand_forecast") / pl.col("yield")).round(0).alias("target"))

    def _completion(self) -> pl.DataFrame:
        """Graduates over the entrants of ``duration`` years before, over the last three years, per major."""
        duration = self.duration
        pts = self.points.select("institution_code", "major_code", "year", "enrolment", "graduates")
        entry = pts.select("institution_code", "major_code", (pl.col("year") + duration).alias("year"),
                           pl.col("enrolment").alias("entrants"))
        window = pts.filter(pl.col("year").is_between(self.year - 2, self.year)).join(
            entry, on=["institution_code", "major_code", "year"], how="inner")
        return window.group_by("major_code").agg((pl.col("graduates").sum() / pl.col("entrants").sum()).alias("completion")).filter(
            pl.col("completion").is_finite())

    def _growth(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Demand growth from the demand year to the graduation year: the forecast employment of each major's
        industries (crosswalk weights; a 大类 missing from the statistics uses its 门类)."""
        grad = self.year + 1 + self.duration - 1
        stats = self.hub["industry_stats"].filter((pl.col("region_code") == self.code) & pl.col("employment").is_not_null())
        if not self.o.use_forecast or stats.height == 0:
            return pl.DataFrame(schema={"major_code": pl.String, "growth": pl.Float64})
        last = int(stats["year"].max())  # type: ignore[arg-type]
        result, _ = forecast_industry_openings(self.hub, self.code, max(grad - last, 1), 0.0)
        if result is None:
            return pl.DataFrame(schema={"major_code": pl.String, "growth": pl.Float64})
        level = pl.concat([stats.select(pl.col("industry_code").alias("series"), "year", pl.col("employment").alias("value")),
                           result.forecasts.select("series", "year", pl.col("forecast").alias("value"))], how="vertical_relaxed")
        base = level.filter(pl.col("year") == min(self.sd_year, last)).select("series", pl.col("value").alias("base"))
        end = level.filter(pl.col("year") == grad).select("series", pl.col("value").alias("end"))
        ratio = base.join(end, on="series").with_columns((pl.col("end") / pl.col("base")).clip(0.5, 2.0).alias("g"))
        codes = ratio["series"].to_list()
        parent = dict(zip(self.catalog.industries["code"], self.catalog.industries["parent_code"], strict=False))
        links = self.catalog.major_industries("major").filter(pl.col("major_code").is_in(frame["major_code"].to_list()))
        links = links.with_columns(pl.col("industry_code").map_elements(
            lambda c: c if c in codes else parent.get(c, c), return_dtype=pl.String).alias("series"))
        mape = result.forecasts["backtest_mape"].drop_nulls().median()
        self.notes.append(t("plan_note_forecast", base=min(self.sd_year, last), grad=grad, mape=float(mape or 0.0)))  # type: ignore[arg-type]
        return (links.join(ratio.select("series", "g"), on="series", how="inner").group_by("major_code")
                .agg(((pl.col("g") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("growth")))

    def capacity(self) -> pl.DataFrame:
        """Entrant seats per school: min(teachers × ratio, stations × students per station, building m² ÷ m² per
        student) ÷ years of study, with the 设置标准 thresholds of analysis.toml [school_standards]."""
        std = self.config.section("school_standards")
        ratio, m2 = float(std.get("max_student_teacher_ratio", 20)), float(std.get("min_building_m2_per_student", 20))
        res = self.hub["institution_resources"].filter(pl.col("year") <= self.year).sort("year").group_by(
            "institution_code").last()
        years = self.duration
        seats = pl.min_horizontal(pl.col("teachers") * ratio, pl.col("training_stations") * self.o.students_per_station,
                                  pl.col("building_area_m2") / m2) / years
        return res.select("institution_code", seats.alias("seats"))

    def problem(self, keep: set[tuple[str, str]], close: set[tuple[str, str]]) -> ep.EnrolmentProblem:
        pairs = self._pairs()
        majors = self.majors.filter(pl.col("major_code").is_in(pairs["major_code"].unique().to_list())).sort("major_code")
        pairs = pairs.filter(pl.col("major_code").is_in(majors["major_code"].to_list()))
        schools = self.schools.filter(pl.col("institution_code").is_in(pairs["institution_code"].unique().to_list())).sort("institution_code")
        s_index = {c: i for i, c in enumerate(schools["institution_code"].to_list())}
        m_index = {c: i for i, c in enumerate(majors["major_code"].to_list())}
        ps = np.array([s_index[c] for c in pairs["institution_code"].to_list()])
        pm = np.array([m_index[c] for c in pairs["major_code"].to_list()])
        current = pairs["current"].to_numpy().astype(float)
        load = np.bincount(ps, current, len(s_index))
        seats = schools.join(self.capacity(), on="institution_code", how="left")["seats"].fill_null(float("inf")).to_numpy()
        floor = 1 - self.o.max_change
        over = seats < load * floor
        if over.any():
            self.notes.append(t("plan_note_over_capacity", n=int(over.sum()), floor=floor))
        capacity = np.floor(np.maximum(seats, load * floor))
        gap_ratio = majors["gap_ratio"].fill_null(0.0).to_numpy()
        key = list(zip(pairs["institution_code"].to_list(), pairs["major_code"].to_list(), strict=True))
        surplus = majors["gap"].fill_null(0.0).to_numpy() < 0
        new_max = 2 * self.o.min_cohort if self.o.new_cohort_max is None else self.o.new_cohort_max
        grow_limit = np.where(surplus[pm] & ~self.o.grow_surplus & (current > 0), current, np.inf)
        may_close = (current < self.o.min_cohort) | (gap_ratio[pm] <= -self.o.close_surplus) | (current == 0)
        may_close &= ~np.array([k in keep for k in key])
        secondary = schools["level"].is_in(list(SECONDARY_LEVELS)).to_numpy()
        base = float(current[secondary[ps]].sum())
        self.pairs, self.schools_used, self.majors_used = pairs, schools, majors
        return ep.EnrolmentProblem(
            schools=tuple(s_index), majors=tuple(m_index), pair_school=ps, pair_major=pm, current=current,
            capacity=capacity, target=majors["target"].to_numpy().astype(float), weight=majors["weight"].to_numpy().astype(float),
            min_cohort=np.full(len(ps), float(self.o.min_cohort)), may_close=may_close,
            force_close=np.array([k in close for k in key]), max_change=self.o.max_change,
            change_floor=float(self.o.min_cohort if self.o.change_floor is None else self.o.change_floor), grow_limit=grow_limit,
            new_cohort_max=float(new_max),
            in_total=secondary, total_min=np.ceil(base * self.o.total_bounds[0]) if base else None,
            total_max=np.floor(base * self.o.total_bounds[1]) if base else None)

    def _pairs(self) -> pl.DataFrame:
        """This year's offerings plus, with ``open_new``, shortage majors of a 专业类 the school teaches."""
        current = self.current.join(self.schools.select("institution_code"), on="institution_code")
        if not self.o.open_new:
            return current
        classes = self.majors.select("major_code", "class_code")
        taught = current.join(classes, on="major_code").select("institution_code", "class_code").unique()
        short = self.majors.filter((pl.col("target") > 0) & (pl.col("gap") > 0)).select("major_code", "class_code")
        new = (taught.join(short, on="class_code").select("institution_code", "major_code")
               .join(current, on=["institution_code", "major_code"], how="anti").with_columns(current=pl.lit(0.0)))
        return pl.concat([current, new]).sort("institution_code", "major_code")

    def plan_frame(self, problem: ep.EnrolmentProblem, result: ep.PlanResult) -> pl.DataFrame:
        """One row per offering: names, current, planned, change, status, binding families and the reason."""
        plan = self.pairs.with_columns(pl.Series("planned", result.enrolment)).with_columns(
            (pl.col("planned") - pl.col("current")).alias("change"))
        cons = result.constraints.filter(pl.col("binding"))
        pair_bind = cons.filter(pl.col("major").is_not_null()).group_by("school", "major").agg(pl.col("family").alias("binding"))
        school_bind = set(cons.filter(pl.col("family") == "capacity")["school"].to_list())
        totals = set(cons.filter(pl.col("family").str.starts_with("total"))["family"].to_list())
        names = self.majors_used.select("major_code", "major_name", "class_code", "class_name", "gap", "gap_ratio")
        plan = (plan.join(self.schools_used, on="institution_code", how="left").join(names, on="major_code", how="left")
                .join(pair_bind.rename({"school": "institution_code", "major": "major_code"}), on=["institution_code", "major_code"], how="left")
                .with_columns(pl.col("binding").fill_null([])))
        closed = {(problem.schools[s], problem.majors[m]) for s, m, f in zip(problem.pair_school, problem.pair_major, problem.force_close, strict=True) if f}
        status, reasons, binding = [], [], []
        for r in plan.iter_rows(named=True):
            fams = list(r["binding"]) + (["capacity"] if r["institution_code"] in school_bind else [])
            status.append(_status(r))
            reasons.append(self._reason(r, fams + sorted(totals), (r["institution_code"], r["major_code"]) in closed))
            binding.append(fams)
        return plan.with_columns(pl.Series("status", status), pl.Series("reason", reasons),
                                 pl.Series("binding", binding, dtype=pl.List(pl.String)),
                                 pl.when(pl.col("current") > 0).then(pl.col("change") / pl.col("current")).alias("change_pct")
                                 ).sort("institution_code", "major_code")

    def _reason(self, r: dict[str, Any], fams: list[str], forced: bool) -> str:
        gap, ratio, cohort, change = r["gap"] or 0.0, -(r["gap_ratio"] or 0.0), self.o.min_cohort, r["change"]
        if change > 0:
            if r["current"] == 0:
                return t("plan_grow_new", gap=gap)
            if gap <= 0:
                if r["planned"] <= cohort and r["current"] < cohort:
                    return t("plan_grow_cohort", cohort=cohort)
                return t("plan_grow_total") if "total_min" in fams else t("plan_grow", gap=max(gap, 0.0), n=change)
            if "capacity" in fams:
                return t("plan_grow_cap", gap=gap)
            return t("plan_grow_step", gap=gap) if "change_up" in fams else t("plan_grow", gap=gap, n=change)
        if change < 0:
            if r["planned"] == 0:
                if forced:
                    return t("plan_close_forced")
                return t("plan_close_small", cohort=cohort) if r["current"] < cohort else t("plan_close_surplus", pct=ratio)
            if gap < 0:
                if "min_cohort" in fams:
                    return t("plan_cut_cohort", pct=ratio)
                return t("plan_cut_step", pct=ratio) if "change_down" in fams else t("plan_cut", pct=ratio, n=-change)
            if "capacity" in fams:
                return t("plan_cut_capacity")
            return t("plan_cut_total") if "total_max" in fams else t("plan_shift")
        return t("plan_same")

    def major_frame(self, plan: pl.DataFrame) -> pl.DataFrame:
        """Per major: this year's and the planned entrants, and the steady-state gap of each (entrants × yield
        against the forecast demand, in graduates entering the labour market)."""
        totals = plan.group_by("major_code").agg(pl.col("current").sum().alias("entrants_now"),
                                                 pl.col("planned").sum().alias("entrants_plan"))
        return (self.majors.join(totals, on="major_code", how="left")
                .with_columns(pl.col("entrants_now", "entrants_plan").fill_null(0.0))
                .with_columns((pl.col("demand_forecast") - pl.col("entrants_now") * pl.col("yield")).alias("gap_now"),
                              (pl.col("demand_forecast") - pl.col("entrants_plan") * pl.col("yield")).alias("gap_plan"))
                .select("major_code", "major_name", "class_code", "class_name", "level_key", "supply", "demand",
                        "gap", "gap_ratio", "completion", "continued_rate", "yield", "growth", "demand_forecast",
                        "key_share", "weight", "target", "entrants_now", "entrants_plan", "gap_now", "gap_plan")
                .sort("major_code"))

    def effect(self, plan: pl.DataFrame, majors: pl.DataFrame) -> dict[str, Any]:
        """Σ|gap|, weighted Σ|gap| and the Duncan index over 专业类 for this year's enrolment and for the plan
        (both at steady state, same yields and demand), and the coupling D recomputed the same way."""
        out: dict[str, Any] = {}
        for label, column in (("now", "gap_now"), ("plan", "gap_plan")):
            out[f"gap_abs_{label}"] = float(majors[column].abs().sum())
            out[f"gap_weighted_{label}"] = float((majors[column].abs() * majors["weight"]).sum())
            supply = majors.with_columns((pl.col(f"entrants_{label}") * pl.col("yield")).alias("s")).group_by("class_code").agg(
                pl.col("s").sum(), pl.col("demand_forecast").sum()).sort("class_code")
            out[f"duncan_{label}"] = dissimilarity_index(supply["s"].to_numpy(), supply["demand_forecast"].to_numpy())
        out["entrants_now"], out["entrants_plan"] = float(plan["current"].sum()), float(plan["planned"].sum())
        out["demand_forecast"] = float(majors["demand_forecast"].sum())
        try:
            out.update(self._coupling(plan, majors))
            self.notes.append(t("plan_note_coupling"))
        except InvalidInput as exc:
            self.notes.append(t("plan_note_no_coupling", detail=exc.message))
        return out

    def _coupling(self, plan: pl.DataFrame, majors: pl.DataFrame) -> dict[str, Any]:
        """D for two synthetic years appended to the real panel: every table held at its latest year ≤ the plan
        base year, offerings of the scope replaced by the steady state of this year's (9001) and the planned
        (9002) enrolment; entropy weights over the real years and both synthetic ones."""
        tables = dict(self.hub.tables)
        last = max(int(tables["major_points"]["year"].max()), int(tables["institution_resources"]["year"].max()))  # type: ignore[arg-type]
        coop = tables["cooperation"].with_columns(pl.col("end_year").fill_null(last))
        points = self.hub["major_points"].filter(pl.col("year") == self.year)
        scope = self.schools["institution_code"].to_list()
        extra: dict[str, list[pl.DataFrame]] = {n: [] for n in ("major_points", "cooperation", "demand", *YEARLY)}
        for synthetic, column in ((9001, "current"), (9002, "planned")):
            extra["major_points"] += [points.filter(~pl.col("institution_code").is_in(scope)).with_columns(year=pl.lit(synthetic)),
                                      self._steady_points(plan, majors, column, synthetic)]
            for name in YEARLY:
                frame = tables[name].filter(pl.col("year") <= self.year)
                if frame.height:
                    extra[name].append(frame.filter(pl.col("year") == frame["year"].max()).with_columns(year=pl.lit(synthetic)))
            extra["demand"].append(tables["demand"].filter(pl.col("period").str.slice(0, 4) == str(self.sd_year))
                                   .with_columns(period=pl.lit(str(synthetic))))
            extra["cooperation"].append(coop.filter((pl.col("start_year") <= self.year) & (pl.col("end_year") >= self.year))
                                        .with_columns(start_year=pl.lit(synthetic), end_year=pl.lit(synthetic)))
        tables["cooperation"] = coop
        for name, frames in extra.items():
            tables[name] = pl.concat([tables[name], *frames], how="diagonal_relaxed")
        result = analyse_four_chains(HubSnapshot(tables=tables), self.system, level="city", regions=[self.code], catalog=self.catalog)
        d = dict(zip(result.scores["year"].to_list(), result.scores["D"].to_list(), strict=True))
        if 9001 not in d or 9002 not in d:
            raise InvalidInput(t("chains_no_years", level="city", missing="9001/9002"))
        real = max(y for y in d if y < 9000)
        return {"coupling_D_now": d[9001], "coupling_D_plan": d[9002], "coupling_D_latest_year": real,
                "coupling_D_latest": d[real]}

    def _steady_points(self, plan: pl.DataFrame, majors: pl.DataFrame, column: str, year: int) -> pl.DataFrame:
        """Offerings at steady state: students = entrants × the scope's students-per-entrant ratio; graduates,
        destinations and certificates at each major's observed rates of the last three years."""
        now = self.points.filter(pl.col("year") == self.year)
        per_entrant = float(now["students"].sum()) / max(float(now["enrolment"].sum()), 1.0)
        window = self.points.filter(pl.col("year").is_between(self.year - 2, self.year))
        rates = window.group_by("major_code").agg(
            (pl.col("employed").sum() / (pl.col("graduates") - pl.col("continued").fill_null(0)).sum()).alias("r_employed"),
            (pl.col("employed_related").sum() / pl.col("employed").sum()).alias("r_related"),
            (pl.col("stayed_local").sum() / pl.col("employed").sum()).alias("r_local"),
            *[(pl.col(c).sum() / pl.col("graduates").sum()).alias(f"r_{c}") for c in CERTS])
        rate_cols = [c for c in rates.columns if c.startswith("r_")]
        rates = rates.with_columns(pl.col(c).fill_nan(None) for c in rate_cols)
        frame = (plan.filter(pl.col(column) > 0).select("institution_code", "major_code", pl.col(column).alias("enrolment"))
                 .join(majors.select("major_code", "completion", "continued_rate"), on="major_code", how="left")
                 .join(rates, on="major_code", how="left")
                 .with_columns(pl.col(c).fill_null(pl.col(c).mean()).fill_null(0.0) for c in rate_cols)
                 .with_columns((pl.col("enrolment") * pl.col("completion")).alias("graduates"),
                               (pl.col("enrolment") * per_entrant).alias("students"))
                 .with_columns((pl.col("graduates") * pl.col("continued_rate")).alias("continued"))
                 .with_columns(((pl.col("graduates") - pl.col("continued")) * pl.col("r_employed")).alias("employed"))
                 .with_columns((pl.col("employed") * pl.col("r_related")).alias("employed_related"),
                               (pl.col("employed") * pl.col("r_local")).alias("stayed_local"),
                               *[(pl.col("graduates") * pl.col(f"r_{c}")).alias(c) for c in CERTS]))
        return frame.select("institution_code", "major_code", pl.lit(year).alias("year"), "enrolment", "students",
                            "graduates", "employed", "employed_related", "continued", "stayed_local", *CERTS)


YEARLY = ("institution_resources", "funding", "innovation", "industry_stats", "regional_economy")
CERTS = ("cert_junior", "cert_intermediate", "cert_senior", "cert_technician", "cert_senior_technician")


def _status(r: dict[str, Any]) -> str:
    if r["change"] == 0:
        return "unchanged"
    if r["current"] == 0:
        return "open"
    if r["planned"] == 0:
        return "close"
    return "grow" if r["change"] > 0 else "cut"


def _binding(result: ep.PlanResult, inputs: _Inputs) -> pl.DataFrame:
    """Binding constraints with the family's name in the user's language and school and major names."""
    lang = 1 if current_lang.get() == "en" else 0
    names = {f: v[lang] for f, v in FAMILY_NAMES.items()}
    schools = inputs.schools_used.select(pl.col("institution_code").alias("school"), "school_name")
    majors = inputs.majors_used.select(pl.col("major_code").alias("major"), "major_name")
    return (result.constraints.filter(pl.col("binding"))
            .with_columns(pl.col("family").replace_strict(names, default=None).alias("constraint"))
            .join(schools, on="school", how="left").join(majors, on="major", how="left")
            .select("family", "constraint", "school", "school_name", "major", "major_name", "value", "bound", "slack"))


def plan_summary(plan: EnrolmentPlan) -> dict[str, Any]:
    """The plan as plain data (what `silian plan --json` prints)."""
    r = plan.result
    base = {"region_code": plan.region_code, "region_name": plan.region_name, "year": plan.year, "plan_year": plan.plan_year,
            "status": plan.status, "objective": r.objective, "bound": r.bound, "mip_gap": r.mip_gap,
            "seconds": {k: round(v, 4) for k, v in r.seconds.items()}, "size": r.size, "notes": plan.notes,
            "options": {k: v for k, v in plan.options.__dict__.items()}}
    if r.diagnosis is not None:
        base["diagnosis"] = {"families": list(r.diagnosis.families), "violations": r.diagnosis.violations.to_dicts()}
    if not r.feasible:
        return base
    columns = ["institution_code", "school_name", "major_code", "major_name", "class_name", "current", "planned", "change",
               "change_pct", "status", "binding", "reason"]
    return {**base, "effect": plan.effect, "changes": plan.changes.select(columns).to_dicts(),
            "plan": plan.plan.select(columns).to_dicts(), "binding": plan.binding.to_dicts(),
            "majors": plan.majors.to_dicts()}
