"""SQL behind partner recommendation (the platform's posts and the hub's declared demand): schools' graduates by
major, cooperation records of school–enterprise pairs, and the enterprises' declared demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.access import Scope
from silian.storage.schema import hub_tables

_points, _coop, _demand = hub_tables["major_points"], hub_tables["cooperation"], hub_tables["demand"]
_year_of = sa.func.substr(_demand.c.period, 1, 4)


def major_point_years(conn: Connection) -> tuple[int | None, int | None]:
    """``(first, latest)`` year of the major points (None, None when there are none)."""
    first, latest = conn.execute(sa.select(sa.func.min(_points.c.year), sa.func.max(_points.c.year))).one()
    return (None if first is None else int(first)), (None if latest is None else int(latest))


def graduates_since(conn: Connection, year: int, *, majors: list[str] | None = None,
                    school: str | None = None) -> pl.DataFrame:
    """Major points from ``year`` on (only the given majors or school): institution_code, major_code, year,
    graduates, continued."""
    query = sa.select(_points.c.institution_code, _points.c.major_code, _points.c.year, _points.c.graduates,
                      _points.c.continued).where(_points.c.year >= year)
    if majors is not None:
        query = query.where(_points.c.major_code.in_(majors))
    if school is not None:
        query = query.where(_points.c.institution_code == school)
    return pl.DataFrame(conn.execute(query).all(), orient="row", schema={
        "institution_code": pl.String, "major_code": pl.String, "year": pl.Int64, "graduates": pl.Int64,
        "continued": pl.Int64})


def cooperation_rows(conn: Connection, *, enterprise: str | None = None,
                     school: str | None = None) -> list[tuple[str, str | None, str]]:
    """``(school, enterprise, kind)`` of the cooperation records (of one enterprise or school, when given)."""
    query = sa.select(_coop.c.institution_code, _coop.c.enterprise_credit_code, _coop.c.kind)
    if enterprise is not None:
        query = query.where(_coop.c.enterprise_credit_code == enterprise)
    if school is not None:
        query = query.where(_coop.c.institution_code == school)
    return [(r.institution_code, r.enterprise_credit_code, r.kind) for r in conn.execute(query)]


# ---------------------------------------------------------------- declared enterprise demand

def _declared(scope: Scope | None = None, enterprise: str | None = None) -> list[sa.ColumnElement[bool]]:
    where = [_demand.c.source == "declared", _demand.c.enterprise_credit_code.is_not(None),
             _demand.c.enterprise_credit_code != ""]
    if scope is not None and scope.kind == "column":
        where.append(_demand.c[scope.column] == scope.value)
    if enterprise:
        where.append(_demand.c.enterprise_credit_code == enterprise)
    return where


def latest_declared_year(conn: Connection) -> str | None:
    """The latest year (text, from the period) of any declared demand."""
    return conn.execute(sa.select(sa.func.max(_year_of)).where(_demand.c.source == "declared")).scalar_one_or_none()


def latest_need_year(conn: Connection, *, scope: Scope | None = None, enterprise: str | None = None) -> str | None:
    """The latest year (text) of declared demand naming an enterprise (in a column ``scope``, of ``enterprise``)."""
    return conn.execute(sa.select(sa.func.max(_year_of)).where(*_declared(scope, enterprise))).scalar_one_or_none()


def declared_rows_after(conn: Connection, year: str) -> list[tuple[Any, ...]]:
    """``(enterprise, occupation, major, count)`` of declared demand naming an enterprise, of years after ``year``."""
    query = sa.select(_demand.c.enterprise_credit_code, _demand.c.occupation_code, _demand.c.major_code,
                      _demand.c.count).where(*_declared(), _year_of > year)
    return [tuple(r) for r in conn.execute(query)]


@dataclass(frozen=True)
class DeclaredNeed:
    """Declared demand of one year summed by enterprise × county × occupation × major."""

    enterprise_credit_code: str
    region_code: str
    occupation_code: str | None
    major_code: str | None
    count: int | None


def declared_needs(conn: Connection, year: int, *, scope: Scope | None = None,
                   enterprise: str | None = None) -> list[DeclaredNeed]:
    """The declared demand of ``year`` naming an enterprise (in ``scope``, of ``enterprise``), summed."""
    d = _demand
    rows = conn.execute(
        sa.select(d.c.enterprise_credit_code, d.c.region_code, d.c.occupation_code, d.c.major_code,
                  sa.func.sum(d.c.count).label("count"))
        .where(*_declared(scope, enterprise), _year_of == str(year))
        .group_by(d.c.enterprise_credit_code, d.c.region_code, d.c.occupation_code, d.c.major_code)).all()
    return [DeclaredNeed(*r) for r in rows]


def any_generated(conn: Connection, year: int, *, scope: Scope | None = None, enterprise: str | None = None) -> bool:
    """Whether the declared demand of ``year`` (as :func:`declared_needs`) or any major point is generated data."""
    where = [*_declared(scope, enterprise), _year_of == str(year)]
    found = conn.execute(sa.select(_demand.c.id).where(*where, _demand.c.is_generated).limit(1)).first()
    return found is not None or conn.execute(
        sa.select(_points.c.id).where(_points.c.is_generated).limit(1)).first() is not None
