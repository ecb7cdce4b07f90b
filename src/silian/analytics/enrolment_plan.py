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
Method card: ``docs/methods/enrolment_plan.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FAMILIES = ("capacity", "change_up", "change_down", "min_cohort", "keep", "close", "total_min", "total_max")
TOLERANCE = 1e-6
KEEP_MINIMUM = 1.0  # students: a pair that must stay open enrols at least this many
_DISP = False

register_messages({
    "plan_shape": ("招生计划问题的“{name}”应有 {n} 个值，实际 {got} 个", "Enrolment problem: '{name}' needs {n} values, got {got}"),
    "plan_negative": ("招生计划问题的“{name}”不能为负数或空值", "Enrolment problem: '{name}' must be non-negative numbers"),
    "plan_index": ("招生计划问题的“{name}”含越界的序号", "Enrolment problem: '{name}' holds an index out of range"),
    "plan_duplicate": ("同一学校同一专业出现了两次：{school} × {major}", "A school × major pair appears twice: {school} × {major}"),
    "plan_no_pairs": ("没有可安排招生的学校 × 专业组合", "There is no school × major pair to plan"),
    "plan_solver": ("求解器未能求解（{detail}）", "The solver failed ({detail})"),
})


@dataclass(frozen=True, eq=False)
class EnrolmentProblem:
    """Everything the optimiser needs, as arrays; pairs are indexed p = 0 … n_pairs − 1.

    ``capacity`` is each school's entrant seats (``np.inf`` = unlimited); ``target`` and ``weight`` are per
    major; ``min_cohort`` per pair (0 = none); ``may_close`` pairs may be set to 0 (else they stay open);
    ``force_close`` pairs must be 0. ``in_total`` marks the schools whose enrolment counts in the bounded
    total (``total_min``/``total_max``, e.g. the 中职 side of the 职普 ratio). ``max_change`` is relative,
    ``change_floor`` the students any pair may move anyway (so small and new cohorts can reach a viable
    size), ``max_change_abs`` an absolute cap (None = none).
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

    def __post_init__(self) -> None:
        kinds = {"pair_school": np.int64, "pair_major": np.int64, "current": float, "capacity": float, "target": float,
                 "weight": float, "min_cohort": float, "may_close": bool, "force_close": bool, "grow_limit": float,
                 "in_total": bool}
        for name, kind in kinds.items():
            if getattr(self, name) is not None:
                object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=kind))

    @property
    def n_pairs(self) -> int:
        return len(self.pair_school)

    def allowance(self) -> FloatArray:
        """Δ_p: how far a pair that stays open may move from this year's enrolment."""
        rel = np.full(self.n_pairs, np.inf) if self.max_change is None else self.max_change * self.current
        delta = np.maximum(rel, self.change_floor)
        return np.minimum(delta, np.inf if self.max_change_abs is None else self.max_change_abs)

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
        for name, n in sizes.items():
            got = len(getattr(self, name))
            if got != n:
                raise InvalidInput(t("plan_shape", name=name, n=n, got=got))
        for name in ("current", "capacity", "target", "weight", "min_cohort", "grow_limit"):
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
    objective: float                 # Σ w_m |X_m − T_m| (without the tie-break terms)
    bound: float                     # proven lower bound of the stage-1 objective
    mip_gap: float                   # (plan − bound) / plan on the stage-1 objective
    seconds: dict[str, float]
    size: dict[str, int]
    constraints: pl.DataFrame
    diagnosis: InfeasibilityDiagnosis | None = None

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible" and len(self.enrolment) > 0


