"""The demo region loaded into a fresh SQLite hub, read as a HubSnapshot (for module fixtures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from silian.services.demo_region import load_demo
from silian.services.hub import HubSnapshot, load_hub
from silian.storage.database import Database


def demo_snapshot(folder: Path) -> Iterator[HubSnapshot]:
    """Yield the snapshot of the demo region (seed 2024) stored in ``folder/hub.db``; dispose of it afterwards."""
    db = Database(f"sqlite:///{folder}/hub.db")
    db.upgrade()
    load_demo(db, seed=2024)
    yield load_hub(db)
    db.dispose()
