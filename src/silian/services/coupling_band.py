"""The scores of the four-chain coupling under each normalisation, C, T, D row by row (a row whose chain scores are
all 0 has D = 0, not an error), and D's sensitivity band: its lowest and highest value over every normalisation ×
coupling formula, with the variant that gave each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from silian.analytics.coupling import coordination_levels, coupling_coordination, lag_descriptions
from silian.analytics.scoring import NORMALISATIONS, benchmark_scores, minmax_scores
from silian.domain.errors import InvalidInput
from silian.domain.indicators import CHAINS, IndicatorSpec
from silian.domain.messages import register_messages, t

METHODS = ("wang", "classic", "fan")

register_messages({
    "band_no_benchmark": (
        "指标 {names} 在 {level} 层级没有基准（floor、target）：请在指标文件中补上，或把 [coupling] normalisation 改为 panel 或 window",
        ("Indicators {names} have no benchmark (floor, target) at {level} level: add them to the indicator file, or set "
         "[coupling] normalisation to panel or window"),
    ),
    "band_skip_benchmark": (
        "指标 {names} 没有基准：敏感性区间不含固定基准算法",
        "Indicators {names} have no benchmark: the sensitivity band leaves the fixed-benchmark variant out",
    ),
    "band_all_zero": (
        "{rows}：四条链得分都为 0（全部指标都在下限或以下），D = 0",
        "{rows}: every chain scores 0 (all indicators at or below their floors), so D = 0",
    ),
    "band_description": (
        (
            "D 的敏感性区间：在 {n} 种算法下 D 的最低值与最高值——标准化方式 {norms} × 耦合度公式 王"
            "淑佳等 2021、传统公式、Fan 等 2024；权重不变"
        ),
        ("D's sensitivity band: its lowest and highest value over {n} variants — normalisation {norms} × coupling formula "
         "Wang et al. 2021, classic, Fan et al. 2024; the weights stay as chosen"),
    ),
    "norm_benchmark": ("固定基准", "fixed benchmarks"),
    "norm_panel": ("多地区面板 min–max", "panel min–max"),
    "norm_window": ("本地区历年 min–max", "own-window min–max"),
    "method_wang": ("王淑佳等 2021", "Wang et al. 2021"),
    "method_classic": ("传统公式", "classic"),
    "method_fan": ("Fan 等 2024", "Fan et al. 2024"),
})


def score_variants(X: np.ndarray, R: np.ndarray, used: list[IndicatorSpec], level: str, normalisation: str,
                   rescale: float, lang: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """z of the rows ``X`` under every normalisation: benchmark (when every indicator has one), panel (min–max over
    the reference rows ``R``) and window (min–max over ``X``). The chosen one must be available."""
    names = [s.name(lang) for s in used]
    directions = [s.direction for s in used]
    marks = [s.benchmark_for(level) for s in used]
    missing = [n for n, m in zip(names, marks, strict=True) if m is None]
    variants: dict[str, np.ndarray] = {}
    notes: list[str] = []
    if not missing:
        variants["benchmark"] = benchmark_scores(X, [m.floor for m in marks], [m.target for m in marks],  # type: ignore[union-attr]
                                                 names=names)
    elif normalisation == "benchmark":
        raise InvalidInput(t("band_no_benchmark", names="、".join(missing), level=level))
    else:
        notes.append(t("band_skip_benchmark", names="、".join(missing)))
    variants["panel"] = minmax_scores(X, directions, reference=R, rescale=rescale, names=names)
    variants["window"] = minmax_scores(X, directions, rescale=rescale, names=names)
    return {k: variants[k] for k in NORMALISATIONS if k in variants}, notes


def chain_scores(z: np.ndarray, w: np.ndarray, span: dict[str, list[int]]) -> np.ndarray:
    """U of every chain: the weighted sum of its indicators' z (``span[chain]`` = its columns), in [0, 1]."""
    return np.clip(np.column_stack([z[:, span[c]] @ w[span[c]] for c in CHAINS]), 0.0, 1.0)


def coordination_frame(U: np.ndarray, method: str, weights: Sequence[float], closure: str, names: list[str],
                       row_labels: list[str], lang: str) -> tuple[pl.DataFrame, np.ndarray]:
    """C, T, D, level_rank, level and lag of every row; a row of zeros gets C = T = D = 0 and a note, never an error
    (with fixed benchmarks it means every indicator is at or below its floor: a measurement, not an artefact)."""
    live = np.asarray(U.any(axis=1), dtype=bool)
    C, T, D = np.zeros(len(U)), np.zeros(len(U)), np.zeros(len(U))
    if live.any():
        result = coupling_coordination(U[live], method, weights, closure=closure, names=names,
                                       row_labels=[r for r, k in zip(row_labels, live.tolist(), strict=True) if k])
        C[live], T[live], D[live] = result.C, result.T, result.D
    levels = coordination_levels(D, closure=closure)
    frame = pl.DataFrame({"C": C, "T": T, "D": D, "level_rank": [lv.rank for lv in levels],
                          "level": [lv.name(lang) for lv in levels], "lag": lag_descriptions(U, names, lang=lang)})
    return frame, D


def zero_rows_note(U: np.ndarray, row_labels: list[str]) -> list[str]:
    dead = [r for r, k in zip(row_labels, np.asarray(U.any(axis=1), dtype=bool).tolist(), strict=True) if not k]
    return [t("band_all_zero", rows=t("list_joiner").join(dead))] if dead else []


def band_frame(variants: dict[str, np.ndarray], w: np.ndarray, span: dict[str, list[int]], weights: Sequence[float],
               closure: str, names: list[str], row_labels: list[str]) -> pl.DataFrame:
    """``D_low``, ``D_high`` and the variants that gave them (``normalisation/method``), per row."""
    labels, columns = [], []
    for norm, z in variants.items():
        U = chain_scores(z, w, span)
        for method in METHODS:
            _, D = coordination_frame(U, method, weights, closure, names, row_labels, "zh")
            labels.append(f"{norm}/{method}")
            columns.append(D)
    matrix = np.column_stack(columns)
    low, high = matrix.argmin(axis=1), matrix.argmax(axis=1)
    rows = np.arange(matrix.shape[0])
    return pl.DataFrame({"D_low": matrix[rows, low], "D_high": matrix[rows, high],
                         "D_low_variant": [labels[k] for k in low], "D_high_variant": [labels[k] for k in high]})


def describe_band(norms: Sequence[str]) -> str:
    """The band's variants in words."""
    return t("band_description", n=len(norms) * len(METHODS), norms=t("list_joiner").join(t(f"norm_{n}") for n in norms))
