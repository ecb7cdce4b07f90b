"""The overview tab: the city's four-chain coupling, its main obstacles, the warning cards and the key
findings of the four diagnoses."""

from __future__ import annotations

import polars as pl

from silian.domain.indicators import CHAINS
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.gaps import major_columns, major_rows, reasons_text
from silian.services.dashboard.labels import chain_label, titled
from silian.services.dashboard.table import INT, NUM3, NUM4, TEXT, Column, DataTable, table_columns


def coupling_table(b: AnalysisBundle) -> DataTable:
    s = b.city.scores
    columns = table_columns(("year", "dash_c_year", TEXT), *[(f"U_{c}", "", NUM4) for c in CHAINS], ("C", "", NUM4), ("T", "", NUM4),
                            ("D", "", NUM4), ("level", "dash_c_level", TEXT), ("lag", "dash_c_lag", TEXT))
    columns = tuple(Column(c.key, f"U {chain_label(c.key[2:])}" if c.key.startswith("U_") else (c.label or c.key), c.kind)
                    for c in columns)
    rows = [tuple(r[c.key] for c in columns) for r in s.iter_rows(named=True)]
    return DataTable("coupling", t("dash_t_coupling"), columns, rows)


def latest_coupling_year(b: AnalysisBundle) -> int | None:
    years = b.city.scores["year"]
    return int(years.max()) if len(years) else None  # type: ignore[arg-type]


def obstacles_table(b: AnalysisBundle) -> DataTable:
    year = latest_coupling_year(b)
    top = b.city.obstacles.filter(pl.col("year") == year).sort("rank")
    columns = table_columns(("rank", "dash_c_rank", INT), ("name", "dash_c_indicator", TEXT), ("chain", "dash_c_chain", TEXT),
                            ("obstacle", "dash_c_obstacle", NUM3))
    rows = [(r["rank"], r["name"], chain_label(r["chain"]), r["obstacle"]) for r in top.iter_rows(named=True)]
    return DataTable("obstacles", titled("dash_t_obstacles", year), columns, rows)


def chain_obstacles_table(b: AnalysisBundle) -> DataTable:
    year = latest_coupling_year(b)
    chains = b.city.chain_obstacles.filter(pl.col("year") == year)
    columns = table_columns(("chain", "dash_c_chain", TEXT), ("obstacle", "dash_c_obstacle", NUM3))
    return DataTable("chain-obstacles", titled("dash_t_chain_obstacles", year), columns,
                     [(chain_label(c), o) for c, o in chains.select("chain", "obstacle").iter_rows()])


def card_counts(b: AnalysisBundle) -> dict[str, int]:
    cards = b.supply_demand.cards["card"]
    return {c: int((cards == c).sum()) for c in ("red", "yellow", "green")}


def red_list_table(b: AnalysisBundle) -> DataTable:
    red = b.supply_demand.cards.filter(pl.col("card") == "red").sort("gap")
    return DataTable("red-list", t("dash_t_red_list"), major_columns(("reasons", "dash_c_reasons", TEXT)),
                     major_rows(red, reasons_text))


def findings(b: AnalysisBundle) -> list[tuple[str, list[str]]]:
    """The key findings of the four diagnoses, as (diagnosis key, findings)."""
    return [("pathways", b.pathways.findings), ("schools", b.schools.findings),
            ("supply", b.supply_demand.findings), ("skills", b.skills.findings)]
