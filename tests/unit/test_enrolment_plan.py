"""The enrolment-plan optimiser: hand-solvable instances with a known optimum, random instances where every
constraint is checked on the plan, and infeasible instances whose conflicting families are named."""

from __future__ import annotations

import numpy as np
import pytest

from silian.analytics.enrolment_plan import EnrolmentProblem, diagnose_infeasibility, solve_enrolment_plan
from silian.domain.errors import InvalidInput

A = np.array


def problem(**kw) -> EnrolmentProblem:  # type: ignore[no-untyped-def]
    n = len(kw["pair_school"])
    defaults = {"min_cohort": np.zeros(n), "may_close": np.ones(n, bool), "force_close": np.zeros(n, bool),
                "max_change": None, "change_penalty": 1e-3}
    defaults.update(kw)
    for key in ("pair_school", "pair_major"):
        defaults[key] = np.asarray(defaults[key])
    for key in ("current", "capacity", "target", "weight", "min_cohort"):
        defaults[key] = np.asarray(defaults[key], float)
    return EnrolmentProblem(**defaults)


def test_two_schools_surplus_and_shortage_known_optimum() -> None:
    # M1 wants 150 but may grow 20% (to 120): gap 30; M2 wants 80: S1 cut to 80 (−20%) and S2 (50) closed —
    # with closures exempt from the yearly change limit (phase_closures=False, the old rule)
    p = problem(schools=("S1", "S2"), majors=("M1", "M2"), pair_school=[0, 0, 1], pair_major=[0, 1, 1],
                current=[100, 100, 50], capacity=[230, np.inf], target=[150, 80], weight=[1, 1],
                min_cohort=[30, 30, 30], max_change=0.2, phase_closures=False)
    r = solve_enrolment_plan(p)
    assert r.status == "optimal"
    assert r.enrolment.tolist() == [120, 80, 0]
    assert r.objective == pytest.approx(30)
    binding = r.constraints.filter("binding")
    assert set(zip(binding["family"], binding["major"], strict=True)) == {("change_up", "M1"), ("change_down", "M2")}


def test_a_closure_counts_toward_the_yearly_change_limit() -> None:
    # the same instance under the default rule: S2's 50 may fall by 20 % (10) a year, so closing it is phased —
    # 40 this year (below the minimum cohort: a phase-out), then 32, 25.6, … on its way to 0
    p = problem(schools=("S1", "S2"), majors=("M1", "M2"), pair_school=[0, 0, 1], pair_major=[0, 1, 1],
                current=[100, 100, 50], capacity=[230, np.inf], target=[150, 80], weight=[1, 1],
                min_cohort=[30, 30, 30], max_change=0.2)
    r = solve_enrolment_plan(p)
    assert r.status == "optimal"
    assert r.enrolment[2] == 40 and r.enrolment[0] == 120
    assert (np.abs(r.enrolment - p.current) <= p.allowance() + 1e-9).all()  # every change, closures too, within Δ
    assert p.phased().tolist() == [True, True, True] and not p.closable().any()
    # with a floor of 30 students a year (the service's default: the minimum cohort) the 40 close in two years
    floored = problem(schools=("S",), majors=("M",), pair_school=[0], pair_major=[0], current=[50], capacity=[np.inf],
                      target=[0], weight=[1], min_cohort=[30], max_change=0.2, change_floor=30)
    plan = solve_enrolment_plan(floored)
    assert plan.enrolment.tolist() == [20] and floored.phase_out_schedule(20, 50) == [0.0]
    small = problem(schools=("S",), majors=("M",), pair_school=[0], pair_major=[0], current=[25], capacity=[np.inf],
                    target=[0], weight=[1], min_cohort=[30], max_change=0.2, change_floor=30)
    assert solve_enrolment_plan(small).enrolment.tolist() == [0]  # 25 ≤ Δ = 30: closes at once


def test_held_pairs_keep_their_size() -> None:
    # a major without demand evidence is held: no cut, no closure, no growth, whatever its target says
    p = problem(schools=("S",), majors=("M1", "M2"), pair_school=[0, 0], pair_major=[0, 1], current=[100, 80],
                capacity=[np.inf], target=[0, 200], weight=[1, 1], min_cohort=[30, 30], max_change=0.2,
                hold=[True, True])
    r = solve_enrolment_plan(p)
    assert r.enrolment.tolist() == [100, 80]


