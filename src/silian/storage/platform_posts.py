"""SQL of the demand-sharing platform: posts, responses to them, and open talent-demand posts as declared demand."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.storage.platform_schema import posts

# open talent-demand posts read as rows of the hub's ``demand`` table
DEMAND_COLUMNS = {"source": pl.String, "region_code": pl.String, "period": pl.String, "enterprise_credit_code": pl.String,
                  "occupation_code": pl.String, "major_code": pl.String, "skill_level": pl.String, "count": pl.Int64,
                  "is_generated": pl.Boolean}


def read_post_demand(conn: Connection) -> pl.DataFrame:
    """Open talent-demand posts as rows of the hub's ``demand`` table (source ``declared``)."""
    query = (sa.select(posts.c.region_code, posts.c.period, posts.c.enterprise_credit_code, posts.c.occupation_code,
                       posts.c.major_code, posts.c.skill_level, posts.c.count)
             .where(posts.c.kind == "talent_demand", posts.c.status == "open").order_by(posts.c.id))
    rows = [{**r._mapping, "source": "declared", "skill_level": r.skill_level or "不限", "is_generated": False}
            for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=DEMAND_COLUMNS).select(list(DEMAND_COLUMNS))
