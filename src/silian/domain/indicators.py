"""The four-chain indicator system: what each indicator is and the formula that computes it from the hub.

A formula is a small arithmetic expression over aggregates of hub tables, written in Python syntax, e.g.
``100 * sum(institution_resources.dual_teachers) / sum(institution_resources.major_teachers)``.
Aggregates are ``sum(table.field)``, ``count(table)`` and ``distinct(table.field)``, each optionally
filtered by keywords: a column of the table (``source="declared"``), ``level=`` (the school's 办学层次, for
tables keyed by school) or ``key_industry=True`` (only the region's key industry chains). Everything is
aggregated by region and year (see ``silian.services.panel``). This module parses and checks formulas; it
does no I/O.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.domain.tables import HUB_TABLES

CHAINS = ("education", "talent", "industry", "innovation")
CHAIN_NAMES = {"education": ("教育链", "Education chain"), "talent": ("人才链", "Talent chain"),
               "industry": ("产业链", "Industry chain"), "innovation": ("创新链", "Innovation chain")}
AGGREGATES = ("sum", "count", "distinct")
SPECIAL_FILTERS = ("level", "key_industry")
# columns the panel adds to a table before aggregating (documented in docs/methods/indicators.md)
DERIVED_FIELDS = {"major_points": ("key_industry_weight",)}

register_messages(
    {
        "indicator_bad_formula": (
            "指标“{key}”的公式无法识别：{formula}（{detail}）",
            "The formula of indicator '{key}' cannot be read: {formula} ({detail})",
        ),
        "indicator_bad_field": (
            "指标“{key}”引用了不存在的表或字段：{ref}",
            "Indicator '{key}' refers to an unknown table or field: {ref}",
        ),
        "indicator_bad_chain": (
            "指标“{key}”的 chain 必须是 {allowed} 之一，实际为“{value}”",
            "Indicator '{key}': chain must be one of {allowed}, not '{value}'",
        ),
        "indicator_bad_direction": (
            "指标“{key}”的 direction 必须是 + 或 -，实际为“{value}”",
            "Indicator '{key}': direction must be + or -, not '{value}'",
        ),
        "indicator_duplicate": ("指标代码重复：{key}", "Duplicate indicator key: {key}"),
        "indicator_missing_chain": (
            "指标体系中没有“{chain}”的指标",
            "The indicator system has no indicator for the {chain}",
        ),
    }
)


@dataclass(frozen=True)
class Aggregate:
    """One aggregate term of a formula: ``func(table.field, **filters)``."""

    func: Literal["sum", "count", "distinct"]
    table: str
    field: str | None
    filters: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Formula:
    """A parsed formula: the expression tree and the aggregates it needs."""

    text: str
    tree: ast.expr
    aggregates: tuple[Aggregate, ...]


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: chain, key, names, unit, direction (+ benefit, - cost), formula and the levels it applies to."""

    key: str
    chain: str
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["+", "-"]
    formula: Formula
    levels: tuple[str, ...] = ("city", "county")
    note: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class IndicatorSystem:
    """All indicators, in order, grouped by chain; key industries by chain name (GB/T 4754 大类 codes)."""

    indicators: tuple[IndicatorSpec, ...]
    key_industries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def for_level(self, level: str) -> tuple[IndicatorSpec, ...]:
        return tuple(i for i in self.indicators if level in i.levels)

    def key_industry_codes(self) -> tuple[str, ...]:
        return tuple(sorted({c for codes in self.key_industries.values() for c in codes}))


