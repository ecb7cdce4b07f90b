"""Expensive, repeatable computations done once per test process and handed out again when the very same input
comes back — the real functions, called for real on the first sight of each input:

* :func:`memoise_plan_solver` — the enrolment-plan optimiser as the planning service calls it
  (``silian.services.planning.enrolment_plan``: ``POST /api/v1/plan``, the planning pages, `silian plan`, plan
  scenarios). The demo region's default plan is asked for by many modules; a HiGHS solve of it costs seconds.
  The key is the whole problem (every array and option, pickled and hashed) with the solver's options, so a
  different hub, region, option or scope gives a different problem and a solve of its own. The solver's own
  tests (tests/unit/test_enrolment_plan.py) call it directly and are not memoised.
* :func:`hub_loads_by_fingerprint` — ``load_hub`` keyed by the database and its hub fingerprint (the key the
  platform's own analysis cache trusts: every table's size and last id, the imports and the audited changes),
  for a module whose database changes only through the API (the OpenAPI fuzz: ~130 reads of an unchanged
  demo region, 0.2 s each).

Each hit is a copy (deep for results, shallow for the snapshot's table mapping), so a caller that changes what it
was given changes nothing for the next."""

from __future__ import annotations

import copy
import hashlib
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest


def _problem_key(problem: Any, options: dict[str, Any]) -> str:
    digest = hashlib.sha256(pickle.dumps((type(problem).__qualname__, sorted(vars(problem).items()))))
    digest.update(repr(sorted(options.items())).encode())
    return digest.hexdigest()


class _SolverModule(ModuleType):
    """``silian.analytics.enrolment_plan`` as the planning service sees it, with a memoised solver."""

    def __init__(self, real: ModuleType) -> None:
        super().__init__(real.__name__, real.__doc__)
        self._real = real
        self._solved: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def solve_enrolment_plan(self, problem: Any, **options: Any) -> Any:
        key = _problem_key(problem, options)
        with self._lock:
            hit = self._solved.get(key)
        if hit is None:
            hit = self._real.solve_enrolment_plan(problem, **options)
            with self._lock:
                self._solved[key] = hit
        return copy.deepcopy(hit)


def memoise_plan_solver() -> None:
    """Give the planning service a solver that solves each distinct problem once in this process."""
    from silian.services.planning import enrolment_plan as service

    if not isinstance(service.ep, _SolverModule):
        service.ep = _SolverModule(service.ep)  # type: ignore[assignment]


@contextmanager
def hub_loads_by_fingerprint() -> Iterator[dict[str, int]]:
    """While open, ``load_hub(db)`` reads the hub again only when ``(db.url, fingerprint)`` is new; yields the
    counts of ``reads`` and ``hits``."""
    from silian.services import hub as hub_service
    from silian.services.analysis_cache import hub_fingerprint
    from silian.services.hub import HubSnapshot

    real: Callable[..., HubSnapshot] = hub_service.load_hub
    loaded: dict[tuple[str, tuple[int, ...]], HubSnapshot] = {}
    counts = {"reads": 0, "hits": 0}
    lock = threading.Lock()

    def load_hub(db: Any) -> HubSnapshot:
        key = (str(db.url), hub_fingerprint(db))
        with lock:
            snapshot = loaded.get(key)
        if snapshot is None:
            snapshot = real(db)
            with lock:
                loaded[key] = snapshot
                counts["reads"] += 1
        else:
            counts["hits"] += 1
        return HubSnapshot(dict(snapshot.tables), dict(snapshot.generated), snapshot.database)

    with pytest.MonkeyPatch.context() as patch:
        for module in list(sys.modules.values()):
            if isinstance(module, ModuleType) and module.__name__.startswith("silian") \
                    and getattr(module, "load_hub", None) is real:
                patch.setattr(module, "load_hub", load_hub)
        yield counts
