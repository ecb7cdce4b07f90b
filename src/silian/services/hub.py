"""A snapshot of the hub for analysis: every table read once into a frame, with where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from silian.domain.tables import HUB_TABLES
from silian.storage import repository as repo
from silian.storage.database import Database
from silian.storage.platform_posts import read_post_demand

POST_DEMAND_TABLE = "post_demand"  # the key under which a hub snapshot carries the declared demand of open posts


@dataclass(frozen=True)
class HubSnapshot:
    """Hub tables as frames; ``generated[table]`` is True when any of its rows is generated demo data."""

    tables: Mapping[str, pl.DataFrame]
    generated: Mapping[str, bool] = field(default_factory=dict)
    database: str = ""

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    def any_generated(self, *names: str) -> bool:
        """Whether any of the named tables (all tables when none are named) holds generated rows."""
        return any(self.generated.get(n, False) for n in (names or tuple(self.tables)))

    def generated_tables(self) -> list[str]:
        return [n for n, g in self.generated.items() if g]


def load_hub(db: Database) -> HubSnapshot:
    """Read every hub table, and the open talent-demand posts of the demand-sharing platform (declared demand)."""
    tables: dict[str, pl.DataFrame] = {}
    with db.engine.connect() as conn:
        for name in HUB_TABLES:
            tables[name] = repo.read_table(conn, name)
        tables[POST_DEMAND_TABLE] = read_post_demand(conn)
    generated = {n: bool(f.height and f["is_generated"].any()) for n, f in tables.items()}
    return HubSnapshot(tables=tables, generated=generated, database=db.display_url)
