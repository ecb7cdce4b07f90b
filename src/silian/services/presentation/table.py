"""A presented table: the columns (key, label, unit, kind) and raw rows of one view of the analysis, and the
one way each value is shown. Every renderer — the dashboard's table and chart, the report, the CSV and Excel
downloads, the JSON API — reads the same object, so they cannot disagree."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from silian.domain.indicators import CHAIN_NAMES
from silian.domain.messages import current_lang, t

# column kinds: how a value is shown (rows keep the raw value: numbers stay numbers, codes stay codes)
TEXT, INT, NUM2, NUM3, NUM4, PCT, PCT_POINTS = "text", "int", "num2", "num3", "num4", "pct", "pct_points"
GAP_RATIO = "gap_ratio"  # a share like PCT, shown as "> 1000%" beyond ten times the supply (a tiny supply, not a rate)
GAP_RATIO_SHOWN_UP_TO = 10.0
CHECK, LIST = "check", "list"
# coded kinds: the row keeps the code, every renderer shows its name (the JSON API gives both)
CHAIN, LEVEL, CARD, REASONS, VERDICT = "chain", "level", "card", "reasons", "verdict"
NUMERIC = frozenset({INT, NUM2, NUM3, NUM4, PCT, PCT_POINTS, GAP_RATIO})
CODED = frozenset({CHAIN, LEVEL, CARD, REASONS, VERDICT})


def num(value: object, digits: int = 2) -> str:
    """A number with thousands separators and ``digits`` decimals; ``—`` for missing."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def whole(value: object) -> str:
    return num(value, 0)


def pct(value: object, digits: int = 1) -> str:
    """A share as a percentage (0.256 → 25.6%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]


def chain_label(key: str) -> str:
    """One of the four chains by its key (education, talent, industry, innovation)."""
    return CHAIN_NAMES[key][1 if current_lang.get() == "en" else 0]


def level_label(key: object) -> str:
    return t(f"level_{key}") if key in ("secondary", "associate", "bachelor") else str(key or "")


def card_label(card: object) -> str:
    return t(f"card_{card}") if card in ("red", "yellow", "green", "no_data") else "—"


def reasons_label(keys: object) -> str:
    return t("list_joiner").join(t(f"reason_{k}") for k in keys or [])  # type: ignore[attr-defined]


def verdict_label(verdict: object) -> str:
    """A school's verdict under one standard (met, not_met, no_data, partial, no_standard) in words."""
    return t(f"verdict_{verdict}") if verdict else "—"


def name_of(value: Any, kind: str) -> Any:
    """The name shown for a coded value (the value itself for other kinds)."""
    if kind == CHAIN:
        return chain_label(value) if value in CHAIN_NAMES else str(value or "")
    if kind == LEVEL:
        return level_label(value)
    if kind == CARD:
        return card_label(value)
    if kind == REASONS:
        return reasons_label(value)
    if kind == VERDICT:
        return verdict_label(value)
    return value


def gap_ratio(value: float) -> str:
    """A gap ratio as a percentage, or "> 1000%" when the supply is too small for a ratio to mean anything (a
    major with 38 graduates and 2,440 openings is a shortage of 2,402 people, not "6,377 %")."""
    return f"> {GAP_RATIO_SHOWN_UP_TO * 100:,.0f}%" if value > GAP_RATIO_SHOWN_UP_TO else pct(value)


_NUMBERS = {INT: whole, NUM2: num, NUM3: lambda v: num(v, 3), NUM4: lambda v: num(v, 4), PCT: pct,
            PCT_POINTS: lambda v: num(v, 1), GAP_RATIO: gap_ratio}


def show(value: Any, kind: str) -> str:
    """A cell as a person reads it (page, report, chart label)."""
    if kind == CHECK:
        return "—" if value is None else "✓" if value else "✗"
    if kind in CODED:
        return str(name_of(value, kind)) or "—"
    if value is None:
        return "—"
    if kind in _NUMBERS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _NUMBERS[kind](value)
    if isinstance(value, (list, tuple)):
        return t("list_joiner").join(map(str, value)) or "—"
    return str(value)


