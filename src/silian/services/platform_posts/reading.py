"""Reading posts: one post, filtered pages, and the public summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from silian.catalog import get_catalog
from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound
from silian.domain.messages import t
from silian.domain.vocab import ENTERPRISE_KINDS, POST_KINDS, POST_STATUSES, SKILL_LEVELS
from silian.services.platform_posts.rules import (
    MAX_PAGE_SIZE,
    SORT_FIELDS,
    PostPage,
    kind_name,
)
from silian.storage import platform_posts as store
from silian.storage.database import Connection, Database

# ---------------------------------------------------------------- reading posts

def _post_dict(data: dict[str, Any]) -> dict[str, Any]:
    catalog = get_catalog()
    majors, occupations = catalog.major_names, catalog.occupation_names
    data.update(kind_name=kind_name(data["kind"]), status_name=t(f"post_status_{data['status']}"),
                major_name=majors.get(data["major_code"] or ""), occupation_name=occupations.get(data["occupation_code"] or ""),
                owner_name=data["enterprise_name"] if data["kind"] in ENTERPRISE_KINDS else data["institution_name"])
    return data


def get_post(db: Database, principal: Principal, post_id: int) -> dict[str, Any]:
    """One post ``p`` may see, with names; NotFound otherwise (no difference shown)."""
    with db.engine.connect() as conn:
        return fetch_post(conn, principal, post_id)


def fetch_post(conn: Connection, principal: Principal, post_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = store.find_post(conn, principal, post_id, lock=lock)
    if row is None:
        raise NotFound(t("post_not_found", id=post_id))
    return _post_dict(row)


@dataclass(frozen=True)
class PostFilters:
    """What to look for: every field is optional; ``q`` searches title and description; ``mine`` keeps the caller's own.

    ``major_code`` also matches posts naming an occupation the MOHRSS crosswalk links to that major, and
    ``occupation_code`` posts naming a major linked to that occupation."""

    kind: str | None = None
    status: str | None = None
    occupation_code: str | None = None
    major_code: str | None = None
    county: str | None = None
    skill_level: str | None = None
    q: str | None = None
    mine: bool = False


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value and value not in allowed:
        raise InvalidInput(t("post_bad_filter", value=value, values=", ".join(allowed)))
    return value or None


def _search(f: PostFilters) -> store.PostSearch:
    """The filters checked, with the majors and occupations the crosswalk links to the ones asked for."""
    links = get_catalog().major_occupations
    kind, status, level = _choice(f.kind, POST_KINDS), _choice(f.status, POST_STATUSES), _choice(f.skill_level, SKILL_LEVELS)
    major = occupation = None
    if f.major_code:
        code = get_catalog().normalize_major_code(f.major_code) or f.major_code.strip()
        major = (code, links.filter(pl.col("major_code") == code)["occupation_code"].to_list())
    if f.occupation_code:
        code = f.occupation_code.strip()
        occupation = (code, links.filter(pl.col("occupation_code") == code)["major_code"].to_list())
    text = f.q.strip() if f.q and f.q.strip() else None
    return store.PostSearch(kind=kind, status=status, skill_level=level, county=f.county.strip() if f.county else None,
                            major=major, occupation=occupation, text=text, mine=f.mine)


def list_posts(db: Database, principal: Principal, filters: PostFilters | None = None, *, sort: str | None = None,
               page: int = 1, page_size: int = 20) -> PostPage:
    """Posts ``p`` may see, filtered, sorted (``field`` or ``-field``; newest first by default), one page."""
    search = _search(filters or PostFilters())
    sort = sort or "-created_at"
    field = sort.lstrip("-")
    if field not in SORT_FIELDS:
        raise InvalidInput(t("post_bad_sort", field=field, fields=", ".join(SORT_FIELDS)))
    page_size, page = max(1, min(page_size, MAX_PAGE_SIZE)), max(1, page)
    with db.engine.connect() as conn:
        total, rows = store.list_posts(conn, principal, search, sort=field, descending=sort.startswith("-"), limit=page_size,
                                       offset=(page - 1) * page_size)
    return PostPage([_post_dict(r) for r in rows], total, page, page_size)


def post_summary(db: Database) -> list[dict[str, Any]]:
    """Open posts by kind: number of posts and total people or seats (what the public sees; no detail)."""
    with db.engine.connect() as conn:
        found = store.open_posts_by_kind(conn)
    return [{"kind": k, "kind_name": kind_name(k), "posts": found.get(k, (0, 0))[0], "total": found.get(k, (0, 0))[1]}
            for k in POST_KINDS]
