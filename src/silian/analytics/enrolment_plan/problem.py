"""The enrolment-planning problem as arrays (:class:`EnrolmentProblem`): pairs of school × major, their
bounds and the constraint families; the shapes and signs are checked by ``validate``. See ``enrolment_plan``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FAMILIES = ("capacity", "change_up", "change_down", "min_cohort", "keep", "close", "total_min", "total_max")
TOLERANCE = 1e-6
KEEP_MINIMUM = 1.0  # students: a pair that must stay open enrols at least this many

register_messages(
    {
        "plan_shape": (
            "招生计划问题的“{name}”应有 {n} 个值，实际 {got} 个",
            "Enrolment problem: '{name}' needs {n} values, got {got}",
        ),
        "plan_negative": (
            "招生计划问题的“{name}”不能为负数或空值",
            "Enrolment problem: '{name}' must be non-negative numbers",
        ),
        "plan_index": ("招生计划问题的“{name}”含越界的序号", "Enrolment problem: '{name}' holds an index out of range"),
        "plan_duplicate": (
            "同一学校同一专业出现了两次：{school} × {major}",
            "A school × major pair appears twice: {school} × {major}",
        ),
        "plan_no_pairs": ("没有可安排招生的学校 × 专业组合", "There is no school × major pair to plan"),
        "plan_solver": ("求解器未能求解（{detail}）", "The solver failed ({detail})"),
    }
)


@dataclass(frozen=True, eq=False)
class EnrolmentProblem:
    """Everything the optimiser needs, as arrays; pairs are indexed p = 0 … n_pairs − 1.

    ``capacity`` is each school's entrant seats (``np.inf`` = unlimited); ``target`` and ``weight`` are per
    major; ``min_cohort`` per pair (0 = none); ``may_close`` pairs may be set to 0 (else they stay open);
    ``force_close`` pairs must be 0. ``in_total`` marks the schools whose enrolment counts in the bounded
    total (``total_min``/``total_max``, e.g. the 中职 side of the 职普 ratio). ``max_change`` is relative,
    ``change_floor`` the students any pair may move anyway (so small and new cohorts can reach a viable
    size), ``max_change_abs`` an absolute cap (None = none).

    ``hold`` pairs stay exactly at this year's enrolment (no change either way, never closed: e.g. majors
    without demand evidence). With ``phase_closures`` (default) a closure counts toward the yearly change
    limit: a pair that may close but enrols more than its allowance Δ_p cannot reach 0 this year, so it is
    kept and may fall by at most Δ_p — below the minimum cohort if need be (a phase-out; the rest follows in
    later years, see :meth:`phase_out_schedule`). ``scenario_targets`` (k × majors) and ``scenario_weights``
    (k, summing to 1) replace ``target`` in the objective by the expected weighted gap over the scenarios.
    """

    schools: tuple[str, ...]
    majors: tuple[str, ...]
    pair_school: IntArray
    pair_major: IntArray
    current: FloatArray
    capacity: FloatArray
    target: FloatArray
    weight: FloatArray
    min_cohort: FloatArray
    may_close: BoolArray
    force_close: BoolArray
    max_change: float | None = 0.2
    change_floor: float = 0.0
    max_change_abs: float | None = None
    grow_limit: FloatArray | None = None
    new_cohort_max: float | None = None
    in_total: BoolArray | None = None
    total_min: float | None = None
    total_max: float | None = None
    change_penalty: float = 1e-3
    integral: bool = True
    hold: BoolArray | None = None
    phase_closures: bool = True
    scenario_targets: FloatArray | None = None
    scenario_weights: FloatArray | None = None

    def __post_init__(self) -> None:
        kinds = {"pair_school": np.int64, "pair_major": np.int64, "current": float, "capacity": float, "target": float,
                 "weight": float, "min_cohort": float, "may_close": bool, "force_close": bool, "grow_limit": float,
                 "in_total": bool, "hold": bool, "scenario_targets": float, "scenario_weights": float}
        for name, kind in kinds.items():
            if getattr(self, name) is not None:
                object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=kind))

    @property
    def n_pairs(self) -> int:
        return len(self.pair_school)

    def held(self) -> BoolArray:
        return np.zeros(self.n_pairs, bool) if self.hold is None else self.hold

    def allowance(self) -> FloatArray:
        """Δ_p: how far a pair may move from this year's enrolment (0 for held pairs)."""
        return np.where(self.held(), 0.0, self.step(self.current))

    def step(self, current: FloatArray) -> FloatArray:
        """The yearly allowance for cohorts of size ``current``: min(max(r·c, floor), cap)."""
        current = np.asarray(current, float)
        rel = np.full(current.shape, np.inf) if self.max_change is None else self.max_change * current
        delta = np.maximum(rel, self.change_floor)
        return np.minimum(delta, np.inf if self.max_change_abs is None else self.max_change_abs)

    def phased(self) -> BoolArray:
        """Pairs that may close but not this year: the closure exceeds the yearly change limit (phase-out)."""
        if not self.phase_closures:
            return np.zeros(self.n_pairs, bool)
        return self.may_close & ~self.force_close & ~self.held() & (self.current > self.allowance() + TOLERANCE)

    def closable(self) -> BoolArray:
        """Pairs that may be set to 0 this year (held and phased pairs may not)."""
        return self.may_close & ~self.held() & ~self.phased()

    def cohort(self) -> FloatArray:
        """The minimum cohort that applies to each pair while open: waived for held and phased pairs."""
        return np.where(self.held() | self.phased(), 0.0, self.min_cohort)

    def targets(self) -> tuple[FloatArray, FloatArray]:
        """(k × majors targets, k weights): the scenarios, or the one ``target`` with weight 1."""
        if self.scenario_targets is None:
            return self.target[None, :], np.ones(1)
        weights = np.ones(len(self.scenario_targets)) if self.scenario_weights is None else self.scenario_weights
        return np.atleast_2d(self.scenario_targets), weights / weights.sum()

    def phase_out_schedule(self, planned: float, current: float) -> list[float]:
        """Entrants in the following years of a pair planned at ``planned`` (from ``current``) on its way to 0,
        each year falling by at most its yearly allowance; empty when it is not being phased out."""
        out: list[float] = []
        level = float(planned)
        while level > TOLERANCE and len(out) < 50:
            level = max(level - float(self.step(np.array([level]))[0]), 0.0)
            out.append(level)
        return out

    def upper(self) -> FloatArray:
        """c_p + Δ_p, within ``grow_limit``."""
        up = self.current + self.allowance()
        if self.new_cohort_max is not None:
            up = np.where(self.current > 0, up, self.new_cohort_max)
        return up if self.grow_limit is None else np.minimum(up, self.grow_limit)

    def lower_change(self) -> FloatArray:
        return np.maximum(self.current - self.allowance(), 0.0)

    def counted(self) -> BoolArray:
        """Per pair: whether it counts in the bounded total."""
        mask = np.ones(len(self.schools), bool) if self.in_total is None else self.in_total
        return mask[self.pair_school]

    def validate(self) -> EnrolmentProblem:
        """Check shapes, signs and indices; raise InvalidInput naming the field."""
        n_s, n_m, n_p = len(self.schools), len(self.majors), self.n_pairs
        if n_p == 0:
            raise InvalidInput(t("plan_no_pairs"))
        sizes = {"pair_major": n_p, "current": n_p, "min_cohort": n_p, "may_close": n_p, "force_close": n_p,
                 "capacity": n_s, "target": n_m, "weight": n_m}
        if self.in_total is not None:
            sizes["in_total"] = n_s
        if self.grow_limit is not None:
            sizes["grow_limit"] = n_p
        if self.hold is not None:
            sizes["hold"] = n_p
        if self.scenario_targets is not None:
            for k, row in enumerate(np.atleast_2d(self.scenario_targets)):
                if len(row) != n_m:
                    raise InvalidInput(t("plan_shape", name=f"scenario_targets[{k}]", n=n_m, got=len(row)))
            if self.scenario_weights is not None and len(self.scenario_weights) != len(np.atleast_2d(self.scenario_targets)):
                raise InvalidInput(t("plan_shape", name="scenario_weights", n=len(np.atleast_2d(self.scenario_targets)),
                                     got=len(self.scenario_weights)))
        for name, n in sizes.items():
            got = len(getattr(self, name))
            if got != n:
                raise InvalidInput(t("plan_shape", name=name, n=n, got=got))
        for name in ("current", "capacity", "target", "weight", "min_cohort", "grow_limit", "scenario_targets",
                     "scenario_weights"):
            if getattr(self, name) is None:
                continue
            values = np.asarray(getattr(self, name), float)
            if np.isnan(values).any() or (values < 0).any():
                raise InvalidInput(t("plan_negative", name=name))
        for name, limit in (("pair_school", n_s), ("pair_major", n_m)):
            index = np.asarray(getattr(self, name))
            if index.min(initial=0) < 0 or index.max(initial=0) >= limit:
                raise InvalidInput(t("plan_index", name=name))
        key = self.pair_school.astype(np.int64) * n_m + self.pair_major
        unique, counts = np.unique(key, return_counts=True)
        if (counts > 1).any():
            dup = int(unique[counts > 1][0])
            raise InvalidInput(t("plan_duplicate", school=self.schools[dup // n_m], major=self.majors[dup % n_m]))
        return self