@dataclass
class _Model:
    """A MILP in COO form, built family by family; ``rows`` remembers each row's family and pair or school."""

    lb: list[FloatArray] = field(default_factory=list)
    ub: list[FloatArray] = field(default_factory=list)
    cost: list[FloatArray] = field(default_factory=list)
    integer: list[npt.NDArray[np.int8]] = field(default_factory=list)
    entries: list[tuple[IntArray, IntArray, FloatArray]] = field(default_factory=list)
    row_lb: list[FloatArray] = field(default_factory=list)
    row_ub: list[FloatArray] = field(default_factory=list)
    row_family: list[npt.NDArray[np.str_]] = field(default_factory=list)
    row_owner: list[IntArray] = field(default_factory=list)  # pair index, school index or -1
    row_violation: list[IntArray] = field(default_factory=list)  # elastic variable of the row or -1
    n_vars: int = 0
    n_rows: int = 0
    elastic: bool = False

    def add_vars(self, n: int, lb: float | FloatArray, ub: float | FloatArray, cost: float | FloatArray,
                 integer: bool) -> IntArray:
        self.lb.append(np.broadcast_to(np.asarray(lb, float), n).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, float), n).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, float), n).copy())
        self.integer.append(np.full(n, 1 if integer else 0, np.int8))
        start, self.n_vars = self.n_vars, self.n_vars + n
        return np.arange(start, start + n)

    def add_rows(self, family: str, owner: IntArray, terms: list[tuple[IntArray, IntArray, FloatArray | float]],
                 lo: FloatArray | float, hi: FloatArray | float, penalty: FloatArray | float = 1.0) -> None:
        """Rows i = 0 … n − 1 (n = len(owner)): lo_i ≤ Σ coef · x[col] ≤ hi_i over the ``terms``
        (local row, column, coefficient); one of lo, hi is infinite except for definitional rows."""
        n = len(owner)
        if n == 0:
            return
        for local, cols, coef in terms:
            self.entries.append((local + self.n_rows, cols, np.broadcast_to(np.asarray(coef, float), len(cols))))
        lo_a, hi_a = np.broadcast_to(np.asarray(lo, float), n), np.broadcast_to(np.asarray(hi, float), n)
        violation = np.full(n, -1)
        if self.elastic and family in FAMILIES:
            violation = self.add_vars(n, 0.0, np.inf, penalty, False)
            self.entries.append((np.arange(self.n_rows, self.n_rows + n), violation, np.where(np.isfinite(hi_a), -1.0, 1.0)))
        self.row_violation.append(violation)
        self.row_lb.append(lo_a.copy())
        self.row_ub.append(hi_a.copy())
        self.row_family.append(np.full(n, family))
        self.row_owner.append(np.asarray(owner, np.int64))
        self.n_rows += n

    def solve(self, time_limit: float | None, mip_rel_gap: float) -> tuple[object, FloatArray]:
        r, c, v = (np.concatenate([e[i] for e in self.entries]) for i in range(3))
        matrix = sparse.csr_array((v, (r, c)), shape=(self.n_rows, self.n_vars))
        options: dict[str, object] = {"mip_rel_gap": mip_rel_gap, "presolve": True, "disp": _DISP}
        if time_limit is not None:
            options["time_limit"] = time_limit
        result = milp(np.concatenate(self.cost), integrality=np.concatenate(self.integer),
                      bounds=Bounds(np.concatenate(self.lb), np.concatenate(self.ub)),
                      constraints=LinearConstraint(matrix, np.concatenate(self.row_lb), np.concatenate(self.row_ub)),
                      options=options)
        return result, matrix  # type: ignore[return-value]


