"""Load and soak test: the platform with the 郑州 demo region, served by uvicorn on loopback in a process of its
own, under N concurrent simulated users who mix reads and writes, for a bounded time and number of requests.

    python benchmarks/load.py --users 100 --minutes 10 --backend sqlite --out load.json
    python benchmarks/load.py --users 50 --minutes 2 --backend postgresql --out load-pg.json \\
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each user loops: pick a kind of request by weight, send it, pause about ``--think`` seconds (as a person reading a
page does), until the time is up or ``--max-requests`` have been sent (default: 150 per user and minute). Kinds:

* ``page`` — a dashboard or platform page (``/``, ``/dashboard/gaps``, ``/dashboard/schools``, ``/platform`` …);
* ``analysis`` — the analysis API (``/api/v1/analysis/coupling``, ``supply-demand``, ``schools``, ``pathways``);
* ``post`` — a platform post (``POST /api/v1/posts``: a talent demand for a demo enterprise);
* ``scenario`` — a scenario save (``POST /api/v1/scenarios``: a new factory, a new name each time);
* ``import`` — a small CSV upload (``POST /api/v1/imports/regions``: three rows, their names changed each time).

The file (``--out``) holds the throughput, p50/p95/p99 latency and errors by status for each kind and in all, and
the server's resident memory sampled every second (RSS from /proc: Linux); a summary is printed. The hub is a
temporary SQLite file (a copy of ``--hub FILE`` when given, else the demo region generated) or a temporary
PostgreSQL schema, dropped afterwards. The client is httpx with asyncio (one connection pool per user): it is already
a kept dependency of the tests, and on a two-core machine an asyncio client costs far less CPU than locust's
gevent workers, so more of the machine is left to the server being measured; the client shares the machine with
the server all the same, so note the load average the file records.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "amber harbour kettle 42"
PAGES = ("/", "/dashboard/gaps", "/dashboard/schools", "/dashboard/pathways", "/dashboard/counties", "/platform")
ANALYSES = ("/api/v1/analysis/coupling", "/api/v1/analysis/supply-demand", "/api/v1/analysis/schools",
            "/api/v1/analysis/pathways")
WEIGHTS = {"page": 0.35, "analysis": 0.35, "post": 0.12, "scenario": 0.06, "import": 0.12}
PLANT = {"county": "410122", "from_year": 2024, "occupations": [{"code": "6-18-01-07", "workers": 300}],
         "label": "压测工厂"}
LATHE = "6-18-01-01"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------------------ the hub and server
@contextmanager
def hub_url(backend: str, folder: Path, pg_url: str, template: Path | None) -> Iterator[str]:
    """A URL of a fresh hub with the demo region (SQLite file in ``folder``, or a PostgreSQL schema of its own)."""
    from silian.storage.database import Database, schema_database

    if backend == "sqlite":
        path = folder / "hub.db"
        if template is not None:
            shutil.copyfile(template, path)
        db = Database(f"sqlite:///{path}")
        try:
            fill(db, demo=template is None)
        finally:
            db.dispose()
        yield db.url
        return
    with schema_database(pg_url, prefix="load") as db:
        fill(db, demo=True)
        with db.engine.connect() as conn:
            import sqlalchemy as sa
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        yield f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"


def fill(db: Any, *, demo: bool) -> None:
    """Migrate, load the demo region (unless copied in) and add the load test's city admin."""
    from silian.services.accounts import create_user
    from silian.services.demo_region import load_demo
    from silian.services.imports import ensure_schema

    ensure_schema(db)
    if demo:
        load_demo(db, seed=2024)
    create_user(db, username="load", password=PASSWORD, role="city_admin")


