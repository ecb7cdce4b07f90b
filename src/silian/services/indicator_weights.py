"""Indicator weights within each chain for the four-chain coupling: fixed (equal, expert or AHP from the indicator
file) by default, entropy or a combination as named options — with what was used and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from silian.analytics.entropy import coefficient_of_variation, entropy_weights
from silian.analytics.weighting import ahp_weights, combined_weights, normalised
from silian.domain.errors import InvalidInput
from silian.domain.indicators import CHAIN_NAMES, IndicatorSpec, IndicatorSystem
from silian.domain.messages import current_lang, register_messages, t

FloatArray = npt.NDArray[np.float64]
WEIGHTINGS = ("fixed", "entropy", "combined")

register_messages({
    "weighting_unknown": (
        "未知的赋权方式：{value}；可选 fixed（固定权重，默认）、entropy（熵权法）、combined（组合权重）",
        "Unknown weighting: {value}; choose fixed (the default), entropy or combined",
    ),
    "weighting_fixed_equal": (
        "固定权重：每条链内各指标等权。理由：权重不随数据变化，各年份、各地区的得分可以比较；熵权会把很小的波动放大成很大的权重",
        ("Fixed weights: equal within each chain. Why: the weights do not move with the data, so years and regions "
         "stay comparable; entropy weights can turn a tiny fluctuation into a large weight"),
    ),
    "weighting_fixed_expert": (
        "固定权重：指标文件给出的专家权重（链内按所用指标归一）。理由：权重不随数据变化，各年份、各地区的得分可以比较",
        ("Fixed weights: the expert weights of the indicator file (renormalised over the indicators used). Why: the "
         "weights do not move with the data, so years and regions stay comparable"),
    ),
    "weighting_fixed_ahp": (
        "固定权重：层次分析法判断矩阵（一致性比率 {crs}，均低于 0.10）。理由：权重不随数据变化，各年份、各地区的得分可以比较",
        ("Fixed weights: AHP judgement matrices (consistency ratios {crs}, all below 0.10). Why: the weights do not "
         "move with the data, so years and regions stay comparable"),
    ),
    "weighting_entropy": (
        (
            "熵权法（选项）：按面板 {rows} 行的离散程度赋权；变异系数低于 {threshold} 的指标没有足以赋"
            "权的变化，权重为 0{zeroed}。注意：面板增加年份会改变权重，已发布年份的得分随之变化"
        ),
        ("Entropy weights (an option): from the dispersion of the panel's {rows} rows; indicators whose coefficient "
         "of variation is below {threshold} vary too little to weight and get 0{zeroed}. Note: adding a year to the "
         "panel changes the weights, and with them the published years' scores"),
    ),
    "weighting_combined": (
        "组合权重（选项）：{alpha} × 固定权重 + {beta} × 熵权。{entropy}",
        "Combined weights (an option): {alpha} × fixed + {beta} × entropy. {entropy}",
    ),
    "weighting_zeroed": ("（{names}）", " ({names})"),
    "weighting_no_variation_chain": (
        "{chain}所有指标都没有足以赋权的变化：该链改用固定权重",
        "{chain}: no indicator varies enough to weight; the chain uses the fixed weights",
    ),
    "weighting_few_rows": (
        "面板只有 {rows} 行，无法计算熵权：改用固定权重",
        "The panel has only {rows} row(s): entropy weights cannot be computed; the fixed weights are used",
    ),
})


@dataclass(frozen=True)
class ChainWeights:
    """Weights of every chain's indicators (in the order given), what was used and why, and per-indicator
    diagnostics: the coefficient of variation and entropy over the panel (None where not computed)."""

    weighting: str
    fixed_scheme: str
    weights: dict[str, FloatArray]
    cv: dict[str, FloatArray | None]
    entropy: dict[str, FloatArray | None]
    zeroed: list[str]
    description: str
    warnings: list[str] = field(default_factory=list)


def check_weighting(value: str) -> str:
    if value not in WEIGHTINGS:
        raise InvalidInput(t("weighting_unknown", value=value))
    return value


def fixed_weights(system: IndicatorSystem, chain: str, specs: list[IndicatorSpec]) -> tuple[FloatArray, float | None]:
    """The fixed weights of ``specs`` (one chain's indicators in use) and the AHP consistency ratio, if any."""
    if system.weight_scheme == "expert":
        return normalised([s.weight or 0.0 for s in specs]), None
    if system.weight_scheme == "ahp":
        matrix = next(m for m in system.ahp if m.chain == chain)
        result = ahp_weights(matrix.matrix, name=f"[weights.ahp.{chain}]")
        by_key = dict(zip(matrix.indicators, result.weights_, strict=True))
        return normalised([by_key[s.key] for s in specs]), result.cr_
    return np.full(len(specs), 1.0 / len(specs)), None


def chain_weights(system: IndicatorSystem, specs: dict[str, list[IndicatorSpec]], panel: dict[str, FloatArray], *,
                  weighting: str = "fixed", min_cv: float = 0.01, alpha: float = 0.5, zero_handling: str = "zero",
                  lang: str = "zh") -> ChainWeights:
    """Weights of each chain's indicators.

    ``panel[chain]`` holds the raw values of the chain's indicators over the reference panel (rows × indicators);
    it feeds the entropy weights and the coefficients of variation.
    """
    weighting = check_weighting(weighting)
    weights: dict[str, FloatArray] = {}
    cvs: dict[str, FloatArray | None] = {}
    entropies: dict[str, FloatArray | None] = {}
    zeroed: list[str] = []
    warnings: list[str] = []
    crs: dict[str, float] = {}
    rows = min((m.shape[0] for m in panel.values()), default=0)
    for chain, chain_specs in specs.items():
        fixed, cr = fixed_weights(system, chain, chain_specs)
        if cr is not None:
            crs[chain] = cr
        matrix = panel[chain]
        cvs[chain] = coefficient_of_variation(matrix) if matrix.shape[0] else None
        entropies[chain] = None
        weights[chain] = fixed
        if weighting == "fixed" or matrix.shape[0] < 2:
            continue
        try:
            result = entropy_weights(matrix, [s.direction for s in chain_specs], zero_handling,
                                     names=[s.name(lang) for s in chain_specs], min_cv=min_cv)
        except InvalidInput:  # every indicator of the chain is constant or below the threshold
            warnings.append(t("weighting_no_variation_chain", chain=CHAIN_NAMES[chain][1 if lang == "en" else 0]))
            continue
        entropies[chain] = result.entropy_
        warnings.extend(result.warnings)
        zeroed += [s.name(lang) for s, off in zip(chain_specs, result.no_variation_, strict=True) if off]
        weights[chain] = result.weights_ if weighting == "entropy" else combined_weights(fixed, result.weights_, alpha)
    if weighting != "fixed" and rows < 2:
        warnings.append(t("weighting_few_rows", rows=rows))
    return ChainWeights(weighting=weighting, fixed_scheme=system.weight_scheme, weights=weights, cv=cvs,
                        entropy=entropies, zeroed=zeroed, warnings=warnings,
                        description=_describe(weighting, system.weight_scheme, crs, zeroed, rows, min_cv, alpha))


def _describe(weighting: str, scheme: str, crs: dict[str, float], zeroed: list[str], rows: int, min_cv: float,
              alpha: float) -> str:
    fixed = t(f"weighting_fixed_{scheme}", crs=t("list_joiner").join(
        f"{CHAIN_NAMES[c][1 if current_lang.get() == 'en' else 0]} {cr:.3f}" for c, cr in crs.items()))
    if weighting == "fixed":
        return fixed
    names = t("weighting_zeroed", names=t("list_joiner").join(zeroed)) if zeroed else ""
    entropy = t("weighting_entropy", rows=rows, threshold=f"{min_cv:.0%}", zeroed=names)
    if weighting == "entropy":
        return entropy
    return t("weighting_combined", alpha=f"{alpha:g}", beta=f"{1 - alpha:g}", entropy=entropy)
