"""Supply–demand gaps: the class × key-chain cells and their drill-down, gaps by major class and by chain, the
mismatch indices over time and the majors to grow or to cut."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from silian.domain.errors import NotFound
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import (
    CARD,
    GAP_RATIO,
    INT,
    LEVEL,
    NUM3,
    PCT,
    REASONS,
    TEXT,
    Column,
    PresentedTable,
    level_label,
    table_columns,
)

if TYPE_CHECKING:
    from silian.services.dashboard.extras import DashboardExtras

GAP_COLUMNS = (("supply", "col_supply", INT, "人/年"), ("demand", "col_demand", INT, "人/年"), ("gap", "col_gap", INT, "人/年"),
               ("gap_ratio", "col_gap_ratio", GAP_RATIO))


def major_columns(*extra: tuple[str, str, str]) -> tuple[Column, ...]:
    """A major's code, name and level, its supply, demand, gap and gap ratio, then ``extra`` columns."""
    return table_columns(
        ("major_code", "col_code", TEXT),
        ("major_name", "col_major", TEXT),
        ("level_key", "col_major_level", LEVEL),
        *GAP_COLUMNS,
        *extra,
    )


def major_rows(frame: pl.DataFrame, *extra: tuple[str, str, str]) -> list[tuple[Any, ...]]:
    keys = ["major_code", "major_name", "level_key", "supply", "demand", "gap", "gap_ratio", *[e[0] for e in extra]]
    return [tuple(r.get(k) if k != "major_name" else r[k] or "" for k in keys) for r in frame.iter_rows(named=True)]


def gap_cells_table(bundle: AnalysisBundle) -> PresentedTable:
    """Every class × chain cell, classes ordered by their total absolute gap (the heatmap's rows)."""
    heat = bundle.supply_demand.by_class_chain
    columns = table_columns(("class_name", "col_class", TEXT), ("level_key", "col_major_level", LEVEL),
                            ("chain", "col_key_chain", TEXT), *GAP_COLUMNS)
    if heat.height == 0:
        return PresentedTable("gap-heatmap", t("tbl_gap_heatmap"), columns, [])
    size = heat.group_by("class_code").agg(pl.col("gap").abs().sum().alias("_size"))
    ordered = heat.join(size, on="class_code").sort(["_size", "class_code", "chain"], descending=[True, False, False])
    rows = [tuple(r[c.key] for c in columns) for r in ordered.iter_rows(named=True)]
    links = [{"class_code": c, "chain": ch} for c, ch in ordered.select("class_code", "chain").iter_rows()]
    return PresentedTable("gap-heatmap", t("tbl_gap_heatmap"), columns, rows, links=links)


def class_gaps_table(bundle: AnalysisBundle, each: int = 8) -> PresentedTable:
    """The ``each`` major classes with the largest shortage and the ``each`` with the largest surplus, by gap."""
    classes = bundle.supply_demand.by_class.filter(pl.col("supply") + pl.col("demand") > 0)
    shown = (pl.concat([classes.sort("gap").head(each), classes.sort("gap", descending=True).head(each)])
             .unique("class_code", keep="first").sort("gap"))
    columns = table_columns(("class_code", "col_code", TEXT), ("class_name", "col_class", TEXT),
                            ("level_key", "col_major_level", LEVEL), *GAP_COLUMNS)
    rows = [tuple(r[c.key] for c in columns) for r in shown.iter_rows(named=True)]
    return PresentedTable("class-gaps", t("tbl_class_gaps"), columns, rows)


def chain_gaps_table(bundle: AnalysisBundle) -> PresentedTable:
    chains = bundle.supply_demand.by_chain.sort("gap")
    columns = table_columns(("chain", "col_key_chain", TEXT), *GAP_COLUMNS)
    return PresentedTable("chain-gaps", t("tbl_chain_gaps"), columns,
                          [tuple(r[c.key] for c in columns) for r in chains.iter_rows(named=True)])


