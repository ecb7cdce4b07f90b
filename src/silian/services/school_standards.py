"""The school standards in force: ``silian/config/school_standards.toml`` (or the file named in analysis.toml
``[school_standards] file``), parsed into the analytics' :class:`~silian.analytics.schools.Standard` objects and
the documents, articles, confidence and sources that go beside every verdict."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from silian.analytics.schools import MEASURES, REGIMES, Standard, Threshold
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t
from silian.services.config import AnalysisConfig, default_config_text

FILE = "school_standards.toml"
APPLIED_CONFIDENCE = ("C1", "C2")
REASONS = ("no_hub_data", "not_on_file", "unverified", "ambiguous")

register_messages({
    "std_bad_file": ("学校标准文件 {path} 有误：{detail}", "School standards file {path} is invalid: {detail}"),
    "std_regime_setting": ("设置标准", "setting standard"),
    "std_regime_monitoring": ("办学条件达标监测", "达标 monitoring"),
    "std_reason_no_hub_data": ("本库无此项数据", "the hub holds no such figure"),
    "std_reason_not_on_file": ("阈值未入库（已存资料未见）", "threshold not on file (in no stored copy)"),
    "std_reason_unverified": ("数值未经核实，不采用", "figure unverified, not used"),
    "std_reason_ambiguous": ("表述不能确定比较对象", "the wording does not fix what is compared"),
    "std_article_unknown": ("条号未核", "article not verified"),
    "std_no_standard": ("无适用标准（未入库）", "no standard on file"),
    "std_regime_short_setting": ("设置标准", "setting"),
    "std_regime_short_monitoring": ("达标监测", "达标 monitoring"),
    "verdict_met": ("达标", "met"),
    "verdict_not_met": ("未达标", "not met"),
    "verdict_no_data": ("缺数据，无法判定", "cannot be judged: figures missing"),
    "verdict_partial": ("部分核定（已核各项均达标）", "partly checked (every item on file met)"),
    "verdict_no_standard": ("无适用标准（未入库）", "no standard on file"),
    "measure_students": ("在校生", "students"),
    "measure_majors": ("开设专业数", "majors offered"),
    "measure_teachers": ("专任教师", "full-time teachers"),
    "measure_students_per_teacher": ("生师比（学生数 / 专任教师）", "students per full-time teacher"),
    "measure_major_teacher_share": ("专业课教师占专任教师比例", "major-subject teachers / full-time teachers"),
    "measure_dual_share_of_major": ("双师型教师占专业课教师比例", "dual-qualified / major-subject teachers"),
    "measure_campus_m2": ("校园占地面积", "campus area"),
    "measure_campus_m2_per_student": ("生均占地面积", "campus area per student"),
    "measure_building_m2": ("校舍建筑面积", "building area"),
    "measure_building_m2_per_student": ("生均校舍建筑面积", "building area per student"),
    "measure_equipment_10k": ("教学仪器设备值", "equipment value"),
    "measure_equipment_yuan_per_student": ("生均教学仪器设备值", "equipment value per student"),
    "measure_books_per_student": ("生均纸质图书", "books per student"),
})
# units of each measure (zh, en); shares are shown as percentages
UNITS = {"students": ("人", ""), "majors": ("个", ""), "teachers": ("人", ""), "students_per_teacher": ("", ""),
         "campus_m2": ("m²", "m²"), "campus_m2_per_student": ("m²", "m²"), "building_m2": ("m²", "m²"),
         "building_m2_per_student": ("m²", "m²"), "equipment_10k": ("万元", "×10,000 yuan"),
         "equipment_yuan_per_student": ("元", "yuan"), "books_per_student": ("册", "")}
SHARES = ("major_teacher_share", "dual_share_of_major")


def pick(pair: Any) -> str:
    """The current language's half of a ``[zh, en]`` pair."""
    if isinstance(pair, str):
        return pair
    return str(pair[1] if current_lang.get() == "en" and len(pair) > 1 else pair[0])


@dataclass(frozen=True)
class Item:
    """One requirement of a standard as the file states it: applied (a threshold) or listed with its reason."""

    check: str | None
    measure: str | None
    op: str | None
    value: float | None
    article: str
    confidence: str
    sources: tuple[str, ...]
    reason: str | None = None
    what: tuple[str, ...] = ()
    note: tuple[str, ...] = ()
    blocks_verdict: bool = False

    @property
    def applied(self) -> bool:
        return self.reason is None

    def text(self) -> str:
        """The requirement in words: ``在校生 ≥ 1,200 人`` or the file's own wording."""
        if not self.applied or self.measure is None or self.value is None:
            return pick(self.what)
        op = "≥" if self.op == ">=" else "≤"
        if self.measure in SHARES:
            return f"{t('measure_' + self.measure)} {op} {self.value:.0%}"
        unit = pick(UNITS.get(self.measure, ("", "")))
        if self.measure == "students_per_teacher":
            return f"{t('measure_' + self.measure)} {op} {self.value:g}"
        return f"{t('measure_' + self.measure)} {op} {self.value:,.0f}{(' ' + unit) if unit else ''}".rstrip()

    def article_text(self) -> str:
        return self.article or t("std_article_unknown")


@dataclass(frozen=True)
class StandardInfo:
    """A standard with its document, issuer, date, notes and every item (applied or not)."""

    id: str
    regime: str
    levels: tuple[str, ...]
    document: tuple[str, ...]
    issuer: tuple[str, ...]
    issued: str
    items: tuple[Item, ...]
    notes: tuple[tuple[str, ...], ...] = ()

    @property
    def name(self) -> str:
        return pick(self.document)

    @property
    def complete(self) -> bool:
        return not any(i.blocks_verdict and not i.applied for i in self.items)

    def standard(self) -> Standard:
        thresholds = tuple(Threshold(i.check, i.measure, i.op, i.value) for i in self.items  # type: ignore[arg-type]
                           if i.applied)
        return Standard(self.id, self.regime, self.levels, thresholds, self.complete)

    def not_applied(self) -> list[Item]:
        return [i for i in self.items if not i.applied]