def export_value(value: Any, kind: str) -> Any:
    """A cell as written to a file: numbers stay numbers (rounded), codes become names, checks yes/no."""
    if kind in CODED:
        return name_of(value, kind)
    if value is None:
        return ""
    if kind == CHECK or isinstance(value, bool):
        return t("dash_yes") if value else t("dash_no")
    if kind == INT and isinstance(value, float):
        return round(value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return t("list_joiner").join(map(str, value))
    return value


def json_value(value: Any) -> Any:
    """A raw value safe for JSON (NaN and infinities become null)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


# units as written in tables (Chinese) and in English
UNIT_NAMES = {"人": "persons", "人/年": "persons/yr", "个": "no.", "所": "schools", "条": "records", "万元": "10k yuan",
              "亿元": "100m yuan", "元": "yuan", "元/月": "yuan/month", "%": "%", "m²": "m²", "册": "books"}


def unit_label(unit: str) -> str:
    """A unit in the current language (``人`` → ``persons``)."""
    return UNIT_NAMES.get(unit, unit) if current_lang.get() == "en" else unit


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def heading(self) -> str:
        """The label as a table header shows it (the unit is part of the label: :func:`with_unit`)."""
        return self.label


def with_unit(label: str, unit: str) -> str:
    """A column's label with its unit, the same in every renderer: ``缺口（人/年）``, ``Gap (persons/yr)``; a label
    that names its unit already is kept."""
    if not unit or label.endswith((")", "）")) or "/ yr" in label:
        return label
    return f"{label} ({unit_label(unit)})" if current_lang.get() == "en" else f"{label}（{unit}）"


@dataclass(frozen=True)
class PresentedTable:
    """One view of the analysis: ``rows`` hold raw values in column order; ``marked`` are the indices of rows
    to highlight; ``links`` optional per-row query parameters (the drill-down)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    marked: frozenset[int] = frozenset()
    links: list[dict[str, str]] = field(default_factory=list)

    def without(self, *keys: str) -> PresentedTable:
        """The same table without the named columns (e.g. web addresses a printed report does not need)."""
        keep = [i for i, c in enumerate(self.columns) if c.key not in keys]
        return dataclasses.replace(self, columns=tuple(self.columns[i] for i in keep),
                                   rows=[tuple(row[i] for i in keep) for row in self.rows])

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def values(self, key: str) -> list[Any]:
        """One column's raw values, by key."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def shown(self, key: str) -> list[str]:
        """One column as shown (names for codes, formatted numbers) — a chart's categories."""
        kind = self.column(key).kind
        return [show(v, kind) for v in self.values(key)]

    def series(self, *keys: str, digits: int | None = None) -> dict[str, list[Any]]:
        """Columns as chart series: label → values (rounded to ``digits`` when given)."""
        def fix(v: Any) -> Any:
            if digits is None or not isinstance(v, float) or math.isnan(v):
                return v
            return round(v) if digits == 0 else round(v, digits)
        return {self.column(k).label: [fix(v) for v in self.values(k)] for k in keys}

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def numeric(self) -> set[int]:
        """The indices of the numeric columns (right-aligned)."""
        return {i for i, c in enumerate(self.columns) if c.numeric}

    def cells(self) -> list[list[str]]:
        """Every row as shown."""
        return [[show(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def export_rows(self) -> list[list[Any]]:
        """Every row as written to a CSV or Excel file."""
        return [[export_value(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Every row as ``{column key: raw value}`` (the JSON API's field names), with ``<key>_name`` beside
        every coded column."""
        out = []
        for row in self.rows:
            record: dict[str, Any] = {}
            for value, c in zip(row, self.columns, strict=True):
                record[c.key] = json_value(value)
                if c.kind in CODED:
                    record[f"{c.key}_name"] = name_of(value, c.kind)
            out.append(record)
        return out

    def to_json(self) -> dict[str, Any]:
        """The table for the JSON API: title, columns (key, label, unit, kind) and the rows as records."""
        return {"id": self.id, "title": self.title,
                "columns": [{"key": c.key, "label": c.label, "unit": c.unit, "kind": c.kind} for c in self.columns],
                "rows": self.records(), "marked": sorted(self.marked)}


DataTable = PresentedTable  # the dashboard's older name


def table_columns(*spec: tuple[str, str, str] | tuple[str, str, str, str]) -> tuple[Column, ...]:
    """Columns from ``(key, message key, kind[, unit])``; an empty message key keeps the column key as label."""
    return tuple(Column(s[0], with_unit(t(s[1]) if s[1] else s[0], s[3] if len(s) > 3 else ""), s[2],
                        s[3] if len(s) > 3 else "") for s in spec)


def heatmap(table: PresentedTable, top: int, value: str = "gap") -> tuple[list[str], list[str], list[str], list[list[float | None]]]:
    """A class × chain heatmap from a table of cells whose ``links`` carry ``class_code`` and ``chain`` (rows in
    the order to show): the first ``top`` class codes, their labels ``类名（层次）``, the chains and the values."""
    chains = sorted({link["chain"] for link in table.links})
    names = table.shown("class_name")
    levels = table.shown("level_key")
    cells = table.values(value)
    labels: dict[str, str] = {}
    values: dict[tuple[str, str], float] = {}
    for i, link in enumerate(table.links):
        labels.setdefault(link["class_code"], f"{names[i]}（{levels[i]}）")
        values[(link["class_code"], link["chain"])] = cells[i]
    codes = list(labels)[:top]
    grid = [[round(values[(c, ch)]) if (c, ch) in values else None for ch in chains] for c in codes]
    return codes, [labels[c] for c in codes], chains, grid  # type: ignore[return-value]
