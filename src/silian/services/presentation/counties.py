"""The counties: coordination D, chain scores U and TOPSIS closeness of every county (the user's own county
marked)."""

from __future__ import annotations

import polars as pl

from silian.domain.access import Principal
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.coupling import score_columns
from silian.services.presentation.labels import titled
from silian.services.presentation.table import INT, NUM2, NUM3, TEXT, PresentedTable, table_columns


def _county_rows(bundle: AnalysisBundle) -> pl.DataFrame:
    if bundle.counties is None or bundle.counties.scores.height == 0:
        return pl.DataFrame()
    s = bundle.counties.scores
    years = [y for y in s["year"].unique().to_list() if y <= bundle.year]  # the chosen year (or the latest before it)
    return s.filter(pl.col("year") == (max(years) if years else s["year"].max())).sort("D", descending=True)


def _marked(frame: pl.DataFrame, county: str | None) -> frozenset[int]:
    if not county or frame.height == 0:
        return frozenset()
    return frozenset(i for i, code in enumerate(frame["region_code"].to_list()) if code == county)


def counties_table(bundle: AnalysisBundle, principal: Principal | None = None, mark: str | None = None) -> PresentedTable:
    """Every county's D, U, level, lag and TOPSIS closeness, highest D first; ``mark`` (default: the user's county)
    is highlighted."""
    now = _county_rows(bundle)
    columns = (*table_columns(("region_name", "col_region", TEXT)), *score_columns(NUM2),
               *table_columns(("level", "col_level", TEXT), ("lag", "col_lag", TEXT), ("topsis", "col_topsis", NUM3)))
    rows = [tuple(r[c.key] for c in columns) for r in now.iter_rows(named=True)] if now.height else []
    year = int(now["year"][0]) if now.height else bundle.year
    marked = _marked(now, mark or (principal.county_code if principal else None))
    return PresentedTable("counties", titled("tbl_counties", year), columns, rows, marked)


def county_u_table(bundle: AnalysisBundle, principal: Principal | None = None, mark: str | None = None) -> PresentedTable:
    full = counties_table(bundle, principal, mark)
    keep = [0, 1, 2, 3, 4]
    return PresentedTable("county-u", t("tbl_county_u"), tuple(full.columns[i] for i in keep),
                          [tuple(r[i] for i in keep) for r in full.rows], full.marked)


def county_topsis_table(bundle: AnalysisBundle, principal: Principal | None = None, mark: str | None = None
                        ) -> PresentedTable:
    now = _county_rows(bundle)
    if now.height:
        now = now.sort("topsis", descending=True)
    columns = table_columns(("region_name", "col_region", TEXT), ("topsis", "col_topsis", NUM3), ("rank", "col_rank", INT))
    rows = [(r["region_name"], r["topsis"], i + 1) for i, r in enumerate(now.iter_rows(named=True))] if now.height else []
    marked = _marked(now, mark or (principal.county_code if principal else None))
    return PresentedTable("county-topsis", t("tbl_county_topsis"), columns, rows, marked)
