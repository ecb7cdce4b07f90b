"""Saved scenarios (table ``scenarios``): save, list, read, delete and compare, for the roles that plan.

Who may do what: city admins everything (a scenario belongs to the city); county officers see the city's and
their county's scenarios and save and delete their county's, whose specs may name only their county's schools
and their county; other roles may not use scenarios. The CLI acts as a city admin (``principal=None``).
A scenario names at most one region; its name is unique there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from silian.catalog import Catalog, get_catalog
from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.accounts import write_audit
from silian.services.analysis import resolve_region
from silian.services.hub import HubSnapshot, load_hub
from silian.services.scenarios.compare import Comparison, compare
from silian.services.scenarios.specs import MergerSpec, PlanSpec, Spec, parse_spec, spec_to_json
from silian.settings import Settings
from silian.storage import hub as hub_store
from silian.storage import scenarios as store
from silian.storage.database import Database
from silian.storage.scenarios import ScenarioRow

PLANNERS = ("city_admin", "county_officer")
NAME_MAX = 100
register_messages(
    {
        "sc_forbidden": (
            "只有市级管理员和县级教育部门可以使用情景",
            "Only city admins and county officers may use scenarios",
        ),
        "sc_not_found": ("找不到情景“{name}”", "No scenario '{name}'"),
        "sc_exists": (
            "情景“{name}”已存在；请换一个名称，或先删除它",
            "A scenario named '{name}' exists; choose another name or delete it first",
        ),
        "sc_bad_name": ("情景名称不能为空，且不超过 {n} 个字符", "A scenario name must be 1 to {n} characters"),
        "sc_not_your_county": (
            "只能使用本县（{county}）的学校和区划：{codes}",
            "Only your county's ({county}) schools and codes may be used: {codes}",
        ),
        "sc_not_yours": ("只能删除或修改本县的情景", "You may change or delete only your county's scenarios"),
        "sc_none_given": ("请至少指定一个情景", "Name at least one scenario"),
        "sc_db_not_migrated": (
            "数据库结构不是最新：请先运行 `silian db upgrade`",
            "The database schema is out of date: run `silian db upgrade`",
        ),
    }
)


@dataclass(frozen=True)
class Scenario:
    """A saved scenario (``spec`` as stored: the normalised JSON object)."""

    id: int
    region_code: str
    name: str
    kind: str
    spec: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        return asdict(self)


def _check_planner(principal: Principal | None) -> None:
    if principal is not None and principal.role not in PLANNERS:
        raise PermissionDenied(t("sc_forbidden"))


def _row(r: ScenarioRow) -> Scenario:
    return Scenario(id=r.id, region_code=r.region_code, name=r.name, kind=r.kind, spec=json.loads(r.spec),
                    created_by=r.created_by, created_at=r.created_at, updated_at=r.updated_at)


def _visible_regions(db: Database, principal: Principal | None) -> list[str] | None:
    """The regions whose scenarios ``p`` may see (None: all)."""
    if principal is None or principal.is_admin:
        return None
    return _county_and_city(db, principal)


def _county_and_city(db: Database, principal: Principal) -> list[str]:
    with db.engine.connect() as conn:
        parent = hub_store.region_parent(conn, principal.county_code)
    return [c for c in (principal.county_code, parent) if c]


def list_scenarios(db: Database, principal: Principal | None = None) -> list[Scenario]:
    """Every scenario the principal may see, oldest first."""
    _check_planner(principal)
    regions = _visible_regions(db, principal)
    with db.engine.connect() as conn:
        return [_row(r) for r in store.list_scenarios(conn, regions=regions)]


def get_scenario(db: Database, principal: Principal | None, ident: int | str) -> Scenario:
    """A visible scenario by id (int) or name (str); NotFound otherwise."""
    _check_planner(principal)
    regions = _visible_regions(db, principal)
    with db.engine.connect() as conn:
        found = store.find_scenario(conn, ident, regions=regions)
    if found is None:
        raise NotFound(t("sc_not_found", name=ident))
    return _row(found)


def _owner_region(hub: HubSnapshot, principal: Principal | None, region: str | None) -> str:
    if principal is not None and principal.role == "county_officer":
        return principal.county_code or ""
    return resolve_region(hub, region)[0]


def _check_codes(hub: HubSnapshot, principal: Principal | None, spec: Spec) -> None:
    """A county officer's spec names only its county's schools (and, for a plant, its county)."""
    if principal is None or principal.role != "county_officer":
        return
    own = set(hub["institutions"].filter(pl.col("county_code") == principal.county_code)["code"].to_list())
    if isinstance(spec, PlanSpec):
        codes = {c.school for c in spec.changes}
    elif isinstance(spec, MergerSpec):
        codes = set(spec.schools)
    else:
        codes = {spec.county} if spec.county != principal.county_code else set()
        own = set()
    outside = sorted(codes - own)
    if outside:
        raise PermissionDenied(t("sc_not_your_county", county=principal.county_code, codes="、".join(outside)))


def resolve_spec(hub: HubSnapshot, kind: str, data: Any, *, settings: Settings, region: str | None,
                 principal: Principal | None = None, catalog: Catalog | None = None) -> Spec:
    """The checked spec; a plan that asks for the optimiser gets the optimiser's changes (a county officer's:
    those of its county's schools)."""
    catalog = catalog or get_catalog()
    spec = parse_spec(kind, data, hub, catalog)
    if isinstance(spec, PlanSpec) and spec.optimiser is not None and not spec.changes:
        from silian.services.scenarios.from_plan import optimiser_changes
        county = principal.county_code if principal is not None and principal.role == "county_officer" else None
        spec = PlanSpec(changes=optimiser_changes(hub, settings=settings, region=region, options=spec.optimiser,
                                                  county=county, catalog=catalog), optimiser=spec.optimiser)
    _check_codes(hub, principal, spec)
    return spec


