"""The `silian` command line: one module per command group over one typed context (:mod:`silian.cli.context`).

Commands stay thin: they parse options, call one service, print. Heavy imports (polars, SQLAlchemy, the services)
happen inside the commands, so `silian --help` answers at once.
"""

from __future__ import annotations

from silian.cli import (  # noqa: F401  (each module adds its commands to the root app)
    analysis,
    catalog,
    database,
    hub,
    match,
    plan,
    postings,
    recommend,
    scenario,
    serve,
    users,
)
from silian.cli.errors import main
from silian.cli.root import app

__all__ = ["app", "main"]
