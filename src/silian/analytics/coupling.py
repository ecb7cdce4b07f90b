"""Coupling coordination degree (耦合协调度) of n ≥ 2 subsystems: C, T, D, coordination level, lag type.

Method card: ``docs/methods/coupling.md``. Three coupling formulas are offered; Wang et al. (2021) is the
default because the classic formula bunches near 1 and depends only on the ratios of the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t

FloatArray = npt.NDArray[np.float64]
Method = Literal["wang", "classic", "fan"]
Closure = Literal["left", "right"]

WEIGHT_TOLERANCE = 1e-9
"""How far the weights may sum from 1 (they are then divided by their sum)."""
LAG_THRESHOLD = 0.1
"""A subsystem lags when another one's score exceeds its own by more than this."""
LAG_TOLERANCE = 1e-9
"""Float slack on the lag threshold, so that 0.4 − 0.3 counts as exactly 0.1 (同步)."""

METHODS: dict[str, Method] = {"wang": "wang", "wang2021": "wang", "classic": "classic", "fan": "fan",
                              "fan2024": "fan"}

register_messages({
    "coupling_too_few": (
        "耦合协调度至少需要 2 个子系统，现在只有 {n} 个：请为每个子系统提供一列 0–1 的得分",
        "Coupling needs at least 2 subsystems, got {n}: give one column of 0–1 scores per subsystem",
    ),
    "coupling_no_rows": ("没有可计算的数据行：请至少提供一行得分", "There are no rows to compute: give at least one row"),
    "coupling_not_numeric": (
        "耦合得分必须是数字（{detail}）：请只填写 0–1 之间的数字",
        "Coupling scores must be numbers ({detail}): enter numbers from 0 to 1 only",
    ),
    "coupling_missing": (
        "{row}“{column}”的得分缺失（共 {count} 处缺失）：请补齐该值或删除该行",
        "{row}, '{column}': the score is missing ({count} missing in all): fill it in or delete the row",
    ),
    "coupling_out_of_range": (
        "{row}“{column}”的得分 {value} 不在 [0, 1] 内：请先把各子系统得分标准化到 0–1（如熵权法综合得分）",
        ("{row}, '{column}': the score {value} is outside [0, 1]: normalise every subsystem score to 0–1 "
         "first (e.g. entropy-weighted scores)"),
    ),
    "coupling_all_zero": (
        "{row}的所有子系统得分都为 0，耦合度无定义：请核对该行数据或删除该行",
        "{row}: every subsystem score is 0, so coupling is undefined: check the row or delete it",
    ),
    "coupling_weights_count": (
        "给了 {got} 个权重，但有 {n} 个子系统（{columns}）：请按列的顺序为每个子系统给一个权重，如 {example}",
        ("{got} weights were given for {n} subsystems ({columns}): give one weight per subsystem, in column "
         "order, e.g. {example}"),
    ),
    "coupling_weights_sum": (
        "权重之和为 {total}，应为 1：请调整权重使其合计为 1，如 {example}",
        "The weights sum to {total}, not 1: adjust them so that they add up to 1, e.g. {example}",
    ),
    "coupling_weights_invalid": (
        "权重必须是非负数，现在是 {value}：请改为 0–1 之间的数，如 {example}",
        "Weights must be non-negative numbers, got {value}: use numbers from 0 to 1, e.g. {example}",
    ),
    "coupling_unknown_method": (
        "未知的耦合度算法：{method}；可选 wang（默认，王淑佳等 2021）、classic（传统公式）、fan（Fan 等 2024）",
        ("Unknown coupling method: {method}; choose wang (default, Wang et al. 2021), classic or fan "
         "(Fan et al. 2024)"),
    ),
    "coupling_unknown_closure": (
        "未知的区间闭合方式：{closure}；可选 left（左闭右开，默认）或 right（左开右闭）",
        "Unknown interval closure: {closure}; choose left ([a, b), the default) or right ((a, b])",
    ),
    "coupling_row": ("第 {row} 行", "row {row}"),
    "coupling_column": ("子系统 {index}", "subsystem {index}"),
    "lag_sync": ("同步", "in sync"),
    "lag_lagging": ("{names}滞后", "{names} lagging"),
    "lag_joiner": ("、", ", "),
})

_LEVEL_NAMES: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme imbalance"),
    ("严重失调", "serious imbalance"),
    ("中度失调", "moderate imbalance"),
    ("轻度失调", "mild imbalance"),
    ("濒临失调", "verging on imbalance"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)


