"""Server-rendered SVG charts: valid standalone XML, real Chinese text, correct geometry, deterministic."""

import itertools
import math
import xml.etree.ElementTree as ET

import pytest

from silian.domain.messages import current_lang
from silian.reports.svg_charts import (
    FONT_FAMILY,
    MISSING_FILL,
    PALETTE,
    Band,
    bar_chart,
    heatmap,
    line_chart,
    nice_ticks,
)

NS = "{http://www.w3.org/2000/svg}"
YEARS = [2019, 2020, 2021, 2022, 2023]


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(svg: str) -> list[str]:
    return [el.text or "" for el in _root(svg).iter(f"{NS}text")]


def _by_class(svg: str, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in _root(svg).iter(f"{NS}{tag}") if cls in (el.get("class") or "").split()]


def _box(rect: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _zero(svg: str, horizontal: bool = False) -> float:
    (line,) = _by_class(svg, "line", "zero-line")
    return float(line.get("x1" if horizontal else "y1", "nan"))


ALL_CHARTS = {
    "line": lambda: line_chart(YEARS, {"耦合协调度": [0.41, 0.45, None, 0.4776, 0.52]},
                               "郑州市耦合协调度", "D 值", y_range=(0, 1), bands=[(0.5, 0.6, "勉强协调")]),
    "bar": lambda: bar_chart(["装备制造大类", "电子与信息大类"], {"供给": [120, 80], "缺口": [-30, 45]},
                             "供需缺口"),
    "heatmap": lambda: heatmap(["装备制造大类", "财经商贸大类"], ["第二产业", "第三产业"],
                               [[-12.5, None], [3, 40]], "缺口热力图"),
}


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_output_is_one_standalone_svg_element(kind: str) -> None:
    svg = ALL_CHARTS[kind]()
    root = _root(svg)
    assert root.tag == f"{NS}svg"
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    x, y, w, h = (float(v) for v in root.get("viewBox", "").split())
    assert (x, y) == (0, 0) and w > 0 and h > 0
    assert root.get("width") == "100%"
    assert root.get("font-family") == FONT_FAMILY
    families = [name.strip().strip('"') for name in root.get("font-family", "").split(",")]
    assert families == ["Silian CJK", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "sans-serif"]


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_output_is_deterministic(kind: str) -> None:
    assert ALL_CHARTS[kind]() == ALL_CHARTS[kind]()


def test_chinese_labels_are_text_elements() -> None:
    texts = _texts(ALL_CHARTS["line"]())
    for label in ("郑州市耦合协调度", "D 值", "2019", "2023", "勉强协调"):
        assert label in texts
    texts = _texts(ALL_CHARTS["bar"]())
    for label in ("供需缺口", "供给", "缺口", "装备制造大类", "电子与信息大类"):
        assert label in texts
    texts = _texts(ALL_CHARTS["heatmap"]())
    for label in ("缺口热力图", "装备制造大类", "第三产业", "-12.5", "40", "无数据"):
        assert label in texts


def test_text_is_escaped() -> None:
    nasty = 'A&B <script>alert("x")</script> \'q\''
    svg = bar_chart([nasty, "乙"], {nasty: [1, 2]}, title="<&>", value_label="a<b")
    assert "<script>" not in svg
    texts = _texts(svg)
    assert "<&>" in texts and nasty in texts and "a<b" in texts
    assert _root(svg).find(f"{NS}title").text == "<&>"  # type: ignore[union-attr]
    control_characters = line_chart(["x\x00y"], {"s\x07": [1]}, "t\x1b")
    assert _root(control_characters).tag == f"{NS}svg"  # dropped: XML forbids them


def test_negative_bars_are_drawn_below_the_zero_line() -> None:
    svg = bar_chart(["甲", "乙"], {"缺口": [120, -80]}, "缺口")
    zero = _zero(svg)
    positive, negative = _by_class(svg, "rect", "bar")
    _, y, _, h = _box(positive)
    assert y < zero and y + h == pytest.approx(zero, abs=0.02)
    _, y, _, h = _box(negative)
    assert y == pytest.approx(zero, abs=0.02) and h > 0
    assert h / _box(positive)[3] == pytest.approx(80 / 120, rel=1e-3)
    ticks = [float(t.replace(",", "")) for t in _texts(svg) if t.lstrip("-").replace(",", "").isdigit()]
    assert min(ticks) < 0 < max(ticks)


def test_negative_horizontal_bars_extend_left_of_zero() -> None:
    svg = bar_chart(["装备制造大类", "财经商贸大类"], {"缺口": [-300, 450]}, "缺口", horizontal=True)
    zero = _zero(svg, horizontal=True)
    negative, positive = _by_class(svg, "rect", "bar")
    x, _, w, _ = _box(negative)
    assert x + w == pytest.approx(zero, abs=0.02) and w > 0
    x, _, w, _ = _box(positive)
    assert x == pytest.approx(zero, abs=0.02)
    assert _box(negative)[1] < _box(positive)[1]  # first category on top


def test_stacked_bars_stack_each_sign_away_from_zero() -> None:
    svg = bar_chart(["甲"], {"A": [2], "B": [-1], "C": [3], "D": [-2]}, "堆叠", stacked=True)
    zero = _zero(svg)
    boxes = {el.get("data-series"): _box(el) for el in _by_class(svg, "rect", "bar")}
    assert boxes["A"][1] + boxes["A"][3] == pytest.approx(zero, abs=0.02)
    assert boxes["C"][1] + boxes["C"][3] == pytest.approx(boxes["A"][1], abs=0.02)  # C sits on A
    assert boxes["B"][1] == pytest.approx(zero, abs=0.02)
    assert boxes["D"][1] == pytest.approx(boxes["B"][1] + boxes["B"][3], abs=0.02)  # D hangs below B


def test_grouped_bars_sit_side_by_side_in_palette_colours() -> None:
    bars = _by_class(ALL_CHARTS["bar"](), "rect", "bar")
    supply, gap = bars[0], bars[2]
    assert _box(supply)[0] + _box(supply)[2] == pytest.approx(_box(gap)[0], abs=0.02)
    assert [supply.get("fill"), gap.get("fill")] == list(PALETTE[:2])


def test_missing_values_leave_gaps() -> None:
    series = {"甲": [1.0, 2.0, None, 4.0, 5.0], "乙": [1.0, None, 3.0, None, math.nan]}
    svg = line_chart(YEARS, series, "缺失")
    first, second = (g for g in _root(svg).iter(f"{NS}g") if g.get("class") == "series")
    assert len(first.findall(f"{NS}path")) == 2  # the line breaks at None
    assert len(list(first)) == 2 + 4  # two segments and a marker per present value
    assert second.findall(f"{NS}path") == []  # isolated points: markers only
    assert len(list(second)) == 2
    bars = _by_class(bar_chart(["甲", "乙", "丙"], {"x": [1, None, math.inf]}, "缺失"), "rect", "bar")
    assert [b.get("data-value") for b in bars] == ["1"]


def test_all_missing_draws_an_empty_chart_with_a_note() -> None:
    empty = (line_chart([], {}, "空"), bar_chart(["甲"], {"x": [None]}, "空"),
             line_chart(YEARS, {"x": [None] * 5}))
    for svg in empty:
        assert "暂无数据" in _texts(svg)
    token = current_lang.set("en")
    try:
        assert "No data" in _texts(bar_chart(["a"], {"x": [None]}))
    finally:
        current_lang.reset(token)


def test_y_range_sets_the_axis_and_bands_are_clipped_to_it() -> None:
    bands: list[Band | tuple[float, float, str]] = [
        Band(-1.0, 0.0, "不可见"), Band(0.0, 0.5, "失调"), Band(0.5, 0.6, "勉强协调"), (0.9, 2.0, "优质协调")]
    svg = line_chart(YEARS, {"D": [0.41, 0.45, 0.47, 0.4776, 0.52]}, "D", y_range=(0, 1), bands=bands)
    ticks = [el.text for el in _by_class(svg, "text", "tick")]
    assert ticks == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    labels = [el.text for el in _by_class(svg, "text", "band-label")]
    assert labels == ["失调", "勉强协调", "优质协调"]
    rects = _by_class(svg, "rect", "band")
    assert len(rects) == 3
    top_band = _box(rects[2])
    assert top_band[3] == pytest.approx(_box(rects[1])[3], rel=1e-3)  # 0.9–1.0 shown, same height as 0.5–0.6


def test_data_outside_y_range_widens_the_axis() -> None:
    svg = line_chart(YEARS, {"D": [0.2, 0.5, 1.3, 0.5, 0.5]}, "D", y_range=(0, 1))
    ticks = [float(el.text or "") for el in _by_class(svg, "text", "tick")]
    assert ticks[0] <= 0 and ticks[-1] >= 1.3


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (-800, 1500, [-1000, -500, 0, 500, 1000, 1500]),
    (0.41, 0.66, [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]),
    (3, 3, [2.7, 2.8, 2.9, 3.0, 3.1, 3.2, 3.3]),  # one value: ±10 %
])
def test_nice_ticks_use_1_2_5_steps(low: float, high: float, expected: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(expected)


@pytest.mark.parametrize(("low", "high"), [(0, 7.3), (-0.004, 0.013), (12_345, 98_765), (-3e6, -1e6), (1, 2)])
def test_nice_ticks_cover_the_range_in_round_steps(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 11
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6
    assert all(b - a == pytest.approx(step) for a, b in itertools.pairwise(ticks))


def test_line_series_differ_by_dash_as_well_as_colour() -> None:
    svg = line_chart(YEARS, {name: [1, 2, 3, 4, 5] for name in "ABC"}, "线型")
    paths = [el for el in _root(svg).iter(f"{NS}path") if el.get("class") == "line"]
    assert len({p.get("stroke") for p in paths}) == 3
    assert len({p.get("stroke-dasharray") for p in paths}) == 3


def test_heatmap_diverging_colours_and_missing_cells() -> None:
    svg = heatmap(["甲"], ["负", "零", "正", "缺"], [[-50, 0, 50, None]], "热力图")
    negative, zero, positive, missing = _by_class(svg, "rect", "cell")

    def rgb(el: ET.Element) -> tuple[int, ...]:
        fill = el.get("fill", "")
        return tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))

    assert rgb(negative)[0] > rgb(negative)[2]  # red side
    assert rgb(positive)[2] > rgb(positive)[0]  # blue side
    assert min(rgb(zero)) > 230  # near white
    assert missing.get("fill") == MISSING_FILL and "missing" in (missing.get("class") or "")
    assert [el.text for el in _by_class(svg, "text", "cell-value")] == ["-50", "0", "50"]


def test_heatmap_sequential_scale_runs_light_to_dark() -> None:
    svg = heatmap(["甲"], ["a", "b"], [[1, 9]], "顺序", diverging=False)
    low, high = (sum(int(el.get("fill", "")[i:i + 2], 16) for i in (1, 3, 5))
                 for el in _by_class(svg, "rect", "cell"))
    assert low > high


def test_heatmap_prints_values_only_where_they_fit() -> None:
    wide = heatmap(["甲"], ["a", "b"], [[1234567.891, 2]], "宽", value_format=",.2f")
    assert "1,234,567.89" in _texts(wide)
    narrow = heatmap(["甲"], [str(i) for i in range(40)], [[1234567.891] * 40], "窄", value_format=",.2f")
    assert _by_class(narrow, "text", "cell-value") == []


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="has 2 values but x_labels has 3"):
        line_chart([1, 2, 3], {"甲": [1, 2]}, "t")
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        heatmap(["a", "b"], ["x", "y"], [[1, 2], [3]], "t")
