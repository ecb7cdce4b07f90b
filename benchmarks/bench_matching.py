"""Benchmark matching students to seats (issue 6, item 2): 1,000,000 students × 50,000 positions, 10 choices each.

Targets: deferred acceptance under 60 s and under 4 GiB. Three measurements, each in its own process so that its
peak memory (ru_maxrss) is its own:

- ``core``: :func:`silian.analytics.matching.deferred_acceptance` on integer arrays (what the service calls),
  then a vectorised check that the result has no blocking pair;
- ``file``: the whole `silian match` path — read and check the JSON file, solve, write the result JSON;
- ``reference``: the `matching` package's HospitalResident (resident-optimal) at a size it handles
  (default 10,000 × 500) against ours on the same instance: equal results and the speed ratio.

Generated market: positions' popularity is log-normal (some are much wanted), each student lists 10 distinct
positions drawn by popularity, each position ranks its applicants by a common merit plus its own noise and
leaves out about 10 % of them (not acceptable); seats are uniform 1–2·mean with Σ seats ≈ 0.9 · students.

Run: python benchmarks/bench_matching.py [--students 1000000 --positions 50000 --choices 10] [--stages core,file,reference]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
TARGET_SECONDS = 60.0
MEMORY_LIMIT_GIB = 4.0


def generate(n_students: int, n_positions: int, k: int, seed: int = 2024, sigma: float = 1.0) -> dict[str, np.ndarray]:
    """A market as CSR arrays: student_ptr, student_choices, position_ptr, position_prefs, capacities.

    ``sigma``: spread of the log-normal popularity of positions (larger: a few positions wanted by many).
    """
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0.0, sigma, n_positions)
    cdf = np.cumsum(popularity / popularity.sum())
    choices = np.minimum(np.searchsorted(cdf, rng.random((n_students, k))), n_positions - 1)
    while True:  # redraw repeats within a student's list (uniformly, so this ends quickly)
        order = np.argsort(choices, axis=1, kind="stable")
        ordered = np.take_along_axis(choices, order, axis=1)
        repeat = np.zeros(choices.shape, dtype=bool)
        np.put_along_axis(repeat, order[:, 1:], ordered[:, 1:] == ordered[:, :-1], axis=1)
        if not repeat.any():
            break
        choices[repeat] = rng.integers(0, n_positions, int(repeat.sum()))
    flat = choices.ravel().astype(np.int64)
    owner = np.repeat(np.arange(n_students, dtype=np.int64), k)
    merit = rng.random(n_students)
    accepted = rng.random(flat.size) >= 0.1
    score = merit[owner[accepted]] + 0.3 * rng.random(int(accepted.sum()))
    by_position = np.lexsort((-score, flat[accepted]))
    mean_seats = 0.9 * n_students / n_positions
    return {"student_ptr": np.arange(0, n_students * k + 1, k, dtype=np.int64), "student_choices": flat,
            "position_ptr": np.concatenate(([0], np.cumsum(np.bincount(flat[accepted], minlength=n_positions)))),
            "position_prefs": owner[accepted][by_position],
            "capacities": rng.integers(1, max(2, int(2 * mean_seats)), n_positions)}


def count_blocking_pairs(market: dict[str, np.ndarray], assigned: np.ndarray) -> tuple[int, int]:
    """(blocking pairs, seats over capacity), checked directly on the arrays."""
    from silian.analytics.matching import mutual_pairs
    pairs = mutual_pairs(market["student_ptr"], market["student_choices"], market["position_ptr"],
                         market["position_prefs"])
    student, caps = pairs.student, market["capacities"]
    own = pairs.position == assigned[student]
    first_own = np.full(assigned.size, np.iinfo(np.int64).max)
    np.minimum.at(first_own, student[own], np.flatnonzero(own))
    preferred = np.arange(pairs.position.size) < first_own[student]  # listed before the student's own seat
    load = np.bincount(pairs.position[own], minlength=caps.size)
    worst = np.full(caps.size, -1)
    np.maximum.at(worst, pairs.position[own], pairs.rank[own])
    blocking = preferred & ((load[pairs.position] < caps[pairs.position]) | (pairs.rank < worst[pairs.position]))
    return int(blocking.sum()), int(np.maximum(load - caps, 0).sum())


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _child_core(n: int, p: int, k: int, sigma: float) -> dict[str, Any]:
    from silian.analytics.matching import deferred_acceptance
    market = generate(n, p, k, sigma=sigma)
    before = _peak_gib()
    started, cpu = time.perf_counter(), time.process_time()
    assigned = deferred_acceptance(**market)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_gib()
    blocking, over = count_blocking_pairs(market, assigned)
    first = assigned == market["student_choices"][market["student_ptr"][:-1]]
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_gib": peak, "input_gib": before, "matched": int((assigned >= 0).sum()),
            "first_choice": int(first.sum()), "seats": int(market["capacities"].sum()), "blocking_pairs": blocking,
            "over_capacity": over}


def write_json_file(n: int, p: int, k: int, sigma: float, path: Path) -> None:
    """The generated market as a `silian match` file (ids s0000001…, p00001…)."""
    market = generate(n, p, k, sigma=sigma)
    students = [f"s{i:07d}" for i in range(n)]
    positions = [f"p{j:05d}" for j in range(p)]
    sptr, pptr = market["student_ptr"].tolist(), market["position_ptr"].tolist()
    choices = [positions[j] for j in market["student_choices"].tolist()]
    prefs = [students[i] for i in market["position_prefs"].tolist()]
    caps = market["capacities"].tolist()
    data = {"students": {s: choices[sptr[i]:sptr[i + 1]] for i, s in enumerate(students)},
            "positions": {q: {"capacity": caps[j], "preferences": prefs[pptr[j]:pptr[j + 1]]}
                          for j, q in enumerate(positions)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _child_file(path: Path) -> dict[str, Any]:
    from silian.services.planning.seat_matching import (
        matching_result,
        read_match_file,
        solve,
        write_match_file,
    )
    seconds = {}
    started, cpu = time.perf_counter(), time.process_time()
    data = read_match_file(path, "da")
    seconds["read_and_check"] = time.perf_counter() - started
    mark = time.perf_counter()
    assigned = solve(data, "da")
    seconds["solve"] = time.perf_counter() - mark
    mark = time.perf_counter()
    out = path.with_name(path.stem + "_result.json")
    write_match_file(matching_result(data, assigned), out)
    seconds["write"] = time.perf_counter() - mark
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "stages": {k: round(v, 2) for k, v in seconds.items()},
        "peak_gib": _peak_gib(),
        "file_mb": path.stat().st_size / 1e6,
        "matched": int((assigned >= 0).sum()),
    }


def _child_reference(n: int, p: int, k: int) -> dict[str, Any]:
    import threading
    import warnings

    from matching.games import HospitalResident

    from silian.analytics.matching import deferred_acceptance, max_weight_assignment
    market = generate(n, p, k, seed=7)
    started = time.perf_counter()
    ours = deferred_acceptance(**market)
    ours_seconds = time.perf_counter() - started
    sptr, pptr = market["student_ptr"], market["position_ptr"]
    residents = {f"s{i}": [f"p{j}" for j in market["student_choices"][sptr[i]:sptr[i + 1]]] for i in range(n)}
    hospitals = {f"p{j}": [f"s{i}" for i in market["position_prefs"][pptr[j]:pptr[j + 1]]] for j in range(p)}
    capacities = {f"p{j}": int(c) for j, c in enumerate(market["capacities"])}
    box: dict[str, Any] = {}

    def run() -> None:  # the package deep-copies its players recursively: a deep stack is needed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mark = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities, clean=True)
            box["create"] = time.perf_counter() - mark
            mark = time.perf_counter()
            box["solution"] = game.solve(optimal="resident")
            box["solve"] = time.perf_counter() - mark

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 29)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    theirs = np.full(n, -1)
    for hospital, matched in box["solution"].items():
        theirs[[int(r.name[1:]) for r in matched]] = int(hospital.name[1:])
    mark = time.perf_counter()
    scores = np.random.default_rng(1).random(market["student_choices"].size) + 0.1
    max_weight_assignment(sptr, market["student_choices"], scores, pptr, market["position_prefs"],
                          market["capacities"])
    return {"ours_seconds": ours_seconds, "package_create_seconds": box["create"], "package_solve_seconds": box["solve"],
            "equal": bool((theirs == ours).all()), "weights_seconds": time.perf_counter() - mark}


def _run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[7:])  # type: ignore[no-any-return]


def _verdict(seconds: float, peak: float) -> str:
    ok = seconds < TARGET_SECONDS and peak < MEMORY_LIMIT_GIB
    return f"{'within' if ok else 'OVER'} targets ({TARGET_SECONDS:.0f} s, {MEMORY_LIMIT_GIB:.0f} GiB)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--positions", type=int, default=50_000)
    parser.add_argument("--choices", type=int, default=10)
    parser.add_argument("--sigma", type=float, default=1.0, help="log-normal spread of positions' popularity")
    parser.add_argument("--reference-students", type=int, default=10_000)
    parser.add_argument("--reference-positions", type=int, default=500)
    parser.add_argument("--stages", default="core,file,reference")
    parser.add_argument("--child", nargs="*", default=None)
    args = parser.parse_args()
    if args.child:
        stage, *rest = args.child
        if stage == "file":
            result = _child_file(Path(rest[0]))
        elif stage == "core":
            result = _child_core(*map(int, rest[:3]), float(rest[3]))
        else:
            result = _child_reference(*map(int, rest))
        sys.stdout.write("RESULT " + json.dumps(result) + "\n")
        return
    n, p, k = args.students, args.positions, args.choices
    size = f"{n:,} students × {p:,} positions × {k} choices (σ {args.sigma})"
    stages = args.stages.split(",")
    if "core" in stages:
        r = _run_child("core", str(n), str(p), str(k), str(args.sigma))
        sys.stdout.write(
            f"core : {size}: {r['seconds']:.1f} s (CPU {r['cpu_seconds']:.1f} s) = "
            f"{n / r['seconds']:,.0f} students/s; peak memory "
            f"{r['peak_gib']:.2f} GiB (input arrays {r['input_gib']:.2f} GiB) — {_verdict(r['seconds'], r['peak_gib'])}; "
            f"matched {r['matched']:,} of {r['seats']:,} seats, {r['first_choice']:,} first choices; "
            f"blocking pairs {r['blocking_pairs']}, seats over capacity {r['over_capacity']}\n"
        )
    if "file" in stages:
        path = OUT / f"match_{n}_{p}_{k}_{args.sigma}.json"
        if not path.exists():
            mark = time.perf_counter()
            write_json_file(n, p, k, args.sigma, path)
            sys.stdout.write(f"generated {path} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - mark:.0f} s\n")
        r = _run_child("file", str(path))
        sys.stdout.write(f"file : {size}: {r['seconds']:.1f} s (CPU {r['cpu_seconds']:.1f} s) end to end {r['stages']} = "
                         f"{n / r['seconds']:,.0f} "
                         f"students/s; peak memory {r['peak_gib']:.2f} GiB — {_verdict(r['seconds'], r['peak_gib'])}; "
                         f"{r['file_mb']:,.0f} MB in\n")
    if "reference" in stages:
        rn, rp = args.reference_students, args.reference_positions
        r = _run_child("reference", str(rn), str(rp), str(k))
        package = r["package_create_seconds"] + r["package_solve_seconds"]
        sys.stdout.write(
            f"reference at {rn:,} × {rp:,} × {k}: ours {r['ours_seconds']:.3f} s; `matching` HospitalResident "
            f"{r['package_solve_seconds']:.2f} s to solve + {r['package_create_seconds']:.2f} s to build and check "
            f"its players; ratio {r['package_solve_seconds'] / r['ours_seconds']:,.0f}× (solve only), "
            f"{package / r['ours_seconds']:,.0f}× (build + solve); same matching: {r['equal']}; "
            f"weights variant (HiGHS) at this size {r['weights_seconds']:.2f} s\n")


if __name__ == "__main__":
    main()
