"""The order modules are run in: the longest first, the rest as collected.

With two pytest-xdist workers (``--dist loadfile``, scripts/test.sh) each module runs whole on one worker, handed
out in this order; a long module handed out last would keep one worker busy while the other idles (mypy, 30 s,
sits in a two-test module that xdist's own order — most tests first — would hand out last). The CPU seconds are
what each module took on a loaded two-core machine (2026-12-03, measured with tests/support/cputime.py); a stale
figure costs only a less even split."""

from __future__ import annotations

import pytest

LONGEST = {
    "tests/web/test_openapi_fuzz.py": 72,
    "tests/web/test_permissions.py": 49,
    "tests/storage/test_postings_engines.py": 43,  # with the Spark session (10 s) it is the only one to start
    "tests/browser/test_dashboard.py": 41,  # with Chromium's processes
    "tests/unit/postings/test_confirmed_titles.py": 33,
    "tests/unit/test_lint.py": 30,  # mypy without a cache, as in a fresh clone
    "tests/web/test_dashboard_pages.py": 18,
    "tests/web/test_imports_api.py": 18,
    "tests/browser/test_planning.py": 17,
    "tests/storage/test_accounts.py": 14,
    "tests/web/test_posts_api.py": 12,
    "tests/storage/test_demo_load.py": 12,
    "tests/browser/test_platform.py": 11,
    "tests/web/test_planning_pages.py": 10,
    # added on main since the figures above were taken; their own figures, measured before the speedups:
    "tests/storage/test_durability.py": 40,  # writer processes killed mid-write (their CPU counted here)
    "tests/storage/test_backup.py": 18,
    "tests/web/test_load_benchmark.py": 15,  # a uvicorn server process and the load generator
}


def longest_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: modules in LONGEST by their cost, then every other module in collected order
    (a module's own tests keep their order)."""
    def cost(indexed: tuple[int, pytest.Item]) -> tuple[int, int]:
        index, item = indexed
        return -LONGEST.get(item.nodeid.split("::", 1)[0], 0), index

    items[:] = [item for _, item in sorted(enumerate(items), key=cost)]
