"""Analyses cached per (region, year) and invalidated when the hub changes (any table's size or last id, or a
new import or audited change), so dashboards and the API answer fast without serving stale numbers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from silian.services import telemetry
from silian.services.analysis import AnalysisBundle, run_analysis
from silian.settings import Settings
from silian.storage import hub as hub_store
from silian.storage.database import Database


def hub_fingerprint(db: Database) -> tuple[int, ...]:
    """Cheap summary that changes whenever the hub's data change (one query)."""
    with db.engine.connect() as conn:
        return hub_store.hub_fingerprint(conn)


class AnalysisCache:
    """At most ``size`` bundles; a bundle is reused while the hub's fingerprint is unchanged. The fingerprint is
    read at most once per ``check_seconds`` (so a change shows within that time; tests pass 0)."""

    def __init__(self, db: Database, settings: Settings, size: int = 8, check_seconds: float = 1.0):
        self.db, self.settings, self.size, self.check_seconds = db, settings, size, check_seconds
        self._bundles: OrderedDict[tuple[str, int, str], tuple[tuple[int, ...], AnalysisBundle]] = OrderedDict()
        self._lock = threading.Lock()
        self._fingerprint: tuple[float, tuple[int, ...]] = (0.0, ())

    def fingerprint(self) -> tuple[int, ...]:
        checked, value = self._fingerprint
        now = time.monotonic()
        if not value or now - checked >= self.check_seconds:
            value = hub_fingerprint(self.db)
            self._fingerprint = (now, value)
        return value

    def invalidate(self) -> None:
        """Forget the last fingerprint (the next request re-reads it): call after a write in this process."""
        self._fingerprint = (0.0, ())

    def get(self, region: str | None = None, year: int | None = None, lang: str = "zh") -> AnalysisBundle:
        key = (region or "", year or 0, lang)
        fingerprint = self.fingerprint()
        with self._lock:
            hit = self._bundles.get(key)
            if hit and hit[0] == fingerprint:
                self._bundles.move_to_end(key)
                telemetry.count("analysis_cache", result="hit")
                return hit[1]
            telemetry.count("analysis_cache", result="miss")
            bundle = run_analysis(self.db, settings=self.settings, region=region, year=year)
            self._bundles[key] = (fingerprint, bundle)
            while len(self._bundles) > self.size:
                self._bundles.popitem(last=False)
            return bundle
