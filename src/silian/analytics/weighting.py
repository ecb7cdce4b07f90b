"""Indicator weights other than entropy: equal, expert, AHP (analytic hierarchy process) with Saaty's consistency
check, and the combination of a fixed and an entropy weight vector.

Method card: ``docs/methods/entropy_weights.md`` (§ Weighting schemes). Entropy weights themselves are in
:mod:`silian.analytics.entropy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
MAX_CR = 0.10
"""Saaty's limit: a judgement matrix with CR ≥ 0.10 is too inconsistent to use."""
RECIPROCAL_TOLERANCE = 0.02
"""How far a_ij · a_ji may be from 1 (judgements written as 0.33 for 1/3 pass)."""
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
"""Saaty's random consistency index RI by matrix order n (Saaty 1980)."""

register_messages({
    "ahp_not_square": (
        "判断矩阵“{name}”应为 n × n 的正数矩阵（现在的形状是 {shape}）",
        "Judgement matrix '{name}' must be an n × n matrix of positive numbers (its shape is {shape})",
    ),
    "ahp_too_large": (
        "判断矩阵“{name}”有 {n} 阶，超过 Saaty 随机一致性指标表（最多 10 阶）：请把指标分组",
        "Judgement matrix '{name}' has order {n}, beyond Saaty's random-index table (10 at most): group the indicators",
    ),
    "ahp_not_positive": (
        "判断矩阵“{name}”第 {row} 行第 {col} 列是 {value}：判断值必须是正数（1–9 标度及其倒数）",
        "Judgement matrix '{name}', row {row}, column {col} is {value}: judgements must be positive (1–9 and reciprocals)",
    ),
    "ahp_not_reciprocal": (
        "判断矩阵“{name}”不是互反矩阵：a[{row},{col}] = {a}，a[{col},{row}] = {b}，两者之积应为 1",
        "Judgement matrix '{name}' is not reciprocal: a[{row},{col}] = {a} and a[{col},{row}] = {b} must multiply to 1",
    ),
    "ahp_inconsistent": (
        "判断矩阵“{name}”一致性比率 CR = {cr}（λmax = {lam}，CI = {ci}，RI = {ri}）≥ 0.10：判断前后矛盾，请修改矩阵后重试",
        ("Judgement matrix '{name}': consistency ratio CR = {cr} (λmax = {lam}, CI = {ci}, RI = {ri}) ≥ 0.10: the "
         "judgements contradict each other; revise the matrix"),
    ),
    "weights_bad_alpha": (
        "组合权重系数 α = {alpha} 应在 [0, 1] 内",
        "The combination coefficient α = {alpha} must lie in [0, 1]",
    ),
    "weights_bad_vector": (
        "权重应为非负数且不全为 0：{weights}",
        "Weights must be non-negative and not all 0: {weights}",
    ),
})


@dataclass(frozen=True)
class AhpResult:
    """AHP weights ``weights_`` (sum 1) from the principal eigenvector, with λmax, CI, RI and CR."""

    weights_: FloatArray
    lambda_max_: float
    ci_: float
    ri_: float
    cr_: float
    name: str


def ahp_weights(matrix: npt.ArrayLike, *, name: str = "A", max_cr: float = MAX_CR) -> AhpResult:
    """Weights of a pairwise-comparison matrix and its consistency ratio.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        a_ij = how much more important criterion i is than j (Saaty's 1–9 scale), a_ji = 1 / a_ij, a_ii = 1.
    name : str
        How messages name the matrix (e.g. the chain).
    max_cr : float
        CR at or above this is an error (default 0.10).

    Returns
    -------
    AhpResult
        w = the principal right eigenvector, normalised to sum 1; λmax its eigenvalue;
        CI = (λmax − n) / (n − 1); CR = CI / RI(n) with Saaty's RI (CR = 0 for n ≤ 2).

    Raises
    ------
    InvalidInput
        Not square, order above 10, a non-positive or non-reciprocal entry, or CR ≥ ``max_cr`` — each
        naming the matrix.
    """
    A = _check_matrix(matrix, name)
    n = A.shape[0]
    values, vectors = np.linalg.eig(A)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr >= max_cr:
        raise InvalidInput(t("ahp_inconsistent", name=name, cr=f"{cr:.3f}", lam=f"{lam:.4f}", ci=f"{ci:.4f}", ri=f"{ri:.2f}"))
    return AhpResult(weights_=w, lambda_max_=lam, ci_=ci, ri_=ri, cr_=max(cr, 0.0), name=name)


def _check_matrix(matrix: npt.ArrayLike, name: str) -> FloatArray:
    try:
        A = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("ahp_not_square", name=name, shape="?")) from exc
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise InvalidInput(t("ahp_not_square", name=name, shape=A.shape))
    if A.shape[0] > max(SAATY_RI):
        raise InvalidInput(t("ahp_too_large", name=name, n=A.shape[0]))
    bad = ~np.isfinite(A) | (A <= 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidInput(t("ahp_not_positive", name=name, row=r + 1, col=c + 1, value=f"{A[r, c]:g}"))
    off = np.abs(A * A.T - 1.0) > RECIPROCAL_TOLERANCE
    if off.any():
        r, c = np.argwhere(off)[0]
        raise InvalidInput(t("ahp_not_reciprocal", name=name, row=r + 1, col=c + 1, a=f"{A[r, c]:g}", b=f"{A[c, r]:g}"))
    return A


def normalised(weights: Sequence[float] | npt.ArrayLike) -> FloatArray:
    """Non-negative weights divided by their sum."""
    w = np.atleast_1d(np.asarray(weights, dtype=float))
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise InvalidInput(t("weights_bad_vector", weights=w.tolist()))
    return w / w.sum()


def combined_weights(fixed: npt.ArrayLike, entropy: npt.ArrayLike, alpha: float = 0.5) -> FloatArray:
    """Linear combination w = α · w_fixed + (1 − α) · w_entropy of two weight vectors (each normalised first)."""
    if not 0 <= alpha <= 1:
        raise InvalidInput(t("weights_bad_alpha", alpha=alpha))
    return normalised(alpha * normalised(fixed) + (1 - alpha) * normalised(entropy))
