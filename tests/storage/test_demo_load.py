"""The demo region loads on every backend (SQLite and PostgreSQL) with the published 2024 totals, and
loading it again changes nothing — and never touches what a user put in."""

from __future__ import annotations

import polars as pl
import pytest
import sqlalchemy as sa

from silian.domain.errors import InvalidInput
from silian.services.demo_region import load_demo
from silian.services.imports import load_frame
from silian.storage import repository as repo
from silian.storage.database import Database
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

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


# ---------------------------------------------------------------- the demo never loses what a user put in



@pytest.fixture(params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """A copy of the loaded demo region on each backend."""
    yield from demo_for(request, request.param, tmp_path)


def _counts(db: Database) -> dict[str, tuple[int, int]]:
    with db.engine.connect() as conn:
        return {t: repo.generated_share(conn, t) for t in ("institutions", "major_points", "regions", "demand")}


def _user_school(db: Database, code: str, *, points_for: str | None = None) -> None:
    """A school a user imports (a copy of a demo school under ``code``), with one major point of its own or, with
    ``points_for``, one major point for that (demo) school."""
    with db.begin() as conn:
        school = repo.read_table(conn, "institutions").drop("is_generated").head(1)
        point = repo.read_table(conn, "major_points").drop("is_generated").head(1)
        load_frame(conn, "institutions", school.with_columns(pl.lit(code).alias("code"), pl.lit("用户导入学校").alias("name")),
                   generated=False, label="user.xlsx")
        load_frame(conn, "major_points", point.with_columns(pl.lit(points_for or code).alias("institution_code"),
                                                            pl.lit(2030).alias("year")), generated=False, label="user.xlsx")


def test_loading_the_demo_again_keeps_what_a_user_imported(demo_db: Database) -> None:
    _user_school(demo_db, "U0000000000000000001")
    before = _counts(demo_db)
    summary = load_demo(demo_db, seed=2024)
    assert _counts(demo_db) == before  # demo rows replaced one for one, the user's two rows still there
    assert summary.kept_user_rows["institutions"] == 1 and summary.kept_user_rows["major_points"] == 1
    with demo_db.engine.connect() as conn:
        names = repo.read_table(conn, "institutions").filter(pl.col("code") == "U0000000000000000001")["name"].to_list()
    assert names == ["用户导入学校"]


def test_a_demo_row_on_a_users_key_or_a_user_row_on_a_demo_row_stops_the_load_unchanged(demo_db: Database) -> None:
    with demo_db.engine.connect() as conn:
        demo_school = repo.read_table(conn, "institutions")["code"][0]
    _user_school(demo_db, "U0000000000000000002", points_for=demo_school)  # the user's major point of a demo school
    before = _counts(demo_db)
    with pytest.raises(InvalidInput, match="--reset"):
        load_demo(demo_db, seed=2024)
    assert _counts(demo_db) == before
    with demo_db.begin() as conn:  # the user takes a demo school over (imports it under its own key)
        school = repo.read_table(conn, "institutions").filter(pl.col("code") == demo_school).drop("is_generated")
        load_frame(conn, "institutions", school, generated=False, label="user.xlsx")
    with pytest.raises(InvalidInput, match="唯一键相同"):
        load_demo(demo_db, seed=2024)


def test_reset_empties_every_table_first(demo_db: Database) -> None:
    _user_school(demo_db, "U0000000000000000003")
    summary = load_demo(demo_db, seed=2024, reset=True)
    counts = _counts(demo_db)
    assert summary.reset and counts["institutions"][0] == counts["institutions"][1]  # only demo rows are left
    assert counts["major_points"][0] == counts["major_points"][1]
