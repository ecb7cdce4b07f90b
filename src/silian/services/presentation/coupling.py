"""The city's four-chain coupling: C, T, D (two decimals, with D's sensitivity band) and U by year, the indicators
with their benchmarks and weights, the grey relational drivers, the main obstacles, the warning cards and the key
findings of the four diagnoses."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.domain.indicators import CHAINS
from silian.domain.messages import register_messages, t
from silian.services.analysis import AnalysisBundle
from silian.services.four_chains import FourChainResult
from silian.services.presentation.gaps import major_columns, major_rows
from silian.services.presentation.labels import titled
from silian.services.presentation.table import (
    CHAIN,
    INT,
    NUM2,
    NUM3,
    NUM4,
    REASONS,
    TEXT,
    Column,
    PresentedTable,
    chain_label,
    table_columns,
)

register_messages({
    "d_with_band": ("{D}（敏感性区间 {low}–{high}）", "{D} (sensitivity band {low}–{high})"),
    "kind_standard": ("国家标准", "national standard"),
    "kind_plan": ("规划目标", "plan target"),
    "kind_national": ("全国水平", "national level"),
    "kind_peer": ("对标城市分位数", "peer-city quantile"),
    "kind_definition": ("由定义得出", "by definition"),
    "kind_expert": ("专家暂定", "provisional (expert)"),
    "direction_+": ("正向（越大越好）", "positive (larger is better)"),
    "direction_-": ("负向（越小越好）", "negative (smaller is better)"),
})


def _plain(value: object) -> object:
    """A benchmark value as written in the indicator file: thousands separators, no padding zeros (161,615; 2.65)."""
    return f"{value:,.10g}" if isinstance(value, float) else value


def _shown_weights_cell(key: str, value: object) -> object:
    if key == "kind" and value:
        return t(f"kind_{value}")
    if key == "direction" and value in ("+", "-"):
        return t(f"direction_{value}")
    return _plain(value) if key in ("floor", "target") else value


def u_columns(kind: str) -> tuple[Column, ...]:
    """The four chain scores ``U_<chain>``, labelled ``U 教育链`` …"""
    return tuple(Column(f"U_{c}", f"U {chain_label(c)}", kind) for c in CHAINS)


def score_columns(kind: str) -> tuple[Column, ...]:
    """U of every chain, then C, T, D and D's sensitivity band (``D_low``, ``D_high``)."""
    return (*u_columns(kind), *(Column(k, k, kind) for k in ("C", "T", "D")),
            *table_columns(("D_low", "col_d_low", kind), ("D_high", "col_d_high", kind)))


def d_with_band(row: dict[str, Any]) -> str:
    """A row's D with two decimals and its sensitivity band, e.g. ``0.75（敏感性区间 0.73–0.90）``."""
    return t("d_with_band", D=f"{row['D']:.2f}", low=f"{row['D_low']:.2f}", high=f"{row['D_high']:.2f}")


def method_notes(result: FourChainResult) -> list[str]:
    """How the scores were made, in words: the normalisation (with its warnings), the weighting and why, the band."""
    return [*result.warnings, result.weighting_description, str(result.band.get("description", ""))]


def coupling_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = (*table_columns(("year", "col_year", TEXT)), *score_columns(NUM2),
               *table_columns(("level", "col_level", TEXT), ("lag", "col_lag", TEXT)))
    rows = [tuple(r[c.key] for c in columns) for r in bundle.city.scores.iter_rows(named=True)]
    return PresentedTable("coupling", t("tbl_coupling"), columns, rows)


def weights_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("name", "col_indicator", TEXT), ("chain", "col_chain", CHAIN), ("unit", "col_unit", TEXT),
                            ("direction", "col_direction", TEXT), ("floor", "col_floor", TEXT),
                            ("target", "col_target", TEXT), ("kind", "col_benchmark_kind", TEXT),
                            ("weight", "col_indicator_weight", NUM3))
    rows = [tuple(_shown_weights_cell(c.key, r[c.key]) for c in columns) for r in bundle.city.weights.iter_rows(named=True)]
    return PresentedTable("weights", t("tbl_weights"), columns, rows)


