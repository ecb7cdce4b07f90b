"""Partners for the enterprise demand held in the hub (issue 6, item 3).

For each enterprise's declared demand of one year (the hub's ``demand`` rows with source ``declared`` and an
enterprise, summed by enterprise × county × occupation × major), the schools and majors best placed to supply it,
scored and explained exactly like a talent-demand post on the platform (:mod:`silian.services.recommend`)::

    score = 0.40·fit + 0.30·capacity + 0.15·distance + 0.15·cooperation

Who sees what follows the ``demand`` table's read scope: the city admin every enterprise, a county officer the
demand of its county, an enterprise user its own; school users and the public are refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from silian.catalog import get_catalog
from silian.domain.access import Principal, read_scope
from silian.domain.errors import InvalidInput, PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.recommend import (
    MAX_LIMIT,
    WEIGHTS,
    Recommendation,
    cooperation_pairs,
    fitting_majors,
    graduate_supply,
    region_places,
    school_directory,
    score_schools,
)
from silian.storage import partners as store
from silian.storage.database import Database
from silian.storage.hub import enterprise_directory

MAX_NEEDS = 500

register_messages(
    {
        "dp_forbidden": (
            "只有市级管理员、县级教育部门和企业用户可以查看企业需求的合作推荐",
            "Only the city admin, county officers and enterprise users may see partners for enterprise demand",
        ),
        "dp_bad_year": ("年份须为四位数字，收到 {value}", "The year must have four digits, got {value}"),
        "dp_none": (
            "{year} 年没有可见的企业申报需求（来源 declared 且填写了企业代码）",
            "No declared enterprise demand visible for {year} (source declared, with an enterprise code)",
        ),
        "dp_no_year": (
            "没有可见的企业申报需求；请先导入需求表（来源 declared，填写企业统一社会信用代码）",
            (
                "No declared enterprise demand is visible; import the demand table firs"
                "t (source declared, with the enterprise's credit code)"
            ),
        ),
    }
)


@dataclass(frozen=True)
class DemandNeed:
    """One enterprise need of the year and the schools and majors best placed to supply it, best first."""

    enterprise_credit_code: str
    enterprise_name: str | None
    region_code: str
    occupation_code: str | None
    occupation_name: str | None
    major_code: str | None
    major_name: str | None
    count: int
    partners: list[Recommendation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DemandPartners:
    """The needs of ``year`` (at most ``MAX_NEEDS``, largest first), the weights used and a note when empty."""

    year: int | None
    needs: list[DemandNeed]
    weights: dict[str, float]
    truncated: bool = False
    note: str = ""
    generated: bool = False  # the demand or the schools' graduates include generated demo data


def demand_partners(db: Database, principal: Principal, *, enterprise: str | None = None, year: int | None = None,
                    top: int = 5) -> DemandPartners:
    """The schools and majors for every declared enterprise need of ``year`` (default: the latest) that ``p`` may see."""
    scope = read_scope(principal, "demand")
    if principal.role == "school_user" or scope.kind == "none":
        raise PermissionDenied(t("dp_forbidden"))
    if year is not None and not 1000 <= year <= 9999:
        raise InvalidInput(t("dp_bad_year", value=year))
    top = max(1, min(top, MAX_LIMIT))
    with db.engine.connect() as conn:
        if year is None:
            latest = store.latest_need_year(conn, scope=scope, enterprise=enterprise)
            if latest is None:
                return DemandPartners(None, [], dict(WEIGHTS), note=t("dp_no_year"))
            year = int(latest)
        rows = store.declared_needs(conn, year, scope=scope, enterprise=enterprise)
        needs = sorted(rows, key=lambda r: (-int(r.count or 0), r.enterprise_credit_code, r.occupation_code or "",
                                            r.major_code or "", r.region_code))
        truncated = len(needs) > MAX_NEEDS
        needs = needs[:MAX_NEEDS]
        supply, coop = graduate_supply(conn), cooperation_pairs(conn)
        schools, places = school_directory(conn), region_places(conn)
        codes = sorted({r.enterprise_credit_code for r in needs})
        enterprises = {code: name for code, (name, _county) in enterprise_directory(conn, codes).items()}
        generated = store.any_generated(conn, year, scope=scope, enterprise=enterprise)
    catalog = get_catalog()
    occupations, majors = catalog.occupation_names, catalog.major_names
    fits_of: dict[tuple[str, str], pl.DataFrame] = {}
    out = []
    for r in needs:
        key = (r.major_code or "", r.occupation_code or "")
        if key not in fits_of:
            fits_of[key] = fitting_majors(r.major_code or None, r.occupation_code or None)
        post = {"enterprise_credit_code": r.enterprise_credit_code, "region_code": r.region_code,
                "occupation_code": r.occupation_code or None, "major_code": r.major_code or None,
                "count": int(r.count or 0), "id": None, "kind": "talent_demand"}
        partners = score_schools(post, fits_of[key], supply, coop, schools, places)[:top] if fits_of[key].height else []
        out.append(DemandNeed(r.enterprise_credit_code, enterprises.get(r.enterprise_credit_code), r.region_code,
                              r.occupation_code or None, occupations.get(r.occupation_code or ""),
                              r.major_code or None, majors.get(r.major_code or ""), int(r.count or 0), partners))
    return DemandPartners(year, out, dict(WEIGHTS), truncated, "" if out else t("dp_none", year=year), generated)


def partners_table(result: DemandPartners) -> pl.DataFrame:
    """One row per need and partner (a need without partners gets one row with empty partner columns)."""
    rows = []
    for need in result.needs:
        base = {"year": result.year, "enterprise_credit_code": need.enterprise_credit_code,
                "enterprise_name": need.enterprise_name, "region_code": need.region_code,
                "occupation_code": need.occupation_code, "occupation_name": need.occupation_name,
                "major_code": need.major_code, "major_name": need.major_name, "count": need.count}
        for rank, partner in enumerate(need.partners or [None], start=1):
            rows.append({**base, "rank": rank if partner else None,
                         "school_code": partner.code if partner else None,
                         "school_name": partner.name if partner else None,
                         "school_major_code": partner.major_code if partner else None,
                         "school_major_name": partner.major_name if partner else None,
                         "score": partner.score if partner else None,
                         "reason": partner.reason if partner else None})
    return pl.DataFrame(rows, infer_schema_length=None)
