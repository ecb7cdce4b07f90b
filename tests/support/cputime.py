"""A pytest plugin that measures the CPU seconds each test module costs, to refresh tests/support/schedule.py and
to see where the suite's time goes. Not loaded by default:

    python -m pytest -p tests.support.cputime tests/web/test_posts_api.py

CPU is counted for this process and every process it started (the mypy and Chromium children, the Spark JVM;
live ones are read from /proc), but not for the PostgreSQL server. What a session-scoped fixture costs to set up
(the demo region, the migrated hubs, the Spark session, the classifier, the browser) is counted apart, since a
pytest-xdist worker pays it once for all the modules it runs. ``SILIAN_CPU_REPORT=FILE`` appends one JSON line
per module and per session fixture to FILE (each xdist worker appends its own lines)."""

from __future__ import annotations

import json
import os
import resource
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

_TICKS = os.sysconf("SC_CLK_TCK")


def _descendants_cpu(root: int) -> float:
    """CPU seconds of the live processes below ``root`` (with their own reaped children)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid ... utime(11) stime cutime cstime
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(value) for value in fields[11:15]) / _TICKS
    total = 0.0
    for pid, cpu in times.items():
        ancestor = parents.get(pid, 0)
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += cpu
    return total


_HIGHEST = [0.0]


def tree_cpu() -> float:
    """CPU seconds used so far by this process, its reaped children and its live descendants.

    Never less than an earlier reading: a grandchild that exits without being reaped into its parent's count (a
    Chromium renderer, say) takes its CPU out of the sum, and what it took is then missing from later readings
    (the browser modules are undercounted by it, never counted below zero)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    _HIGHEST[0] = max(_HIGHEST[0], own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
                      + _descendants_cpu(os.getpid()))
    return _HIGHEST[0]


def _process_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


class CpuTimes:
    def __init__(self) -> None:
        self.module = ""
        self.module_start = 0.0
        self.modules: dict[str, float] = defaultdict(float)
        self.tests: dict[str, int] = defaultdict(int)
        self.fixtures: dict[str, float] = defaultdict(float)
        self.fixtures_in_module = 0.0
        self.per_test: dict[str, float] = {}
        self.started = tree_cpu()

    def _close_module(self) -> None:
        if self.module:
            self.modules[self.module] += tree_cpu() - self.module_start - self.fixtures_in_module
        self.module = ""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, None]:
        module = item.nodeid.split("::", 1)[0]
        if module != self.module:
            self._close_module()
            self.module, self.module_start, self.fixtures_in_module = module, tree_cpu(), 0.0
        self.tests[module] += 1
        start = _process_cpu()
        yield
        self.per_test[item.nodeid] = _process_cpu() - start

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, None]:
        if fixturedef.scope != "session":
            yield
            return
        start = tree_cpu()
        yield
        spent = tree_cpu() - start
        self.fixtures[fixturedef.argname] += spent
        self.fixtures_in_module += spent

    def pytest_sessionfinish(self) -> None:
        self._close_module()
        report = os.environ.get("SILIAN_CPU_REPORT")
        if report:
            lines = [{"module": module, "cpu": round(cpu, 2), "tests": self.tests[module]}
                     for module, cpu in self.modules.items()]
            lines += [{"fixture": name, "cpu": round(cpu, 2)} for name, cpu in self.fixtures.items()]
            with open(report, "a", encoding="utf-8") as out:
                out.writelines(json.dumps(line) + "\n" for line in lines)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        write = terminalreporter.write_line
        terminalreporter.section("CPU seconds (tests/support/cputime.py)")
        for module, cpu in sorted(self.modules.items(), key=lambda pair: -pair[1]):
            write(f"{cpu:8.1f}  {self.tests[module]:5d}  {module}")
        for name, cpu in sorted(self.fixtures.items(), key=lambda pair: -pair[1]):
            write(f"{cpu:8.1f}         session fixture {name}")
        write(f"{tree_cpu() - self.started:8.1f}         in all since the plugin started (collection included)")
        slowest = sorted(self.per_test.items(), key=lambda pair: -pair[1])[:int(os.environ.get("SILIAN_CPU_TESTS", "15"))]
        for nodeid, cpu in slowest:
            write(f"{cpu:8.2f}  test  {nodeid}")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(CpuTimes(), "silian-cputime")
