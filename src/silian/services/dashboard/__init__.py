"""What the dashboard reads besides the analysis bundle: figures of the analysis year read once per bundle
(:func:`extras_for`) — who offers each major, graduates' destinations by level, region names, the crosswalk
weight of each major per key chain and the posting-sourced demand — and the regions a user may choose
(:func:`region_choices`, :func:`default_region`). Its tables, charts and downloads are the presenter's
(:mod:`silian.services.presentation`)."""

from silian.services.dashboard.extras import (
    LEVEL_KEY,
    DashboardExtras,
    PostingDemand,
    extras_for,
    read_extras,
    read_posting_demand,
)
from silian.services.dashboard.regions import (
    CityChoice,
    RegionChoice,
    default_region,
    english_region_name,
    known_region,
    parent_region,
    region_choices,
    region_names,
)

__all__ = ["LEVEL_KEY", "CityChoice", "DashboardExtras", "PostingDemand", "RegionChoice", "default_region",
           "english_region_name", "extras_for", "known_region", "parent_region", "read_extras",
           "read_posting_demand", "region_choices", "region_names"]
