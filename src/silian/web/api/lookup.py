"""``GET /api/v1/lookup/{kind}?q=…&limit=…``: what a code picker shows — majors, occupations, industries, regions,
schools or enterprises found by name, by code or by the pinyin of the name (``sk`` → 数控技术). Schools and
enterprises are limited to the rows the caller's role may read; the catalogues and the regions are open."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from silian.services import lookup as lookups
from silian.web.dependencies import DbDep, PrincipalDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/lookup", tags=["代码查询 / code lookup"])
LookupKind = Enum("LookupKind", {kind: kind for kind in lookups.LOOKUP_KINDS}, type=str)  # type: ignore[misc]


class LookupHit(BaseModel):
    code: str = Field(description="代码 / the code to store")
    name: str = Field(description="名称 / name")
    context: str = Field(description="所属（专业类、层级、上级区划、所在县市区） / what tells it apart")


class LookupResult(BaseModel):
    kind: str
    q: str
    data: list[LookupHit]


@router.get("/{kind}", response_model=LookupResult, responses=responses(400, 401), summary="Find codes",
            description="按名称、代码或拼音（首字母 sk 或全拼 shukong）查找专业、职业、行业、行政区划、学校或企业；"
                        "学校和企业只列出当前角色可见的。")
def find_codes(db: DbDep, principal: PrincipalDep, kind: LookupKind,
               q: Annotated[str, Query(max_length=100, description="名称、代码或拼音")] = "",
               limit: Annotated[int, Query(ge=1, le=lookups.MAX_LIMIT)] = 20) -> LookupResult:
    hits = lookups.lookup(db, principal, kind.value, q, limit=limit)
    return LookupResult(kind=kind.value, q=q, data=[LookupHit(code=h.code, name=h.name, context=h.context) for h in hits])
