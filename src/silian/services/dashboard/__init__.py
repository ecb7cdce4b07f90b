"""What the dashboard reads besides the analysis bundle: figures of the analysis year read once per bundle
(:func:`extras_for`) — who offers each major, graduates' destinations by level, region names, the crosswalk
weight of each major per key chain and the posting-sourced demand. Its tables, charts and downloads are the
presenter's (:mod:`silian.services.presentation`)."""

from silian.services.dashboard.extras import (
    LEVEL_KEY,
    DashboardExtras,
    PostingDemand,
    extras_for,
    read_extras,
    read_posting_demand,
)

__all__ = ["LEVEL_KEY", "DashboardExtras", "PostingDemand", "extras_for", "read_extras", "read_posting_demand"]
