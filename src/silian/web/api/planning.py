"""``POST /api/v1/plan`` (the enrolment-plan optimiser, as `silian plan --json`) and ``POST /api/v1/match``
(students to seats, the `silian match` file contract). The plan is for city admins and county officers (a
county officer gets the rows of its county's schools; majors and the predicted effect are the city's); any
logged-in user may match."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from silian.services.planning.enrolment_plan import PlanOptions
from silian.services.planning.plan_request import plan_for
from silian.services.planning.seat_matching import match_from_bytes
from silian.web.dependencies import DbDep, SettingsDep, UserDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1", tags=["规划 / planning"])
Json = dict[str, Any]


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


MATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["students", "positions"],
                "additionalProperties": False,
                "properties": {
                    "students": {
                        "type": "object",
                        "description": "学生 → 志愿岗位（da：按志愿排序的列表；weights：{岗位: 分数}）",
                        "additionalProperties": {
                            "oneOf": [
                                {"type": "array", "items": {"type": "string"}},
                                {"type": "object", "additionalProperties": {"type": "number"}},
                            ]
                        },
                    },
                    "positions": {
                        "type": "object",
                        "description": "岗位 → {capacity, preferences | scores}",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "capacity": {"type": "integer", "minimum": 0},
                                "preferences": {"type": "array", "items": {"type": "string"}},
                                "scores": {"type": "object", "additionalProperties": {"type": "number"}},
                            },
                        },
                    },
                },
            },
            "example": {
                "students": {"s1": ["p2", "p1"], "s2": ["p1"]},
                "positions": {
                    "p1": {"capacity": 1, "preferences": ["s2", "s1"]},
                    "p2": {"capacity": 1, "preferences": ["s1"]},
                },
            },
        }
    },
}


@router.post("/plan", response_model=Json, responses=responses(400, 401, 403, 404, 422),
             summary="Next year's enrolment plan (the optimiser)",
             description="As `silian plan --json`: the plan, the changes with a reason each, the binding constraints and "
                         "the predicted effect; an infeasible problem gives `status: infeasible` and a `diagnosis`. "
                         "City admins and county officers only (a county officer sees its county's schools).")
async def plan(db: DbDep, settings: SettingsDep, principal: UserDep, body: PlanRequest | None = None) -> Json:
    body = body or PlanRequest()
    options = PlanOptions(max_change=body.max_change, min_cohort=body.min_cohort, key_chain_bonus=body.key_chain_bonus,
                          open_new=body.open_new, time_limit=body.time_limit)
    return await run_in_threadpool(plan_for, db, settings, principal, region=body.region, year=body.year, options=options)


@router.post("/match", response_model=MatchResult, responses=responses(400, 401, 403, 413, 422),
             summary="Match students to seats (the `silian match` file contract)",
             description="The body is the `silian match` input file (JSON); the answer is its output plus counts. "
                         "`method=da` (default): student-proposing deferred acceptance, stable; `method=weights`: "
                         "max-weight assignment over scores. Every problem of the body is a 400 naming the student or "
                         "position.", openapi_extra={"requestBody": MATCH_BODY})
async def match(request: Request, principal: UserDep, method: Literal["da", "weights"] = "da") -> MatchResult:
    raw = await request.body()
    outcome = await run_in_threadpool(match_from_bytes, raw, method, "request")
    return MatchResult(**outcome.result, method=outcome.method, n_students=outcome.n_students, n_matched=outcome.n_matched,
                       n_first_choice=outcome.n_first_choice, seats=outcome.seats)
