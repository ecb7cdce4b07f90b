"""The order modules are run in: the longest first, the rest as collected.

With two pytest-xdist workers (``--dist loadfile``, scripts/test.sh) each module runs whole on one worker, handed
out in this order; a long module handed out last would keep one worker busy while the other idles (mypy, 45 s,
sits in a two-test module that xdist's own order — most tests first — would hand out last). The CPU seconds are
what each module took on a loaded two-core machine (2026-12-03); a stale figure costs only a less even split."""

from __future__ import annotations

import pytest

LONGEST = {
    "tests/web/test_openapi_fuzz.py": 170,
    "tests/web/test_permissions.py": 95,
    "tests/unit/test_lint.py": 45,  # mypy without a cache, as in a fresh clone
    "tests/storage/test_postings_engines.py": 45,  # with the Spark JVM
    "tests/storage/test_durability.py": 40,  # writer processes killed mid-write (their CPU counted here)
    "tests/unit/postings/test_confirmed_titles.py": 33,
    "tests/web/test_imports_api.py": 30,
    "tests/web/test_dashboard_pages.py": 21,
    "tests/web/test_posts_api.py": 19,
    "tests/storage/test_backup.py": 18,
    "tests/web/test_load_benchmark.py": 15,  # a uvicorn server process and the load generator
    "tests/storage/test_accounts.py": 15,
    "tests/web/test_planning_pages.py": 14,
    "tests/storage/test_analysis.py": 13,
    "tests/storage/test_enrolment_plan_demo.py": 12,
    "tests/web/test_postings_review.py": 12,
    "tests/browser/test_dashboard.py": 12,
    "tests/browser/test_planning.py": 10,
}


def longest_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: modules in LONGEST by their cost, then every other module in collected order
    (a module's own tests keep their order)."""
    def cost(indexed: tuple[int, pytest.Item]) -> tuple[int, int]:
        index, item = indexed
        return -LONGEST.get(item.nodeid.split("::", 1)[0], 0), index

    items[:] = [item for _, item in sorted(enumerate(items), key=cost)]
