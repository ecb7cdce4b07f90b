"""Every chart's table by its id (the id in the table and download addresses), built as the user may see it."""

from __future__ import annotations

from collections.abc import Callable

from silian.domain.access import Principal
from silian.domain.errors import NotFound
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.counties import counties_table, county_topsis_table, county_u_table
from silian.services.dashboard.extras import DashboardExtras
from silian.services.dashboard.gaps import (
    chain_gaps_table,
    cut_table,
    gap_cells_table,
    grow_table,
    mismatch_table,
)
from silian.services.dashboard.overview import (
    chain_obstacles_table,
    coupling_table,
    obstacles_table,
    red_list_table,
)
from silian.services.dashboard.pathways import dead_ends_table, funnel_table, pathway_flows
from silian.services.dashboard.peers import peer_score_table, peers_table
from silian.services.dashboard.postings import (
    posting_classes_table,
    posting_counties_table,
    posting_occupations_table,
    posting_salaries_table,
)
from silian.services.dashboard.schools import (
    compliance_table,
    school_fails_table,
    simulations_table,
    small_cohorts_table,
)
from silian.services.dashboard.table import DataTable

Builder = Callable[[AnalysisBundle, DashboardExtras, Principal], DataTable]
TABLES: dict[str, Builder] = {
    "coupling": lambda b, e, p: coupling_table(b), "obstacles": lambda b, e, p: obstacles_table(b),
    "chain-obstacles": lambda b, e, p: chain_obstacles_table(b), "red-list": lambda b, e, p: red_list_table(b),
    "counties": lambda b, e, p: counties_table(b, p), "county-u": lambda b, e, p: county_u_table(b, p),
    "county-topsis": lambda b, e, p: county_topsis_table(b, p), "gap-heatmap": lambda b, e, p: gap_cells_table(b),
    "chain-gaps": lambda b, e, p: chain_gaps_table(b), "mismatch": lambda b, e, p: mismatch_table(b), "grow": lambda b, e, p: grow_table(b), "cut": lambda b, e, p: cut_table(b),
    "pathways": lambda b, e, p: pathway_flows(b, e), "funnel": lambda b, e, p: funnel_table(b),
    "dead-ends": lambda b, e, p: dead_ends_table(b), "school-fails": lambda b, e, p: school_fails_table(b),
    "school-compliance": lambda b, e, p: compliance_table(b, p, e.region_names),
    "simulations": lambda b, e, p: simulations_table(b), "small-cohorts": lambda b, e, p: small_cohorts_table(b),
    "peers": lambda b, e, p: peers_table(b), "peer-score": lambda b, e, p: peer_score_table(b),
    "posting-occupations": lambda b, e, p: posting_occupations_table(e), "posting-classes": lambda b, e, p: posting_classes_table(b, e),
    "posting-counties": lambda b, e, p: posting_counties_table(e), "posting-salaries": lambda b, e, p: posting_salaries_table(e),
}


def build_table(table_id: str, b: AnalysisBundle, extras: DashboardExtras, p: Principal) -> DataTable:
    """The table behind chart ``table_id`` as ``p`` may see it (NotFound for an unknown id)."""
    builder = TABLES.get(table_id)
    if builder is None:
        raise NotFound(t("dash_unknown_table", name=table_id))
    return builder(b, extras, p)
