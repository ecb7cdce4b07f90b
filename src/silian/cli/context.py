"""The one typed context every command reads: settings, the database, the consoles and JSON output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console

from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from rich.status import Status

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

    def busy(self, task: str) -> Status:
        """A spinner on standard error while a long step runs (``task``: a key of :data:`BUSY`), in the user's language."""
        return self.err_console.status(t(f"cli_busy_{task}"), spinner="dots")

    def print_json(self, data: object) -> None:
        """``data`` as indented UTF-8 JSON on standard output (the ``--json`` output of every command)."""
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


BUSY = {
    "analysing": ("分析中…", "Analysing…"),
    "rendering": ("生成报告中…", "Rendering the report…"),
    "matching": ("匹配中…", "Matching…"),
    "cross_validating": ("交叉验证中…", "Cross-validating…"),
    "postings": ("处理招聘数据中…", "Processing the job postings…"),
    "computing": ("计算中…", "Computing…"),
    "solving": ("求解中…", "Solving…"),
    "importing": ("校验并写入中…", "Validating and writing…"),
    "demo": ("载入演示区域中…", "Loading the demo region…"),
}
register_messages({f"cli_busy_{key}": pair for key, pair in BUSY.items()})

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