def save_scenario(db: Database, principal: Principal | None, *, name: str, kind: str, spec: Any,
                  settings: Settings | None = None, region: str | None = None, replace: bool = False,
                  client: str = "", hub: HubSnapshot | None = None) -> Scenario:
    """Check and store a scenario (``replace``: overwrite one of the same name in the same region)."""
    _check_planner(principal)
    settings = settings or Settings()
    name = (name or "").strip()
    if not 0 < len(name) <= NAME_MAX:
        raise InvalidInput(t("sc_bad_name", n=NAME_MAX))
    if not db.is_current():
        raise InvalidInput(t("sc_db_not_migrated"))
    hub = hub or load_hub(db)
    owner = _owner_region(hub, principal, region)
    checked = resolve_spec(hub, kind, spec, settings=settings, region=region, principal=principal)
    stored, now = json.dumps(spec_to_json(checked), ensure_ascii=False), datetime.now(UTC)
    with db.begin() as conn:
        existing = store.find_scenario_id(conn, owner, name)
        if existing is not None and not replace:
            raise InvalidInput(t("sc_exists", name=name))
        if existing is not None:
            store.update_scenario(conn, existing, kind=kind, spec=stored, at=now)
            ident = existing
        else:
            ident = store.insert_scenario(conn, region_code=owner, name=name, kind=kind, spec=stored,
                                          created_by=principal.user_id if principal else None, at=now)
        write_audit(conn, principal, "scenario_save", "scenarios", str(ident), None,
                    {"name": name, "kind": kind, "region_code": owner}, client)
        row = store.get_scenario(conn, ident)
    return _row(row)


def delete_scenario(db: Database, principal: Principal | None, ident: int | str, client: str = "") -> Scenario:
    """Delete a scenario the principal may see; a county officer only its county's."""
    found = get_scenario(db, principal, ident)
    if principal is not None and not principal.is_admin and found.region_code != principal.county_code:
        raise PermissionDenied(t("sc_not_yours"))
    with db.begin() as conn:
        store.delete_scenario(conn, found.id)
        write_audit(conn, principal, "scenario_delete", "scenarios", str(found.id), found.public(), None, client)
    return found


def compare_saved(db: Database, principal: Principal | None, idents: Sequence[int | str], *,
                  settings: Settings | None = None, year: int | None = None, hub: HubSnapshot | None = None) -> Comparison:
    """The baseline and the named (or numbered) scenarios, side by side, for the city they belong to."""
    if not idents:
        raise InvalidInput(t("sc_none_given"))
    found = [get_scenario(db, principal, i) for i in dict.fromkeys(idents)]
    hub = hub or load_hub(db)
    catalog = get_catalog()
    parsed = [(s.name, parse_spec(s.kind, s.spec, hub, catalog)) for s in found]
    return compare(hub, parsed, settings=settings, region=_city_of(hub, found[0].region_code), year=year, catalog=catalog)


def _city_of(hub: HubSnapshot, code: str) -> str:
    regions = hub["regions"].filter(pl.col("code") == code)
    if regions.height and regions["level"][0] != "市" and regions["parent_code"][0]:
        return str(regions["parent_code"][0])
    return code


def code_names(db: Database) -> dict[str, str]:
    """Names of the hub's regions and schools and of the 大典 occupations, by code (to show a spec in words)."""
    with db.engine.connect() as conn:
        names = hub_store.region_names(conn)
        names.update(hub_store.school_names(conn))
    names.update(get_catalog().occupation_names)
    return names
