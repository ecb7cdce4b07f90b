"""Supply–demand alignment on hand-checkable data: supply averaging, occupation splitting, statistics setting
the total and the other sources dividing it, partial years, the duplicate-declaration rule, no data is not
zero, gaps by class, industry and chain, warning cards and the grow/cut lists."""

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
                "blend": {"share_declared": 0.5, "share_posting": 0.2, "share_statistics": 0.3}, "average_years": 2,
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
    # statistics (940) set the total; A holds 675/940 of the statistics and 225/350 of the declared demand
    assert row(by_major, "A")["demand"] == pytest.approx(940 * (0.375 * 675 / 940 + 0.625 * 225 / 350))
    # the total of each source is preserved (nothing counted twice)
    assert by_major["demand_declared"].sum() == pytest.approx(350)
    assert by_major["demand_statistics"].sum() == pytest.approx(940)


def test_statistics_set_the_total_and_the_others_only_divide_it() -> None:
    # the old blend averaged the partial declared count (350) with the statistical total (940): 571.25
    by_major, blend = al.gaps_by_major(inputs(), 2024)
    assert by_major["demand"].sum() == pytest.approx(940)
    assert blend.basis == "statistics" and blend.total == pytest.approx(940) and blend.complete
    # however the shares are weighed, the total stays the statistical one
    for weights in ({"share_declared": 1.0, "share_statistics": 0.0}, {"share_statistics": 1.0}, {"share_declared": 0.9}):
        assert al.gaps_by_major(inputs(blend=weights), 2024)[0]["demand"].sum() == pytest.approx(940)
    # 电商 (D) has statistics only: its share of the statistics (40/940) weighed by 0.375, times 940
    assert row(by_major, "D")["demand"] == pytest.approx(0.375 * 40)


def test_a_year_without_statistics_is_partial_never_averaged() -> None:
    partial = pl.DataFrame({"source": ["declared", "posting"], "period": ["2022", "2022-05"],
                            "occupation_code": ["op1", "op1"], "major_code": [None, None], "count": [100, 60]})
    by_major, blend = al.gaps_by_major(inputs(demand=partial), 2022)
    assert blend.basis == "partial" and not blend.complete and blend.weights == {}
    # per major the larger source count (a lower bound), not an average: op1's 100 declared against 60 postings,
    # split equally between A and B (no graduates in 2021–2022)
    assert row(by_major, "A")["demand"] == pytest.approx(50) and row(by_major, "B")["demand"] == pytest.approx(50)
    assert row(by_major, "A")["demand_posting"] == pytest.approx(30)
    assert row(by_major, "A")["demand_complete"] is False


def test_an_enterprise_declaring_an_occupation_twice_in_a_year_counts_once() -> None:
    twice = pl.DataFrame({
        "source": ["declared"] * 5 + ["statistics"], "period": ["2024-03", "2024-09", "2024-09", "2024-03", "2024", "2024"],
        "enterprise_credit_code": ["E1", "E1", "E1", "E2", "E1", None],
        "occupation_code": ["op1", "op1", "op1", "op1", "sell", "op1"], "major_code": [None] * 6,
        "skill_level": ["不限", "中级工", "高级工", "不限", "不限", "不限"], "count": [300, 80, 40, 10, 5, 900]})
    # E1's March 300 is replaced by its September declaration (80 + 40, two skill levels of one campaign);
    # E2 declared once; E1's other occupation stays
    latest = al.one_declaration_per_occupation(twice, "latest")
    assert sorted(latest.filter(pl.col("source") == "declared")["count"].to_list()) == [5, 10, 40, 80]
    assert sorted(al.one_declaration_per_occupation(twice, "max").filter(pl.col("source") == "declared")["count"]
                  .to_list()) == [5, 10, 300]
    assert al.one_declaration_per_occupation(twice, "sum").height == 6
    _, blend = al.gaps_by_major(inputs(demand=twice), 2024)
    assert blend.totals["declared"] == pytest.approx(135) and blend.replaced == 1


def test_a_major_without_evidence_is_no_data_not_zero() -> None:
    links = pl.concat([LINKS, pl.DataFrame({"major_code": ["E", "F"], "occupation_code": ["quiet", "zero"]})])
    majors = pl.concat([MAJORS, pl.DataFrame({"major_code": ["E", "F"], "major_name": ["物联网", "电梯"],
                                              "class_code": ["71", "71"], "class_name": ["电子信息类"] * 2,
                                              "level_key": ["secondary"] * 2})])
    points = pl.concat([POINTS, pl.DataFrame({"institution_code": ["s1", "s2"], "major_code": ["E", "F"], "year": [2024, 2024],
                                              "graduates": [80, 60], "employed": [70, 50], "employed_related": [20, 20],
                                              "continued": [0, 0], "stayed_local": [60, 40]})], how="vertical_relaxed")
    demand = pl.concat([DEMAND, pl.DataFrame({"source": ["statistics"], "period": ["2024"], "occupation_code": ["zero"],
                                              "major_code": [None], "count": [0]})], how="vertical_relaxed")
    by_major, _ = al.gaps_by_major(inputs(major_occupations=links, majors=majors, major_points=points, demand=demand), 2024)
    e, f = row(by_major, "E"), row(by_major, "F")
    # no record names E or its occupation: no data, not zero demand; F's occupation has a reported 0: evidence
    assert e["has_demand"] is False and e["demand"] is None and e["gap"] is None and e["gap_ratio"] is None
    assert f["has_demand"] is True and f["demand"] == 0 and f["gap_ratio"] == -1.0
    cards = dict(warning_cards(by_major, RULE).select("major_code", "card").iter_rows())
    assert cards["E"] == "no_data" and cards["F"] == "red"
    _, cut = grow_and_cut(warning_cards(by_major, RULE), by_major, RULE)
    assert "E" not in cut["major_code"].to_list()
    # the class roll-up compares like with like: E's supply is kept apart
    cls = al.gaps_by_class(by_major).filter(pl.col("class_code") == "71").row(0, named=True)
    assert cls["supply"] == pytest.approx(30) and cls["supply_no_data"] == pytest.approx(40) and cls["gap"] == pytest.approx(-30)


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
    # no demand evidence: no colour at all, whatever the outcome rates (n1 would be yellow on its 对口率 alone)
    silent = frame.with_columns(has_demand=pl.Series([True] * 5 + [False]))
    silent = silent.with_columns(pl.when(pl.col("has_demand")).then(pl.col("gap_ratio")).alias("gap_ratio"),
                                 pl.Series("related_rate", [0.5, 0.9, 0.9, 0.59, 0.9, 0.3]))
    assert dict(warning_cards(silent, RULE).select("major_code", "card").iter_rows())["g2"] == "no_data"
    # a partial year (no statistical total): no surplus is read from it, the outcome rules still apply
    partial = frame.with_columns(demand_complete=pl.lit(False))
    assert dict(warning_cards(partial, RULE).select("major_code", "card").iter_rows()) == {
        "r1": "yellow", "r2": "green", "y1": "green", "y2": "yellow", "g1": "green", "g2": "green"}
    grow, cut = grow_and_cut(warning_cards(frame, RULE), frame, RULE)
    assert grow["major_code"].to_list() == ["y2"] and cut["major_code"].to_list() == ["r1", "r2"]
