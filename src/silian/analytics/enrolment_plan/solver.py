"""Solving the problem: stage 1 (the weighted gap; LP relaxation, a diving heuristic, then HiGHS
branch-and-cut) and stage 2 (the same major totals with the least total change), in HiGHS directly."""

from __future__ import annotations

import time

import highspy
import numpy as np
from scipy import sparse

from silian.analytics.enrolment_plan.diagnosis import diagnose_infeasibility
from silian.analytics.enrolment_plan.problem import (
    KEEP_MINIMUM,
    TOLERANCE,
    BoolArray,
    EnrolmentProblem,
    FloatArray,
)
from silian.analytics.enrolment_plan.result import PlanResult, constraint_slacks, empty_constraints


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
    targets, chance = p.targets()
    gap = np.abs(np.bincount(p.pair_major, plan, len(p.majors))[None, :] - targets)
    return PlanResult(status=status, enrolment=plan, objective=float(chance @ (gap * p.weight).sum(axis=1)), bound=bound,
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
                      mip_gap=float("nan"), seconds=clock.seconds, size=stage.size(), constraints=empty_constraints(),
                      diagnosis=diagnosis)


def pair_bounds(p: EnrolmentProblem) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Per pair: lower bound when open, upper bound, and whether the pair may also be 0 below that lower
    bound (semi-continuous). Forced closures and closable pairs that cannot reach a viable size get [0, 0]."""
    up, lo = p.upper(), np.maximum(p.lower_change(), p.cohort())
    if p.integral:
        up, lo = np.floor(up + 1e-9), np.ceil(lo - 1e-9)
    may_close = p.closable()
    closable = may_close & ~p.force_close
    shut = p.force_close | (closable & (lo > up))
    semi = closable & ~shut & (lo > 0)
    lower = np.where(may_close | shut, 0.0, np.maximum(lo, KEEP_MINIMUM))  # a kept pair enrols someone
    lower[semi] = lo[semi]
    return lower, np.where(shut, 0.0, up), semi


class _Stage1:
    """The gap model in HiGHS: columns x (pairs), then o, u (majors) per scenario; rows capacity, balance (per
    scenario), total. The objective weighs each scenario's o and u by its probability."""

    def __init__(self, p: EnrolmentProblem):
        self.p, n, m = p, p.n_pairs, len(p.majors)
        self.targets, self.chance = p.targets()
        k = self.k = len(self.chance)
        self.lower, self.upper, self.semi = pair_bounds(p)
        cap = np.flatnonzero(np.isfinite(p.capacity))
        row_of = np.full(len(p.schools), -1)
        row_of[cap] = np.arange(len(cap))
        counted = p.counted()
        has_cap = row_of[p.pair_school] >= 0
        totals = [b for b in (p.total_min, p.total_max) if b is not None]
        rows = [row_of[p.pair_school[has_cap]], *[len(cap) + j * m + p.pair_major for j in range(k)]]
        cols = [np.flatnonzero(has_cap), *[np.arange(n)] * k]
        if totals:
            rows.append(np.full(int(counted.sum()), len(cap) + k * m))
            cols.append(np.flatnonzero(counted))
        r, c = np.concatenate(rows), np.concatenate(cols)
        balance = len(cap) + np.arange(k * m)
        r = np.concatenate([r, balance, balance])
        c = np.concatenate([c, n + np.arange(k * m), n + k * m + np.arange(k * m)])
        v = np.concatenate([np.ones(len(r) - 2 * k * m), -np.ones(k * m), np.ones(k * m)])
        self.n_rows = len(cap) + k * m + (1 if totals else 0)
        self.matrix = sparse.csc_array((v, (r, c)), shape=(self.n_rows, n + 2 * k * m))
        floor = (lambda b: np.floor(b + 1e-9)) if p.integral else (lambda b: b)
        ceil = (lambda b: np.ceil(b - 1e-9)) if p.integral else (lambda b: b)
        flat = self.targets.ravel()
        self.row_lo = np.concatenate([np.full(len(cap), -np.inf), flat,
                                      [ceil(p.total_min) if p.total_min is not None else -np.inf] if totals else []])
        self.row_hi = np.concatenate([floor(p.capacity[cap]), flat,
                                      [floor(p.total_max) if p.total_max is not None else np.inf] if totals else []])
        positive = p.weight[p.weight > 0]
        eps = p.change_penalty * (float(positive.min()) if positive.size else 1.0)
        tie = np.where(p.current > 0, 0.0, eps)  # open a new pair only for a reason
        weighted = (self.chance[:, None] * p.weight[None, :]).ravel()
        self.cost = np.concatenate([tie, weighted, weighted])
        self.highs: highspy.Highs | None = None

    def size(self) -> dict[str, int]:
        p = self.p
        return {"pairs": p.n_pairs, "schools": len(p.schools), "majors": len(p.majors), "variables": self.matrix.shape[1],
                "constraints": self.n_rows, "semi_continuous": int(self.semi.sum()), "nonzeros": int(self.matrix.nnz)}

    def _model(self, lower: FloatArray, upper: FloatArray, integrality: list[object] | None) -> highspy.Highs:
        m = self.k * len(self.p.majors)
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
        integrality = [semi_kind if s else plain for s in self.semi.tolist()] + [kinds.kContinuous] * (2 * self.k * len(self.p.majors))
        h = self._model(self.lower, self.upper, integrality)  # type: ignore[arg-type]
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
        excess = (np.bincount(self.p.pair_major, x, len(self.p.majors))[None, :] - self.targets).ravel()
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
    row_lo[first:first + stage.k * m] = row_hi[first:first + stage.k * m] = np.tile(np.bincount(p.pair_major, x, m), stage.k)
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
        lp.integrality_ = integrality  # type: ignore[assignment]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h
