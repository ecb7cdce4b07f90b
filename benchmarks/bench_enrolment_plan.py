"""Benchmark the enrolment-plan optimiser (issue 6) on a generated province-size instance and print the ratio
to the target.

1,000 schools × 700 majors, sparse: each school offers 15–40 majors this year and may open 3 more; major
popularity is log-normal, cohorts log-normal around 45; capacity 0.9–1.3 × this year's load; targets per
major log-normal around this year's total; one major in five is in a key chain (weight 2); minimum cohort 30,
±20 % per year (at least 30 students), new cohorts ≤ 60; offerings below the minimum, of majors in surplus by
more than 30 % and new ones may close; 60 % of schools count in a secondary total bounded to [1.0, 1.05] ×
this year's. Target: solved (proven within the relative gap) in < 30 s.

Run: python benchmarks/bench_enrolment_plan.py [--gap 1e-3] [--time-limit 30] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from silian.analytics.enrolment_plan import EnrolmentProblem, solve_enrolment_plan

TARGET_S = 30.0


def province(n_schools: int = 1000, n_majors: int = 700, seed: int = 7) -> EnrolmentProblem:
    """The generated instance (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0, 1.0, n_majors)
    school, major, current = [], [], []
    for s in range(n_schools):
        k = int(rng.integers(15, 41))
        chosen = rng.choice(n_majors, size=k + 3, replace=False, p=popularity / popularity.sum())
        for j, m in enumerate(chosen):
            school.append(s)
            major.append(int(m))
            current.append(0.0 if j >= k else float(np.round(rng.lognormal(np.log(45), 0.6))))
    ps, pm, cur = np.array(school), np.array(major), np.array(current)
    load = np.bincount(ps, cur, n_schools)
    by_major = np.bincount(pm, cur, n_majors)
    target = np.round(by_major * rng.lognormal(0, 0.5, n_majors) + rng.uniform(0, 50, n_majors))
    in_total = rng.random(n_schools) < 0.6
    base = float(cur[in_total[ps]].sum())
    return EnrolmentProblem(
        schools=tuple(f"S{i:04d}" for i in range(n_schools)), majors=tuple(f"M{i:03d}" for i in range(n_majors)),
        pair_school=ps, pair_major=pm, current=cur, capacity=np.round(load * rng.uniform(0.9, 1.3, n_schools)),
        target=target, weight=np.where(rng.random(n_majors) < 0.2, 2.0, 1.0), min_cohort=np.full(len(ps), 30.0),
        may_close=(cur < 30) | (by_major > 1.3 * target)[pm] | (cur == 0), force_close=np.zeros(len(ps), bool),
        max_change=0.2, change_floor=30.0, new_cohort_max=60.0, in_total=in_total, total_min=base,
        total_max=np.floor(base * 1.05))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gap", type=float, default=1e-3, help="relative MIP gap to prove (default 1e-3)")
    parser.add_argument("--time-limit", type=float, default=TARGET_S)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    problem = province(seed=args.seed)
    build = time.perf_counter() - t0
    result = solve_enrolment_plan(problem, time_limit=args.time_limit, mip_rel_gap=args.gap)
    total = result.seconds["total"]
    size = result.size
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items() if k != "total")
    sys.stdout.write(
        f"enrolment plan, province size: {size['schools']:,} schools × {size['majors']:,} majors, {size['pairs']:,} offerings "
        f"({size['semi_continuous']:,} may close: semi-integer), {size['variables']:,} variables, {size['constraints']:,} rows, "
        f"{size['nonzeros']:,} nonzeros; instance built in {build:.2f} s\n"
        f"status {result.status}: weighted gap {result.objective:,.0f}, bound {result.bound:,.0f}, proven relative gap "
        f"{result.mip_gap:.2e} (asked {args.gap:.0e}); solve {total:.2f} s ({phases}) → {total / TARGET_S:.2f} × the "
        f"{TARGET_S:.0f} s target\n")


if __name__ == "__main__":
    main()
