"""Demand-sharing posts: messages, validation like an imported row, and who may change what (who may see what:
:mod:`silian.storage.platform_posts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected, RowProblem
from silian.domain.messages import register_messages, t
from silian.domain.tables import Field, Rule, TableSpec
from silian.domain.vocab import (
    DEMAND_KINDS,
    ENTERPRISE_KINDS,
    KIND_NAMES,
    POST_KINDS,
    POST_STATUSES,
    SCHOOL_KINDS,
    SKILL_LEVELS,
)
from silian.ingest.readers import ROW, RawTable
from silian.ingest.validate import validate_table
from silian.services.imports import build_references
from silian.storage.database import Connection

COOPERATION_KIND = {"talent_demand": "订单班", "order_class": "订单班", "apprenticeship": "现代学徒制"}
SORT_FIELDS = ("created_at", "updated_at", "count", "period", "title", "id")
EDITABLE = ("title", "description", "occupation_code", "major_code", "skill_level", "count", "period")
MAX_PAGE_SIZE = 200

register_messages(
    {
        "post_not_found": ("没有编号为 {id} 的需求（或无权查看）", "No post {id} (or not yours to see)"),
        "post_response_not_found": (
            "需求 {post} 没有编号为 {id} 的响应（或无权查看）",
            "Post {post} has no response {id} (or not yours to see)",
        ),
        "post_forbidden_owner": (
            "只能以本单位名义发布或修改：企业发布人才需求、技术需求、订单班和学徒岗位，学校发布毕业生供给和合作意向；市级管理员可代任何单位发布",
            (
                "You may publish or change posts only for your own organisation: enterp"
                "rises post talent demand, technology needs, order-class and apprentice"
                "ship seats; schools post graduate supply and offers; the city admin ma"
                "y post for anyone"
            ),
        ),
        "post_only_owner": (
            "只有发布单位或市级管理员可以执行此操作",
            "Only the post's owner or the city admin may do this",
        ),
        "post_only_school": ("只有学校用户可以响应需求", "Only a school user may respond to a post"),
        "post_not_respondable": (
            "只能响应企业发布的需求（人才需求、技术需求、订单班、学徒岗位）",
            "Only enterprise posts (talent demand, technology needs, order-class and apprenticeship seats) take responses",
        ),
        "post_closed": (
            "需求 {id} 已关闭，不能再响应或修改",
            "Post {id} is closed: it takes no more responses or changes",
        ),
        "post_responded": (
            "本校已响应过需求 {id}（响应 {rid}），不能重复响应",
            "Your school has already responded to post {id} (response {rid})",
        ),
        "post_decided": ("响应 {id} 已处理（{status}），不能再次处理", "Response {id} was already decided ({status})"),
        "post_bad_sort": ("无法按“{field}”排序；可用字段：{fields}", "Cannot sort by '{field}'; fields: {fields}"),
        "post_bad_filter": (
            "筛选值“{value}”无效；可用值：{values}",
            "Filter value '{value}' is invalid; allowed: {values}",
        ),
        "post_not_editable": (
            "字段“{field}”不能修改；可修改：{fields}",
            "Field '{field}' cannot be changed; changeable: {fields}",
        ),
        "post_occupation_level": (
            "职业代码须为职业分类大典（2022）细类代码（4 段）",
            "The occupation code must be a detailed (细类, 4-part) code of the 2022 classification",
        ),
        "post_occupation_level_fix": (
            "如 6-18-01-07；用 `silian catalog search` 查找",
            "E.g. 6-18-01-07; look it up with `silian catalog search`",
        ),
        "post_major_required": (
            "响应订单班、学徒岗位或人才需求须填写本校专业代码",
            "A response to talent demand, order-class or apprenticeship seats needs your major code",
        ),
        "post_coop_name": ("{kind}：{title}（需求 #{id}）", "{kind}: {title} (post #{id})"),
        "post_status_open": ("开放", "open"),
        "post_status_closed": ("已关闭", "closed"),
        "resp_status_pending": ("待处理", "pending"),
        "resp_status_accepted": ("已接受", "accepted"),
        "resp_status_declined": ("已拒绝", "declined"),
        **{f"post_kind_{k}": v for k, v in KIND_NAMES.items()},
    }
)


@dataclass(frozen=True)
class PostPage:
    """One page of posts: the rows, the total number matching, and the page asked for."""

    data: list[dict[str, Any]]
    count: int
    page: int
    page_size: int


def kind_name(kind: str) -> str:
    return t(f"post_kind_{kind}") if kind in KIND_NAMES else kind


def utc_now() -> datetime:
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


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_row(conn: Connection, spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
    """One row checked exactly like a row of an imported file; typed values, or ImportRejected listing problems."""
    cells = {f.name: (None if is_blank(values.get(f.name)) else str(values[f.name]).strip()) for f in spec.fields}
    frame = pl.DataFrame({ROW: [1], **{k: [v] for k, v in cells.items()}},
                         schema={ROW: pl.Int64, **{k: pl.String for k in cells}})
    result = validate_table(RawTable(frame, "api"), spec, build_references(conn), file="request", max_errors=100)
    row = result.frame.drop(ROW, "is_generated").row(0, named=True)
    return {k: (None if v == "" else v) for k, v in row.items()}


def check_occupation_level(row: dict[str, Any]) -> None:
    code = row.get("occupation_code")
    if code and code.count("-") != 3:
        problem = RowProblem("request", 1, "occupation_code", code, t("post_occupation_level"), t("post_occupation_level_fix"))
        raise ImportRejected(t("rejected", count=1), [problem])


# ---------------------------------------------------------------- who may see and change what

def owns(principal: Principal, post: dict[str, Any]) -> bool:
    """Whether ``p`` may change ``post`` (publish it, edit, close, decide its responses)."""
    if principal.is_admin:
        return True
    if post.get("kind") in ENTERPRISE_KINDS:
        own = post.get("enterprise_credit_code") == principal.enterprise_credit_code
        return principal.role == "enterprise_user" and bool(principal.enterprise_credit_code) and own
    if post.get("kind") in SCHOOL_KINDS:
        own = post.get("institution_code") == principal.institution_code
        return principal.role == "school_user" and bool(principal.institution_code) and own
    return False


def status_label(status: str) -> str:
    key = f"post_status_{status}" if status in POST_STATUSES else f"resp_status_{status}"
    return t(key)

