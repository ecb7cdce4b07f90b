"""Benchmark the postings pipeline on generated postings (issue 5 target: the local engine streams in bounded
memory, under 4 GiB, at ≥ 100,000 postings per second end to end; the same input on local Spark).

Generated postings look like real exports: titles drawn from the labelled real titles and the occupation names
of 职业分类大典 2022 with recruiting noise (招聘/急招/（双休）), salary texts in their real forms, cities of the
whole country and 郑州's counties, dates over two years, about 8 % reposts. Each engine runs in its own process;
peak memory is that process's maximum resident set (for Spark: the largest process, usually the JVM).

Run: python benchmarks/bench_postings.py [--rows 10000000] [--engines local,spark]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"
TARGET_ROWS_PER_S = 100_000
MEMORY_LIMIT_GIB = 4.0
SALARIES = ("6-8K", "8-12K·13薪", "1-1.5万", "1.5-2万", "面议", "4000-6000元/月", "200元/天", "25元/时", "10K以上", "年薪20-30万",
            "3000-4500元/月", "12-20K·14薪", "5-7千", "8千-1.2万")
EDUCATION = ("不限", "中专及以上", "大专", "本科及以上", "硕士", "高中以上")
EXPERIENCE = ("经验不限", "1-3年", "3-5年", "5年以上", "应届生", "1年以上")
NOISE = ("", "", "", "招聘", "急招", "（双休）", "（五险一金）")


def _titles(rng: np.random.Generator, n_distinct: int) -> list[str]:
    root = Path(__file__).resolve().parents[1]
    from silian.catalog import get_catalog
    labelled = pl.read_csv(root / "tests" / "data" / "postings" / "liepin_2019-12_data_analyst_postings.csv",
                           infer_schema=False)["岗位名称"].to_list()
    names = get_catalog().occupations.filter(pl.col("level_name") == "细类")["name"].to_list()
    base = [n.rstrip("SL") for n in names] + labelled
    prefixes = ("", "高级", "资深", "初级", "储备", "郑州")
    suffixes = ("", "（长白班）", "（可实习）", "主管", "助理", "A岗", "B岗", "（包吃住）")
    variants = [f"{p}{b}{x}" for b in base for p in prefixes for x in suffixes]
    chosen = rng.choice(len(variants), size=min(n_distinct, len(variants)), replace=False)
    return [variants[i] for i in chosen]


def generate(rows: int, path: Path, seed: int = 2024, chunk: int = 1_000_000) -> None:
    """Write ``rows`` generated postings to ``path`` (CSV, UTF-8) in chunks."""
    from silian.catalog import get_catalog
    rng = np.random.default_rng(seed)
    titles = np.array(_titles(rng, 120_000))
    cities = get_catalog().cities["name"].to_list()
    places = np.array([*cities, *(f"郑州-{c}" for c in ("金水区", "中原区", "二七区", "管城回族区", "惠济区", "上街区",
                                                        "巩义市", "荥阳市", "新密市", "新郑市", "登封市", "中牟县"))] * 1)
    weights = np.ones(len(places))
    weights[-12:] = 40.0
    weights /= weights.sum()
    companies = np.array([f"演示企业{i:05d}有限公司" for i in range(50_000)])
    days = np.array([f"2023-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 11, 19, 27)]
                    + [f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 11, 19, 27)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("岗位名称,薪资,城市,学历,经验,公司,发布日期\n")
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            fresh = int(n * 0.92)
            frame = pl.DataFrame({
                "岗位名称": [NOISE[k] + t for k, t in zip(rng.integers(0, len(NOISE), fresh), titles[rng.zipf(1.3, fresh) % len(titles)], strict=True)],
                "薪资": np.array(SALARIES)[rng.integers(0, len(SALARIES), fresh)],
                "城市": places[rng.choice(len(places), fresh, p=weights)],
                "学历": np.array(EDUCATION)[rng.integers(0, len(EDUCATION), fresh)],
                "经验": np.array(EXPERIENCE)[rng.integers(0, len(EXPERIENCE), fresh)],
                "公司": companies[rng.integers(0, len(companies), fresh)],
                "发布日期": days[rng.integers(0, len(days), fresh)],
            })
            reposts = frame.sample(n - fresh, with_replacement=True, seed=int(rng.integers(1 << 30)))
            frame = pl.concat([frame, reposts]).sample(fraction=1.0, shuffle=True, seed=int(rng.integers(1 << 30)))
            frame.write_csv(handle, include_header=False)
            done += n


def _vm_hwm_kib(pid: int) -> int:
    """Peak resident set of a live process (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child(engine: str, path: Path) -> None:
    from silian.services.postings import run_local
    started = time.perf_counter()
    jvm_kib = 0
    if engine == "spark":
        from silian.services.postings_spark import run_spark, spark_session
        spark = spark_session("local[2]", **{"spark.driver.memory": "3g"})
        result = run_spark(path, spark=spark)
        jvm_kib = _vm_hwm_kib(spark.sparkContext._gateway.proc.pid)
    else:
        result = run_local(path)
    summary = result.summary()
    summary["wall_seconds"] = time.perf_counter() - started
    python_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Spark's Python workers are children of the JVM; RUSAGE_CHILDREN sees those already reaped (local: none)
    workers_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if engine == "spark" else 0
    summary["peak_rss_gib"] = (python_kib + jvm_kib + workers_kib) / 1024 / 1024
    summary["peak_detail"] = {"python_gib": python_kib / 1024 / 1024, "jvm_gib": jvm_kib / 1024 / 1024,
                              "largest_worker_gib": workers_kib / 1024 / 1024}
    sys.stdout.write("RESULT " + json.dumps(summary, ensure_ascii=False, default=str) + "\n")


def run_engine(engine: str, path: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child", engine, "--file", str(path)], capture_output=True, text=True,
                          check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"{engine} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[7:])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--child", default="")
    parser.add_argument("--file", default="")
    args = parser.parse_args()
    if args.child:
        _child(args.child, Path(args.file))
        return
    path = OUT / f"postings_{args.rows}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        generate(args.rows, path)
        sys.stdout.write(f"generated {args.rows:,} postings → {path} ({path.stat().st_size / 1e9:.2f} GB) in "
                         f"{time.perf_counter() - t0:.0f} s\n")
    for engine in args.engines.split(","):
        s = run_engine(engine, path)
        wall = float(s["wall_seconds"])  # type: ignore[arg-type]
        rate = args.rows / wall
        sys.stdout.write(
            f"{engine:5s}: {args.rows:,} postings in {wall:.1f} s = {rate:,.0f} postings/s (target {TARGET_ROWS_PER_S:,}/s, "
            f"ratio {rate / TARGET_ROWS_PER_S:.2f}); peak memory {s['peak_rss_gib']:.2f} GiB (limit {MEMORY_LIMIT_GIB} GiB); "
            f"{s['postings']:,} after reposts, {s['distinct_titles']:,} distinct titles, {s['review_postings']:,} to review, "
            f"{s['demand_records']:,} demand records; stages {s['seconds']}; memory {s['peak_detail']}\n")


if __name__ == "__main__":
    main()
