"""Benchmark the analytics engine (issue 3 targets) and print the ratio to each target in one run.

1. Full analysis of the demo region (four-chain coupling for the city and its counties, peers, the four
   diagnoses, forecasts — everything the report needs), from a loaded SQLite database. Target: < 2 s.
2. A national-size panel, generated: 342 cities × 24 years × 4 chains × 30 indicators; entropy weights per
   chain over the whole panel, chain scores and Wang coupling coordination for every city-year. Target: < 1 s.

Run: python benchmarks/bench_analysis.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from silian.analytics.coupling import coupling_coordination
from silian.analytics.entropy import entropy_weights
from silian.reports.report import render_html
from silian.services.analysis import run_analysis
from silian.services.demo_region import load_demo
from silian.services.hub import load_hub
from silian.storage.database import Database

DEMO_TARGET_S = 2.0
PANEL_TARGET_S = 1.0


def national_panel(cities: int = 342, years: int = 24, chains: int = 4, indicators: int = 30, seed: int = 7) -> list[np.ndarray]:
    """Generated indicator blocks, one (cities·years × indicators) matrix per chain, with trends and noise."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(0, 0.6, size=(cities, 1, 1))
    growth = 1 + rng.normal(0.05, 0.02, size=(cities, 1, 1))
    t = np.arange(years).reshape(1, years, 1)
    blocks = []
    for _ in range(chains):
        base = level * growth ** t * rng.lognormal(0, 0.3, size=(1, 1, indicators))
        noise = rng.lognormal(0, 0.1, size=(cities, years, indicators))
        blocks.append((base * noise).reshape(cities * years, indicators))
    return blocks


def panel_run(blocks: list[np.ndarray]) -> np.ndarray:
    directions = ["+"] * blocks[0].shape[1]
    scores = np.column_stack([entropy_weights(b, directions).scores_ for b in blocks])
    return coupling_coordination(np.clip(scores, 0, 1), "wang").D


def best_of(fn, repeat: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'hub.db'}")
        db.upgrade()
        load_demo(db, seed=2024)
        run_analysis(db)  # warm caches (catalogue, crosswalks)
        best, times = best_of(lambda: run_analysis(db), args.repeat)
        hub = load_hub(db)
        bundle = run_analysis(hub=hub)
        rows = sum(f.height for f in hub.tables.values())
        html_s, _ = best_of(lambda: render_html(bundle), 1)
        db.dispose()
    sys.stdout.write(
        f"demo analysis (load + coupling city/counties + peers + 4 diagnoses + forecasts): best {best:.3f} s, "
        f"median {statistics.median(times):.3f} s over {args.repeat}; {rows:,} hub rows → {rows / best:,.0f} rows/s; "
        f"target {DEMO_TARGET_S} s, ratio to target {best / DEMO_TARGET_S:.2f}\n")
    sys.stdout.write("  stages (last run): " + ", ".join(f"{k} {v:.3f}s" for k, v in bundle.seconds.items()) + "\n")
    sys.stdout.write(f"  report HTML render: {html_s:.3f} s\n")
    blocks = national_panel()
    panel_run(blocks)
    best, times = best_of(lambda: panel_run(blocks), args.repeat)
    cells = sum(b.size for b in blocks)
    sys.stdout.write(
        f"national panel 342 × 24 × 4 × 30 (entropy per chain + Wang coupling): best {best:.3f} s, median "
        f"{statistics.median(times):.3f} s; {cells:,} cells → {cells / best:,.0f} cells/s; target {PANEL_TARGET_S} s, "
        f"ratio to target {best / PANEL_TARGET_S:.2f}\n")


if __name__ == "__main__":
    main()
