"""Supply–demand alignment on hand-checkable data: supply averaging, occupation splitting, the blend,
gaps by class, industry and chain, warning cards and the grow/cut lists."""

from __future__ import annotations

import polars as pl
import pytest

from silian.analytics import alignment as al
from silian.analytics.warning_cards import grow_and_cut, warning_cards

MAJORS = pl.DataFrame({"major_code": ["A", "B", "C", "D"], "major_name": ["机电", "数控", "会计", "电商"],
                       "class_code": ["66", "66", "73", "73"], "class_name": ["装备制造类", "装备制造类", "财经类", "财经类"],
                       "level_key": ["secondary"] * 4})
POINTS = pl.DataFrame({
    "institution_code": ["s1", "s1", "s2", "s2", "s1", "s2"],
    "major_code": ["A", "A", "B", "C", "C", "C"], "year": [2023, 2024, 2024, 2024, 2023, 2023],
    "graduates": [100, 200, 100, 400, 300, 300], "employed": [90, 180, 90, 200, 150, 150],
    "employed_related": [80, 160, 80, 60, 40, 40], "continued": [0, 0, 0, 100, 0, None],
    "stayed_local": [70, 140, 70, 150, 100, 100],
})
LINKS = pl.DataFrame({"major_code": ["A", "B", "C", "D"], "occupation_code": ["op1", "op1", "acc", "sell"]})
INDUSTRY = pl.DataFrame({"major_code": ["A", "A", "B", "C", "D"], "industry_code": ["34", "35", "34", "72", "52"],
                         "weight": [0.5, 0.5, 1.0, 1.0, 1.0]})
DEMAND = pl.DataFrame({
    "source": ["declared", "statistics", "declared", "statistics", "statistics"],
    "period": ["2024-03", "2024", "2024", "2024", "2023"],
    "occupation_code": ["op1", "op1", None, "sell", "op1"], "major_code": [None, None, "C", None, None],
    "count": [300, 900, 50, 40, 999],
})


def inputs(**kw: object) -> al.AlignmentInputs:
    base = {"major_points": POINTS, "demand": DEMAND, "majors": MAJORS, "major_occupations": LINKS, "major_industries": INDUSTRY,
                "blend": {"declared": 0.5, "posting": 0.2, "statistics": 0.3}, "average_years": 2,
                "key_chains": {"装备": ("34", "35")}}
    return al.AlignmentInputs(**{**base, **kw})  # type: ignore[arg-type]


def row(frame: pl.DataFrame, code: str) -> dict:  # type: ignore[type-arg]
    return frame.filter(pl.col("major_code") == code).row(0, named=True)


def test_supply_is_the_average_of_graduates_entering_the_market() -> None:
    s = al.supply_by_major(inputs(), 2024)
    assert row(s, "A")["supply"] == 150          # (100 + 200) / 2 years
    assert row(s, "B")["supply"] == 50           # 100 in one of the 2 years
    assert row(s, "C")["supply"] == (400 + 300 + 300 - 100) / 2
    assert row(s, "C")["related_rate"] == pytest.approx(140 / 500)
    s_all = al.supply_by_major(inputs(exclude_continued=False), 2024)
    assert row(s_all, "C")["supply"] == 500


def test_occupation_demand_is_split_by_graduates_and_counted_once() -> None:
    by_major, blend = al.gaps_by_major(inputs(), 2024)
    # op1: declared 300, statistics 900, split A:B = 150:50 graduates (averaged) → 3/4 and 1/4
    assert row(by_major, "A")["demand_declared"] == pytest.approx(225)
    assert row(by_major, "B")["demand_statistics"] == pytest.approx(225)
    # no posting data: blend weights rescaled over declared and statistics
    assert blend.weights == pytest.approx({"declared": 0.5 / 0.8, "statistics": 0.3 / 0.8})
    assert row(by_major, "A")["demand"] == pytest.approx(225 * 0.625 + 675 * 0.375)
    # the total of each source is preserved (nothing counted twice)
    assert by_major["demand_declared"].sum() == pytest.approx(350)
    assert by_major["demand_statistics"].sum() == pytest.approx(940)


def test_equal_split_and_not_offered_majors() -> None:
    by_major, _ = al.gaps_by_major(inputs(share_openings="equal"), 2024)
    assert row(by_major, "A")["demand_declared"] == pytest.approx(150)
    d = row(by_major, "D")                        # 电商 demand, nobody offers it
    assert d["offered"] is False and d["supply"] == 0 and d["demand_statistics"] == 40 and d["gap_ratio"] is None


def test_gaps_roll_up_to_class_industry_and_chain() -> None:
    by_major, _ = al.gaps_by_major(inputs(), 2024)
    classes = al.gaps_by_class(by_major)
    equip = classes.filter(pl.col("class_code") == "66").row(0, named=True)
    both = row(by_major, "A")["demand"] + row(by_major, "B")["demand"]
    assert equip["supply"] == pytest.approx(200) and equip["demand"] == pytest.approx(both)
    industries = al.gaps_by_industry(by_major, INDUSTRY)
    i34 = industries.filter(pl.col("industry_code") == "34").row(0, named=True)
    assert i34["supply"] == pytest.approx(150 * 0.5 + 50)
    chain = al.gaps_by_chain(industries, {"装备": ("34", "35")}).row(0, named=True)
    assert chain["supply"] == pytest.approx(200) and chain["gap"] == pytest.approx(equip["gap"])


def test_statistics_codes_fall_back_to_the_section() -> None:
    industries = pl.DataFrame({"code": ["34", "72", "52"], "parent_code": ["C", "L", "F"]})
    frame = pl.DataFrame({"industry_code": ["34", "72", "52"], "supply": [1.0, 2.0, 3.0], "demand": [1.0, 1.0, 1.0]})
    keyed = al.to_statistics_codes(frame, industries, ["34", "L"]).sort("stat_code")
    assert keyed["stat_code"].to_list() == ["34", "L"] and keyed["supply"].to_list() == [1.0, 2.0]


RULE = {"red_surplus": -0.3, "red_employment": 0.9, "red_related": 0.55, "yellow_surplus": -0.15,
        "yellow_related": 0.6, "yellow_retention": 0.5, "grow_gap_ratio": 0.2, "min_gap": 10, "top_n": 5}


def test_warning_cards_follow_the_published_rule() -> None:
    frame = pl.DataFrame({
        "major_code": ["r1", "r2", "y1", "y2", "g1", "g2"], "offered": [True] * 6,
        "gap_ratio": [-0.5, -0.31, -0.2, 0.5, 0.1, -0.5], "employment_rate": [0.95, 0.8, 0.95, 0.95, 0.95, None],
        "related_rate": [0.5, 0.9, 0.9, 0.59, 0.9, None], "retention_rate": [0.9, 0.9, 0.9, 0.9, 0.9, None],
        "gap": [-50.0, -31.0, -20.0, 50.0, 10.0, -50.0], "supply": [100.0] * 6, "demand": [50.0, 69.0, 80.0, 150.0, 110.0, 50.0],
    })
    cards = dict(warning_cards(frame, RULE).select("major_code", "card").iter_rows())
    assert cards == {"r1": "red", "r2": "red", "y1": "yellow", "y2": "yellow", "g1": "green", "g2": "yellow"}
    grow, cut = grow_and_cut(warning_cards(frame, RULE), frame, RULE)
    assert grow["major_code"].to_list() == ["y2"] and cut["major_code"].to_list() == ["r1", "r2"]
