"""A plan scenario from the enrolment-plan optimiser: its changed offerings as planned entrants."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.catalog import Catalog
from silian.domain.errors import InvalidInput
from silian.services.hub import HubSnapshot
from silian.services.planning.enrolment_plan import PlanOptions, infeasible_text, plan_enrolment
from silian.services.scenarios.specs import EnrolmentChange
from silian.settings import Settings


def optimiser_changes(hub: HubSnapshot, *, settings: Settings, region: str | None, options: dict[str, Any],
                      county: str | None = None, catalog: Catalog | None = None) -> tuple[EnrolmentChange, ...]:
    """The optimiser's changes for ``region`` (only the schools of ``county`` when given)."""
    plan = plan_enrolment(hub=hub, settings=settings, region=region, options=PlanOptions(**options), catalog=catalog)
    if not plan.result.feasible:
        raise InvalidInput(infeasible_text(plan.result))
    changes = plan.changes
    if county is not None:
        own = hub["institutions"].filter(pl.col("county_code") == county)["code"].to_list()
        changes = changes.filter(pl.col("institution_code").is_in(own))
    return tuple(EnrolmentChange(school=s, major=m, enrolment=round(p))
                 for s, m, p in changes.select("institution_code", "major_code", "planned").iter_rows())
