"""Migrations up and down on every backend, and no drift between the migrations and the table specs."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from silian.storage.database import Database
from silian.storage.schema import hub_tables, metadata


def _tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_creates_every_table_and_downgrade_removes_them(empty_db: Database) -> None:
    assert empty_db.current_revision() is None
    empty_db.upgrade()
    assert empty_db.is_current()
    assert _tables(empty_db) == set(metadata.tables)
    empty_db.downgrade("base")
    assert empty_db.current_revision() is None
    assert _tables(empty_db) == set()
    empty_db.upgrade()  # and back up again
    assert _tables(empty_db) == set(metadata.tables)


def test_migrations_match_the_table_specs(db: Database) -> None:
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_natural_keys_are_unique_constraints(db: Database) -> None:
    inspector = sa.inspect(db.engine)
    for name, table in hub_tables.items():
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)}
        key = next(c for c in table.constraints if isinstance(c, sa.UniqueConstraint))
        assert tuple(col.name for col in key.columns) in uniques
