"""The one typed context every command reads: settings, the database, the consoles and JSON output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from silian.services.hub_database import Database
    from silian.settings import Settings


@dataclass
class CliContext:
    """What a command needs, built once by the root callback from the settings and the global options."""

    settings: Settings
    console: Console = field(default_factory=Console)
    err_console: Console = field(default_factory=lambda: Console(stderr=True))

    def database(self) -> Database:
        """The hub database of ``--db`` / ``SILIAN_DATABASE_URL`` (SQLite in the data folder by default)."""
        from silian.services.hub_database import open_database

        return open_database(self.settings)

    def print_json(self, data: object) -> None:
        """``data`` as indented UTF-8 JSON on standard output (the ``--json`` output of every command)."""
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


_current: list[CliContext] = []


def set_context(context: CliContext) -> None:
    """Make ``context`` the one the commands of this invocation read."""
    _current[:] = [context]


def context() -> CliContext:
    """The context of the running invocation (set by the root callback before any command runs)."""
    if not _current:
        from silian.settings import Settings

        set_context(CliContext(settings=Settings()))
    return _current[0]


def current_settings() -> Settings | None:
    """The settings of the running invocation, or None before the root callback has run."""
    return _current[0].settings if _current else None
