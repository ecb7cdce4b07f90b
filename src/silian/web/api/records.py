"""REST endpoints for every hub table, built from the table specs: ``/api/v1/<table>`` list, create;
``/api/v1/<table>/{id}`` read, update, delete. Each table gets its own schemas (``XCreate``, ``XUpdate``,
``XPublic``) so the OpenAPI document says exactly what every field is."""


from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from silian.domain.tables import HUB_TABLES, TableSpec
from silian.domain.tables import Field as SpecField
from silian.services import records
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, UserDep
from silian.web.errors import responses

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="record id")]
PY_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str, "period": str}


def _field(f: SpecField, *, optional: bool) -> tuple[Any, Any]:
    kind = PY_TYPES[f.kind]
    description = " / ".join(x for x in (f.zh, f.en, f.help) if x)
    extra: dict[str, Any] = {"description": description}
    if f.kind in ("int", "float"):
        if f.low is not None:
            extra["ge"] = f.low
        if f.high is not None:
            extra["le"] = f.high
    if f.kind == "str" and f.length:
        extra["max_length"] = f.length
    if optional or not f.required:
        return (kind | None, Field(default=None, **extra))
    return (kind, Field(..., **extra))


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def models(spec: TableSpec) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel], type[BaseModel]]:
    """Create, Update, Public and Page schemas of one table."""
    strict = ConfigDict(extra="forbid")
    create = create_model(f"{_camel(spec.name)}Create", __config__=strict,
                          **{f.name: _field(f, optional=False) for f in spec.fields})  # type: ignore[call-overload]
    update = create_model(f"{_camel(spec.name)}Update", __config__=strict,
                          **{f.name: _field(f, optional=True) for f in spec.fields})  # type: ignore[call-overload]
    public_fields: dict[str, Any] = {"id": (int, ...), **{f.name: (PY_TYPES[f.kind] | None, None) for f in spec.fields},
                                     "is_generated": (bool, Field(..., description="演示数据生成器生成 / generated demo data"))}
    public = create_model(f"{_camel(spec.name)}Public", **public_fields)
    page = create_model(f"{_camel(spec.name)}Page", data=(list[public], ...), count=(int, ...), page=(int, ...),  # type: ignore[valid-type]
                        page_size=(int, ...))
    return create, update, public, page


def router_for(name: str) -> APIRouter:
    """The five endpoints of one hub table."""
    spec = HUB_TABLES[name]
    create_m, update_m, public_m, page_m = models(spec)
    router = APIRouter(prefix=f"/api/v1/{name}", tags=[f"{spec.zh} / {spec.en}"])
    filter_help = "字段=值 精确筛选，可用字段：" + ", ".join(spec.field_names)

    @router.get("", response_model=page_m, responses=responses(400, 401), summary=f"List {spec.en}",
                description=f"{spec.zh}：按角色可见的记录，支持筛选（{filter_help}）、搜索（q=文字：文本列包含它，"
                            "或代码所指的专业、职业、行业、区划、学校、企业名称包含它）、排序（sort=字段 或 -字段）与分页。")
    def list_(request: Request, db: DbDep, principal: PrincipalDep, sort: str | None = None, page: int = Query(1, ge=1, le=1_000_000),
              page_size: int = Query(50, ge=1, le=records.MAX_PAGE_SIZE),
              q: str = Query("", max_length=100, description="搜索文字 / search text")) -> Any:
        reserved = {"sort", "page", "page_size", "lang", "q"}
        filters = {k: v for k, v in request.query_params.items() if k not in reserved}
        result = records.list_records(db, principal, name, filters=filters, search=q, sort=sort, page=page,
                                      page_size=page_size)
        return {"data": result.data, "count": result.count, "page": result.page, "page_size": result.page_size}

    @router.post("", response_model=public_m, status_code=201, responses=responses(400, 401, 403, 422), summary=f"Create {spec.en}")
    def create(db: DbDep, client: ClientDep, body: create_m, principal: UserDep) -> Any:  # type: ignore[valid-type]
        return records.create_record(db, principal, name, body.model_dump(), client)  # type: ignore[attr-defined]

    @router.get("/{record_id}", response_model=public_m, responses=responses(401, 404), summary=f"Read {spec.en}")
    def read(db: DbDep, record_id: RecordId, principal: PrincipalDep) -> Any:
        return records.get_record(db, principal, name, record_id)

    @router.patch("/{record_id}", response_model=public_m, responses=responses(400, 401, 403, 404, 422), summary=f"Update {spec.en}")
    def update(db: DbDep, client: ClientDep, record_id: RecordId, body: update_m,  # type: ignore[valid-type]
               principal: UserDep) -> Any:
        changes = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        return records.update_record(db, principal, name, record_id, changes, client)

    @router.delete("/{record_id}", status_code=204, responses=responses(400, 401, 403, 404), summary=f"Delete {spec.en}")
    def delete(db: DbDep, client: ClientDep, record_id: RecordId, principal: UserDep) -> None:
        records.delete_record(db, principal, name, record_id, client)

    return router


def all_routers() -> list[APIRouter]:
    return [router_for(name) for name in HUB_TABLES]
