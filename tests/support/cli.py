"""Run the `silian` command line as a script would, in two ways with one result shape:

* :func:`silian` — in this process (``silian.cli.main`` with ``sys.argv``, the environment, stdout and stderr
  swapped for the call): the same exit codes and the same text on stdout and stderr, without starting an
  interpreter and re-importing the platform for every command;
* :func:`silian_process` — a real ``python -m silian.cli`` process, for the few smoke tests that check the
  command works as a program (entry point, exit status of the interpreter, nothing left in this process).

Both give the command its own data folder (``SILIAN_DATA_DIR``), a wide terminal (``COLUMNS=200``) and no
database or language override from the caller's environment."""

from __future__ import annotations

import contextvars
import io
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REMOVED = ("SILIAN_DATABASE_URL", "SILIAN_LANG")


@dataclass(frozen=True)
class CliResult:
    """What a finished command gave: its exit code and everything it wrote (like ``subprocess.CompletedProcess``)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    in_process: bool = field(default=True, compare=False)


def command_env(data_dir: Path) -> dict[str, str]:
    """The variables a command is run with on top of (or instead of) the caller's."""
    return {"SILIAN_DATA_DIR": str(data_dir), "COLUMNS": "200"}


@contextmanager
def _environment(values: Mapping[str, str], removed: tuple[str, ...]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in (*values, *removed)}
    try:
        os.environ.update(values)
        for key in removed:
            os.environ.pop(key, None)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"): the interpreter prints it and exits with 1
    return 1


def _call_main(args: list[str]) -> int:
    from silian.cli import main

    saved_argv = sys.argv
    sys.argv = ["silian", *args]
    try:
        main()
    except SystemExit as exc:
        return _exit_code(exc.code)
    except Exception:  # noqa: BLE001 - an uncaught error: what the interpreter would print, and exit code 1
        traceback.print_exc()
        return 1
    finally:
        sys.argv = saved_argv
    return 0


def silian(*args: str, data_dir: Path, check: bool = True, timeout: int = 600,
           env: Mapping[str, str] | None = None) -> CliResult:
    """``silian ARGS`` in this process with ``SILIAN_DATA_DIR=data_dir``; with ``check``, exit code 0 is asserted.

    The command runs in a copy of the current context (so ``--lang`` does not stay set for the test) with the
    environment restored afterwards; ``env`` adds variables (``SILIAN_LANG`` among them). ``timeout`` is accepted for
    the signature of :func:`silian_process`."""
    del timeout
    out, err = io.StringIO(), io.StringIO()
    values = {**command_env(data_dir), **(env or {})}
    removed = tuple(key for key in REMOVED if key not in values)
    with _environment(values, removed), redirect_stdout(out), redirect_stderr(err):
        code = contextvars.copy_context().run(_call_main, list(args))
    result = CliResult(list(args), code, out.getvalue(), err.getvalue())
    if check:
        assert result.returncode == 0, result.stderr
    return result


def silian_process(*args: str, data_dir: Path, check: bool = True, timeout: int = 600) -> CliResult:
    """``python -m silian.cli ARGS`` as a real process with ``SILIAN_DATA_DIR=data_dir``."""
    env = {**os.environ, **command_env(data_dir)}
    for key in REMOVED:
        env.pop(key, None)
    done = subprocess.run([sys.executable, "-m", "silian.cli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)
    result = CliResult(list(args), done.returncode, done.stdout, done.stderr, in_process=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def copy_demo_dir(cli_demo: tuple[Path, dict[str, Any]], target: Path) -> Path:
    """A copy at ``target`` of the data folder the ``cli_demo`` fixture made (``tests/cli/conftest.py``)."""
    shutil.copytree(cli_demo[0], target)
    return target