def test_scenarios_trade_capacity_by_expected_gap() -> None:
    # M1 (weight 2) wants 40 / 60 / 80 in the low / point / high scenario (0.3 / 0.4 / 0.3), M2 (weight 1) 50 in
    # all; 100 seats. On the point forecast M1 gets 60 and M2 40. With the scenarios, between 40 and 60 one seat
    # less for M1 raises its expected gap by 0.4 + 0.3 − 0.3 = 0.4, i.e. 0.8 weighted, less than M2's 1: M1 50,
    # M2 50; expected gap 2 × (0.3 × 10 + 0.4 × 10 + 0.3 × 30) = 32
    base = {"schools": ("S",), "majors": ("M1", "M2"), "pair_school": [0, 0], "pair_major": [0, 1], "current": [50, 50],
            "capacity": [100], "target": [60, 50], "weight": [2, 1]}
    assert solve_enrolment_plan(problem(**base)).enrolment.tolist() == [60, 40]
    r = solve_enrolment_plan(problem(**base, scenario_targets=A([[40, 50], [60, 50], [80, 50]], float),
                                     scenario_weights=A([0.3, 0.4, 0.3])))
    assert r.enrolment.tolist() == [50, 50]
    assert r.objective == pytest.approx(32)


def test_capacity_goes_to_the_heavier_major() -> None:
    # one school, 100 seats; M1 (weight 2) wants 80, M2 (weight 1) wants 60: M1 gets 80, M2 20, objective 40
    p = problem(schools=("S",), majors=("M1", "M2"), pair_school=[0, 0], pair_major=[0, 1], current=[50, 50],
                capacity=[100], target=[80, 60], weight=[2, 1])
    r = solve_enrolment_plan(p)
    assert r.enrolment.tolist() == [80, 20]
    assert r.objective == pytest.approx(40)
    assert r.constraints.filter(family="capacity")["binding"].to_list() == [True]


@pytest.mark.parametrize(("target", "expected"), [(10, 0), (20, 30), (14, 0), (16, 30)])
def test_minimum_cohort_or_zero(target: float, expected: float) -> None:
    # x ∈ {0} ∪ [30, ∞): a target under 15 is served better by closing, over 15 by a cohort of 30
    p = problem(schools=("S",), majors=("M",), pair_school=[0], pair_major=[0], current=[0], capacity=[np.inf],
                target=[target], weight=[1], min_cohort=[30], new_cohort_max=100)
    r = solve_enrolment_plan(p)
    assert r.enrolment.tolist() == [expected]
    assert r.objective == pytest.approx(abs(target - expected))


def test_the_secondary_total_forces_growth_where_it_costs_least() -> None:
    # demand wants 100 + 100, the total must be at least 260: the extra 60 go to the lighter major
    p = problem(schools=("S1", "S2"), majors=("M1", "M2"), pair_school=[0, 1], pair_major=[0, 1], current=[100, 100],
                capacity=[np.inf, np.inf], target=[100, 100], weight=[1, 3], total_min=260)
    r = solve_enrolment_plan(p)
    assert r.enrolment.tolist() == [160, 100]
    assert r.objective == pytest.approx(60)


def test_no_needless_moves_between_schools() -> None:
    # the major is at its target; any swap between the two schools has the same gap, the plan keeps both
    p = problem(schools=("S1", "S2"), majors=("M",), pair_school=[0, 1], pair_major=[0, 0], current=[70, 50],
                capacity=[200, 200], target=[120], weight=[1], max_change=0.5, min_cohort=[30, 30])
    r = solve_enrolment_plan(p)
    assert r.enrolment.tolist() == [70, 50] and r.objective == 0


def test_forced_closure_and_keep() -> None:
    p = problem(schools=("S",), majors=("M1", "M2"), pair_school=[0, 0], pair_major=[0, 1], current=[100, 10],
                capacity=[np.inf], target=[100, 0], weight=[1, 1], force_close=[True, False], may_close=[True, False],
                max_change=0.2)
    r = solve_enrolment_plan(p)
    assert r.enrolment[0] == 0  # forced closure despite the demand
    assert r.enrolment[1] == 8  # kept open, cut by at most 20 %
    assert r.objective == pytest.approx(108)


def _random_problem(seed: int) -> EnrolmentProblem:
    rng = np.random.default_rng(seed)
    n_s, n_m = int(rng.integers(2, 7)), int(rng.integers(2, 6))
    pairs = [(s, m) for s in range(n_s) for m in range(n_m) if rng.random() < 0.6] or [(0, 0)]
    ps, pm = A([s for s, _ in pairs]), A([m for _, m in pairs])
    current = np.where(rng.random(len(pairs)) < 0.15, 0.0, rng.integers(5, 120, len(pairs)).astype(float))
    load = np.bincount(ps, current, n_s)
    capacity = np.where(rng.random(n_s) < 0.2, np.inf, np.round(load * rng.uniform(0.9, 1.4, n_s) + 20))
    in_total = rng.random(n_s) < 0.7
    base = float(current[in_total[ps]].sum())
    return EnrolmentProblem(
        schools=tuple(f"S{i}" for i in range(n_s)), majors=tuple(f"M{i}" for i in range(n_m)), pair_school=ps,
        pair_major=pm, current=current, capacity=capacity, target=np.round(rng.uniform(0, 250, n_m)),
        weight=rng.choice([1.0, 1.5, 2.0], n_m), min_cohort=np.full(len(pairs), float(rng.choice([0, 20, 30]))),
        may_close=(rng.random(len(pairs)) < 0.5) | (current == 0), force_close=rng.random(len(pairs)) < 0.05,
        max_change=float(rng.choice([0.1, 0.2, 0.5])), change_floor=float(rng.choice([0, 10, 30])),
        max_change_abs=float(rng.choice([40, 1000])), in_total=in_total, total_min=np.floor(base * 0.9),
        total_max=np.ceil(base * 1.2), new_cohort_max=60.0, integral=bool(seed % 2 == 0),
        hold=(rng.random(len(pairs)) < 0.1) & (current > 0),
        scenario_targets=np.round(rng.uniform(0, 250, (3, n_m))) if seed % 3 == 0 else None)


