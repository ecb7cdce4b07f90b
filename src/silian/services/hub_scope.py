"""A hub snapshot cut down to one region and everything under it, so that an analysis of a city (or a county) in
a hub holding many regions equals the analysis of a hub holding that region alone.

Rows belong to a region through their own region code (``industry_stats``, ``demand``, declared posts), their
county (``institutions``, ``enterprises``) or their school (``major_points``, ``institution_resources``,
``funding``, ``innovation``, ``cooperation``). ``regions`` stays whole (names and parents of every region), and
so does ``regional_economy``: the peer comparison reads other cities on purpose, and names them as peers.
"""

from __future__ import annotations

import polars as pl

from silian.services.hub import HubSnapshot

# tables kept whole: the region list itself and the economic statistics the peer comparison reads
UNSCOPED_TABLES = frozenset({"regions", "regional_economy"})
BY_REGION_CODE = ("industry_stats", "demand", "post_demand")
BY_COUNTY = ("institutions", "enterprises")
BY_SCHOOL = ("major_points", "institution_resources", "funding", "innovation", "cooperation")


def region_and_descendants(regions: pl.DataFrame, code: str) -> set[str]:
    """``code`` and every region whose chain of parents reaches it."""
    children: dict[str, list[str]] = {}
    for child, parent in regions.select("code", "parent_code").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, stack = {code}, [code]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def scope_hub(hub: HubSnapshot, region_code: str) -> HubSnapshot:
    """The rows of ``hub`` that belong to ``region_code`` or a region under it (see the module docstring)."""
    inside = sorted(region_and_descendants(hub["regions"], region_code))
    tables = dict(hub.tables)
    for name in BY_REGION_CODE:
        if name in tables:
            tables[name] = tables[name].filter(pl.col("region_code").is_in(inside))
    for name in BY_COUNTY:
        if name in tables:
            tables[name] = tables[name].filter(pl.col("county_code").is_in(inside))
    schools = tables["institutions"]["code"].to_list() if "institutions" in tables else []
    for name in BY_SCHOOL:
        if name in tables:
            tables[name] = tables[name].filter(pl.col("institution_code").is_in(schools))
    unknown = set(tables) - UNSCOPED_TABLES - set(BY_REGION_CODE) - set(BY_COUNTY) - set(BY_SCHOOL)
    if unknown:  # a new hub table must say how it belongs to a region, or results would leak across regions
        raise ValueError(f"hub tables without a region rule: {sorted(unknown)}")
    generated = {n: bool(f.height and "is_generated" in f.columns and f["is_generated"].any()) for n, f in tables.items()}
    return HubSnapshot(tables=tables, generated=generated, database=hub.database)
