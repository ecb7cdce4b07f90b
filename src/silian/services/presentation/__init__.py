"""One presenter layer: the analysis bundle becomes named tables once — columns with a key (the JSON field
name), a label (one message key, zh-CN and English), a unit and a kind that says how a value is shown — with
raw rows and the series of its charts. The dashboard (table, chart, CSV and Excel download), the HTML/PDF
report and the JSON API all render these objects, so a chart, its table, its download and the API can never
disagree.

One module per subject (``coupling``, ``counties``, ``gaps``, ``pathways``, ``schools``, ``peers``, ``outlook``,
``postings``); ``table`` (the table, its columns and how values are shown) and ``labels`` (every word) are what
they share; ``registry`` finds a table by its id, ``export`` writes it as CSV or Excel and ``summary`` is the
plain-data view of the whole analysis.
"""

from silian.services.presentation.counties import counties_table, county_topsis_table, county_u_table
from silian.services.presentation.coupling import (
    card_counts,
    chain_obstacles_table,
    coupling_table,
    drivers_table,
    findings,
    latest_coupling_year,
    obstacles_table,
    red_list_table,
    weights_table,
)
from silian.services.presentation.export import to_csv, to_xlsx
from silian.services.presentation.gaps import (
    chain_gaps_table,
    class_gaps_table,
    cut_table,
    gap_cell,
    gap_cells_table,
    grow_table,
    mismatch_table,
)
from silian.services.presentation.outlook import (
    forecast_table,
    openings_series,
    skill_trend_table,
    skills_table,
)
from silian.services.presentation.pathways import (
    FUNNEL_SERIES,
    SANKEY_TARGETS,
    dead_ends_table,
    funnel_table,
    pathway_flows,
)
from silian.services.presentation.peers import peer_score_table, peers_table
from silian.services.presentation.postings import (
    POSTING_TOP,
    posting_classes_table,
    posting_counties_table,
    posting_occupations_table,
    posting_salaries_table,
)
from silian.services.presentation.registry import BUNDLE_TABLES, TABLES, Builder, build_table, bundle_table
from silian.services.presentation.schools import (
    check_keys,
    compliance_table,
    may_see_schools,
    noncompliant_table,
    school_fails_table,
    simulations_table,
    small_cohorts_table,
)
from silian.services.presentation.summary import bundle_summary, presented_tables
from silian.services.presentation.table import (
    CARD,
    CHAIN,
    CHECK,
    INT,
    LEVEL,
    LIST,
    NUM2,
    NUM3,
    NUM4,
    PCT,
    PCT_POINTS,
    REASONS,
    TEXT,
    Column,
    DataTable,
    PresentedTable,
    card_label,
    chain_label,
    export_value,
    heatmap,
    level_label,
    num,
    pct,
    show,
    whole,
)

__all__ = [
    "BUNDLE_TABLES", "CARD", "CHAIN", "CHECK", "FUNNEL_SERIES", "INT", "LEVEL", "LIST", "NUM2", "NUM3", "NUM4", "PCT", "PCT_POINTS",
    "POSTING_TOP", "REASONS", "SANKEY_TARGETS", "TABLES", "TEXT",
    "Builder", "Column", "DataTable", "PresentedTable",
    "build_table", "bundle_summary", "bundle_table", "card_counts", "card_label", "chain_gaps_table", "chain_label",
    "chain_obstacles_table", "check_keys", "class_gaps_table", "compliance_table", "counties_table", "county_topsis_table",
    "county_u_table", "coupling_table", "cut_table", "dead_ends_table", "drivers_table", "export_value", "findings",
    "forecast_table", "funnel_table", "gap_cell", "gap_cells_table", "grow_table", "heatmap", "latest_coupling_year",
    "level_label", "may_see_schools", "mismatch_table", "noncompliant_table", "num", "obstacles_table", "openings_series",
    "pathway_flows", "pct", "peer_score_table", "peers_table", "posting_classes_table", "posting_counties_table",
    "posting_occupations_table", "posting_salaries_table", "presented_tables", "red_list_table", "school_fails_table",
    "show", "simulations_table", "skill_trend_table", "skills_table", "small_cohorts_table", "to_csv", "to_xlsx",
    "weights_table", "whole",
]
