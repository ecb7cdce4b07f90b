"""Four-chain coupling coordination by region and year: indicator panel → scores z (fixed benchmarks by default) →
weights within each chain (fixed by default) → chain scores U → coupling C, T, D, level and lag, with D's
sensitivity band → obstacle factors, TOPSIS closeness and grey relational drivers, all on the same z."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from silian.analytics.coupling import COORDINATION_LEVELS
from silian.analytics.grey import grey_relational
from silian.analytics.obstacle import obstacle_degree
from silian.analytics.panel import LEVEL_OF, PanelInputs, evaluate
from silian.analytics.scoring import DEFAULT_RESCALE, check_normalisation
from silian.analytics.topsis import topsis
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.indicators import CHAIN_NAMES, CHAINS, IndicatorSpec, IndicatorSystem
from silian.domain.messages import current_lang, register_messages, t
from silian.services import indicator_weights
from silian.services.coupling_band import (
    band_frame,
    chain_scores,
    coordination_frame,
    describe_band,
    score_variants,
    zero_rows_note,
)
from silian.services.hub import HubSnapshot

register_messages(
    {
        "chains_no_years": (
            "没有一个年份的{level}数据能算出全部指标：{missing}",
            "{level}: no year has every indicator; missing: {missing}",
        ),
        "chains_level_city": ("市级", "City level"),
        "chains_level_county": ("县市区层级", "County level"),
        "chains_dropped_years": (
            "{level_name}：年份 {years} 有指标缺失，未纳入耦合分析（{detail}）",
            "{level_name}: years {years} lack some indicators and were left out ({detail})",
        ),
        "chains_dropped_indicator": (
            "指标“{name}”在 {level} 层级没有数据，未纳入",
            "Indicator '{name}' has no data at {level} level and was left out",
        ),
        "chains_window_warning": (
            (
                "标准化方式为本地区历年 min–max（window）：每个指标以所分析年份中的最差值、最好值为两端，新增一年"
                "会改变以前各年的得分，不同版本的结果不可比较"
            ),
            ("Normalisation is the own-window min–max: each indicator is scaled between the worst and best of the years "
             "analysed, so a new year changes every earlier year's score and results of different releases cannot be compared"),
        ),
        "chains_panel_warning": (
            "标准化方式为面板 min–max（{regions} 个地区 × {years} 年）：新增地区或年份会改变已发布的得分",
            ("Normalisation is min–max over a panel ({regions} regions × {years} years): a new region or year changes "
             "the published scores"),
        ),
        "chains_benchmark_note": (
            (
                "U、T、D 按固定基准计分（基准版本 {release}）：每个指标与其下限（0 分）和目标值（1 分）比较，"
                "下限与目标值来自国家标准、规划目标或全国水平（见指标体系），新数据不会改变已发布年份的得分"
            ),
            ("U, T and D are scored on fixed benchmarks (release {release}): each indicator against its floor (0) and "
             "target (1), taken from national standards, plan targets or national levels (see the indicator system); "
             "new data never change a published year's score"),
        ),
    }
)
PANEL_TABLES = ("major_points", "institution_resources", "funding", "innovation", "cooperation", "demand",
                "industry_stats", "regional_economy")


@dataclass(frozen=True)
class FourChainResult:
    """Everything the coupling analysis produced, as tidy frames, with what it left out and why."""

    level: str
    method: str
    zero_handling: str
    chain_weights: dict[str, float]
    panel: pl.DataFrame            # region_code, region_name, year, one column per indicator used
    weights: pl.DataFrame          # indicator, chain, name, unit, direction, floor, target, kind, source, derivation, cv, entropy, weight
    scores: pl.DataFrame           # region_code, region_name, year, U_<chain>…, C, T, D, D_low, D_high, …, level, lag, topsis
    obstacles: pl.DataFrame        # region_code, year, rank, indicator, name, chain, obstacle
    chain_obstacles: pl.DataFrame  # region_code, year, chain, obstacle
    drivers: pl.DataFrame          # indicator, name, chain, grade, rank: grey relational grade of z with D
    generated_inputs: list[str]
    warnings: list[str] = field(default_factory=list)
    normalisation: str = "benchmark"
    weighting: str = "fixed"
    weighting_description: str = ""
    band: dict[str, Any] = field(default_factory=dict)
    release: str = ""
    standardised: pl.DataFrame = field(default_factory=pl.DataFrame)  # region_code, year, z of every indicator used


def level_bands(lang: str | None = None) -> list[tuple[float, float, str]]:
    """The ten coordination levels as (lower, upper, name) bands of D."""
    return [(lv.lower, lv.upper, lv.name(lang)) for lv in COORDINATION_LEVELS]


def major_key_weights(catalog: Catalog, key_codes: tuple[str, ...]) -> dict[str, float]:
    """Per major: the share of its crosswalk weight that falls in the key industries."""
    links = catalog.major_industries("major").filter(pl.col("industry_code").is_in(list(key_codes)))
    return dict(links.group_by("major_code").agg(pl.col("weight").sum()).iter_rows())


def build_panel(hub: HubSnapshot, system: IndicatorSystem, level: str, catalog: Catalog | None = None,
                regions: list[str] | None = None) -> tuple[pl.DataFrame, tuple[IndicatorSpec, ...]]:
    """The raw indicator panel at ``level`` and the indicators that apply there."""
    catalog = catalog or get_catalog()
    key = system.key_industry_codes()
    inputs = PanelInputs(tables=hub.tables, key_industries=key, major_key_weight=major_key_weights(catalog, key))
    specs = system.for_level(level)
    return evaluate(inputs, specs, regions=regions, level=level), specs


def coupling_options(section: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`analyse_four_chains` from ``analysis.toml [coupling]`` (defaults where absent)."""
    return {"method": str(section.get("method", "wang")), "closure": str(section.get("closure", "left")),
            "zero_handling": str(section.get("zero_handling", "zero")),
            "normalisation": str(section.get("normalisation", "benchmark")),
            "weighting": str(section.get("weighting", "fixed")),
            "rescale": float(section.get("minmax_rescale", DEFAULT_RESCALE)),
            "entropy_min_cv": float(section.get("entropy_min_cv", 0.01)),
            "combined_alpha": float(section.get("combined_alpha", 0.5))}


