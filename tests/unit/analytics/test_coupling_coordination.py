"""Coupling coordination: published vectors, hand-checked toy rows, levels, lag types, errors, properties."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silian.analytics.coupling import (
    COORDINATION_LEVELS,
    coordination_level,
    coupling_coordination,
    lag_descriptions,
    lag_pairs,
)
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "methods_public.json").read_text(encoding="utf-8"))
METHODS = ("wang", "classic", "fan")


# ---------------------------------------------------------------- published vectors
@pytest.mark.parametrize(("method", "key"), [("classic", "classic"), ("wang", "wang2021"), ("fan", "fan2024")])
def test_ccdm_n4_equal_weights(method: str, key: str) -> None:
    vector = VECTORS["ccdm_n4_equal_weights"]
    result = coupling_coordination(vector["U"], method)
    assert np.abs(result.C - vector[key]["C"]).max() <= vector["tolerance"]
    assert np.abs(result.D - vector[key]["D"]).max() <= vector["tolerance"]
    assert np.allclose(result.T, np.mean(vector["U"], axis=1), atol=1e-15)


@pytest.mark.parametrize("case", list(VECTORS["ccdm_n2_illustrations"]["cases"]))
def test_ccdm_n2_illustrations(case: str) -> None:
    classic_c, wang_c = VECTORS["ccdm_n2_illustrations"]["cases"][case]
    U = [float(x) for x in case.strip("()").split(",")]
    assert coupling_coordination(U, "classic").C[0] == pytest.approx(classic_c, abs=1e-4)
    assert coupling_coordination(U, "wang").C[0] == pytest.approx(wang_c, abs=1e-4)


def test_classic_formula_bunches_where_wang_does_not() -> None:
    rows = [[0.2, 0.4], [0.05, 0.10], [0.4, 0.8]]
    assert np.ptp(coupling_coordination(rows, "classic").C) < 1e-12
    assert np.ptp(coupling_coordination(rows, "wang").C) > 0.1


def _pair_from_published(c_original: float, c_modified: float) -> tuple[float, float]:
    """Recover (Umin, Umax) from the n = 2 closed forms C_orig = 2√r/(1+r), C_mod = √((1 − Δ) r)."""
    root = (1 - math.sqrt(1 - c_original**2)) / c_original  # √r, the root below 1
    r = root**2
    u_max = (1 - c_modified**2 / r) / (1 - r)
    return r * u_max, u_max


def test_consistent_with_wang2021_table8() -> None:
    vector = VECTORS["wang2021_consistency_n2"]
    pairs = {}
    for city, c_orig, c_mod in zip(vector["cities"], vector["C_original"], vector["C_modified"], strict=True):
        low, high = _pair_from_published(c_orig, c_mod)
        assert 0 < low < high < 1, city
        pairs[city] = (low, high)
        assert coupling_coordination([low, high], "classic").C[0] == pytest.approx(c_orig, abs=1e-9)
        assert coupling_coordination([high, low], "wang").C[0] == pytest.approx(c_mod, abs=1e-9)
    assert pairs["北京"] == pytest.approx((0.291, 0.320), abs=1.5e-3)
    assert pairs["承德"] == pytest.approx((0.049, 0.419), abs=1.5e-3)


# ---------------------------------------------------------------- hand-checked toy rows
def test_three_subsystems_by_hand() -> None:
    U = [0.3, 0.4, 0.5]
    # Wang: Σ|ΔU| = 0.1 + 0.2 + 0.1 = 0.4 over 3 pairs; Π U/max = 0.6 · 0.8 · 1 = 0.48, ^(1/2)
    wang = math.sqrt((1 - 0.4 / 3) * math.sqrt(0.48))
    classic = 3 * (0.3 * 0.4 * 0.5) ** (1 / 3) / 1.2
    fan = 1 - 2 * math.sqrt(((0.3 - 0.4) ** 2 + 0 + (0.5 - 0.4) ** 2) / 3)
    for method, expected in (("wang", wang), ("classic", classic), ("fan", fan)):
        result = coupling_coordination(U, method)
        assert result.C[0] == pytest.approx(expected, abs=1e-12)
        assert result.T[0] == pytest.approx(0.4, abs=1e-12)
        assert result.D[0] == pytest.approx(math.sqrt(expected * 0.4), abs=1e-12)
    assert wang == pytest.approx(0.7748834, abs=1e-7)


def test_weights_change_t_and_d_but_not_c() -> None:
    equal = coupling_coordination([0.3, 0.4, 0.5])
    weighted = coupling_coordination([0.3, 0.4, 0.5], weights=[0.5, 0.3, 0.2])
    assert weighted.T[0] == pytest.approx(0.5 * 0.3 + 0.3 * 0.4 + 0.2 * 0.5, abs=1e-12)
    assert weighted.C[0] == equal.C[0]
    assert weighted.D[0] == pytest.approx(math.sqrt(weighted.C[0] * 0.37), abs=1e-12)


def test_a_zero_subsystem_gives_no_coupling() -> None:
    for method in ("wang", "classic"):
        result = coupling_coordination([[0.0, 0.8], [0.5, 0.5]], method)
        assert result.C[0] == 0 and result.D[0] == 0 and result.level_names()[0] == "极度失调"
        assert result.C[1] == 1
    fan = coupling_coordination([0.0, 1.0], "fan")
    assert fan.C[0] == 0  # σ = 0.5


def test_method_aliases_and_many_subsystems() -> None:
    U = np.array([[0.2, 0.3, 0.4, 0.5, 0.6]])
    assert coupling_coordination(U, "wang2021").C == pytest.approx(coupling_coordination(U, "wang").C)
    assert coupling_coordination(U, "FAN2024").C == pytest.approx(coupling_coordination(U, "fan").C)
    n = 5
    diffs = sum(abs(a - b) for i, a in enumerate(U[0]) for b in U[0][i + 1:])
    expected = math.sqrt((1 - diffs / (n * (n - 1) / 2)) * math.prod(U[0] / 0.6) ** (1 / (n - 1)))
    assert coupling_coordination(U).C[0] == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- levels
def test_ten_levels_in_order() -> None:
    assert [level.zh for level in COORDINATION_LEVELS] == [
        "极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调", "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调"]
    assert COORDINATION_LEVELS[0].en == "extreme imbalance" and COORDINATION_LEVELS[9].en == "high-quality coordination"


@pytest.mark.parametrize(("D", "left", "right"), [
    (0.0, "极度失调", "极度失调"), (0.0999, "极度失调", "极度失调"), (0.1, "严重失调", "极度失调"),
    (0.10001, "严重失调", "严重失调"), (0.5, "勉强协调", "濒临失调"), (0.6, "初级协调", "勉强协调"),
    (0.7, "中级协调", "初级协调"), (math.sqrt(0.49), "中级协调", "初级协调"), (0.9, "优质协调", "良好协调"),
    (0.95, "优质协调", "优质协调"), (1.0, "优质协调", "优质协调"),
])
def test_level_interval_closure(D: float, left: str, right: str) -> None:
    assert coordination_level(D).zh == left
    assert coordination_level(D, closure="right").zh == right


def test_level_names_follow_the_language() -> None:
    result = coupling_coordination([[0.3, 0.3], [0.9, 0.95]], closure="left")
    assert result.level_names() == ["勉强协调", "优质协调"]  # C = 1, T = 0.3, D = √0.3 = 0.548; D = 0.937
    assert result.level_names("en") == ["barely coordinated", "high-quality coordination"]
    token = current_lang.set("en")
    try:
        assert result.level_names()[0] == "barely coordinated"
    finally:
        current_lang.reset(token)


def test_to_frame_is_tidy() -> None:
    frame = coupling_coordination([[0.3, 0.5], [0.6, 0.6]], names=["产业链", "教育链"]).to_frame()
    assert frame.columns == ["row", "C", "T", "D", "level_rank", "level", "lag"]
    assert frame["lag"].to_list() == ["产业链滞后", "同步"]
    assert frame["level_rank"].to_list()[1] == 8  # D = √0.6 = 0.775 → 中级协调


# ---------------------------------------------------------------- lag types
def test_lag_descriptions() -> None:
    names = ["产业链", "教育链", "人才链"]
    U = [[0.5, 0.35, 0.5], [0.4, 0.3, 0.35], [0.3, 0.45, 0.5], [0.1, 0.3, 0.5], [0.2, 0.5, 0.45]]
    assert lag_descriptions(U, names) == ["教育链滞后", "同步", "产业链滞后", "产业链、教育链滞后", "产业链滞后"]
    assert lag_descriptions(U, names, lang="en")[:4] == ["教育链 lagging", "in sync", "产业链 lagging",
                                                          "产业链, 教育链 lagging"]
    assert lag_descriptions([[0.5, 0.45]], threshold=0.01) == ["U2滞后"]


def test_lag_pairs_frame() -> None:
    frame = lag_pairs([[0.6, 0.4, 0.55]], ["A", "B", "C"])
    assert frame.columns == ["row", "a", "b", "gap", "lagging"]
    assert frame["lagging"].to_list() == ["B", None, "B"]
    assert frame["gap"].to_list() == pytest.approx([0.2, 0.05, -0.15])
    boundary = lag_pairs([[0.4, 0.3], [0.3, 0.4], [0.3, 0.41]], ["A", "B"])  # a gap of exactly 0.1 is 同步
    assert boundary["lagging"].to_list() == [None, None, "A"]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(("U", "weights", "words"), [
    ([[0.2, 1.2]], None, ["第 1 行", "子系统 2", "1.2", "[0, 1]"]),
    ([[0.2, 0.3], [-0.1, 0.3]], None, ["第 2 行", "-0.1"]),
    ([[0.2, float("nan")]], None, ["第 1 行", "缺失"]),
    ([[0.2, None]], None, ["缺失"]),
    ([[0.5]], None, ["至少需要 2 个子系统", "只有 1 个"]),
    ([[0.2, 0.3], [0.0, 0.0]], None, ["第 2 行", "都为 0"]),
    ([[0.2, 0.3, 0.4]], [0.5, 0.5], ["2 个权重", "3 个子系统", "0.4,0.3,0.3"]),
    ([[0.2, 0.3, 0.4]], [0.5, 0.3, 0.3], ["权重之和为 1.1", "应为 1"]),
    ([[0.2, 0.3]], [1.5, -0.5], ["非负数", "-0.5"]),
])
def test_errors_say_what_and_how_to_fix(U: list, weights: list | None, words: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        coupling_coordination(U, weights=weights)
    for word in words:
        assert word in caught.value.message


def test_errors_name_rows_and_columns_given() -> None:
    with pytest.raises(InvalidInput, match="郑州“教育链”的得分 2 不在"):
        coupling_coordination([[0.5, 2]], names=["产业链", "教育链"], row_labels=["郑州"])


def test_unknown_method_and_closure() -> None:
    with pytest.raises(InvalidInput, match="wang"):
        coupling_coordination([0.2, 0.3], "geometric")
    with pytest.raises(InvalidInput, match="left"):
        coupling_coordination([0.2, 0.3], closure="middle")


def test_weights_tolerance_is_1e_9() -> None:
    coupling_coordination([0.2, 0.3], weights=[0.5, 0.5 + 5e-10])
    with pytest.raises(InvalidInput):
        coupling_coordination([0.2, 0.3], weights=[0.5, 0.5 + 5e-9])


def test_english_messages() -> None:
    token = current_lang.set("en")
    try:
        with pytest.raises(InvalidInput, match="row 1, 'subsystem 2': the score 1.2 is outside"):
            coupling_coordination([0.2, 1.2])
    finally:
        current_lang.reset(token)


# ---------------------------------------------------------------- properties
scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
rows = st.integers(min_value=2, max_value=6).flatmap(
    lambda n: st.lists(scores, min_size=n, max_size=n).filter(lambda row: max(row) > 0))


@settings(max_examples=300, deadline=None)
@given(row=rows)
def test_c_and_d_stay_in_unit_interval(row: list[float]) -> None:
    for method in METHODS:
        result = coupling_coordination(row, method)
        assert 0 <= result.C[0] <= 1 and 0 <= result.D[0] <= 1 and 0 <= result.T[0] <= 1


@settings(max_examples=200, deadline=None)
@given(row=rows, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_symmetric_under_permutation(row: list[float], seed: int) -> None:
    permuted = np.random.default_rng(seed).permutation(row)
    for method in METHODS:
        a, b = coupling_coordination(row, method), coupling_coordination(permuted, method)
        assert a.C[0] == pytest.approx(b.C[0], abs=1e-12)
        assert a.D[0] == pytest.approx(b.D[0], abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(row=rows)
def test_wang_c_is_one_only_for_equal_scores(row: list[float]) -> None:
    C = coupling_coordination(row, "wang").C[0]
    if C == 1.0:
        assert max(row) - min(row) < 1e-12
    if max(row) == min(row):
        assert C == 1.0


@settings(max_examples=200, deadline=None)
@given(grid=st.integers(min_value=2, max_value=6).flatmap(
    lambda n: st.lists(st.integers(min_value=1, max_value=100), min_size=n, max_size=n)))
def test_wang_c_below_one_for_distinct_scores_on_a_grid(grid: list[int]) -> None:
    C = coupling_coordination([g / 100 for g in grid], "wang").C[0]
    assert (C == 1.0) == (len(set(grid)) == 1)
    if len(set(grid)) > 1:
        assert C < 1 - 1e-6


@settings(max_examples=100, deadline=None)
@given(value=st.floats(min_value=1e-6, max_value=1.0), n=st.integers(min_value=2, max_value=8))
def test_every_method_gives_one_for_equal_scores(value: float, n: int) -> None:
    for method in METHODS:
        assert coupling_coordination([value] * n, method).C[0] == pytest.approx(1.0, abs=1e-12)
