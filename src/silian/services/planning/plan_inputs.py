"""The enrolment-planning problem built from the hub (:class:`PlanInputs`): the schools and offerings in scope,
each school's capacity, each major's demand target (forecast to the graduation year), yield and weight, and the
rules of :class:`PlanOptions`."""

from __future__ import annotations

from dataclasses import dataclass

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
