"""What-if scenarios: a changed enrolment plan, a new plant, a school merger — saved, applied to a copy of the
hub in memory and compared with the baseline side by side (see docs/planning.md)."""

from __future__ import annotations

from silian.services.scenarios.apply import Applied, apply_scenario
from silian.services.scenarios.compare import Comparison, IndicatorRow, compare, indicators
from silian.services.scenarios.specs import (
    KINDS,
    EnrolmentChange,
    MergerSpec,
    PlanSpec,
    PlantNeed,
    PlantSpec,
    Spec,
    parse_spec,
    spec_to_json,
)
from silian.services.scenarios.store import (
    Scenario,
    code_names,
    compare_saved,
    delete_scenario,
    get_scenario,
    list_scenarios,
    resolve_spec,
    save_scenario,
)

__all__ = ["KINDS", "Applied", "Comparison", "EnrolmentChange", "IndicatorRow", "MergerSpec", "PlanSpec", "PlantNeed",
           "PlantSpec", "Scenario", "Spec", "apply_scenario", "code_names", "compare", "compare_saved", "delete_scenario",
           "get_scenario", "indicators", "list_scenarios", "parse_spec", "resolve_spec", "save_scenario",
           "spec_to_json"]
