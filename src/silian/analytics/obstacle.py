"""Obstacle degree model (障碍度模型): which indicators hold each row's score back most.

Method card: ``docs/methods/obstacle_degree.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.analytics.entropy import as_matrix
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
ALL = "all"
"""Subsystem label used when no subsystems are given (one system of weight 1)."""

register_messages({
    "obstacle_z_range": (
        "障碍度需要 0–1 的标准化值：第 {row} 行“{column}”是 {value}；请先做 min-max 标准化（如熵权法的标准化矩阵）",
        ("Obstacle degrees need standardised values in 0–1: row {row}, '{column}' is {value}; standardise first "
         "(e.g. the entropy method's standardised matrix)"),
    ),
    "obstacle_weights": (
        "指标权重应为 {n} 个非负数，现在是 {got} 个或含负数",
        "Indicator weights must be {n} non-negative numbers; got {got} or a negative one",
    ),
    "obstacle_subsystems": (
        "给了 {got} 个指标所属子系统，但有 {n} 个指标：请为每个指标标明所属子系统",
        "{got} subsystem labels were given for {n} indicators: give each indicator its subsystem",
    ),
    "obstacle_subsystem_weight": (
        "缺少子系统“{subsystem}”的权重（或为负数）：请在子系统权重中给出",
        "The weight of subsystem '{subsystem}' is missing (or negative): add it to the subsystem weights",
    ),
    "obstacle_none": (
        "{row}所有指标都已达到最优（1 − z 全为 0），没有障碍因子，障碍度记为 0",
        "{row} is at the optimum on every indicator (1 − z is 0 throughout): no obstacles, degrees set to 0",
    ),
    "obstacle_row": ("第 {row} 行", "Row {row}"),
})


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees in percent: ``degrees_`` (rows × indicators, each row sums to 100 unless it has no
    obstacle) and ``subsystem_degrees_`` (rows × subsystems, the sums over each subsystem's indicators)."""

    degrees_: FloatArray
    subsystem_degrees_: FloatArray
    contribution_: FloatArray
    deviation_: FloatArray
    names: list[str]
    subsystem_of: list[str]
    subsystems: list[str]
    row_labels: list[str] | None
    warnings: list[str] = field(default_factory=list)

    def top_factors(self, k: int = 3) -> pl.DataFrame:
        """The ``k`` largest obstacle factors of each row, as a tidy frame.

        Columns: ``row`` (0-based), ``label`` (when row labels were given), ``rank`` (1 = largest),
        ``indicator``, ``subsystem``, ``obstacle`` (percent). Rows without obstacles are left out; ties keep
        the indicator order.
        """
        k = max(0, min(k, self.degrees_.shape[1]))
        order = np.argsort(-self.degrees_, axis=1, kind="stable")[:, :k]
        records: list[dict[str, object]] = []
        for row, columns in enumerate(order):
            if self.degrees_[row].sum() == 0:
                continue
            for rank, col in enumerate(columns, start=1):
                record: dict[str, object] = {"row": row}
                if self.row_labels is not None:
                    record["label"] = self.row_labels[row]
                record.update(rank=rank, indicator=self.names[col], subsystem=self.subsystem_of[col],
                              obstacle=float(self.degrees_[row, col]))
                records.append(record)
        schema = {"row": pl.Int64, **({"label": pl.String} if self.row_labels is not None else {}),
                  "rank": pl.Int64, "indicator": pl.String, "subsystem": pl.String, "obstacle": pl.Float64}
        return pl.DataFrame(records, schema=schema)

    def subsystem_frame(self) -> pl.DataFrame:
        """Tidy frame: ``row`` (0-based), ``subsystem``, ``obstacle`` (percent)."""
        m, s = self.subsystem_degrees_.shape
        return pl.DataFrame({"row": np.repeat(np.arange(m), s), "subsystem": self.subsystems * m,
                             "obstacle": self.subsystem_degrees_.ravel()})


def obstacle_degree(
    Z: npt.ArrayLike | pl.DataFrame,
    weights: npt.ArrayLike,
    subsystem_of: Sequence[str] | None = None,
    subsystem_weights: Mapping[str, float] | None = None,
    *,
    names: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
) -> ObstacleResult:
    """Obstacle degree of every indicator and subsystem in every row.

    Parameters
    ----------
    Z : array_like or polars.DataFrame, shape (m, k)
        Standardised indicator values z_ij in [0, 1] (1 = best), e.g. ``EntropyResult.standardised_``
        from plain min-max standardisation.
    weights : array_like of k floats
        Indicator weights w_j (within their subsystem, e.g. entropy weights).
    subsystem_of : sequence of k str, optional
        Each indicator's subsystem. Default: one subsystem, ``all``.
    subsystem_weights : mapping str → float, optional
        Each subsystem's weight W_s (default 1 for a single subsystem, equal weights otherwise).
    names : sequence of str, optional
        Indicator names (default: the frame's columns, or ``x1``, ``x2``, …).
    row_labels : sequence of str, optional
        Row labels carried into :meth:`ObstacleResult.top_factors`.

    Returns
    -------
    ObstacleResult
        F_j = w_j · W_s (factor contribution), I_ij = 1 − z_ij (deviation),
        O_ij = F_j I_ij / Σ_j F_j I_ij × 100 %. A row with Σ_j F_j I_ij = 0 gets 0 everywhere and a warning.
    """
    matrix, labels = as_matrix(Z, names, what="Z")
    _m, k = matrix.shape
    outside = (matrix < 0) | (matrix > 1)
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise InvalidInput(t("obstacle_z_range", row=r + 1, column=labels[c], value=f"{matrix[r, c]:g}"))
    w = np.atleast_1d(np.asarray(weights, dtype=float))
    if w.ndim != 1 or w.size != k or not np.isfinite(w).all() or (w < 0).any():
        raise InvalidInput(t("obstacle_weights", n=k, got=w.size))
    groups = [str(s) for s in subsystem_of] if subsystem_of is not None else [ALL] * k
    if len(groups) != k:
        raise InvalidInput(t("obstacle_subsystems", got=len(groups), n=k))
    subsystems = list(dict.fromkeys(groups))
    W = _subsystem_weights(subsystems, subsystem_weights)
    contribution = w * np.array([W[g] for g in groups])
    deviation = 1.0 - matrix
    weighted = contribution * deviation
    totals = weighted.sum(axis=1)
    degrees = 100.0 * weighted / np.where(totals == 0, 1.0, totals)[:, None]
    member = np.array([[g == s for s in subsystems] for g in groups], dtype=float)
    warnings = [t("obstacle_none", row=row_labels[r] if row_labels is not None else t("obstacle_row", row=r + 1))  # type: ignore[call-overload]
                for r in np.flatnonzero(totals == 0)]
    return ObstacleResult(degrees_=degrees, subsystem_degrees_=degrees @ member, contribution_=contribution,
                          deviation_=deviation, names=labels, subsystem_of=groups, subsystems=subsystems,
                          row_labels=list(row_labels) if row_labels is not None else None, warnings=warnings)


def _subsystem_weights(subsystems: list[str], given: Mapping[str, float] | None) -> dict[str, float]:
    if given is None:
        return {s: 1.0 / len(subsystems) for s in subsystems}
    weights = {str(key): float(value) for key, value in given.items()}
    for s in subsystems:
        if s not in weights or not weights[s] >= 0:
            raise InvalidInput(t("obstacle_subsystem_weight", subsystem=s))
    return weights