def _build(problem: EnrolmentProblem, active: frozenset[str], *, elastic: bool) -> _Model:
    """The feasibility model of the diagnosis, with an explicit open binary y_p wherever a pair may be at 0
    below its open lower bound, and the ``active`` families (``elastic``: every row may be violated)."""
    p, model = problem, _Model(elastic=elastic)
    n = p.n_pairs
    x = model.add_vars(n, 0.0, np.inf, 0.0, p.integral)
    up = p.upper() if "change_up" in active else np.full(n, np.inf)
    down = p.lower_change() if "change_down" in active else np.zeros(n)
    cohort = p.min_cohort if "min_cohort" in active else np.zeros(n)
    closed = p.force_close & ("close" in active)
    kept = ~p.may_close & ~closed & ("keep" in active)
    lower = np.maximum(down, cohort)
    with_y = ~closed & (lower > 0) & (~kept | elastic)
    y = np.full(n, -1)
    y[with_y] = model.add_vars(int(with_y.sum()), 0.0, 1.0, 0.0, True)
    big_up = np.where(np.isfinite(up), up, _finite_cap(p))
    # pairs with an open/close binary: the bounds hold only when open (× y)
    finite = np.isfinite(up)
    for name, mask, bound, lo, hi in (("change_up", with_y & finite, big_up, -np.inf, 0.0),
                                      ("open_link", with_y & ~finite, big_up, -np.inf, 0.0),
                                      ("change_down", with_y & (down > 0), down, 0.0, np.inf),
                                      ("min_cohort", with_y & (cohort > 0), cohort, 0.0, np.inf)):
        sel = np.flatnonzero(mask)
        local = np.arange(len(sel))
        model.add_rows(name, sel, [(local, x[sel], 1.0), (local, y[sel], -bound[sel])], lo, hi)
    sel = np.flatnonzero(with_y & kept)
    model.add_rows("keep", sel, [(np.arange(len(sel)), y[sel], 1.0)], 1.0, np.inf, penalty=np.maximum(lower[sel], 1.0))
    # pairs without a binary: plain bounds (change_down and min_cohort only bind pairs that must stay open)
    plain = ~with_y & ~closed
    for name, sel, lo, hi in (("change_up", np.flatnonzero(plain & np.isfinite(up)), -np.inf, up),
                              ("change_down", np.flatnonzero(plain & kept & (down > 0)), down, np.inf),
                              ("min_cohort", np.flatnonzero(plain & kept & (cohort > 0)), cohort, np.inf),
                              ("keep", np.flatnonzero(plain & kept & (lower < KEEP_MINIMUM)), KEEP_MINIMUM, np.inf)):
        lo_s = lo if np.isscalar(lo) else lo[sel]  # type: ignore[index]
        hi_s = hi if np.isscalar(hi) else hi[sel]  # type: ignore[index]
        model.add_rows(name, sel, [(np.arange(len(sel)), x[sel], 1.0)], lo_s, hi_s)
    sel = np.flatnonzero(closed)
    model.add_rows("close", sel, [(np.arange(len(sel)), x[sel], 1.0)], -np.inf, 0.0)
    if "capacity" in active:
        schools = np.flatnonzero(np.isfinite(p.capacity))
        local = np.full(len(p.schools), -1)
        local[schools] = np.arange(len(schools))
        fin = np.flatnonzero(local[p.pair_school] >= 0)
        model.add_rows("capacity", schools, [(local[p.pair_school[fin]], x[fin], 1.0)], -np.inf, p.capacity[schools])
    counted = np.flatnonzero(p.counted())
    for name, lo, hi in (("total_min", p.total_min, np.inf), ("total_max", -np.inf, p.total_max)):
        if name in active and lo is not None and hi is not None:
            model.add_rows(name, np.array([-1]), [(np.zeros(len(counted), np.int64), x[counted], 1.0)], lo, hi)
    return model


def _finite_cap(p: EnrolmentProblem) -> FloatArray:
    """Big-M for pairs without a change limit: the school's capacity, else ten times the largest target or
    current enrolment."""
    cap = p.capacity[p.pair_school]
    fallback = max(float(p.target.max(initial=0.0)), float(p.current.max(initial=0.0)), 1.0) * 10
    return np.where(np.isfinite(cap), cap, fallback)


