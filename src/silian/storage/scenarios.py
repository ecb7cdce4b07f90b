"""SQL of saved scenarios (table ``scenarios``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.storage.platform_schema import scenarios


@dataclass(frozen=True)
class ScenarioRow:
    """A stored scenario; ``spec`` is the JSON text."""

    id: int
    region_code: str
    name: str
    kind: str
    spec: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime


def _row(r: Any) -> ScenarioRow:
    return ScenarioRow(**{c.name: getattr(r, c.name) for c in scenarios.columns})


def _visible(regions: list[str] | None) -> sa.Select[Any]:
    query = sa.select(scenarios).order_by(scenarios.c.id)
    return query if regions is None else query.where(scenarios.c.region_code.in_(regions))


def list_scenarios(conn: Connection, *, regions: list[str] | None = None) -> list[ScenarioRow]:
    """Every scenario (of the given regions only, when given), oldest first."""
    return [_row(r) for r in conn.execute(_visible(regions))]


def find_scenario(conn: Connection, ident: int | str, *, regions: list[str] | None = None) -> ScenarioRow | None:
    """A scenario by id (int) or name (str), among those of ``regions`` when given (the first, when a name is
    used in several regions)."""
    column = scenarios.c.id if isinstance(ident, int) else scenarios.c.name
    found = conn.execute(_visible(regions).where(column == ident)).first()
    return _row(found) if found is not None else None


def find_scenario_id(conn: Connection, region_code: str, name: str) -> int | None:
    found = conn.execute(sa.select(scenarios.c.id).where((scenarios.c.region_code == region_code)
                                                         & (scenarios.c.name == name))).scalar()
    return None if found is None else int(found)


def insert_scenario(conn: Connection, *, region_code: str, name: str, kind: str, spec: str, created_by: int | None,
                    at: datetime) -> int:
    result = conn.execute(scenarios.insert().values(region_code=region_code, name=name, kind=kind, spec=spec,
                                                    created_by=created_by, created_at=at, updated_at=at))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_scenario(conn: Connection, scenario_id: int, *, kind: str, spec: str, at: datetime) -> None:
    conn.execute(scenarios.update().where(scenarios.c.id == scenario_id).values(kind=kind, spec=spec, updated_at=at))


def delete_scenario(conn: Connection, scenario_id: int) -> None:
    conn.execute(scenarios.delete().where(scenarios.c.id == scenario_id))


def get_scenario(conn: Connection, scenario_id: int) -> ScenarioRow:
    """The scenario with this id (which must exist)."""
    return _row(conn.execute(sa.select(scenarios).where(scenarios.c.id == scenario_id)).one())
