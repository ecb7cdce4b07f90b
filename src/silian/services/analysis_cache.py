"""Analyses cached per (region, year, language) and thrown away when the hub's data change, so dashboards and the
API answer fast without serving stale numbers.

* The hub's fingerprint (:func:`silian.storage.hub.hub_fingerprint`: each table's size and last id, the imports,
  the audited changes) is read at most once per ``check_seconds`` by one request at a time; the others go on with
  the last value meanwhile. After a write in this process (:meth:`AnalysisCache.invalidate`) every request waits
  for a fresh read instead, so a user sees their own change at once.
* Each analysis is computed once per hub change, by the first request that needs it; others asking for the same
  one wait for it, and every other request goes on: no lock is held while anything is computed, so a cached
  answer never waits behind a computation.
* A request for a region or a year the hub does not have is refused before anything is computed
  (:mod:`.analysis_keys`), and the region's name, its code and "no region" are one key. So the cache holds at most
  one analysis per (region, year) pair the hub has and language, and asking for many cannot push others out.
* The hub is read once per change and shared by the analyses of every region, year and language.
* Every bundle asked for is reported to :mod:`silian.services.telemetry` as ``analysis_cache`` ``hit`` (served
  from the cache or awaited from another request's computation) or ``miss`` (computed by this request).

The bundle depends on the language: its findings, notes and some frames are worded when it is computed
(services/diagnoses.py, supply_demand.py, the coupling's lag labels), so zh and en are two analyses of one shared
hub read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from silian.domain.errors import InvalidInput, SilianError
from silian.domain.messages import current_lang, t
from silian.services import telemetry
from silian.services.analysis import AnalysisBundle, run_analysis
from silian.services.analysis_keys import AnalysisKeys, read_analysis_keys
from silian.services.hub import HubSnapshot, load_hub
from silian.settings import Settings
from silian.storage import hub as hub_store
from silian.storage.database import Database

LANGUAGES = ("zh", "en")
DERIVED_PER_BUNDLE = 512  # values kept beside one bundle (:meth:`AnalysisCache.remember`); oldest dropped first
Fingerprint = tuple[tuple[str, int, int], ...]
Value = TypeVar("Value")


def hub_fingerprint(db: Database) -> Fingerprint:
    """Cheap summary that changes whenever the hub's data change (one query)."""
    with db.engine.connect() as conn:
        return hub_store.hub_fingerprint(conn)


@dataclass
class _Slot:
    """One cached value of one generation of the hub: computed once; those who ask meanwhile wait on ``done``."""

    generation: int
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    derived: dict[Hashable, Any] = field(default_factory=dict)


Analyse = Callable[..., AnalysisBundle]