def solve_enrolment_plan(problem: EnrolmentProblem, *, time_limit: float | None = 60.0, mip_rel_gap: float = 1e-3,
                         diagnose: bool = True) -> PlanResult:
    """Solve ``problem`` in two stages; when it is infeasible, say which constraint families conflict.

    Stage 1 minimises the weighted gap (plus a consolidation tie-break of weight ε) with x_p semi-continuous
    (semi-integer) where a pair may close: LP relaxation (the bound), a diving heuristic (fix the pairs the LP
    puts between 0 and their open minimum, one per major per round, re-solve), then HiGHS branch-and-cut
    from that start unless the start is already within ``mip_rel_gap`` of the bound. Stage 2 keeps each
    major's total and every pair's open/closed state and minimises Σ|x_p − c_p| (an LP), so no enrolment
    moves between schools without a reason. ``status``: optimal (within ``mip_rel_gap``), time_limit (best
    plan found; ``mip_gap`` says how far from proven) or infeasible (``diagnosis`` set, no plan).
    """
    p = problem.validate()
    clock = _Clock()
    stage = _Stage1(p)
    lp_status, bound = stage.relaxation()
    clock.lap("lp")
    if lp_status == "infeasible":
        return _infeasible(p, stage, clock, diagnose, time_limit)
    start, start_value = stage.dive()
    clock.lap("dive")
    status, x, value = "optimal", start, start_value
    if start is None or start_value - bound > mip_rel_gap * max(abs(start_value), 1.0):
        status, x, value, bound = stage.branch_and_cut(start, time_limit, mip_rel_gap)
        clock.lap("mip")
    if x is None:
        return _infeasible(p, stage, clock, diagnose and status == "infeasible", time_limit, status)
    plan = _polish(p, stage, x) + 0.0  # no −0.0
    clock.lap("polish")
    gap = np.abs(np.bincount(p.pair_major, plan, len(p.majors)) - p.target)
    return PlanResult(status=status, enrolment=plan, objective=float((p.weight * gap).sum()), bound=bound,
                      mip_gap=max(value - bound, 0.0) / max(abs(value), 1.0), seconds=clock.seconds,
                      size=stage.size(), constraints=constraint_slacks(p, plan))


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = self._first = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._last
        self.seconds["total"] = now - self._first
        self._last = now


def _infeasible(p: EnrolmentProblem, stage: _Stage1, clock: _Clock, diagnose: bool, time_limit: float | None,
                status: str = "infeasible") -> PlanResult:
    diagnosis = diagnose_infeasibility(p, time_limit=time_limit) if diagnose else None
    clock.lap("diagnosis")
    return PlanResult(status=status, enrolment=np.zeros(0), objective=float("nan"), bound=float("nan"),
                      mip_gap=float("nan"), seconds=clock.seconds, size=stage.size(), constraints=_empty_constraints(),
                      diagnosis=diagnosis)


