"""Peer cities: GDP and industry structure of the peer and provincial cities, and their
industry-structure score."""

from __future__ import annotations

from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.labels import titled
from silian.services.presentation.table import INT, NUM3, PCT, TEXT, PresentedTable, table_columns


def peers_table(bundle: AnalysisBundle) -> PresentedTable:
    p = bundle.peers
    columns = table_columns(("name", "col_region", TEXT), ("group", "col_group", TEXT), ("gdp", "col_gdp", INT, "亿元"),
                            ("secondary_share", "col_secondary", PCT), ("tertiary_share", "col_tertiary", PCT),
                            ("gdp_growth_5y", "col_growth", PCT), ("industry_score", "col_score", NUM3))
    rows = [(r["name"], t("group_peer") if r["is_peer"] else t("group_province"), r["gdp"], r["secondary_share"],
             r["tertiary_share"], r["gdp_growth_5y"], r.get("industry_score")) for r in p.iter_rows(named=True)]
    marked = frozenset(i for i, focus in enumerate(p["is_focus"].to_list()) if focus) if p.height else frozenset()
    year = int(p["stats_year"][0]) if p.height else bundle.year
    return PresentedTable("peers", titled("tbl_peers", year), columns, rows, marked)


def peer_score_table(bundle: AnalysisBundle) -> PresentedTable:
    full = peers_table(bundle)
    order = sorted(range(len(full.rows)), key=lambda i: -(full.rows[i][6] or 0.0))
    columns = (full.columns[0], full.columns[6])
    return PresentedTable("peer-score", t("tbl_peer_score"), columns, [(full.rows[i][0], full.rows[i][6]) for i in order],
                     frozenset(n for n, i in enumerate(order) if i in full.marked))