@dataclass(frozen=True)
class CoordinationLevel:
    """One of the ten coordination levels: ``rank`` 1 (极度失调) to 10 (优质协调), D in [lower, upper]."""

    rank: int
    zh: str
    en: str
    lower: float
    upper: float

    def name(self, lang: str | None = None) -> str:
        """The level's name in ``lang`` (default: the current language)."""
        return self.en if (lang or current_lang.get()) == "en" else self.zh


COORDINATION_LEVELS: tuple[CoordinationLevel, ...] = tuple(
    CoordinationLevel(i + 1, zh, en, i / 10, (i + 1) / 10) for i, (zh, en) in enumerate(_LEVEL_NAMES)
)
_LEVEL_EDGES = np.arange(1, 10) / 10  # 0.1 … 0.9, each the double nearest to k/10


@dataclass(frozen=True)
class CouplingResult:
    """Coupling degree ``C``, comprehensive index ``T``, coordination degree ``D`` and level, one per row."""

    C: FloatArray
    T: FloatArray
    D: FloatArray
    levels: tuple[CoordinationLevel, ...]
    method: Method
    weights: FloatArray
    closure: Closure
    scores: FloatArray
    names: tuple[str, ...]

    def level_names(self, lang: str | None = None) -> list[str]:
        """Each row's level name in ``lang`` (default: the current language)."""
        return [level.name(lang) for level in self.levels]

    def lag_types(self, *, threshold: float = LAG_THRESHOLD, lang: str | None = None) -> list[str]:
        """Each row's lag description, e.g. ``同步`` or ``产业链滞后`` (see :func:`lag_descriptions`)."""
        return lag_descriptions(self.scores, self.names, threshold=threshold, lang=lang)

    def to_frame(self, lang: str | None = None) -> pl.DataFrame:
        """Tidy frame: ``row`` (0-based), ``C``, ``T``, ``D``, ``level_rank`` (1–10), ``level``, ``lag``."""
        return pl.DataFrame({
            "row": np.arange(len(self.D)), "C": self.C, "T": self.T, "D": self.D,
            "level_rank": [level.rank for level in self.levels], "level": self.level_names(lang),
            "lag": self.lag_types(lang=lang),
        })


def coupling_coordination(
    U: npt.ArrayLike,
    method: str = "wang",
    weights: npt.ArrayLike | None = None,
    *,
    closure: str = "left",
    names: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
) -> CouplingResult:
    """Coupling coordination degree of n ≥ 2 subsystems, row by row.

    Parameters
    ----------
    U : array_like, shape (rows, n)
        Subsystem scores in [0, 1], one column per subsystem (a 1-D array is one row).
    method : {"wang", "classic", "fan"}
        ``wang`` (default): Wang et al. 2021,
        C = sqrt([1 − Σ_{i>j}|U_i − U_j| / (n(n−1)/2)] · [Π_i U_i / max_j U_j]^(1/(n−1))).
        ``classic``: C = n (Π U_i)^(1/n) / Σ U_i. ``fan``: Fan et al. 2024, C = 1 − 2 σ(U) (population σ).
    weights : array_like of n floats, optional
        Weights a_i of T = Σ a_i U_i: non-negative, summing to 1 within 1e-9. Default: equal weights.
    closure : {"left", "right"}
        Level intervals ``left`` [0, 0.1), [0.1, 0.2), …, [0.9, 1.0] (default) or ``right``
        [0, 0.1], (0.1, 0.2], …, (0.9, 1.0].
    names : sequence of str, optional
        Subsystem names, used in error messages and lag descriptions.
    row_labels : sequence of str, optional
        How error messages name each row (default ``第 k 行``, k counted from 1).

    Returns
    -------
    CouplingResult
        ``C``, ``T``, ``D`` (all in [0, 1]) and ``levels``, one per row.

    Raises
    ------
    InvalidInput
        Fewer than two subsystems, a missing or out-of-range score, a row of zeros, bad weights or an
        unknown method or closure.
    """
    chosen = _method(method)
    closure_ = _closure(closure)
    scores = _check_scores(U, names, row_labels)
    n = scores.shape[1]
    a = _check_weights(weights, n, [_column_label(names, k, n) for k in range(n)])
    C = {"wang": _wang_c, "classic": _classic_c, "fan": _fan_c}[chosen](scores)
    T = np.clip(scores @ a, 0.0, 1.0)
    D = np.sqrt(C * T)
    return CouplingResult(C=C, T=T, D=D, levels=coordination_levels(D, closure=closure_), method=chosen,
                          weights=a, closure=closure_, scores=scores, names=_names(names, n))


