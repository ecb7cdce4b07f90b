"""Reads of the hub tables that services need one at a time: codes and names, counties, places, the figures the
dashboards and the demo calibration use, and the hub's fingerprint. (Bulk reads and writes: :mod:`.repository`.)"""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.tables import HUB_TABLES
from silian.storage.platform_schema import audit_log
from silian.storage.schema import hub_tables, import_log

_regions, _schools, _enterprises = hub_tables["regions"], hub_tables["institutions"], hub_tables["enterprises"]
_points, _demand = hub_tables["major_points"], hub_tables["demand"]
DATA_CHANGES = ("create", "update", "delete")  # audited actions that change data


def code_exists(conn: Connection, table: str, column: str, value: str) -> bool:
    """Whether hub table ``table`` has a row whose ``column`` equals ``value``."""
    t = hub_tables[table]
    return conn.execute(sa.select(t.c[column]).where(t.c[column] == value)).first() is not None


# ---------------------------------------------------------------- regions, schools, enterprises

def region_rows(conn: Connection) -> list[tuple[str, str, str | None]]:
    """``(code, name, parent_code)`` of every region."""
    return [(r.code, r.name, r.parent_code)
            for r in conn.execute(sa.select(_regions.c.code, _regions.c.name, _regions.c.parent_code))]


def region_names(conn: Connection) -> dict[str, str]:
    return {code: name for code, name in conn.execute(sa.select(_regions.c.code, _regions.c.name))}


def region_parent(conn: Connection, code: str | None) -> str | None:
    """The parent region's code of region ``code`` (None when unknown)."""
    return conn.execute(sa.select(_regions.c.parent_code).where(_regions.c.code == code)).scalar()


def school_names(conn: Connection) -> dict[str, str]:
    return {code: name for code, name in conn.execute(sa.select(_schools.c.code, _schools.c.name))}


def school_counties(conn: Connection) -> dict[str, str]:
    """``{school code: county code}`` ('' for a school without a county)."""
    return {code: county or "" for code, county in conn.execute(sa.select(_schools.c.code, _schools.c.county_code))}


def school_directory(conn: Connection) -> dict[str, tuple[str, str]]:
    """``{school code: (name, county code)}``."""
    query = sa.select(_schools.c.code, _schools.c.name, _schools.c.county_code)
    return {r.code: (r.name, r.county_code) for r in conn.execute(query)}


def school_county(conn: Connection, code: str | None) -> str | None:
    return conn.execute(sa.select(_schools.c.county_code).where(_schools.c.code == code)).scalar_one_or_none()


def enterprise_county(conn: Connection, credit_code: str | None) -> str | None:
    query = sa.select(_enterprises.c.county_code).where(_enterprises.c.credit_code == credit_code)
    return conn.execute(query).scalar_one_or_none()


def enterprise_directory(conn: Connection, codes: list[str]) -> dict[str, tuple[str, str]]:
    """``{credit code: (name, county code)}`` of the given enterprises (in batches of 1000 codes)."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(codes), 1000):
        query = sa.select(_enterprises.c.credit_code, _enterprises.c.name, _enterprises.c.county_code).where(
            _enterprises.c.credit_code.in_(codes[start:start + 1000]))
        found.update({r.credit_code: (r.name, r.county_code) for r in conn.execute(query)})
    return found


def busiest_county(conn: Connection) -> str | None:
    """The county with the most schools (ties: the smallest code)."""
    return conn.execute(sa.select(_schools.c.county_code).group_by(_schools.c.county_code)
                        .order_by(sa.func.count().desc(), _schools.c.county_code).limit(1)).scalar_one_or_none()


def first_school_of_level(conn: Connection, level: str) -> str | None:
    return conn.execute(sa.select(_schools.c.code).where(_schools.c.level == level).order_by(_schools.c.code)
                        .limit(1)).scalar_one_or_none()


def first_integration_enterprise(conn: Connection) -> str | None:
    return conn.execute(sa.select(_enterprises.c.credit_code).where(_enterprises.c.is_integration)
                        .order_by(_enterprises.c.credit_code).limit(1)).scalar_one_or_none()


def school_latest_majors(conn: Connection, institution_code: str) -> list[str]:
    """The major codes a school reported in its latest year, sorted."""
    latest = sa.select(sa.func.max(_points.c.year)).where(_points.c.institution_code == institution_code).scalar_subquery()
    query = (sa.select(_points.c.major_code).where(_points.c.institution_code == institution_code, _points.c.year == latest)
             .distinct().order_by(_points.c.major_code))
    return list(conn.execute(query).scalars())


# ---------------------------------------------------------------- dashboards

def major_points_with_schools(conn: Connection, year: int) -> pl.DataFrame:
    """The major points of ``year`` with their school's name and level."""
    query = (sa.select(_points.c.major_code, _points.c.institution_code, _schools.c.name, _schools.c.level,
                       _points.c.students, _points.c.graduates, _points.c.employed, _points.c.continued)
             .join(_schools, _schools.c.code == _points.c.institution_code).where(_points.c.year == year))
    schema = {"major_code": pl.String, "institution_code": pl.String, "school_name": pl.String, "level": pl.String,
              "students": pl.Int64, "graduates": pl.Int64, "employed": pl.Int64, "continued": pl.Int64}
    return pl.DataFrame(conn.execute(query).all(), schema=schema, orient="row")


