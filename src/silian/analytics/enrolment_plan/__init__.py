"""Enrolment-plan optimiser: next year's enrolment by school × major that minimises the weighted gap to
demand, under school capacity, minimum cohorts, maximum yearly change, keep-or-close rules and a bound on
the secondary (中职) total; a mixed-integer programme solved by HiGHS (``scipy.optimize.milp``).

Decision variables, per allowed pair p = (school s, major m): enrolment x_p ≥ 0 (integer by default) and,
only where the pair may be at zero *and* has a positive lower bound when open, a binary y_p (open).
Per major: over- and under-supply o_m, u_m ≥ 0 with Σ_{p∈m} x_p − o_m + u_m = T_m.

Objective: min Σ_m w_m (o_m + u_m) + ε Σ_p |x_p − c_p| (ε breaks ties towards the smallest total change).

Constraint families (``FAMILIES``): capacity Σ_{p∈s} x_p ≤ K_s; change_up x_p ≤ c_p + Δ_p;
change_down x_p ≥ c_p − Δ_p; min_cohort x_p ≥ L_p (the last two only when the pair is open: × y_p);
keep y_p = 1 for pairs that may not close; close x_p = 0 for pairs that must close; total_min and
total_max bound Σ x_p over the schools in the secondary total. Δ_p = min(max(r·c_p, floor), cap).

An infeasible problem is diagnosed twice: a deletion filter over the families finds a minimal set of
families that cannot hold together, and an elastic re-solve (a non-negative violation variable on every
row, 1 per student; a broken keep costs the pair's lower bound) names the rows that must give way.
Modules: ``problem`` (the problem), ``solver`` (solving), ``diagnosis`` (infeasibility), ``result`` (plan,
slacks). Method card: ``docs/methods/enrolment_plan.md``.
"""

from __future__ import annotations

from silian.analytics.enrolment_plan.diagnosis import diagnose_infeasibility
from silian.analytics.enrolment_plan.problem import FAMILIES, KEEP_MINIMUM, TOLERANCE, EnrolmentProblem
from silian.analytics.enrolment_plan.result import (
    CONSTRAINT_SCHEMA,
    InfeasibilityDiagnosis,
    PlanResult,
    constraint_slacks,
)
from silian.analytics.enrolment_plan.solver import pair_bounds, solve_enrolment_plan

__all__ = ["CONSTRAINT_SCHEMA", "FAMILIES", "KEEP_MINIMUM", "TOLERANCE", "EnrolmentProblem", "InfeasibilityDiagnosis",
           "PlanResult", "constraint_slacks", "diagnose_infeasibility", "pair_bounds", "solve_enrolment_plan"]
