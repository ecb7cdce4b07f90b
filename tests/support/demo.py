"""The demo region (seed 2024) built once per test session in a SQLite file and copied, file by file, to every
module or test that needs a database of its own — instead of generating and loading it again each time.

The template is migrated to the latest revision, loaded with :func:`silian.services.demo_region.load_demo` and then made
a single self-contained file (WAL checkpointed, rollback journal), so a plain file copy is a complete database."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from silian.services.demo_region import DemoSummary, load_demo
from silian.services.hub import HubSnapshot, load_hub
from silian.storage.database import Database

SEED = 2024


@dataclass(frozen=True)
class DemoTemplate:
    """The demo region's SQLite file (never opened for writing after it is built), the summary and the progress
    messages :func:`load_demo` gave while building it."""

    path: Path
    summary: DemoSummary
    messages: tuple[str, ...]

    def copy_to(self, target: Path) -> Path:
        """A copy of the template at ``target`` (its folder is created); returns ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, target)
        return target

    def database(self, target: Path) -> Database:
        """A writable demo hub: a copy at ``target``, opened (migrated already: no upgrade needed)."""
        return Database(f"sqlite:///{self.copy_to(target)}")


def build_demo_template(folder: Path) -> DemoTemplate:
    """Migrate a fresh SQLite hub in ``folder`` and load the demo region into it (the one load of the session)."""
    path = folder / "demo-template.db"
    db = Database(f"sqlite:///{path}")
    messages: list[str] = []
    try:
        db.upgrade()
        summary = load_demo(db, seed=SEED, progress=messages.append)
    finally:
        db.dispose()
    with closing(sqlite3.connect(path)) as conn:  # one file: no -wal or -shm beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return DemoTemplate(path, summary, tuple(messages))


@contextmanager
def demo_database(template: DemoTemplate, folder: Path, name: str = "hub.db") -> Iterator[Database]:
    """A copy of the demo hub at ``folder/name``, disposed of afterwards."""
    db = template.database(folder / name)
    try:
        yield db
    finally:
        db.dispose()


def demo_snapshot(template: DemoTemplate, folder: Path) -> Iterator[HubSnapshot]:
    """Yield the snapshot of the demo region read from a copy in ``folder/hub.db``; dispose of it afterwards."""
    with demo_database(template, folder) as db:
        yield load_hub(db)
