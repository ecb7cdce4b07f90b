"""The demo region loads on every backend (SQLite and PostgreSQL) with the published 2024 totals, and
loading it again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from silian.services.demo_region import load_demo
from silian.storage.database import Database

TOTALS_2024 = sa.text("""
    SELECT COUNT(DISTINCT CASE WHEN mp.students > 0 THEN mp.institution_code END), SUM(mp.enrolment), SUM(mp.students)
    FROM major_points mp JOIN institutions i ON i.code = mp.institution_code
    WHERE mp.year = 2024 AND i.level IN ('中职', '技工学校')
""")


def test_demo_loads_with_published_totals_and_is_idempotent(db: Database) -> None:
    first = load_demo(db, seed=2024)
    with db.engine.connect() as conn:
        assert tuple(conn.execute(TOTALS_2024).one()) == (102, 91_200, 258_300)
        counts = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in first.rows}
    assert counts == first.rows
    load_demo(db, seed=2024)
    with db.engine.connect() as conn:
        again = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in first.rows}
    assert again == counts
