"""Dashboard throughput against bare FastAPI, in one run on this machine.

    python benchmarks/bench_dashboard.py [--users 20] [--seconds 9] [--rounds 3] [--path /] [--lang zh] [--json]

Starts two servers on loopback, each a single uvicorn process (one worker) started by this script:

* bare FastAPI with one trivial HTML route (``/bare``: a short ``HTMLResponse``), the ceiling of the framework
  and the server on this machine;
* the platform over the demo region (a temporary SQLite database, seed 2024).

After a warm-up that fills the analysis cache, the same client (asyncio keep-alive connections, one per user, from
``bench_web_load.py``: it costs far less than the servers, so the figures are the servers') drives each server in
turn, ``--rounds`` times (bare, dashboard, bare, dashboard, ...; ``--seconds`` in all on each server, so a change in
the machine's other load falls on both alike); each user sends its next request as soon as the last is answered
(the server's saturation).
``--path`` may be given more than once (the users then cycle through the paths; default ``/``, the overview).
Prints requests per second, p50/p95 latency and errors of each, and the ratio of the dashboard's requests per second
to bare FastAPI's. The load generator shares the CPUs with the server it drives, and other work on the machine
counts too: compare figures of one run, not across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web_load import Connection, Result, free_port, prepare

BARE_PAGE = "<!doctype html><html lang=zh-CN><head><title>bare</title></head><body><p>四链</p></body></html>"


def serve(kind: str, port: int, folder: Path) -> None:
    """Run one server in this process (the script re-invokes itself with --serve)."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    if kind == "bare":
        app = FastAPI()

        @app.get("/bare", response_class=HTMLResponse)
        def bare() -> str:
            return BARE_PAGE
    else:
        from silian.settings import Settings
        from silian.storage.database import Database
        from silian.web.app import create_app
        # every simulated user comes from 127.0.0.1: the per-address request limits (web/rate_limits.py) would
        # turn the crowd into 429s, so they are off here (as in load.py); every other middleware is on
        settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", data_dir=folder, secret_key="bench",
                            rate_limit_login="0", rate_limit_anonymous="0", rate_limit_signed_in="0")
        app = create_app(settings, database=Database(settings.resolved_database_url()))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start(kind: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port), "--folder", str(folder)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            httpx.get(url + ("/bare" if kind == "bare" else "/static/silian.css"), timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the {kind} server did not start")


async def warm_up(url: str, paths: list[str], headers: dict[str, str]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as client:
        return [(await client.get(path)).status_code for path in paths for _ in range(2)]


@dataclass
class Tally:
    """Latencies (seconds) and errors of one server over every round, and the time spent loading it."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def result(self, name: str) -> Result:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive") if len(self.latencies) > 1 else [0.0] * 99
        return Result(name, len(self.latencies), self.errors, round(self.seconds, 2),
                      round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
                      round(cuts[49] * 1000, 1), round(cuts[94] * 1000, 1), round(cuts[98] * 1000, 1))


async def drive(url: str, paths: list[str], headers: dict[str, str], users: int, seconds: float, tally: Tally) -> None:
    """``users`` users, each on its own keep-alive connection, sending the next request as soon as the last is
    answered, for ``seconds``; user i asks for ``paths[i % len(paths)]``."""
    stop = time.perf_counter() + seconds

    async def user(path: str) -> None:
        connection = Connection(url, headers)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                tally.errors += await connection.get(path) >= 400
            except (OSError, ValueError, asyncio.IncompleteReadError):
                tally.errors += 1
                await connection.close()
            tally.latencies.append(time.perf_counter() - started)
        await connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(user(paths[i % len(paths)]) for i in range(users)))
    tally.seconds += time.perf_counter() - began


def run(users: int, seconds: float, rounds: int, paths: list[str], lang: str) -> tuple[Result, Result]:
    """Both servers, loaded in turn for ``seconds / rounds`` each round (bare first), so a change in the machine's
    other load falls on both about equally."""
    with tempfile.TemporaryDirectory(prefix="silian-bench-") as tmp:
        folder = Path(tmp)
        prepare(folder)
        platform, platform_url = start("platform", folder)
        bare, bare_url = start("bare", folder)
        headers = {"Cookie": f"silian_lang={lang}"}
        bare_tally, dashboard_tally = Tally(), Tally()
        try:
            statuses = asyncio.run(warm_up(platform_url, paths, headers))
            if any(status != 200 for status in statuses):
                raise SystemExit(f"the dashboard answered {statuses} during the warm-up")
            asyncio.run(warm_up(bare_url, ["/bare"], {}))
            for _ in range(rounds):
                asyncio.run(drive(bare_url, ["/bare"], {}, users, seconds / rounds, bare_tally))
                asyncio.run(drive(platform_url, paths, headers, users, seconds / rounds, dashboard_tally))
        finally:
            for process in (platform, bare):
                process.terminate()
                process.wait(timeout=10)
    return bare_tally.result("/bare"), dashboard_tally.result(" ".join(paths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=9.0, help="load on each server (over all rounds)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of bare then dashboard")
    parser.add_argument("--path", action="append", help="dashboard path(s) to load (default: /)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--serve", choices=["platform", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder)
        return
    paths = args.path or ["/"]
    bare, dashboard = run(args.users, args.seconds, args.rounds, paths, args.lang)
    ratio = dashboard.rps / bare.rps if bare.rps else 0.0
    load1, load5, _ = os.getloadavg()
    if args.json:
        print(json.dumps({"users": args.users, "seconds": args.seconds, "lang": args.lang, "bare": asdict(bare),
                          "dashboard": asdict(dashboard), "ratio": round(ratio, 3),
                          "load_average": [load1, load5]}, indent=2))
        return
    print(f"{args.users} concurrent users (asyncio keep-alive client), {args.seconds:g} s on each in {args.rounds} rounds, "
          f"one uvicorn worker per server, {os.cpu_count()} CPUs, load average {load1:.2f} (1 min) {load5:.2f} (5 min) at the end")
    print(f"{'server':34s} {'requests':>8s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'errors':>6s}")
    for name, r in (("bare FastAPI /bare (HTML)", bare), (f"dashboard {' '.join(paths)} ({args.lang})", dashboard)):
        print(f"{name:34s} {r.requests:8d} {r.rps:8.1f} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.errors:6d}")
    print(f"ratio dashboard / bare (requests per second): {ratio:.3f}  (target >= 0.30: {'met' if ratio >= 0.3 else 'MISSED'})")


if __name__ == "__main__":
    main()
