"""Which analyses the hub can give: every region with schools under it and the years of their major points, and
the default region (the city with the most schools). Read in two small queries, so a request for a region or a
year the hub does not have is refused before any analysis runs, and ``region=郑州`` and ``region=410100`` (or no
region and no year) are one analysis, not three."""

from __future__ import annotations

from dataclasses import dataclass

from silian.domain.errors import InvalidInput, NotFound
from silian.domain.messages import t
from silian.services import analysis  # noqa: F401  (registers the analysis messages used here)
from silian.storage import hub as hub_store
from silian.storage.database import Database


@dataclass(frozen=True)
class AnalysisKeys:
    """Regions by code and by name, their parents, and the years each region (with everything under it) has."""

    names: dict[str, str]           # code → name
    codes_by_name: dict[str, str]   # name → code (the first region of that name)
    years: dict[str, tuple[int, ...]]  # code → years with major points under it, ascending
    default_region: str | None      # the city with the most schools (None: no school in any county)

    def resolve(self, region: str | None, year: int | None) -> tuple[str, int]:
        """``(region code, year)`` of a request, as the analysis would resolve them, with the analysis' own errors:
        NotFound for a region the hub does not have, InvalidInput for a year it has no data of. (A region that is
        neither a city nor a county is refused by the analysis itself, and that refusal is kept like a result.)"""
        if region:
            code = region if region in self.names else self.codes_by_name.get(region) or self.codes_by_name.get(f"{region}市")
            if code is None:
                raise NotFound(t("analysis_unknown_region", region=region))
        elif self.default_region is None:
            raise InvalidInput(t("analysis_no_data"))
        else:
            code = self.default_region
        years = self.years.get(code, ())
        if not years:
            raise InvalidInput(t("analysis_no_data"))
        if year is None:
            return code, years[-1]
        if year not in years:
            raise InvalidInput(t("analysis_bad_year", year=year, years=", ".join(map(str, years))))
        return code, year

    @property
    def pairs(self) -> int:
        """How many (region, year) analyses the hub can give."""
        return sum(len(y) for y in self.years.values())


def read_analysis_keys(db: Database) -> AnalysisKeys:
    """The analyses the hub at ``db`` can give (two queries and the region list)."""
    with db.engine.connect() as conn:
        regions = hub_store.region_rows(conn)
        county_years = hub_store.school_years_by_county(conn)
        schools = hub_store.schools_by_county(conn)
    parents = {code: parent for code, _, parent in regions}
    names = {code: name for code, name, _ in regions}
    codes_by_name: dict[str, str] = {}
    for code, name, _ in regions:
        codes_by_name.setdefault(name, code)
    years: dict[str, set[int]] = {}
    for county, year in county_years:
        for code in _self_and_ancestors(county, parents):
            years.setdefault(code, set()).add(year)
    per_city: dict[str, int] = {}
    for county, n in schools.items():
        city = parents.get(county)
        if city is not None:
            per_city[city] = per_city.get(city, 0) + n
    default = min(per_city, key=lambda code: (-per_city[code], code)) if per_city else None
    return AnalysisKeys(names, codes_by_name, {code: tuple(sorted(y)) for code, y in years.items()}, default)


def _self_and_ancestors(code: str, parents: dict[str, str | None]) -> list[str]:
    chain, seen = [], set()
    current: str | None = code
    while current is not None and current in parents and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents[current]
    return chain