def pair_bounds(p: EnrolmentProblem) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Per pair: lower bound when open, upper bound, and whether the pair may also be 0 below that lower
    bound (semi-continuous). Forced closures and closable pairs that cannot reach a viable size get [0, 0]."""
    up, lo = p.upper(), np.maximum(p.lower_change(), p.min_cohort)
    if p.integral:
        up, lo = np.floor(up + 1e-9), np.ceil(lo - 1e-9)
    closable = p.may_close & ~p.force_close
    shut = p.force_close | (closable & (lo > up))
    semi = closable & ~shut & (lo > 0)
    lower = np.where(p.may_close | shut, 0.0, np.maximum(lo, KEEP_MINIMUM))  # a kept pair enrols someone
    lower[semi] = lo[semi]
    return lower, np.where(shut, 0.0, up), semi


class _Stage1:
    """The gap model in HiGHS: columns x (pairs), o, u (majors); rows capacity, balance, total."""

    def __init__(self, p: EnrolmentProblem):
        self.p, n, m = p, p.n_pairs, len(p.majors)
        self.lower, self.upper, self.semi = pair_bounds(p)
        cap = np.flatnonzero(np.isfinite(p.capacity))
        row_of = np.full(len(p.schools), -1)
        row_of[cap] = np.arange(len(cap))
        counted = p.counted()
        has_cap = row_of[p.pair_school] >= 0
        totals = [b for b in (p.total_min, p.total_max) if b is not None]
        rows = [row_of[p.pair_school[has_cap]], len(cap) + p.pair_major]
        cols = [np.flatnonzero(has_cap), np.arange(n)]
        if totals:
            rows.append(np.full(int(counted.sum()), len(cap) + m))
            cols.append(np.flatnonzero(counted))
        r, c = np.concatenate(rows), np.concatenate(cols)
        majors = np.arange(m)
        r = np.concatenate([r, len(cap) + majors, len(cap) + majors])
        c = np.concatenate([c, n + majors, n + m + majors])
        v = np.concatenate([np.ones(len(r) - 2 * m), -np.ones(m), np.ones(m)])
        self.n_rows = len(cap) + m + (1 if totals else 0)
        self.matrix = sparse.csc_array((v, (r, c)), shape=(self.n_rows, n + 2 * m))
        floor = (lambda b: np.floor(b + 1e-9)) if p.integral else (lambda b: b)
        ceil = (lambda b: np.ceil(b - 1e-9)) if p.integral else (lambda b: b)
        self.row_lo = np.concatenate([np.full(len(cap), -np.inf), p.target,
                                      [ceil(p.total_min) if p.total_min is not None else -np.inf] if totals else []])
        self.row_hi = np.concatenate([floor(p.capacity[cap]), p.target,
                                      [floor(p.total_max) if p.total_max is not None else np.inf] if totals else []])
        positive = p.weight[p.weight > 0]
        eps = p.change_penalty * (float(positive.min()) if positive.size else 1.0)
        tie = np.where(p.current > 0, 0.0, eps)  # open a new pair only for a reason
        self.cost = np.concatenate([tie, p.weight, p.weight])
        self.highs: highspy.Highs | None = None

    def size(self) -> dict[str, int]:
        p = self.p
        return {"pairs": p.n_pairs, "schools": len(p.schools), "majors": len(p.majors), "variables": self.matrix.shape[1],
                "constraints": self.n_rows, "semi_continuous": int(self.semi.sum()), "nonzeros": int(self.matrix.nnz)}

    def _model(self, lower: FloatArray, upper: FloatArray, integrality: list[object] | None) -> highspy.Highs:
        m = len(self.p.majors)
        return _highs(self.cost, np.concatenate([lower, np.zeros(2 * m)]), np.concatenate([upper, np.full(2 * m, np.inf)]),
                      self.matrix, self.row_lo, self.row_hi, integrality)

    def relaxation(self) -> tuple[str, float]:
        self.relaxed_lower = np.where(self.semi, 0.0, self.lower)
        self.highs = self._model(self.relaxed_lower, self.upper, None)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return "infeasible", float("nan")
        return "optimal", float(self.highs.getInfo().objective_function_value)

    def dive(self, max_rounds: int = 500) -> tuple[FloatArray | None, float]:
        """Fix, per major and round, the pair the LP puts furthest into (0, lower): open it at its lower bound
        when the LP value is at least half of it, else close it; re-solve (warm start) until none is left."""
        assert self.highs is not None
        h, n = self.highs, self.p.n_pairs
        lower, upper = self.relaxed_lower.copy(), self.upper.copy()
        for _ in range(max_rounds):
            x = np.asarray(h.getSolution().col_value)[:n]
            inside = np.flatnonzero(self.semi & (lower == 0) & (upper > 0) & (x > TOLERANCE) & (x < self.lower - TOLERANCE))
            if inside.size == 0:
                if self.p.integral and (np.abs(x - np.round(x)) > TOLERANCE).any():
                    return None, float("nan")
                return np.round(x) if self.p.integral else x, float(h.getInfo().objective_function_value)
            order = inside[np.argsort(-(x[inside] / self.lower[inside]), kind="stable")]
            _, first = np.unique(self.p.pair_major[order], return_index=True)
            pick = order[first]
            opened = x[pick] >= self.lower[pick] / 2
            lower[pick[opened]] = self.lower[pick[opened]]
            upper[pick[~opened]] = 0.0
            h.changeColsBounds(len(pick), pick.astype(np.int32), lower[pick], upper[pick])
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None, float("nan")
        return None, float("nan")

    def branch_and_cut(self, start: FloatArray | None, time_limit: float | None,
                       mip_rel_gap: float) -> tuple[str, FloatArray | None, float, float]:
        kinds = highspy.HighsVarType
        semi_kind, plain = (kinds.kSemiInteger, kinds.kInteger) if self.p.integral else (kinds.kSemiContinuous, kinds.kContinuous)
        integrality = [semi_kind if s else plain for s in self.semi.tolist()] + [kinds.kContinuous] * (2 * len(self.p.majors))
        h = self._model(self.lower, self.upper, integrality)
        h.setOptionValue("mip_rel_gap", mip_rel_gap)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(np.concatenate([start, self._ou(start)]))
            solution.value_valid = True
            h.setSolution(solution)
        h.run()
        info, status = h.getInfo(), h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", None, float("nan"), float("nan")
        if info.primal_solution_status == 0:
            return "time_limit", None, float("nan"), float(info.mip_dual_bound)
        x = np.asarray(h.getSolution().col_value)[: self.p.n_pairs]
        x = np.round(x) if self.p.integral else np.maximum(x, 0.0)
        label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
        return label, x, float(info.objective_function_value), float(info.mip_dual_bound)

    def _ou(self, x: FloatArray) -> FloatArray:
        excess = np.bincount(self.p.pair_major, x, len(self.p.majors)) - self.p.target
        return np.concatenate([np.maximum(excess, 0.0), np.maximum(-excess, 0.0)])


def _polish(p: EnrolmentProblem, stage: _Stage1, x: FloatArray) -> FloatArray:
    """Stage 2: the same major totals and open/closed states, least total change Σ|x − c| (an LP with
    x = c + d⁺ − d⁻). Falls back to the stage-1 plan if the LP gives a fractional plan in integral mode."""
    n, m = p.n_pairs, len(p.majors)
    opened = x > TOLERANCE
    lower = np.where(opened, stage.lower, 0.0)
    upper = np.where(opened, stage.upper, 0.0)
    k = stage.n_rows
    eye = sparse.identity(n, format="csc")
    matrix = sparse.vstack([sparse.hstack([stage.matrix[:, :n], sparse.csc_array((k, 2 * n))]),
                            sparse.hstack([eye, -eye, eye])], format="csc")
    row_lo, row_hi = stage.row_lo.copy(), stage.row_hi.copy()
    first = int(np.isfinite(p.capacity).sum())
    row_lo[first:first + m] = row_hi[first:first + m] = np.bincount(p.pair_major, x, m)
    h = _highs(np.concatenate([np.zeros(n), np.ones(2 * n)]), np.concatenate([lower, np.zeros(2 * n)]),
               np.concatenate([upper, np.full(2 * n, np.inf)]), matrix,
               np.concatenate([row_lo, p.current]), np.concatenate([row_hi, p.current]))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return x
    polished = np.asarray(h.getSolution().col_value)[:n]
    if p.integral:
        return np.round(polished) if (np.abs(polished - np.round(polished)) <= 1e-6).all() else x
    return np.maximum(polished, 0.0)


def _highs(cost: FloatArray, col_lo: FloatArray, col_hi: FloatArray, matrix: sparse.csc_array, row_lo: FloatArray,
           row_hi: FloatArray, integrality: list[object] | None = None) -> highspy.Highs:
    """A HiGHS instance holding min cost·x, row_lo ≤ A x ≤ row_hi, col_lo ≤ x ≤ col_hi (silent)."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = matrix.shape[1], matrix.shape[0]
    if integrality is not None:
        lp.integrality_ = integrality
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def _feasible(problem: EnrolmentProblem, active: frozenset[str], time_limit: float | None) -> bool:
    result, _ = _build(problem, active, elastic=False).solve(time_limit, 1.0)
    return int(getattr(result, "status", 4)) != 2


