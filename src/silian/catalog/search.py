"""Find majors, occupations and industries by name, alias or code; and what a code picker finds, by name, code
or pinyin (:func:`find_entries`)."""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import polars as pl

from silian.catalog.loader import Catalog, get_catalog


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


# ---------------------------------------------------------------- pickers: by name, code or pinyin
# What a code picker finds (the web's `GET /api/v1/lookup/{kind}`): an entry is a code with its name, a short
# context to tell entries apart, and the name's pinyin (initials and full spelling) computed once per name and
# cached, so `sk` finds 数控技术 and `shukong` does too. The catalogues' entries are built once per process.
CATALOG_KINDS = ("majors", "occupations", "industries")
_NOT_LETTERS = re.compile(r"[^0-9a-z]")


@dataclass(frozen=True)
class Entry:
    """One thing a picker can find."""

    code: str
    name: str
    context: str = ""
    also: str = ""  # other names (occupation aliases), found by their text
    initials: str = ""  # 数控技术 → skjs
    spelled: str = ""  # 数控技术 → shukongjishu


@lru_cache(maxsize=100_000)
def pinyin_keys(text: str) -> tuple[str, str]:
    """``(initials, full pinyin)`` of ``text`` in lower-case letters and digits (other characters dropped):
    数控技术 → ``("skjs", "shukongjishu")``. Readings of words come from pypinyin's phrase dictionary (银行 → yh)."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries load in a third of a second: only when a picker asks

    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    spelled = "".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))
    return _NOT_LETTERS.sub("", initials.lower()), _NOT_LETTERS.sub("", spelled.lower())


def make_entry(code: str, name: str, context: str = "", also: str = "") -> Entry:
    """An entry with its name's pinyin keys."""
    initials, spelled = pinyin_keys(name)
    return Entry(code, name, context, also, initials, spelled)


@lru_cache(maxsize=len(CATALOG_KINDS))
def _catalog_rows(kind: str) -> tuple[tuple[str, str, str, str], ...]:
    """``(code, name, context, other names)`` of every entry of one catalogue, in catalogue order."""
    catalog = get_catalog()
    if kind == "majors":
        return tuple((r["major_code"], r["major_name"], f'{r["level"]} · {r["class_name"]}', "")
                     for r in catalog.majors("current").iter_rows(named=True))
    if kind == "occupations":
        return tuple((r["code"], r["name"], r["level_name"], r["aliases"] or "")
                     for r in catalog.occupations.iter_rows(named=True))
    if kind == "industries":
        return tuple((r["code"], r["name"], r["level"], "") for r in catalog.industries.iter_rows(named=True))
    raise KeyError(kind)


@lru_cache(maxsize=len(CATALOG_KINDS))
def catalog_entries(kind: str) -> tuple[Entry, ...]:
    """Every entry of one catalogue (``majors`` of the current catalogue, ``occupations`` of 2022, ``industries``
    of GB/T 4754-2017) with its pinyin, in catalogue order; built once per process (about a second for the three)."""
    return tuple(make_entry(*row) for row in _catalog_rows(kind))


def _industry_code(text: str) -> str:
    code = text.upper()
    if len(code) > 2 and code[0].isalpha() and code[1:].isdigit():
        return code[1:]  # "C34": 门类 letter + 大类 code, as often written
    return code


CODE_PREFIX = 2  # the rank of a code prefix in :func:`_rank`


def _rank(item: Entry, text: str, code: str, letters: str) -> int | None:
    """How well ``item`` fits the query (0 best), or None when it does not."""
    item_code = item.code.upper()
    checks = (item_code == code, item.name == text, item_code.startswith(code), item.name.startswith(text),
              text in item.name, bool(item.also) and text in item.also,
              bool(letters) and item.initials.startswith(letters), bool(letters) and item.spelled.startswith(letters),
              bool(letters) and letters in item.initials, bool(letters) and letters in item.spelled)
    return next((rank for rank, hit in enumerate(checks) if hit), None)


def find_entries(entries: Sequence[Entry], query: str, *, limit: int, industry_codes: bool = False) -> list[Entry]:
    """The entries that fit ``query`` — by code (from its start), by name (anywhere) or by the pinyin of the name
    (initials or full spelling, from the start first) — best first: an exact code or name, then code and name
    prefixes, names containing it, then pinyin; ties by the shorter name (code prefixes in code order). An empty
    query: the first ``limit``."""
    text = query.strip()
    if not text:
        return list(entries[:limit])
    code = _industry_code(text) if industry_codes else text.upper()
    folded = text.lower().replace(" ", "")
    letters = folded if folded.isascii() and re.search("[a-z]", folded) and not _NOT_LETTERS.search(folded) else ""
    ranked = [(rank, len(item.name) if rank > CODE_PREFIX else 0, index, item) for index, item in enumerate(entries)
              if (rank := _rank(item, text, code, letters)) is not None]  # code prefixes stay in code order
    return [item for *_, item in heapq.nsmallest(limit, ranked)]


def lookup_catalog(kind: str, query: str, *, limit: int = 20) -> list[Entry]:
    """:func:`find_entries` in one catalogue (``majors``, ``occupations`` or ``industries``)."""
    return find_entries(catalog_entries(kind), query, limit=limit, industry_codes=kind == "industries")


def codes_named(kind: str, text: str, *, limit: int = 2000) -> frozenset[str]:
    """Codes of a catalogue whose name (or alias) contains ``text`` (for searching lists of records by name)."""
    wanted = text.strip()
    if not wanted:
        return frozenset()
    found = [code for code, name, _, also in _catalog_rows(kind) if wanted in name or (also and wanted in also)]
    return frozenset(found[:limit])


@lru_cache(maxsize=len(CATALOG_KINDS))
def catalog_names(kind: str) -> dict[str, str]:
    """Code → name of one catalogue."""
    return {code: name for code, name, _, _ in _catalog_rows(kind)}
