"""SVG building blocks for :mod:`silian.reports.svg_charts`: escaping, text, ticks, scales, layout, legend."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: "Silian CJK" is the Chinese face :mod:`silian.reports.pdf` embeds; browsers skip it and use the others.
FONT_FAMILY = '"Silian CJK", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
TITLE_SIZE, LABEL_SIZE, TICK_SIZE = 15, 11, 10
PAD, LEGEND_ROW = 12.0, 18.0
COLUMN_ROOM = 160.0  # longest rotated heatmap column label, in px
#: Okabe & Ito (2008) colours, ordered for contrast in print; yellow last (faint on white paper).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 5")
MARKERS = ("circle", "square", "triangle", "diamond")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# ---- text and numbers


def esc(value: object) -> str:
    """``value`` as XML text or attribute content (characters XML forbids are dropped)."""
    return html.escape(_XML_INVALID.sub("", str(value)), quote=True)


def num(x: float, digits: int = 2) -> str:
    """A coordinate with at most ``digits`` decimals and no trailing zeros (deterministic, no ``-0``)."""
    text_ = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text_ in ("-0", "") else text_


def attr(name: str, value: float) -> str:
    return f' {name}="{num(value)}"'


def clean(value: object) -> float | None:
    """``value`` as a finite float, or None when missing (None, NaN, ±inf)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def format_value(value: float, spec: str | None) -> str:
    """``value`` with the format ``spec`` (e.g. ``".2f"``), or a short automatic form."""
    value = value + 0.0  # turns -0.0 into 0.0
    if spec:
        return format(value, spec)
    if value == int(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.4g}"


def text_width(label: str, size: float) -> float:
    """Estimated width of ``label``: full-width (CJK) characters are 1 em, others about 0.58 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in label)


def truncate(label: str, size: float, max_width: float) -> str:
    """``label`` shortened with "…" to fit ``max_width``."""
    if text_width(label, size) <= max_width:
        return label
    while label and text_width(label + "…", size) > max_width:
        label = label[:-1]
    return label + "…"


def text(x: float, y: float, label: str, *, size: float = LABEL_SIZE, anchor: str = "start",
         fill: str = "#222", cls: str = "", middle: bool = False, rotate: float = 0.0,
         bold: bool = False) -> str:
    """A ``<text>`` element; ``middle`` centres it vertically on ``y``."""
    extra = f' class="{cls}"' if cls else ""
    extra += f' text-anchor="{anchor}"' if anchor != "start" else ""
    extra += ' dominant-baseline="central"' if middle else ""
    extra += ' font-weight="bold"' if bold else ""
    extra += f' transform="rotate({num(rotate)} {num(x)} {num(y)})"' if rotate else ""
    position = f'{attr("x", x)}{attr("y", y)} font-size="{num(size)}" fill="{fill}"'
    return f"<text{position}{extra}>{esc(label)}</text>"


def interpolate(stops: Sequence[str], u: float) -> str:
    """The colour at ``u`` (0–1) along the ``stops``, linearly in RGB."""
    position = min(1.0, max(0.0, u)) * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    a, b = _rgb(stops[i]), _rgb(stops[i + 1])
    w = position - i
    return "#" + "".join(f"{round(x + (y - x) * w):02x}" for x, y in zip(a, b, strict=True))


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# ---- ticks and scales


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 × 10ⁿ) covering ``low``–``high`` in about ``target`` steps."""
    if low > high:
        low, high = high, low
    if high - low < 1e-12:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step((high - low) / max(target, 1))
    decimals = max(0, -math.floor(math.log10(step))) + 2
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(k * step, decimals) + 0.0 for k in range(first, last + 1)]


def _nice_step(raw: float) -> float:
    """The 1, 2 or 5 × 10ⁿ nearest to ``raw`` (Heckbert's thresholds)."""
    magnitude = 10.0 ** math.floor(math.log10(raw))
    fraction = raw / magnitude
    limits = ((1.5, 1), (3.0, 2), (7.0, 5), (math.inf, 10))
    return magnitude * next(m for limit, m in limits if fraction < limit)


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Tick labels sharing one number of decimals, with thousands separators."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [f"{tick + 0.0:,.{decimals}f}" for tick in ticks]


@dataclass
class Scale:
    """Linear map of values ``low``–``high`` onto pixels ``start``–``end``; ``grid`` holds the axis marks."""

    low: float
    high: float
    start: float
    end: float
    grid: list[str] = field(default_factory=list)

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


# ---- layout


@dataclass
class Frame:
    """Where the plot area sits in the ``width`` × ``height`` canvas, plus the header (title, legend)."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    header: list[str] = field(default_factory=list)
    rotate: bool = False
    label_room: float = 0.0

    @property
    def plot_w(self) -> float:
        return self.right - self.left

    @property
    def plot_h(self) -> float:
        return self.bottom - self.top


def header(width: float, title: str, items: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Title and legend parts and the y below them."""
    parts, y = [], PAD
    if title:
        parts.append(text(width / 2, y + TITLE_SIZE, title, size=TITLE_SIZE, anchor="middle", bold=True,
                          cls="title"))
        y += TITLE_SIZE + 10
    if len(items) > 1:
        legend_svg, rows = legend(items, width / 2, y, width - 2 * PAD)
        parts.append(legend_svg)
        y += rows * LEGEND_ROW + 4
    return parts, y