def posting_demand_rows(conn: Connection) -> pl.DataFrame:
    """The ``demand`` rows with ``source = posting`` (every period)."""
    d = _demand
    rows = conn.execute(sa.select(d.c.region_code, d.c.period, d.c.occupation_code, d.c.skill_level, d.c.count)
                        .where(d.c.source == "posting")).all()
    return pl.DataFrame(rows, schema={"region_code": pl.String, "period": pl.String, "occupation_code": pl.String,
                                      "skill_level": pl.String, "count": pl.Int64}, orient="row")


def statistics_demand_by_occupation(conn: Connection) -> pl.DataFrame:
    """Statistics-based demand summed by occupation: occupation_code, count."""
    d = _demand
    stats = conn.execute(sa.select(d.c.occupation_code, sa.func.sum(d.c.count)).where(d.c.source == "statistics")
                         .group_by(d.c.occupation_code)).all()
    return pl.DataFrame(stats, schema={"occupation_code": pl.String, "count": pl.Int64}, orient="row")


# ---------------------------------------------------------------- the hub's fingerprint

def hub_fingerprint(conn: Connection) -> tuple[tuple[str, int, int], ...]:
    """Cheap summary that changes whenever the hub's data change (one query): ``(name, rows, last id)`` of every hub
    table, of the import log and of the audited data changes, always in this order.

    One row of scalar subqueries, not a ``UNION ALL`` of one row per table: a union's rows come in no set order
    (PostgreSQL runs it as a parallel append whose rows arrive as its workers finish), so the same data gave
    different fingerprints and every cached analysis was thrown away. ``max(id)`` reads the primary key's index."""
    sources: list[tuple[str, sa.Table, Any]] = [(name, hub_tables[name], None) for name in HUB_TABLES]
    sources.append(("import_log", import_log, None))
    sources.append(("audit_log", audit_log, audit_log.c.action.in_(DATA_CHANGES)))
    columns = []
    for name, table, where in sources:
        rows, last = sa.select(sa.func.count()).select_from(table), sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))
        if where is not None:
            rows, last = rows.where(where), last.where(where)
        columns += [rows.scalar_subquery().label(f"{name}_rows"), last.scalar_subquery().label(f"{name}_last")]
    row = conn.execute(sa.select(*columns)).one()
    return tuple((name, int(row[2 * i]), int(row[2 * i + 1])) for i, (name, _, _) in enumerate(sources))


# ---------------------------------------------------------------- demo calibration

def secondary_school_figures(conn: Connection, year: int) -> tuple[int, int, int]:
    """``(schools with students, enrolment, students)`` of 中职-level schools in ``year``."""
    schools, enrolment, students = conn.execute(sa.text(
        "SELECT COUNT(DISTINCT CASE WHEN m.students > 0 THEN m.institution_code END), "
        "COALESCE(SUM(m.enrolment), 0), COALESCE(SUM(m.students), 0) "
        "FROM major_points m JOIN institutions i ON i.code = m.institution_code "
        "WHERE m.year = :year AND i.level IN ('中职', '技工学校')"), {"year": year}).one()
    return int(schools), int(enrolment), int(students)


def value_added(conn: Connection, region: str, year: int, industries: list[str]) -> float:
    """Summed value added of ``industries`` in ``region`` and ``year``."""
    value = conn.execute(sa.text(
        "SELECT COALESCE(SUM(value_added), 0) FROM industry_stats WHERE region_code = :r AND year = :y "
        "AND industry_code IN :codes").bindparams(sa.bindparam("codes", expanding=True)),
        {"r": region, "y": year, "codes": industries}).scalar_one()
    return float(value)


def secondary_value_added(conn: Connection, region: str, year: int) -> Any:
    """The secondary sector's value added of ``region`` and ``year`` as stored (None when missing)."""
    return conn.execute(sa.text("SELECT secondary_va FROM regional_economy WHERE region_code = :r AND year = :y"),
                        {"r": region, "y": year}).scalar_one_or_none()


def county_places(conn: Connection) -> list[tuple[str, str, str | None]]:
    """``(code, name, parent code)`` of the hub's counties and functional areas (for resolving posting places)."""
    regions = hub_tables["regions"]
    query = sa.select(regions.c.code, regions.c.name, regions.c.parent_code).where(regions.c.level.in_(("县", "功能区")))
    return [(code, name, parent) for code, name, parent in conn.execute(query).all()]


def region_codes(conn: Connection) -> frozenset[str]:
    """The code of every region the hub holds."""
    return frozenset(conn.execute(sa.select(hub_tables["regions"].c.code)).scalars())


def mark_peer_regions(conn: Connection, codes: list[str]) -> int:
    """Mark the given regions as peer cities where nobody has said otherwise (``is_peer`` still empty)."""
    if not codes:
        return 0
    query = _regions.update().where(_regions.c.code.in_(codes), _regions.c.is_peer.is_(None)).values(is_peer=True)
    return conn.execute(query).rowcount or 0


# ---------------------------------------------------------------- what can be analysed

def school_years_by_county(conn: Connection) -> list[tuple[str, int]]:
    """Each ``(county code, year)`` in which a school of that county has major points (what an analysis of a
    region and year needs: its years are those of the schools under it)."""
    query = (sa.select(_schools.c.county_code, _points.c.year).distinct()
             .join(_schools, _schools.c.code == _points.c.institution_code).where(_schools.c.county_code.is_not(None)))
    return [(str(county), int(year)) for county, year in conn.execute(query).all()]


def schools_by_county(conn: Connection) -> dict[str, int]:
    """How many schools each county has (the default region of an analysis is the city with the most)."""
    query = (sa.select(_schools.c.county_code, sa.func.count()).where(_schools.c.county_code.is_not(None))
             .group_by(_schools.c.county_code))
    return {str(county): int(n) for county, n in conn.execute(query).all()}
