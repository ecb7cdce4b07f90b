"""The supply–demand gaps tab: the class × key-chain heatmap and its drill-down, gaps by chain, the mismatch
indices over time and the majors to grow or to cut."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from silian.domain.errors import NotFound
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.extras import DashboardExtras
from silian.services.dashboard.labels import card_label, level_label
from silian.services.dashboard.table import INT, NUM3, PCT, TEXT, Column, DataTable, table_columns


def major_columns(*extra: tuple[str, str, str]) -> tuple[Column, ...]:
    return table_columns(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT),
                         ("level", "dash_c_major_level", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                         ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT), *extra)


def major_rows(frame: pl.DataFrame, *extra: Callable[[dict[str, Any]], Any]) -> list[tuple[Any, ...]]:
    return [(r["major_code"], r["major_name"] or "", level_label(r["level_key"]), r["supply"], r["demand"], r["gap"],
             r["gap_ratio"], *[f(r) for f in extra]) for r in frame.iter_rows(named=True)]


def reasons_text(r: dict[str, Any]) -> str:
    return t("list_joiner").join(t(f"dash_reason_{k}") for k in r.get("reasons") or [])


def gap_cells_table(b: AnalysisBundle) -> DataTable:
    """Every class × chain cell, classes ordered by their total absolute gap (the heatmap's rows)."""
    heat = b.supply_demand.by_class_chain
    columns = table_columns(("class_name", "dash_c_class", TEXT), ("level", "dash_c_major_level", TEXT),
                            ("chain", "dash_c_key_chain", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                            ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT))
    if heat.height == 0:
        return DataTable("gap-heatmap", t("dash_t_gap_heatmap"), columns, [])
    size = heat.group_by("class_code").agg(pl.col("gap").abs().sum().alias("_size"))
    ordered = heat.join(size, on="class_code").sort(["_size", "class_code", "chain"], descending=[True, False, False])
    rows = [(r["class_name"], level_label(r["level_key"]), r["chain"], r["supply"], r["demand"], r["gap"], r["gap_ratio"])
            for r in ordered.iter_rows(named=True)]
    links = [{"class_code": c, "chain": ch} for c, ch in ordered.select("class_code", "chain").iter_rows()]
    return DataTable("gap-heatmap", t("dash_t_gap_heatmap"), columns, rows, links=links)


def chain_gaps_table(b: AnalysisBundle) -> DataTable:
    chains = b.supply_demand.by_chain.sort("gap")
    columns = table_columns(("chain", "dash_c_key_chain", TEXT), ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT),
                            ("gap", "dash_c_gap", INT), ("gap_ratio", "dash_c_gap_ratio", PCT))
    return DataTable("chain-gaps", t("dash_t_chain_gaps"), columns,
                     [tuple(r[c.key] for c in columns) for r in chains.iter_rows(named=True)])


def mismatch_table(b: AnalysisBundle) -> DataTable:
    m = b.supply_demand.mismatch_trend
    columns = table_columns(("year", "dash_c_year", TEXT), ("duncan", "", NUM3), ("sahin", "", NUM3), ("supply", "dash_c_supply", INT),
                            ("demand", "dash_c_demand", INT))
    columns = tuple(Column(c.key, c.label or {"duncan": "Duncan", "sahin": "Şahin"}[c.key], c.kind) for c in columns)
    return DataTable("mismatch", t("dash_t_mismatch"), columns, [tuple(r.values()) for r in m.select(
        "year", "duncan", "sahin", "supply", "demand").iter_rows(named=True)])


def grow_table(b: AnalysisBundle) -> DataTable:
    return DataTable("grow", t("dash_t_grow"), major_columns(("related", "dash_c_related", PCT)),
                     major_rows(b.supply_demand.grow, lambda r: r.get("related_rate")))


def cut_table(b: AnalysisBundle) -> DataTable:
    return DataTable("cut", t("dash_t_cut"), major_columns(("related", "dash_c_related", PCT), ("reasons", "dash_c_reasons", TEXT)),
                     major_rows(b.supply_demand.cut, lambda r: r.get("related_rate"), reasons_text))


def gap_cell(b: AnalysisBundle, extras: DashboardExtras, class_code: str, chain: str) -> tuple[DataTable, dict[str, list[str]]]:
    """The drill-down of one heatmap cell: the majors of ``class_code`` carried into ``chain`` (their share
    of supply, demand and gap by the crosswalk weight), with their card, and the schools offering each in the
    analysis year. Returns the table and, per major code, the names of its schools."""
    cell = b.supply_demand.by_class_chain.filter((pl.col("class_code") == class_code) & (pl.col("chain") == chain))
    if cell.height == 0:
        raise NotFound(t("dash_unknown_cell", cls=class_code, chain=chain))
    majors = (b.supply_demand.by_major.filter(pl.col("class_code") == class_code)
              .join(extras.chain_weights.filter(pl.col("chain") == chain), on="major_code")
              .join(b.supply_demand.cards.select("major_code", "card"), on="major_code", how="left")
              .with_columns((pl.col("supply") * pl.col("weight")).alias("supply_in"),
                            (pl.col("demand") * pl.col("weight")).alias("demand_in"))
              .with_columns((pl.col("demand_in") - pl.col("supply_in")).alias("gap_in"))
              .filter((pl.col("supply_in") > 0) | (pl.col("demand_in") > 0))
              .sort(pl.col("gap_in").abs(), "major_code", descending=[True, False]))
    codes = majors["major_code"].to_list()
    offered = extras.offerings.filter(pl.col("major_code").is_in(codes))
    schools = {code: offered.filter(pl.col("major_code") == code)["school_name"].to_list() for code in codes}
    columns = table_columns(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("weight", "dash_c_weight", PCT),
                            ("supply", "dash_c_supply", INT), ("demand", "dash_c_demand", INT), ("gap", "dash_c_gap", INT),
                            ("card", "dash_c_card", TEXT), ("schools", "dash_c_schools", INT),
                            ("school_list", "dash_c_school_list", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["weight"], r["supply_in"], r["demand_in"], r["gap_in"], card_label(r["card"]),
             len(schools[r["major_code"]]), t("list_joiner").join(schools[r["major_code"]]))
            for r in majors.iter_rows(named=True)]
    head = cell.row(0, named=True)
    title = t("dash_t_cell", cls=f"{head['class_name']}（{level_label(head['level_key'])}）", chain=chain)
    return DataTable("gap-cell", title, columns, rows), schools
