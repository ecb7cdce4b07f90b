"""Entropy weights: published vectors, the 0·ln 0 pitfall, panel-wide standardisation, edge cases, speed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from silian.analytics.entropy import entropy_weights, parse_directions
from silian.domain.errors import InvalidInput

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "methods_public.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- published vectors
def test_entropy_raw_proportions() -> None:
    vector = VECTORS["entropy_raw_proportions"]
    result = entropy_weights(vector["X"], standardisation="none")
    assert result.weights_ == pytest.approx(vector["w"], abs=1e-6)  # published to 6 decimals
    assert result.entropy_ == pytest.approx(vector["e_self_computed"], abs=1e-6)


def test_entropy_directions_rescaled() -> None:
    vector = VECTORS["entropy_directions_rescaled"]
    result = entropy_weights(vector["X"], vector["direction"], "rescale", margin=0.002)
    assert result.weights_ == pytest.approx(vector["w"], abs=1e-7)
    assert 100 * result.scores_ == pytest.approx(vector["s"], abs=1e-5)
    assert result.standardised_.min() == pytest.approx(0.002) and result.standardised_.max() == pytest.approx(0.998)


@pytest.mark.parametrize(("zero_handling", "key"), [("zero", "plain_minmax_0ln0=0"), ("shift", "minmax_plus_0.0001")])
def test_entropy_zero_handling_variants(zero_handling: str, key: str) -> None:
    vector = VECTORS["entropy_directions_rescaled"]
    result = entropy_weights(vector["X"], vector["direction"], zero_handling)
    assert result.weights_ == pytest.approx(vector["variants_self_computed"][key], abs=1e-8)


def test_zeros_do_not_trigger_the_equal_weights_pitfall() -> None:
    vector = VECTORS["entropy_directions_rescaled"]
    weights = entropy_weights(vector["X"], vector["direction"]).weights_
    assert not np.allclose(weights, vector["variants_self_computed"]["pymcdm_style_any_zero_sets_e=0"], atol=1e-3)


# ---------------------------------------------------------------- hand-checked toy data
def test_two_indicators_by_hand() -> None:
    X = [[0, 10], [1, 30], [2, 20]]
    result = entropy_weights(X, ["+", "-"])
    # x1: z = (0, 0.5, 1); x2 negative: z = (1, 0, 0.5)  → both p = (0, 1/3, 2/3) up to order
    assert result.standardised_.tolist() == [[0, 1], [0.5, 0], [1, 0.5]]
    e = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    assert result.entropy_ == pytest.approx([e, e], abs=1e-12)
    assert result.weights_ == pytest.approx([0.5, 0.5], abs=1e-12)
    assert result.scores_ == pytest.approx([0.5, 0.25, 0.75], abs=1e-12)


def test_unequal_dispersion_gets_more_weight() -> None:
    X = [[0, 5], [0, 6], [0, 7], [10, 8]]  # x1 concentrated in one row: low entropy, high weight
    result = entropy_weights(X)
    p2 = np.array([0, 1, 2, 3]) / 6
    e2 = -sum(p * math.log(p) for p in p2 if p > 0) / math.log(4)
    e1 = 0.0  # p = (0, 0, 0, 1)
    expected = np.array([1 - e1, 1 - e2]) / (2 - e1 - e2)
    assert result.entropy_ == pytest.approx([e1, e2], abs=1e-12)
    assert result.weights_ == pytest.approx(expected, abs=1e-12)


def test_standardises_over_the_whole_panel() -> None:
    year_1 = [[1.0, 3.0], [2.0, 1.0]]
    year_2 = [[4.0, 2.0], [5.0, 5.0]]
    result = entropy_weights(year_1 + year_2)
    assert result.standardised_[:, 0] == pytest.approx([0, 0.25, 0.75, 1])  # min 1, max 5 over both years
    assert result.standardised_[:, 1] == pytest.approx([0.5, 0, 0.25, 1])


def test_constant_column_gets_zero_weight_and_a_warning() -> None:
    frame = pl.DataFrame({"专任教师": [3.0, 3.0, 3.0], "在校生": [1.0, 2.0, 4.0], "校企合作": [2.0, 0.0, 1.0]})
    result = entropy_weights(frame, ["+", "+", "-"])
    assert result.weights_[0] == 0 and result.entropy_[0] == 1
    assert result.weights_.sum() == pytest.approx(1.0, abs=1e-15)
    assert len(result.warnings) == 1 and "专任教师" in result.warnings[0] and "权重设为 0" in result.warnings[0]
    assert result.to_frame()["indicator"].to_list() == ["专任教师", "在校生", "校企合作"]
    assert result.to_frame()["direction"].to_list() == [1, 1, -1]


def test_scores_stay_in_unit_interval() -> None:
    X = np.random.default_rng(7).gamma(2.0, size=(50, 6))
    for handling in ("zero", "rescale"):
        scores = entropy_weights(X, ["+", "-", "+", "-", "+", "+"], handling).scores_
        assert scores.min() >= 0 and scores.max() <= 1


def test_directions_accept_several_spellings() -> None:
    assert parse_directions(["+", "-", 1, -1, "正向", "负向", "positive", "cost"], 8).tolist() == [
        1, -1, 1, -1, 1, -1, 1, -1]
    assert parse_directions(None, 3).tolist() == [1, 1, 1]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(("kwargs", "word"), [
    ({"X": [[1, 2], [3, float("nan")]]}, "第 2 行"),
    ({"X": [[1, 2]]}, "至少需要 2 行"),
    ({"X": [[1, 2], [3, 4]], "directions": ["+"]}, "1 个指标方向"),
    ({"X": [[1, 2], [3, 4]], "directions": ["+", "?"]}, "无法识别的指标方向"),
    ({"X": [[1, 2], [3, 4]], "zero_handling": "drop"}, "zero、shift、rescale"),
    ({"X": [[1, 2], [1, 2]]}, "所有指标"),
    ({"X": [[1, -2], [3, 4]], "standardisation": "none"}, "非负"),
    ({"X": [[1, 2], [3, 4]], "directions": ["+", "-"], "standardisation": "none"}, "正向"),
    ({"X": [[1, 2], [3, 4]], "zero_handling": "rescale", "margin": 0.5}, "0.5"),
])
def test_errors(kwargs: dict, word: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        entropy_weights(**kwargs)
    assert word in caught.value.message


# ---------------------------------------------------------------- speed
def test_a_large_panel_is_weighted_whole() -> None:
    """342 cities × 24 years × 120 indicators (its speed is measured by benchmarks, not asserted here)."""
    X = np.random.default_rng(1).lognormal(size=(342 * 24, 120))
    directions = ["+", "-"] * 60
    result = entropy_weights(X, directions)
    assert result.weights_.shape == (120,) and result.scores_.shape == (342 * 24,)
    assert np.isclose(result.weights_.sum(), 1.0) and np.isfinite(result.scores_).all()
