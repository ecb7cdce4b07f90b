"""The enrolment-planning problem built from the hub (:class:`PlanInputs`): the schools and offerings in scope,
each school's capacity, each major's demand target (forecast to the graduation year), yield and weight, and the
rules of :class:`PlanOptions`."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from silian.analytics import alignment as al
from silian.analytics import enrolment_plan as ep
from silian.analytics.schools import SECONDARY_LEVELS
from silian.catalog import Catalog
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.domain.vocab import MAJOR_LEVELS, SCHOOL_LEVELS
from silian.services.analysis import forecast_industry_openings
from silian.services.config import analysis_config, indicator_system
from silian.services.four_chains import major_key_weights
from silian.services.hub import HubSnapshot
from silian.services.supply_demand import alignment_inputs, demand_years
from silian.settings import Settings

register_messages(
    {
        "plan_no_schools": (
            "{region} 在 {year} 年没有{levels}学校的招生数据",
            "{region} has no enrolment at {levels} schools in {year}",
        ),
        "plan_note_over_capacity": (
            "{n} 所学校今年招生已超出办学能力（按教师、工位、校舍折算），其上限取今年招生的 {floor:.0%}",
            (
                "{n} schools already enrol beyond their capacity (teachers, stations, b"
                "uildings); their cap is {floor:.0%} of this year's"
            ),
        ),
        "plan_note_region": (
            "需求与供给口径取全库数据（对齐分析），学校与专业点限于 {region}",
            "Demand and supply come from the whole hub (alignment); schools and offerings are those of {region}",
        ),
        "plan_note_forecast": (
            "需求按重点行业就业预测从 {base} 年推至毕业年 {grad} 年（回测误差中位数 {mape:.1f}%）",
            (
                "Demand carried from {base} to the graduation year {grad} by the employ"
                "ment forecast of each major's industries (median backtest error {mape:"
                ".1f}%)"
            ),
        ),
        "plan_note_reachable": (
            "{n} 所学校的招生上限提高到今年能达到的最小规模（无需求数据的专业点维持、停招分年实施）",
            ("{n} schools' caps raised to the smallest enrolment they can reach this year (offerings without demand "
            "data held, closures phased)"),
        ),
        "plan_note_no_data": (
            "{n} 个专业没有任何来源的需求数据，其 {pairs} 个专业点维持今年招生（{entrants:,.0f} 人），不压减、不停招：{names}",
            ("{n} majors have no demand evidence from any source: their {pairs} offerings stay at this year's "
            "{entrants:,.0f} entrants, neither cut nor closed: {names}"),
        ),
        "plan_note_scenarios": (
            ("需求按预测区间分三种情景（低 {low:.0%}、中 {mid:.0%}、高 {high:.0%}，即 {level:.0%} 预测区间的下限、点预测、上限），"
            "计划使各情景缺口的期望值最小（期望遗憾最小）"),
            ("Demand in three scenarios from the forecast interval (low {low:.0%}, point {mid:.0%}, high {high:.0%}: "
            "the {level:.0%} interval's lower bound, the point forecast and the upper bound); the plan minimises the "
            "expected gap over them (least expected regret)"),
        ),
        "plan_note_no_interval": (
            "预测没有给出区间（历史太短），三种情景相同，即点预测",
            "The forecast gives no interval (history too short): the three scenarios equal the point forecast",
        ),
        "plan_note_partial": (
            "{year} 年需求只有部分口径（无统计推算总量），不据此判断供给过剩，不因过剩停招",
            "{year} demand is partial (no statistical total): no surplus is read from it and nothing closes for surplus",
        ),
        "plan_levels": (
            "招生计划一次只能针对一个培养层次（如 中职、技工学校）：{levels}",
            "Plan one catalogue level at a time (e.g. 中职 and 技工学校): {levels}",
        ),
    }
)
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
    phase_closures: bool = True         # closures count toward the yearly change limit (phased over years)
    scenarios: bool = True              # plan against the low / point / high demand of the forecast interval
    scenario_weights: tuple[float, float, float] = (0.3, 0.4, 0.3)  # P10 / P50 / P90 (Swanson's rule)


class PlanInputs:
    """The hub, read once for the plan: scope schools, offerings, capacity, demand targets, yields."""

    def __init__(self, hub: HubSnapshot, catalog: Catalog, settings: Settings, code: str, name: str, year: int,
                 options: PlanOptions):
        self.hub, self.catalog, self.code, self.name, self.year, self.o = hub, catalog, code, name, year, options
        self.system, self.config = indicator_system(settings), analysis_config(settings)
        self.notes = [t("plan_note_region", region=name)]
        self.schools = self._schools()
        levels = [SCHOOL_LEVELS.get(lv, lv) for lv in options.levels]
        self.level_keys = sorted({MAJOR_LEVELS[lv] for lv in levels if lv in MAJOR_LEVELS})
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
        by_major, blend = al.gaps_by_major(inputs, self.sd_year)
        if not blend.complete and blend.basis != "none":
            self.notes.append(t("plan_note_partial", year=self.sd_year))
        frame = by_major.filter(pl.col("level_key").is_in(self.level_keys))
        completion = self._completion()
        growth = self._growth(frame)
        key = major_key_weights(self.catalog, self.system.key_industry_codes())
        frame = (frame.join(completion, on="major_code", how="left").join(growth, on="major_code", how="left")
                 .with_columns(pl.col("completion").fill_null(pl.col("completion").mean()).fill_null(0.9).clip(0.5, 1.0),
                               pl.col("continued_rate").fill_null(pl.col("continued_rate").mean()).fill_null(0.0).clip(0.0, 0.95),
                               pl.col("growth").fill_null(1.0),
                               pl.col("major_code").replace_strict(key, default=0.0, return_dtype=pl.Float64).alias("key_share")))
        frame = frame.with_columns(pl.col("growth_low").fill_null(pl.col("growth")),
                                   pl.col("growth_high").fill_null(pl.col("growth")))
        # a major without demand evidence has no target: it is held at this year's size (weight 0, target = now)
        now = self.current.group_by("major_code").agg(pl.col("current").sum().alias("_now"))
        return (frame.join(now, on="major_code", how="left").with_columns(
            (pl.col("completion") * (1 - pl.col("continued_rate"))).alias("yield"),
            (pl.col("demand") * pl.col("growth")).alias("demand_forecast"),
            (pl.col("demand") * pl.col("growth_low")).alias("demand_low"),
            (pl.col("demand") * pl.col("growth_high")).alias("demand_high"),
            pl.when(pl.col("has_demand")).then(1 + self.o.key_chain_bonus * pl.col("key_share")).otherwise(0.0).alias("weight"),
        ).with_columns(
            *[pl.when(pl.col("has_demand")).then((pl.col(f"demand_{k}") / pl.col("yield")).round(0))
              .otherwise(pl.col("_now").fill_null(0.0)).alias(name)
              for k, name in (("forecast", "target"), ("low", "target_low"), ("high", "target_high"))])
            .drop("_now"))

    def _completion(self) -> pl.DataFrame:
        """Graduates over the entrants of ``duration`` years before, over the last three years, per major."""
        duration = self.duration
        pts = self.points.select("institution_code", "major_code", "year", "enrolment", "graduates")
        entry = pts.select("institution_code", "major_code", (pl.col("year") + duration).alias("year"),
                           pl.col("enrolment").alias("entrants"))
        window = pts.filter(pl.col("year").is_between(self.year - 2, self.year)).join(
            entry, on=["institution_code", "major_code", "year"], how="inner")
        return (
            window.group_by("major_code")
            .agg((pl.col("graduates").sum() / pl.col("entrants").sum()).alias("completion"))
            .filter(pl.col("completion").is_finite())
        )

    def _growth(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Demand growth from the demand year to the graduation year: the forecast employment of each major's
        industries (crosswalk weights; a 大类 missing from the statistics uses its 门类)."""
        grad = self.year + 1 + self.duration - 1
        stats = self.hub["industry_stats"].filter((pl.col("region_code") == self.code) & pl.col("employment").is_not_null())
        empty = pl.DataFrame(schema={"major_code": pl.String, "growth": pl.Float64, "growth_low": pl.Float64,
                                     "growth_high": pl.Float64})
        if not self.o.use_forecast or stats.height == 0:
            return empty
        last = int(stats["year"].max())  # type: ignore[arg-type]
        result, _ = forecast_industry_openings(self.hub, self.code, max(grad - last, 1), 0.0)
        if result is None:
            return empty
        observed = stats.select(pl.col("industry_code").alias("series"), "year", pl.col("employment").alias("value"))
        level = pl.concat([observed.with_columns(pl.col("value").alias("low"), pl.col("value").alias("high")),
                           result.forecasts.select("series", "year", pl.col("forecast").alias("value"),
                                                   pl.col("lower").alias("low"), pl.col("upper").alias("high"))],
                          how="vertical_relaxed")
        base = level.filter(pl.col("year") == min(self.sd_year, last)).select("series", pl.col("value").alias("base"))
        end = level.filter(pl.col("year") == grad).select("series", pl.col("value").alias("end"), "low", "high")
        self.has_interval = bool(end["low"].is_not_null().any()) if end.height else False
        ratio = base.join(end, on="series").with_columns(
            (pl.col("end") / pl.col("base")).clip(0.5, 2.0).alias("g"),
            (pl.col("low").fill_null(pl.col("end")) / pl.col("base")).clip(0.25, 2.0).alias("g_low"),
            (pl.col("high").fill_null(pl.col("end")) / pl.col("base")).clip(0.5, 4.0).alias("g_high"))
        codes = ratio["series"].to_list()
        parent = dict(zip(self.catalog.industries["code"], self.catalog.industries["parent_code"], strict=False))
        links = self.catalog.major_industries("major").filter(pl.col("major_code").is_in(frame["major_code"].to_list()))
        links = links.with_columns(pl.col("industry_code").map_elements(
            lambda c: c if c in codes else parent.get(c, c), return_dtype=pl.String).alias("series"))
        mape = result.forecasts["backtest_mape"].drop_nulls().median()
        self.notes.append(t("plan_note_forecast", base=min(self.sd_year, last), grad=grad, mape=float(mape or 0.0)))  # type: ignore[arg-type]
        return (links.join(ratio.select("series", "g", "g_low", "g_high"), on="series", how="inner").group_by("major_code")
                .agg(*[((pl.col(g) * pl.col("weight")).sum() / pl.col("weight").sum()).alias(name)
                       for g, name in (("g", "growth"), ("g_low", "growth_low"), ("g_high", "growth_high"))]))

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
        in_pairs = pairs["institution_code"].unique().to_list()
        schools = self.schools.filter(pl.col("institution_code").is_in(in_pairs)).sort("institution_code")
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
        readable = majors["demand_complete"].fill_null(True).to_numpy() if "demand_complete" in majors.columns else True
        gap_ratio = np.where(readable, majors["gap_ratio"].fill_null(0.0).to_numpy(), 0.0)
        key = list(zip(pairs["institution_code"].to_list(), pairs["major_code"].to_list(), strict=True))
        surplus = readable & (majors["gap"].fill_null(0.0).to_numpy() < 0)
        no_data = ~majors["has_demand"].fill_null(False).to_numpy()
        hold = no_data[pm] & (current > 0) & ~np.array([k in close for k in key], bool)
        self._note_held(majors, hold, pm, current)
        new_max = 2 * self.o.min_cohort if self.o.new_cohort_max is None else self.o.new_cohort_max
        grow_limit = np.where(surplus[pm] & ~self.o.grow_surplus & (current > 0), current, np.inf)
        may_close = (current < self.o.min_cohort) | (gap_ratio[pm] <= -self.o.close_surplus) | (current == 0)
        may_close &= ~np.array([k in keep for k in key])
        secondary = schools["level"].is_in(list(SECONDARY_LEVELS)).to_numpy()
        base = float(current[secondary[ps]].sum())
        self.pairs, self.schools_used, self.majors_used = pairs, schools, majors
        targets, chances = self._scenarios(majors)
        problem = ep.EnrolmentProblem(
            schools=tuple(s_index), majors=tuple(m_index), pair_school=ps, pair_major=pm, current=current,
            capacity=capacity, target=majors["target"].to_numpy().astype(float), weight=majors["weight"].to_numpy().astype(float),
            min_cohort=np.full(len(ps), float(self.o.min_cohort)), may_close=may_close,
            force_close=np.array([k in close for k in key]), max_change=self.o.max_change,
            change_floor=float(self.o.min_cohort if self.o.change_floor is None else self.o.change_floor), grow_limit=grow_limit,
            new_cohort_max=float(new_max),
            in_total=secondary, total_min=np.ceil(base * self.o.total_bounds[0]) if base else None,
            total_max=np.floor(base * self.o.total_bounds[1]) if base else None,
            hold=hold, phase_closures=self.o.phase_closures, scenario_targets=targets, scenario_weights=chances)
        return self._reachable_capacity(problem)

    def _reachable_capacity(self, problem: ep.EnrolmentProblem) -> ep.EnrolmentProblem:
        """A school over capacity shrinks by the largest yearly step of its offerings: its cap is at least the
        smallest load it can reach this year (held offerings stay, phased closures fall by at most Δ)."""
        lower, _, semi = ep.pair_bounds(problem.validate())
        reachable = np.ceil(np.bincount(problem.pair_school, np.where(semi, 0.0, lower), len(problem.schools)) - 1e-9)
        raised = np.isfinite(problem.capacity) & (problem.capacity < reachable)
        if not raised.any():
            return problem
        self.notes.append(t("plan_note_reachable", n=int(raised.sum())))
        return replace(problem, capacity=np.where(raised, reachable, problem.capacity))

    def _scenarios(self, majors: pl.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The low / point / high targets and their weights (when ``scenarios`` is on), and a note."""
        if not self.o.scenarios:
            return None, None
        if not getattr(self, "has_interval", False):
            self.notes.append(t("plan_note_no_interval"))
        low, mid, high = self.o.scenario_weights
        self.notes.append(t("plan_note_scenarios", low=low, mid=mid, high=high, level=0.8))
        targets = np.vstack([majors[c].fill_null(0.0).to_numpy().astype(float) for c in ("target_low", "target", "target_high")])
        return targets, np.asarray(self.o.scenario_weights, float)

    def _note_held(self, majors: pl.DataFrame, hold: np.ndarray, pm: np.ndarray, current: np.ndarray) -> None:
        if not hold.any():
            return
        held_majors = sorted(set(pm[hold].tolist()))
        names = majors["major_name"].fill_null("?").to_list()
        shown = t("list_joiner").join(names[i] for i in held_majors[:8]) + ("…" if len(held_majors) > 8 else "")
        self.notes.append(t("plan_note_no_data", n=len(held_majors), pairs=int(hold.sum()),
                            entrants=float(current[hold].sum()), names=shown))

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