def _complete(panel: pl.DataFrame, specs: tuple[IndicatorSpec, ...], level: str) -> tuple[pl.DataFrame, list[IndicatorSpec], list[str]]:
    """Drop indicators with no data at all, then years where any indicator is missing; say what was dropped."""
    notes: list[str] = []
    panel = panel.filter(pl.any_horizontal(pl.col([s.key for s in specs]).is_not_null()))  # years with some data
    used = [s for s in specs if panel[s.key].null_count() < panel.height]
    for s in specs:
        if s not in used:
            notes.append(t("chains_dropped_indicator", name=s.name(current_lang.get()), level=level))
    used = [s for chain in CHAINS for s in used if s.chain == chain]
    cols = [s.key for s in used]
    bad_years = panel.filter(pl.any_horizontal(pl.col(cols).is_null()))
    complete = panel.filter(~pl.col("year").is_in(bad_years["year"].unique().to_list())) if level == "city" else \
        panel.drop_nulls(cols)
    if complete.height == 0:
        missing = ", ".join(c for c in cols if panel[c].null_count())
        raise InvalidInput(t("chains_no_years", level=t(f"chains_level_{level}"), missing=missing))
    dropped = sorted(set(panel["year"].to_list()) - set(complete["year"].to_list()))
    if dropped:
        lang = current_lang.get()
        parts = []
        for year in dropped:
            row = panel.filter(pl.col("year") == year)
            lacking = [s.name(lang) for s in used if row[s.key].null_count()]
            parts.append(f"{year}: {t('list_joiner').join(lacking)}")
        notes.append(t("chains_dropped_years", level_name=t(f"chains_level_{level}"), years=", ".join(map(str, dropped)),
                       detail="; ".join(parts)))
    return complete, used, notes


