"""The console entry point: domain errors become clear messages and non-zero exit codes."""

from __future__ import annotations

import sys

from rich.table import Table

from silian.cli.context import context, current_settings
from silian.cli.root import app
from silian.domain.errors import ImportRejected, SilianError

SHOWN_PROBLEMS = 200


def show_rejection(exc: ImportRejected) -> None:
    """The rejected file's problems as a table on standard error (the first 200)."""
    err_console = context().err_console
    err_console.print(f"[bold red]{exc.message}[/bold red]")
    table = Table(show_lines=False)
    for column in ("文件 / file", "行 / row", "列 / column", "值 / value", "问题 / problem", "修改 / fix"):
        table.add_column(column, overflow="fold")
    for p in exc.problems[:SHOWN_PROBLEMS]:
        table.add_row(p.file, "" if p.row is None else str(p.row), p.column or "", p.value or "", p.message, p.fix)
    err_console.print(table)
    if len(exc.problems) > SHOWN_PROBLEMS:
        err_console.print(f"… {len(exc.problems) - SHOWN_PROBLEMS} more (--errors-out FILE.csv)")


def main() -> None:
    """Console entry point (``silian``)."""
    try:
        app()
    except ImportRejected as exc:
        show_rejection(exc)
        sys.exit(exc.exit_code)
    except SilianError as exc:
        context().err_console.print(f"[bold red]{exc.message}[/bold red]")
        sys.exit(exc.exit_code)
    except Exception as exc:
        from silian.services.hub_database import is_unreachable

        if not is_unreachable(exc):
            raise
        from silian.domain.messages import t

        settings = current_settings()
        url = settings.resolved_database_url() if settings else "?"
        detail = str(getattr(exc, "orig", exc)).strip()
        context().err_console.print(f"[bold red]{t('db_unreachable', url=url, detail=detail)}[/bold red]")
        sys.exit(6)
