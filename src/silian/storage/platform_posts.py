"""SQL of the demand-sharing platform: posts, responses to them, and open talent-demand posts as declared demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from silian.domain.access import Principal
from silian.domain.vocab import DEMAND_KINDS, ENTERPRISE_KINDS, SCHOOL_KINDS
from silian.storage.platform_schema import post_responses, posts
from silian.storage.schema import hub_tables

# open talent-demand posts read as rows of the hub's ``demand`` table
DEMAND_COLUMNS = {"source": pl.String, "region_code": pl.String, "period": pl.String, "enterprise_credit_code": pl.String,
                  "occupation_code": pl.String, "major_code": pl.String, "skill_level": pl.String, "count": pl.Int64,
                  "is_generated": pl.Boolean}


def read_post_demand(conn: Connection) -> pl.DataFrame:
    """Open talent-demand posts as rows of the hub's ``demand`` table (source ``declared``)."""
    query = (sa.select(posts.c.region_code, posts.c.period, posts.c.enterprise_credit_code, posts.c.occupation_code,
                       posts.c.major_code, posts.c.skill_level, posts.c.count)
             .where(posts.c.kind == "talent_demand", posts.c.status == "open").order_by(posts.c.id))
    rows = [{**r._mapping, "source": "declared", "skill_level": r.skill_level or "不限", "is_generated": False}
            for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=DEMAND_COLUMNS).select(list(DEMAND_COLUMNS))


# ---------------------------------------------------------------- who may see which posts

def _own_clause(principal: Principal) -> sa.ColumnElement[bool] | None:
    if principal.role == "enterprise_user" and principal.enterprise_credit_code:
        return sa.and_(posts.c.kind.in_(ENTERPRISE_KINDS), posts.c.enterprise_credit_code == principal.enterprise_credit_code)
    if principal.role == "school_user" and principal.institution_code:
        return sa.and_(posts.c.kind.in_(SCHOOL_KINDS), posts.c.institution_code == principal.institution_code)
    return None


def _visible_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """Posts ``p`` may see: admin all; county officer the county's; school and enterprise users open posts and
    their own (a school also those it answered); the public none (it gets the summary)."""
    if principal.is_admin:
        return sa.true()
    if principal.role == "county_officer" and principal.county_code:
        return posts.c.region_code == principal.county_code
    own = _own_clause(principal)
    if own is None:
        return sa.false()
    if principal.role == "school_user":  # a school keeps seeing the posts it answered, even once closed
        answered = sa.select(post_responses.c.post_id).where(post_responses.c.institution_code == principal.institution_code)
        own = sa.or_(own, posts.c.id.in_(answered))
    return sa.or_(posts.c.status == "open", own)


# ---------------------------------------------------------------- reading posts

POST_COLUMNS = tuple(c.name for c in posts.columns)


@dataclass(frozen=True)
class PostSearch:
    """Which posts to list (every part optional): ``major`` is a major code with the occupations linked to it (a post
    matches either), ``occupation`` an occupation code with its linked majors; ``text`` is searched in title and
    description; ``mine`` keeps the principal's own posts."""

    kind: str | None = None
    status: str | None = None
    skill_level: str | None = None
    county: str | None = None
    major: tuple[str, list[str]] | None = None
    occupation: tuple[str, list[str]] | None = None
    text: str | None = None
    mine: bool = False


def _names_query() -> sa.Select[Any]:
    ent, school, region = hub_tables["enterprises"], hub_tables["institutions"], hub_tables["regions"]
    return (sa.select(posts, ent.c.name.label("enterprise_name"), school.c.name.label("institution_name"),
                      region.c.name.label("region_name"))
            .select_from(posts.outerjoin(ent, ent.c.credit_code == posts.c.enterprise_credit_code)
                         .outerjoin(school, school.c.code == posts.c.institution_code)
                         .outerjoin(region, region.c.code == posts.c.region_code)))


