"""``/api/v1/scenarios``: save, list, read and delete what-if scenarios, and compare them with the baseline.

City admins and county officers only (a county officer sees the city's and its county's scenarios, saves and
deletes its county's, and may name only its county's schools); other roles get 403, the public 401."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services import scenarios as svc
from silian.services.planning.plan_request import finite, require_planner
from silian.web.dependencies import ClientDep, DbDep, SettingsDep, UserDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/scenarios", tags=["情景 / scenarios"])
IdPath = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
register_messages(
    {
        "api_sc_ids": (
            "ids 应为逗号分隔的情景编号，如 1,2（最多 6 个）",
            "ids must be comma-separated scenario numbers, e.g. 1,2 (at most 6)",
        ),
    }
)
MAX_COMPARED = 6
SPEC_HELP = ("plan：{\"changes\": [{\"school\", \"major\", \"enrolment\" | \"change\"}]} 或 {\"optimiser\": {…}}；"
             "plant：{\"county\", \"from_year\", \"occupations\": [{\"code\", \"workers\", \"skill_level\"?}], \"label\"?}；"
             "merger：{\"schools\": [A, B, …], \"into\"?, \"name\"?}（见 docs/planning.md）")


class ScenarioCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=100, description="情景名称（同一地区内唯一）")
    kind: Literal["plan", "plant", "merger"] = Field(..., description="plan 招生计划、plant 新建工厂、merger 学校合并")
    spec: dict[str, Any] = Field(..., description=SPEC_HELP)
    region: str | None = Field(None, max_length=40, description="所属城市（市级管理员；默认学校最多的城市）")
    replace: bool = Field(False, description="覆盖同名情景")


class ScenarioPublic(BaseModel):
    id: int
    region_code: str
    name: str
    kind: str
    spec: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class ScenarioList(BaseModel):
    data: list[ScenarioPublic]
    count: int


class ComparisonRow(BaseModel):
    key: str
    label: str
    kind: Literal["num", "int", "text"]
    better: str = Field(..., description="+ 越大越好，- 越小越好，0 越接近 0 越好，空：无好坏")
    values: list[Any] = Field(..., description="基线，然后每个情景")
    diffs: list[Any] = Field(..., description="每个情景减基线（文字指标：不同则为情景的值）")


class ComparisonPublic(BaseModel):
    region_code: str
    region_name: str
    year: int
    demand_year: int
    coupling_year: int | None
    columns: list[str]
    rows: list[ComparisonRow]
    notes: list[str]
    uses_generated_data: bool


ERRORS = responses(400, 401, 403, 404, 422)


def _public(s: svc.Scenario) -> ScenarioPublic:
    return ScenarioPublic(**s.public())


@router.get("", response_model=ScenarioList, responses=ERRORS, summary="Scenarios the caller may see")
def list_(db: DbDep, principal: UserDep) -> ScenarioList:
    require_planner(principal)
    found = svc.list_scenarios(db, principal)
    return ScenarioList(data=[_public(s) for s in found], count=len(found))


@router.post("", response_model=ScenarioPublic, status_code=201, responses=ERRORS, summary="Save a scenario",
             description="The spec is checked (unknown school, major, occupation or county codes and negative numbers are "
                         "each listed in `problems`, 422) and stored; the hub is never changed.")
async def create(db: DbDep, settings: SettingsDep, client: ClientDep, principal: UserDep, body: ScenarioCreate) -> ScenarioPublic:
    require_planner(principal)
    saved = await run_in_threadpool(svc.save_scenario, db, principal, name=body.name, kind=body.kind, spec=body.spec,
                                    settings=settings, region=body.region, replace=body.replace, client=client)
    return _public(saved)


@router.get("/compare", response_model=ComparisonPublic, responses=ERRORS, summary="Scenarios against the baseline",
            description="The baseline and each scenario side by side: coupling D, C, T, level and lagging chain; total "
                        "shortage and surplus; key-chain gaps; the Duncan mismatch index; red and yellow cards; school "
                        "compliance — and each scenario's difference from the baseline.")
async def compare(db: DbDep, settings: SettingsDep, principal: UserDep,
                  ids: Annotated[str, Query(max_length=100, description="情景编号，逗号分隔，如 1,2")],
                  year: Annotated[int | None, Query(ge=2000, le=2100, description="比较年份（默认最新）")] = None,
                  ) -> ComparisonPublic:
    require_planner(principal)
    parts = [x.strip() for x in ids.split(",") if x.strip()]
    if not parts or len(parts) > MAX_COMPARED or not all(x.isdigit() and len(x) < 10 for x in parts):
        raise InvalidInput(t("api_sc_ids"))
    result = await run_in_threadpool(svc.compare_saved, db, principal, [int(x) for x in parts], settings=settings, year=year)
    return ComparisonPublic(**finite(result.as_dict()))


@router.get("/{scenario_id}", response_model=ScenarioPublic, responses=ERRORS, summary="One scenario")
def read(db: DbDep, principal: UserDep, scenario_id: IdPath) -> ScenarioPublic:
    require_planner(principal)
    return _public(svc.get_scenario(db, principal, scenario_id))


@router.delete("/{scenario_id}", status_code=204, response_class=Response, responses=ERRORS, summary="Delete a scenario")
def delete(db: DbDep, client: ClientDep, principal: UserDep, scenario_id: IdPath) -> Response:
    require_planner(principal)
    svc.delete_scenario(db, principal, scenario_id, client=client)
    return Response(status_code=204)
