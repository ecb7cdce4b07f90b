"""Grey relational analysis (灰色关联分析): how closely each series follows a reference series.

Method card: ``docs/methods/grey_relational.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.analytics.entropy import as_matrix
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t

FloatArray = npt.NDArray[np.float64]
DEFAULT_RHO = 0.5
NORMALISATIONS = ("none", "initial", "mean")

register_messages({
    "grey_length": (
        "参考序列有 {ref} 个点，比较序列有 {cmp} 个点：两者长度必须相同",
        "The reference series has {ref} points and the compared series {cmp}: they must be equally long",
    ),
    "grey_rho": (
        "分辨系数 ρ = {rho} 应在 (0, 1] 内（通常取 0.5）",
        "The distinguishing coefficient ρ = {rho} must be in (0, 1] (usually 0.5)",
    ),
    "grey_unknown_normalisation": (
        "未知的灰色关联无量纲化方式：{value}；可选 none（默认）、initial（初值化）、mean（均值化）",
        "Unknown grey-relational normalisation: {value}; choose none (default), initial or mean",
    ),
    "grey_zero_base": (
        "序列“{series}”的{base}为 0，无法做{how}：请改用其他无量纲化方式",
        "Series '{series}' has a {base} of 0, so it cannot be normalised by it ({how}): choose another way",
    ),
    "grey_weights": (
        "灰色关联度的权重应为 {n} 个非负数且不全为 0",
        "Grey relational weights must be {n} non-negative numbers, not all 0",
    ),
})


@dataclass(frozen=True)
class GreyResult:
    """Relational grade per series ``grade_``, coefficients ξ_i(k) ``coefficients_``, and Δmin, Δmax."""

    grade_: FloatArray
    coefficients_: FloatArray
    delta_min_: float
    delta_max_: float
    names: list[str]
    rho: float

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: ``series``, ``grade``, ``rank`` (1 = most closely related)."""
        order = np.argsort(-self.grade_, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(1, len(order) + 1)
        return pl.DataFrame({"series": self.names, "grade": self.grade_, "rank": rank})


def grey_relational(
    reference: npt.ArrayLike,
    series: npt.ArrayLike | pl.DataFrame | Mapping[str, Sequence[float]],
    *,
    rho: float = DEFAULT_RHO,
    weights: npt.ArrayLike | None = None,
    normalisation: str = "none",
    names: Sequence[str] | None = None,
) -> GreyResult:
    """Grey relational grade of each compared series with the reference series.

    Parameters
    ----------
    reference : array_like, shape (K,)
        The reference series x_0(k).
    series : array_like of shape (n, K), or polars.DataFrame / mapping whose columns are the series
        The compared series x_i(k): **rows** of an array, **columns** of a frame or mapping.
    rho : float
        Distinguishing coefficient ρ in (0, 1], default 0.5.
    weights : array_like of K floats, optional
        Weights of the points k in the grade (normalised to sum 1); default the plain mean.
    normalisation : {"none", "initial", "mean"}
        Applied to every series, the reference included: ``none`` (default; the data are already
        comparable, e.g. standardised), ``initial`` (divide by the first value) or ``mean``.
    names : sequence of str, optional
        Series names (default: the frame's or mapping's columns, or ``x1``, ``x2``, …).

    Returns
    -------
    GreyResult
        Δ_i(k) = |x_0(k) − x_i(k)|; Δmin and Δmax over **all** series and points;
        ξ_i(k) = (Δmin + ρ Δmax) / (Δ_i(k) + ρ Δmax); grade_i = Σ_k w_k ξ_i(k). When every Δ is 0, ξ = 1.
    """
    if not 0 < rho <= 1:
        raise InvalidInput(t("grey_rho", rho=rho))
    if normalisation not in NORMALISATIONS:
        raise InvalidInput(t("grey_unknown_normalisation", value=normalisation))
    compared, labels = _series_matrix(series, names)
    ref, _ = as_matrix(np.atleast_1d(np.asarray(reference, dtype=float)).reshape(1, -1), what="reference")
    if ref.shape[1] != compared.shape[1]:
        raise InvalidInput(t("grey_length", ref=ref.shape[1], cmp=compared.shape[1]))
    ref = _normalise(ref, ["reference"], normalisation)
    compared = _normalise(compared, labels, normalisation)
    delta = np.abs(compared - ref)
    delta_min, delta_max = float(delta.min()), float(delta.max())
    if delta_max == 0:
        xi = np.ones_like(delta)
    else:
        xi = (delta_min + rho * delta_max) / (delta + rho * delta_max)
    w = _weights(weights, delta.shape[1])
    return GreyResult(grade_=xi @ w, coefficients_=xi, delta_min_=delta_min, delta_max_=delta_max, names=labels,
                      rho=rho)


def _series_matrix(series: npt.ArrayLike | pl.DataFrame | Mapping[str, Sequence[float]],
                   names: Sequence[str] | None) -> tuple[FloatArray, list[str]]:
    if isinstance(series, Mapping):
        series = pl.DataFrame({str(k): list(v) for k, v in series.items()})
    if isinstance(series, pl.DataFrame):
        matrix, labels = as_matrix(series, names, what="series")
        return matrix.T.copy(), labels
    matrix = np.asarray(series, dtype=float)
    matrix = matrix.reshape(1, -1) if matrix.ndim == 1 else matrix
    transposed, labels = as_matrix(matrix.T, names, what="series")
    return transposed.T.copy(), labels


def _normalise(matrix: FloatArray, labels: list[str], how: str) -> FloatArray:
    if how == "none":
        return matrix
    base = matrix[:, 0] if how == "initial" else matrix.mean(axis=1)
    zero = np.flatnonzero(base == 0)
    if zero.size:
        zh, en = ("初值", "first value") if how == "initial" else ("均值", "mean")
        base_word = en if current_lang.get() == "en" else zh
        raise InvalidInput(t("grey_zero_base", series=labels[zero[0]], base=base_word, how=how))
    return matrix / base[:, None]


def _weights(weights: npt.ArrayLike | None, k: int) -> FloatArray:
    if weights is None:
        return np.full(k, 1.0 / k)
    w = np.atleast_1d(np.asarray(weights, dtype=float))
    if w.ndim != 1 or w.size != k or not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise InvalidInput(t("grey_weights", n=k))
    return w / w.sum()