def diagnose_infeasibility(problem: EnrolmentProblem, *, time_limit: float | None = 120.0) -> InfeasibilityDiagnosis:
    """A minimal conflicting set of families (deletion filter: drop a family for good when the rest is
    still infeasible), and the least violation (elastic re-solve over every family) naming the rows."""
    active = set(FAMILIES)
    for family in FAMILIES:
        trial = frozenset(active - {family})
        if not _feasible(problem, trial, time_limit):
            active.discard(family)
    model = _build(problem, frozenset(FAMILIES), elastic=True)
    result, _ = model.solve(time_limit, 1e-6)
    values = np.asarray(getattr(result, "x", None) if getattr(result, "x", None) is not None else np.zeros(model.n_vars))
    violation = np.concatenate(model.row_violation)
    family = np.concatenate(model.row_family)
    owner = np.concatenate(model.row_owner)
    hit = (violation >= 0) & (values[np.maximum(violation, 0)] > TOLERANCE)
    amounts = values[violation[hit]]
    keep = family[hit] == "keep"  # a broken keep is reported in students: the pair's lower bound when open
    lower = np.maximum(problem.lower_change(), problem.min_cohort)
    amounts = np.where(keep, lower[np.where(keep, owner[hit], 0)] * amounts, amounts)
    rows = _owners(problem, family[hit], owner[hit])
    violations = pl.DataFrame({"family": family[hit].tolist(), "school": rows[0], "major": rows[1],
                               "amount": amounts.astype(float)},
                              schema={"family": pl.String, "school": pl.String, "major": pl.String, "amount": pl.Float64})
    order = {f: i for i, f in enumerate(FAMILIES)}
    return InfeasibilityDiagnosis(families=tuple(sorted(active, key=order.__getitem__)),
                                  violations=violations.sort("family", "school", "major", nulls_last=True))


