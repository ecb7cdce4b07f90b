"""Obstacle degrees and the supply–demand mismatch indices: hand-checked toy data, vectors, edge cases."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from silian.analytics.entropy import entropy_weights
from silian.analytics.mismatch import dissimilarity_index, sahin_mismatch_index, structural_deviation
from silian.analytics.obstacle import obstacle_degree
from silian.domain.errors import InvalidInput

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "methods_public.json").read_text(encoding="utf-8"))
MISMATCH = VECTORS["mismatch_and_deviation"]


# ---------------------------------------------------------------- obstacle degree
def _toy():  # type: ignore[no-untyped-def]
    Z = [[1.0, 0.5, 0.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0]]
    return obstacle_degree(Z, [0.5, 0.5, 1.0], ["产业链", "产业链", "教育链"], {"产业链": 0.6, "教育链": 0.4},
                           names=["产值", "企业数", "在校生"], row_labels=["郑州", "开封", "洛阳"])


def test_obstacle_degree_by_hand() -> None:
    result = _toy()
    # F = (0.3, 0.3, 0.4); row 1: I = (0, 0.5, 1), F·I = (0, 0.15, 0.4), Σ = 0.55
    assert result.contribution_ == pytest.approx([0.3, 0.3, 0.4])
    assert result.degrees_[0] == pytest.approx([0, 100 * 0.15 / 0.55, 100 * 0.4 / 0.55])
    assert result.degrees_[1] == pytest.approx([30, 30, 40])
    assert result.subsystem_degrees_[0] == pytest.approx([100 * 0.15 / 0.55, 100 * 0.4 / 0.55])
    assert result.subsystem_degrees_[1] == pytest.approx([60, 40])
    assert result.degrees_[:2].sum(axis=1) == pytest.approx([100, 100])


def test_a_row_at_the_optimum_has_no_obstacles() -> None:
    result = _toy()
    assert result.degrees_[2].tolist() == [0, 0, 0]
    assert result.warnings[0].startswith("洛阳所有指标都已达到最优")
    assert "第 2 行" in obstacle_degree([[0.5], [1.0]], [1.0]).warnings[0]
    assert "洛阳" not in result.top_factors()["label"].to_list()


def test_top_factors_are_tidy() -> None:
    top = _toy().top_factors(2)
    assert top.columns == ["row", "label", "rank", "indicator", "subsystem", "obstacle"]
    assert top.rows()[:2] == [(0, "郑州", 1, "在校生", "教育链", pytest.approx(72.7272727)),
                              (0, "郑州", 2, "企业数", "产业链", pytest.approx(27.2727273))]
    assert top.filter(row=1)["indicator"].to_list() == ["在校生", "产值"]  # 40, then the first of the 30s
    assert _toy().subsystem_frame().filter(row=1)["obstacle"].to_list() == pytest.approx([60, 40])


def test_obstacle_from_entropy_output_without_subsystems() -> None:
    X = np.array([[1.0, 9.0], [2.0, 5.0], [4.0, 1.0]])
    entropy = entropy_weights(X, ["+", "+"])
    result = obstacle_degree(entropy.standardised_, entropy.weights_)
    w = entropy.weights_
    expected_row_1 = 100 * w * (1 - entropy.standardised_[0]) / (w * (1 - entropy.standardised_[0])).sum()
    assert result.degrees_[0] == pytest.approx(expected_row_1)
    assert result.subsystems == ["all"] and result.subsystem_degrees_[:, 0] == pytest.approx([100, 100, 100])


@pytest.mark.parametrize(("args", "word"), [
    (([[1.2, 0.5]], [0.5, 0.5]), "1.2"),
    (([[0.2, 0.5]], [0.5]), "2 个非负数"),
    (([[0.2, 0.5]], [0.5, 0.5], ["A"]), "1 个指标所属子系统"),
    (([[0.2, 0.5]], [0.5, 0.5], ["A", "B"], {"A": 1.0}), "“B”"),
])
def test_obstacle_errors(args: tuple, word: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        obstacle_degree(*args)
    assert word in caught.value.message


# ---------------------------------------------------------------- structural deviation
def test_structural_deviation_vector() -> None:
    vector = MISMATCH["structural_deviation"]
    result = structural_deviation(vector["S_major_share"], vector["E_industry_share"])
    assert result.deviation_ == pytest.approx(vector["P_i=S/E-1"], abs=1e-12)
    assert result.total_abs_ == pytest.approx(vector["sum_abs_P"], abs=1e-12)
    assert result.total_abs_gap_ == pytest.approx(vector["sum_abs_S_minus_E"], abs=1e-12)
    assert result.directions() == ["供给相对不足", "供给相对偏多", "匹配"]
    assert result.directions("en") == ["under-supplied", "over-supplied", "aligned"]


def test_structural_deviation_counts_equal_shares() -> None:
    counts = structural_deviation([50, 450, 500], [1000, 4000, 5000], names=["一产", "二产", "三产"])
    assert counts.deviation_ == pytest.approx([-0.5, 0.125, 0.0])
    assert counts.to_frame()["category"].to_list() == ["一产", "二产", "三产"]


def test_structural_deviation_zero_categories() -> None:
    result = structural_deviation([0.2, 0.0, 0.8], [0.0, 0.0, 1.0], names=["新兴产业", "空", "制造业"])
    assert math.isnan(result.deviation_[0]) and result.deviation_[1] == 0
    assert result.deviation_[2] == pytest.approx(-0.2)
    assert result.total_abs_ == pytest.approx(0.2)  # the undefined category is left out …
    assert result.total_abs_gap_ == pytest.approx(0.4)  # … but counted in Σ|S − E|
    assert len(result.warnings) == 1 and "新兴产业" in result.warnings[0]
    assert result.directions()[:2] == ["供给相对偏多", "匹配"]


# ---------------------------------------------------------------- dissimilarity and Şahin
def test_dissimilarity_vector_and_bounds() -> None:
    vector = MISMATCH["jackman_roper_duncan"]
    assert dissimilarity_index(vector["u"], vector["v"]) == pytest.approx(vector["M"], abs=1e-12)
    assert dissimilarity_index([1, 2, 3], [10, 20, 30]) == pytest.approx(0)
    assert dissimilarity_index([5, 0], [0, 7]) == pytest.approx(1)


def test_sahin_vector() -> None:
    vector = MISMATCH["sahin_M_equal_phi_alpha0.5"]
    assert sahin_mismatch_index(vector["u"], vector["v"]) == pytest.approx(vector["M"], abs=1e-7)


def test_sahin_by_hand_with_efficiencies_and_alpha() -> None:
    u, v, phi, alpha = [40, 60], [70, 30], [1.0, 2.0], 0.3
    us, vs = [x / 100 for x in u], [x / 100 for x in v]
    phi_bar = sum(p ** (1 / alpha) * s for p, s in zip(phi, vs, strict=True)) ** alpha
    expected = 1 - sum(p / phi_bar * s**alpha * q ** (1 - alpha) for p, s, q in zip(phi, vs, us, strict=True))
    assert sahin_mismatch_index(u, v, alpha=alpha, phi=phi) == pytest.approx(expected, abs=1e-12)
    assert sahin_mismatch_index(u, v, alpha=alpha, phi=[3.0, 6.0]) == pytest.approx(expected, abs=1e-12)


def test_sahin_bounds() -> None:
    assert sahin_mismatch_index([1, 2, 3], [2, 4, 6]) == pytest.approx(0, abs=1e-12)
    assert sahin_mismatch_index([5, 0], [0, 7]) == pytest.approx(1)


def test_sahin_is_zero_at_the_planners_allocation() -> None:
    v, phi, alpha = np.array([30.0, 50.0, 20.0]), np.array([1.0, 1.5, 0.8]), 0.4
    planner = phi ** (1 / alpha) * v  # u_i ∝ φ_i^(1/α) v_i
    assert sahin_mismatch_index(planner, v, alpha=alpha, phi=phi) == pytest.approx(0, abs=1e-12)
    assert sahin_mismatch_index(v, v, alpha=alpha, phi=phi) > 0.001


@pytest.mark.parametrize(("call", "word"), [
    (lambda: dissimilarity_index([1, 2], [1, 2, 3]), "2 与 3"),
    (lambda: dissimilarity_index([0, 0], [1, 2]), "合计为 0"),
    (lambda: dissimilarity_index([-1, 2], [1, 2]), "非负"),
    (lambda: sahin_mismatch_index([1, 2], [1, 2], alpha=1.0), "(0, 1)"),
    (lambda: sahin_mismatch_index([1, 2], [1, 2], phi=[1, 0]), "正数"),
    (lambda: structural_deviation([1, float("nan")], [1, 2]), "非负"),
])
def test_mismatch_errors(call, word: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call()
    assert word in caught.value.message
