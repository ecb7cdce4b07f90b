"""What a scenario says, checked: a changed enrolment plan, a new plant, or a school merger.

Specs are plain JSON objects (what `silian scenario save --spec FILE.json` reads and the API takes)::

    plan:   {"changes": [{"school": "9410100001", "major": "660103", "enrolment": 120},
                         {"school": "9410100002", "major": "730301", "change": -20}]}
            or {"optimiser": {"max_change": 0.2, "min_cohort": 30}} (the optimiser's plan, filled in on saving)
    plant:  {"county": "410122", "from_year": 2024, "label": "新能源汽车厂",
             "occupations": [{"code": "6-22-02-01", "workers": 300, "skill_level": "中级工"}]}
    merger: {"schools": ["9410100001", "9410100002"], "into": "9410100001"}

Every problem of a spec is listed at once (:class:`ImportRejected`, one problem per field) with the bad value
and the fix, in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from silian.catalog import Catalog
from silian.domain.errors import ImportRejected, RowProblem
from silian.domain.messages import register_messages, t
from silian.domain.vocab import SCENARIO_KINDS, SKILL_LEVELS
from silian.services.hub import HubSnapshot

KINDS = SCENARIO_KINDS
SPEC_FILE = "spec"
OPTIMISER_OPTIONS = ("max_change", "min_cohort", "key_chain_bonus", "open_new")

register_messages(
    {
        "sc_change_below_zero": (
            "{school} × {major} 在 {year} 年招生 {current} 人，减少后会成为负数",
            "{school} × {major} enrolled {current} in {year}; this change would make it negative",
        ),
        "sc_change_below_zero_fix": (
            '变化量不能小于 {low}；要停招请写 "enrolment": 0',
            'The change cannot be below {low}; to close the offering write "enrolment": 0',
        ),
        "sc_spec_rejected": (
            "情景方案有 {count} 个问题，未保存",
            "The scenario has {count} problem(s); nothing was saved",
        ),
        "sc_kind_unknown": ("未知的情景类型：{kind}", "Unknown scenario kind: {kind}"),
        "sc_kind_fix": ("类型用 plan（招生计划）、plant（新建工厂）或 merger（学校合并）", "Use plan, plant or merger"),
        "sc_not_object": ("方案应为 JSON 对象", "The spec must be a JSON object"),
        "sc_not_object_fix": ("见 docs/planning.md 中各类情景的示例", "See the examples in docs/planning.md"),
        "sc_unknown_keys": ("无法识别的键：{keys}", "Unrecognised keys: {keys}"),
        "sc_unknown_keys_fix": ("允许的键：{allowed}", "Allowed keys: {allowed}"),
        "sc_missing": ("缺少“{key}”", "'{key}' is missing"),
        "sc_missing_fix": ("请填写“{key}”", "Fill in '{key}'"),
        "sc_not_list": ("“{key}”应为非空列表", "'{key}' must be a non-empty list"),
        "sc_not_text": ("应为字符串（代码须加引号）", "Must be a string (quote codes)"),
        "sc_not_whole": ("应为整数", "Must be a whole number"),
        "sc_negative": ("不能为负数", "Must not be negative"),
        "sc_positive": ("应为正整数", "Must be a positive whole number"),
        "sc_number_fix": ("填写不小于 {low} 的整数", "Give a whole number ≥ {low}"),
        "sc_unknown_school": ("未知的学校代码：{code}", "Unknown school code: {code}"),
        "sc_school_fix": (
            "用中心库中学校的代码（`silian export institutions`）",
            "Use a school code of the hub (`silian export institutions`)",
        ),
        "sc_unknown_major": ("未知的专业代码：{code}", "Unknown major code: {code}"),
        "sc_major_fix": (
            "用职业教育专业目录中的代码（`silian catalog search 专业名`）",
            "Use a code of the vocational major catalogue (`silian catalog search NAME`)",
        ),
        "sc_unknown_occupation": ("未知的职业代码：{code}", "Unknown occupation code: {code}"),
        "sc_occupation_fix": (
            "用职业分类大典 2022 的细类代码，如 6-18-01-07（`silian catalog search 职业名`）",
            "Use a detailed 2022 occupation code such as 6-18-01-07 (`silian catalog search NAME`)",
        ),
        "sc_unknown_county": ("未知的县市区代码：{code}", "Unknown county code: {code}"),
        "sc_county_fix": ("用中心库中县市区的 6 位区划代码", "Use the 6-digit code of a county in the hub"),
        "sc_bad_skill": ("未知的技能等级：{value}", "Unknown skill level: {value}"),
        "sc_skill_fix": ("可选：{choices}", "Choose one of: {choices}"),
        "sc_one_of": (
            "应填写“enrolment”（计划招生数）或“change”（增减人数）之一",
            "Give exactly one of 'enrolment' (planned entrants) or 'change' (more or fewer)",
        ),
        "sc_one_of_fix": ('如 {"enrolment": 120} 或 {"change": -20}', 'e.g. {"enrolment": 120} or {"change": -20}'),
        "sc_duplicate_pair": (
            "同一学校同一专业出现了两次：{school} × {major}",
            "A school × major pair appears twice: {school} × {major}",
        ),
        "sc_duplicate_fix": ("每个学校 × 专业只写一次", "List each school × major once"),
        "sc_plan_empty": (
            "应填写“changes”（招生变化）或“optimiser”（用优化器的计划）",
            "Give 'changes' or 'optimiser'",
        ),
        "sc_merger_two": ("合并至少需要两所不同的学校", "A merger needs at least two different schools"),
        "sc_merger_fix": ('如 {"schools": ["A", "B"], "into": "A"}', 'e.g. {"schools": ["A", "B"], "into": "A"}'),
        "sc_into_not_listed": (
            "合并后的学校 {code} 不在“schools”中",
            "The surviving school {code} is not in 'schools'",
        ),
        "sc_year_range": ("年份应在 2000–2100 之间", "The year must be between 2000 and 2100"),
    }
)


@dataclass(frozen=True)
class EnrolmentChange:
    """One offering's planned entrants: ``enrolment`` (the new number) or ``change`` (more or fewer)."""

    school: str
    major: str
    enrolment: int | None = None
    change: int | None = None


