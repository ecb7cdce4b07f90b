"""The hub's fingerprint: one value while the data stay as they are, whatever plan the database picks (PostgreSQL
ran the old ``UNION ALL`` as a parallel append whose rows came in no set order: 2-3 values in 30 reads of one
unchanged hub, and every cached analysis thrown away), and a new one after any change."""

from __future__ import annotations

import sqlalchemy as sa

from silian.domain.tables import HUB_TABLES
from silian.storage.database import Database
from silian.storage.hub import hub_fingerprint
from silian.storage.schema import hub_tables

FORCE_PARALLEL = ("SET parallel_setup_cost = 0", "SET parallel_tuple_cost = 0", "SET min_parallel_table_scan_size = 0",
                  "SET min_parallel_index_scan_size = 0", "SET max_parallel_workers_per_gather = 4")


def _fill(db: Database) -> None:
    """A few tables of different sizes (so a fingerprint in another order is another value)."""
    with db.begin() as conn:
        conn.execute(hub_tables["regions"].insert(), [
            {"code": "410100", "name": "郑州市", "level": "市"},
            *({"code": f"4101{n:02d}", "name": f"县{n}", "level": "县", "parent_code": "410100"} for n in range(2, 40))])
        conn.execute(hub_tables["institutions"].insert(), [
            {"code": f"94101000{n:02d}", "name": f"学校{n}", "level": "中职", "ownership": "公办", "county_code": "410102"}
            for n in range(7)])
        conn.execute(hub_tables["major_points"].insert(), [
            {"institution_code": f"94101000{n:02d}", "major_code": "660103", "year": year, "enrolment": 10, "students": 30,
             "graduates": 9} for n in range(7) for year in range(2015, 2025)])


def _table_sizes(db: Database) -> dict[str, tuple[int, int]]:
    with db.engine.connect() as conn:
        return {name: tuple(conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(t.c.id), 0))
                                         .select_from(t)).one())  # type: ignore[misc]
                for name, t in hub_tables.items() if name in HUB_TABLES}


def test_the_fingerprint_names_each_table_and_is_one_value_under_parallel_plans(db: Database) -> None:
    _fill(db)
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            for statement in FORCE_PARALLEL:
                conn.execute(sa.text(statement))
            plan = "\n".join(conn.execute(sa.text("EXPLAIN SELECT count(*) FROM major_points")).scalars())
            assert "Parallel" in plan  # the settings do force parallel plans here
        values = {hub_fingerprint(conn) for _ in range(30)}
    assert len(values) == 1
    (fingerprint,) = values
    by_name = {name: (rows, last) for name, rows, last in fingerprint}
    assert [name for name, _, _ in fingerprint][:len(HUB_TABLES)] == list(HUB_TABLES)
    for name, size in _table_sizes(db).items():
        assert by_name[name] == size, name
    assert by_name["regions"][0] == 39 and by_name["major_points"][0] == 70


def test_the_fingerprint_changes_with_the_data(db: Database) -> None:
    _fill(db)
    with db.engine.connect() as conn:
        before = hub_fingerprint(conn)
    with db.begin() as conn:
        conn.execute(hub_tables["major_points"].delete().where(hub_tables["major_points"].c.year == 2015))
    with db.engine.connect() as conn:
        after = hub_fingerprint(conn)
    assert after != before
    assert {n: r for n, r, _ in after}["major_points"] == 63