def _classic_c(U: FloatArray) -> FloatArray:
    n = U.shape[1]
    with np.errstate(divide="ignore"):
        geometric = np.exp(np.log(U).mean(axis=1))
    C = n * geometric / U.sum(axis=1)
    return np.where(np.ptp(U, axis=1) == 0, 1.0, np.clip(C, 0.0, 1.0))


def _wang_c(U: FloatArray) -> FloatArray:
    n = U.shape[1]
    i, j = np.triu_indices(n, k=1)
    spread = np.abs(U[:, i] - U[:, j]).sum(axis=1) / (n * (n - 1) / 2)
    balance = np.prod(U / U.max(axis=1, keepdims=True), axis=1) ** (1.0 / (n - 1))
    return np.sqrt(np.clip((1.0 - spread) * balance, 0.0, 1.0))


def _fan_c(U: FloatArray) -> FloatArray:
    sigma = np.where(np.ptp(U, axis=1) == 0, 0.0, U.std(axis=1))
    return np.clip(1.0 - 2.0 * sigma, 0.0, 1.0)


def coordination_levels(D: npt.ArrayLike, *, closure: str = "left") -> tuple[CoordinationLevel, ...]:
    """The coordination level of each D in [0, 1], in ten steps of 0.1.

    Parameters
    ----------
    D : array_like
        Coordination degrees in [0, 1].
    closure : {"left", "right"}
        ``left``: [0, 0.1) 极度失调, …, [0.9, 1.0] 优质协调 (D = 1 is in the top level).
        ``right``: [0, 0.1] 极度失调, (0.1, 0.2] 严重失调, …, (0.9, 1.0] 优质协调.

    Returns
    -------
    tuple of CoordinationLevel
    """
    side: Literal["left", "right"] = "right" if _closure(closure) == "left" else "left"
    ranks = np.searchsorted(_LEVEL_EDGES, np.atleast_1d(np.asarray(D, dtype=float)), side=side)
    return tuple(COORDINATION_LEVELS[int(k)] for k in ranks)


def coordination_level(D: float, *, closure: str = "left") -> CoordinationLevel:
    """The coordination level of a single D (see :func:`coordination_levels`)."""
    return coordination_levels([D], closure=closure)[0]


def lag_pairs(U: npt.ArrayLike, names: Sequence[str] | None = None, *,
              threshold: float = LAG_THRESHOLD) -> pl.DataFrame:
    """Lag type of every pair of subsystems in every row, as a tidy frame.

    Parameters
    ----------
    U : array_like, shape (rows, n)
        Subsystem scores.
    names : sequence of str, optional
        Subsystem names (default ``U1``, ``U2``, …).
    threshold : float
        The lower subsystem of a pair lags when U_a − U_b > threshold (default 0.1; float slack 1e-9).

    Returns
    -------
    polars.DataFrame
        ``row`` (0-based), ``a``, ``b``, ``gap`` (U_a − U_b), ``lagging`` (the lagging subsystem's name,
        null when the pair is 同步 / in sync).
    """
    scores = np.atleast_2d(np.asarray(U, dtype=float))
    labels = _names(names, scores.shape[1])
    i, j = np.triu_indices(scores.shape[1], k=1)
    gaps = scores[:, i] - scores[:, j]
    rows = np.repeat(np.arange(scores.shape[0]), len(i))
    flat = gaps.ravel()
    a = np.tile(i, scores.shape[0])
    b = np.tile(j, scores.shape[0])
    lagging = [labels[bb] if g > threshold + LAG_TOLERANCE else labels[aa] if -g > threshold + LAG_TOLERANCE
               else None for g, aa, bb in zip(flat, a, b, strict=True)]
    return pl.DataFrame({"row": rows, "a": [labels[k] for k in a], "b": [labels[k] for k in b], "gap": flat,
                         "lagging": lagging}, schema_overrides={"lagging": pl.String})


