"""The load benchmark's short version (benchmarks/load.py): a few users for a few seconds against the platform
served by uvicorn on SQLite; every kind of request is answered without a server error and the result file holds
every figure the full runs report. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.demo import DemoTemplate

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_load_run_has_no_server_error_and_writes_every_figure(demo_template: DemoTemplate,
                                                                       tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", ""))
                                                       if p)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--users", "3", "--seconds", "5",
                           "--think", "0.2", "--max-requests", "60", "--backend", "sqlite",
                           "--hub", str(demo_template.path), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "server RSS" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"config", "machine", "seconds", "requests", "throughput_rps", "latency", "kinds", "errors",
            "server_errors", "statuses", "server_rss_mb"} <= set(result)
    assert result["server_errors"] == 0 and not [s for s in result["statuses"] if s.startswith("5")], result["statuses"]
    assert 0 < result["requests"] <= 60
    assert set(result["kinds"]) == {"page", "analysis", "post", "scenario", "import"}
    for row in result["kinds"].values():
        assert {"requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors"} <= set(row)
    assert not [s for s in result["statuses"] if s.startswith("transport")], result["statuses"]
    memory = result["server_rss_mb"]
    assert memory["max"] > 0 and memory["samples"] and {"start", "end"} <= set(memory)
