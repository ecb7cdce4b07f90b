"""Benchmark the occupation classifier (issue 5, item 2): throughput per core and accuracy, in one run.

1. Training the default model from the packaged titles (wall and CPU seconds) and its in-memory size.
2. Throughput on one core (BLAS and OpenMP limited to one thread), on distinct titles: the packaged
   titles plus variants made from them (city prefixes, bracketed notes, perks), so that no title repeats.
   Reported as titles per CPU-second (what one core does, even on a busy machine) and per wall second,
   for the model itself and for ``classify_titles`` (frame, review flag, back-off, alternatives).
   Target: ≥ 20,000 titles/s per core.
3. Cross-validated accuracy (5 folds, seed 0) at 大类/中类/小类/细类 and the review-queue share; with
   ``--baseline`` also the plain character TF-IDF + linear SVM baseline under the same folds.
   Targets: 细类 ≥ 70 %, 大类 ≥ 88 %.

Run: python benchmarks/bench_classify.py [--titles 60000] [--folds 5] [--baseline]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from silian.analytics.classify import OccupationClassifier
from silian.services.postings.classifier import (
    classify_titles,
    evaluate_cv,
    occupation_reference,
    training_pairs,
)

TARGET_PER_CORE = 20_000
TARGET_EXACT = 0.70
TARGET_MAJOR = 0.88
CITIES = ("郑州", "洛阳", "开封", "新乡", "许昌", "南阳", "苏州", "无锡", "常州", "杭州", "成都", "武汉")
NOTES = ("（双休）", "（五险一金）", "【急招】", " 包吃住", "（应届可投）", " 月薪6-8K", "(J10086)", "（长白班）")


def distinct_titles(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct titles: the packaged ones, then variants with a city and a note."""
    base = sorted(set(training_pairs()[0]))
    rng = np.random.default_rng(seed)
    out = list(base)
    seen = set(out)
    while len(out) < n:
        title = base[rng.integers(len(base))]
        variant = f"{CITIES[rng.integers(len(CITIES))]}{title}{NOTES[rng.integers(len(NOTES))]}"
        if variant not in seen:
            seen.add(variant)
            out.append(variant)
    return out[:n]


def timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--titles", type=int, default=60_000)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    out = sys.stdout.write
    titles, labels = training_pairs()
    reference = occupation_reference()
    model, wall, cpu = timed(lambda: OccupationClassifier().fit(titles, labels, reference=reference))
    size = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    out(f"training: {len(titles):,} titles + {len(reference.texts):,} names/aliases of {len(reference.labels):,} "
        f"codes → {wall:.1f} s wall, {cpu:.1f} s CPU (one thread); model in memory {size / 1e6:.1f} MB\n")

    queries = distinct_titles(args.titles)
    with threadpool_limits(limits=1):
        model.predict_top_k(queries[:2000], 1)  # warm up
        _, wall, cpu = timed(lambda: model.predict_top_k(queries, 1))
        per_cpu, per_wall = len(queries) / cpu, len(queries) / wall
        out(f"model, {len(queries):,} distinct titles, top-1: {per_cpu:,.0f} titles per CPU-second "
            f"({per_wall:,.0f}/s wall); target {TARGET_PER_CORE:,}/s per core, ratio {per_cpu / TARGET_PER_CORE:.2f}\n")
        packaged = sorted(set(titles))
        _, wall, cpu = timed(lambda: [model.predict_top_k(packaged, 1) for _ in range(5)])
        out(f"model, the {len(packaged):,} packaged titles (shorter, no city or perks) × 5 passes: "
            f"{5 * len(packaged) / cpu:,.0f} titles per CPU-second, ratio {5 * len(packaged) / cpu / TARGET_PER_CORE:.2f}\n")
        _, wall, cpu = timed(lambda: classify_titles(queries, top_k=3, classifier=model))
        out(f"classify_titles (frame, review flag, back-off, top-3): {len(queries) / cpu:,.0f} titles per CPU-second "
            f"({len(queries) / wall:,.0f}/s wall), ratio {len(queries) / cpu / TARGET_PER_CORE:.2f}\n")
        repeated = [queries[i % 5000] for i in range(len(queries))]
        _, wall, cpu = timed(lambda: classify_titles(repeated, classifier=model))
        out(f"classify_titles on {len(repeated):,} titles with 5,000 distinct (identical titles classified once): "
            f"{len(repeated) / cpu:,.0f} titles per CPU-second\n")

    if args.folds < 2:
        return
    scores, wall, _ = timed(lambda: evaluate_cv(folds=args.folds, seed=0, baseline=args.baseline))
    out(f"{args.folds}-fold cross-validated accuracy ({scores['n_titles']:,} labelled titles, {wall:.0f} s): "
        + ", ".join(f"{level} {scores[level]:.1%}" for level in ("大类", "中类", "小类", "细类"))
        + f"; targets 细类 {TARGET_EXACT:.0%} (ratio {scores['细类'] / TARGET_EXACT:.2f}), 大类 {TARGET_MAJOR:.0%} "
          f"(ratio {scores['大类'] / TARGET_MAJOR:.2f})\n")
    out(f"review queue (confidence < {scores['review_threshold']}): {scores['review_share']:.1%} of titles; "
        f"细类 accuracy of the rest {scores['accepted_accuracy']:.1%}\n")
    if args.baseline:
        out(f"baseline (character 1–3-gram TF-IDF + linear SVM), same folds: 细类 {scores['baseline_细类']:.1%}, "
            f"大类 {scores['baseline_大类']:.1%}\n")


if __name__ == "__main__":
    main()
