"""View models of the dashboard: the table behind every chart (shown under the chart and downloaded as CSV or
Excel), the supply–demand gap drill-down, the pathway flows of the Sankey and the role-limited school table.

Everything is built from the cached :class:`AnalysisBundle` plus a few figures of the analysis year read once
per bundle (:func:`extras_for`): who offers each major, graduates' destinations by level, region names.
One module per dashboard tab (``overview``, ``counties``, ``gaps``, ``pathways``, ``schools``, ``peers``,
``postings``); ``table`` and ``labels`` are what they share, ``registry`` finds a chart's table by its id and
``downloads`` writes it as a file.
"""

from silian.services.dashboard.counties import counties_table, county_topsis_table, county_u_table
from silian.services.dashboard.downloads import export_value, to_csv, to_xlsx
from silian.services.dashboard.extras import (
    LEVEL_KEY,
    DashboardExtras,
    PostingDemand,
    extras_for,
    read_extras,
    read_posting_demand,
)
from silian.services.dashboard.gaps import (
    chain_gaps_table,
    cut_table,
    gap_cell,
    gap_cells_table,
    grow_table,
    mismatch_table,
)
from silian.services.dashboard.labels import card_label, chain_label, level_label
from silian.services.dashboard.overview import (
    card_counts,
    chain_obstacles_table,
    coupling_table,
    findings,
    latest_coupling_year,
    obstacles_table,
    red_list_table,
)
from silian.services.dashboard.pathways import dead_ends_table, funnel_table, pathway_flows
from silian.services.dashboard.peers import peer_score_table, peers_table
from silian.services.dashboard.postings import (
    POSTING_TOP,
    posting_classes_table,
    posting_counties_table,
    posting_occupations_table,
    posting_salaries_table,
)
from silian.services.dashboard.registry import TABLES, Builder, build_table
from silian.services.dashboard.schools import (
    check_keys,
    compliance_table,
    may_see_schools,
    school_fails_table,
    simulations_table,
    small_cohorts_table,
)
from silian.services.dashboard.table import INT, NUM3, NUM4, PCT, PCT_POINTS, TEXT, Column, DataTable

__all__ = [
    "INT", "LEVEL_KEY", "NUM3", "NUM4", "PCT", "PCT_POINTS", "POSTING_TOP", "TABLES", "TEXT",
    "Builder", "Column", "DashboardExtras", "DataTable", "PostingDemand",
    "build_table", "card_counts", "card_label", "chain_gaps_table", "chain_label", "chain_obstacles_table",
    "check_keys", "compliance_table", "counties_table", "county_topsis_table", "county_u_table", "coupling_table",
    "cut_table", "dead_ends_table", "export_value", "extras_for", "findings", "funnel_table", "gap_cell",
    "gap_cells_table", "grow_table", "latest_coupling_year", "level_label", "may_see_schools", "mismatch_table",
    "obstacles_table", "pathway_flows", "peer_score_table", "peers_table", "posting_classes_table",
    "posting_counties_table", "posting_occupations_table", "posting_salaries_table", "read_extras",
    "read_posting_demand", "red_list_table", "school_fails_table", "simulations_table", "small_cohorts_table",
    "to_csv", "to_xlsx",
]
