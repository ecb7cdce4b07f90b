"""The pathways tab: where the analysis year's graduates went (the Sankey), the pathway funnel by year and
the dead-end majors."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.extras import DashboardExtras
from silian.services.dashboard.table import INT, PCT, TEXT, DataTable, table_columns


def pathway_flows(b: AnalysisBundle, extras: DashboardExtras) -> DataTable:
    """The Sankey's links for the analysis year: 中职 and 高职专科 graduates → continuing / employed / other.
    Graduates and continuing come from the pathway funnel; employed from the same year's major points."""
    now = b.pathways.funnel.filter(pl.col("year") == b.year)
    funnel = now.row(0, named=True) if now.height else {}
    rows: list[tuple[Any, ...]] = []
    for level, source, up in (("secondary", "dash_node_sec", "dash_node_sec_up"), ("associate", "dash_node_asc", "dash_node_asc_up")):
        graduates = int(funnel.get(f"{level}_graduates") or 0)
        continued = int(funnel.get(f"{level}_continued") or 0)
        employed = min(extras.destinations.get(level, {}).get("employed", 0), max(graduates - continued, 0))
        other = max(graduates - continued - employed, 0)
        rows += [(t(source), t(target), value) for target, value in ((up, continued), ("dash_node_work", employed),
                                                                     ("dash_node_other", other)) if value > 0]
    columns = table_columns(("source", "dash_c_from", TEXT), ("target", "dash_c_to", TEXT), ("value", "dash_c_people", INT))
    return DataTable("pathways", t("dash_t_pathways", year=b.year), columns, rows)


def funnel_table(b: AnalysisBundle) -> DataTable:
    f = b.pathways.funnel
    spec = [("year", "dash_c_year", TEXT), ("secondary_graduates", "dash_c_sec_grads", INT),
            ("secondary_continued", "dash_c_sec_cont", INT), ("secondary_progression_rate", "dash_c_sec_rate", PCT),
            ("associate_enrolment", "dash_c_asc_enrol", INT), ("associate_graduates", "dash_c_asc_grads", INT),
            ("associate_continued", "dash_c_asc_cont", INT), ("bachelor_enrolment", "dash_c_bach_enrol", INT)]
    columns = table_columns(*spec)
    return DataTable("funnel", t("dash_t_funnel"), columns, [tuple(r[c.key] for c in columns) for r in f.iter_rows(named=True)])


def dead_ends_table(b: AnalysisBundle) -> DataTable:
    dead = b.pathways.seats.filter(pl.col("dead_end"))
    columns = table_columns(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("graduates", "dash_c_graduates", INT),
                            ("continuing", "dash_c_continuing", INT), ("missing", "dash_c_missing", INT),
                            ("targets", "dash_c_targets", TEXT))
    rows = [(r["major_code"], r["major_name"] or "", r["graduates"], r["continuing"], r["missing_seats"],
             t("list_joiner").join(r["targets_not_offered"] or [])) for r in dead.iter_rows(named=True)]
    return DataTable("dead-ends", t("dash_t_dead_ends"), columns, rows)
