"""A real write transaction held open on another connection, as a long import holds SQLite's one write lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from silian.storage.database import Database
from silian.storage.schema import hub_tables


@contextmanager
def write_lock_held(url: str, code: str = "419999") -> Iterator[threading.Event]:
    """Inside: another connection has written a region (``code``) and not yet committed. Set the yielded event to
    commit early; on leaving, it commits anyway."""
    held, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        holder = Database(url)
        try:
            with holder.begin() as conn:
                conn.execute(hub_tables["regions"].insert().values(code=code, name="导入中的县", level="县"))
                held.set()
                release.wait(60)
        except BaseException as exc:  # noqa: BLE001  (reported in the test's thread)
            failure.append(exc)
            held.set()
        finally:
            holder.dispose()

    thread = threading.Thread(target=hold, name="write-lock-holder")
    thread.start()
    held.wait(30)
    try:
        assert not failure, failure
        yield release
    finally:
        release.set()
        thread.join(60)
    assert not failure, failure
