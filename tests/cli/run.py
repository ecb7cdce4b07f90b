"""Run the `silian` command line as a script would: a real process with its own data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def silian(*args: str, data_dir: Path, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """``python -m silian.cli ARGS`` with ``SILIAN_DATA_DIR=data_dir`` (and no database or language override)."""
    env = {**os.environ, "SILIAN_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("SILIAN_DATABASE_URL", None)
    env.pop("SILIAN_LANG", None)
    result = subprocess.run([sys.executable, "-m", "silian.cli", *args], capture_output=True, text=True, env=env,
                            timeout=timeout, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result
