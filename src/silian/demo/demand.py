"""Talent demand: enterprise-declared lists and openings derived from industry statistics.

Both sources name 大典 2022 细类 occupations reached through the MOHRSS 2023 major → occupation crosswalk
from the majors each industry hires (``zhengzhou.INDUSTRY_MAJORS``). Declared rows also name the major
in about a third of the cases. No ``posting`` rows are generated (a later pipeline produces those).

* ``statistics`` (region 410100, one row per year, occupation and skill level): employment of each
  industry row of ``industry_stats`` × a yearly vocational-level opening rate (replacement and growth),
  split over the industry's majors and their occupations; 2024 uses 2023 employment + 1.5 %.
* ``declared`` (region = the enterprise's county): enterprises declare openings in 2019–2023 (period
  ``YYYY``) and in the spring and autumn 2024 campaigns (``2024-03``, ``2024-09``); no row is a subtotal
  of another, so a year's demand is the sum of its rows.
"""

from __future__ import annotations

import random
from collections import defaultdict

import polars as pl

from silian.catalog import Catalog
from silian.demo import zhengzhou as zz
from silian.demo.enterprises import Enterprise

# manufacturing 大类 without a profile of their own hire like this
DEFAULT_MANUFACTURING = (("660301", 2.0), ("660302", 1.0), ("680406", 1.0), ("670207", 1.0))


class Occupations:
    """Occupations of a major: the crosswalk's, else those of its first 接续 专科 major that has some."""

    def __init__(self, catalog: Catalog):
        self._map: dict[str, list[str]] = defaultdict(list)
        for major, occupation in catalog.major_occupations.select("major_code", "occupation_code").iter_rows():
            if occupation not in self._map[major]:
                self._map[major].append(occupation)
        self._targets: dict[str, list[str]] = defaultdict(list)
        links = catalog.continuations.filter(pl.col("target_level") == "高等职业教育专科").drop_nulls("target_code")
        for source, target in links.select("source_code", "target_code").iter_rows():
            self._targets[source].append(target)

    def __call__(self, major: str) -> list[str]:
        if self._map.get(major):
            return self._map[major]
        for target in self._targets.get(major, ()):
            if self._map.get(target):
                return self._map[target]
        return []


def _sections(catalog: Catalog) -> dict[str, str]:
    divisions = catalog.industries.filter(pl.col("level") == "大类")
    return dict(zip(divisions["code"], divisions["parent_code"], strict=True))


def _profile(code: str, sections: dict[str, str]) -> tuple[tuple[str, float], ...]:
    if code in zz.INDUSTRY_MAJORS:
        return zz.INDUSTRY_MAJORS[code]
    if code.isdigit() and int(code) <= 43:
        return DEFAULT_MANUFACTURING
    return zz.INDUSTRY_MAJORS.get(sections.get(code, code), ())


def _is_production(code: str) -> bool:
    return (code.isdigit() and int(code) <= 50) or code in ("B", "D", "E")


def _occupation_weights(occupations: list[str], production: bool) -> list[float]:
    """Earlier crosswalk entries weigh a little more; production industries hire mostly 生产制造 (6-) workers."""
    return [(3.0 if production and occ.startswith("6-") else 1.0) / (1 + 0.3 * i) for i, occ in enumerate(occupations)]


def build_demand(catalog: Catalog, enterprises: list[Enterprise], employment: dict[int, dict[str, float]],
                 rng: random.Random) -> pl.DataFrame:
    occupations = Occupations(catalog)
    sections = _sections(catalog)
    counts: dict[tuple[str, str, str, str, str, str, str], float] = defaultdict(float)
    # statistics: derived openings
    for year in zz.DEMAND_YEARS:
        jobs = employment[min(year, zz.ECON_YEARS[-1])]
        lift = 1.015 if year > zz.ECON_YEARS[-1] else 1.0
        for code in sorted(jobs):
            rate = zz.OPENING_RATE_MANUFACTURING if code.isdigit() else zz.OPENING_RATES.get(code, 0.0)
            openings = jobs[code] * 10_000 * rate * lift * rng.uniform(0.92, 1.08)
            profile = _profile(code, sections)
            if openings <= 0 or not profile:
                continue
            mix = zz.SKILL_MIX_MANUFACTURING if _is_production(code) else zz.SKILL_MIX_SERVICES
            total_weight = sum(w for _, w in profile)
            for major, weight in profile:
                occs = occupations(major)
                weights = _occupation_weights(occs, _is_production(code))
                for occ, occ_weight in zip(occs, weights, strict=True):
                    share = occ_weight / sum(weights)
                    for skill, skill_share in mix:
                        key = ("statistics", zz.CITY[0], str(year), "", occ, "", skill)
                        counts[key] += openings * weight / total_weight * share * skill_share
    # declared: enterprises' lists
    for year in zz.DEMAND_YEARS:
        periods = (f"{year}-03", f"{year}-09") if year == zz.CALIBRATION_YEAR else (str(year),)
        for e in enterprises:
            p = zz.DECLARE_PROBABILITY[e.size] * zz.DECLARE_RAMP[year] * (1.3 if e.integration else 1.0)
            profile = _profile(e.division, sections)
            if not profile:
                continue
            mix = zz.SKILL_MIX_MANUFACTURING if _is_production(e.division) else zz.SKILL_MIX_SERVICES
            for period in periods:
                if rng.random() >= min(p * (0.7 if len(periods) > 1 else 1.0), 0.98):
                    continue
                for _ in range(rng.randint(1, 4 if e.size == "大型" else 3)):
                    major = rng.choices([m for m, _ in profile], [w for _, w in profile])[0]
                    occs = occupations(major)
                    if not occs:
                        continue
                    occ = rng.choices(occs, _occupation_weights(occs, _is_production(e.division)))[0]
                    skill = rng.choices([s for s, _ in mix], [w for _, w in mix])[0]
                    named = major if rng.random() < 0.33 else ""
                    low, high = zz.DECLARED_OPENINGS[e.size]
                    key = ("declared", e.county, period, e.credit_code, occ, named, skill)
                    counts[key] += rng.randint(low, high)
    rows = [
        {"source": k[0], "region_code": k[1], "period": k[2], "enterprise_credit_code": k[3] or None,
         "occupation_code": k[4], "major_code": k[5] or None, "skill_level": k[6], "count": round(v)}
        for k, v in sorted(counts.items()) if round(v) > 0
    ]
    return pl.DataFrame(rows, infer_schema_length=None)
