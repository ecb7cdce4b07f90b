"""The hub database as the CLI and the web open it: one construction point over the settings."""

from __future__ import annotations

from silian.settings import Settings
from silian.storage.database import Database, is_unreachable

__all__ = ["Database", "is_unreachable", "open_database"]


def open_database(settings: Settings) -> Database:
    """The database of ``settings`` (``SILIAN_DATABASE_URL``, or SQLite in the data folder)."""
    return Database(settings.resolved_database_url(), busy_seconds=settings.database_busy_seconds)
