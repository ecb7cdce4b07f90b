"""The demand-sharing platform's API: ``/api/v1/posts`` (list, publish, read, change, close), responses to a post
(list, respond, accept, decline), recommendations for a post, and ``/api/v1/recommendations`` (the open posts that
fit a school), ``/api/v1/recommendations/demand`` (partners for the hub's declared enterprise demand). Every
error has the one error shape; another school's or enterprise's post or response is never
shown (404 when it is not visible, 403 when it is visible but not yours to change)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from silian.services import platform_posts as svc
from silian.services import recommend
from silian.web.dependencies import ClientDep, DbDep, UserDep
from silian.web.errors import responses

IdPath = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
router = APIRouter(tags=["需求共享平台 / demand-sharing platform"])

Kind = Literal["talent_demand", "tech_need", "order_class", "apprenticeship", "school_supply", "school_offer"]
SkillLevel = Literal["不限", "初级工", "中级工", "高级工", "技师", "高级技师"]
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
KIND_HELP = ("talent_demand 人才需求、tech_need 技术需求、order_class 订单班名额、apprenticeship 学徒岗位（企业发布）；"
             "school_supply 毕业生供给、school_offer 合作意向（学校发布）")


class PostCreate(BaseModel):
    """A new post; the owner defaults to the caller's own enterprise or school."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind = Field(..., description=KIND_HELP)
    title: str = Field(..., min_length=1, max_length=200, description="标题 / title")
    description: str = Field("", max_length=4000, description="说明 / description")
    enterprise_credit_code: str | None = Field(
        None, max_length=18, description="企业（城市管理员代发时填写）/ enterprise, for the city admin"
    )
    institution_code: str | None = Field(None, max_length=20, description="学校（城市管理员代发时填写）/ school, for the city admin")
    occupation_code: str | None = Field(None, max_length=20, description="职业分类大典 2022 细类代码，如 6-18-01-01")
    major_code: str | None = Field(None, max_length=20, description="职业教育专业目录代码，如 460103")
    skill_level: SkillLevel | None = Field(None, description="技能等级（企业需求默认“不限”）")
    count: int = Field(..., ge=0, description="人数或名额（学校供给：毕业生数）/ people or seats")
    period: str = Field(..., pattern=PERIOD, description="YYYY 或 YYYY-MM")


