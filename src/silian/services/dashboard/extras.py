"""Figures of the analysis year the cached bundle does not keep, read once per bundle: who offers each major,
graduates' destinations by level, region names, the crosswalk weight of each major per key chain and the
posting-sourced demand."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import polars as pl

from silian.catalog import get_catalog
from silian.services.analysis import AnalysisBundle
from silian.services.config import indicator_system
from silian.settings import Settings
from silian.storage import hub as hub_store
from silian.storage.database import Database


@dataclass(frozen=True)
class DashboardExtras:
    """Figures of the analysis year the bundle does not keep: every major point with students (who offers
    what), graduates' destinations by level, region names, and each major's crosswalk weight per key chain."""

    offerings: pl.DataFrame       # major_code, institution_code, school_name, students
    destinations: dict[str, dict[str, int]]  # level_key → graduates, continued, employed
    region_names: dict[str, str]
    chain_weights: pl.DataFrame   # major_code, chain, weight
    postings: PostingDemand | None = None  # posting-sourced demand in the hub (None: none imported)


@dataclass(frozen=True)
class PostingDemand:
    """Posting-sourced demand in the hub (``demand`` rows with ``source = posting``, every period), the share of
    production workers against statistics-based demand, and the salary quantiles saved by the last import."""

    records: pl.DataFrame          # region_code, period, occupation_code, skill_level, count
    bias: str | None               # posting_bias(): 大类 6 in postings vs statistics
    salaries: pl.DataFrame | None  # posting_demand.salary_summary of the last `postings import --load`
    salary_source: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return int(self.records["count"].sum())

    @property
    def periods(self) -> str:
        periods = self.records["period"].drop_nulls()
        first, last = (str(periods.min()), str(periods.max())) if len(periods) else ("", "")
        return first if first == last else f"{first}–{last}"


_EXTRAS: OrderedDict[int, tuple[AnalysisBundle, DashboardExtras]] = OrderedDict()
_LOCK = threading.Lock()
LEVEL_KEY = {"中职": "secondary", "技工学校": "secondary", "高职专科": "associate", "职业本科": "bachelor"}


def extras_for(db: Database, bundle: AnalysisBundle, settings: Settings | None = None) -> DashboardExtras:
    """The extras of ``bundle``, read once per bundle (a new bundle after a data change reads them again)."""
    with _LOCK:
        hit = _EXTRAS.get(id(bundle))
        if hit is not None and hit[0] is bundle:
            return hit[1]
    extras = read_extras(db, bundle.year, settings)
    with _LOCK:
        _EXTRAS[id(bundle)] = (bundle, extras)
        while len(_EXTRAS) > 8:
            _EXTRAS.popitem(last=False)
    return extras


def read_extras(db: Database, year: int, settings: Settings | None = None) -> DashboardExtras:
    """Read the extras of ``year`` (one query for the major points, one for the region names)."""
    with db.engine.connect() as conn:
        points = hub_store.major_points_with_schools(conn, year)
        names = hub_store.region_names(conn)
    points = points.with_columns(pl.col("level").replace_strict(LEVEL_KEY, default=None).alias("level_key"))
    destinations = {}
    for key in ("secondary", "associate", "bachelor"):
        rows = points.filter(pl.col("level_key") == key)
        destinations[key] = {c: int(rows[c].fill_null(0).sum()) for c in ("graduates", "continued", "employed")}
    offerings = (points.filter(pl.col("students").fill_null(0) > 0)
                 .select("major_code", "institution_code", "school_name", "students").sort("major_code", "students",
                                                                                         descending=[False, True]))
    return DashboardExtras(offerings=offerings, destinations=destinations, region_names=names,
                           chain_weights=_chain_weights(settings), postings=read_posting_demand(db, settings))


def read_posting_demand(db: Database, settings: Settings | None = None) -> PostingDemand | None:
    """Posting-sourced demand of the hub (None when no postings were imported), with the known bias and the
    salary quantiles saved by the last load (table ``posting_salary_summary``)."""
    from silian.services.postings.local import posting_bias, read_salary_summary
    with db.engine.connect() as conn:
        records = hub_store.posting_demand_rows(conn)
        if records.height == 0:
            return None
        statistics = hub_store.statistics_demand_by_occupation(conn).with_columns(pl.lit("statistics").alias("source"))
    bias = posting_bias(records.group_by("occupation_code").agg(pl.col("count").sum().alias("postings")), statistics)
    saved = read_salary_summary(db)
    salaries, meta = saved if saved is not None else (None, {})
    return PostingDemand(records, bias, salaries, meta)


def _chain_weights(settings: Settings | None) -> pl.DataFrame:
    chains = indicator_system(settings).key_industries
    rows = [{"chain": chain, "industry_code": code} for chain, codes in chains.items() for code in codes]
    if not rows:
        return pl.DataFrame(schema={"major_code": pl.String, "chain": pl.String, "weight": pl.Float64})
    links = get_catalog().major_industries("major").select("major_code", "industry_code", "weight")
    return links.join(pl.DataFrame(rows), on="industry_code").group_by("major_code", "chain").agg(pl.col("weight").sum())
