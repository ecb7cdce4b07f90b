"""The demand-sharing platform's pages (``/platform``): search and filter posts, publish a post, a post's page with
recommendations (score and reason), responses, accept/decline, and the cooperation record an acceptance creates.

Forms post with the session's CSRF token; every change goes through :mod:`silian.services.platform_posts`, so pages and API
accept, refuse and audit exactly the same. The public sees only aggregated counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import register_messages, t
from silian.domain.vocab import POST_KINDS, SKILL_LEVELS
from silian.services import platform_posts as svc
from silian.services import recommend
from silian.services.hub_database import Database
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "pf_title": ("需求共享平台", "Demand-sharing platform"),
        "pf_intro": (
            "企业发布人才需求、技术需求、订单班和学徒岗位；学校发布毕业生供给与合作意向、响应企业需求。",
            (
                "Enterprises post talent demand, technology needs, order-class and appr"
                "enticeship seats; schools post graduate supply and offers and respond "
                "to enterprise posts."
            ),
        ),
        "pf_public_note": (
            "公众只能看到汇总数字；登录后可查看和发布具体需求。",
            "The public sees totals only; log in to see and publish posts.",
        ),
        "pf_summary": ("开放中的需求（汇总）", "Open posts (totals)"),
        "pf_posts": ("帖子数", "Posts"),
        "pf_total": ("人数/名额合计", "People or seats"),
        "pf_new": ("发布需求", "Publish a post"),
        "pf_search": ("查找", "Search"),
        "pf_reset": ("清除条件", "Clear"),
        "pf_all": ("全部", "All"),
        "pf_kind": ("类型", "Kind"),
        "pf_status": ("状态", "Status"),
        "pf_major": ("专业代码", "Major code"),
        "pf_occupation": ("职业代码", "Occupation code"),
        "pf_county": ("县市区代码", "County code"),
        "pf_skill": ("技能等级", "Skill level"),
        "pf_q": ("关键词", "Keywords"),
        "pf_mine": ("只看本单位发布的", "Only my organisation's"),
        "pf_sort": ("排序", "Sort"),
        "pf_sort_new": ("最新发布", "Newest"),
        "pf_sort_count": ("人数最多", "Most people"),
        "pf_sort_period": ("时期最近", "Latest period"),
        "pf_found": ("共 {count} 条", "{count} found"),
        "pf_none": ("没有符合条件的帖子", "No posts match"),
        "pf_prev": ("上一页", "Previous"),
        "pf_next": ("下一页", "Next"),
        "pf_page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
        "pf_post_title": ("标题", "Title"),
        "pf_owner": ("发布单位", "Posted by"),
        "pf_count": ("人数/名额", "People/seats"),
        "pf_period": ("时期", "Period"),
        "pf_description": ("说明", "Description"),
        "pf_region": ("所在县市区", "County"),
        "pf_enterprise": ("企业统一社会信用代码", "Enterprise credit code"),
        "pf_school": ("学校代码", "School code"),
        "pf_admin_owner": ("代发单位（市级管理员填写其一）", "On behalf of (city admin: fill in one)"),
        "pf_code_help": (
            (
                "职业代码用大典 2022 细类（如 6-18-01-01），专业代码用职业教育专业目录（如 460103）；人才需求、订单班、学徒岗位至少填"
                "一项。"
            ),
            (
                "Occupation: a detailed 2022 code (e.g. 6-18-01-01); major: a vocationa"
                "l catalogue code (e.g. 460103); talent demand, order-class and apprent"
                "iceship posts need at least one."
            ),
        ),
        "pf_submit": ("发布", "Publish"),
        "pf_problems": ("请改正以下问题：", "Please correct these problems:"),
        "pf_recs": ("推荐合作伙伴", "Recommended partners"),
        "pf_score": ("得分", "Score"),
        "pf_reason": ("理由", "Reason"),
        "pf_partner": ("合作方", "Partner"),
        "pf_formula": (
            "得分 = 0.40×专业匹配 + 0.30×供给能力 + 0.15×距离 + 0.15×既往合作",
            "Score = 0.40×fit + 0.30×capacity + 0.15×distance + 0.15×past cooperation",
        ),
        "pf_responses": ("响应", "Responses"),
        "pf_no_responses": ("暂无响应", "No responses yet"),
        "pf_seats": ("名额/人数", "Seats"),
        "pf_message": ("留言", "Message"),
        "pf_accept": ("接受", "Accept"),
        "pf_decline": ("拒绝", "Decline"),
        "pf_respond": ("响应此需求", "Respond to this post"),
        "pf_send": ("提交响应", "Send response"),
        "pf_your_response": ("本校的响应", "Your school's response"),
        "pf_close": ("关闭此帖", "Close this post"),
        "pf_cooperation": ("已建立校企合作记录", "Cooperation record created"),
        "pf_coop_line": (
            "「{name}」，{year} 年起，{n} 人（合作记录 #{id}）",
            "“{name}” from {year}, {n} people (cooperation record #{id})",
        ),
        "pf_occupation_major": ("职业 / 专业", "Occupation / major"),
        "pf_school_col": ("学校", "School"),
        "pf_major_col": ("专业", "Major"),
        "pf_accepted_seats": ("已接受名额：{accepted} / {count}", "Seats accepted: {accepted} of {count}"),
        "pf_for_school": ("适合本校的需求", "Posts that fit your school"),
        "pf_back": ("返回列表", "Back to the list"),
        "pf_error": ("无法完成", "Could not do that"),
        "pf_choose": ("请选择", "Choose"),
        "pf_major_pick": ("本校专业", "Your major"),
        "pf_status_line": ("状态：{status}", "Status: {status}"),
    }
)
SORTS = (("-created_at", "pf_sort_new"), ("-count", "pf_sort_count"), ("-period", "pf_sort_period"))
FILTER_FIELDS = ("kind", "status", "major_code", "occupation_code", "county", "skill_level", "q", "sort", "mine")


def _labels() -> dict[str, str]:
    """Form labels by field name, for naming the field of a problem."""
    keys = {
        "kind": "pf_kind",
        "title": "pf_post_title",
        "description": "pf_description",
        "enterprise_credit_code": "pf_enterprise",
        "institution_code": "pf_school",
        "occupation_code": "pf_occupation",
        "major_code": "pf_major",
        "skill_level": "pf_skill",
        "count": "pf_count",
        "period": "pf_period",
        "seats": "pf_seats",
        "message": "pf_message",
    }
    return {field: t(key) for field, key in keys.items()}


def _error_page(request: Request, principal: Principal, exc: SilianError) -> Response:
    status = {NotFound: 404, PermissionDenied: 403, InvalidInput: 400, ImportRejected: 422}.get(type(exc), 400)
    problems = exc.problems if isinstance(exc, ImportRejected) else []
    return render(request, "platform/error.html", principal, status_code=status, message=exc.message, problems=problems,
                  labels=_labels())


def _login_redirect(request: Request) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)


def _guarded(request: Request, principal: Principal, action: Callable[[], Response]) -> Response:
    if principal.is_public:
        return _login_redirect(request)
    try:
        return action()
    except SilianError as exc:
        return _error_page(request, principal, exc)


def _kinds_for(principal: Principal) -> list[tuple[str, str]]:
    kinds = POST_KINDS if principal.is_admin else svc.ENTERPRISE_KINDS if principal.role == "enterprise_user" else \
        svc.SCHOOL_KINDS if principal.role == "school_user" else ()
    return [(k, svc.kind_name(k)) for k in kinds]


@router.get("/platform")
def index(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    common = {"all_kinds": [(k, svc.kind_name(k)) for k in POST_KINDS], "skill_levels": SKILL_LEVELS, "sorts": SORTS}
    if principal.is_public:
        return render(request, "platform/index.html", principal, summary=svc.post_summary(db), found=None, **common)  # type: ignore[arg-type]
    args = {k: request.query_params.get(k, "") for k in FILTER_FIELDS}
    raw_page = request.query_params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    filters = svc.PostFilters(kind=args["kind"] or None, status=args["status"] or None, major_code=args["major_code"] or None,
                              occupation_code=args["occupation_code"] or None, county=args["county"] or None,
                              skill_level=args["skill_level"] or None, q=args["q"] or None, mine=bool(args["mine"]))
    try:
        found = svc.list_posts(db, principal, filters, sort=args["sort"] or None, page=page, page_size=20)
        error = ""
    except SilianError as exc:
        found, error = svc.PostPage([], 0, 1, 20), exc.message
    fitting = None
    if principal.role == "school_user":
        fitting = recommend.recommend_posts_for_school(db, principal, limit=5)
    pages = max(1, -(-found.count // found.page_size))
    query = {k: v for k, v in args.items() if v}
    links = {"prev": urlencode({**query, "page": page - 1}) if page > 1 else "",
             "next": urlencode({**query, "page": page + 1}) if page < pages else ""}
    return render(request, "platform/index.html", principal, summary=None, found=found, args=args, error=error, pages=pages,
                  links=links, fitting=fitting, can_post=bool(_kinds_for(principal)), **common)  # type: ignore[arg-type]


def _form_values(form: Any) -> dict[str, Any]:
    fields = ("kind", "title", "description", "enterprise_credit_code", "institution_code", "occupation_code", "major_code",
              "skill_level", "count", "period")
    return {f: (str(form.get(f)).strip() if form.get(f) is not None else "") for f in fields}


@router.get("/platform/new")
def new_form(request: Request, principal: PrincipalDep) -> Response:
    def show() -> Response:
        kinds = _kinds_for(principal)
        if not kinds:
            raise PermissionDenied(t("post_forbidden_owner"))
        values = {"kind": request.query_params.get("kind") or kinds[0][0], "skill_level": "不限"}
        return render(
            request,
            "platform/new.html",
            principal,
            kinds=kinds,
            skill_levels=SKILL_LEVELS,
            values=values,
            problems=[],
            error="",
            labels=_labels(),
        )
    return _guarded(request, principal, show)


@router.post("/platform/new")
async def publish(request: Request, db: DbDep, client: ClientDep, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login_redirect(request)
    values = _form_values(await request.form())
    try:
        post = svc.create_post(db, principal, values, client)
    except (ImportRejected, PermissionDenied) as exc:
        problems = exc.problems if isinstance(exc, ImportRejected) else []
        return render(request, "platform/new.html", principal, status_code=422 if problems else 403, kinds=_kinds_for(principal),
                      skill_levels=SKILL_LEVELS, values=values, problems=problems, error=exc.message,
                      labels=_labels())
    except SilianError as exc:
        return _error_page(request, principal, exc)
    return RedirectResponse(f"/platform/posts/{post['id']}", status_code=303)


def _post_page(request: Request, db: Database, principal: Principal, post_id: int, *, form_problems: list[Any] | None = None,
               form_values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    post = svc.get_post(db, principal, post_id)
    owner = svc.owns(principal, post)
    responses = svc.list_responses(db, principal, post_id) if owner or principal.role == "school_user" else []
    recs = recommend.recommend_for_post(db, principal, post_id, limit=10) if owner else None
    can_respond = (principal.role == "school_user" and post["kind"] in svc.ENTERPRISE_KINDS and post["status"] == "open"
                   and not responses)
    majors = svc.school_majors(db, principal.institution_code) if can_respond and principal.institution_code else []
    return render(
        request,
        "platform/post.html",
        principal,
        status_code=status_code,
        post=post,
        owner=owner,
        responses=responses,
        recs=recs,
        can_respond=can_respond,
        majors=majors,
        problems=form_problems or [],
        values=form_values or {},
        labels=_labels(),
        accepted_seats=sum(r["seats"] for r in responses if r["status"] == "accepted"),
    )


@router.get("/platform/posts/{post_id}")
def show_post(request: Request, db: DbDep, post_id: int, principal: PrincipalDep) -> Response:
    return _guarded(request, principal, lambda: _post_page(request, db, principal, post_id))


@router.post("/platform/posts/{post_id}/respond")
async def respond(request: Request, db: DbDep, client: ClientDep, post_id: int, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login_redirect(request)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("major_code", "seats", "message")}
    try:
        svc.respond(db, principal, post_id, values, client)
    except ImportRejected as exc:
        problems = exc.problems
        return _guarded(request, principal, lambda: _post_page(request, db, principal, post_id, form_problems=problems,
                                                         form_values=values, status_code=422))
    except SilianError as exc:
        return _error_page(request, principal, exc)
    return RedirectResponse(f"/platform/posts/{post_id}#responses", status_code=303)


def _after(request: Request, principal: Principal, post_id: int, action: Callable[[], Any]) -> Response:
    def run() -> Response:
        action()
        return RedirectResponse(f"/platform/posts/{post_id}#responses", status_code=303)
    return _guarded(request, principal, run)


@router.post("/platform/posts/{post_id}/responses/{response_id}/accept")
def accept(request: Request, db: DbDep, client: ClientDep, post_id: int, response_id: int, principal: PrincipalDep) -> Response:
    return _after(request, principal, post_id, lambda: svc.decide(db, principal, post_id, response_id, accept=True, client=client))


@router.post("/platform/posts/{post_id}/responses/{response_id}/decline")
def decline(request: Request, db: DbDep, client: ClientDep, post_id: int, response_id: int, principal: PrincipalDep) -> Response:
    return _after(request, principal, post_id, lambda: svc.decide(db, principal, post_id, response_id, accept=False, client=client))


@router.post("/platform/posts/{post_id}/close")
def close(request: Request, db: DbDep, client: ClientDep, post_id: int, principal: PrincipalDep) -> Response:
    return _after(request, principal, post_id, lambda: svc.close_post(db, principal, post_id, client))
