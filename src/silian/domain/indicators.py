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
LEVELS = ("city", "county")
# where a benchmark's floor and target come from (docs/methods/indicators.md § Benchmarks)
BENCHMARK_KINDS = ("standard", "plan", "national", "peer", "definition", "expert")
WEIGHT_SCHEMES = ("equal", "expert", "ahp")
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
        "indicator_bad_benchmark": (
            "指标“{key}”的基准值有误：{detail}",
            "Indicator '{key}': the benchmark is wrong: {detail}",
        ),
        "indicator_bad_number": (
            "指标“{key}”的 {field} 必须是数字（现在是“{value}”）",
            "Indicator '{key}': {field} must be a number (got '{value}')",
        ),
        "benchmark_detail_direction": (
            "正向指标要求 target > floor，负向指标要求 target < floor（现在 floor = {floor}，target = {target}）",
            "a positive indicator needs target > floor, a negative one target < floor (floor = {floor}, target = {target})",
        ),
        "benchmark_detail_kind": ("kind 必须是 {allowed} 之一（现在是“{value}”）", "kind must be one of {allowed} (got '{value}')"),
        "benchmark_detail_source": ("缺少 source（出处）", "source is missing"),
        "benchmark_detail_level": ("未知的层级“{value}”（可选 {allowed}）", "unknown level '{value}' (choose {allowed})"),
        "indicator_bad_weights": (
            "[weights] 有误：{detail}",
            "[weights] is wrong: {detail}",
        ),
        "weights_detail_scheme": ("scheme 必须是 {allowed} 之一（现在是“{value}”）", "scheme must be one of {allowed} (got '{value}')"),
        "weights_detail_expert": (
            "scheme = \"expert\" 时每个指标都要有非负的 weight（“{key}”没有）",
            "scheme = \"expert\" needs a non-negative weight on every indicator ('{key}' has none)",
        ),
        "weights_detail_ahp_missing": (
            "scheme = \"ahp\" 时每条链都要有判断矩阵 [weights.ahp.{chain}]",
            "scheme = \"ahp\" needs a judgement matrix [weights.ahp.{chain}] for every chain",
        ),
        "weights_detail_ahp_keys": (
            "判断矩阵 [weights.ahp.{chain}] 的 indicators 应恰好是该链的全部指标（{expected}），现在是 {got}",
            "matrix [weights.ahp.{chain}]: indicators must be exactly the chain's indicators ({expected}); got {got}",
        ),
        "weights_detail_ahp_shape": (
            "判断矩阵 [weights.ahp.{chain}] 应为 {n} × {n} 的正数矩阵",
            "matrix [weights.ahp.{chain}] must be an {n} × {n} matrix of positive numbers",
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
class Benchmark:
    """Where an indicator scores 0 (``floor``) and 1 (``target``), with where the numbers come from.

    A positive indicator has target > floor, a negative one target < floor: z = clip((x − floor) /
    (target − floor), 0, 1) either way. ``kind`` is one of :data:`BENCHMARK_KINDS`."""

    floor: float
    target: float
    kind: str
    source: str
    derivation: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: chain, key, names, unit, direction (+ benefit, - cost), formula and the levels it applies to,
    with its benchmark (per level where a level has its own) and its expert weight, when the file gives them."""

    key: str
    chain: str
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["+", "-"]
    formula: Formula
    levels: tuple[str, ...] = ("city", "county")
    note: str = ""
    benchmark: Benchmark | None = None
    level_benchmarks: tuple[tuple[str, Benchmark], ...] = ()
    weight: float | None = None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def benchmark_for(self, level: str) -> Benchmark | None:
        """The benchmark at ``level``: the level's own when the file gives one, else the common one."""
        return dict(self.level_benchmarks).get(level, self.benchmark)


@dataclass(frozen=True)
class AhpMatrix:
    """A pairwise-comparison (judgement) matrix of one chain's indicators, in the order of ``indicators``."""

    chain: str
    indicators: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class IndicatorSystem:
    """All indicators, in order, grouped by chain; key industries by chain name (GB/T 4754 大类 codes); the
    benchmark release label and the fixed-weight scheme (``equal``, ``expert`` or ``ahp`` with its matrices)."""

    indicators: tuple[IndicatorSpec, ...]
    key_industries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    release: str = ""
    weight_scheme: str = "equal"
    ahp: tuple[AhpMatrix, ...] = ()

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
    scheme, ahp = _weights(dict(raw.get("weights", {})), specs)  # type: ignore[call-overload]
    return IndicatorSystem(indicators=tuple(specs), key_industries=key_industries, source=source,
                           release=str(raw.get("release", "")), weight_scheme=scheme, ahp=ahp)


def _weights(raw: dict[str, object], specs: list[IndicatorSpec]) -> tuple[str, tuple[AhpMatrix, ...]]:
    """The fixed-weight scheme of ``[weights]`` and its AHP matrices, checked for shape (consistency is checked
    when the weights are computed, by ``silian.analytics.weighting.ahp_weights``)."""
    scheme = str(raw.get("scheme", "equal"))
    if scheme not in WEIGHT_SCHEMES:
        raise InvalidInput(t("indicator_bad_weights", detail=t("weights_detail_scheme", allowed="、".join(WEIGHT_SCHEMES),
                                                                 value=scheme)))
    if scheme == "expert":
        missing = next((s.key for s in specs if s.weight is None or s.weight < 0), None)
        if missing:
            raise InvalidInput(t("indicator_bad_weights", detail=t("weights_detail_expert", key=missing)))
    if scheme != "ahp":
        return scheme, ()
    tables = dict(raw.get("ahp", {}))  # type: ignore[call-overload]
    matrices = []
    for chain in CHAINS:
        if chain not in tables:
            raise InvalidInput(t("indicator_bad_weights", detail=t("weights_detail_ahp_missing", chain=chain)))
        matrices.append(_ahp_matrix(chain, dict(tables[chain]), [s.key for s in specs if s.chain == chain]))
    return scheme, tuple(matrices)


def _ahp_matrix(chain: str, table: dict[str, object], expected: list[str]) -> AhpMatrix:
    keys = [str(k) for k in table.get("indicators", [])]  # type: ignore[attr-defined]
    if sorted(keys) != sorted(expected):
        raise InvalidInput(t("indicator_bad_weights", detail=t("weights_detail_ahp_keys", chain=chain,
                                                                 expected="、".join(expected), got="、".join(keys) or "—")))
    n = len(keys)
    rows = table.get("matrix", [])
    try:
        matrix = tuple(tuple(float(v) for v in row) for row in rows)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        matrix = ()
    if len(matrix) != n or any(len(row) != n or min(row) <= 0 for row in matrix):
        raise InvalidInput(t("indicator_bad_weights", detail=t("weights_detail_ahp_shape", chain=chain, n=n)))
    return AhpMatrix(chain=chain, indicators=tuple(keys), matrix=matrix)


def _number(key: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(t("indicator_bad_number", key=key, field=name, value=value))
    return float(value)


def _benchmark(key: str, direction: str, raw: dict[str, object], base: Benchmark | None = None) -> Benchmark:
    """A benchmark from its TOML table; a level's table inherits what it leaves out from the common one."""
    floor = _number(key, "floor", raw["floor"]) if "floor" in raw or base is None else base.floor
    target = _number(key, "target", raw["target"]) if "target" in raw or base is None else base.target
    kind = str(raw.get("kind", base.kind if base else ""))
    source = str(raw.get("source", base.source if base else "")).strip()
    derivation = str(raw.get("derivation", base.derivation if base else "")).strip()
    if (direction == "+" and not target > floor) or (direction == "-" and not target < floor):
        raise InvalidInput(t("indicator_bad_benchmark", key=key,
                             detail=t("benchmark_detail_direction", floor=f"{floor:g}", target=f"{target:g}")))
    if kind not in BENCHMARK_KINDS:
        raise InvalidInput(t("indicator_bad_benchmark", key=key,
                             detail=t("benchmark_detail_kind", allowed="、".join(BENCHMARK_KINDS), value=kind)))
    if not source:
        raise InvalidInput(t("indicator_bad_benchmark", key=key, detail=t("benchmark_detail_source")))
    return Benchmark(floor=floor, target=target, kind=kind, source=source, derivation=derivation)


def _benchmarks(key: str, direction: str, raw: object) -> tuple[Benchmark | None, tuple[tuple[str, Benchmark], ...]]:
    if raw is None:
        return None, ()
    table = dict(raw)  # type: ignore[call-overload]
    own = {k: v for k, v in table.items() if not isinstance(v, dict)}
    base = _benchmark(key, direction, own) if own else None
    levels = []
    for level, sub in ((k, v) for k, v in table.items() if isinstance(v, dict)):
        if level not in LEVELS:
            raise InvalidInput(t("indicator_bad_benchmark", key=key,
                                 detail=t("benchmark_detail_level", value=level, allowed="、".join(LEVELS))))
        levels.append((level, _benchmark(key, direction, sub, base)))
    return base, tuple(levels)


def _spec(item: dict[str, object]) -> IndicatorSpec:
    key = str(item["key"])
    chain = str(item.get("chain", ""))
    if chain not in CHAINS:
        raise InvalidInput(t("indicator_bad_chain", key=key, allowed="、".join(CHAINS), value=chain))
    direction = str(item.get("direction", "+"))
    if direction not in ("+", "-"):
        raise InvalidInput(t("indicator_bad_direction", key=key, value=direction))
    levels = item.get("levels", ["city", "county"])
    benchmark, level_benchmarks = _benchmarks(key, direction, item.get("benchmark"))
    weight = item.get("weight")
    return IndicatorSpec(
        key=key, chain=chain, name_zh=str(item.get("name", key)), name_en=str(item.get("name_en", key)),
        unit=str(item.get("unit", "")), direction=direction,  # type: ignore[arg-type]
        formula=parse_formula(key, str(item["formula"])),
        levels=tuple(str(v) for v in levels),  # type: ignore[attr-defined, union-attr]
        note=str(item.get("note", "")),
        benchmark=benchmark, level_benchmarks=level_benchmarks,
        weight=_number(key, "weight", weight) if weight is not None else None,
    )