def find_post(conn: Connection, principal: Principal, post_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """One post ``p`` may see, with the names of its enterprise, school and region (None otherwise). ``lock``: on
    PostgreSQL, hold the post's row until the transaction ends (serialises responses and decisions on one post)."""
    row = conn.execute(_names_query().where(posts.c.id == post_id).where(_visible_clause(principal))).first()
    if row is None:
        return None
    if lock and conn.dialect.name == "postgresql":
        conn.execute(sa.select(posts.c.id).where(posts.c.id == post_id).with_for_update())
    return dict(row._mapping)


def _search_clauses(principal: Principal, s: PostSearch) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if s.kind:
        clauses.append(posts.c.kind == s.kind)
    if s.status:
        clauses.append(posts.c.status == s.status)
    if s.skill_level:
        clauses.append(posts.c.skill_level == s.skill_level)
    if s.county is not None:
        clauses.append(posts.c.region_code == s.county)
    if s.major is not None:
        major, occupations = s.major
        clauses.append(sa.or_(posts.c.major_code == major, posts.c.occupation_code.in_(occupations)))
    if s.occupation is not None:
        code, majors = s.occupation
        clauses.append(sa.or_(posts.c.occupation_code == code, posts.c.major_code.in_(majors)))
    if s.text:
        clauses.append(sa.or_(posts.c.title.icontains(s.text, autoescape=True),
                              posts.c.description.icontains(s.text, autoescape=True)))
    if s.mine:
        own = _own_clause(principal)
        clauses.append(own if own is not None else sa.false())
    return clauses


def list_posts(conn: Connection, principal: Principal, search: PostSearch, *, sort: str, descending: bool, limit: int,
               offset: int) -> tuple[int, list[dict[str, Any]]]:
    """``(posts matching, one page of them)`` of the posts ``p`` may see, ordered by column ``sort`` (then the
    newest id first), with names as :func:`find_post`."""
    query = _names_query().where(_visible_clause(principal), *_search_clauses(principal, search))
    column = posts.c[sort]
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    order = [column.desc() if descending else column.asc(), posts.c.id.desc()]
    rows = conn.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return int(total), [dict(r._mapping) for r in rows]


def open_posts_by_kind(conn: Connection) -> dict[str, tuple[int, int]]:
    """``{kind: (open posts, total people or seats)}``."""
    query = (sa.select(posts.c.kind, sa.func.count().label("posts"),
                       sa.func.coalesce(sa.func.sum(posts.c.count), 0).label("total"))
             .where(posts.c.status == "open").group_by(posts.c.kind))
    return {r.kind: (int(r.posts), int(r.total)) for r in conn.execute(query)}


def open_demand_rows(conn: Connection) -> list[tuple[str | None, str | None, str | None, int]]:
    """``(enterprise, occupation, major, count)`` of every open post of a demand kind."""
    query = (sa.select(posts.c.enterprise_credit_code, posts.c.occupation_code, posts.c.major_code, posts.c.count)
             .where(posts.c.kind.in_(DEMAND_KINDS), posts.c.status == "open"))
    return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


# ---------------------------------------------------------------- writing posts

def insert_post(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(posts.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def update_post(conn: Connection, post_id: int, values: dict[str, Any]) -> None:
    conn.execute(posts.update().where(posts.c.id == post_id).values(**values))


# ---------------------------------------------------------------- responses

def _response_query() -> sa.Select[Any]:
    school = hub_tables["institutions"]
    return (sa.select(post_responses, school.c.name.label("institution_name"))
            .select_from(post_responses.outerjoin(school, school.c.code == post_responses.c.institution_code)))


def list_responses(conn: Connection, post_id: int, *, institution_code: str | None = None) -> list[dict[str, Any]]:
    """The responses to a post (only one school's, when given), oldest first, with the school's name."""
    query = _response_query().where(post_responses.c.post_id == post_id).order_by(post_responses.c.id)
    if institution_code is not None:
        query = query.where(post_responses.c.institution_code == institution_code)
    return [dict(r._mapping) for r in conn.execute(query)]


def find_response(conn: Connection, post_id: int, response_id: int) -> dict[str, Any] | None:
    row = conn.execute(_response_query().where(post_responses.c.id == response_id,
                                               post_responses.c.post_id == post_id)).first()
    return dict(row._mapping) if row is not None else None


def find_response_id(conn: Connection, post_id: int, institution_code: str | None) -> int | None:
    """The id of a school's response to a post, if it responded."""
    return conn.execute(sa.select(post_responses.c.id).where(
        post_responses.c.post_id == post_id, post_responses.c.institution_code == institution_code)).scalar()


def insert_response(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(post_responses.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def update_response(conn: Connection, response_id: int, values: dict[str, Any]) -> None:
    conn.execute(post_responses.update().where(post_responses.c.id == response_id).values(**values))