class AnalysisCache:
    """The analyses of one hub database (one per web app). ``check_seconds``: how long a fingerprint read is
    trusted (tests pass 0); ``analyse``: the analysis to run (:func:`run_analysis`; tests wrap it)."""

    def __init__(self, db: Database, settings: Settings, check_seconds: float = 1.0, analyse: Analyse = run_analysis):
        self.db, self.settings, self.check_seconds, self._analyse = db, settings, check_seconds, analyse
        self._lock = threading.Lock()  # guards the dictionaries and the fingerprint's state; never held while computing
        self._read_done = threading.Condition(self._lock)
        self._slots: dict[Hashable, _Slot] = {}
        self._by_bundle: dict[int, _Slot] = {}
        self._value: Fingerprint | None = None
        self._checked: float | None = None  # when the value was read; None: read it again before answering
        self._reading = False
        self._invalidations = 0
        self._generation = 0

    # ---------------------------------------------------------------- the hub's fingerprint
    def generation(self) -> int:
        """A number that changes when (and only when) the hub's fingerprint does."""
        with self._lock:
            while True:
                if self._checked is not None and (self._reading or time.monotonic() - self._checked < self.check_seconds):
                    return self._generation  # fresh, or being re-read by another request: go on with the last value
                if not self._reading:
                    self._reading, started = True, self._invalidations
                    break
                self._read_done.wait()  # invalidated (or never read): wait for the read in progress
        try:
            value = hub_fingerprint(self.db)
        except BaseException:
            with self._lock:
                self._reading = False
                self._read_done.notify_all()
            raise
        with self._lock:
            self._reading = False
            self._read_done.notify_all()
            if value != self._value:
                self._value, self._generation = value, self._generation + 1
            if started == self._invalidations:  # a write that came during the read may not be in it
                self._checked = time.monotonic()
            return self._generation

    def invalidate(self) -> None:
        """Read the fingerprint again before the next answer: call after a write in this process."""
        with self._lock:
            self._checked = None
            self._invalidations += 1

    # ---------------------------------------------------------------- analyses
    def keys(self) -> AnalysisKeys:
        """The regions and years the hub can analyse (read once per hub change)."""
        return self._settled(("keys",), self.generation(), lambda: read_analysis_keys(self.db)).value  # type: ignore[no-any-return]

    def per_change(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """``make()`` (a small read of the hub: the region list, a user's default region), made once per hub change
        and ``key`` by the first request that needs it (others wait for it) and dropped when the hub changes."""
        return self._settled(("per_change", key), self.generation(), make).value  # type: ignore[no-any-return]

    def resolve(self, region: str | None = None, year: int | None = None) -> tuple[str, int]:
        """The ``(region code, year)`` a request means; InvalidInput for a region or year the hub does not have."""
        return self.keys().resolve(region, year)

    def get(self, region: str | None = None, year: int | None = None, lang: str | None = None) -> AnalysisBundle:
        """The analysis of ``region`` (default: the main city) and ``year`` (default: its latest) in ``lang``
        (default: the request's), computed at most once per hub change."""
        generation = self.generation()
        code, year = self._settled(("keys",), generation, lambda: read_analysis_keys(self.db)).value.resolve(region, year)
        lang = lang if lang in LANGUAGES else current_lang.get()
        key = ("bundle", code, year, lang)
        computed: list[bool] = []

        def compute() -> AnalysisBundle:
            computed.append(True)
            return self._compute(generation, code, year, lang)
        slot = self._settled(key, generation, compute)
        telemetry.count("analysis_cache", result="miss" if computed else "hit")
        with self._lock:
            if self._slots.get(key) is slot:
                self._by_bundle[id(slot.value)] = slot
        return slot.value  # type: ignore[no-any-return]

    def remember(self, bundle: AnalysisBundle, key: Hashable, make: Callable[[], Value]) -> Value:
        """A value derived from ``bundle`` (figures read for it, a rendered page): made once and kept as long as the
        bundle is (:meth:`keep`). Not single-flight: two requests that miss at once both make it."""
        value = self.recall(bundle, key)
        if value is None:
            value = make()
            self.keep(bundle, key, value)
        return value  # type: ignore[no-any-return]

    def recall(self, bundle: AnalysisBundle, key: Hashable) -> Any:
        """The value kept beside ``bundle`` under ``key`` (None: none)."""
        with self._lock:
            slot = self._by_bundle.get(id(bundle))
            return slot.derived.get(key) if slot is not None and slot.value is bundle else None

    def keep(self, bundle: AnalysisBundle, key: Hashable, value: Any) -> None:
        """Keep ``value`` beside ``bundle`` (dropped with it when the hub changes); at most
        :data:`DERIVED_PER_BUNDLE` values per bundle, the oldest dropped first. Nothing is kept for a bundle that
        is no longer cached."""
        with self._lock:
            slot = self._by_bundle.get(id(bundle))
            if slot is None or slot.value is not bundle:
                return
            slot.derived[key] = value
            while len(slot.derived) > DERIVED_PER_BUNDLE:
                del slot.derived[next(iter(slot.derived))]

    def _compute(self, generation: int, code: str, year: int, lang: str) -> AnalysisBundle:
        hub = self._settled(("hub",), generation, self._load_hub).value
        token = current_lang.set(lang)
        try:
            return self._analyse(hub=hub, settings=self.settings, region=code, year=year)
        finally:
            current_lang.reset(token)

    def _load_hub(self) -> HubSnapshot:
        if not self.db.is_current():
            raise InvalidInput(t("db_not_migrated"))
        return load_hub(self.db)

    # ---------------------------------------------------------------- once per key and hub change
    def _settled(self, key: Hashable, generation: int, make: Callable[[], Any]) -> _Slot:
        """The slot of ``key`` for this generation of the hub (or a newer one), its value made here if nobody has,
        else awaited or taken. Errors a user may see (no data, unknown region) are kept like values; any other
        error is raised to those waiting too, but not kept: the next request tries again."""
        with self._lock:
            slot = self._slots.get(key)
            mine = slot is None or slot.generation < generation
            if mine:
                slot = self._slots[key] = _Slot(generation)
                self._forget_older(generation)
        assert slot is not None
        if mine:
            try:
                slot.value = make()
            except SilianError as exc:
                slot.error = exc
            except BaseException as exc:  # noqa: BLE001  (handed to those waiting, raised below, not kept)
                slot.error = exc
                with self._lock:
                    if self._slots.get(key) is slot:
                        del self._slots[key]
            finally:
                slot.done.set()
        else:
            slot.done.wait()
        if slot.error is not None:
            raise slot.error
        return slot

    def _forget_older(self, generation: int) -> None:
        """Drop every value of an older hub (the lock is held)."""
        for key in [k for k, s in self._slots.items() if s.generation < generation]:
            del self._slots[key]
        for ident in [i for i, s in self._by_bundle.items() if s.generation < generation]:
            del self._by_bundle[ident]
