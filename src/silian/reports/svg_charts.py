"""Server-rendered SVG charts (no JavaScript): for PDF reports and as the no-JS fallback of web pages.

Every function returns one standalone ``<svg>`` element (viewBox, ``width="100%"``) whose text is real
``<text>`` (selectable, extractable from the PDF), XML-escaped, in a Chinese font stack. Output is
deterministic: the same input gives the same bytes. Missing values are ``None`` (NaN and ±inf count as
missing). Colours: the Okabe–Ito palette (colour-blind safe) with a dash pattern per line series, so
lines stay distinct in black-and-white print; heatmaps use ColorBrewer RdBu (diverging) or Blues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from silian.domain.messages import register_messages, t
from silian.reports._svg import (
    DASHES,
    FONT_FAMILY,
    LABEL_SIZE,
    MARKERS,
    PALETTE,
    TICK_SIZE,
    Frame,
    Scale,
    attr,
    cartesian,
    category_labels,
    clean,
    esc,
    format_value,
    grid_frame,
    interpolate,
    marker,
    nice_ticks,
    num,
    svg_document,
    text,
    text_width,
    truncate,
)

__all__ = ["FONT_FAMILY", "PALETTE", "Band", "bar_chart", "heatmap", "line_chart", "nice_ticks"]

register_messages({
    "chart_missing": ("无数据", "no data"),
    "chart_empty": ("暂无数据", "No data"),
})

Value = float | int | None

#: ColorBrewer RdBu (negative → red, positive → blue) and Blues.
DIVERGING = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
             "#d1e5f0", "#92c5de", "#4393c3", "#2166ac")
SEQUENTIAL = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
              "#4292c6", "#2171b5", "#08519c", "#08306b")
MISSING_FILL = "#cccccc"
BAND_FILLS = ("#f3f3f3", "#e4e4e4")


@dataclass(frozen=True)
class Band:
    """A shaded horizontal interval of a line chart, e.g. ``Band(0.5, 0.6, "勉强协调")``."""

    low: float
    high: float
    label: str
    color: str | None = None


def line_chart(
    x_labels: Sequence[object],
    series: Mapping[str, Sequence[Value]],
    title: str = "",
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    bands: Sequence[Band | tuple[float, float, str]] | None = None,
    *,
    width: int = 640,
    height: int = 360,
) -> str:
    """Lines over categorical x positions (years, regions); ``None`` leaves a gap in the line.

    ``y_range`` is the least the y axis covers (data beyond it widens the axis rather than being hidden);
    ``bands`` shade horizontal intervals with a label, clipped to the axis.
    """
    data = _checked_series(series, len(x_labels), "x_labels")
    band_list = [b if isinstance(b, Band) else Band(*b) for b in bands or ()]
    values = [v for row in data.values() for v in row if v is not None]
    labels = [str(x) for x in x_labels]
    room = max((text_width(b.label, TICK_SIZE) for b in band_list), default=0.0)
    frame, scale = cartesian(width, height, title, [(name, "line") for name in data], y_label,
                             values + [float(v) for v in y_range or ()], labels,
                             include_zero=False, rotate_labels=False, right_room=min(room, width * 0.25))
    parts = [_bands(frame, scale, band_list), *scale.grid]
    step = frame.plot_w / max(len(x_labels), 1)
    xs = [frame.left + step * (i + 0.5) for i in range(len(x_labels))]
    parts.append(category_labels(frame, labels, xs, step))
    for index, (name, row) in enumerate(data.items()):
        parts.append(_line(name, index, xs, [None if v is None else scale(v) for v in row]))
    if not values:
        parts.append(_empty_note(frame))
    return svg_document(frame, title, parts, "line-chart")


def bar_chart(
    categories: Sequence[object],
    series: Mapping[str, Sequence[Value]],
    title: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    *,
    value_label: str = "",
    show_values: bool = False,
    value_format: str | None = None,
    width: int = 640,
    height: int = 360,
) -> str:
    """Grouped (or ``stacked``) bars; negative values extend below (or left of) the zero line.

    Stacks add positive values upwards and negative values downwards from zero, separately.
    """
    data = _checked_series(series, len(categories), "categories")
    labels = [str(c) for c in categories]
    present = [v for row in data.values() for v in row if v is not None]
    extent = _stack_extent(data, len(labels)) if stacked else present
    frame, scale = cartesian(width, height, title, [(name, "bar") for name in data], value_label, extent,
                             labels, horizontal=horizontal)
    step = (frame.plot_h if horizontal else frame.plot_w) / max(len(labels), 1)
    slots = _BarSlots((frame.top if horizontal else frame.left), step, len(data), stacked)
    centres = [slots.start + step * (i + 0.5) for i in range(len(labels))]
    parts = [*scale.grid, category_labels(frame, labels, centres, step, left=horizontal)]
    parts += _bars(data, labels, scale, slots, horizontal, value_format, show_values)
    parts.append(_zero_line(frame, scale, horizontal))
    if not extent:
        parts.append(_empty_note(frame))
    return svg_document(frame, title, parts, "bar-chart")


def heatmap(
    row_labels: Sequence[object],
    col_labels: Sequence[object],
    values: Sequence[Sequence[Value]],
    title: str = "",
    diverging: bool = True,
    *,
    limit: float | None = None,
    value_format: str | None = None,
    width: int = 640,
    row_height: int = 26,
) -> str:
    """A grid of coloured cells; values are printed in cells they fit; ``None`` cells are grey.

    ``diverging`` centres the colour scale on 0 (red below, blue above; ``limit`` sets ±max, default the
    largest absolute value), else a light-to-dark blue scale from the minimum to the maximum.
    """
    rows, cols = [str(r) for r in row_labels], [str(c) for c in col_labels]
    grid = _checked_grid(values, len(rows), len(cols))
    present = [v for row in grid for v in row if v is not None]
    low, high = _colour_domain(present, diverging, limit)
    frame = grid_frame(width, row_height * len(rows), title, rows, cols)
    cell_w, cell_h = frame.plot_w / max(len(cols), 1), float(row_height)
    parts = [category_labels(frame, cols, [frame.left + cell_w * (j + 0.5) for j in range(len(cols))],
                             cell_w, top=True),
             category_labels(frame, rows, [frame.top + cell_h * (i + 0.5) for i in range(len(rows))],
                             cell_h, left=True)]
    palette = DIVERGING if diverging else SEQUENTIAL
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            fill = MISSING_FILL if value is None else interpolate(palette, _unit(value, low, high))
            shown = t("chart_missing") if value is None else format_value(value, value_format)
            x, y = frame.left + cell_w * j, frame.top + cell_h * i
            parts.append(_cell(x, y, cell_w, cell_h, fill, f"{rows[i]} · {cols[j]}：{shown}", value))
            if value is not None:
                parts.append(_cell_text(frame.left + cell_w * (j + 0.5), frame.top + cell_h * (i + 0.5),
                                        cell_w, cell_h, format_value(value, value_format), fill))
    parts.append(_colour_legend(frame, palette, low, high, len(present) < sum(len(r) for r in grid)))
    return svg_document(frame, title, parts, "heatmap")


@dataclass(frozen=True)
class _BarSlots:
    """Where the bars of each category go along the category axis."""

    start: float
    step: float
    n_series: int
    stacked: bool

    def span(self, category: int, series: int) -> tuple[float, float]:
        """Start and width of one bar."""
        group = self.step * 0.72
        width = group if self.stacked else group / max(self.n_series, 1)
        offset = 0.0 if self.stacked else width * series
        return self.start + self.step * category + (self.step - group) / 2 + offset, width


def _bars(data: Mapping[str, list[float | None]], labels: Sequence[str], scale: Scale, slots: _BarSlots,
          horizontal: bool, value_format: str | None, show_values: bool) -> list[str]:
    """The bars; stacks grow away from zero, positive and negative values separately."""
    parts = []
    ups, downs = [0.0] * len(labels), [0.0] * len(labels)
    for index, (name, row) in enumerate(data.items()):
        for i, value in enumerate(row):
            if value is None:
                continue
            base = ups if value >= 0 else downs
            low = base[i] if slots.stacked else 0.0
            base[i] += value
            span = slots.span(i, index)
            tip = f"{labels[i]} · {name}：{format_value(value, value_format)}"
            parts.append(_bar(scale, horizontal, span, (low, low + value), PALETTE[index % len(PALETTE)],
                              tip, name, value))
            if show_values and not slots.stacked:
                parts.append(_bar_value(scale, horizontal, span, value, value_format))
    return parts


# ---- checks and scales


def _checked_series(
    series: Mapping[str, Sequence[Value]], n: int, against: str
) -> dict[str, list[float | None]]:
    data = {}
    for name, row in series.items():
        if len(row) != n:
            raise ValueError(f"series {name!r} has {len(row)} values but {against} has {n}")
        data[str(name)] = [clean(v) for v in row]
    return data


def _checked_grid(values: Sequence[Sequence[Value]], n_rows: int, n_cols: int) -> list[list[float | None]]:
    if len(values) != n_rows:
        raise ValueError(f"values has {len(values)} rows but row_labels has {n_rows}")
    for i, row in enumerate(values):
        if len(row) != n_cols:
            raise ValueError(f"values row {i} has {len(row)} cells but col_labels has {n_cols}")
    return [[clean(v) for v in row] for row in values]


def _stack_extent(data: Mapping[str, list[float | None]], n: int) -> list[float]:
    """The tops of the positive stacks and the bottoms of the negative ones (empty when all missing)."""
    columns = [[row[i] for row in data.values() if row[i] is not None] for i in range(n)]
    if not any(columns):
        return []
    ups = [sum(v for v in column if v is not None and v > 0) for column in columns]
    downs = [sum(v for v in column if v is not None and v < 0) for column in columns]
    return [*ups, *downs]


def _colour_domain(present: Sequence[float], diverging: bool, limit: float | None) -> tuple[float, float]:
    if diverging:
        bound = limit or max((abs(v) for v in present), default=0.0) or 1.0
        return -bound, bound
    low, high = min(present, default=0.0), max(present, default=1.0)
    return (low, high) if high > low else (low - 1.0, high + 1.0)


def _unit(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


# ---- marks


def _bands(frame: Frame, scale: Scale, bands: Sequence[Band]) -> str:
    parts = []
    for index, band in enumerate(bands):
        low, high = max(band.low, scale.low), min(band.high, scale.high)
        if high <= low:
            continue
        y_top, y_bottom = scale(high), scale(low)
        fill = band.color or BAND_FILLS[index % 2]
        parts.append(f'<rect class="band"{attr("x", frame.left)}{attr("y", y_top)}'
                     f'{attr("width", frame.plot_w)}{attr("height", y_bottom - y_top)} fill="{esc(fill)}"/>')
        if y_bottom - y_top >= TICK_SIZE:
            label = truncate(band.label, TICK_SIZE, frame.width - frame.right - 18)
            parts.append(text(frame.right + 6, (y_top + y_bottom) / 2, label, size=TICK_SIZE,
                              fill="#555", cls="band-label", middle=True))
    return "".join(parts)


def _line(name: str, index: int, xs: Sequence[float], ys: Sequence[float | None]) -> str:
    colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
    segments: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            segments.append([])
        else:
            segments[-1].append((x, y))
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    paths = [f'<path class="line" d="M{" L".join(f"{num(x)} {num(y)}" for x, y in seg)}" fill="none" '
             f'stroke="{colour}" stroke-width="2"{dash_attr} stroke-linejoin="round"/>'
             for seg in segments if len(seg) > 1]
    marks = [marker(MARKERS[index % len(MARKERS)], x, y, colour) for seg in segments for x, y in seg]
    return f'<g class="series" data-series="{esc(name)}">{"".join(paths + marks)}</g>'


def _bar(scale: Scale, horizontal: bool, span: tuple[float, float], values: tuple[float, float],
         colour: str, tip: str, name: str, value: float) -> str:
    start, size = span
    a, b = sorted((scale(values[0]), scale(values[1])))
    x, y, w, h = (a, start, b - a, size) if horizontal else (start, a, size, b - a)
    return (f'<rect class="bar" data-series="{esc(name)}" data-value="{num(value, 6)}"{attr("x", x)}'
            f'{attr("y", y)}{attr("width", w)}{attr("height", h)} fill="{colour}">'
            f"<title>{esc(tip)}</title></rect>")


def _bar_value(scale: Scale, horizontal: bool, span: tuple[float, float], value: float,
               spec: str | None) -> str:
    centre, end, label = span[0] + span[1] / 2, scale(value), format_value(value, spec)
    if horizontal:
        return text(end + (4 if value >= 0 else -4), centre, label, size=TICK_SIZE,
                    anchor="start" if value >= 0 else "end", middle=True, cls="bar-value")
    return text(centre, end + (-4 if value >= 0 else TICK_SIZE + 2), label, size=TICK_SIZE,
                anchor="middle", cls="bar-value")


def _zero_line(frame: Frame, scale: Scale, horizontal: bool) -> str:
    z = scale(0.0)
    if horizontal:
        return (f'<line class="zero-line"{attr("x1", z)}{attr("y1", frame.top)}{attr("x2", z)}'
                f'{attr("y2", frame.bottom)} stroke="#333" stroke-width="1"/>')
    return (f'<line class="zero-line"{attr("x1", frame.left)}{attr("y1", z)}{attr("x2", frame.right)}'
            f'{attr("y2", z)} stroke="#333" stroke-width="1"/>')


def _cell(x: float, y: float, w: float, h: float, fill: str, tip: str, value: float | None) -> str:
    data = "" if value is None else f' data-value="{num(value, 6)}"'
    return (f'<rect class="cell{" missing" if value is None else ""}"{data}{attr("x", x)}{attr("y", y)}'
            f'{attr("width", w)}{attr("height", h)} fill="{fill}" stroke="#fff" stroke-width="1">'
            f'<title>{esc(tip)}</title></rect>')


def _cell_text(cx: float, cy: float, w: float, h: float, label: str, fill: str) -> str:
    if text_width(label, TICK_SIZE) > w - 4 or h < TICK_SIZE + 2:
        return ""
    colour = "#ffffff" if _luminance(fill) < 0.35 else "#111111"
    return text(cx, cy, label, size=TICK_SIZE, anchor="middle", fill=colour, cls="cell-value", middle=True)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _colour_legend(frame: Frame, palette: Sequence[str], low: float, high: float, has_missing: bool) -> str:
    steps, bar_w = 24, min(240.0, frame.plot_w * 0.6)
    x0, y0 = frame.left + (frame.plot_w - bar_w) / 2, frame.bottom + 12
    parts = [f'<rect class="scale-step"{attr("x", x0 + bar_w * k / steps)}{attr("y", y0)}'
             f'{attr("width", bar_w / steps + 0.3)} height="10" '
             f'fill="{interpolate(palette, (k + 0.5) / steps)}"/>'
             for k in range(steps)]
    ticks = [low, (low + high) / 2, high]
    for k, tick in enumerate(ticks):
        parts.append(text(x0 + bar_w * k / 2, y0 + 10 + TICK_SIZE + 3, format_value(tick, None),
                          size=TICK_SIZE, anchor="middle", cls="scale-label"))
    if has_missing:
        mx = x0 + bar_w + 16
        parts.append(f'<rect{attr("x", mx)}{attr("y", y0)} width="14" height="10" fill="{MISSING_FILL}"/>')
        parts.append(text(mx + 18, y0 + 5, t("chart_missing"), size=TICK_SIZE, middle=True,
                          cls="scale-label"))
    return f'<g class="colour-legend">{"".join(parts)}</g>'


def _empty_note(frame: Frame) -> str:
    return text(frame.left + frame.plot_w / 2, frame.top + frame.plot_h / 2, t("chart_empty"),
                size=LABEL_SIZE, anchor="middle", fill="#777", middle=True, cls="empty")