def analyse_four_chains(hub: HubSnapshot, system: IndicatorSystem, *, level: str = "city", method: str = "wang",
                        chain_weights: dict[str, float] | None = None, zero_handling: str = "zero",
                        closure: str = "left", catalog: Catalog | None = None, regions: list[str] | None = None,
                        normalisation: str = "benchmark", weighting: str = "fixed", rescale: float = DEFAULT_RESCALE,
                        entropy_min_cv: float = 0.01, combined_alpha: float = 0.5) -> FourChainResult:
    """Coupling coordination of the four chains for every region of ``level`` (or ``regions``) and complete year.

    ``normalisation``: ``benchmark`` (default: each indicator against the floor and target of the indicator file),
    ``panel`` (min–max over every region of the level in the hub × every year) or ``window`` (min–max over the
    rows analysed). ``weighting``: ``fixed`` (default: the indicator file's scheme, equal within each chain unless
    it says otherwise), ``entropy`` or ``combined``. D's sensitivity band spans every normalisation × coupling formula.
    """
    normalisation = check_normalisation(normalisation)
    everywhere, specs = build_panel(hub, system, level, catalog)
    wanted = regions or hub["regions"].filter(pl.col("level").is_in(LEVEL_OF[level]))["code"].to_list()
    panel, used, notes = _complete(everywhere.filter(pl.col("region_code").is_in(wanted)), specs, level)
    cols = [s.key for s in used]
    reference = everywhere.drop_nulls(cols).select("region_code", "year", *cols)
    names = dict(zip(hub["regions"]["code"], hub["regions"]["name"], strict=False))
    panel = panel.with_columns(pl.col("region_code").replace_strict(names, default=None).alias("region_name"))
    a = chain_weights or {c: 1.0 / len(CHAINS) for c in CHAINS}
    lang = current_lang.get()
    X, R = panel.select(cols).to_numpy().astype(float), reference.select(cols).to_numpy().astype(float)
    variants, variant_notes = score_variants(X, R, used, level, normalisation, rescale, lang)
    notes += _normalisation_notes(normalisation, reference, panel, system.release) + variant_notes
    by_chain = {c: [s for s in used if s.chain == c] for c in CHAINS}
    span = {c: [i for i, s in enumerate(used) if s.chain == c] for c in CHAINS}
    weights = indicator_weights.chain_weights(system, by_chain, {c: R[:, span[c]] for c in CHAINS}, weighting=weighting,
                                              min_cv=entropy_min_cv, alpha=combined_alpha, zero_handling=zero_handling,
                                              lang=lang)
    notes += weights.warnings
    w = np.concatenate([weights.weights[c] for c in CHAINS])
    z = variants[normalisation]
    chain_labels = [CHAIN_NAMES[c][1 if lang == "en" else 0] for c in CHAINS]
    row_labels = [f"{r} {y}" for r, y in panel.select("region_code", "year").iter_rows()]
    U = chain_scores(z, w, span)
    coupling, D = coordination_frame(U, method, [a[c] for c in CHAINS], closure, chain_labels, row_labels, lang)
    notes += zero_rows_note(U, row_labels)
    band = band_frame(variants, w, span, [a[c] for c in CHAINS], closure, chain_labels, row_labels)
    keys = panel.select("region_code", "region_name", "year")
    scores = pl.concat([keys, pl.DataFrame({f"U_{c}": U[:, i] for i, c in enumerate(CHAINS)}), coupling, band,
                        pl.DataFrame({"topsis": _closeness(z, w, span, a)}).fill_nan(None)], how="horizontal")
    scores = scores.select(*keys.columns, *[f"U_{c}" for c in CHAINS], "C", "T", "D", *band.columns, "level_rank", "level",
                           "lag", "topsis")
    groups = [s.chain for s in used]
    drivers = (grey_relational(D, z.T, names=cols).to_frame().rename({"series": "indicator"})
               .join(pl.DataFrame({"indicator": cols, "name": [s.name(lang) for s in used], "chain": groups}), on="indicator")
               .sort("rank"))
    obstacles, chain_obstacles = _obstacles(keys, z, w, groups, used, a, lang)
    return FourChainResult(
        level=level, method=method, zero_handling=zero_handling, chain_weights=a,
        panel=panel.select("region_code", "region_name", "year", *cols),
        weights=_weights_frame(used, level, weights, lang), scores=scores, obstacles=obstacles,
        chain_obstacles=chain_obstacles, drivers=drivers,
        generated_inputs=[n for n in PANEL_TABLES if hub.generated.get(n)], warnings=notes,
        normalisation=normalisation, weighting=weights.weighting, weighting_description=weights.description,
        band={"variants": sorted(variants), "methods": ["wang", "classic", "fan"],
              "description": describe_band(sorted(variants))},
        release=system.release,
        standardised=pl.concat([panel.select("region_code", "year"), pl.DataFrame(dict(zip(cols, z.T, strict=True)))],
                               how="horizontal"))


