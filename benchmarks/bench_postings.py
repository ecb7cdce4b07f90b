"""Benchmark the postings pipeline on generated postings (issue 5 target: the local engine streams in bounded
memory, under 4 GiB, at ≥ 100,000 postings per second end to end; the same input on local Spark).

Generated postings look like real exports: titles drawn from the labelled real titles and the occupation names
of 职业分类大典 2022 with recruiting noise (招聘/急招/（双休）), salary texts in their real forms, cities of the
whole country and 郑州's counties, dates over two years, about 8 % reposts. Each engine runs in its own process;
peak memory is that process's maximum resident set plus the peaks of all its descendants, sampled every half second
(local: the classifier process; Spark: the JVM, the PySpark daemon and its Python workers), an upper bound since the
peaks need not coincide and forked workers share pages. The machine's
load average is printed before and after each engine: on a shared machine the figures depend on it.

Run: python benchmarks/bench_postings.py [--rows 10000000] [--engines local,spark]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"
TARGET_ROWS_PER_S = 100_000
MEMORY_LIMIT_GIB = 4.0
# local Spark on 2 cores: one JVM holds the cached postings (spilling to disk beyond its storage memory)
SPARK_CONF = {"spark.driver.memory": "4g", "spark.sql.shuffle.partitions": "8", "spark.local.dir": str(OUT / "spark-tmp")}
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
            frame = pl.DataFrame(
                {
                    "岗位名称": [
                        NOISE[k] + t
                        for k, t in zip(
                            rng.integers(0, len(NOISE), fresh), titles[rng.zipf(1.3, fresh) % len(titles)], strict=True
                        )
                    ],
                    "薪资": np.array(SALARIES)[rng.integers(0, len(SALARIES), fresh)],
                    "城市": places[rng.choice(len(places), fresh, p=weights)],
                    "学历": np.array(EDUCATION)[rng.integers(0, len(EDUCATION), fresh)],
                    "经验": np.array(EXPERIENCE)[rng.integers(0, len(EXPERIENCE), fresh)],
                    "公司": companies[rng.integers(0, len(companies), fresh)],
                    "发布日期": days[rng.integers(0, len(days), fresh)],
                }
            )
            reposts = frame.sample(n - fresh, with_replacement=True, seed=int(rng.integers(1 << 30)))
            frame = pl.concat([frame, reposts]).sample(fraction=1.0, shuffle=True, seed=int(rng.integers(1 << 30)))
            frame.write_csv(handle, include_header=False)
            done += n


def _vm_hwm_kib(pid: int) -> int:
    """Peak resident set of a live process (VmHWM), in KiB (0 once it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class _WorkerPeaks:
    """Samples, every half second, the peak resident set of every descendant of a process (Spark's Python
    workers are children of a daemon started by the JVM, so RUSAGE_CHILDREN never sees them)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, frontier = [], [self.root]
        while frontier:
            pid = frontier.pop()
            children = [c for c, p in parents.items() if p == pid]
            found.extend(children)
            frontier.extend(children)
        return found

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            for pid in self._descendants():
                self.peaks[pid] = max(self.peaks.get(pid, 0), _vm_hwm_kib(pid))

    def kib(self) -> tuple[int, int]:
        """(sum of the peaks, largest peak) of the descendants seen."""
        self.stop.set()
        self.thread.join()
        return sum(self.peaks.values()), max(self.peaks.values(), default=0)


def _child(engine: str, path: Path) -> None:
    from silian.services.postings.local import run_local
    started = time.perf_counter()
    peaks = _WorkerPeaks(os.getpid())  # local: the classifier process; Spark: the JVM and its Python workers
    jvm = 0
    if engine == "spark":
        from silian.services.postings.spark import run_spark, spark_session
        spark = spark_session("local[2]", **SPARK_CONF)
        jvm = spark.sparkContext._gateway.proc.pid
        result = run_spark(path, spark=spark)
    else:
        result = run_local(path)
    jvm_kib = _vm_hwm_kib(jvm) if jvm else 0
    children_kib, largest_kib = peaks.kib()
    summary = result.summary()
    summary["wall_seconds"] = time.perf_counter() - started
    python_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gib = 1024 * 1024
    summary["peak_rss_gib"] = (python_kib + children_kib) / gib
    summary["peak_detail"] = {
        "python_gib": round(python_kib / gib, 2),
        "jvm_gib": round(jvm_kib / gib, 2),
        "child_processes_gib": round(children_kib / gib, 2),
        "largest_child_gib": round(largest_kib / gib, 2),
    }
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
    sys.stdout.write(f"input {path} ({path.stat().st_size / 1e9:.2f} GB, {args.rows:,} rows); {os.cpu_count()} cores\n")
    for engine in args.engines.split(","):
        before = _load()
        s = run_engine(engine, path)
        wall = float(s["wall_seconds"])  # type: ignore[arg-type]
        rate = args.rows / wall
        sys.stdout.write(
            f"{engine:5s}: {args.rows:,} postings in {wall:.1f} s = {rate:,.0f} postings/s (target {TARGET_ROWS_PER_S:,}/s, "
            f"ratio {rate / TARGET_ROWS_PER_S:.2f}); peak memory {s['peak_rss_gib']:.2f} GiB (limit {MEMORY_LIMIT_GIB} GiB); "
            f"{s['postings']:,} after reposts, {s['distinct_titles']:,} distinct titles, {s['review_postings']:,} to review, "
            f"{s['demand_records']:,} demand records; stages {s['seconds']}; memory {s['peak_detail']}; "
            f"load average before {before}, after {_load()}\n")
        sys.stdout.flush()


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
