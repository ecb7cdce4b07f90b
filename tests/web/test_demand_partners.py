"""Partners for the hub's declared enterprise demand (issue 6, item 3): hand-checked scores on the permission-test
region (SQLite and PostgreSQL), who sees what, and the `silian recommend` command on the demo region."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from silian.domain.access import Principal
from silian.domain.errors import PermissionDenied
from silian.services.demand_partners import demand_partners
from silian.storage.database import Database
from tests.support.cli import silian
from tests.web.test_permissions import COUNTY1, COUNTY2, E1, E2, A, B, C, World, assert_refused, make_world


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    yield from make_world(db, tmp_path)


def ranked(need: dict) -> list[tuple[str, float]]:
    return [(p["code"], p["score"]) for p in need["partners"]]


def test_scores_are_those_worked_out_by_hand(world: World) -> None:
    # every school offers 660103 with 90 graduates and 30 continuing (60 a year into work), more than either need;
    # fit 1 (the major asked for), capacity 1, distance: same county 1 / same city 0.6, one cooperation record 0.5
    body = world.get("city_admin", "/api/v1/recommendations/demand").json()
    assert body["year"] == 2023 and body["generated"] is False and body["truncated"] is False
    e1, e2 = body["data"]  # largest need first
    assert (e1["enterprise_credit_code"], e1["region_code"], e1["count"]) == (E1, COUNTY1, 10)
    assert ranked(e1) == [(A, 0.925), (B, 0.865), (C, 0.85)]  # A: county + 订单班; B: city + 学徒制; C: county
    assert (e2["enterprise_credit_code"], e2["region_code"], e2["count"]) == (E2, COUNTY2, 7)
    assert ranked(e2) == [(B, 0.925), (C, 0.865), (A, 0.79)]
    assert "同在金水区" in e1["partners"][0]["reason"] and "双方已有合作 1 项（订单班）" in e1["partners"][0]["reason"]
    only = world.get("city_admin", "/api/v1/recommendations/demand", params={"enterprise": E2, "top": 1}).json()
    assert [ranked(n) for n in only["data"]] == [[(B, 0.925)]]
    empty = world.get("city_admin", "/api/v1/recommendations/demand", params={"year": 2019}).json()
    assert empty["data"] == [] and "2019" in empty["note"]


def test_each_role_sees_its_own_demand_only(world: World) -> None:
    def enterprises(role: str) -> list[str]:
        response = world.get(role, "/api/v1/recommendations/demand")
        assert response.status_code == 200, response.text
        return [n["enterprise_credit_code"] for n in response.json()["data"]]

    assert enterprises("city_admin") == [E1, E2]
    assert enterprises("county_officer") == [E1]  # demand of its county
    assert enterprises("enterprise_user") == [E1]
    assert world.get("enterprise_user", "/api/v1/recommendations/demand", params={"enterprise": E2}).json()["data"] == []
    assert_refused(world.get("school_user", "/api/v1/recommendations/demand"), 403)
    assert_refused(world.get("public", "/api/v1/recommendations/demand"), 401)
    with pytest.raises(PermissionDenied):
        demand_partners(world.db, Principal("public"))


def test_recommend_command_on_the_demo_region(tmp_path: Path) -> None:
    silian("demo", "--no-users", data_dir=tmp_path)
    result = silian("recommend", "--json", "--top", "3", "-o", str(tmp_path / "partners.csv"), data_dir=tmp_path)
    body = json.loads(result.stdout)
    assert body["generated"] is True and body["year"] == 2024 and body["needs"]
    counts = [n["count"] for n in body["needs"]]
    assert counts == sorted(counts, reverse=True)
    for need in body["needs"]:
        scores = [p["score"] for p in need["partners"]]
        assert len(scores) <= 3 and scores == sorted(scores, reverse=True)
    csv = (tmp_path / "partners.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and "school_name" in csv.decode("utf-8-sig").splitlines()[0]
    shown = silian("recommend", "--enterprise", body["needs"][0]["enterprise_credit_code"], data_dir=tmp_path)
    assert "【注意】" in shown.stdout and body["needs"][0]["enterprise_name"] in shown.stdout
