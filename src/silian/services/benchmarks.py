"""Re-basing the indicator benchmarks: an explicit, announced act. ``silian indicators rebase`` writes a copy of the
indicator file with new floors, targets or sources and a new release label, and says what changed — field by field,
and what it does to the city's D by year when the hub has data. The file in force is never edited in place."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.indicators import IndicatorSystem, build_system
from silian.domain.messages import current_lang, register_messages, t
from silian.services.config import default_config_text
from silian.services.four_chains import analyse_four_chains, coupling_options
from silian.services.hub import HubSnapshot

FIELDS = ("floor", "target", "kind", "source", "derivation")
NUMERIC = ("floor", "target")

register_messages({
    "rebase_bad_set": (
        "--set 应写成 指标代码.字段=值，字段为 {fields}（现在是“{value}”）",
        "--set must read key.field=value with field one of {fields} (got '{value}')",
    ),
    "rebase_unknown_key": ("指标体系中没有指标“{key}”", "The indicator system has no indicator '{key}'"),
    "rebase_not_number": ("{key}.{field} 必须是数字（现在是“{value}”）", "{key}.{field} must be a number (got '{value}')"),
    "rebase_same_release": (
        "新的基准版本号必须与当前版本（{release}）不同：基准按版本冻结，重设基准就是发布新版本",
        "The new release label must differ from the current one ({release}): benchmarks are frozen per release",
    ),
    "rebase_exists": (
        "{path} 已存在：请换一个文件名，或加 --force 覆盖",
        "{path} exists: choose another name or add --force to overwrite it",
    ),
    "rebase_nothing": ("没有任何基准发生变化", "No benchmark changed"),
})


@dataclass(frozen=True)
class Rebase:
    """The re-based file's text, the system it defines, and every change as rows (indicator, name, field, old, new)."""

    text: str
    system: IndicatorSystem
    changes: pl.DataFrame


def parse_sets(items: list[str]) -> dict[str, dict[str, object]]:
    """``["edu_dual_teacher_share.target=55", …]`` → ``{"edu_dual_teacher_share": {"target": 55.0}}``."""
    out: dict[str, dict[str, object]] = {}
    for item in items:
        match = re.fullmatch(r"\s*([A-Za-z0-9_]+)\.([a-z]+)\s*=\s*(.*)", item, flags=re.DOTALL)
        if not match or match.group(2) not in FIELDS:
            raise InvalidInput(t("rebase_bad_set", fields="、".join(FIELDS), value=item))
        key, name, raw = match.groups()
        value: object = raw.strip()
        if name in NUMERIC:
            try:
                value = float(raw)
            except ValueError:
                raise InvalidInput(t("rebase_not_number", key=key, field=name, value=raw)) from None
        out.setdefault(key, {})[name] = value
    return out


def _literal(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def patch_text(text: str, changes: dict[str, dict[str, object]], release: str) -> str:
    """``text`` (an indicator file) with the benchmark fields of ``changes`` and the release label replaced;
    comments and everything else are kept as they are."""
    lines = text.splitlines()
    for key, fields in changes.items():
        start = next((i for i, line in enumerate(lines) if re.fullmatch(rf'\s*key\s*=\s*"{re.escape(key)}"\s*', line)), None)
        if start is None:
            raise InvalidInput(t("rebase_unknown_key", key=key))
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "[[indicators]]"), len(lines))
        head = next((i for i in range(start, end) if lines[i].strip() == "[indicators.benchmark]"), None)
        if head is None:
            lines[end:end] = ["[indicators.benchmark]"]
            head, end = end, end + 1
        stop = next((i for i in range(head + 1, end) if lines[i].lstrip().startswith("[")), end)
        for name, value in fields.items():
            hit = next((i for i in range(head + 1, stop) if re.match(rf"\s*{name}\s*=", lines[i])), None)
            if hit is None:
                lines.insert(head + 1, f"{name} = {_literal(value)}")
                stop += 1
            else:
                lines[hit] = f"{name} = {_literal(value)}"
    label = f"release = {_literal(release)}"
    at = next((i for i, line in enumerate(lines) if re.match(r"\s*release\s*=", line)), None)
    if at is None:
        first_table = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
        lines.insert(first_table, label)
    else:
        lines[at] = label
    return "\n".join(lines) + "\n"


def diff(old: IndicatorSystem, new: IndicatorSystem) -> pl.DataFrame:
    """Every benchmark field that differs, per indicator and level (``""`` = the common benchmark)."""
    lang = current_lang.get()
    rows = [{"indicator": "", "name": "release", "level": "", "field": "release", "old": old.release, "new": new.release}]
    by_key = {s.key: s for s in old.indicators}
    for spec in new.indicators:
        before = by_key.get(spec.key)
        for level in ("", *sorted({lv for lv, _ in spec.level_benchmarks} | {lv for lv, _ in (before.level_benchmarks if before else ())})):
            a = (before.benchmark_for(level) if level else before.benchmark) if before else None
            b = spec.benchmark_for(level) if level else spec.benchmark
            for name in FIELDS:
                x, y = getattr(a, name, None), getattr(b, name, None)
                if x != y:
                    rows.append({"indicator": spec.key, "name": spec.name(lang), "level": level, "field": name,
                                 "old": "" if x is None else _shown(x), "new": "" if y is None else _shown(y)})
    return pl.DataFrame(rows, schema={k: pl.String for k in ("indicator", "name", "level", "field", "old", "new")})


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def current_text(path: Path | None) -> tuple[str, str]:
    """The text of the indicator file in force (``path``, or the built-in default) and how to name it."""
    if path is None:
        return default_config_text("indicators.toml"), "silian/config/indicators.toml"
    return path.read_text(encoding="utf-8-sig"), str(path)


def rebase(text: str, sets: list[str], release: str, source: str = "") -> Rebase:
    """Apply ``sets`` (``key.field=value``) and the new ``release`` to the indicator file ``text``."""
    old = build_system(_toml(text, source), source=source)
    if release == old.release:
        raise InvalidInput(t("rebase_same_release", release=old.release or "—"))
    changes = parse_sets(sets)
    unknown = next((k for k in changes if k not in {s.key for s in old.indicators}), None)
    if unknown:
        raise InvalidInput(t("rebase_unknown_key", key=unknown))
    patched = patch_text(text, changes, release)
    new = build_system(_toml(patched, source), source=source)
    return Rebase(text=patched, system=new, changes=diff(old, new))


def _toml(text: str, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(t("config_bad_toml", path=source or "indicators.toml", detail=exc)) from exc


def write(result: Rebase, path: Path, *, force: bool = False) -> Path:
    if path.exists() and not force:
        raise InvalidInput(t("rebase_exists", path=path))
    path.write_text(result.text, encoding="utf-8")
    return path


def effect_on_d(hub: HubSnapshot, old: IndicatorSystem, new: IndicatorSystem, region: str,
                coupling: dict[str, object]) -> pl.DataFrame:
    """The city's D by year under the old and the new benchmarks: ``year``, ``D_old``, ``D_new``, ``change``."""
    options = coupling_options(coupling)
    before = analyse_four_chains(hub, old, level="city", regions=[region], **options).scores.select("year", pl.col("D").alias("D_old"))
    after = analyse_four_chains(hub, new, level="city", regions=[region], **options).scores.select("year", pl.col("D").alias("D_new"))
    return before.join(after, on="year", how="full", coalesce=True).sort("year").with_columns(
        (pl.col("D_new") - pl.col("D_old")).alias("change"))
