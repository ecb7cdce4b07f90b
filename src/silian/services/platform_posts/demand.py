"""Open talent-demand posts as declared demand for the alignment analysis."""

from __future__ import annotations

import polars as pl

from silian.services.hub import POST_DEMAND_TABLE, HubSnapshot
from silian.storage.database import Database
from silian.storage.platform_posts import DEMAND_COLUMNS, read_post_demand

__all__ = ["DEMAND_COLUMNS", "POST_DEMAND_TABLE", "declared_post_demand", "post_demand", "read_post_demand",
           "with_post_demand"]

# ---------------------------------------------------------------- posts as declared demand (alignment)


def post_demand(db: Database) -> pl.DataFrame:
    """:func:`read_post_demand` on its own connection."""
    with db.engine.connect() as conn:
        return read_post_demand(conn)


def declared_post_demand(hub: HubSnapshot) -> pl.DataFrame:
    """The declared demand of open talent-demand posts carried by ``hub`` (empty when the snapshot has none)."""
    frame = hub.tables.get(POST_DEMAND_TABLE)
    return frame if frame is not None else pl.DataFrame(schema=DEMAND_COLUMNS)


def with_post_demand(hub: HubSnapshot, db: Database) -> HubSnapshot:
    """``hub`` plus the open talent-demand posts of ``db`` (under :data:`POST_DEMAND_TABLE`)."""
    return HubSnapshot(tables={**hub.tables, POST_DEMAND_TABLE: post_demand(db)},
                       generated=hub.generated, database=hub.database)
