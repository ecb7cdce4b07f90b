"""The counties tab: coordination D, chain scores U and TOPSIS closeness of every county (the user's own
county marked)."""

from __future__ import annotations

import polars as pl

from silian.domain.access import Principal
from silian.domain.indicators import CHAINS
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.labels import chain_label, titled
from silian.services.dashboard.table import INT, NUM3, TEXT, Column, DataTable, table_columns


def _county_rows(b: AnalysisBundle) -> pl.DataFrame:
    if b.counties is None or b.counties.scores.height == 0:
        return pl.DataFrame()
    s = b.counties.scores
    return s.filter(pl.col("year") == s["year"].max()).sort("D", descending=True)


def _marked(frame: pl.DataFrame, county: str | None) -> frozenset[int]:
    if not county or frame.height == 0:
        return frozenset()
    return frozenset(i for i, code in enumerate(frame["region_code"].to_list()) if code == county)


def counties_table(b: AnalysisBundle, p: Principal) -> DataTable:
    now = _county_rows(b)
    columns = table_columns(("region_name", "dash_c_region", TEXT), *[(f"U_{c}", "", NUM3) for c in CHAINS], ("C", "", NUM3),
                            ("T", "", NUM3), ("D", "", NUM3), ("level", "dash_c_level", TEXT), ("lag", "dash_c_lag", TEXT),
                            ("topsis", "dash_c_topsis", NUM3))
    columns = tuple(Column(c.key, chain_label(c.key[2:]) if c.key.startswith("U_") else (c.label or c.key), c.kind)
                    for c in columns)
    rows = [tuple(r[c.key] for c in columns) for r in now.iter_rows(named=True)] if now.height else []
    year = int(now["year"][0]) if now.height else b.year
    return DataTable("counties", titled("dash_t_counties", year), columns, rows, _marked(now, p.county_code))


def county_u_table(b: AnalysisBundle, p: Principal) -> DataTable:
    full = counties_table(b, p)
    keep = [0, 1, 2, 3, 4]
    return DataTable("county-u", t("dash_t_county_u"), tuple(full.columns[i] for i in keep),
                     [tuple(r[i] for i in keep) for r in full.rows], full.marked)


def county_topsis_table(b: AnalysisBundle, p: Principal) -> DataTable:
    now = _county_rows(b)
    if now.height:
        now = now.sort("topsis", descending=True)
    columns = table_columns(("region_name", "dash_c_region", TEXT), ("topsis", "dash_c_topsis", NUM3), ("rank", "dash_c_rank", INT))
    rows = [(r["region_name"], r["topsis"], i + 1) for i, r in enumerate(now.iter_rows(named=True))] if now.height else []
    return DataTable("county-topsis", t("dash_t_county_topsis"), columns, rows, _marked(now, p.county_code))
