"""TOPSIS and grey relational analysis: published vectors, hand-checked toy data and edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from silian.analytics.grey import grey_relational
from silian.analytics.topsis import topsis
from silian.domain.errors import InvalidInput

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "methods_public.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- TOPSIS
def test_topsis_minmax() -> None:
    vector = VECTORS["topsis_minmax"]
    result = topsis(vector["X"], vector["w"], vector["types"], normalisation="minmax")
    assert result.closeness_ == pytest.approx(vector["closeness_minmax"], abs=5e-4)  # published to 3 decimals


def test_topsis_vector_norm_on_the_minmax_example_differs() -> None:
    vector = VECTORS["topsis_minmax"]
    result = topsis(vector["X"], vector["w"], vector["types"])
    assert result.closeness_ == pytest.approx(vector["closeness_vector_norm_self_computed"], abs=1e-4)


def test_topsis_vector_norm() -> None:
    vector = VECTORS["topsis_vector_norm"]
    result = topsis(vector["X"], vector["w"], vector["types"], normalisation="vector")
    assert result.closeness_ == pytest.approx(vector["closeness"], abs=1e-7)
    assert result.to_frame()["rank"].to_list() == [3, 1, 2]


def test_topsis_single_criterion_by_hand() -> None:
    for normalisation in ("vector", "minmax"):
        assert topsis([[1], [2], [3]], [1], normalisation=normalisation).closeness_ == pytest.approx([0, 0.5, 1])
        assert topsis([[1], [2], [3]], [1], ["-"], normalisation=normalisation).closeness_ == pytest.approx(
            [1, 0.5, 0])


def test_topsis_two_criteria_vector_norm_by_hand() -> None:
    # r = x / ‖x‖: column 1 (3, 4)/5, column 2 (1, 0)/1; v = 0.5 r; ideal (0.4, 0.5), anti (0.3, 0)
    result = topsis([[3, 1], [4, 0]], [0.5, 0.5])
    d_plus = np.array([np.hypot(0.1, 0), np.hypot(0, 0.5)])
    d_minus = np.array([np.hypot(0, 0.5), np.hypot(0.1, 0)])
    assert result.d_plus_ == pytest.approx(d_plus) and result.d_minus_ == pytest.approx(d_minus)
    assert result.closeness_ == pytest.approx(d_minus / (d_plus + d_minus))


def test_topsis_types_spellings_and_weight_scale_do_not_matter() -> None:
    X = [[2, 8], [5, 1], [3, 6]]
    base = topsis(X, [0.6, 0.4], ["+", "-"]).closeness_
    assert topsis(X, [6, 4], [1, -1]).closeness_ == pytest.approx(base)
    frame = pl.DataFrame({"a": [2, 5, 3], "b": [8, 1, 6]})
    assert topsis(frame, [0.6, 0.4], ["benefit", "cost"]).closeness_ == pytest.approx(base)


def test_topsis_constant_criterion_warns() -> None:
    result = topsis([[1, 5], [2, 5], [3, 5]], [0.5, 0.5], names=["x", "常数"], normalisation="minmax")
    assert result.closeness_ == pytest.approx([0, 0.5, 1]) and "常数" in result.warnings[0]


@pytest.mark.parametrize(("X", "w", "kwargs", "word"), [
    ([[1, 2], [1, 2]], [0.5, 0.5], {}, "完全相同"),
    ([[1, 2], [3, 4]], [0.5], {}, "2 个非负数"),
    ([[1, 2], [3, 4]], [0.5, -0.5], {}, "非负数"),
    ([[1, 2], [3, 4]], [0.5, 0.5], {"normalisation": "sum"}, "vector"),
    ([[1, None], [3, 4]], [0.5, 0.5], {}, "第 1 行"),
])
def test_topsis_errors(X: list, w: list, kwargs: dict, word: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        topsis(X, w, **kwargs)
    assert word in caught.value.message


# ---------------------------------------------------------------- grey relational
def test_grey_relational_vector() -> None:
    vector = VECTORS["grey_relational"]
    result = grey_relational(vector["ref"], vector["cmp_columns"], rho=vector["rho"])
    assert result.grade_ == pytest.approx(vector["grade"], abs=1e-7)
    assert (result.delta_min_, result.delta_max_) == pytest.approx((0.0, 0.2))
    assert result.names == ["x1", "x2", "x3"]
    assert result.coefficients_[2] == pytest.approx([1 / 3, 1, 1 / 3])


def test_grey_series_as_array_rows_equal_frame_columns() -> None:
    vector = VECTORS["grey_relational"]
    rows = np.array(list(vector["cmp_columns"].values()))
    frame = pl.DataFrame(vector["cmp_columns"])
    assert grey_relational(vector["ref"], rows).grade_ == pytest.approx(grey_relational(vector["ref"], frame).grade_)


def test_grey_by_hand_with_mean_normalisation_and_weights() -> None:
    # after dividing by the mean: ref (0.5, 1.5), x1 (1, 1), x2 (0.5, 1.5) → Δ = (0.5, 0.5), (0, 0)
    result = grey_relational([1, 3], [[2, 2], [2, 6]], normalisation="mean")
    assert result.grade_ == pytest.approx([(0 + 0.25) / (0.5 + 0.25), 1.0])
    weighted = grey_relational([0.9, 0.8, 0.7], [[0.9, 0.7, 0.8]], weights=[2, 1, 1])
    # Δ = (0, 0.1, 0.1): Δmin = 0, Δmax = 0.1, ξ = 0.05 / (Δ + 0.05) = (1, 1/3, 1/3); weights (0.5, 0.25, 0.25)
    assert weighted.grade_ == pytest.approx([0.5 + 0.25 / 3 + 0.25 / 3])


def test_grey_identical_series_are_fully_related() -> None:
    assert grey_relational([1, 2, 3], [[1, 2, 3], [1, 2, 3]]).grade_ == pytest.approx([1, 1])


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"rho": 0}, "(0, 1]"),
    ({"rho": 1.5}, "(0, 1]"),
    ({"normalisation": "zscore"}, "initial"),
])
def test_grey_errors(kwargs: dict, word: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        grey_relational([1, 2], [[1, 2]], **kwargs)
    assert word in caught.value.message
    with pytest.raises(InvalidInput, match="长度必须相同"):
        grey_relational([1, 2, 3], [[1, 2]])
    with pytest.raises(InvalidInput, match="初值为 0"):
        grey_relational([1, 2], [[0, 2]], normalisation="initial")
