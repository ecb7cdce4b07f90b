"""Alembic environment: runs against the Database passed in the config (see Database.upgrade)."""

from __future__ import annotations

from alembic import context

from silian.storage import (
    platform_schema,  # noqa: F401  (registers the platform tables)
    postings_schema,  # noqa: F401  (registers the postings state tables)
)
from silian.storage.schema import metadata

config = context.config
database = config.attributes["database"]

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=database.dialect == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