def mismatch_table(bundle: AnalysisBundle) -> PresentedTable:
    m = bundle.supply_demand.mismatch_trend
    columns = (*table_columns(("year", "col_year", TEXT)), Column("duncan", "Duncan", NUM3), Column("sahin", "Şahin", NUM3),
               *table_columns(("supply", "col_supply", INT, "人/年"), ("demand", "col_demand", INT, "人/年"),
                              ("status", "col_data_status", TEXT)))
    rows = [{**r, "status": t("data_provisional" if r.get("provisional") else "data_complete")} for r in m.iter_rows(named=True)]
    return PresentedTable("mismatch", t("tbl_mismatch"), columns, [tuple(r[c.key] for c in columns) for r in rows])


def grow_table(bundle: AnalysisBundle) -> PresentedTable:
    extra = (("related_rate", "col_related", PCT),)
    return PresentedTable("grow", t("tbl_grow"), major_columns(*extra), major_rows(bundle.supply_demand.grow, *extra))


def cut_table(bundle: AnalysisBundle) -> PresentedTable:
    extra = (("related_rate", "col_related", PCT), ("card", "col_card", CARD), ("reasons", "col_reasons", REASONS))
    return PresentedTable("cut", t("tbl_cut"), major_columns(*extra), major_rows(bundle.supply_demand.cut, *extra))


def no_data_table(bundle: AnalysisBundle) -> PresentedTable:
    """The offered majors without demand evidence from any source: no card, no cut; what data would fix it."""
    frame = bundle.supply_demand.no_data
    columns = table_columns(("major_code", "col_code", TEXT), ("major_name", "col_major", TEXT),
                            ("level_key", "col_major_level", LEVEL), ("supply", "col_supply", INT, "人/年"),
                            ("industry_names", "col_industries", TEXT), ("fix", "col_fix", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["level_key"], r["supply"],
             t("list_joiner").join(n for n in (r["industry_names"] or [])[:3] if n), r["fix"] or "")
            for r in frame.iter_rows(named=True)] if frame.height else []
    return PresentedTable("no-data", t("tbl_no_data"), columns, rows)


def gap_cell(bundle: AnalysisBundle, extras: DashboardExtras, class_code: str, chain: str) -> tuple[PresentedTable, dict[str, list[str]]]:
    """The drill-down of one heatmap cell: the majors of ``class_code`` carried into ``chain`` (their share
    of supply, demand and gap by the crosswalk weight), with their card, and the schools offering each in the
    analysis year. Returns the table and, per major code, the names of its schools."""
    cell = bundle.supply_demand.by_class_chain.filter((pl.col("class_code") == class_code) & (pl.col("chain") == chain))
    if cell.height == 0:
        raise NotFound(t("dash_unknown_cell", cls=class_code, chain=chain))
    majors = (bundle.supply_demand.by_major.filter(pl.col("class_code") == class_code)
              .join(extras.chain_weights.filter(pl.col("chain") == chain), on="major_code")
              .join(bundle.supply_demand.cards.select("major_code", "card"), on="major_code", how="left")
              .with_columns((pl.col("supply") * pl.col("weight")).alias("supply_in"),
                            (pl.col("demand") * pl.col("weight")).alias("demand_in"))
              .with_columns((pl.col("demand_in") - pl.col("supply_in")).alias("gap_in"))
              .filter((pl.col("supply_in") > 0) | (pl.col("demand_in") > 0))
              .sort(pl.col("gap_in").abs(), "major_code", descending=[True, False]))
    codes = majors["major_code"].to_list()
    offered = extras.offerings.filter(pl.col("major_code").is_in(codes))
    schools = {code: offered.filter(pl.col("major_code") == code)["school_name"].to_list() for code in codes}
    columns = table_columns(("major_code", "col_code", TEXT), ("major_name", "col_major", TEXT), ("weight", "col_weight", PCT),
                            ("supply", "col_supply", INT, "人/年"), ("demand", "col_demand", INT, "人/年"),
                            ("gap", "col_gap", INT, "人/年"), ("card", "col_card", CARD), ("schools", "col_schools", INT),
                            ("school_list", "col_school_list", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["weight"], r["supply_in"], r["demand_in"], r["gap_in"], r["card"],
             len(schools[r["major_code"]]), t("list_joiner").join(schools[r["major_code"]]))
            for r in majors.iter_rows(named=True)]
    head = cell.row(0, named=True)
    title = t("tbl_cell", cls=f"{head['class_name']}（{level_label(head['level_key'])}）", chain=chain)
    return PresentedTable("gap-cell", title, columns, rows), schools
