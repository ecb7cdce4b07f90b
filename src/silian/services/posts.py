"""The demand-sharing platform (区域性企业产业需求信息共享平台): enterprises post talent demand, technology needs,
order-class and apprenticeship seats; schools post graduate supply and cooperation offers; schools respond to
enterprise posts and the enterprise accepts or declines. An accepted response to a talent-demand, order-class or
apprenticeship post becomes a record of the hub's ``cooperation`` table.

Every post and response is validated like an imported row (catalogue codes, references, counts, periods), limited
to what the principal's role allows and written to the audit log. Who sees what (see docs/platform.md): the city
admin sees every post; county officers their county's; school and enterprise users every open post and their own;
the public only aggregated counts (:func:`post_summary`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.domain.access import Principal, row_in_scope, write_scope
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied, RowProblem
from silian.domain.messages import register_messages, t
from silian.domain.tables import HUB_TABLES, Field, Rule, TableSpec
from silian.domain.vocab import SKILL_LEVELS
from silian.ingest.readers import ROW, RawTable
from silian.ingest.validate import validate_table
from silian.services.accounts import write_audit
from silian.services.imports import build_references
from silian.storage.database import Database
from silian.storage.platform_schema import POST_KINDS, post_responses, posts
from silian.storage.schema import hub_tables

if TYPE_CHECKING:
    from silian.services.hub import HubSnapshot

ENTERPRISE_KINDS = ("talent_demand", "tech_need", "order_class", "apprenticeship")
SCHOOL_KINDS = ("school_supply", "school_offer")
DEMAND_KINDS = ("talent_demand", "order_class", "apprenticeship")  # need an occupation or a major
COOPERATION_KIND = {"talent_demand": "订单班", "order_class": "订单班", "apprenticeship": "现代学徒制"}
POST_STATUSES = ("open", "closed")
RESPONSE_STATUSES = ("pending", "accepted", "declined")
SORT_FIELDS = ("created_at", "updated_at", "count", "period", "title", "id")
EDITABLE = ("title", "description", "occupation_code", "major_code", "skill_level", "count", "period")
MAX_PAGE_SIZE = 200
POST_DEMAND_TABLE = "post_demand"  # the key under which a hub snapshot may carry the declared demand of posts
DEMAND_COLUMNS = {"source": pl.String, "region_code": pl.String, "period": pl.String, "enterprise_credit_code": pl.String,
                  "occupation_code": pl.String, "major_code": pl.String, "skill_level": pl.String, "count": pl.Int64,
                  "is_generated": pl.Boolean}

KIND_NAMES = {"talent_demand": ("人才需求", "Talent demand"), "tech_need": ("技术需求", "Technology need"),
              "order_class": ("订单班名额", "Order-class seats"), "apprenticeship": ("学徒岗位", "Apprenticeship seats"),
              "school_supply": ("毕业生供给", "Graduate supply"), "school_offer": ("合作意向", "Cooperation offer")}
register_messages({
    "post_not_found": ("没有编号为 {id} 的需求（或无权查看）", "No post {id} (or not yours to see)"),
    "post_response_not_found": ("需求 {post} 没有编号为 {id} 的响应（或无权查看）", "Post {post} has no response {id} (or not yours to see)"),
    "post_forbidden_owner": ("只能以本单位名义发布或修改：企业发布人才需求、技术需求、订单班和学徒岗位，学校发布毕业生供给和合作意向；市级管理员可代任何单位发布",
                             "You may publish or change posts only for your own organisation: enterprises post talent demand, technology needs, order-class and apprenticeship seats; schools post graduate supply and offers; the city admin may post for anyone"),
    "post_only_owner": ("只有发布单位或市级管理员可以执行此操作", "Only the post's owner or the city admin may do this"),
    "post_only_school": ("只有学校用户可以响应需求", "Only a school user may respond to a post"),
    "post_not_respondable": ("只能响应企业发布的需求（人才需求、技术需求、订单班、学徒岗位）", "Only enterprise posts (talent demand, technology needs, order-class and apprenticeship seats) take responses"),
    "post_closed": ("需求 {id} 已关闭，不能再响应或修改", "Post {id} is closed: it takes no more responses or changes"),
    "post_responded": ("本校已响应过需求 {id}（响应 {rid}），不能重复响应", "Your school has already responded to post {id} (response {rid})"),
    "post_decided": ("响应 {id} 已处理（{status}），不能再次处理", "Response {id} was already decided ({status})"),
    "post_bad_sort": ("无法按“{field}”排序；可用字段：{fields}", "Cannot sort by '{field}'; fields: {fields}"),
    "post_bad_filter": ("筛选值“{value}”无效；可用值：{values}", "Filter value '{value}' is invalid; allowed: {values}"),
    "post_not_editable": ("字段“{field}”不能修改；可修改：{fields}", "Field '{field}' cannot be changed; changeable: {fields}"),
    "post_occupation_level": ("职业代码须为职业分类大典（2022）细类代码（4 段）", "The occupation code must be a detailed (细类, 4-part) code of the 2022 classification"),
    "post_occupation_level_fix": ("如 6-18-01-07；用 `silian catalog search` 查找", "E.g. 6-18-01-07; look it up with `silian catalog search`"),
    "post_major_required": ("响应订单班、学徒岗位或人才需求须填写本校专业代码", "A response to talent demand, order-class or apprenticeship seats needs your major code"),
    "post_coop_name": ("{kind}：{title}（需求 #{id}）", "{kind}: {title} (post #{id})"),
    "post_status_open": ("开放", "open"), "post_status_closed": ("已关闭", "closed"),
    "resp_status_pending": ("待处理", "pending"), "resp_status_accepted": ("已接受", "accepted"),
    "resp_status_declined": ("已拒绝", "declined"),
    **{f"post_kind_{k}": v for k, v in KIND_NAMES.items()},
})


@dataclass(frozen=True)
class PostPage:
    """One page of posts: the rows, the total number matching, and the page asked for."""

    data: list[dict[str, Any]]
    count: int
    page: int
    page_size: int


def kind_name(kind: str) -> str:
    return t(f"post_kind_{kind}") if kind in KIND_NAMES else kind


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- validation (like an imported row)

def _field(name: str, zh: str, en: str, kind: str = "str", **kw: Any) -> Field:
    return Field(name, zh, en, kind, **kw)


def post_spec(kind: str) -> TableSpec:
    """What a post of ``kind`` must carry: enterprise kinds an enterprise, school kinds a school and a major;
    talent demand, order-class and apprenticeship seats an occupation or a major."""
    school = kind in SCHOOL_KINDS
    fields = (
        _field("kind", "类型", "Kind", required=True, choices=POST_KINDS),
        _field("title", "标题", "Title", required=True, length=200),
        _field("description", "说明", "Description", length=4000),
        _field("enterprise_credit_code", "企业统一社会信用代码", "Enterprise credit code", required=not school,
               check="enterprise", length=18),
        _field("institution_code", "学校代码", "School code", required=school, check="institution", length=20),
        _field("occupation_code", "职业代码", "Occupation code", check="occupation", length=20,
               help="职业分类大典 2022 细类，如 6-18-01-07"),
        _field("major_code", "专业代码", "Major code", required=school, check="major", length=20),
        _field("skill_level", "技能等级", "Skill level", choices=SKILL_LEVELS),
        _field("count", "人数/名额", "Count", "int", required=True, low=0),
        _field("period", "时期", "Period", "period", required=True, length=7, help="年（2025）或年月（2025-09）"),
    )
    rules = (Rule("one_of", ("occupation_code", "major_code")),) if kind in DEMAND_KINDS else ()
    return TableSpec("posts", "需求共享", "Posts", fields, key=("kind", "title"), rules=rules)


def response_spec(post_kind: str) -> TableSpec:
    """A school's response: the school, the major (required for posts that become cooperation), seats, message."""
    fields = (
        _field("institution_code", "学校代码", "School code", required=True, check="institution", length=20),
        _field("major_code", "专业代码", "Major code", required=post_kind in COOPERATION_KIND, check="major", length=20),
        _field("seats", "名额/人数", "Seats", "int", required=True, low=0),
        _field("message", "留言", "Message", length=2000),
    )
    return TableSpec("post_responses", "响应", "Responses", fields, key=("institution_code",))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_row(conn: sa.Connection, spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
    """One row checked exactly like a row of an imported file; typed values, or ImportRejected listing problems."""
    cells = {f.name: (None if _blank(values.get(f.name)) else str(values[f.name]).strip()) for f in spec.fields}
    frame = pl.DataFrame({ROW: [1], **{k: [v] for k, v in cells.items()}},
                         schema={ROW: pl.Int64, **{k: pl.String for k in cells}})
    result = validate_table(RawTable(frame, "api"), spec, build_references(conn), file="request", max_errors=100)
    row = result.frame.drop(ROW, "is_generated").row(0, named=True)
    return {k: (None if v == "" else v) for k, v in row.items()}


def _check_occupation_level(row: dict[str, Any]) -> None:
    code = row.get("occupation_code")
    if code and code.count("-") != 3:
        problem = RowProblem("request", 1, "occupation_code", code, t("post_occupation_level"), t("post_occupation_level_fix"))
        raise ImportRejected(t("rejected", count=1), [problem])


# ---------------------------------------------------------------- who may see and change what

def read_clause(p: Principal) -> sa.ColumnElement[bool]:
    """Posts ``p`` may see: admin all; county officer the county's; school and enterprise users open posts and
    their own (a school also those it answered); the public none (it gets :func:`post_summary`)."""
    if p.is_admin:
        return sa.true()
    if p.role == "county_officer" and p.county_code:
        return posts.c.region_code == p.county_code
    own = _own_clause(p)
    if own is None:
        return sa.false()
    if p.role == "school_user":  # a school keeps seeing the posts it answered, even once closed
        answered = sa.select(post_responses.c.post_id).where(post_responses.c.institution_code == p.institution_code)
        own = sa.or_(own, posts.c.id.in_(answered))
    return sa.or_(posts.c.status == "open", own)


def _own_clause(p: Principal) -> sa.ColumnElement[bool] | None:
    if p.role == "enterprise_user" and p.enterprise_credit_code:
        return sa.and_(posts.c.kind.in_(ENTERPRISE_KINDS), posts.c.enterprise_credit_code == p.enterprise_credit_code)
    if p.role == "school_user" and p.institution_code:
        return sa.and_(posts.c.kind.in_(SCHOOL_KINDS), posts.c.institution_code == p.institution_code)
    return None


def owns(p: Principal, post: dict[str, Any]) -> bool:
    """Whether ``p`` may change ``post`` (publish it, edit, close, decide its responses)."""
    if p.is_admin:
        return True
    if post.get("kind") in ENTERPRISE_KINDS:
        return p.role == "enterprise_user" and bool(p.enterprise_credit_code) and post.get("enterprise_credit_code") == p.enterprise_credit_code
    if post.get("kind") in SCHOOL_KINDS:
        return p.role == "school_user" and bool(p.institution_code) and post.get("institution_code") == p.institution_code
    return False


# ---------------------------------------------------------------- reading posts

def _names_query() -> sa.Select[Any]:
    ent, school, region = hub_tables["enterprises"], hub_tables["institutions"], hub_tables["regions"]
    return (sa.select(posts, ent.c.name.label("enterprise_name"), school.c.name.label("institution_name"),
                      region.c.name.label("region_name"))
            .select_from(posts.outerjoin(ent, ent.c.credit_code == posts.c.enterprise_credit_code)
                         .outerjoin(school, school.c.code == posts.c.institution_code)
                         .outerjoin(region, region.c.code == posts.c.region_code)))


@lru_cache(maxsize=1)
def _catalog_names() -> tuple[dict[str, str], dict[str, str]]:
    catalog = get_catalog()
    majors = catalog.majors("current")
    occupations = catalog.occupations
    return (dict(zip(majors["major_code"], majors["major_name"], strict=True)),
            dict(zip(occupations["code"], occupations["name"], strict=True)))


def _post_dict(row: Any) -> dict[str, Any]:
    majors, occupations = _catalog_names()
    data = dict(row._mapping)
    data.update(kind_name=kind_name(data["kind"]), status_name=t(f"post_status_{data['status']}"),
                major_name=majors.get(data["major_code"] or ""), occupation_name=occupations.get(data["occupation_code"] or ""),
                owner_name=data["enterprise_name"] if data["kind"] in ENTERPRISE_KINDS else data["institution_name"])
    return data


def get_post(db: Database, p: Principal, post_id: int) -> dict[str, Any]:
    """One post ``p`` may see, with names; NotFound otherwise (no difference shown)."""
    with db.engine.connect() as conn:
        return _get_post(conn, p, post_id)


def _get_post(conn: sa.Connection, p: Principal, post_id: int, *, lock: bool = False) -> dict[str, Any]:
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
        clauses.append(_own_clause(p) if _own_clause(p) is not None else sa.false())  # type: ignore[arg-type]
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


# ---------------------------------------------------------------- publishing and changing posts

def _with_owner_defaults(p: Principal, values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    kind = values.get("kind")
    if kind in ENTERPRISE_KINDS and p.role == "enterprise_user" and _blank(values.get("enterprise_credit_code")):
        values["enterprise_credit_code"] = p.enterprise_credit_code
    if kind in SCHOOL_KINDS and p.role == "school_user" and _blank(values.get("institution_code")):
        values["institution_code"] = p.institution_code
    if kind in ENTERPRISE_KINDS:
        values["institution_code"] = None
    elif kind in SCHOOL_KINDS:
        values["enterprise_credit_code"] = None
    return values


def _owner_county(conn: sa.Connection, row: dict[str, Any]) -> str | None:
    if row["kind"] in ENTERPRISE_KINDS:
        table, column, code = hub_tables["enterprises"], "credit_code", row["enterprise_credit_code"]
    else:
        table, column, code = hub_tables["institutions"], "code", row["institution_code"]
    return conn.execute(sa.select(table.c.county_code).where(table.c[column] == code)).scalar_one_or_none()


def _validated_post(conn: sa.Connection, p: Principal, values: dict[str, Any]) -> dict[str, Any]:
    kind = values.get("kind")
    if kind not in POST_KINDS:
        validate_row(conn, post_spec("tech_need"), values)  # reports the bad kind (and anything else wrong)
    if not owns(p, values):
        raise PermissionDenied(t("post_forbidden_owner"))
    row = validate_row(conn, post_spec(str(kind)), values)
    _check_occupation_level(row)
    if row["kind"] in ENTERPRISE_KINDS and not row.get("skill_level"):
        row["skill_level"] = "不限"
    if row["kind"] in SCHOOL_KINDS:
        row["skill_level"] = row.get("skill_level") or None
    return row


def create_post(db: Database, p: Principal, values: dict[str, Any], client: str = "") -> dict[str, Any]:
    """Publish a post for the principal's own enterprise or school (any, for the city admin); audited."""
    if p.is_public:
        raise PermissionDenied(t("post_forbidden_owner"))
    with db.begin() as conn:
        row = _validated_post(conn, p, _with_owner_defaults(p, values))
        now = _now()
        full = {**row, "description": row.get("description") or "", "region_code": _owner_county(conn, row),
                "status": "open", "created_by": p.user_id, "created_at": now, "updated_at": now}
        new_id = int(conn.execute(posts.insert().values(**full)).inserted_primary_key[0])
        write_audit(conn, p, "create", "posts", str(new_id), None, full, client)
        return _get_post(conn, p, new_id)


def update_post(db: Database, p: Principal, post_id: int, changes: dict[str, Any], client: str = "") -> dict[str, Any]:
    """Change the content of an open post (owner or city admin); the whole post is re-validated; audited."""
    with db.begin() as conn:
        before = _get_post(conn, p, post_id)
        if not owns(p, before):
            raise PermissionDenied(t("post_only_owner"))
        for field in changes:
            if field not in EDITABLE:
                raise InvalidInput(t("post_not_editable", field=field, fields=", ".join(EDITABLE)))
        if before["status"] != "open":
            raise InvalidInput(t("post_closed", id=post_id))
        stored = {k: before[k] for k in ("kind", "enterprise_credit_code", "institution_code", *EDITABLE)}
        row = _validated_post(conn, p, {**stored, **changes})
        values = {k: row[k] for k in EDITABLE} | {"description": row.get("description") or "", "updated_at": _now()}
        conn.execute(posts.update().where(posts.c.id == post_id).values(**values))
        write_audit(conn, p, "update", "posts", str(post_id), _plain(before), values, client)
        return _get_post(conn, p, post_id)


def close_post(db: Database, p: Principal, post_id: int, client: str = "") -> dict[str, Any]:
    """Close a post (owner or city admin): it leaves the open lists and takes no more responses; audited."""
    with db.begin() as conn:
        before = _get_post(conn, p, post_id)
        if not owns(p, before):
            raise PermissionDenied(t("post_only_owner"))
        if before["status"] != "closed":
            conn.execute(posts.update().where(posts.c.id == post_id).values(status="closed", updated_at=_now()))
            write_audit(conn, p, "update", "posts", str(post_id), {"status": before["status"]}, {"status": "closed"}, client)
        return _get_post(conn, p, post_id)


def _plain(post: dict[str, Any]) -> dict[str, Any]:
    return {c.name: post[c.name] for c in posts.columns if c.name in post}


def school_majors(db: Database, institution_code: str) -> list[tuple[str, str]]:
    """(code, name) of the majors a school offers in its latest reported year (for the response form)."""
    mp = hub_tables["major_points"]
    latest = sa.select(sa.func.max(mp.c.year)).where(mp.c.institution_code == institution_code).scalar_subquery()
    query = (sa.select(mp.c.major_code).where(mp.c.institution_code == institution_code, mp.c.year == latest)
             .distinct().order_by(mp.c.major_code))
    majors, _ = _catalog_names()
    with db.engine.connect() as conn:
        return [(code, majors.get(code, code)) for code in conn.execute(query).scalars()]


# ---------------------------------------------------------------- responses

def _response_query() -> sa.Select[Any]:
    school = hub_tables["institutions"]
    return (sa.select(post_responses, school.c.name.label("institution_name"))
            .select_from(post_responses.outerjoin(school, school.c.code == post_responses.c.institution_code)))


def _response_dict(conn: sa.Connection, row: Any) -> dict[str, Any]:
    majors, _ = _catalog_names()
    data = dict(row._mapping)
    data.update(major_name=majors.get(data["major_code"] or ""), status_name=t(f"resp_status_{data['status']}"),
                cooperation=None)
    if data["cooperation_id"] is not None:
        coop = hub_tables["cooperation"]
        found = conn.execute(sa.select(coop).where(coop.c.id == data["cooperation_id"])).first()
        data["cooperation"] = {c: getattr(found, c) for c in ("id", *HUB_TABLES["cooperation"].field_names)} if found else None
    return data


def list_responses(db: Database, p: Principal, post_id: int) -> list[dict[str, Any]]:
    """Responses to a post: all of them for its owner and the city admin; a school its own; others 403."""
    with db.engine.connect() as conn:
        post = _get_post(conn, p, post_id)
        query = _response_query().where(post_responses.c.post_id == post_id).order_by(post_responses.c.id)
        if not owns(p, post):
            if p.role != "school_user" or not p.institution_code:
                raise PermissionDenied(t("post_only_owner"))
            query = query.where(post_responses.c.institution_code == p.institution_code)
        return [_response_dict(conn, r) for r in conn.execute(query)]


def respond(db: Database, p: Principal, post_id: int, values: dict[str, Any], client: str = "") -> dict[str, Any]:
    """A school answers an open enterprise post (once): seats, major and message; audited."""
    if p.role != "school_user" or not p.institution_code:
        raise PermissionDenied(t("post_only_school"))
    with db.begin() as conn:
        post = _get_post(conn, p, post_id, lock=True)
        if post["kind"] not in ENTERPRISE_KINDS:
            raise InvalidInput(t("post_not_respondable"))
        if post["status"] != "open":
            raise InvalidInput(t("post_closed", id=post_id))
        earlier = conn.execute(sa.select(post_responses.c.id).where(
            post_responses.c.post_id == post_id, post_responses.c.institution_code == p.institution_code)).first()
        if earlier is not None:
            raise InvalidInput(t("post_responded", id=post_id, rid=earlier.id))
        row = validate_row(conn, response_spec(post["kind"]), {**values, "institution_code": p.institution_code})
        full = {**row, "message": row.get("message") or "", "post_id": post_id,
                "enterprise_credit_code": post["enterprise_credit_code"], "status": "pending",
                "created_by": p.user_id, "created_at": _now()}
        new_id = int(conn.execute(post_responses.insert().values(**full)).inserted_primary_key[0])
        write_audit(conn, p, "create", "post_responses", str(new_id), None, full, client)
        return _one_response(conn, post_id, new_id)


def _one_response(conn: sa.Connection, post_id: int, response_id: int) -> dict[str, Any]:
    row = conn.execute(_response_query().where(post_responses.c.id == response_id,
                                               post_responses.c.post_id == post_id)).first()
    if row is None:
        raise NotFound(t("post_response_not_found", post=post_id, id=response_id))
    return _response_dict(conn, row)


def decide(db: Database, p: Principal, post_id: int, response_id: int, *, accept: bool, client: str = "") -> dict[str, Any]:
    """The post's owner (or the city admin) accepts or declines a pending response; accepting a response to talent
    demand, order-class or apprenticeship seats writes a cooperation record, linked back; all audited."""
    with db.begin() as conn:
        post = _get_post(conn, p, post_id, lock=True)
        if not owns(p, post):
            raise PermissionDenied(t("post_only_owner"))
        response = _one_response(conn, post_id, response_id)
        if response["status"] != "pending":
            raise InvalidInput(t("post_decided", id=response_id, status=response["status_name"]))
        changes: dict[str, Any] = {"status": "accepted" if accept else "declined", "decided_at": _now()}
        if accept and post["kind"] in COOPERATION_KIND:
            changes["cooperation_id"] = _create_cooperation(conn, p, post, response, client)
        conn.execute(post_responses.update().where(post_responses.c.id == response_id).values(**changes))
        write_audit(conn, p, "update", "post_responses", str(response_id), {"status": "pending"}, changes, client)
        return _one_response(conn, post_id, response_id)


def _create_cooperation(conn: sa.Connection, p: Principal, post: dict[str, Any], response: dict[str, Any], client: str) -> int:
    """The accepted response as a ``cooperation`` record, validated like an imported row and in the owner's scope."""
    kind = COOPERATION_KIND[post["kind"]]
    name = t("post_coop_name", in_lang="zh", kind=kind, title=post["title"][:150], id=post["id"])
    values = {"kind": kind, "institution_code": response["institution_code"],
              "enterprise_credit_code": post["enterprise_credit_code"],
              "major_code": response["major_code"] or post["major_code"], "name": name,
              "start_year": _now().year, "participants": response["seats"]}
    spec = HUB_TABLES["cooperation"]
    row = validate_row(conn, spec, values)
    if not row_in_scope(write_scope(p, "cooperation"), row):
        raise PermissionDenied(t("post_only_owner"))
    table = hub_tables["cooperation"]
    row = {k: ("" if v is None and k in spec.key else v) for k, v in row.items()}
    new_id = int(conn.execute(table.insert().values(**row, is_generated=False)).inserted_primary_key[0])
    write_audit(conn, p, "create", "cooperation", str(new_id), None, row, client)
    return new_id


# ---------------------------------------------------------------- posts as declared demand (alignment)

def read_post_demand(conn: sa.Connection) -> pl.DataFrame:
    """Open talent-demand posts as rows of the hub's ``demand`` table (source ``declared``)."""
    query = (sa.select(posts.c.region_code, posts.c.period, posts.c.enterprise_credit_code, posts.c.occupation_code,
                       posts.c.major_code, posts.c.skill_level, posts.c.count)
             .where(posts.c.kind == "talent_demand", posts.c.status == "open").order_by(posts.c.id))
    rows = [{**r._mapping, "source": "declared", "skill_level": r.skill_level or "不限", "is_generated": False}
            for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=DEMAND_COLUMNS).select(list(DEMAND_COLUMNS))


def post_demand(db: Database) -> pl.DataFrame:
    """:func:`read_post_demand` on its own connection."""
    with db.engine.connect() as conn:
        return read_post_demand(conn)


def declared_post_demand(hub: HubSnapshot) -> pl.DataFrame:
    """The declared demand of open talent-demand posts carried by ``hub`` (empty when the snapshot has none)."""
    frame = hub.tables.get(POST_DEMAND_TABLE)
    return frame if frame is not None else pl.DataFrame(schema=DEMAND_COLUMNS)


def with_post_demand(hub: HubSnapshot, db: Database) -> HubSnapshot:
    """``hub`` plus the open talent-demand posts of ``db`` (under :data:`POST_DEMAND_TABLE`)."""
    from silian.services.hub import HubSnapshot
    return HubSnapshot(tables={**hub.tables, POST_DEMAND_TABLE: post_demand(db)},
                       generated=hub.generated, database=hub.database)


def status_label(status: str) -> str:
    key = f"post_status_{status}" if status in POST_STATUSES else f"resp_status_{status}"
    return t(key)