def _check_constraints(p: EnrolmentProblem, x: np.ndarray) -> None:
    tol = 1e-6
    assert (x >= -tol).all()
    if p.integral:
        assert np.allclose(x, np.round(x))
    opened = x > tol
    assert (~opened[p.force_close]).all(), "close"
    assert (x[~p.closable() & ~p.force_close] >= 1 - tol).all(), "keep"
    assert (x[opened] <= p.upper()[opened] + tol).all(), "change_up"
    assert (x[opened] >= p.lower_change()[opened] - tol).all(), "change_down"
    assert (x[opened] >= p.cohort()[opened] - tol).all(), "min_cohort"
    closed = ~opened & (p.current > 0) & ~p.force_close
    assert (p.current[closed] <= p.allowance()[closed] + tol).all(), "a closure within the yearly change limit"
    held = p.held() & ~p.force_close
    assert np.allclose(x[held], p.current[held]), "held"
    assert (np.bincount(p.pair_school, x, len(p.schools)) <= p.capacity + tol).all(), "capacity"
    total = x[p.counted()].sum()
    assert p.total_min is None or total >= p.total_min - tol, "total_min"
    assert p.total_max is None or total <= p.total_max + tol, "total_max"


@pytest.mark.parametrize("seed", range(40))
def test_random_instances_never_violate_a_constraint(seed: int) -> None:
    p = _random_problem(seed)
    r = solve_enrolment_plan(p, mip_rel_gap=1e-6)
    if r.status == "infeasible":
        assert r.diagnosis is not None and r.diagnosis.families
        assert r.diagnosis.violations.height > 0
        return
    assert r.status == "optimal"
    _check_constraints(p, r.enrolment)
    assert r.objective >= r.bound - 1e-6 * max(1.0, r.objective) - 1.0  # bound includes the small tie-break terms
    assert (r.constraints["slack"] >= -1e-6).all()


def test_random_instances_include_feasible_and_infeasible_ones() -> None:
    statuses = {solve_enrolment_plan(_random_problem(seed), diagnose=False).status for seed in range(40)}
    assert "optimal" in statuses


def test_keep_min_cohort_and_change_conflict_is_explained() -> None:
    # a kept cohort of 10 may grow 20 % (to 12) but must reach 30: keep, change_up and min_cohort conflict
    p = problem(schools=("S1", "S2"), majors=("M",), pair_school=[0, 1], pair_major=[0, 0], current=[10, 100],
                capacity=[np.inf, np.inf], target=[110], weight=[1], min_cohort=[30, 30], may_close=[False, True],
                max_change=0.2)
    r = solve_enrolment_plan(p)
    assert r.status == "infeasible" and not r.feasible
    assert r.diagnosis is not None
    assert set(r.diagnosis.families) == {"keep", "change_up", "min_cohort"}
    row = r.diagnosis.violations.row(0, named=True)
    assert (row["school"], row["major"]) == ("S1", "M")
    assert row["amount"] == pytest.approx(18)  # grow 12 → 30 is the least violation (or close: 30)


def test_capacity_against_the_secondary_total_is_explained() -> None:
    p = problem(schools=("S1", "S2"), majors=("M1", "M2"), pair_school=[0, 1], pair_major=[0, 1], current=[100, 100],
                capacity=[120, 130], target=[100, 100], weight=[1, 1], total_min=300)
    diagnosis = diagnose_infeasibility(p)
    assert diagnosis.families == ("capacity", "total_min")
    assert diagnosis.violations["amount"].sum() == pytest.approx(50)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="S × M|S.*M"):
        solve_enrolment_plan(problem(schools=("S",), majors=("M",), pair_school=[0, 0], pair_major=[0, 0],
                                     current=[1, 2], capacity=[10], target=[1], weight=[1]))
    with pytest.raises(InvalidInput, match="target"):
        solve_enrolment_plan(problem(schools=("S",), majors=("M",), pair_school=[0], pair_major=[0],
                                     current=[1], capacity=[10], target=[-1], weight=[1]))