def cartesian(width: float, height: float, title: str, items: Sequence[tuple[str, str]], axis_label: str,
              values: Sequence[float], categories: Sequence[str], *, horizontal: bool = False,
              include_zero: bool = True, rotate_labels: bool = True, right_room: float = 0.0,
              ) -> tuple[Frame, Scale]:
    """The frame and value scale of a line or bar chart (value axis left, or bottom when ``horizontal``).

    ``right_room`` is kept free right of the plot (for band labels).
    """
    parts, top = header(width, title, items)
    if axis_label and not horizontal:
        parts.append(text(PAD, top + LABEL_SIZE, axis_label, size=LABEL_SIZE, cls="axis-label"))
        top += LABEL_SIZE + 8
    top += 6
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    avail = (width * 0.6) if horizontal else (height - top - 40)
    ticks = nice_ticks(low, high, max(3, min(8, round(avail / 60))))
    labels = tick_labels(ticks)
    cat_w = max((text_width(c, TICK_SIZE) for c in categories), default=0.0)
    if horizontal:
        frame = _horizontal_frame(width, height, top, cat_w, bool(axis_label))
    else:
        frame = _vertical_frame(width, height, top, labels, categories, cat_w, rotate_labels, right_room)
    frame.header = parts
    scale = Scale(ticks[0], ticks[-1], frame.left, frame.right) if horizontal else \
        Scale(ticks[0], ticks[-1], frame.bottom, frame.top)
    scale.grid = _grid(frame, scale, ticks, labels, horizontal, axis_label)
    return frame, scale


def _vertical_frame(width: float, height: float, top: float, labels: Sequence[str],
                    categories: Sequence[str], cat_w: float, rotate_labels: bool, right_room: float) -> Frame:
    left = PAD + max(text_width(s, TICK_SIZE) for s in labels) + 8
    right = width - PAD - 4 - (right_room + 6 if right_room else 0)
    step = (right - left) / max(len(categories), 1)
    rotate = rotate_labels and cat_w > step - 4
    room = min(cat_w, height * 0.3 / 0.71) if rotate else cat_w
    bottom = height - PAD - (room * 0.71 + 8 if rotate else TICK_SIZE + 8)
    return Frame(width, height, left, top, right, bottom, rotate=rotate, label_room=room)


def _horizontal_frame(width: float, height: float, top: float, cat_w: float, has_label: bool) -> Frame:
    room = min(cat_w, width * 0.35)
    bottom = height - PAD - TICK_SIZE - 8 - (LABEL_SIZE + 8 if has_label else 0)
    return Frame(width, height, PAD + room + 8, top, width - PAD - 16, bottom, label_room=room)


def _grid(frame: Frame, scale: Scale, ticks: Sequence[float], labels: Sequence[str], horizontal: bool,
          axis_label: str) -> list[str]:
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        p = scale(tick)
        if horizontal:
            parts.append(f'<line class="grid"{attr("x1", p)}{attr("y1", frame.top)}{attr("x2", p)}'
                         f'{attr("y2", frame.bottom)} stroke="#e0e0e0" stroke-width="1"/>')
            parts.append(text(p, frame.bottom + TICK_SIZE + 6, label, size=TICK_SIZE, anchor="middle",
                              fill="#444", cls="tick"))
        else:
            parts.append(f'<line class="grid"{attr("x1", frame.left)}{attr("y1", p)}{attr("x2", frame.right)}'
                         f'{attr("y2", p)} stroke="#e0e0e0" stroke-width="1"/>')
            parts.append(text(frame.left - 6, p, label, size=TICK_SIZE, anchor="end", fill="#444", cls="tick",
                              middle=True))
    if horizontal:
        parts.append(f'<line class="axis"{attr("x1", frame.left)}{attr("y1", frame.top)}'
                     f'{attr("x2", frame.left)}{attr("y2", frame.bottom)} stroke="#888" stroke-width="1"/>')
        if axis_label:
            parts.append(text((frame.left + frame.right) / 2, frame.height - PAD, axis_label,
                              size=LABEL_SIZE, anchor="middle", cls="axis-label"))
    else:
        parts.append(f'<line class="axis"{attr("x1", frame.left)}{attr("y1", frame.bottom)}'
                     f'{attr("x2", frame.right)}{attr("y2", frame.bottom)} stroke="#888" stroke-width="1"/>')
    return parts


