"""Pathways: where the analysis year's graduates went (the Sankey's flows), the pathway funnel by year and the
dead-end majors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import INT, LIST, PCT, TEXT, PresentedTable, table_columns

if TYPE_CHECKING:
    from silian.services.dashboard.extras import DashboardExtras

SANKEY_TARGETS = ("node_sec_up", "node_work", "node_other", "node_asc_up")  # top to bottom
FUNNEL_SERIES = ("secondary_graduates", "secondary_continued", "associate_enrolment", "bachelor_enrolment")  # the chart's lines


def pathway_flows(bundle: AnalysisBundle, extras: DashboardExtras) -> PresentedTable:
    """The Sankey's links for the analysis year: 中职 and 高职专科 graduates → continuing / employed / other.
    Graduates and continuing come from the pathway funnel; employed from the same year's major points."""
    now = bundle.pathways.funnel.filter(pl.col("year") == bundle.year)
    funnel = now.row(0, named=True) if now.height else {}
    rows: list[tuple[Any, ...]] = []
    for level, source, up in (("secondary", "node_sec", "node_sec_up"), ("associate", "node_asc", "node_asc_up")):
        graduates = int(funnel.get(f"{level}_graduates") or 0)
        continued = int(funnel.get(f"{level}_continued") or 0)
        employed = min(extras.destinations.get(level, {}).get("employed", 0), max(graduates - continued, 0))
        other = max(graduates - continued - employed, 0)
        rows += [(t(source), t(target), value) for target, value in ((up, continued), ("node_work", employed),
                                                                     ("node_other", other)) if value > 0]
    columns = table_columns(("source", "col_from", TEXT), ("target", "col_to", TEXT), ("value", "col_people", INT, "人"))
    return PresentedTable("pathways", t("tbl_pathways", year=bundle.year), columns, rows)


def funnel_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(
        ("year", "col_year", TEXT),
        ("secondary_graduates", "col_sec_grads", INT, "人"),
        ("secondary_continued", "col_sec_cont", INT, "人"),
        ("secondary_progression_rate", "col_sec_rate", PCT),
        ("associate_enrolment", "col_asc_enrol", INT, "人"),
        ("associate_graduates", "col_asc_grads", INT, "人"),
        ("associate_continued", "col_asc_cont", INT, "人"),
        ("bachelor_enrolment", "col_bach_enrol", INT, "人"),
    )
    return PresentedTable("funnel", t("tbl_funnel"), columns,
                          [tuple(r[c.key] for c in columns) for r in bundle.pathways.funnel.iter_rows(named=True)])


def dead_ends_table(bundle: AnalysisBundle) -> PresentedTable:
    dead = bundle.pathways.seats.filter(pl.col("dead_end"))
    columns = table_columns(
        ("major_code", "col_code", TEXT),
        ("major_name", "col_major", TEXT),
        ("graduates", "col_graduates", INT, "人"),
        ("continuing", "col_continuing", INT, "人"),
        ("missing_seats", "col_missing", INT, "人"),
        ("targets_not_offered", "col_targets", LIST),
    )
    rows = [(r["major_code"], r["major_name"] or "", r["graduates"], r["continuing"], r["missing_seats"],
             tuple(r["targets_not_offered"] or ())) for r in dead.iter_rows(named=True)]
    return PresentedTable("dead-ends", t("tbl_dead_ends"), columns, rows)
