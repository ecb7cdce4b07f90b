"""Web load benchmark: the platform (demo region in a temporary SQLite database) served by uvicorn on loopback,
50 concurrent users (asyncio + httpx) on the dashboard and three API endpoints, against a bare FastAPI endpoint
(``/bare`` returning ``{"ok": true}``) served the same way in the same run.

    python benchmarks/bench_web_load.py [--users 50] [--seconds 6] [--think 0] [--client asyncio|httpx] [--json]

Each endpoint is loaded on its own for ``--seconds`` (five endpoints: about 30 s), after a short warm-up that fills
the analysis cache. Prints requests per second, p50/p95/p99 latency and errors per endpoint and the ratio to the
bare endpoint. Target on the demo region: p95 under 100 ms and no errors. Each server is a single uvicorn process
(one worker) started by this script; the load generator runs in this process, so on a small machine it shares the
CPUs with the server (the bare endpoint's figures then show that ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ENDPOINTS = ("/", "/api/v1/analysis/coupling", "/api/v1/analysis/supply-demand", "/api/v1/institutions?page_size=50")
PASSWORD = "river lamp pencil seven"  # the password policy refuses one containing the username


@dataclass
class Result:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------------------ servers
def serve(kind: str, port: int, folder: Path) -> None:
    """Run one server in this process (the script re-invokes itself with --serve)."""
    import uvicorn
    from fastapi import FastAPI

    if kind == "bare":
        app = FastAPI()

        @app.get("/bare")
        def bare() -> dict[str, bool]:
            return {"ok": True}
    else:
        from silian.settings import Settings
        from silian.storage.database import Database
        from silian.web.app import create_app
        # every simulated user comes from 127.0.0.1: the per-address request limits (web/rate_limits.py) would
        # turn the crowd into 429s, so they are off here (as in load.py) — this measures the platform
        settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", data_dir=folder, secret_key="bench",
                            rate_limit_login="0", rate_limit_anonymous="0", rate_limit_signed_in="0")
        app = create_app(settings, database=Database(settings.resolved_database_url()))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(folder: Path) -> str:
    """The demo region in ``folder/hub.db`` and a city admin; returns the admin's bearer token."""
    from silian.services.account_access import create_token
    from silian.services.accounts import create_user, load_principal
    from silian.services.demo_region import load_demo
    from silian.settings import Settings
    from silian.storage.database import Database
    settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", data_dir=folder, secret_key="bench")
    db = Database(settings.resolved_database_url())
    load_demo(db, seed=2024)
    principal = load_principal(db, create_user(db, username="bench", password=PASSWORD, role="city_admin"))
    assert principal is not None
    token = create_token(db, settings, principal, "benchmark").token
    db.dispose()
    return token


def start(kind: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port), "--folder", str(folder)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            httpx.get(url + "/docs" if kind == "bare" else url + "/api/v1/openapi.json", timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the {kind} server did not start")


# ------------------------------------------------------------------------------------------------ load
class Connection:
    """One user's keep-alive HTTP/1.1 connection (asyncio streams: the client costs far less than the server, so the
    figures are the server's; httpx's shared pool caps near 150 requests/s on a 2-CPU machine)."""

    def __init__(self, url: str, headers: dict[str, str]):
        self.host, port = url.split("//")[1].split(":")
        self.port = int(port)
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n".encode())
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}
        if fields.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            await reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection") == "close":
            await self.close()
        return int(head[0].split()[1])

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def load(url: str, path: str, headers: dict[str, str], users: int, seconds: float, client: str = "asyncio",
               think: float = 0.0) -> Result:
    """``users`` clients, each with its own connection, sending the next request as soon as the last is answered
    (or, with ``think``, after pausing about that many seconds, as people reading a page do)."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def user() -> None:
        nonlocal errors
        connection = Connection(url, headers) if client == "asyncio" else None
        session = httpx.AsyncClient(base_url=url, headers=headers, timeout=30) if client == "httpx" else None
        await asyncio.sleep(random.random() * think)  # people arrive over time, not all in the same millisecond
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status = await connection.get(path) if connection else (await session.get(path)).status_code  # type: ignore[union-attr]
                errors += status >= 400
            except (OSError, ValueError, asyncio.IncompleteReadError, httpx.HTTPError):
                errors += 1
                if connection:
                    await connection.close()
            latencies.append(time.perf_counter() - started)
            if think:
                await asyncio.sleep(think * (0.5 + random.random()))  # spread, so users do not march in step
        if connection:
            await connection.close()
        if session:
            await session.aclose()

    began = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return Result(path, len(latencies), errors, round(elapsed, 2), round(len(latencies) / elapsed, 1),
                  round(cuts[49] * 1000, 1), round(cuts[94] * 1000, 1), round(cuts[98] * 1000, 1))


async def warm_up(url: str, path: str, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        statuses = [(await client.get(path)).status_code for _ in range(3)]
    return statuses[-1]


def run(users: int, seconds: float, client: str, think: float) -> tuple[list[Result], list[str]]:
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="silian-bench-") as tmp:
        folder = Path(tmp)
        token = prepare(folder)
        auth = {"Authorization": f"Bearer {token}"}
        platform, platform_url = start("platform", folder)
        bare, bare_url = start("bare", folder)
        try:
            results = []
            for path in ENDPOINTS:
                headers = auth if path.startswith("/api/v1/institutions") else {}  # the analyses are open
                status = asyncio.run(warm_up(platform_url, path, headers))
                if status == 404 and path == "/":
                    notes.append("the dashboard page / does not exist yet: skipped")
                    continue
                results.append(asyncio.run(load(platform_url, path, headers, users, seconds, client, think)))
            asyncio.run(warm_up(bare_url, "/bare", {}))
            results.append(asyncio.run(load(bare_url, "/bare", {}, users, seconds, client, think)))
        finally:
            for process in (platform, bare):
                process.terminate()
                process.wait(timeout=10)
    return results, notes


def report(results: list[Result], notes: list[str], users: int, client: str, think: float) -> None:
    bare = results[-1]
    print(f"{users} concurrent users ({client} client, think time {think:g} s), demo region (SQLite), "
          f"one uvicorn worker per server, {os.cpu_count()} CPUs")
    print(f"{'endpoint':40s} {'requests':>8s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'errors':>6s}"
          f" {'p95/bare':>9s} {'rps/bare':>9s}")
    for r in results:
        print(f"{r.endpoint:40s} {r.requests:8d} {r.rps:8.1f} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.p99_ms:8.1f} {r.errors:6d}"
              f" {r.p95_ms / bare.p95_ms:8.1f}x {r.rps / bare.rps:8.2f}x")
    for r in results[:-1]:
        verdict = "ok" if r.p95_ms < 100 and r.errors == 0 else "MISSED"
        print(f"target p95 < 100 ms and no errors: {r.endpoint}: {verdict}")
    for note in notes:
        print(f"note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=6.0, help="load per endpoint (five endpoints)")
    parser.add_argument("--client", choices=["asyncio", "httpx"], default="asyncio",
                        help="asyncio: raw keep-alive connections (default); httpx: one httpx.AsyncClient per user")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a user pauses between requests (default 0: each user sends the next request at "
                             "once, i.e. the server's saturation; 1 is closer to people using the pages)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--serve", choices=["platform", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder)
        return
    results, notes = run(args.users, args.seconds, args.client, args.think)
    if args.json:
        report = {"users": args.users, "client": args.client, "think": args.think,
                  "results": [asdict(r) for r in results], "notes": notes}
        print(json.dumps(report, indent=2))
    else:
        report(results, notes, args.users, args.client, args.think)


if __name__ == "__main__":
    main()