@dataclass(frozen=True)
class PlanSpec:
    changes: tuple[EnrolmentChange, ...]
    optimiser: dict[str, Any] | None = None


@dataclass(frozen=True)
class PlantNeed:
    occupation: str
    workers: int
    skill_level: str = "不限"


@dataclass(frozen=True)
class PlantSpec:
    county: str
    from_year: int
    needs: tuple[PlantNeed, ...]
    label: str = ""


@dataclass(frozen=True)
class MergerSpec:
    schools: tuple[str, ...]
    into: str
    name: str = ""

    @property
    def absorbed(self) -> tuple[str, ...]:
        return tuple(s for s in self.schools if s != self.into)


Spec = PlanSpec | PlantSpec | MergerSpec


class _Checker:
    """Collects every problem of one spec (file ``spec``, column = the JSON path)."""

    def __init__(self, hub: HubSnapshot, catalog: Catalog):
        self.problems: list[RowProblem] = []
        self.schools = set(hub["institutions"]["code"].to_list())
        regions = hub["regions"]
        self.counties = set(regions.filter(pl.col("level") != "省")["code"].to_list())
        self.majors = set(catalog.majors("current")["major_code"].to_list())
        occupations = catalog.occupations
        self.occupations = set(occupations.filter(pl.col("level") == 4)["code"].to_list())
        self.points = hub["major_points"]

    @cached_property
    def enrolment_year(self) -> int | None:
        """The latest year of the offerings (what a plan's changes apply to)."""
        return self.points["year"].max() if self.points.height else None  # type: ignore[return-value]

    @cached_property
    def enrolment(self) -> dict[tuple[str, str], int]:
        """Entrants of each school × major in :attr:`enrolment_year` (read only when a plan gives changes)."""
        latest = self.points.filter(pl.col("year") == self.enrolment_year)
        return {(s, m): int(e or 0) for s, m, e in latest.select("institution_code", "major_code", "enrolment").iter_rows()}

    def add(self, where: str, value: Any, message: str, fix: str = "") -> None:
        shown = None if value is None else str(value)[:200]
        self.problems.append(RowProblem(file=SPEC_FILE, row=None, column=where, value=shown, message=message, fix=fix))

    def keys(self, data: dict[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        extra = [k for k in data if k not in required + optional]
        if extra:
            self.add(where or "/", ", ".join(map(str, extra)), t("sc_unknown_keys", keys=", ".join(map(str, extra))),
                     t("sc_unknown_keys_fix", allowed=", ".join(required + optional)))
        missing = [k for k in required if k not in data]
        for key in missing:
            self.add(f"{where}.{key}".lstrip("."), None, t("sc_missing", key=key), t("sc_missing_fix", key=key))
        return not missing

    def text(self, value: Any, where: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(where, value, t("sc_not_text"))
        return None

    def whole(self, value: Any, where: str, low: int | None = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.add(where, value, t("sc_not_whole"), t("sc_number_fix", low=low) if low is not None else "")
                return None
        if low is not None and value < low:
            self.add(where, value, t("sc_negative" if low == 0 else "sc_positive"), t("sc_number_fix", low=low))
            return None
        return value

    def code(self, value: Any, where: str, known: set[str], kind: str) -> str | None:
        code = self.text(value, where)
        if code is not None and code not in known:
            self.add(where, code, t(f"sc_unknown_{kind}", code=code), t(f"sc_{kind}_fix"))
            return None
        return code

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.add(key, value, t("sc_not_list", key=key))
            return []
        return value


def parse_spec(kind: str, data: Any, hub: HubSnapshot, catalog: Catalog) -> Spec:
    """The checked spec of ``kind``; every problem at once as :class:`ImportRejected`."""
    check = _Checker(hub, catalog)
    spec: Spec | None = None
    if kind not in KINDS:
        check.add("kind", kind, t("sc_kind_unknown", kind=kind), t("sc_kind_fix"))
    elif not isinstance(data, dict):
        check.add("/", type(data).__name__, t("sc_not_object"), t("sc_not_object_fix"))
    else:
        spec = {"plan": _plan, "plant": _plant, "merger": _merger}[kind](check, data)
    if check.problems or spec is None:
        raise ImportRejected(t("sc_spec_rejected", count=len(check.problems)), check.problems)
    return spec


def _plan(check: _Checker, data: dict[str, Any]) -> PlanSpec | None:
    check.keys(data, "", (), ("changes", "optimiser"))
    optimiser = data.get("optimiser")
    if optimiser is not None and not isinstance(optimiser, dict):
        check.add("optimiser", optimiser, t("sc_not_object"))
        optimiser = None
    if optimiser is not None:
        check.keys(optimiser, "optimiser", (), OPTIMISER_OPTIONS)
    if "changes" not in data:
        if optimiser is None:
            check.add("changes", None, t("sc_plan_empty"), t("sc_not_object_fix"))
        return PlanSpec(changes=(), optimiser=optimiser)
    changes, seen = [], set()
    for i, item in enumerate(check.items(data, "changes")):
        where = f"changes[{i}]"
        if not isinstance(item, dict):
            check.add(where, item, t("sc_not_object"), t("sc_one_of_fix"))
            continue
        check.keys(item, where, ("school", "major"), ("enrolment", "change"))
        school = check.code(item.get("school"), f"{where}.school", check.schools, "school")
        major = check.code(item.get("major"), f"{where}.major", check.majors, "major")
        if ("enrolment" in item) == ("change" in item):
            check.add(where, None, t("sc_one_of"), t("sc_one_of_fix"))
            continue
        enrolment = check.whole(item["enrolment"], f"{where}.enrolment") if "enrolment" in item else None
        change = check.whole(item["change"], f"{where}.change", low=None) if "change" in item else None
        current = check.enrolment.get((school, major), 0)  # type: ignore[arg-type]
        if change is not None and current + change < 0:
            check.add(f"{where}.change", change, t("sc_change_below_zero", school=school, major=major, current=current,
                                                   year=check.enrolment_year or "—"),
                      t("sc_change_below_zero_fix", low=-current))
        if (school, major) in seen:
            check.add(where, f"{school} × {major}", t("sc_duplicate_pair", school=school, major=major), t("sc_duplicate_fix"))
        seen.add((school, major))
        if school and major and (enrolment is not None or change is not None):
            changes.append(EnrolmentChange(school, major, enrolment, change))
    return PlanSpec(changes=tuple(changes), optimiser=optimiser)


def _plant(check: _Checker, data: dict[str, Any]) -> PlantSpec | None:
    check.keys(data, "", ("county", "from_year", "occupations"), ("label",))
    county = check.code(data.get("county"), "county", check.counties, "county") if "county" in data else None
    year = check.whole(data.get("from_year"), "from_year") if "from_year" in data else None
    if year is not None and not 2000 <= year <= 2100:
        check.add("from_year", year, t("sc_year_range"))
    needs = []
    for i, item in enumerate(check.items(data, "occupations") if "occupations" in data else []):
        where = f"occupations[{i}]"
        if not isinstance(item, dict):
            check.add(where, item, t("sc_not_object"), t("sc_not_object_fix"))
            continue
        check.keys(item, where, ("code", "workers"), ("skill_level",))
        code = check.code(item.get("code"), f"{where}.code", check.occupations, "occupation")
        workers = check.whole(item.get("workers"), f"{where}.workers", low=1) if "workers" in item else None
        skill = item.get("skill_level", "不限")
        if skill not in SKILL_LEVELS:
            check.add(f"{where}.skill_level", skill, t("sc_bad_skill", value=skill), t("sc_skill_fix", choices="、".join(SKILL_LEVELS)))
        elif code and workers:
            needs.append(PlantNeed(code, workers, skill))
    label = data.get("label", "")
    if not isinstance(label, str):
        check.add("label", label, t("sc_not_text"))
        label = ""
    if county is None or year is None:
        return None
    return PlantSpec(county=county, from_year=year, needs=tuple(needs), label=label)


def _merger(check: _Checker, data: dict[str, Any]) -> MergerSpec | None:
    check.keys(data, "", ("schools",), ("into", "name"))
    codes = [check.code(v, f"schools[{i}]", check.schools, "school") for i, v in enumerate(check.items(data, "schools")
                                                                                            if "schools" in data else [])]
    schools = tuple(dict.fromkeys(c for c in codes if c))
    if "schools" in data and len({c for c in data["schools"] if isinstance(c, str)}) < 2:
        check.add("schools", data.get("schools"), t("sc_merger_two"), t("sc_merger_fix"))
    into = check.text(data["into"], "into") if "into" in data else (schools[0] if schools else None)
    if into is not None and schools and into not in schools:
        check.add("into", into, t("sc_into_not_listed", code=into), t("sc_merger_fix"))
    name = data.get("name", "")
    if not isinstance(name, str):
        check.add("name", name, t("sc_not_text"))
        name = ""
    return MergerSpec(schools=schools, into=into or "", name=name.strip()) if len(schools) >= 2 and into else None


def spec_to_json(spec: Spec) -> dict[str, Any]:
    """The spec as stored (the same shape as it was given, normalised)."""
    if isinstance(spec, PlanSpec):
        changes = [{"school": c.school, "major": c.major,
                    **({"enrolment": c.enrolment} if c.enrolment is not None else {"change": c.change})} for c in spec.changes]
        return {"changes": changes, **({"optimiser": spec.optimiser} if spec.optimiser is not None else {})}
    if isinstance(spec, PlantSpec):
        return {"county": spec.county, "from_year": spec.from_year, "label": spec.label,
                "occupations": [{"code": n.occupation, "workers": n.workers, "skill_level": n.skill_level} for n in spec.needs]}
    return {"schools": list(spec.schools), "into": spec.into, **({"name": spec.name} if spec.name else {})}


def spec_kind(spec: Spec) -> str:
    return {PlanSpec: "plan", PlantSpec: "plant", MergerSpec: "merger"}[type(spec)]