def _owners(problem: EnrolmentProblem, family: npt.NDArray[np.str_], owner: IntArray) -> tuple[list[str | None], list[str | None]]:
    """School and major codes of rows: pair rows name both, capacity rows the school, totals neither."""
    schools: list[str | None] = []
    majors: list[str | None] = []
    for f, o in zip(family.tolist(), owner.tolist(), strict=True):
        if f == "capacity":
            schools.append(problem.schools[o])
            majors.append(None)
        elif o < 0:
            schools.append(None)
            majors.append(None)
        else:
            schools.append(problem.schools[problem.pair_school[o]])
            majors.append(problem.majors[problem.pair_major[o]])
    return schools, majors


def _empty_constraints() -> pl.DataFrame:
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
                                       ("min_cohort", opened & (p.min_cohort > 0), p.min_cohort, 1),
                                       ("close", closed, np.zeros(n), -1)):
        sel = pairs[mask]
        add(family, p.pair_school[sel], p.pair_major[sel], plan[sel], bound[sel], sense)
    schools = np.flatnonzero(np.isfinite(p.capacity))
    add("capacity", schools, None, load[schools], p.capacity[schools], -1)
    total = float(plan[p.counted()].sum())
    for family, bound, sense in (("total_min", p.total_min, 1), ("total_max", p.total_max, -1)):
        if bound is not None:
            frames.append(pl.DataFrame({"family": [family], "school": [None], "major": [None], "value": [total],
                                        "bound": [float(bound)], "slack": [(total - bound) * sense],
                                        "binding": [abs(total - bound) <= TOLERANCE * max(abs(bound), 1.0) + (1.0 - 1e-9 if p.integral else 0)]},
                                       schema=CONSTRAINT_SCHEMA))
    return pl.concat(frames) if frames else _empty_constraints()
