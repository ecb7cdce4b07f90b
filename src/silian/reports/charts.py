"""One chart description, two renderings: an ECharts option (interactive HTML) and a server-rendered SVG
(PDF and no-JavaScript fallback)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from silian.reports import svg_charts

Kind = Literal["line", "bar", "heatmap"]


@dataclass(frozen=True)
class Chart:
    """A chart: ``x`` categories (or heatmap columns), ``series`` name → values (heatmap: ``rows`` and
    ``values``), axis label, optional y range and horizontal bands (coordination levels)."""

    id: str
    kind: Kind
    title: str
    x: Sequence[object]
    series: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    y_label: str = ""
    y_range: tuple[float, float] | None = None
    bands: Sequence[tuple[float, float, str]] = ()
    horizontal: bool = False
    rows: Sequence[object] = ()
    values: Sequence[Sequence[float | None]] = ()
    value_format: str | None = None

    def svg(self) -> str:
        """The chart as standalone SVG text."""
        if self.kind == "line":
            return svg_charts.line_chart(self.x, self.series, self.title, self.y_label, self.y_range,
                                         list(self.bands) or None)
        if self.kind == "bar":
            height = max(360, 22 * len(self.x) + 120) if self.horizontal else 360
            return svg_charts.bar_chart(self.x, self.series, self.title, self.horizontal, value_label=self.y_label,
                                        value_format=self.value_format, height=height)
        return svg_charts.heatmap(self.rows, self.x, self.values, self.title, True, value_format=self.value_format)

    def echarts_option(self) -> dict[str, Any]:
        """The chart as an ECharts option."""
        base: dict[str, Any] = {"title": {"text": self.title, "left": "center", "top": 4, "textStyle": {"fontSize": 14}},
                                "tooltip": {"trigger": "item" if self.kind == "heatmap" else "axis"},
                                "toolbox": {"feature": {"saveAsImage": {}, "dataView": {"readOnly": True}}}}
        if self.kind == "heatmap":
            return {**base, **self._heatmap_option()}
        category = {"type": "category", "data": [str(v) for v in self.x]}
        value: dict[str, Any] = {"type": "value", "name": self.y_label}
        if self.y_range:
            value.update(min=self.y_range[0], max=self.y_range[1])
        series = [{"name": name, "type": self.kind, "data": list(values), "connectNulls": False}
                  for name, values in self.series.items()]
        if self.bands and series:
            series[0]["markArea"] = {"silent": True, "itemStyle": {"opacity": 0.06},
                                     "label": {"position": "insideRight", "fontSize": 10, "color": "#777"},
                                     "data": [[{"yAxis": lo, "name": label}, {"yAxis": hi}] for lo, hi, label in self.bands]}
        axes = {"xAxis": value, "yAxis": {**category, "inverse": True}} if self.horizontal else {"xAxis": category, "yAxis": value}
        grid = {"left": 160 if self.horizontal else 60, "right": 30, "top": 72, "bottom": 40, "containLabel": False}
        return {**base, **axes, "grid": grid, "legend": {"top": 34}, "series": series}

    def _heatmap_option(self) -> dict[str, Any]:
        data = [[j, i, v] for i, row in enumerate(self.values) for j, v in enumerate(row) if v is not None]
        present = [abs(v) for _, _, v in data] or [1.0]
        limit = max(present)
        return {"xAxis": {"type": "category", "data": [str(v) for v in self.x], "axisLabel": {"rotate": 30}},
                "yAxis": {"type": "category", "data": [str(v) for v in self.rows]},
                "grid": {"left": 170, "right": 30, "top": 50, "bottom": 90},
                "visualMap": {"min": -limit, "max": limit, "calculable": True, "orient": "horizontal", "left": "center",
                              "bottom": 0, "inRange": {"color": ["#b2182b", "#f7f7f7", "#2166ac"]}},
                "series": [{"type": "heatmap", "data": data, "label": {"show": len(data) <= 120}}]}

    def echarts_json(self) -> str:
        """The option as JSON safe to embed in a ``<script>`` element."""
        return json.dumps(self.echarts_option(), ensure_ascii=False).replace("</", "<\\/")
