"""Reading posts: one post, filtered pages, and the public summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

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
    own_clause,
    read_clause,
)
from silian.storage.database import Database
from silian.storage.platform_schema import posts
from silian.storage.schema import hub_tables

# ---------------------------------------------------------------- reading posts

def _names_query() -> sa.Select[Any]:
    ent, school, region = hub_tables["enterprises"], hub_tables["institutions"], hub_tables["regions"]
    return (sa.select(posts, ent.c.name.label("enterprise_name"), school.c.name.label("institution_name"),
                      region.c.name.label("region_name"))
            .select_from(posts.outerjoin(ent, ent.c.credit_code == posts.c.enterprise_credit_code)
                         .outerjoin(school, school.c.code == posts.c.institution_code)
                         .outerjoin(region, region.c.code == posts.c.region_code)))


def _post_dict(row: Any) -> dict[str, Any]:
    catalog = get_catalog()
    majors, occupations = catalog.major_names, catalog.occupation_names
    data = dict(row._mapping)
    data.update(kind_name=kind_name(data["kind"]), status_name=t(f"post_status_{data['status']}"),
                major_name=majors.get(data["major_code"] or ""), occupation_name=occupations.get(data["occupation_code"] or ""),
                owner_name=data["enterprise_name"] if data["kind"] in ENTERPRISE_KINDS else data["institution_name"])
    return data


def get_post(db: Database, p: Principal, post_id: int) -> dict[str, Any]:
    """One post ``p`` may see, with names; NotFound otherwise (no difference shown)."""
    with db.engine.connect() as conn:
        return fetch_post(conn, p, post_id)


def fetch_post(conn: sa.Connection, p: Principal, post_id: int, *, lock: bool = False) -> dict[str, Any]:
    query = _names_query().where(posts.c.id == post_id).where(read_clause(p))
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(t("post_not_found", id=post_id))
    if lock and conn.dialect.name == "postgresql":  # serialise responses and decisions on one post
        conn.execute(sa.select(posts.c.id).where(posts.c.id == post_id).with_for_update())
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


def _filter_clauses(p: Principal, f: PostFilters) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    links = get_catalog().major_occupations
    if kind := _choice(f.kind, POST_KINDS):
        clauses.append(posts.c.kind == kind)
    if status := _choice(f.status, POST_STATUSES):
        clauses.append(posts.c.status == status)
    if level := _choice(f.skill_level, SKILL_LEVELS):
        clauses.append(posts.c.skill_level == level)
    if f.county:
        clauses.append(posts.c.region_code == f.county.strip())
    if f.major_code:
        major = get_catalog().normalize_major_code(f.major_code) or f.major_code.strip()
        occupations = links.filter(pl.col("major_code") == major)["occupation_code"].to_list()
        clauses.append(sa.or_(posts.c.major_code == major, posts.c.occupation_code.in_(occupations)))
    if f.occupation_code:
        code = f.occupation_code.strip()
        majors = links.filter(pl.col("occupation_code") == code)["major_code"].to_list()
        clauses.append(sa.or_(posts.c.occupation_code == code, posts.c.major_code.in_(majors)))
    if f.q and f.q.strip():
        text = f.q.strip()
        clauses.append(sa.or_(posts.c.title.icontains(text, autoescape=True),
                              posts.c.description.icontains(text, autoescape=True)))
    if f.mine:
        clauses.append(own_clause(p) if own_clause(p) is not None else sa.false())  # type: ignore[arg-type]
    return clauses


def _order(sort: str | None) -> list[Any]:
    sort = sort or "-created_at"
    field = sort.lstrip("-")
    if field not in SORT_FIELDS:
        raise InvalidInput(t("post_bad_sort", field=field, fields=", ".join(SORT_FIELDS)))
    column = posts.c[field]
    return [column.desc() if sort.startswith("-") else column.asc(), posts.c.id.desc()]


def list_posts(db: Database, p: Principal, filters: PostFilters | None = None, *, sort: str | None = None,
               page: int = 1, page_size: int = 20) -> PostPage:
    """Posts ``p`` may see, filtered, sorted (``field`` or ``-field``; newest first by default), one page."""
    query = _names_query().where(read_clause(p), *_filter_clauses(p, filters or PostFilters()))
    page_size, page = max(1, min(page_size, MAX_PAGE_SIZE)), max(1, page)
    with db.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(*_order(sort)).limit(page_size).offset((page - 1) * page_size)).all()
    return PostPage([_post_dict(r) for r in rows], int(total), page, page_size)


def post_summary(db: Database) -> list[dict[str, Any]]:
    """Open posts by kind: number of posts and total people or seats (what the public sees; no detail)."""
    query = (sa.select(posts.c.kind, sa.func.count().label("posts"), sa.func.coalesce(sa.func.sum(posts.c.count), 0).label("total"))
             .where(posts.c.status == "open").group_by(posts.c.kind))
    with db.engine.connect() as conn:
        found = {r.kind: (int(r.posts), int(r.total)) for r in conn.execute(query)}
    return [{"kind": k, "kind_name": kind_name(k), "posts": found.get(k, (0, 0))[0], "total": found.get(k, (0, 0))[1]}
            for k in POST_KINDS]


