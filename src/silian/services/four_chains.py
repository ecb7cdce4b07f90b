"""Four-chain coupling coordination by region and year: indicator panel → entropy weights per chain →
chain scores U → coupling C, T, D, level and lag → obstacle factors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from silian.analytics.coupling import COORDINATION_LEVELS, coupling_coordination
from silian.analytics.entropy import entropy_weights
from silian.analytics.grey import grey_relational
from silian.analytics.obstacle import obstacle_degree
from silian.analytics.panel import PanelInputs, evaluate
from silian.analytics.topsis import topsis
from silian.catalog import Catalog, get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.indicators import CHAIN_NAMES, CHAINS, IndicatorSpec, IndicatorSystem
from silian.domain.messages import current_lang, register_messages, t
from silian.services.hub import HubSnapshot

register_messages(
    {
        "chains_no_years": (
            "没有一个年份的 {level} 数据能算出全部指标：{missing}",
            "No year has every indicator at {level} level; missing: {missing}",
        ),
        "chains_dropped_years": (
            "年份 {years} 有指标缺失，未纳入耦合分析（{detail}）",
            "Years {years} lack some indicators and were left out ({detail})",
        ),
        "chains_dropped_indicator": (
            "指标“{name}”在 {level} 层级没有数据，未纳入",
            "Indicator '{name}' has no data at {level} level and was left out",
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
    weights: pl.DataFrame          # indicator, chain, name, unit, direction, entropy, weight
    scores: pl.DataFrame           # region_code, region_name, year, U_<chain>…, C, T, D, level_rank, level, lag
    obstacles: pl.DataFrame        # region_code, year, rank, indicator, name, chain, obstacle
    chain_obstacles: pl.DataFrame  # region_code, year, chain, obstacle
    drivers: pl.DataFrame          # indicator, name, chain, grade, rank: grey relational grade of z with D
    generated_inputs: list[str]
    warnings: list[str] = field(default_factory=list)


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


def _complete(panel: pl.DataFrame, specs: tuple[IndicatorSpec, ...], level: str) -> tuple[pl.DataFrame, list[IndicatorSpec], list[str]]:
    """Drop indicators with no data at all, then years where any indicator is missing; say what was dropped."""
    notes: list[str] = []
    used = [s for s in specs if panel[s.key].null_count() < panel.height]
    for s in specs:
        if s not in used:
            notes.append(t("chains_dropped_indicator", name=s.name(current_lang.get()), level=level))
    cols = [s.key for s in used]
    bad_years = panel.filter(pl.any_horizontal(pl.col(cols).is_null()))
    complete = panel.filter(~pl.col("year").is_in(bad_years["year"].unique().to_list())) if level == "city" else \
        panel.drop_nulls(cols)
    if complete.height == 0:
        missing = ", ".join(c for c in cols if panel[c].null_count())
        raise InvalidInput(t("chains_no_years", level=level, missing=missing))
    dropped = sorted(set(panel["year"].to_list()) - set(complete["year"].to_list()))
    if dropped:
        lang = current_lang.get()
        parts = []
        for year in dropped:
            row = panel.filter(pl.col("year") == year)
            lacking = [s.name(lang) for s in used if row[s.key].null_count()]
            parts.append(f"{year}: {'、'.join(lacking)}")
        notes.append(t("chains_dropped_years", years=", ".join(map(str, dropped)), detail="; ".join(parts)))
    return complete, used, notes


def analyse_four_chains(hub: HubSnapshot, system: IndicatorSystem, *, level: str = "city", method: str = "wang",
                        chain_weights: dict[str, float] | None = None, zero_handling: str = "zero",
                        closure: str = "left", catalog: Catalog | None = None,
                        regions: list[str] | None = None) -> FourChainResult:
    """Coupling coordination of the four chains for every region of ``level`` and every complete year."""
    raw, specs = build_panel(hub, system, level, catalog, regions)
    panel, used, notes = _complete(raw, specs, level)
    names = dict(zip(hub["regions"]["code"], hub["regions"]["name"], strict=False))
    panel = panel.with_columns(pl.col("region_code").replace_strict(names, default=None).alias("region_name"))
    a = chain_weights or {c: 1.0 / len(CHAINS) for c in CHAINS}
    lang = current_lang.get()
    U, weight_rows, z_blocks, w_blocks, groups = [], [], [], [], []
    for chain in CHAINS:
        chain_specs = [s for s in used if s.chain == chain]
        result = entropy_weights(panel.select([s.key for s in chain_specs]), [s.direction for s in chain_specs],
                                 zero_handling, names=[s.name(lang) for s in chain_specs])
        notes.extend(result.warnings)
        U.append(result.scores_)
        z_blocks.append(result.standardised_)
        w_blocks.append(result.weights_)
        groups += [chain] * len(chain_specs)
        weight_rows += [{"indicator": s.key, "chain": chain, "name": s.name(lang), "unit": s.unit,
                         "direction": s.direction, "entropy": float(e), "weight": float(w)}
                        for s, e, w in zip(chain_specs, result.entropy_, result.weights_, strict=True)]
    scores_matrix = np.clip(np.column_stack(U), 0.0, 1.0)
    chain_labels = [CHAIN_NAMES[c][0 if lang != "en" else 1] for c in CHAINS]
    coupling = coupling_coordination(scores_matrix, method, [a[c] for c in CHAINS], closure=closure, names=chain_labels,
                                     row_labels=[f"{r} {y}" for r, y in panel.select("region_code", "year").iter_rows()])
    keys = panel.select("region_code", "region_name", "year")
    combined = np.concatenate([w * a[c] for w, c in zip(w_blocks, CHAINS, strict=True)])
    raw = panel.select([s.key for s in used]).to_numpy()  # type: ignore[assignment]
    closeness = topsis(raw, combined, [s.direction for s in used]).closeness_ if panel.height >= 2 else np.ones(panel.height)
    scores = pl.concat([keys, pl.DataFrame({f"U_{c}": scores_matrix[:, i] for i, c in enumerate(CHAINS)}),
                        coupling.to_frame(lang).drop("row"), pl.DataFrame({"topsis": closeness})], how="horizontal")
    z_all = np.column_stack(z_blocks)
    drivers = (grey_relational(coupling.D, z_all.T, names=[s.key for s in used]).to_frame()
               .rename({"series": "indicator"})
               .join(pl.DataFrame({"indicator": [s.key for s in used], "name": [s.name(lang) for s in used],
                                   "chain": [s.chain for s in used]}), on="indicator")
               .sort("rank"))
    obstacles, chain_obstacles = _obstacles(keys, np.column_stack(z_blocks), np.concatenate(w_blocks), groups, used, a, lang)
    return FourChainResult(
        level=level, method=method, zero_handling=zero_handling, chain_weights=a,
        panel=panel.select("region_code", "region_name", "year", *[s.key for s in used]),
        weights=pl.DataFrame(weight_rows), scores=scores, obstacles=obstacles, chain_obstacles=chain_obstacles,
        drivers=drivers,
        generated_inputs=[n for n in PANEL_TABLES if hub.generated.get(n)], warnings=notes)


def _obstacles(keys: pl.DataFrame, z: np.ndarray, w: np.ndarray, groups: list[str], used: list[IndicatorSpec],
               a: dict[str, float], lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    if z.max(initial=0.0) > 1.0 or z.min(initial=0.0) < 0.0:  # shifted or rescaled z: bring back into [0, 1]
        z = np.clip(z, 0.0, 1.0)
    result = obstacle_degree(z, w, groups, a, names=[s.key for s in used])
    top = result.top_factors(5)
    by_key = {s.key: s for s in used}
    indexed = keys.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    top = top.join(indexed, on="row").with_columns(
        pl.col("indicator").replace_strict({k: s.name(lang) for k, s in by_key.items()}).alias("name"),
        pl.col("subsystem").alias("chain")).select("region_code", "year", "rank", "indicator", "name", "chain", "obstacle")
    chains = result.subsystem_frame().join(indexed, on="row").select(
        "region_code", "year", pl.col("subsystem").alias("chain"), "obstacle")
    return top, chains
