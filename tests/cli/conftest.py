"""The command line tests: the demo data folder made once per session by `silian demo --json` (in-process),
copied to each module that works on it."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import silian


@pytest.fixture(scope="session")
def cli_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A data folder after `silian demo --json` (the hub with the demo region and the demo accounts) and what the
    command printed. Never run commands in it: copy it (:func:`tests.support.cli.copy_demo_dir`)."""
    data = tmp_path_factory.mktemp("cli_demo") / "data"
    out = json.loads(silian("demo", "--json", data_dir=data).stdout)
    assert out["seed"] == 2024 and set(out["demo_users"]) == {"demo-admin", "demo-county", "demo-school", "demo-firm"}
    with closing(sqlite3.connect(data / "silian.db")) as conn:  # everything in the main file before it is copied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return data, out
