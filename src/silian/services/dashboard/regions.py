"""The regions a user may choose to analyse: every city with schools in the hub and its counties with schools,
named in Chinese and English, and the region a user starts on (their county, their school's county, or the city
with the most schools)."""

from __future__ import annotations

from dataclasses import dataclass, field

from silian.domain.access import Principal
from silian.services.region_names import english_region_name
from silian.storage import hub as hub_store
from silian.storage.database import Database


@dataclass(frozen=True)
class RegionChoice:
    """One region to choose: code, Chinese and English name, schools in it (and under it)."""

    code: str
    name: str
    name_en: str
    schools: int

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name


@dataclass(frozen=True)
class CityChoice(RegionChoice):
    """A city with its counties that hold schools, most schools first."""

    counties: tuple[RegionChoice, ...] = field(default=())


def region_choices(db: Database) -> list[CityChoice]:
    """Every city that has schools in the hub (most schools first) with its counties that have schools."""
    with db.engine.connect() as conn:
        regions = {code: (name, parent) for code, name, parent in hub_store.region_rows(conn)}
        counties_of_schools = hub_store.school_counties(conn)
    per_county: dict[str, int] = {}
    for county in counties_of_schools.values():
        if county in regions:
            per_county[county] = per_county.get(county, 0) + 1
    by_city: dict[str, list[RegionChoice]] = {}
    for county, schools in per_county.items():
        name, parent = regions[county]
        by_city.setdefault(parent or county, []).append(RegionChoice(county, name, english_region_name(name), schools))
    cities = []
    for city, counties in by_city.items():
        name = regions.get(city, (city, None))[0]
        ordered = tuple(sorted(counties, key=lambda c: (-c.schools, c.code)))
        cities.append(CityChoice(city, name, english_region_name(name), sum(c.schools for c in counties), ordered))
    return sorted(cities, key=lambda c: (-c.schools, c.code))


def default_region(db: Database, principal: Principal) -> str | None:
    """Where ``principal`` starts: a county officer's county, a school user's school's county; None (the city with
    the most schools) for everyone else."""
    if principal.role == "county_officer" and principal.county_code:
        return principal.county_code
    if principal.role == "school_user" and principal.institution_code:
        with db.engine.connect() as conn:
            return hub_store.school_county(conn, principal.institution_code) or None
    return None


def known_region(choices: list[CityChoice], code: str) -> RegionChoice | None:
    """The choice of ``code`` among ``choices`` (a city or one of its counties)."""
    for city in choices:
        if city.code == code:
            return city
        for county in city.counties:
            if county.code == code:
                return county
    return None


def parent_region(db: Database, code: str) -> str:
    """The region above ``code`` (a county's city); ``code`` itself when it has none."""
    with db.engine.connect() as conn:
        return hub_store.region_parent(conn, code) or code


def region_names(db: Database) -> dict[str, str]:
    """``{code: name}`` of every region in the hub."""
    with db.engine.connect() as conn:
        return hub_store.region_names(conn)