@dataclass(frozen=True)
class NotOnFile:
    """School levels with no standard of a regime on file, and why."""

    levels: tuple[str, ...]
    regime: str
    why: tuple[str, ...]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class StandardsFile:
    """Every standard of the file in force, the types with none, and the stored copies they cite."""

    source: str
    version: str
    standards: tuple[StandardInfo, ...]
    not_on_file: tuple[NotOnFile, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)

    def for_analysis(self) -> list[Standard]:
        return [s.standard() for s in self.standards]

    def by_id(self) -> dict[str, StandardInfo]:
        return {s.id: s for s in self.standards}

    def why_none(self, level: str, regime: str) -> str:
        """Why a school of ``level`` has no standard of ``regime`` on file."""
        for entry in self.not_on_file:
            if level in entry.levels and entry.regime == regime:
                return pick(entry.why)
        return t("std_no_standard")


def _bad(label: str, detail: str) -> InvalidInput:
    return InvalidInput(t("std_bad_file", path=label, detail=detail))


def _item(raw: dict[str, Any], where: str, label: str, sources: dict[str, str]) -> Item:
    applied = bool(raw.get("applied", True))
    cited = tuple(str(s) for s in raw.get("sources", ()))
    unknown = [s for s in cited if s not in sources]
    if unknown:
        raise _bad(label, f"{where}: sources {unknown} are not in [sources]")
    common = {"article": str(raw.get("article", "")), "confidence": str(raw.get("confidence", "")), "sources": cited,
              "what": tuple(raw.get("what", ())), "note": tuple(raw.get("note", ())),
              "blocks_verdict": bool(raw.get("blocks_verdict", False))}
    if not applied:
        reason = str(raw.get("reason", ""))
        if reason not in REASONS or not common["what"]:
            raise _bad(label, f"{where}: an item not applied needs reason (one of {', '.join(REASONS)}) and what")
        return Item(check=None, measure=None, op=None, value=None, reason=reason, **common)  # type: ignore[arg-type]
    measure, check = str(raw.get("measure", "")), str(raw.get("check", ""))
    if measure not in MEASURES or not check:
        raise _bad(label, f"{where}: check and a known measure are needed (measure '{measure}'; known: {', '.join(MEASURES)})")
    if ("min" in raw) == ("max" in raw):
        raise _bad(label, f"{where}: give exactly one of min and max")
    if common["confidence"] not in APPLIED_CONFIDENCE or not cited:
        raise _bad(label, f"{where}: an applied threshold needs confidence C1 or C2 and at least one source")
    op, value = (">=", raw["min"]) if "min" in raw else ("<=", raw["max"])
    return Item(check=check, measure=measure, op=op, value=float(value), **common)  # type: ignore[arg-type]


def parse_standards(text: str, label: str) -> StandardsFile:
    """The standards file ``text`` (``label`` names it in errors), checked: every applied threshold has a known
    measure, one bound, confidence C1 or C2 and a cited source; every item not applied has a reason."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _bad(label, str(exc)) from exc
    sources = {str(k): str(v) for k, v in raw.get("sources", {}).items()}
    standards = []
    for n, s in enumerate(raw.get("standards", []), 1):
        where = f"standards #{n} ({s.get('id', '?')})"
        if s.get("regime") not in REGIMES or not s.get("levels") or not s.get("id") or not s.get("document"):
            raise _bad(label, f"{where}: id, document, levels and regime ({' or '.join(REGIMES)}) are needed")
        items = tuple(_item(i, f"{where} item {k}", label, sources) for k, i in enumerate(s.get("items", []), 1))
        standards.append(StandardInfo(id=str(s["id"]), regime=str(s["regime"]), levels=tuple(s["levels"]),
                                      document=tuple(s["document"]), issuer=tuple(s.get("issuer", ())),
                                      issued=str(s.get("issued", "")), items=items,
                                      notes=tuple(tuple(x) for x in s.get("notes", ()))))
    for regime in REGIMES:
        levels = [lv for s in standards if s.regime == regime for lv in s.levels]
        twice = sorted({lv for lv in levels if levels.count(lv) > 1})
        if twice:
            raise _bad(label, f"{', '.join(twice)} have more than one {regime} standard")
    none = tuple(NotOnFile(tuple(e["levels"]), str(e["regime"]), tuple(e.get("why", ())), tuple(e.get("sources", ())))
                 for e in raw.get("not_on_file", []))
    return StandardsFile(label, str(raw.get("version", "")), tuple(standards), none, sources)


@lru_cache(maxsize=8)
def _load(path: str) -> StandardsFile:
    if not path:
        return parse_standards(default_config_text(FILE), f"silian/config/{FILE}")
    file = Path(path)
    if not file.exists():
        raise InvalidInput(t("config_missing", path=file))
    return parse_standards(file.read_text(encoding="utf-8-sig"), str(file))


def school_standards(config: AnalysisConfig) -> StandardsFile:
    """The standards file in force: analysis.toml ``[school_standards] file`` if set (a relative path is read from
    the analysis file's folder), else the built-in one."""
    name = str(config.section("school_standards").get("file", "") or "")
    if name and not Path(name).is_absolute() and not config.source.startswith("silian/config/"):
        name = str(Path(config.source).parent / name)
    return _load(name)
