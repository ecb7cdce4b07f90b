"""Code pickers and the names behind codes: find a major, an occupation, an industry, a region, a school or an
enterprise by name, by code or by the pinyin of its name (``sk`` → 数控技术), and name the codes a list of records
shows. Schools and enterprises are limited to the rows the principal may read (``domain.access.read_scope``);
the catalogues and the regions are open to everyone.

The catalogues' entries, with their pinyin, are built once per process (``catalog.search.catalog_entries``); the
hub's regions, schools and enterprises are read at each lookup (they change), their names' pinyin computed once
per name and cached (``catalog.search.pinyin_keys``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from silian.catalog.search import CATALOG_KINDS, Entry, catalog_names, find_entries, lookup_catalog, make_entry
from silian.domain.access import Principal, read_scope
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.domain.tables import REFERENCE_TARGETS, TableSpec
from silian.storage import records as store
from silian.storage import repository as repo
from silian.storage.database import Connection, Database

register_messages(
    {
        "lk_kind_majors": ("专业", "Majors"),
        "lk_kind_occupations": ("职业", "Occupations"),
        "lk_kind_industries": ("行业", "Industries"),
        "lk_kind_regions": ("行政区划", "Regions"),
        "lk_kind_schools": ("学校", "Schools"),
        "lk_kind_enterprises": ("企业", "Enterprises"),
        "lk_unknown_kind": ("没有这种代码：{kind}（可用：{kinds}）", "No such kind of code: {kind} (available: {kinds})"),
    }
)
MAX_LIMIT = 100
# the hub tables a picker reads: kind → (table, code column, the column that tells rows apart)
HUB_KINDS = {"regions": ("regions", "code", "parent_code"), "schools": ("institutions", "code", "county_code"),
             "enterprises": ("enterprises", "credit_code", "county_code")}
LOOKUP_KINDS = (*CATALOG_KINDS, *HUB_KINDS)
# the picker of each code check of a table field (domain/tables.py Field.check)
CHECK_KINDS = {"major": "majors", "occupation": "occupations", "industry": "industries", "region": "regions",
               "institution": "schools", "enterprise": "enterprises"}


def kind_label(kind: str) -> str:
    return t(f"lk_kind_{kind}")


def lookup(db: Database, principal: Principal, kind: str, query: str, *, limit: int = 20) -> list[Entry]:
    """The entries of ``kind`` that fit ``query`` (by code, name or pinyin), best first, at most ``limit``."""
    if kind not in LOOKUP_KINDS:
        raise InvalidInput(t("lk_unknown_kind", kind=kind, kinds=", ".join(LOOKUP_KINDS)))
    limit = max(1, min(limit, MAX_LIMIT))
    if kind in CATALOG_KINDS:
        return lookup_catalog(kind, query, limit=limit)
    table, code, parent = HUB_KINDS[kind]
    with db.engine.connect() as conn:
        rows = store.named_rows(conn, table, [code, "name", parent], read_scope(principal, table))
        if kind == "regions":  # the hub's own counties before the rest of the country (jsq: 金水区 before 金山区)
            home = _home_regions(conn)
            rows.sort(key=lambda r: str(r[0]) not in home)
        hits = find_entries([make_entry(str(r[0]), str(r[1] or "")) for r in rows], query, limit=limit)
        parents = {str(r[0]): str(r[2] or "") for r in rows}
        region_names = _hub_names(conn, "regions", "code", {parents[h.code] for h in hits if parents[h.code]})
    return [replace(h, context=region_names.get(parents[h.code], parents[h.code])) for h in hits]


def _home_regions(conn: Connection) -> frozenset[str]:
    """The regions the hub's schools, enterprises and economic figures are in."""
    return (repo.read_codes(conn, "institutions", "county_code") | repo.read_codes(conn, "enterprises", "county_code")
            | repo.read_codes(conn, "regional_economy", "region_code"))


def _hub_names(conn: Connection, table: str, code: str, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {str(c): str(n) for c, n in store.read_where_in(conn, table, [code, "name"], code, wanted)}


def code_names(db: Database, spec: TableSpec, rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """``{field: {code: name}}`` for the code fields of ``spec`` in ``rows`` (catalogue codes, regions, schools
    and enterprises), to show a name beside each code."""
    rows = list(rows)
    names: dict[str, dict[str, str]] = {}
    with db.engine.connect() as conn:
        for f in spec.fields:
            codes = {str(r[f.name]) for r in rows if r.get(f.name)}
            if f.check in ("major", "occupation", "industry"):
                catalogue = catalog_names(CHECK_KINDS[f.check])
                names[f.name] = {c: catalogue[c] for c in codes if c in catalogue}
            elif f.check in REFERENCE_TARGETS:
                table, column = REFERENCE_TARGETS[f.check]
                names[f.name] = _hub_names(conn, table, column, codes)
    return names