def parse_formula(key: str, text: str) -> Formula:
    """Parse and check ``text``; raises InvalidInput naming the indicator and what is wrong."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise InvalidInput(t("indicator_bad_formula", key=key, formula=text, detail=exc.msg)) from exc
    aggregates: list[Aggregate] = []
    _check(key, text, tree, aggregates)
    return Formula(text=text, tree=tree, aggregates=tuple(dict.fromkeys(aggregates)))


def _check(key: str, text: str, node: ast.expr, out: list[Aggregate]) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        _check(key, text, node.left, out)
        _check(key, text, node.right, out)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(key, text, node.operand, out)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return
    elif isinstance(node, ast.Call):
        out.append(aggregate_of(key, text, node))
    else:
        raise InvalidInput(t("indicator_bad_formula", key=key, formula=text, detail=ast.unparse(node)))


def aggregate_of(key: str, text: str, node: ast.Call) -> Aggregate:
    """The Aggregate a call node stands for (checked against the hub's tables)."""
    func = node.func.id if isinstance(node.func, ast.Name) else ""
    if func not in AGGREGATES or len(node.args) != 1:
        raise InvalidInput(t("indicator_bad_formula", key=key, formula=text, detail=ast.unparse(node)))
    table, column = _reference(key, node.args[0])
    if func != "count" and column is None:
        raise InvalidInput(t("indicator_bad_field", key=key, ref=ast.unparse(node.args[0])))
    filters = []
    for kw in node.keywords:
        value = _literal(kw.value)
        if kw.arg is None or value is None:
            raise InvalidInput(t("indicator_bad_formula", key=key, formula=text, detail=ast.unparse(kw)))
        if kw.arg not in SPECIAL_FILTERS and kw.arg not in HUB_TABLES[table].field_names:
            raise InvalidInput(t("indicator_bad_field", key=key, ref=f"{table}.{kw.arg}"))
        filters.append((kw.arg, value))
    return Aggregate(func=func, table=table, field=column, filters=tuple(sorted(filters)))  # type: ignore[arg-type]


def _literal(node: ast.expr) -> object | None:
    """A filter value: a string, number or true/false (TOML-style or Python-style)."""
    if isinstance(node, ast.Constant) and node.value is not None:
        return node.value
    if isinstance(node, ast.Name) and node.id.lower() in ("true", "false"):
        return node.id.lower() == "true"
    return None


def _reference(key: str, node: ast.expr) -> tuple[str, str | None]:
    if isinstance(node, ast.Name) and node.id in HUB_TABLES:
        return node.id, None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in HUB_TABLES:
        table = node.value.id
        known = HUB_TABLES[table].field_names + DERIVED_FIELDS.get(table, ())
        if node.attr in known:
            return table, node.attr
    raise InvalidInput(t("indicator_bad_field", key=key, ref=ast.unparse(node)))


def build_system(raw: dict[str, object], source: str = "") -> IndicatorSystem:
    """An IndicatorSystem from the parsed TOML document (``[[indicators]]`` and ``[key_industries]``)."""
    specs: list[IndicatorSpec] = []
    seen: set[str] = set()
    for item in raw.get("indicators", []):  # type: ignore[attr-defined, union-attr]
        spec = _spec(item)
        if spec.key in seen:
            raise InvalidInput(t("indicator_duplicate", key=spec.key))
        seen.add(spec.key)
        specs.append(spec)
    for chain in CHAINS:
        if not any(s.chain == chain for s in specs):
            raise InvalidInput(t("indicator_missing_chain", chain=CHAIN_NAMES[chain][0]))
    key_industries = {str(k): tuple(str(c) for c in v) for k, v in dict(raw.get("key_industries", {})).items()}  # type: ignore[arg-type, call-overload]
    return IndicatorSystem(indicators=tuple(specs), key_industries=key_industries, source=source)


def _spec(item: dict[str, object]) -> IndicatorSpec:
    key = str(item["key"])
    chain = str(item.get("chain", ""))
    if chain not in CHAINS:
        raise InvalidInput(t("indicator_bad_chain", key=key, allowed="、".join(CHAINS), value=chain))
    direction = str(item.get("direction", "+"))
    if direction not in ("+", "-"):
        raise InvalidInput(t("indicator_bad_direction", key=key, value=direction))
    levels = item.get("levels", ["city", "county"])
    return IndicatorSpec(
        key=key, chain=chain, name_zh=str(item.get("name", key)), name_en=str(item.get("name_en", key)),
        unit=str(item.get("unit", "")), direction=direction,  # type: ignore[arg-type]
        formula=parse_formula(key, str(item["formula"])),
        levels=tuple(str(v) for v in levels),  # type: ignore[attr-defined, union-attr]
        note=str(item.get("note", "")),
    )
