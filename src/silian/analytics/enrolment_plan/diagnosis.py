"""Why a problem is infeasible: a deletion filter over the constraint families (a minimal conflicting set) and
an elastic re-solve (the least violation, in students, naming the rows), on a MILP built family by family."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from silian.analytics.enrolment_plan.problem import (
    FAMILIES,
    KEEP_MINIMUM,
    TOLERANCE,
    EnrolmentProblem,
    FloatArray,
    IntArray,
)
from silian.analytics.enrolment_plan.result import InfeasibilityDiagnosis

_DISP = False


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
    cohort = p.cohort() if "min_cohort" in active else np.zeros(n)
    closed = p.force_close & ("close" in active)
    kept = ~p.closable() & ~closed & ("keep" in active)
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
    for name, sel, lo, hi in (("change_up", np.flatnonzero(plain & np.isfinite(up)), -np.inf, up),  # type: ignore[assignment]
                              ("change_down", np.flatnonzero(plain & kept & (down > 0)), down, np.inf),
                              ("min_cohort", np.flatnonzero(plain & kept & (cohort > 0)), cohort, np.inf),
                              ("keep", np.flatnonzero(plain & kept & (lower < KEEP_MINIMUM)), KEEP_MINIMUM, np.inf)):
        lo_s = lo if np.isscalar(lo) else lo[sel]  # type: ignore[index]
        hi_s = hi if np.isscalar(hi) else hi[sel]  # type: ignore[index]
        model.add_rows(name, sel, [(np.arange(len(sel)), x[sel], 1.0)], lo_s, hi_s)  # type: ignore[arg-type]
    sel = np.flatnonzero(closed)
    model.add_rows("close", sel, [(np.arange(len(sel)), x[sel], 1.0)], -np.inf, 0.0)
    if "capacity" in active:
        schools = np.flatnonzero(np.isfinite(p.capacity))
        local = np.full(len(p.schools), -1)
        local[schools] = np.arange(len(schools))
        fin = np.flatnonzero(local[p.pair_school] >= 0)
        model.add_rows("capacity", schools, [(local[p.pair_school[fin]], x[fin], 1.0)], -np.inf, p.capacity[schools])
    counted = np.flatnonzero(p.counted())
    for name, lo, hi in (("total_min", p.total_min, np.inf), ("total_max", -np.inf, p.total_max)):  # type: ignore[assignment]
        if name in active and lo is not None and hi is not None:
            model.add_rows(name, np.array([-1]), [(np.zeros(len(counted), np.int64), x[counted], 1.0)], lo, hi)
    return model


def _finite_cap(p: EnrolmentProblem) -> FloatArray:
    """Big-M for pairs without a change limit: the school's capacity, else ten times the largest target or
    current enrolment."""
    cap = p.capacity[p.pair_school]
    fallback = max(float(p.target.max(initial=0.0)), float(p.current.max(initial=0.0)), 1.0) * 10
    return np.where(np.isfinite(cap), cap, fallback)


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
    family = np.concatenate(model.row_family)  # type: ignore[assignment]
    owner = np.concatenate(model.row_owner)
    hit = (violation >= 0) & (values[np.maximum(violation, 0)] > TOLERANCE)
    amounts = values[violation[hit]]
    keep = family[hit] == "keep"  # a broken keep is reported in students: the pair's lower bound when open
    lower = np.maximum(problem.lower_change(), problem.cohort())
    amounts = np.where(keep, lower[np.where(keep, owner[hit], 0)] * amounts, amounts)
    rows = _owners(problem, family[hit], owner[hit])  # type: ignore[arg-type]
    violations = pl.DataFrame({"family": family[hit].tolist(), "school": rows[0], "major": rows[1],  # type: ignore[attr-defined]
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
