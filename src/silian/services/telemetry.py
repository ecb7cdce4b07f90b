"""Counters that services report and whoever watches the process (the web app's Prometheus metrics,
:mod:`silian.web.observability`) listens to — without the services knowing who listens.

The hook a service calls is one line::

    from silian.services import telemetry
    telemetry.count("import_rows", outcome.rows, table="demand")      # rows an import applied, by table
    telemetry.count("analysis_cache", result="hit")                   # or "miss": an analysis served or computed

Events in use: ``import_rows`` (label ``table``), ``analysis_cache`` (label ``result``: ``hit`` | ``miss``).
A listener is held weakly when it is a bound method (an app's metrics go with the app)."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

Listener = Callable[[str, float, dict[str, str]], None]

log = logging.getLogger("silian.telemetry")
_listeners: list[Callable[[], Listener | None]] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> None:
    """Call ``listener(event, amount, labels)`` for every count from now on (a bound method: while its object
    lives)."""
    method_self = getattr(listener, "__self__", None)
    ref: Callable[[], Listener | None]
    if method_self is not None:
        ref = weakref.WeakMethod(listener)  # type: ignore[arg-type]
    else:
        ref = lambda: listener  # a plain function is kept for the life of the process
    with _lock:
        _listeners.append(ref)


def count(event: str, amount: float = 1, **labels: str) -> None:
    """Report ``amount`` of ``event`` (with ``labels``) to every listener; a listener's failure never reaches the
    caller."""
    with _lock:
        alive = [(ref, ref()) for ref in _listeners]
        _listeners[:] = [ref for ref, listener in alive if listener is not None]
    for _, listener in alive:
        if listener is None:
            continue
        try:
            listener(event, amount, labels)
        except Exception:  # metrics must never break the work they count (the failure is logged)
            log.exception("telemetry listener failed on %s", event)
