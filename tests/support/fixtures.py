"""Helpers for module fixtures that need the session's demo region on a given backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from silian.storage.database import Database
from tests.support.backends import demo_on


def demo_for(request: pytest.FixtureRequest, backend: str, folder: Path, name: str = "hub.db") -> Iterator[Database]:
    """Yield a writable copy of the demo region on ``backend`` (skips PostgreSQL when it is not configured)."""
    template = request.getfixturevalue("demo_template")
    postgres = request.getfixturevalue("postgres_demo") if backend == "postgresql" else None
    with demo_on(backend, folder, template, postgres, name) as db:
        yield db
