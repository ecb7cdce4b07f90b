"""Saved scenarios on SQLite and PostgreSQL: save, list, read, replace, delete, unique names per region, the
roles that may use them (a county officer: its county's schools only), and the hub left untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied
from silian.services.hub import load_hub
from silian.services.scenarios import (
    compare_saved,
    delete_scenario,
    get_scenario,
    list_scenarios,
    save_scenario,
)
from silian.storage.database import Database
from silian.storage.platform_schema import audit_log, scenarios
from tests.support.backends import BACKENDS
from tests.support.fixtures import demo_for

CNC = "6-18-01-07"
PLANT = {"county": "410122", "from_year": 2024, "occupations": [{"code": CNC, "workers": 300}], "label": "数控机床厂"}


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in ("institutions", "major_points", "demand")}


@pytest.fixture(params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo region on each backend, for one test."""
    yield from demo_for(request, request.param, tmp_path)


def county_officer(db: Database, county: str = "410122") -> Principal:
    return Principal(role="county_officer", user_id=7, username="county", county_code=county)


def test_save_list_show_replace_delete(demo_db: Database) -> None:
    before = counts(demo_db)
    saved = save_scenario(demo_db, None, name="新建工厂", kind="plant", spec=PLANT)
    assert (saved.region_code, saved.kind, saved.spec["occupations"][0]["workers"]) == ("410100", "plant", 300)
    assert [s.name for s in list_scenarios(demo_db)] == ["新建工厂"]
    assert get_scenario(demo_db, None, "新建工厂").id == get_scenario(demo_db, None, saved.id).id == saved.id
    with pytest.raises(InvalidInput, match="已存在"):
        save_scenario(demo_db, None, name="新建工厂", kind="plant", spec=PLANT)
    replaced = save_scenario(demo_db, None, name="新建工厂", kind="plant", spec={**PLANT, "from_year": 2023}, replace=True)
    assert replaced.id == saved.id and replaced.spec["from_year"] == 2023 and replaced.updated_at >= saved.updated_at
    with demo_db.engine.connect() as conn:
        stored = conn.execute(sa.select(scenarios.c.spec)).scalar_one()
        audited = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.entity == "scenarios")).scalar_one()
    assert json.loads(stored)["label"] == "数控机床厂" and audited == 2
    result = compare_saved(demo_db, None, ["新建工厂"])
    assert result.columns == ["基线（现状）", "新建工厂"] and result.rows[0].key == "coupling_D"
    shortage = next(r for r in result.rows if r.key == "shortage")
    surplus = next(r for r in result.rows if r.key == "surplus")
    assert shortage.diffs[0] - surplus.diffs[0] == pytest.approx(300, abs=1e-4)  # the gap grows by the plant's workers
    assert delete_scenario(demo_db, None, saved.id).name == "新建工厂"
    with pytest.raises(NotFound):
        get_scenario(demo_db, None, saved.id)
    assert counts(demo_db) == before


def test_a_bad_spec_is_rejected_whole_and_nothing_is_stored(demo_db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        save_scenario(demo_db, None, name="坏", kind="merger", spec={"schools": ["0000000000", "9410100001"], "into": "x"})
    assert {p.column for p in caught.value.problems} == {"schools[0]", "into"}
    assert list_scenarios(demo_db) == []
    with pytest.raises(InvalidInput):
        save_scenario(demo_db, None, name=" ", kind="plant", spec=PLANT)
    points = load_hub(demo_db)["major_points"]
    latest = points.filter(pl.col("year") == points["year"].max()).filter(pl.col("enrolment") > 0).row(0, named=True)
    school, major, current = latest["institution_code"], latest["major_code"], latest["enrolment"]
    too_far = {"changes": [{"school": school, "major": major, "change": -(current + 1)}]}
    with pytest.raises(ImportRejected) as caught:
        save_scenario(demo_db, None, name="减过头", kind="plan", spec=too_far)
    [problem] = caught.value.problems
    assert (problem.column, problem.value) == ("changes[0].change", str(-(current + 1))) and str(-current) in problem.fix
    closed = save_scenario(demo_db, None, name="停招", kind="plan",
                           spec={"changes": [{"school": school, "major": major, "change": -current}]})
    assert closed.spec["changes"][0]["change"] == -current


def test_roles_and_county_scope(demo_db: Database) -> None:
    hub = load_hub(demo_db)
    institutions = hub["institutions"]
    own = institutions.filter(pl.col("county_code") == "410122")["code"].sort().to_list()
    other = institutions.filter(pl.col("county_code") != "410122")["code"].sort().to_list()
    officer = county_officer(demo_db)
    city = save_scenario(demo_db, None, name="全市", kind="merger", spec={"schools": other[:2]})
    mine = save_scenario(demo_db, officer, name="本县工厂", kind="plant", spec=PLANT)
    assert mine.region_code == "410122" and mine.created_by == 7
    if len(own) >= 2:
        assert save_scenario(demo_db, officer, name="本县合并", kind="merger", spec={"schools": own[:2]}).kind == "merger"
    with pytest.raises(PermissionDenied):
        save_scenario(demo_db, officer, name="越界", kind="merger", spec={"schools": other[:2]})
    with pytest.raises(PermissionDenied):
        save_scenario(demo_db, officer, name="越界工厂", kind="plant", spec={**PLANT, "county": "410102"})
    assert {s.name for s in list_scenarios(demo_db, officer)} >= {"全市", "本县工厂"}
    stranger = county_officer(demo_db, "410102")
    assert [s.name for s in list_scenarios(demo_db, stranger)] == ["全市"]
    with pytest.raises(NotFound):
        get_scenario(demo_db, stranger, mine.id)
    with pytest.raises(PermissionDenied):
        delete_scenario(demo_db, officer, city.id)
    for role in ("school_user", "enterprise_user", "public"):
        with pytest.raises(PermissionDenied):
            list_scenarios(demo_db, Principal(role=role))  # type: ignore[arg-type]
    assert delete_scenario(demo_db, officer, mine.id).id == mine.id