def benchmarks_table(bundle: AnalysisBundle) -> PresentedTable:
    """Every indicator's floor and target with where they come from (the release of the indicator file)."""
    columns = table_columns(("name", "col_indicator", TEXT), ("floor", "col_floor", TEXT), ("target", "col_target", TEXT),
                            ("unit", "col_unit", TEXT), ("source", "col_source", TEXT),
                            ("derivation", "col_derivation", TEXT))
    return PresentedTable("benchmarks", t("tbl_benchmarks", release=bundle.city.release or "—"), columns,
                          [tuple(_shown_weights_cell(c.key, r[c.key]) for c in columns)
                           for r in bundle.city.weights.iter_rows(named=True)])


def drivers_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("rank", "col_rank", INT), ("name", "col_indicator", TEXT), ("chain", "col_chain", CHAIN),
                            ("grade", "col_grade", NUM4))
    return PresentedTable("drivers", t("tbl_drivers"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.city.drivers.iter_rows(named=True)])


def latest_coupling_year(bundle: AnalysisBundle) -> int | None:
    """The analysis year's coupling year: the year itself, or the latest complete year before it."""
    years = [int(y) for y in bundle.city.scores["year"].to_list() if y <= bundle.year]
    return max(years) if years else None


def coupling_row(bundle: AnalysisBundle) -> dict[str, Any] | None:
    """The scores of the analysis year's coupling year (:func:`latest_coupling_year`), as the headline shows them."""
    year = latest_coupling_year(bundle)
    rows = bundle.city.scores.filter(pl.col("year") == year)
    return rows.row(0, named=True) if rows.height else None


def obstacles_table(bundle: AnalysisBundle) -> PresentedTable:
    year = latest_coupling_year(bundle)
    top = bundle.city.obstacles.filter(pl.col("year") == year).sort("rank")
    columns = table_columns(("rank", "col_rank", INT), ("name", "col_indicator", TEXT), ("chain", "col_chain", CHAIN),
                            ("obstacle", "col_obstacle", NUM2, "%"))
    return PresentedTable("obstacles", titled("tbl_obstacles", year), columns,
                          [tuple(r[c.key] for c in columns) for r in top.iter_rows(named=True)])


def chain_obstacles_table(bundle: AnalysisBundle) -> PresentedTable:
    year = latest_coupling_year(bundle)
    chains = bundle.city.chain_obstacles.filter(pl.col("year") == year)
    columns = table_columns(("chain", "col_chain", CHAIN), ("obstacle", "col_obstacle", NUM2, "%"))
    return PresentedTable("chain-obstacles", titled("tbl_chain_obstacles", year), columns,
                          list(chains.select("chain", "obstacle").iter_rows()))


def card_counts(bundle: AnalysisBundle) -> dict[str, int]:
    cards = bundle.supply_demand.cards["card"]
    return {c: int((cards == c).sum()) for c in ("red", "yellow", "green", "no_data")}


def red_list_table(bundle: AnalysisBundle) -> PresentedTable:
    red = bundle.supply_demand.cards.filter(pl.col("card") == "red").sort("gap")
    extra = (("reasons", "col_reasons", REASONS),)
    return PresentedTable("red-list", t("tbl_red_list"), major_columns(*extra), major_rows(red, *extra))


def findings(bundle: AnalysisBundle) -> list[tuple[str, list[str]]]:
    """The key findings of the four diagnoses, as (diagnosis key, findings)."""
    return [("pathways", bundle.pathways.findings), ("schools", bundle.schools.findings),
            ("supply", bundle.supply_demand.findings), ("skills", bundle.skills.findings)]
