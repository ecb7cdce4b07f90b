"""Scoring indicators into z ∈ [0, 1]: fixed benchmarks (the default), or min–max over a panel of rows.

Method card: ``docs/methods/indicators.md`` (§ Scoring). A benchmark scores each value on its own, against a
floor (z = 0) and a target (z = 1) fixed per release, so a year's score never changes when later data arrive and
a county is scored on the same scale as its city. Min–max scores a value against the smallest and largest value
of a reference panel, so every score moves when the panel gains a row: it is offered as a named option only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from silian.analytics.entropy import as_matrix, minmax_standardise, parse_directions
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
Normalisation = Literal["benchmark", "panel", "window"]
NORMALISATIONS: tuple[Normalisation, ...] = ("benchmark", "panel", "window")
DEFAULT_RESCALE = 0.01
"""Min–max scores are rescaled into [a, 1 − a] with this a (METHODS.md: a shift or rescale of 0.0001–0.01)."""

register_messages({
    "scoring_unknown": (
        "未知的标准化方式：{value}；可选 benchmark（固定基准，默认）、panel（多地区面板 min–max）、window（本地区历年 min–max）",
        ("Unknown normalisation: {value}; choose benchmark (fixed benchmarks, the default), panel (min–max over "
         "many regions) or window (min–max over the region's own years)"),
    ),
    "scoring_bad_benchmark": (
        "指标“{column}”的基准不可用（floor = {floor}，target = {target}）：floor 与 target 必须是不同的有限数",
        "Indicator '{column}': unusable benchmark (floor = {floor}, target = {target}): they must be different finite numbers",
    ),
    "scoring_benchmark_count": (
        "给了 {got} 组基准，但有 {n} 个指标：请为每个指标给出 floor 和 target",
        "{got} benchmarks were given for {n} indicators: give a floor and a target for every indicator",
    ),
    "scoring_bad_rescale": ("缩放边距 a = {a} 应满足 0 ≤ a < 0.5", "The rescale margin a = {a} must satisfy 0 ≤ a < 0.5"),
    "scoring_reference_columns": (
        "参照面板有 {got} 列，但要评分的数据有 {n} 列",
        "The reference panel has {got} columns but the data to score have {n}",
    ),
})


def benchmark_scores(X: npt.ArrayLike, floors: Sequence[float], targets: Sequence[float], *,
                     names: Sequence[str] | None = None) -> FloatArray:
    """z = clip((x − floor) / (target − floor), 0, 1), column by column.

    Parameters
    ----------
    X : array_like, shape (m, k)
        Raw indicator values, one column per indicator.
    floors, targets : sequences of k floats
        The value scored 0 and the value scored 1. A negative indicator (smaller is better) has
        target < floor, so the same formula reverses it: z = (floor − x) / (floor − target).
    names : sequence of str, optional
        Indicator names for messages.

    Returns
    -------
    numpy.ndarray, shape (m, k)
        Scores in [0, 1]; each depends only on its own value and the benchmark.
    """
    matrix, labels = as_matrix(X, names, what="X")
    low, high = np.asarray(floors, dtype=float), np.asarray(targets, dtype=float)
    if low.shape != (matrix.shape[1],) or high.shape != (matrix.shape[1],):
        raise InvalidInput(t("scoring_benchmark_count", got=len(floors), n=matrix.shape[1]))
    bad = ~np.isfinite(low) | ~np.isfinite(high) | (low == high)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidInput(t("scoring_bad_benchmark", column=labels[k], floor=low[k], target=high[k]))
    return np.clip((matrix - low) / (high - low), 0.0, 1.0)


def minmax_scores(X: npt.ArrayLike, directions: Sequence[object] | None = None, *,
                  reference: npt.ArrayLike | None = None, rescale: float = DEFAULT_RESCALE,
                  names: Sequence[str] | None = None) -> FloatArray:
    """Min–max scores of the rows of ``X`` against the smallest and largest values of ``reference``.

    Parameters
    ----------
    X : array_like, shape (m, k)
        The rows to score.
    directions : sequence, optional
        ``+`` / ``-`` per indicator (default all ``+``).
    reference : array_like, shape (r, k), optional
        The panel whose min and max define the scale (default: ``X`` itself, the own-window min–max). It
        should contain the rows of ``X``; values outside its range are clipped.
    rescale : float
        z → a + (1 − 2a) · z, into [a, 1 − a] (default 0.01), so that the worst row is not exactly 0.
    names : sequence of str, optional
        Indicator names for messages.

    Returns
    -------
    numpy.ndarray, shape (m, k)
        A constant column of the reference scores 0.5 (it says nothing either way).
    """
    if not 0 <= rescale < 0.5:
        raise InvalidInput(t("scoring_bad_rescale", a=rescale))
    matrix, labels = as_matrix(X, names, what="X")
    panel = matrix if reference is None else as_matrix(reference, labels, what="reference")[0]
    if panel.shape[1] != matrix.shape[1]:
        raise InvalidInput(t("scoring_reference_columns", got=panel.shape[1], n=matrix.shape[1]))
    signs = parse_directions(directions, matrix.shape[1])
    _, constant = minmax_standardise(panel, signs)
    low, high = panel.min(axis=0), panel.max(axis=0)
    span = np.where(constant, 1.0, high - low)
    z = np.where(signs > 0, (matrix - low) / span, (high - matrix) / span)
    z = np.clip(z, 0.0, 1.0)
    z[:, constant] = 0.5
    return rescale + (1.0 - 2.0 * rescale) * z


def check_normalisation(value: str) -> Normalisation:
    """``value`` as a :data:`Normalisation`, or an error listing the choices."""
    if value not in NORMALISATIONS:
        raise InvalidInput(t("scoring_unknown", value=value))
    return value  # type: ignore[return-value]
