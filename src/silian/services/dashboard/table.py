"""A chart's data as a table: its columns (with how each value is shown) and its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from silian.domain.messages import t

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


def table_columns(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, t(label) if label else "", kind) for key, label, kind in spec)
