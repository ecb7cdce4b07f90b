"""Every presented table by its id (the id in the dashboard's table and download addresses and in the JSON
API), built as the user may see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from silian.domain.access import Principal
from silian.domain.errors import NotFound
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.counties import counties_table, county_topsis_table, county_u_table
from silian.services.presentation.coupling import (
    benchmarks_table,
    chain_obstacles_table,
    coupling_table,
    drivers_table,
    obstacles_table,
    red_list_table,
    weights_table,
)
from silian.services.presentation.gaps import (
    chain_gaps_table,
    class_gaps_table,
    cut_table,
    gap_cells_table,
    grow_table,
    mismatch_table,
    no_data_table,
)
from silian.services.presentation.outlook import forecast_table, skill_trend_table, skills_table
from silian.services.presentation.pathways import dead_ends_table, funnel_table, pathway_flows
from silian.services.presentation.peers import peer_score_table, peers_table
from silian.services.presentation.postings import (
    posting_classes_table,
    posting_counties_table,
    posting_occupations_table,
    posting_salaries_table,
)
from silian.services.presentation.schools import (
    compliance_table,
    school_fails_table,
    simulations_table,
    small_cohorts_table,
    standard_items_table,
    standards_table,
)
from silian.services.presentation.table import PresentedTable

if TYPE_CHECKING:
    from silian.services.dashboard.extras import DashboardExtras

# tables of the bundle alone (aggregates: open to every role; the principal only marks the user's own county)
BundleBuilder = Callable[[AnalysisBundle, Principal | None], PresentedTable]
BUNDLE_TABLES: dict[str, BundleBuilder] = {
    "coupling": lambda b, p: coupling_table(b), "weights": lambda b, p: weights_table(b),
    "benchmarks": lambda b, p: benchmarks_table(b),
    "drivers": lambda b, p: drivers_table(b), "obstacles": lambda b, p: obstacles_table(b),
    "chain-obstacles": lambda b, p: chain_obstacles_table(b), "red-list": lambda b, p: red_list_table(b),
    "counties": counties_table, "county-u": county_u_table, "county-topsis": county_topsis_table,
    "gap-heatmap": lambda b, p: gap_cells_table(b), "class-gaps": lambda b, p: class_gaps_table(b),
    "chain-gaps": lambda b, p: chain_gaps_table(b), "mismatch": lambda b, p: mismatch_table(b),
    "grow": lambda b, p: grow_table(b), "cut": lambda b, p: cut_table(b), "no-data": lambda b, p: no_data_table(b),
    "funnel": lambda b, p: funnel_table(b), "dead-ends": lambda b, p: dead_ends_table(b),
    "school-fails": lambda b, p: school_fails_table(b), "simulations": lambda b, p: simulations_table(b),
    "small-cohorts": lambda b, p: small_cohorts_table(b),
    "school-standards": lambda b, p: standards_table(b), "school-standard-items": lambda b, p: standard_items_table(b),
    "peers": lambda b, p: peers_table(b), "peer-score": lambda b, p: peer_score_table(b),
    "skills": lambda b, p: skills_table(b), "skill-trend": lambda b, p: skill_trend_table(b),
    "forecast": lambda b, p: forecast_table(b),
}
# tables that also need the dashboard's extras (figures read from the database) or are limited by role
Builder = Callable[[AnalysisBundle, "DashboardExtras", Principal], PresentedTable]


def _without_extras(build: BundleBuilder) -> Builder:
    return lambda b, e, p: build(b, p)


TABLES: dict[str, Builder] = {
    **{key: _without_extras(build) for key, build in BUNDLE_TABLES.items()},
    "pathways": lambda b, e, p: pathway_flows(b, e),
    "school-compliance": lambda b, e, p: compliance_table(b, p, e.region_names),
    "posting-occupations": lambda b, e, p: posting_occupations_table(e),
    "posting-classes": lambda b, e, p: posting_classes_table(b, e),
    "posting-counties": lambda b, e, p: posting_counties_table(e),
    "posting-salaries": lambda b, e, p: posting_salaries_table(e),
}


def build_table(table_id: str, bundle: AnalysisBundle, extras: DashboardExtras, principal: Principal) -> PresentedTable:
    """The table ``table_id`` as ``p`` may see it (NotFound for an unknown id)."""
    builder = TABLES.get(table_id)
    if builder is None:
        raise NotFound(t("dash_unknown_table", name=table_id))
    return builder(bundle, extras, principal)


def bundle_table(table_id: str, bundle: AnalysisBundle, principal: Principal | None = None) -> PresentedTable:
    """A table of the bundle alone (NotFound for an unknown id or one that needs the database)."""
    builder = BUNDLE_TABLES.get(table_id)
    if builder is None:
        raise NotFound(t("dash_unknown_table", name=table_id))
    return builder(bundle, principal)