def _closeness(z: np.ndarray, w: np.ndarray, span: dict[str, list[int]], a: dict[str, float]) -> np.ndarray:
    """TOPSIS closeness of every row on the scores z (all oriented: larger is better), weights w_j · a_chain."""
    combined = np.concatenate([w[span[c]] * a[c] for c in CHAINS])
    if z.shape[0] < 2:
        return np.ones(z.shape[0])
    try:
        return topsis(np.clip(z, 0.0, 1.0), combined).closeness_
    except InvalidInput:  # every row identical: no ranking
        return np.full(z.shape[0], np.nan)


def _normalisation_notes(normalisation: str, reference: pl.DataFrame, panel: pl.DataFrame, release: str) -> list[str]:
    if normalisation == "window":
        return [t("chains_window_warning")]
    if normalisation == "panel":
        return [t("chains_panel_warning", regions=reference["region_code"].n_unique(), years=reference["year"].n_unique())]
    return [t("chains_benchmark_note", release=release or "—")]


def _weights_frame(used: list[IndicatorSpec], level: str, weights: indicator_weights.ChainWeights,
                   lang: str) -> pl.DataFrame:
    rows = []
    for chain in CHAINS:
        specs = [s for s in used if s.chain == chain]
        cv, entropy = weights.cv.get(chain), weights.entropy.get(chain)
        for k, s in enumerate(specs):
            mark = s.benchmark_for(level)
            rows.append({"indicator": s.key, "chain": chain, "name": s.name(lang), "unit": s.unit, "direction": s.direction,
                         "floor": mark.floor if mark else None, "target": mark.target if mark else None,
                         "kind": mark.kind if mark else None, "source": mark.source if mark else None,
                         "derivation": mark.derivation if mark else None,
                         "cv": float(cv[k]) if cv is not None else None,
                         "entropy": float(entropy[k]) if entropy is not None else None,
                         "weight": float(weights.weights[chain][k])})
    return pl.DataFrame(rows, schema_overrides={"floor": pl.Float64, "target": pl.Float64, "cv": pl.Float64,
                                                 "entropy": pl.Float64, "kind": pl.String, "source": pl.String,
                                                 "derivation": pl.String})


def _obstacles(keys: pl.DataFrame, z: np.ndarray, w: np.ndarray, groups: list[str], used: list[IndicatorSpec],
               a: dict[str, float], lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = obstacle_degree(np.clip(z, 0.0, 1.0), w, groups, a, names=[s.key for s in used])
    top = result.top_factors(5)
    by_key = {s.key: s for s in used}
    indexed = keys.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    top = top.join(indexed, on="row").with_columns(
        pl.col("indicator").replace_strict({k: s.name(lang) for k, s in by_key.items()}).alias("name"),
        pl.col("subsystem").alias("chain")).select("region_code", "year", "rank", "indicator", "name", "chain", "obstacle")
    chains = result.subsystem_frame().join(indexed, on="row").select(
        "region_code", "year", pl.col("subsystem").alias("chain"), "obstacle")
    return top, chains
