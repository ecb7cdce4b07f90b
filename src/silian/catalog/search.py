"""Find majors, occupations and industries by name, alias or code."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from silian.catalog.loader import Catalog


@dataclass(frozen=True)
class CatalogHit:
    """One search result."""

    kind: str  # major | occupation | industry
    code: str
    name: str
    level: str
    context: str  # the parent class or category, to tell hits apart

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def search_catalog(catalog: Catalog, query: str, *, version: str = "current", limit: int = 50) -> list[CatalogHit]:
    """Hits whose code starts with ``query`` or whose name (or occupation alias) contains it.

    Exact code matches come first, then name matches, each kind in catalogue order.
    """
    q = query.strip()
    if not q:
        return []
    hits = _major_hits(catalog, q, version) + _occupation_hits(catalog, q) + _industry_hits(catalog, q)
    hits.sort(key=lambda h: (h.code != q and h.name != q, 0 if h.code.startswith(q) else 1))
    return hits[:limit]


def _matches(column: str, q: str) -> pl.Expr:
    return pl.col(column).str.contains(q, literal=True)


def _major_hits(catalog: Catalog, q: str, version: str) -> list[CatalogHit]:
    df = catalog.majors(version).filter(pl.col("major_code").str.starts_with(q.upper()) | _matches("major_name", q))
    return [
        CatalogHit("major", r["major_code"], r["major_name"], r["level"], f'{r["class_code"]} {r["class_name"]}')
        for r in df.iter_rows(named=True)
    ]


def _occupation_hits(catalog: Catalog, q: str) -> list[CatalogHit]:
    occ = catalog.occupations
    df = occ.filter(
        pl.col("code").str.starts_with(q) | _matches("name", q) | pl.col("aliases").fill_null("").str.contains(q, literal=True)
    )
    return [
        CatalogHit("occupation", r["code"], r["name"], r["level_name"], r["parent_code"] or "")
        for r in df.iter_rows(named=True)
    ]


def _industry_hits(catalog: Catalog, q: str) -> list[CatalogHit]:
    code = q.upper()
    if len(code) > 2 and code[0].isalpha() and code[1:].isdigit():
        code = code[1:]  # "C34": 门类 letter + 大类 code, as often written
    df = catalog.industries.filter(pl.col("code").str.starts_with(code) | _matches("name", q))
    return [
        CatalogHit("industry", r["code"], r["name"], r["level"], r["parent_code"] or "")
        for r in df.iter_rows(named=True)
    ]
