"""Open talent-demand posts as declared demand for the alignment analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import sqlalchemy as sa

from silian.services.platform_posts.rules import DEMAND_COLUMNS, POST_DEMAND_TABLE
from silian.storage.database import Database
from silian.storage.platform_schema import posts

if TYPE_CHECKING:
    from silian.services.hub import HubSnapshot

# ---------------------------------------------------------------- posts as declared demand (alignment)

def read_post_demand(conn: sa.Connection) -> pl.DataFrame:
    """Open talent-demand posts as rows of the hub's ``demand`` table (source ``declared``)."""
    query = (sa.select(posts.c.region_code, posts.c.period, posts.c.enterprise_credit_code, posts.c.occupation_code,
                       posts.c.major_code, posts.c.skill_level, posts.c.count)
             .where(posts.c.kind == "talent_demand", posts.c.status == "open").order_by(posts.c.id))
    rows = [{**r._mapping, "source": "declared", "skill_level": r.skill_level or "不限", "is_generated": False}
            for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=DEMAND_COLUMNS).select(list(DEMAND_COLUMNS))


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
    from silian.services.hub import HubSnapshot
    return HubSnapshot(tables={**hub.tables, POST_DEMAND_TABLE: post_demand(db)},
                       generated=hub.generated, database=hub.database)


