"""The city's four-chain coupling: C, T, D and U by year, the indicators with their entropy weights, the grey
relational drivers, the main obstacles, the warning cards and the key findings of the four diagnoses."""

from __future__ import annotations

import polars as pl

from silian.domain.indicators import CHAINS
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.gaps import major_columns, major_rows
from silian.services.presentation.labels import titled
from silian.services.presentation.table import (
    CHAIN,
    INT,
    NUM2,
    NUM4,
    REASONS,
    TEXT,
    Column,
    PresentedTable,
    chain_label,
    table_columns,
)


def u_columns(kind: str) -> tuple[Column, ...]:
    """The four chain scores ``U_<chain>``, labelled ``U 教育链`` …"""
    return tuple(Column(f"U_{c}", f"U {chain_label(c)}", kind) for c in CHAINS)


def score_columns(kind: str) -> tuple[Column, ...]:
    """U of every chain, then C, T and D."""
    return (*u_columns(kind), *(Column(k, k, kind) for k in ("C", "T", "D")))


def coupling_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = (*table_columns(("year", "col_year", TEXT)), *score_columns(NUM4),
               *table_columns(("level", "col_level", TEXT), ("lag", "col_lag", TEXT)))
    rows = [tuple(r[c.key] for c in columns) for r in bundle.city.scores.iter_rows(named=True)]
    return PresentedTable("coupling", t("tbl_coupling"), columns, rows)


def weights_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("name", "col_indicator", TEXT), ("chain", "col_chain", CHAIN), ("unit", "col_unit", TEXT),
                            ("direction", "col_direction", TEXT), ("weight", "col_entropy_weight", NUM4))
    return PresentedTable("weights", t("tbl_weights"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.city.weights.iter_rows(named=True)])


def drivers_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("rank", "col_rank", INT), ("name", "col_indicator", TEXT), ("chain", "col_chain", CHAIN),
                            ("grade", "col_grade", NUM4))
    return PresentedTable("drivers", t("tbl_drivers"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.city.drivers.iter_rows(named=True)])


def latest_coupling_year(bundle: AnalysisBundle) -> int | None:
    years = bundle.city.scores["year"]
    return int(years.max()) if len(years) else None  # type: ignore[arg-type]


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
