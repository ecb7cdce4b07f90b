"""TOPSIS: closeness of each alternative to the ideal solution (逼近理想解排序法).

Method card: ``docs/methods/topsis.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.analytics.entropy import as_matrix, minmax_standardise, parse_directions
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
NORMALISATIONS = ("vector", "minmax")

register_messages({
    "topsis_unknown_normalisation": (
        "未知的 TOPSIS 标准化方式：{value}；可选 vector（向量归一化，默认）或 minmax",
        "Unknown TOPSIS normalisation: {value}; choose vector (the default) or minmax",
    ),
    "topsis_weights": (
        "TOPSIS 权重应为 {n} 个非负数且不全为 0，现在是 {weights}",
        "TOPSIS needs {n} non-negative weights, not all 0; got {weights}",
    ),
    "topsis_identical": (
        "所有方案在加权后完全相同，贴近度无定义：请检查数据或权重",
        "Every alternative is identical after weighting, so closeness is undefined: check the data or weights",
    ),
    "topsis_constant": (
        "指标“{column}”在所有方案上取值相同（或全为 0），对排序没有作用",
        "Indicator '{column}' is the same for every alternative (or all 0) and does not affect the ranking",
    ),
})


@dataclass(frozen=True)
class TopsisResult:
    """Closeness ``closeness_`` in [0, 1] (1 = the ideal) with distances and the weighted matrix."""

    closeness_: FloatArray
    d_plus_: FloatArray
    d_minus_: FloatArray
    weighted_: FloatArray
    ideal_: FloatArray
    anti_ideal_: FloatArray
    names: list[str]
    normalisation: str
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: ``row`` (0-based), ``d_plus``, ``d_minus``, ``closeness``, ``rank`` (1 = closest)."""
        order = np.argsort(-self.closeness_, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(1, len(order) + 1)
        return pl.DataFrame({"row": np.arange(len(order)), "d_plus": self.d_plus_, "d_minus": self.d_minus_,
                             "closeness": self.closeness_, "rank": rank})


def topsis(
    X: npt.ArrayLike | pl.DataFrame,
    weights: npt.ArrayLike,
    types: Sequence[object] | None = None,
    *,
    normalisation: str = "vector",
    names: Sequence[str] | None = None,
) -> TopsisResult:
    """Rank alternatives (rows) by their relative closeness to the ideal solution.

    Parameters
    ----------
    X : array_like or polars.DataFrame, shape (m, k)
        Alternatives × criteria.
    weights : array_like of k floats
        Criterion weights, non-negative (closeness does not change when all are scaled together).
    types : sequence, optional
        ``+``/``1`` benefit (larger is better) or ``-``/``-1`` cost per criterion; default all benefit.
    normalisation : {"vector", "minmax"}
        ``vector`` (classic, default): r_ij = x_ij / sqrt(Σ_i x_ij²), ideal = max of v for benefit and min
        for cost criteria. ``minmax``: r = (x − min)/(max − min) for benefit, (max − x)/(max − min) for
        cost, so the ideal is the column maximum of v. The two give different answers.
    names : sequence of str, optional
        Criterion names for messages.

    Returns
    -------
    TopsisResult
        v = w · r; D⁺ and D⁻ Euclidean distances to the ideal and anti-ideal; C = D⁻ / (D⁺ + D⁻).

    Raises
    ------
    InvalidInput
        Missing values, bad weights, unknown normalisation, or all alternatives identical.
    """
    if normalisation not in NORMALISATIONS:
        raise InvalidInput(t("topsis_unknown_normalisation", value=normalisation))
    matrix, labels = as_matrix(X, names, what="X")
    signs = parse_directions(types, matrix.shape[1])
    w = _weights(weights, matrix.shape[1])
    if normalisation == "minmax":
        r, flat = minmax_standardise(matrix, signs)
        benefit = np.ones_like(signs)
    else:
        norms = np.sqrt((matrix**2).sum(axis=0))
        flat = (norms == 0) | (np.ptp(matrix, axis=0) == 0)
        r = matrix / np.where(norms == 0, 1.0, norms)
        benefit = signs
    v = r * w
    ideal = np.where(benefit > 0, v.max(axis=0), v.min(axis=0))
    anti = np.where(benefit > 0, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    if (total == 0).any():
        raise InvalidInput(t("topsis_identical"))
    warnings = [t("topsis_constant", column=labels[k]) for k in np.flatnonzero(flat)]
    return TopsisResult(closeness_=d_minus / total, d_plus_=d_plus, d_minus_=d_minus, weighted_=v, ideal_=ideal,
                        anti_ideal_=anti, names=labels, normalisation=normalisation, warnings=warnings)


def _weights(weights: npt.ArrayLike, k: int) -> FloatArray:
    try:
        w = np.atleast_1d(np.asarray(weights, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("topsis_weights", n=k, weights=weights)) from exc
    if w.ndim != 1 or w.size != k or not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise InvalidInput(t("topsis_weights", n=k, weights=w.tolist()))
    return w
