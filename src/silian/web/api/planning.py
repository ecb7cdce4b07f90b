"""``POST /api/v1/plan`` (the enrolment-plan optimiser, as `silian plan --json`) and ``POST /api/v1/match``
(students to seats, the `silian match` file contract). The plan is for city admins and county officers (a
county officer gets the rows of its county's schools; majors and the predicted effect are the city's); any
logged-in user may match."""

from __future__ import annotations

import math
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from silian.domain.access import Principal
from silian.domain.errors import PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.hub import load_hub
from silian.services.planning.enrolment_plan import PlanOptions, plan_enrolment, plan_summary
from silian.services.planning.seat_matching import match_from_bytes
from silian.settings import Settings
from silian.storage.database import Database
from silian.web.errors import responses
from silian.web.security import User, database

router = APIRouter(prefix="/api/v1", tags=["规划 / planning"])
Json = dict[str, Any]
PLANNERS = ("city_admin", "county_officer")
register_messages({
    "api_plan_forbidden": ("只有市级管理员和县级教育部门可以编制招生计划", "Only city admins and county officers may plan enrolment"),
    "api_plan_county_note": ("只列出本县（{county}）学校的计划与约束；专业汇总与预测效果为全市", "Only your county's ({county}) schools are listed; majors and the effect are the city's"),
})


class PlanRequest(BaseModel):
    """The optimiser's options (defaults as `silian plan`; see docs/methods/enrolment_plan.md)."""

    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(None, max_length=40, description="地区名称或代码（默认：学校最多的城市；县级用户：本县所在城市）")
    year: int | None = Field(None, ge=2000, le=2100, description="基准年份（计划下一年；默认最新）")
    max_change: float = Field(0.2, ge=0.05, le=1.0, description="每个专业点每年最大调整幅度")
    min_cohort: float = Field(30, ge=0, le=200, description="最小班额（人）：招生为 0 或不少于此数")
    key_chain_bonus: float = Field(1.0, ge=0, le=5, description="重点产业链专业的权重加成")
    open_new: bool = Field(True, description="学校可新开本校已有专业类中的紧缺专业")
    time_limit: float = Field(20.0, ge=1, le=30, description="求解时间上限（秒）")


class MatchResult(BaseModel):
    """The `silian match` output contract, with counts."""

    matching: dict[str, list[str]] = Field(..., description="岗位 → 录取的学生（按岗位的排序）")
    unmatched: list[str] = Field(..., description="未匹配的学生（按输入顺序）")
    method: str
    n_students: int
    n_matched: int
    n_first_choice: int
    seats: int


MATCH_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["students", "positions"], "additionalProperties": False,
    "properties": {
        "students": {"type": "object", "description": "学生 → 志愿岗位（da：按志愿排序的列表；weights：{岗位: 分数}）",
                     "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                                        {"type": "object", "additionalProperties": {"type": "number"}}]}},
        "positions": {"type": "object", "description": "岗位 → {capacity, preferences | scores}",
                      "additionalProperties": {"type": "object", "properties": {
                          "capacity": {"type": "integer", "minimum": 0},
                          "preferences": {"type": "array", "items": {"type": "string"}},
                          "scores": {"type": "object", "additionalProperties": {"type": "number"}}}}}}},
    "example": {"students": {"s1": ["p2", "p1"], "s2": ["p1"]},
                "positions": {"p1": {"capacity": 1, "preferences": ["s2", "s1"]}, "p2": {"capacity": 1, "preferences": ["s1"]}}}}}}


def require_planner(p: Principal) -> Principal:
    if p.role not in PLANNERS:
        raise PermissionDenied(t("api_plan_forbidden"))
    return p


def finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null (recursively)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def _county_only(summary: Json, schools: set[str], county: str) -> Json:
    for key in ("plan", "changes"):
        if key in summary:
            summary[key] = [r for r in summary[key] if r["institution_code"] in schools]
    if "binding" in summary:
        summary["binding"] = [r for r in summary["binding"] if r.get("school") in schools or r.get("school") is None]
    summary["notes"] = [*summary.get("notes", []), t("api_plan_county_note", county=county)]
    return summary


def plan_for(db: Database, settings: Settings, p: Principal, *, region: str | None, year: int | None,
             options: PlanOptions) -> Json:
    """The plan as `silian plan --json` (JSON-safe), for ``p``: a county officer plans its city and gets the rows
    of its county's schools."""
    hub = load_hub(db)
    if p.role == "county_officer":
        regions = hub["regions"].filter(pl.col("code") == (p.county_code or ""))
        region = str(regions["parent_code"][0]) if regions.height and regions["parent_code"][0] else p.county_code
    plan = plan_enrolment(hub=hub, settings=settings, region=region, year=year, options=options)
    summary = plan_summary(plan)
    summary["uses_generated_data"] = hub.any_generated()
    if p.role == "county_officer":
        schools = set(hub["institutions"].filter(pl.col("county_code") == p.county_code)["code"].to_list())
        summary = _county_only(summary, schools, p.county_code or "")
    return finite(summary)  # type: ignore[no-any-return]


def _plan(request: Request, p: Principal, body: PlanRequest) -> Json:
    options = PlanOptions(max_change=body.max_change, min_cohort=body.min_cohort, key_chain_bonus=body.key_chain_bonus,
                          open_new=body.open_new, time_limit=body.time_limit)
    return plan_for(database(request), request.app.state.settings, p, region=body.region, year=body.year, options=options)


@router.post("/plan", response_model=Json, responses=responses(400, 401, 403, 404, 422),
             summary="Next year's enrolment plan (the optimiser)",
             description="As `silian plan --json`: the plan, the changes with a reason each, the binding constraints and "
                         "the predicted effect; an infeasible problem gives `status: infeasible` and a `diagnosis`. "
                         "City admins and county officers only (a county officer sees its county's schools).")
async def plan(request: Request, p: User, body: PlanRequest | None = None) -> Json:
    require_planner(p)
    return await run_in_threadpool(_plan, request, p, body or PlanRequest())  # type: ignore[no-any-return]


@router.post("/match", response_model=MatchResult, responses=responses(400, 401, 403, 413, 422),
             summary="Match students to seats (the `silian match` file contract)",
             description="The body is the `silian match` input file (JSON); the answer is its output plus counts. "
                         "`method=da` (default): student-proposing deferred acceptance, stable; `method=weights`: "
                         "max-weight assignment over scores. Every problem of the body is a 400 naming the student or "
                         "position.", openapi_extra={"requestBody": MATCH_BODY})
async def match(request: Request, p: User, method: Literal["da", "weights"] = "da") -> MatchResult:
    raw = await request.body()
    outcome = await run_in_threadpool(match_from_bytes, raw, method, "request")
    return MatchResult(**outcome.result, method=outcome.method, n_students=outcome.n_students, n_matched=outcome.n_matched,
                       n_first_choice=outcome.n_first_choice, seats=outcome.seats)