def lag_descriptions(U: npt.ArrayLike, names: Sequence[str] | None = None, *,
                     threshold: float = LAG_THRESHOLD, lang: str | None = None) -> list[str]:
    """One description per row: ``同步`` (in sync) or the lagging subsystems, e.g. ``产业链滞后``.

    A subsystem lags when some other subsystem of the same row exceeds it by more than ``threshold``
    (i.e. when max(U) − U_i > threshold). Several lagging subsystems are joined: ``教育链、人才链滞后``.

    Parameters
    ----------
    U : array_like, shape (rows, n)
        Subsystem scores.
    names : sequence of str, optional
        Subsystem names (default ``U1``, ``U2``, …).
    threshold : float
        Lag threshold, default 0.1.
    lang : {"zh", "en"}, optional
        Language (default: the current language).

    Returns
    -------
    list of str
    """
    scores = np.atleast_2d(np.asarray(U, dtype=float))
    labels = _names(names, scores.shape[1])
    behind = scores.max(axis=1, keepdims=True) - scores > threshold + LAG_TOLERANCE
    joiner = t("lag_joiner", in_lang=lang)
    return [t("lag_lagging", in_lang=lang, names=joiner.join(labels[k] for k in np.flatnonzero(row)))
            if row.any() else t("lag_sync", in_lang=lang) for row in behind]


def _names(names: Sequence[str] | None, n: int) -> tuple[str, ...]:
    return tuple(names) if names is not None and len(names) == n else tuple(f"U{k + 1}" for k in range(n))


def _method(method: str) -> Method:
    key = str(method).strip().lower()
    if key not in METHODS:
        raise InvalidInput(t("coupling_unknown_method", method=method))
    return METHODS[key]


def _closure(closure: str) -> Closure:
    if closure not in ("left", "right"):
        raise InvalidInput(t("coupling_unknown_closure", closure=closure))
    return "left" if closure == "left" else "right"


def _check_scores(U: npt.ArrayLike, names: Sequence[str] | None,
                  row_labels: Sequence[str] | None) -> FloatArray:
    try:
        scores = np.asarray(U, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("coupling_not_numeric", detail=str(exc))) from exc
    if scores.ndim == 1:
        scores = scores.reshape(1, -1)
    if scores.ndim != 2:
        raise InvalidInput(t("coupling_not_numeric", detail=f"shape {scores.shape}"))
    n = scores.shape[1]
    if n < 2:
        raise InvalidInput(t("coupling_too_few", n=n))
    if scores.shape[0] == 0:
        raise InvalidInput(t("coupling_no_rows"))

    def row(k: int) -> str:
        return row_labels[k] if row_labels is not None else t("coupling_row", row=k + 1)

    missing = np.isnan(scores)
    if missing.any():
        r, c = np.argwhere(missing)[0]
        raise InvalidInput(t("coupling_missing", row=row(r), column=_column_label(names, c, n), count=int(missing.sum())))
    outside = (scores < 0) | (scores > 1)
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise InvalidInput(t("coupling_out_of_range", row=row(r), column=_column_label(names, c, n), value=f"{scores[r, c]:g}"))
    zero_rows = np.flatnonzero(~scores.any(axis=1))
    if zero_rows.size:
        raise InvalidInput(t("coupling_all_zero", row=t("lag_joiner").join(row(k) for k in zero_rows[:10])))
    return scores


def _column_label(names: Sequence[str] | None, k: int, n: int) -> str:
    return names[k] if names is not None and len(names) == n else t("coupling_column", index=k + 1)


def example_weights(n: int) -> str:
    """Example weights for ``n`` subsystems that sum to exactly 1, for messages (e.g. ``0.4,0.3,0.3``)."""
    if n == 3:
        return "0.4,0.3,0.3"
    share = round(1 / n, 2)
    return ",".join([f"{share:g}"] * (n - 1) + [f"{round(1 - share * (n - 1), 2):g}"])


def _check_weights(weights: npt.ArrayLike | None, n: int, columns: list[str]) -> FloatArray:
    if weights is None:
        return np.full(n, 1.0 / n)
    try:
        a = np.atleast_1d(np.asarray(weights, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("coupling_weights_invalid", value=weights, example=example_weights(n))) from exc
    if a.ndim != 1 or a.size != n:
        raise InvalidInput(t("coupling_weights_count", got=a.size, n=n, columns=t("lag_joiner").join(columns),
                               example=example_weights(n)))
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        raise InvalidInput(t("coupling_weights_invalid", value=f"{a[bad][0]:g}", example=example_weights(n)))
    total = float(a.sum())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise InvalidInput(t("coupling_weights_sum", total=f"{total:.10g}", example=example_weights(n)))
    return a / total
