"""Supply–demand structure: structural deviation, Duncan/Jackman–Roper dissimilarity, Şahin et al. mismatch.

Method cards: ``docs/methods/structural_deviation.md``, ``dissimilarity_index.md``, ``sahin_mismatch.md``.
Every function takes counts or shares per category (industry, occupation, major group) and divides each
vector by its own total, so counts and shares give the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t

FloatArray = npt.NDArray[np.float64]
ALIGNED_TOLERANCE = 1e-12

register_messages({
    "mismatch_vector": (
        "{what}应为一维的非负数（不含空值），现在的问题：{problem}",
        "{what} must be a one-dimensional list of non-negative numbers without gaps; problem: {problem}",
    ),
    "mismatch_zero_total": (
        "{what}合计为 0，无法计算占比：请至少有一个类别大于 0",
        "{what} sums to 0, so shares are undefined: at least one category must be positive",
    ),
    "mismatch_length": (
        "两组数据的类别数不同（{a} 与 {b}）：请按同一类别顺序对齐",
        "The two vectors have different numbers of categories ({a} and {b}): align them on the same categories",
    ),
    "mismatch_alpha": ("α = {alpha} 应在 (0, 1) 内（通常取 0.5）", "α = {alpha} must be in (0, 1) (usually 0.5)"),
    "mismatch_phi": (
        "匹配效率 φ 应为 {n} 个正数",
        "The matching efficiencies φ must be {n} positive numbers",
    ),
    "deviation_undefined": (
        "类别“{name}”的需求占比为 0 而供给占比为 {supply:.4f}：偏离度无定义，未计入 Σ|P|（见 Σ|S−E|）",
        ("Category '{name}' has a demand share of 0 but a supply share of {supply:.4f}: its deviation is "
         "undefined and left out of Σ|P| (see Σ|S−E|)"),
    ),
})

_DIRECTIONS = {1: ("供给相对偏多", "over-supplied"), -1: ("供给相对不足", "under-supplied"),
               0: ("匹配", "aligned")}


def _shares(values: npt.ArrayLike, what: str) -> FloatArray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(t("mismatch_vector", what=what, problem=str(exc))) from exc
    if x.ndim != 1 or x.size == 0:
        raise InvalidInput(t("mismatch_vector", what=what, problem=f"shape {x.shape}"))
    if not np.isfinite(x).all() or (x < 0).any():
        raise InvalidInput(t("mismatch_vector", what=what, problem=str(x.tolist())))
    if x.sum() == 0:
        raise InvalidInput(t("mismatch_zero_total", what=what))
    return x / x.sum()


def _pair(a: npt.ArrayLike, b: npt.ArrayLike, names: tuple[str, str]) -> tuple[FloatArray, FloatArray]:
    sa, sb = _shares(a, names[0]), _shares(b, names[1])
    if sa.size != sb.size:
        raise InvalidInput(t("mismatch_length", a=sa.size, b=sb.size))
    return sa, sb


@dataclass(frozen=True)
class DeviationResult:
    """Structural deviation P_i = S_i/E_i − 1 per category, and the totals Σ|P_i| and Σ|S_i − E_i|.

    ``deviation_[i]`` is NaN where E_i = 0 < S_i (undefined; listed in ``warnings``); where both are 0 it
    is 0. Positive P: the category gets a larger share of supply than of demand (over-supplied); negative:
    under-supplied; 0: aligned.
    """

    deviation_: FloatArray
    total_abs_: float
    gap_: FloatArray
    total_abs_gap_: float
    supply_share_: FloatArray
    demand_share_: FloatArray
    names: list[str]
    warnings: list[str] = field(default_factory=list)

    def directions(self, lang: str | None = None) -> list[str]:
        """Per category: 供给相对偏多 / 供给相对不足 / 匹配 (over-supplied / under-supplied / aligned)."""
        english = (lang or current_lang.get()) == "en"
        signs = np.where(np.abs(self.gap_) <= ALIGNED_TOLERANCE, 0, np.sign(self.gap_)).astype(int)
        return [_DIRECTIONS[int(s)][1 if english else 0] for s in signs]

    def to_frame(self, lang: str | None = None) -> pl.DataFrame:
        """Tidy frame: ``category``, ``supply_share``, ``demand_share``, ``deviation`` (P), ``gap`` (S − E),
        ``direction``."""
        return pl.DataFrame({"category": self.names, "supply_share": self.supply_share_,
                             "demand_share": self.demand_share_, "deviation": self.deviation_, "gap": self.gap_,
                             "direction": self.directions(lang)})


def structural_deviation(supply: npt.ArrayLike, demand: npt.ArrayLike, *,
                         names: Sequence[str] | None = None) -> DeviationResult:
    """Structural deviation of supply (graduates, enrolment, 专业点) from demand (value added, employment).

    Parameters
    ----------
    supply : array_like of n non-negative numbers
        S: counts or shares of supply aligned with each industry i.
    demand : array_like of n non-negative numbers
        E: each industry's counts or shares of value added or employment.
    names : sequence of str, optional
        Category names (default ``1``, ``2``, …).

    Returns
    -------
    DeviationResult
        P_i = S_i/E_i − 1 on shares (direction: P > 0 supply share exceeds demand share), Σ|P_i| over the
        categories where P is defined, and Σ|S_i − E_i|.
    """
    S, E = _pair(supply, demand, ("supply (S)", "demand (E)"))
    labels = list(names) if names is not None else [str(k + 1) for k in range(S.size)]
    with np.errstate(divide="ignore", invalid="ignore"):
        P = np.where(E > 0, S / np.where(E > 0, E, 1.0) - 1.0, np.where(S > 0, np.nan, 0.0))
    gap = S - E
    warnings = [t("deviation_undefined", name=labels[k], supply=S[k]) for k in np.flatnonzero(np.isnan(P))]
    return DeviationResult(deviation_=P, total_abs_=float(np.nansum(np.abs(P))), gap_=gap,
                           total_abs_gap_=float(np.abs(gap).sum()), supply_share_=S, demand_share_=E,
                           names=labels, warnings=warnings)


def dissimilarity_index(s: npt.ArrayLike, d: npt.ArrayLike) -> float:
    """Duncan dissimilarity (Jackman–Roper for unemployed vs vacancies): M = ½ Σ_i |s_i/s − d_i/d|.

    Parameters
    ----------
    s, d : array_like of n non-negative numbers
        Two distributions over the same categories (e.g. job seekers and vacancies), counts or shares.

    Returns
    -------
    float
        In [0, 1]: the share of either side that would have to move category to remove the mismatch.
    """
    a, b = _pair(s, d, ("s", "d"))
    return float(0.5 * np.abs(a - b).sum())


def sahin_mismatch_index(u: npt.ArrayLike, v: npt.ArrayLike, *, alpha: float = 0.5,
                         phi: npt.ArrayLike | None = None) -> float:
    """Mismatch index of Şahin, Song, Topa & Violante (2014, AER).

    Parameters
    ----------
    u : array_like of n non-negative numbers
        Unemployed (job seekers, graduates) per category.
    v : array_like of n non-negative numbers
        Vacancies (openings) per category.
    alpha : float
        Matching-function elasticity α in (0, 1), default 0.5.
    phi : array_like of n positive numbers, optional
        Matching efficiencies φ_i (default equal; only their ratios matter).

    Returns
    -------
    float
        M = 1 − Σ_i (φ_i/φ̄)(v_i/v)^α (u_i/u)^(1−α), φ̄ = [Σ_i φ_i^(1/α) (v_i/v)]^α. Categories with
        u_i = 0 or v_i = 0 contribute no matches (0^α = 0). With equal φ, M = 1 − Σ sqrt((v_i/v)(u_i/u)).
    """
    if not 0 < alpha < 1:
        raise InvalidInput(t("mismatch_alpha", alpha=alpha))
    us, vs = _pair(u, v, ("u", "v"))
    efficiency = np.ones_like(us) if phi is None else np.atleast_1d(np.asarray(phi, dtype=float))
    if efficiency.shape != us.shape or not np.isfinite(efficiency).all() or (efficiency <= 0).any():
        raise InvalidInput(t("mismatch_phi", n=us.size))
    phi_bar = float((efficiency ** (1.0 / alpha) * vs).sum() ** alpha)
    return float(1.0 - (efficiency / phi_bar * vs**alpha * us ** (1.0 - alpha)).sum())