class PostUpdate(BaseModel):
    """Changes to an open post (kind and owner cannot change)."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    occupation_code: str | None = Field(None, max_length=20)
    major_code: str | None = Field(None, max_length=20)
    skill_level: SkillLevel | None = None
    count: int | None = Field(None, ge=0)
    period: str | None = Field(None, pattern=PERIOD)


class PostPublic(BaseModel):
    id: int
    kind: str
    kind_name: str
    title: str
    description: str
    enterprise_credit_code: str | None
    enterprise_name: str | None
    institution_code: str | None
    institution_name: str | None
    owner_name: str | None
    region_code: str | None
    region_name: str | None
    occupation_code: str | None
    occupation_name: str | None
    major_code: str | None
    major_name: str | None
    skill_level: str | None
    count: int
    period: str
    status: Literal["open", "closed"]
    status_name: str
    created_at: datetime
    updated_at: datetime


class PostPage(BaseModel):
    data: list[PostPublic]
    count: int
    page: int
    page_size: int


class KindSummary(BaseModel):
    kind: str
    kind_name: str
    posts: int = Field(..., description="开放的帖子数 / open posts")
    total: int = Field(..., description="人数或名额合计 / people or seats in them")


class PostSummary(BaseModel):
    """Aggregated counts only: what the public may see."""

    data: list[KindSummary]


class ResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    major_code: str | None = Field(None, max_length=20, description="本校专业代码（订单班、学徒、人才需求必填）")
    seats: int = Field(..., ge=0, description="可提供的人数或名额 / people or seats offered")
    message: str = Field("", max_length=2000)


class CooperationPublic(BaseModel):
    id: int
    kind: str
    institution_code: str
    enterprise_credit_code: str | None
    major_code: str | None
    name: str
    start_year: int
    participants: int | None


class ResponsePublic(BaseModel):
    id: int
    post_id: int
    institution_code: str | None
    institution_name: str | None
    enterprise_credit_code: str | None
    major_code: str | None
    major_name: str | None
    seats: int
    message: str
    status: Literal["pending", "accepted", "declined"]
    status_name: str
    cooperation_id: int | None
    cooperation: CooperationPublic | None
    created_at: datetime
    decided_at: datetime | None


class ResponseList(BaseModel):
    data: list[ResponsePublic]
    count: int


class RecommendationPublic(BaseModel):
    partner: Literal["school", "enterprise", "post"]
    code: str = Field(..., description="学校代码、企业信用代码或帖子编号 / school, enterprise or post")
    name: str
    major_code: str | None
    major_name: str | None
    county_code: str | None
    score: float = Field(..., ge=0, le=1, description="0.40·fit + 0.30·capacity + 0.15·distance + 0.15·cooperation")
    fit: float
    capacity: float
    distance: float
    cooperation: float
    volume: float = Field(..., description="年均可就业毕业生（学校）或需求人数（企业、帖子）")
    cooperation_records: int
    reason: str
    post_id: int | None
    post_kind: str | None


class RecommendationList(BaseModel):
    post_id: int | None
    target: Literal["schools", "enterprises", "posts"]
    weights: dict[str, float]
    note: str
    data: list[RecommendationPublic]


class DemandNeedPublic(BaseModel):
    enterprise_credit_code: str
    enterprise_name: str | None
    region_code: str
    occupation_code: str | None
    occupation_name: str | None
    major_code: str | None
    major_name: str | None
    count: int
    partners: list[RecommendationPublic]


class DemandPartnersList(BaseModel):
    year: int | None
    weights: dict[str, float]
    truncated: bool
    generated: bool
    note: str
    data: list[DemandNeedPublic]


def _recommendations(result: recommend.RecommendationResult) -> dict[str, Any]:
    return {"post_id": result.post_id, "target": result.target, "weights": result.weights, "note": result.note,
            "data": [item.as_dict() for item in result.items]}


@router.get("/api/v1/posts/summary", response_model=PostSummary, summary="Open posts by kind (public)")
def summary(db: DbDep) -> Any:
    """Open to everyone, the public included: numbers of open posts and people or seats by kind, no detail."""
    return {"data": svc.post_summary(db)}


@router.get("/api/v1/posts", response_model=PostPage, responses=responses(400, 401), summary="List and search posts")
def list_posts(
    db: DbDep,
    principal: UserDep,
    kind: Kind | None = None,
    status: Literal["open", "closed"] | None = None,
    occupation_code: str | None = None,
    major_code: str | None = None,
    county: str | None = Query(None, description="发布单位所在县市区代码"),
    skill_level: SkillLevel | None = None,
    q: str | None = Query(None, max_length=100, description="标题或说明中的文字"),
    mine: bool = Query(False, description="只看本单位发布的"),
    sort: str | None = Query(
        None, description="created_at, updated_at, count, period, title, id; 前加 - 为降序（默认 -created_at）"
    ),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(20, ge=1, le=svc.MAX_PAGE_SIZE),
) -> Any:
    """Open posts and your own (county officers: their county's; city admin: all)."""
    filters = svc.PostFilters(kind=kind, status=status, occupation_code=occupation_code, major_code=major_code,
                              county=county, skill_level=skill_level, q=q, mine=mine)
    found = svc.list_posts(db, principal, filters, sort=sort, page=page, page_size=page_size)
    return {"data": found.data, "count": found.count, "page": found.page, "page_size": found.page_size}


@router.post("/api/v1/posts", response_model=PostPublic, status_code=201, responses=responses(400, 401, 403, 422),
             summary="Publish a post")
def create_post(db: DbDep, client: ClientDep, body: PostCreate, principal: UserDep) -> Any:
    return svc.create_post(db, principal, body.model_dump(), client)


@router.get("/api/v1/posts/{post_id}", response_model=PostPublic, responses=responses(401, 404), summary="Read a post")
def read_post(db: DbDep, post_id: IdPath, principal: UserDep) -> Any:
    return svc.get_post(db, principal, post_id)


@router.patch("/api/v1/posts/{post_id}", response_model=PostPublic, responses=responses(400, 401, 403, 404, 422),
              summary="Change an open post (owner)")
def update_post(db: DbDep, client: ClientDep, post_id: IdPath, body: PostUpdate, principal: UserDep) -> Any:
    return svc.update_post(db, principal, post_id, body.model_dump(exclude_unset=True), client)


@router.post("/api/v1/posts/{post_id}/close", response_model=PostPublic, responses=responses(401, 403, 404),
             summary="Close a post (owner)")
def close_post(db: DbDep, client: ClientDep, post_id: IdPath, principal: UserDep) -> Any:
    return svc.close_post(db, principal, post_id, client)


@router.get("/api/v1/posts/{post_id}/responses", response_model=ResponseList, responses=responses(401, 403, 404),
            summary="Responses to a post (owner and admin: all; a school: its own)")
def list_responses(db: DbDep, post_id: IdPath, principal: UserDep) -> Any:
    found = svc.list_responses(db, principal, post_id)
    return {"data": found, "count": len(found)}


@router.post("/api/v1/posts/{post_id}/responses", response_model=ResponsePublic, status_code=201,
             responses=responses(400, 401, 403, 404, 422), summary="Respond to an enterprise post (school)")
def respond(db: DbDep, client: ClientDep, post_id: IdPath, body: ResponseCreate, principal: UserDep) -> Any:
    return svc.respond(db, principal, post_id, body.model_dump(), client)


@router.post("/api/v1/posts/{post_id}/responses/{response_id}/accept", response_model=ResponsePublic,
             responses=responses(400, 401, 403, 404, 422), summary="Accept a response (owner); may create a cooperation record")
def accept(db: DbDep, client: ClientDep, post_id: IdPath, response_id: IdPath, principal: UserDep) -> Any:
    return svc.decide(db, principal, post_id, response_id, accept=True, client=client)


@router.post("/api/v1/posts/{post_id}/responses/{response_id}/decline", response_model=ResponsePublic,
             responses=responses(400, 401, 403, 404), summary="Decline a response (owner)")
def decline(db: DbDep, client: ClientDep, post_id: IdPath, response_id: IdPath, principal: UserDep) -> Any:
    return svc.decide(db, principal, post_id, response_id, accept=False, client=client)


@router.get("/api/v1/posts/{post_id}/recommendations", response_model=RecommendationList,
            responses=responses(401, 403, 404), summary="Partners for a post, scored with reasons (owner)")
def post_recommendations(db: DbDep, post_id: IdPath, principal: UserDep, limit: int = Query(10, ge=1, le=recommend.MAX_LIMIT)) -> Any:
    """Schools and majors for an enterprise post; enterprises for a school post (formula in docs/platform.md)."""
    return _recommendations(recommend.recommend_for_post(db, principal, post_id, limit=limit))


@router.get("/api/v1/recommendations", response_model=RecommendationList, responses=responses(400, 401, 403),
            summary="Open enterprise posts that fit a school")
def school_recommendations(db: DbDep, principal: UserDep, institution_code: str | None = Query(None, description="城市管理员指定学校"),
                           limit: int = Query(10, ge=1, le=recommend.MAX_LIMIT)) -> Any:
    """For a school user (or the city admin naming a school): open posts ranked by the school's best fitting major."""
    return _recommendations(recommend.recommend_posts_for_school(db, principal, institution_code=institution_code,
                                                                 limit=limit))


@router.get("/api/v1/recommendations/demand", response_model=DemandPartnersList, responses=responses(400, 401, 403),
            summary="Partner schools and majors for each enterprise's declared demand")
def demand_recommendations(db: DbDep, principal: UserDep,
                           enterprise: str | None = Query(None, max_length=18, description="企业统一社会信用代码"),
                           year: int | None = Query(None, ge=1000, le=9999, description="需求年份（默认最近一年）"),
                           top: int = Query(5, ge=1, le=recommend.MAX_LIMIT)) -> Any:
    """The hub's declared enterprise demand of a year (summed by enterprise, county, occupation and major), each
    need with the schools and majors best placed to supply it (same score and reasons as for posts). The city
    admin sees every enterprise, a county officer its county's demand, an enterprise user its own; others 403."""
    from silian.services.demand_partners import demand_partners

    result = demand_partners(db, principal, enterprise=enterprise, year=year, top=top)
    return {"year": result.year, "weights": result.weights, "truncated": result.truncated,
            "generated": result.generated, "note": result.note, "data": [n.as_dict() for n in result.needs]}