def serve(database_url: str, port: int, folder: Path) -> None:
    """The server process (this script with --serve): the platform as ``silian serve`` runs it, JSON logs on stderr."""
    import uvicorn

    from silian.settings import Settings
    from silian.web.app import create_app
    from silian.web.observability import configure_logging

    configure_logging()
    # every simulated user comes from 127.0.0.1: the per-address request limits (web/rate_limits.py) would turn the
    # crowd into 429s, so they are off here — this measures the platform, the limiter has its own tests
    settings = Settings(database_url=database_url, data_dir=folder, secret_key="load-test", rate_limit_login="0",
                        rate_limit_anonymous="0", rate_limit_signed_in="0")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(database_url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, __file__, "--serve", "--database-url", database_url, "--port", str(port),
                                "--folder", str(folder)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # importing the platform takes minutes on a busy two-core machine
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/readyz", timeout=10).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait(30)
    log.close()
    tail = (folder / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    raise SystemExit(f"the server did not start (exit code {process.returncode}):\n{tail}")


def rss_mb(pid: int) -> float:
    """The process's resident memory in MiB (Linux /proc; 0 where there is none)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


# ------------------------------------------------------------------------------------------------ the users
@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sent: int = 0


@dataclass
class Plan:
    url: str
    users: int
    seconds: float
    max_requests: int
    think: float
    token: str = ""
    enterprise: str = ""


async def one_request(client: httpx.AsyncClient, kind: str, plan: Plan, user: int, serial: int,
                      rng: random.Random) -> httpx.Response:
    tag = f"{user}-{serial}"
    if kind == "page":
        return await client.get(rng.choice(PAGES))
    if kind == "analysis":
        return await client.get(rng.choice(ANALYSES))
    auth = {"Authorization": f"Bearer {plan.token}"}
    if kind == "post":
        return await client.post("/api/v1/posts", headers=auth, json={
            "kind": "talent_demand", "title": f"压测招聘 {tag}", "occupation_code": LATHE, "count": 1 + serial % 9,
            "period": "2024", "enterprise_credit_code": plan.enterprise})
    if kind == "scenario":
        return await client.post("/api/v1/scenarios", headers=auth,
                                 json={"name": f"压测情景 {tag}", "kind": "plant", "spec": PLANT})
    rows = "".join(f"{980000 + user * 10 + k},压测区划{tag}-{k},县\n" for k in range(3))
    return await client.post("/api/v1/imports/regions", headers=auth,
                             files={"file": (f"load-{tag}.csv", ("区划代码,名称,层级\n" + rows).encode(), "text/csv")})


async def simulated_user(user: int, plan: Plan, tally: Tally, stop_at: float) -> None:
    rng = random.Random(user)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    await asyncio.sleep(rng.random() * min(plan.think, 2.0))  # people arrive over time
    async with httpx.AsyncClient(base_url=plan.url, timeout=120) as client:
        serial = 0
        while time.monotonic() < stop_at and tally.sent < plan.max_requests:
            tally.sent += 1
            serial += 1
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                status = str((await one_request(client, kind, plan, user, serial, rng)).status_code)
            except httpx.HTTPError as exc:
                status = f"transport:{type(exc).__name__}"
            tally.latencies[kind].append(time.perf_counter() - started)
            tally.statuses[kind][status] += 1
            await asyncio.sleep(plan.think * (0.5 + rng.random()))


async def sample_memory(pid: int, samples: list[tuple[float, float]], began: float, done: asyncio.Event) -> None:
    while not done.is_set():
        samples.append((round(time.monotonic() - began, 1), rss_mb(pid)))
        try:
            await asyncio.wait_for(done.wait(), 1.0)
        except TimeoutError:
            pass
    samples.append((round(time.monotonic() - began, 1), rss_mb(pid)))


async def prepare_plan(plan: Plan) -> None:
    """Log in as the load test's admin, pick a demo enterprise, fill the analysis cache (not measured)."""
    async with httpx.AsyncClient(base_url=plan.url, timeout=300) as client:
        r = await client.post("/api/v1/auth/token", json={"username": "load", "password": PASSWORD})
        r.raise_for_status()
        plan.token = r.json()["token"]
        r = await client.get("/api/v1/enterprises?page_size=1", headers={"Authorization": f"Bearer {plan.token}"})
        r.raise_for_status()
        plan.enterprise = r.json()["data"][0]["credit_code"]
        for path in ("/", ANALYSES[0]):
            await client.get(path)


async def drive(plan: Plan, server_pid: int) -> tuple[Tally, list[tuple[float, float]], float]:
    await prepare_plan(plan)
    tally, samples, done = Tally(), [], asyncio.Event()
    began = time.monotonic()
    sampler = asyncio.create_task(sample_memory(server_pid, samples, began, done))
    await asyncio.gather(*(simulated_user(user, plan, tally, began + plan.seconds) for user in range(plan.users)))
    elapsed = time.monotonic() - began
    done.set()
    await sampler
    return tally, samples, elapsed


# ------------------------------------------------------------------------------------------------ figures
def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    if len(values) == 1:
        return {"p50_ms": round(values[0] * 1000, 1), "p95_ms": round(values[0] * 1000, 1),
                "p99_ms": round(values[0] * 1000, 1)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


def errors_of(statuses: Counter[str]) -> dict[str, int]:
    return {status: n for status, n in sorted(statuses.items()) if not status.startswith(("2", "3"))}


def report(tally: Tally, samples: list[tuple[float, float]], elapsed: float, config: dict[str, Any],
           load_before: tuple[float, ...]) -> dict[str, Any]:
    kinds = {}
    every: list[float] = []
    all_statuses: Counter[str] = Counter()
    for kind in WEIGHTS:
        latencies = tally.latencies.get(kind, [])
        every += latencies
        all_statuses.update(tally.statuses.get(kind, Counter()))
        kinds[kind] = {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 2),
                       **percentiles(latencies), "errors": errors_of(tally.statuses.get(kind, Counter()))}
    memory = [mb for _, mb in samples]
    return {
        "config": config,
        "machine": {"cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "throughput_rps": round(len(every) / elapsed, 2) if elapsed else 0.0,
        "latency": percentiles(every),
        "kinds": kinds,
        "errors": errors_of(all_statuses),
        "server_errors": sum(n for status, n in all_statuses.items() if status.startswith("5")),
        "statuses": dict(sorted(all_statuses.items())),
        "server_rss_mb": {"start": memory[0] if memory else 0.0, "max": max(memory, default=0.0),
                          "end": memory[-1] if memory else 0.0, "samples": samples},
    }


def summary(result: dict[str, Any]) -> str:
    config = result["config"]
    lines = [(f"{config['users']} users, {config['backend']}, {result['seconds']} s, load average "
             f"{result['machine']['load_average_before'][0]} → {result['machine']['load_average_after'][0]} "
             f"on {result['machine']['cpus']} CPUs"),
             f"{'kind':<10}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors"]
    for kind, row in result["kinds"].items():
        lines.append(f"{kind:<10}{row['requests']:>9}{row['rps']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
                     f"{row['p99_ms']:>9}  {row['errors'] or '-'}")
    total = result["latency"]
    lines.append(f"{'all':<10}{result['requests']:>9}{result['throughput_rps']:>8}{total['p50_ms']:>9}"
                 f"{total['p95_ms']:>9}{total['p99_ms']:>9}  {result['errors'] or '-'}")
    rss = result["server_rss_mb"]
    lines.append(f"server RSS: {rss['start']} MiB at start, {rss['max']} MiB at most, {rss['end']} MiB at the end")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    max_requests = args.max_requests or int(args.users * max(seconds, 1) / 60 * 150) + args.users
    config = {"users": args.users, "seconds": seconds, "backend": args.backend, "think_seconds": args.think,
              "max_requests": max_requests, "weights": WEIGHTS}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="silian-load-") as tmp:
        folder = Path(tmp)
        with hub_url(args.backend, folder, args.pg, args.hub) as url:
            server, base = start_server(url, folder)
            try:
                plan = Plan(base, args.users, seconds, max_requests, args.think)
                tally, samples, elapsed = asyncio.run(drive(plan, server.pid))
            finally:
                server.terminate()
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(30)
            if args.keep_log:
                shutil.copyfile(folder / "server.log", args.keep_log)
    return report(tally, samples, elapsed, config, load_before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=None, help="instead of --minutes")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg", default=os.environ.get("SILIAN_TEST_DATABASE_URL")
                        or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--hub", type=Path, default=None, help="a SQLite demo hub to copy (instead of generating it)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user pauses between requests (±50%%)")
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many requests in all")
    parser.add_argument("--out", type=Path, default=Path("load.json"))
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the server's JSON log here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.database_url, args.port, args.folder)
        return
    result = run(args)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(summary(result))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
