"""The enrolment plan as a caller asks for it (``POST /api/v1/plan``, the 规划 pages): who may plan, the plan of the
caller's city, a county officer's view limited to its county's schools, and the summary made JSON-safe.

The optimiser itself is :mod:`silian.services.planning.enrolment_plan`; this module is the use-case around it.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from silian.domain.access import Principal
from silian.domain.errors import PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.hub import load_hub
from silian.services.hub_database import Database
from silian.services.planning.enrolment_plan import PlanOptions, plan_enrolment, plan_summary
from silian.settings import Settings

Json = dict[str, Any]
PLANNERS = ("city_admin", "county_officer")
register_messages(
    {
        "api_plan_forbidden": (
            "只有市级管理员和县级教育部门可以编制招生计划",
            "Only city admins and county officers may plan enrolment",
        ),
        "api_plan_county_note": (
            "只列出本县（{county}）学校的计划与约束；专业汇总与预测效果为全市",
            "Only your county's ({county}) schools are listed; majors and the effect are the city's",
        ),
    }
)


def require_planner(principal: Principal) -> Principal:
    """``p`` if it may plan (city admins and county officers); otherwise :class:`PermissionDenied` (403)."""
    if principal.role not in PLANNERS:
        raise PermissionDenied(t("api_plan_forbidden"))
    return principal


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


def plan_for(db: Database, settings: Settings, principal: Principal, *, region: str | None, year: int | None,
             options: PlanOptions) -> Json:
    """The plan as `silian plan --json` (JSON-safe), for ``p`` (a planner, else 403): a county officer plans its
    city and gets the rows of its county's schools."""
    require_planner(principal)
    hub = load_hub(db)
    if principal.role == "county_officer":
        regions = hub["regions"].filter(pl.col("code") == (principal.county_code or ""))
        region = str(regions["parent_code"][0]) if regions.height and regions["parent_code"][0] else principal.county_code
    plan = plan_enrolment(hub=hub, settings=settings, region=region, year=year, options=options)
    summary = plan_summary(plan)
    summary["uses_generated_data"] = hub.any_generated()
    if principal.role == "county_officer":
        schools = set(hub["institutions"].filter(pl.col("county_code") == principal.county_code)["code"].to_list())
        summary = _county_only(summary, schools, principal.county_code or "")
    return finite(summary)  # type: ignore[no-any-return]