def grid_frame(width: float, plot_h: float, title: str, rows: Sequence[str], cols: Sequence[str]) -> Frame:
    """The frame of a heatmap: row labels left, column labels on top, colour legend below."""
    parts, top = header(width, title, [])
    room = min(max((text_width(r, TICK_SIZE) for r in rows), default=0.0), width * 0.3)
    left, right = PAD + room + 8, width - PAD
    cell_w = (right - left) / max(len(cols), 1)
    col_w = max((text_width(c, TICK_SIZE) for c in cols), default=0.0)
    rotate = col_w > cell_w - 4
    col_room = min(col_w, COLUMN_ROOM) if rotate else col_w
    if rotate:  # labels rise to the right of their column: leave room for the last ones
        right -= col_room * 0.71
    top += (col_room * 0.71 + 10) if rotate else TICK_SIZE + 10
    bottom = top + plot_h
    height = bottom + 12 + 10 + TICK_SIZE + 3 + PAD
    return Frame(width, height, left, top, right, bottom, header=parts, rotate=rotate, label_room=room)


def category_labels(frame: Frame, labels: Sequence[str], positions: Sequence[float], step: float, *,
                    left: bool = False, top: bool = False) -> str:
    """Category labels: left of the plot, above it (heatmap columns) or below it (thinned or rotated)."""
    parts = []
    if left:
        for label, y in zip(labels, positions, strict=True):
            parts.append(text(frame.left - 6, y, truncate(label, TICK_SIZE, frame.label_room), size=TICK_SIZE,
                              anchor="end", middle=True, cls="category"))
        return f'<g class="categories">{"".join(parts)}</g>'
    widest = max((text_width(label, TICK_SIZE) for label in labels), default=0.0)
    every = 1 if frame.rotate else max(1, math.ceil((widest + 6) / max(step, 1e-9)))
    y = frame.top - 6 if top else frame.bottom + (8 if frame.rotate else TICK_SIZE + 6)
    for i, (label, x) in enumerate(zip(labels, positions, strict=True)):
        if i % every:
            continue
        if frame.rotate:
            shown = truncate(label, TICK_SIZE, COLUMN_ROOM if top else frame.label_room)
            parts.append(text(x, y, shown, size=TICK_SIZE, anchor="start" if top else "end",
                              rotate=-45, cls="category"))
        else:
            parts.append(text(x, y, label, size=TICK_SIZE, anchor="middle", cls="category"))
    return f'<g class="categories">{"".join(parts)}</g>'


def legend(items: Sequence[tuple[str, str]], centre: float, y: float, max_width: float) -> tuple[str, int]:
    """A legend of (name, "line" | "bar") items in centred rows; returns the SVG and the number of rows."""
    widths = [26 + text_width(name, LABEL_SIZE) + 14 for name, _ in items]
    rows: list[list[int]] = [[]]
    for i, w in enumerate(widths):
        if rows[-1] and sum(widths[j] for j in rows[-1]) + w > max_width:
            rows.append([])
        rows[-1].append(i)
    parts = []
    for r, row in enumerate(rows):
        x = centre - sum(widths[j] for j in row) / 2
        cy = y + r * LEGEND_ROW + LEGEND_ROW / 2
        for i in row:
            parts.append(_swatch(items[i][1], i, x, cy))
            parts.append(text(x + 26, cy, items[i][0], size=LABEL_SIZE, middle=True))
            x += widths[i]
    return f'<g class="legend">{"".join(parts)}</g>', len(rows)


def _swatch(kind: str, index: int, x: float, cy: float) -> str:
    colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
    if kind == "bar":
        return f'<rect{attr("x", x + 4)}{attr("y", cy - 6)} width="14" height="12" fill="{colour}"/>'
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line{attr("x1", x)}{attr("y1", cy)}{attr("x2", x + 22)}{attr("y2", cy)} stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>' + marker(MARKERS[index % len(MARKERS)], x + 11, cy, colour))


def marker(shape: str, x: float, y: float, colour: str, r: float = 3.2) -> str:
    """A point marker; shapes differ per series so they stay distinct in grey print."""
    if shape == "circle":
        return f'<circle{attr("cx", x)}{attr("cy", y)}{attr("r", r)} fill="{colour}"/>'
    if shape == "square":
        return (f'<rect{attr("x", x - r)}{attr("y", y - r)}{attr("width", 2 * r)}{attr("height", 2 * r)} '
                f'fill="{colour}"/>')
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.9), (x - r * 1.1, y + r * 0.9)]
    else:  # diamond
        points = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    return f'<polygon points="{" ".join(f"{num(px)},{num(py)}" for px, py in points)}" fill="{colour}"/>'


def svg_document(frame: Frame, title: str, parts: Sequence[str], kind: str) -> str:
    """The standalone ``<svg>`` element."""
    label = f' aria-label="{esc(title)}"' if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="silian-chart {kind}" '
            f'viewBox="0 0 {num(frame.width)} {num(frame.height)}" width="100%" role="img"{label} '
            f'font-family="{esc(FONT_FAMILY)}" font-size="{LABEL_SIZE}">'
            + (f"<title>{esc(title)}</title>" if title else "")
            + f'<rect class="background" width="{num(frame.width)}" height="{num(frame.height)}" '
            + 'fill="#ffffff"/>'
            + "".join(frame.header) + "".join(parts) + "</svg>")
