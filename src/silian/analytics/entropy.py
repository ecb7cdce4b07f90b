"""Entropy weight method (熵权法): indicator weights from the dispersion of a panel, and subsystem scores.

Method card: ``docs/methods/entropy_weights.md``. Also home of the small input helpers the other
analytics modules share (:func:`as_matrix`, :func:`parse_directions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]

DEFAULT_SHIFT = 0.0001
DEFAULT_MARGIN = 0.002

_POSITIVE = {"+", "1", "1.0", "+1", "positive", "pos", "benefit", "max", "正", "正向"}
_NEGATIVE = {"-", "−", "-1", "-1.0", "negative", "neg", "cost", "min", "负", "负向", "逆向"}

register_messages({
    "matrix_not_numeric": ("{what}必须是数字矩阵（{detail}）", "{what} must be a numeric matrix ({detail})"),
    "matrix_shape": (
        "{what}应为二维表（行 × 指标），现在的形状是 {shape}",
        "{what} must be a two-dimensional table (rows × indicators); its shape is {shape}",
    ),
    "matrix_missing": (
        "{what}第 {row} 行“{column}”缺失或不是有限数（共 {count} 处）：请补齐或删除该行",
        ("{what}, row {row}, '{column}': missing or not a finite number ({count} in all): fill it in or "
         "delete the row"),
    ),
    "matrix_too_few_rows": (
        "{what}至少需要 {need} 行数据，现在只有 {rows} 行",
        "{what} needs at least {need} rows; it has {rows}",
    ),
    "names_count": (
        "给了 {got} 个名称，但有 {n} 列：请为每一列给一个名称",
        "{got} names were given for {n} columns: give one name per column",
    ),
    "directions_count": (
        "给了 {got} 个指标方向，但有 {n} 个指标：请为每个指标标明 +（正向）或 -（负向）",
        "{got} directions were given for {n} indicators: mark each indicator + (positive) or - (negative)",
    ),
    "direction_unknown": (
        "无法识别的指标方向：{value}；请用 +（正向，越大越好）或 -（负向，越小越好）",
        "Unknown indicator direction: {value}; use + (larger is better) or - (smaller is better)",
    ),
    "entropy_unknown_option": (
        "未知的{option}：{value}；可选 {choices}",
        "Unknown {option}: {value}; choose {choices}",
    ),
    "entropy_raw_negative": (
        "原始比重法要求数据非负且全为正向指标（“{column}”{problem}）：请改用 min-max 标准化（standardisation=\"minmax\"）",
        ("Raw proportions need non-negative data and positive indicators only ('{column}': {problem}): use "
         "min-max standardisation (standardisation=\"minmax\") instead"),
    ),
    "entropy_bad_margin": (
        "缩放边距 a = {margin} 应满足 0 ≤ a < 0.5",
        "The rescale margin a = {margin} must satisfy 0 ≤ a < 0.5",
    ),
    "entropy_bad_shift": ("平移量 {shift} 应为正数", "The shift {shift} must be positive"),
    "entropy_constant": (
        "指标“{column}”在所有行上取值相同，不含信息：权重设为 0",
        "Indicator '{column}' has the same value in every row and carries no information: its weight is 0",
    ),
    "entropy_low_variation": (
        "指标“{column}”的变异系数 {cv} 低于阈值 {threshold}，变化不足以赋权：权重设为 0",
        "Indicator '{column}' varies too little to weight (coefficient of variation {cv} below {threshold}): its weight is 0",
    ),
    "entropy_bad_min_cv": ("变异系数阈值 {value} 应为非负数", "The coefficient-of-variation threshold {value} must be non-negative"),
    "entropy_all_constant": (
        "所有指标在所有行上都取值相同，无法确定权重：请检查数据",
        "Every indicator is constant across all rows, so no weights can be derived: check the data",
    ),
})


def as_matrix(X: npt.ArrayLike | pl.DataFrame, names: Sequence[str] | None = None, *, what: str = "X",
              min_rows: int = 1) -> tuple[FloatArray, list[str]]:
    """A finite 2-D float matrix and its column names from an array or a polars frame.

    Parameters
    ----------
    X : array_like or polars.DataFrame
        Rows × columns; a frame's column names become the names.
    names : sequence of str, optional
        Column names (default: the frame's, or ``x1``, ``x2``, …).
    what : str
        How error messages name the matrix.
    min_rows : int
        Fewest rows accepted.

    Returns
    -------
    (numpy.ndarray, list of str)

    Raises
    ------
    InvalidInput
        Not numeric, not 2-D, too few rows, or a missing / infinite cell (row counted from 1).
    """
    if isinstance(X, pl.DataFrame):
        names = list(names) if names is not None else list(X.columns)
        try:
            X = X.cast(pl.Float64).to_numpy()
        except (pl.exceptions.PolarsError, TypeError, ValueError) as exc:
            raise InvalidInput(t("matrix_not_numeric", what=what, detail=str(exc).splitlines()[0])) from exc
    try:
        matrix = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("matrix_not_numeric", what=what, detail=str(exc))) from exc
    if matrix.ndim != 2:
        raise InvalidInput(t("matrix_shape", what=what, shape=matrix.shape))
    labels = list(names) if names is not None else [f"x{k + 1}" for k in range(matrix.shape[1])]
    if len(labels) != matrix.shape[1]:
        raise InvalidInput(t("names_count", got=len(labels), n=matrix.shape[1]))
    if matrix.shape[0] < min_rows:
        raise InvalidInput(t("matrix_too_few_rows", what=what, need=min_rows, rows=matrix.shape[0]))
    bad = ~np.isfinite(matrix)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidInput(t("matrix_missing", what=what, row=r + 1, column=labels[c], count=int(bad.sum())))
    return matrix, labels


def parse_directions(directions: Sequence[object] | None, n: int) -> npt.NDArray[np.int8]:
    """Indicator directions as +1 (larger is better) / −1 (smaller is better); ``None`` means all +1.

    Accepts ``"+"``/``"-"``, ``1``/``-1``, ``"positive"``/``"negative"``, ``"benefit"``/``"cost"`` and
    ``正向``/``负向``.
    """
    if directions is None:
        return np.ones(n, dtype=np.int8)
    values = list(directions)
    if len(values) != n:
        raise InvalidInput(t("directions_count", got=len(values), n=n))
    signs = []
    for value in values:
        key = str(value).strip().lower()
        if key in _POSITIVE:
            signs.append(1)
        elif key in _NEGATIVE:
            signs.append(-1)
        else:
            raise InvalidInput(t("direction_unknown", value=value))
    return np.asarray(signs, dtype=np.int8)


def minmax_standardise(X: FloatArray, signs: npt.NDArray[np.int8]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Min-max standardise every column over all rows: (x − min)/(max − min), or (max − x)/(max − min).

    Returns the standardised matrix (constant columns set to 0) and a mask of the constant columns.
    """
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    constant = span == 0
    safe = np.where(constant, 1.0, span)
    z = np.where(signs > 0, (X - low) / safe, (high - X) / safe)
    z[:, constant] = 0.0
    return z, constant


@dataclass(frozen=True)
class EntropyResult:
    """Weights ``weights_`` (sum 1), entropies ``entropy_``, the matrix the proportions were taken from
    ``standardised_`` (after zero handling), row scores ``scores_ = standardised_ @ weights_``, each indicator's
    coefficient of variation ``cv_`` on the raw data, the mask ``no_variation_`` of indicators weighted 0 for
    being constant or below ``min_cv``, and ``warnings`` (user-facing messages)."""

    weights_: FloatArray
    entropy_: FloatArray
    standardised_: FloatArray
    scores_: FloatArray
    names: list[str]
    directions: npt.NDArray[np.int8]
    zero_handling: str
    standardisation: str
    warnings: list[str] = field(default_factory=list)
    cv_: FloatArray = field(default_factory=lambda: np.zeros(0))
    no_variation_: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame, one row per indicator: ``indicator``, ``direction`` (+1/−1), ``entropy``, ``weight``."""
        return pl.DataFrame({"indicator": self.names, "direction": self.directions.astype(np.int64),
                             "entropy": self.entropy_, "weight": self.weights_})


def coefficient_of_variation(X: npt.ArrayLike) -> FloatArray:
    """Population standard deviation over |mean| of every column; 0 for a constant column, ∞ when the mean is 0
    but the column varies."""
    matrix = np.asarray(X, dtype=float)
    mean, std = np.abs(matrix.mean(axis=0)), matrix.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(std == 0, 0.0, np.where(mean == 0, np.inf, std / np.where(mean == 0, 1.0, mean)))
    return cv


def entropy_weights(
    X: npt.ArrayLike | pl.DataFrame,
    directions: Sequence[object] | None = None,
    zero_handling: str = "zero",
    *,
    standardisation: str = "minmax",
    shift: float = DEFAULT_SHIFT,
    margin: float = DEFAULT_MARGIN,
    names: Sequence[str] | None = None,
    min_cv: float = 0.0,
) -> EntropyResult:
    """Entropy weights of the indicators (columns) of a panel, and each row's weighted score.

    Parameters
    ----------
    X : array_like or polars.DataFrame, shape (m, k)
        Every row of the panel (each region × year), so that scores are comparable across years.
    directions : sequence, optional
        ``+`` (larger is better) or ``-`` (smaller is better) per indicator; default all ``+``.
    zero_handling : {"zero", "shift", "rescale"}
        ``zero`` (default): 0 · ln 0 := 0. ``shift``: z + ``shift`` (0.0001). ``rescale``:
        z → a + (1 − 2a) z, i.e. into [a, 1 − a] with a = ``margin`` (0.002).
    standardisation : {"minmax", "none"}
        ``minmax`` (default): z = (x − min)/(max − min) for ``+``, (max − x)/(max − min) for ``-``, min
        and max over all rows. ``none``: proportions of the raw data (data must be ≥ 0, all ``+``).
    shift, margin : float
        Parameters of the ``shift`` and ``rescale`` zero handling.
    names : sequence of str, optional
        Indicator names (default: the frame's columns or ``x1``, ``x2``, …), used in messages.
    min_cv : float
        An indicator whose coefficient of variation (population σ / |mean| of the raw values) is below this
        has no meaningful variation: it is treated like a constant column (default 0: only constant columns).
        Min–max standardisation stretches any variation, however small, to [0, 1], so without this a series
        moving 0.4 % can take the largest weight.

    Returns
    -------
    EntropyResult
        p_ij = z_ij / Σ_i z_ij, e_j = −(1/ln m) Σ_i p_ij ln p_ij, w_j = (1 − e_j)/Σ_k (1 − e_k),
        scores = Σ_j w_j z_ij. A constant column (or one below ``min_cv``) gets e = 1, w = 0 and a warning.

    Raises
    ------
    InvalidInput
        Missing values, fewer than 2 rows, unknown options, every indicator constant.
    """
    zero_handling_ = _option("zero_handling", zero_handling, ("zero", "shift", "rescale"))
    standardisation_ = _option("standardisation", standardisation, ("minmax", "none"))
    if not min_cv >= 0:
        raise InvalidInput(t("entropy_bad_min_cv", value=min_cv))
    matrix, labels = as_matrix(X, names, what="X", min_rows=2)
    signs = parse_directions(directions, matrix.shape[1])
    if standardisation_ == "minmax":
        z, constant = minmax_standardise(matrix, signs)
    else:
        _check_raw(matrix, signs, labels, zero_handling_)
        z, constant = matrix.copy(), np.ptp(matrix, axis=0) == 0
    cv = coefficient_of_variation(matrix)
    low = ~constant & (cv < min_cv)
    z = _handle_zeros(z, zero_handling_, shift, margin)
    entropy = _entropy(z)
    entropy[constant | low] = 1.0
    spread = np.clip(1.0 - entropy, 0.0, None)
    if spread.sum() == 0:
        raise InvalidInput(t("entropy_all_constant"))
    weights = spread / spread.sum()
    warnings = [t("entropy_constant", column=labels[k]) for k in np.flatnonzero(constant)]
    warnings += [t("entropy_low_variation", column=labels[k], cv=f"{cv[k]:.2%}", threshold=f"{min_cv:.2%}")
                 for k in np.flatnonzero(low)]
    return EntropyResult(weights_=weights, entropy_=entropy, standardised_=z, scores_=z @ weights, names=labels,
                         directions=signs, zero_handling=zero_handling_, standardisation=standardisation_,
                         warnings=warnings, cv_=cv, no_variation_=constant | low)


def _entropy(z: FloatArray) -> FloatArray:
    """e_j = −(1/ln m) Σ_i p_ij ln p_ij with 0 · ln 0 := 0 (only the zero terms are dropped)."""
    totals = z.sum(axis=0)
    p = z / np.where(totals == 0, 1.0, totals)
    plogp = p * np.log(np.where(p > 0, p, 1.0))
    return -plogp.sum(axis=0) / np.log(z.shape[0])


def _handle_zeros(z: FloatArray, how: str, shift: float, margin: float) -> FloatArray:
    if how == "shift":
        if not shift > 0:
            raise InvalidInput(t("entropy_bad_shift", shift=shift))
        return z + shift
    if how == "rescale":
        if not 0 <= margin < 0.5:
            raise InvalidInput(t("entropy_bad_margin", margin=margin))
        return margin + (1.0 - 2.0 * margin) * z
    return z


def _check_raw(matrix: FloatArray, signs: npt.NDArray[np.int8], labels: list[str], zero_handling: str) -> None:
    if zero_handling == "rescale":
        raise InvalidInput(t("entropy_unknown_option", option="zero_handling", value="rescale",
                             choices="zero、shift (standardisation=\"none\")"))
    for k in range(matrix.shape[1]):
        if signs[k] < 0:
            raise InvalidInput(t("entropy_raw_negative", column=labels[k], problem="-"))
        if (matrix[:, k] < 0).any():
            raise InvalidInput(t("entropy_raw_negative", column=labels[k], problem=f"{matrix[:, k].min():g} < 0"))


def _option(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(t("entropy_unknown_option", option=option, value=value, choices="、".join(choices)))
    return value
