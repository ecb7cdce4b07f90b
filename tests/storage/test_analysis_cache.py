"""The analysis cache with threads, over the demo region: a computation in progress holds up nobody but those
waiting for the same analysis; each analysis is computed once per hub change; the region's name, its code and "no
region" are one key; a region or year the hub does not have is refused before anything is computed; asking for
many analyses pushes none out; a change to the hub is seen at once after a write in this process."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from silian.domain.errors import InvalidInput, NotFound
from silian.services.analysis import AnalysisBundle, run_analysis
from silian.services.analysis_cache import AnalysisCache
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.schema import hub_tables
from tests.support.fixtures import demo_for

WAIT = 120  # seconds a test thread may take at most before the test calls it stuck (not a timing assertion)


class Gated:
    """``run_analysis``, counted per (region, year, language); the analyses of ``gated`` years wait for ``open``."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[Any, ...]] = Counter()
        self.started, self.open = threading.Event(), threading.Event()
        self.gated: set[int] = set()
        self.lock = threading.Lock()

    def __call__(self, **kwargs: Any) -> AnalysisBundle:
        from silian.domain.messages import current_lang
        with self.lock:
            self.calls[(kwargs["region"], kwargs["year"], current_lang.get())] += 1
        if kwargs["year"] in self.gated:
            self.started.set()
            assert self.open.wait(WAIT)
        return run_analysis(**kwargs)


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_for(request, "sqlite", tmp_path_factory.mktemp("cache"))


@pytest.fixture
def cache(demo: Database) -> tuple[AnalysisCache, Gated]:
    gated = Gated()
    return AnalysisCache(demo, Settings(), check_seconds=3600, analyse=gated), gated


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001  (handed to the test)
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_slow_analysis_holds_up_neither_a_cached_one_nor_another_key(cache: tuple[AnalysisCache, Gated]) -> None:
    analyses, gated = cache
    years = analyses.keys().years[analyses.keys().default_region]  # type: ignore[index]
    slow, cached, other = years[-1], years[-2], years[-3]
    kept = analyses.get(None, cached, "zh")
    gated.gated.add(slow)
    computing, _ = _in_thread(lambda: analyses.get(None, slow, "zh"))
    assert gated.started.wait(WAIT)
    try:
        reader, got = _in_thread(lambda: analyses.get(None, cached, "zh"))
        reader.join(WAIT)
        assert not reader.is_alive() and got == [kept]  # answered while the slow analysis is still running
        third, computed = _in_thread(lambda: analyses.get(None, other, "zh"))
        third.join(WAIT)
        assert not third.is_alive() and isinstance(computed[0], AnalysisBundle) and computed[0].year == other
        assert computing.is_alive()  # all of that happened while the slow one waited
    finally:
        gated.open.set()
    computing.join(WAIT)


def test_one_computation_per_key_and_hub_change_with_everyone_waiting_for_it(cache: tuple[AnalysisCache, Gated]) -> None:
    analyses, gated = cache
    code, year = analyses.resolve(None, None)
    gated.gated.add(year)
    threads = [_in_thread(lambda: analyses.get(None, None, "zh")), _in_thread(lambda: analyses.get(code, year, "zh")),
               _in_thread(lambda: analyses.get("郑州", None, "zh")), _in_thread(lambda: analyses.get("郑州市", year, "zh"))]
    assert gated.started.wait(WAIT)
    gated.open.set()
    for thread, _ in threads:
        thread.join(WAIT)
    bundles = [out[0] for _, out in threads]
    assert all(b is bundles[0] for b in bundles) and bundles[0].region_code == code and bundles[0].year == year
    assert gated.calls == Counter({(code, year, "zh"): 1})


def test_unknown_regions_and_years_are_refused_before_computing(cache: tuple[AnalysisCache, Gated]) -> None:
    analyses, gated = cache
    for region, year, refusal in (("no-such-place", None, NotFound), (None, 1990, InvalidInput), ("郑州", 2099, InvalidInput)):
        with pytest.raises(refusal):
            analyses.get(region, year, "zh")
    assert not gated.calls


def test_cycling_years_and_languages_evicts_nothing(cache: tuple[AnalysisCache, Gated]) -> None:
    analyses, gated = cache
    years = analyses.keys().years[analyses.keys().default_region][-3:]  # type: ignore[index]
    first = {(year, lang): analyses.get(None, year, lang) for year in years for lang in ("zh", "en")}
    for _ in range(4):  # an anonymous client cycling the parameters, many times more keys than the old 8 entries
        for (year, lang), bundle in first.items():
            assert analyses.get(None, year, lang) is bundle
    assert sum(gated.calls.values()) == len(first) == 6  # each computed once
    assert first[(years[0], "en")].notes != first[(years[0], "zh")].notes  # the bundle is worded in its language


def test_a_change_to_the_hub_is_seen_at_once_after_a_write_here(demo: Database, cache: tuple[AnalysisCache, Gated]) -> None:
    analyses, gated = cache
    before = analyses.get(None, None, "zh")
    assert analyses.get(None, None, "zh") is before  # trusted for an hour (check_seconds): no re-read
    with demo.begin() as conn:
        conn.execute(hub_tables["regions"].insert().values(code="419998", name="新设区", level="县", parent_code="410100"))
    analyses.invalidate()
    after = analyses.get(None, None, "zh")
    assert after is not before and sum(gated.calls.values()) == 2
    analyses.invalidate()  # a write that changed nothing in the hub (a login, say) throws nothing away
    assert analyses.get(None, None, "zh") is after
    with demo.begin() as conn:
        conn.execute(hub_tables["regions"].delete().where(hub_tables["regions"].c.code == "419998"))
