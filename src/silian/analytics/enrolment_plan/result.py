"""What the optimiser returns: the plan with each constraint's slack (:func:`constraint_slacks`), or why no
plan exists (:class:`InfeasibilityDiagnosis`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from silian.analytics.enrolment_plan.problem import TOLERANCE, EnrolmentProblem, FloatArray, IntArray


@dataclass(frozen=True)
class InfeasibilityDiagnosis:
    """Why no plan exists: ``families`` is a minimal set of constraint families that cannot hold together;
    ``violations`` (family, school, major, amount) the least violation, in students, that restores a plan."""

    families: tuple[str, ...]
    violations: pl.DataFrame

    def violated_families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.violations["family"].to_list()))


@dataclass(frozen=True)
class PlanResult:
    """The plan (``enrolment`` per pair), its weighted gap, each constraint's slack and what bound binds.

    ``constraints`` has one row per constraint that applies to the plan: family, school, major (null for
    school- and region-level rows), value, bound, slack (≥ 0 when satisfied) and binding.
    """

    status: str                      # optimal | time_limit | infeasible
    enrolment: FloatArray
    objective: float                 # Σ_k π_k Σ_m w_m |X_m − T_mk| (one scenario: Σ w_m |X_m − T_m|; no tie-breaks)
    bound: float                     # proven lower bound of the stage-1 objective
    mip_gap: float                   # (plan − bound) / plan on the stage-1 objective
    seconds: dict[str, float]
    size: dict[str, int]
    constraints: pl.DataFrame
    diagnosis: InfeasibilityDiagnosis | None = None

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible" and len(self.enrolment) > 0


def empty_constraints() -> pl.DataFrame:
    return pl.DataFrame(schema=CONSTRAINT_SCHEMA)


CONSTRAINT_SCHEMA = {"family": pl.String, "school": pl.String, "major": pl.String, "value": pl.Float64,
                     "bound": pl.Float64, "slack": pl.Float64, "binding": pl.Boolean}


def constraint_slacks(problem: EnrolmentProblem, plan: FloatArray) -> pl.DataFrame:
    """Every constraint that applies to ``plan``, with its slack (≥ 0 when satisfied) and binding flag.

    Pair rows apply to open pairs (change_up, change_down when the pair stays open, min_cohort) and to
    forced closures (close); school rows are capacity; the region rows are total_min and total_max.
    """
    p, n = problem, problem.n_pairs
    opened = plan > TOLERANCE
    load = np.bincount(p.pair_school, plan, len(p.schools))
    frames = []

    def add(family: str, school: IntArray, major: IntArray | None, value: FloatArray, bound: FloatArray, sense: int) -> None:
        slack = (bound - value) if sense < 0 else (value - bound)
        scale = np.maximum(np.abs(bound), 1.0)
        frames.append(pl.DataFrame({
            "family": [family] * len(value), "school": [p.schools[i] for i in school.tolist()],
            "major": [None] * len(value) if major is None else [p.majors[i] for i in major.tolist()],
            "value": value.astype(float), "bound": bound.astype(float), "slack": slack.astype(float),
            "binding": np.abs(slack) <= TOLERANCE * scale + (1.0 - 1e-9 if p.integral else 0.0)}, schema=CONSTRAINT_SCHEMA))

    pairs = np.arange(n)
    up, down = p.upper(), p.lower_change()
    closed = p.force_close
    for family, mask, bound, sense in (("change_up", opened & np.isfinite(up), up, -1),
                                       ("change_down", opened & (down > 0), down, 1),
                                       ("min_cohort", opened & (p.cohort() > 0), p.cohort(), 1),
                                       ("close", closed, np.zeros(n), -1)):
        sel = pairs[mask]
        add(family, p.pair_school[sel], p.pair_major[sel], plan[sel], bound[sel], sense)
    schools = np.flatnonzero(np.isfinite(p.capacity))
    add("capacity", schools, None, load[schools], p.capacity[schools], -1)  # type: ignore[arg-type]
    total = float(plan[p.counted()].sum())
    for family, bound, sense in (("total_min", p.total_min, 1), ("total_max", p.total_max, -1)):  # type: ignore[assignment]
        if bound is not None:
            frames.append(
                pl.DataFrame(
                    {
                        "family": [family],
                        "school": [None],
                        "major": [None],
                        "value": [total],
                        "bound": [float(bound)],
                        "slack": [(total - bound) * sense],
                        "binding": [
                            abs(total - bound) <= TOLERANCE * max(abs(bound), 1.0) + (1.0 - 1e-9 if p.integral else 0)  # type: ignore[operator]
                        ],
                    },  # type: ignore[operator]
                    schema=CONSTRAINT_SCHEMA,
                )
            )
    return pl.concat(frames) if frames else empty_constraints()
