"""Who may see and change what, over HTTP, on SQLite and PostgreSQL: every role (public, city admin, county
officer, school user, enterprise user) against every hub-table endpoint (list, read, create, update, delete), the
analyses and the import endpoint, plus CSRF, unknown and revoked tokens, login throttling and the audit log.

The region is small and hand-checkable: two counties (410105 with schools A and C and enterprise E1; 410122 with
school B and enterprise E2) and a few rows in every hub table. The expected visibility below is written out by
hand from the role rules in ``silian.domain.access`` (not computed from it), so a change of those rules or a
leak in a query fails here.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from silian.domain.credit_code import make_credit_code
from silian.domain.tables import HUB_TABLES
from silian.services.account_access import create_token
from silian.services.accounts import load_principal
from silian.services.imports import export_table, load_frame
from silian.settings import Settings
from silian.storage.database import Database
from silian.storage.platform_schema import audit_log, users
from silian.web.app import create_app
from tests.support.backends import BACKENDS, migrated_database
from tests.support.fixtures import demo_for

CITY, COUNTY1, COUNTY2 = "410100", "410105", "410122"
A, B, C = "9410100001", "9410100002", "9410100003"  # A and C in COUNTY1, B in COUNTY2
E1, E2 = make_credit_code("91410105MA0000001"), make_credit_code("91410122MA0000002")  # E1 in COUNTY1, E2 in COUNTY2
NAMES = {A: "A", B: "B", C: "C", E1: "E1", E2: "E2"}
PASSWORD = "permission-test-password"
ROLES = ("public", "city_admin", "county_officer", "school_user", "enterprise_user")
SCHOOL_TABLES = ("institution_resources", "major_points", "funding", "innovation")
Row = dict[str, Any]


def _school(code: str, county: str, name: str) -> Row:
    return {"code": code, "name": name, "level": "中职", "ownership": "公办", "county_code": county}


def _enterprise(code: str, county: str, name: str) -> Row:
    return {"credit_code": code, "name": name, "industry_code": "36", "county_code": county, "size": "中型"}


def _cooperation(kind: str, school: str, firm: str, name: str, year: int) -> Row:
    return {"kind": kind, "institution_code": school, "enterprise_credit_code": firm, "major_code": "660103",
            "name": name, "start_year": year}


CNC = "6-18-01-07"  # 多工序数控机床操作调整工
SEED: dict[str, list[Row]] = {
    "regions": [{"code": CITY, "name": "郑州市", "level": "市"},
                {"code": COUNTY1, "name": "金水区", "level": "县", "parent_code": CITY},
                {"code": COUNTY2, "name": "中牟县", "level": "县", "parent_code": CITY}],
    "regional_economy": [{"region_code": CITY, "year": 2023, "gdp": 13617.8, "primary_va": 200.1,
                          "secondary_va": 5200.4, "tertiary_va": 8217.3},
                         {"region_code": COUNTY1, "year": 2023, "gdp": 2100.5}],
    "institutions": [_school(A, COUNTY1, "甲中专"), _school(B, COUNTY2, "乙职校"), _school(C, COUNTY1, "丙职校")],
    "institution_resources": [{"institution_code": s, "year": 2023, "teachers": 100, "major_teachers": 60,
                               "dual_teachers": 30} for s in (A, B, C)],
    "major_points": [{"institution_code": s, "major_code": "660103", "year": 2023, "enrolment": 100,
                      "students": 300, "graduates": 90, "employed": 50, "continued": 30} for s in (A, B, C)],
    "enterprises": [_enterprise(E1, COUNTY1, "甲公司"), _enterprise(E2, COUNTY2, "乙公司")],
    "industry_stats": [{"region_code": CITY, "year": 2023, "industry_code": "C", "value_added": 3100.2}],
    # optional key columns are filled where a row gets updated below (see test_imported_rows_with_an_empty_key_column_…)
    "demand": [{"source": "declared", "region_code": COUNTY1, "period": "2023", "enterprise_credit_code": E1,
                "occupation_code": CNC, "major_code": "660103", "skill_level": "不限", "count": 10},
               {"source": "declared", "region_code": COUNTY2, "period": "2023", "enterprise_credit_code": E2,
                "occupation_code": CNC, "major_code": "660103", "skill_level": "中级工", "count": 7},
               {"source": "statistics", "region_code": CITY, "period": "2023", "occupation_code": CNC,
                "major_code": "660103", "skill_level": "不限", "count": 120}],
    "cooperation": [_cooperation("订单班", A, E1, "甲甲订单班", 2022), _cooperation("订单班", B, E2, "乙乙订单班", 2022),
                    _cooperation("现代学徒制", B, E1, "乙甲学徒制", 2023), _cooperation("共建专业", C, E2, "丙乙共建", 2023)],
    "funding": [{"institution_code": s, "year": 2023, "appropriation_10k": 1500.0} for s in (A, B, C)],
    "innovation": [{"institution_code": s, "year": 2023, "patents": 2} for s in (A, B, C)],
}


def label(table: str, record: Row) -> str:
    """A short, hand-checkable name for a record: whose it is."""
    if table == "regions":
        return str(record["code"])
    if table in ("regional_economy", "industry_stats"):
        return str(record["region_code"])
    if table == "institutions":
        return NAMES[record["code"]]
    if table == "enterprises":
        return NAMES[record["credit_code"]]
    if table == "demand":
        return NAMES.get(record.get("enterprise_credit_code") or "", record["region_code"])
    if table == "cooperation":
        return f"{NAMES[record['institution_code']]}×{NAMES[record['enterprise_credit_code']]}"
    return NAMES[record["institution_code"]]


EVERYTHING = {table: {label(table, r) for r in rows} for table, rows in SEED.items()}
OPEN = {"regions": {CITY, COUNTY1, COUNTY2}, "regional_economy": {CITY, COUNTY1}, "industry_stats": {CITY}}
NOTHING = {table: set() for table in HUB_TABLES if table not in OPEN}
# what each role sees, written out by hand
VISIBLE: dict[str, dict[str, set[str]]] = {
    "public": {**NOTHING, **OPEN},
    "city_admin": EVERYTHING,
    "county_officer": {**NOTHING, **OPEN, "institutions": {"A", "C"}, **{t: {"A", "C"} for t in SCHOOL_TABLES},
                       "enterprises": {"E1"}, "demand": {"E1"}, "cooperation": {"A×E1", "C×E2"}},
    "school_user": {**NOTHING, **OPEN, "institutions": {"A"}, **{t: {"A"} for t in SCHOOL_TABLES},
                    "cooperation": {"A×E1"}},
    "enterprise_user": {**NOTHING, **OPEN, "enterprises": {"E1"}, "demand": {"E1"}, "cooperation": {"A×E1", "B×E1"}},
}
WRITABLE: dict[str, set[str]] = {
    "public": set(),
    "city_admin": set(HUB_TABLES),
    "county_officer": {"institutions", *SCHOOL_TABLES, "enterprises", "demand", "cooperation"},
    "school_user": {"institutions", *SCHOOL_TABLES, "cooperation"},
    "enterprise_user": {"enterprises", "demand", "cooperation"},
}
# the school, county and enterprise each role acts for; OTHER belongs to none of the restricted roles
OWN = {"city_admin": (A, COUNTY1, E1), "county_officer": (A, COUNTY1, E1), "school_user": (A, COUNTY1, E2),
       "enterprise_user": (B, COUNTY1, E1), "public": (A, COUNTY1, E1)}
OTHER = (B, COUNTY2, E2)
NEW_SCHOOL = {COUNTY1: "9410100011", COUNTY2: "9410100012"}
NEW_FIRM = {COUNTY1: make_credit_code("91410105MA0000011"), COUNTY2: make_credit_code("91410122MA0000012")}


def new_record(table: str, school: str, county: str, firm: str, year: int = 2024) -> Row:
    """A record not yet stored, belonging to ``school``, ``county`` and ``firm``."""
    return {
        "regions": {"code": {COUNTY1: "410108", COUNTY2: "410183"}[county], "name": "新区", "level": "县",
                    "parent_code": CITY},
        "regional_economy": {"region_code": COUNTY2, "year": year, "gdp": 900.0},
        "institutions": _school(NEW_SCHOOL[county], county, "新学校"),
        "institution_resources": {"institution_code": school, "year": year, "teachers": 80, "major_teachers": 40},
        "major_points": {"institution_code": school, "major_code": "730301", "year": year, "enrolment": 40,
                         "students": 120, "graduates": 35},
        "enterprises": _enterprise(NEW_FIRM[county], county, "新公司"),
        "industry_stats": {"region_code": COUNTY1, "year": year, "industry_code": "36", "value_added": 88.0},
        "demand": {"source": "declared", "region_code": county, "period": f"{year}-06", "enterprise_credit_code": firm,
                   "occupation_code": CNC, "major_code": "660103", "skill_level": "高级工", "count": 4},
        "cooperation": {**_cooperation("实训基地", school, firm, "新实训基地", year), "capacity": 30},
        "funding": {"institution_code": school, "year": year, "appropriation_10k": 1600.0},
        "innovation": {"institution_code": school, "year": year, "patents": 3},
    }[table]


# a harmless change per table (not a key, not an owner column)
HARMLESS = {"regions": {"name": "改名"}, "regional_economy": {"gdp": 14000.0}, "institutions": {"address": "新地址"},
            "institution_resources": {"books": 1234}, "major_points": {"stayed_local": 20},
            "enterprises": {"employees": 321}, "industry_stats": {"patents": 9}, "demand": {"count": 11},
            "cooperation": {"participants": 12}, "funding": {"special_funds_10k": 12.5}, "innovation": {"skill_awards": 4}}
# moving a record of the caller's to someone else
MOVE = {"institutions": {"county_code": COUNTY2}, "enterprises": {"county_code": COUNTY2},
        "demand": {"region_code": COUNTY2, "enterprise_credit_code": E2},
        "cooperation": {"institution_code": B, "enterprise_credit_code": E2},
        **{t: {"institution_code": B} for t in SCHOOL_TABLES}}
# a school's or an enterprise's own record is identified by its code, not its county: its user may edit the record
# but not move it to another county (the county is set by the city or the county officer; domain.access.locked_column)
IDENTITY = {("school_user", "institutions"), ("enterprise_user", "enterprises")}


def seed_region(db: Database) -> None:
    """Load SEED through the same validation as an imported file."""
    with db.begin() as conn:
        for table in ("regions", "regional_economy", "institutions", "institution_resources", "major_points",
                      "enterprises", "industry_stats", "demand", "cooperation", "funding", "innovation"):
            rows = SEED[table]
            columns = list(dict.fromkeys(k for r in rows for k in r))
            frame = pl.DataFrame([{k: None if r.get(k) is None else str(r[k]) for k in columns} for r in rows],
                                 schema={k: pl.String for k in columns}, orient="row")
            load_frame(conn, table, frame, generated=False, label=f"test:{table}")


@dataclass
class World:
    """The app in-process over the seeded region, with a bearer token for every role but the public."""

    client: TestClient
    db: Database
    settings: Settings
    tokens: dict[str, str]
    user_ids: dict[str, int]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def get(self, role: str, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers(role), **kw)

    def ids(self, table: str) -> dict[str, int]:
        """``{label: id}`` of every stored record of ``table`` (read as the city admin)."""
        body = self.get("city_admin", f"/api/v1/{table}", params={"page_size": 500}).json()
        return {label(table, r): r["id"] for r in body["data"]}


USERNAMES = {"city_admin": "admin", "county_officer": "county", "school_user": "school", "enterprise_user": "firm"}
SCOPES = {"county_officer": {"county_code": COUNTY1}, "school_user": {"institution_code": A},
          "enterprise_user": {"enterprise_credit_code": E1}}


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per run (argon2 takes about half a second; every world has four users)."""
    return PasswordHasher().hash(PASSWORD)


def add_users(db: Database, scopes: dict[str, dict[str, str]]) -> dict[str, int]:
    """The four users, each with its role and scope (rows as `silian user add` writes them)."""
    ids = {}
    with db.begin() as conn:
        for role, username in USERNAMES.items():
            result = conn.execute(users.insert().values(username=username, password_hash=password_hash(), role=role,
                                                        display_name=username, created_at=datetime.now(UTC),
                                                        **scopes.get(role, {})))
            ids[role] = int(result.inserted_primary_key[0])
    return ids


def make_world(db: Database, folder: Path, scopes: dict[str, dict[str, str]] | None = None,
               **settings: Any) -> Iterator[World]:
    """Seed ``db`` (unless ``scopes`` are given for data already there), add the users and their tokens, and
    serve the app in-process."""
    if scopes is None:
        seed_region(db)
    settings_ = Settings(database_url="sqlite://", data_dir=folder, secret_key="permission-tests", **settings)
    user_ids, tokens = add_users(db, SCOPES if scopes is None else scopes), {}
    for role, user_id in user_ids.items():
        principal = load_principal(db, user_id)
        assert principal is not None and principal.role == role
        tokens[role] = create_token(db, settings_, principal, "tests").token
    with TestClient(create_app(settings_, database=db)) as client:
        yield World(client, db, settings_, tokens, user_ids)


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    """A fresh world for a test that changes data."""
    yield from make_world(db, tmp_path)


def module_database(backend: str, folder: Path) -> Iterator[Database]:
    """A migrated, empty database shared by a module's tests, on the same backends as the ``db`` fixture."""
    with migrated_database(backend, folder) as db:
        yield db


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world per backend for the tests that only read (or are refused)."""
    folder = tmp_path_factory.mktemp("permissions")
    for db in module_database(request.param, folder):
        yield from make_world(db, folder)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo region (enough years for every analysis), with a county officer, a school and an enterprise of it."""
    folder = tmp_path_factory.mktemp("demo")
    for db in demo_for(request, request.param, folder):  # a copy of the session's demo region
        with db.engine.connect() as conn:
            school, county = conn.execute(sa.text("SELECT code, county_code FROM institutions WHERE level = '中职' "
                                                  "ORDER BY code")).first()  # type: ignore[misc]
            firm = conn.execute(sa.text("SELECT credit_code FROM enterprises ORDER BY credit_code")).scalars().first()
        scopes = {"county_officer": {"county_code": county}, "school_user": {"institution_code": school},
                  "enterprise_user": {"enterprise_credit_code": str(firm)}}
        yield from make_world(db, folder, scopes)


def snapshot(db: Database, folder: Path) -> dict[str, str]:
    """Every hub table exported as CSV (what `silian export` writes)."""
    out = {}
    for table in HUB_TABLES:
        path = folder / f"snapshot_{table}.csv"
        export_table(db, table, path)
        out[table] = path.read_text(encoding="utf-8-sig")
    return out


def assert_refused(response: Any, *codes: int) -> None:
    """Refused with one of ``codes``, in the error shape, carrying no record."""
    assert response.status_code in codes, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    assert not {"id", "data"} & set(body["error"]), body


# ------------------------------------------------------------------------------------------------ reading
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_reads_show_only_the_roles_rows(shared: World, role: str) -> None:
    for table in HUB_TABLES:
        expected = VISIBLE[role][table]
        response = shared.get(role, f"/api/v1/{table}", params={"page_size": 500})
        assert response.status_code == 200, (table, response.text)
        body = response.json()
        assert {label(table, r) for r in body["data"]} == expected, table
        assert body["count"] == len(expected), table
        paged = [shared.get(role, f"/api/v1/{table}", params={"page_size": 1, "page": n}).json()
                 for n in range(1, len(EVERYTHING[table]) + 2)]
        assert sorted(label(table, r) for p in paged for r in p["data"]) == sorted(expected), table
        for name, record_id in shared.ids(table).items():
            one = shared.get(role, f"/api/v1/{table}/{record_id}")
            if name in expected:
                assert one.status_code == 200 and one.json()["id"] == record_id, (table, name)
            else:
                assert_refused(one, 403, 404)


@pytest.mark.parametrize("role", ["county_officer", "school_user", "enterprise_user"])
def test_filters_and_sorting_cannot_reach_other_rows(shared: World, role: str) -> None:
    for table, column in (("institutions", "code"), ("major_points", "institution_code"),
                          ("enterprises", "credit_code"), ("demand", "enterprise_credit_code"),
                          ("cooperation", "institution_code")):
        for owner in (B, E2):
            response = shared.get(role, f"/api/v1/{table}", params={column: owner, "sort": "-id"})
            assert response.status_code == 200, response.text
            assert {label(table, r) for r in response.json()["data"]} <= VISIBLE[role][table], (table, owner)


# ------------------------------------------------------------------------------------------------ writing
@pytest.mark.parametrize("role", ROLES)
def test_writes_outside_the_scope_are_refused_and_change_nothing(shared: World, role: str, tmp_path: Path) -> None:
    before = snapshot(shared.db, tmp_path)
    h = shared.headers(role)
    denied = 401 if role == "public" else 403
    for table in HUB_TABLES:
        ids = shared.ids(table)
        others = [ids[name] for name in EVERYTHING[table] if name not in VISIBLE[role][table]]
        hidden_or_readonly = others + ([] if table in WRITABLE[role] else list(ids.values()))
        for record_id in hidden_or_readonly:
            assert_refused(shared.client.patch(f"/api/v1/{table}/{record_id}", json=HARMLESS[table], headers=h),
                           denied, 404)
            assert_refused(shared.client.delete(f"/api/v1/{table}/{record_id}", headers=h), denied, 404)
        foreign = new_record(table, *OTHER)
        if role != "city_admin":
            assert_refused(shared.client.post(f"/api/v1/{table}", json=foreign, headers=h), denied)
        if table in WRITABLE[role] and table in MOVE and role != "city_admin":
            mine = max(VISIBLE[role][table] & set(ids))
            assert_refused(shared.client.patch(f"/api/v1/{table}/{ids[mine]}", json=MOVE[table], headers=h), 403)
    assert snapshot(shared.db, tmp_path) == before


@pytest.mark.parametrize("role", [r for r in ROLES if r != "public"])
def test_writes_inside_the_scope_succeed(world: World, role: str) -> None:
    h = world.headers(role)
    for table in sorted(WRITABLE[role]):
        ids = world.ids(table)
        mine = ids[max(VISIBLE[role][table])]
        changed = world.client.patch(f"/api/v1/{table}/{mine}", json=HARMLESS[table], headers=h)
        assert changed.status_code == 200, (table, changed.text)
        assert changed.json().items() >= HARMLESS[table].items()
        if (role, table) in IDENTITY:  # a new school or enterprise is never the caller's own
            continue
        created = world.client.post(f"/api/v1/{table}", json=new_record(table, *OWN[role]), headers=h)
        assert created.status_code == 201, (table, created.text)
        new_id = created.json()["id"]
        assert world.get(role, f"/api/v1/{table}/{new_id}").status_code == 200
        assert world.client.delete(f"/api/v1/{table}/{new_id}", headers=h).status_code == 204, table
        assert world.get(role, f"/api/v1/{table}/{new_id}").status_code == 404


def test_imported_rows_with_an_empty_key_column_can_be_updated(world: World) -> None:
    statistics = world.ids("demand")["410100"]  # imported without an enterprise (statistics rows have none)
    response = world.client.patch(f"/api/v1/demand/{statistics}", json={"count": 121},
                                  headers=world.headers("city_admin"))
    assert response.status_code == 200, response.text


def test_a_record_without_its_optional_key_columns_can_be_created(world: World) -> None:
    record = {"kind": "订单班", "institution_code": A, "enterprise_credit_code": E1, "name": "无专业订单班",
              "start_year": 2024}  # no major_code: optional, but part of the natural key
    response = world.client.post("/api/v1/cooperation", json=record, headers=world.headers("city_admin"))
    assert response.status_code == 201, response.text


def test_audit_log_records_who_changed_what_before_and_after(world: World) -> None:
    school = world.ids("institutions")["A"]
    response = world.client.patch(f"/api/v1/institutions/{school}", json={"address": "金水路 1 号"},
                                  headers=world.headers("school_user"))
    assert response.status_code == 200
    with world.db.engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log).where(audit_log.c.action == "update")
                             .order_by(audit_log.c.id.desc())).first()
    assert entry is not None
    assert (entry.username, entry.user_id, entry.entity, entry.entity_id) == (
        "school", world.user_ids["school_user"], "institutions", str(school))
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["address"] is None and after["address"] == "金水路 1 号"
    assert before["name"] == after["name"] == "甲中专"


# ------------------------------------------------------------------------------------------------ analyses
ANALYSES = ("summary", "coupling", "coupling?level=county", "supply-demand", "supply-demand?by=major", "pathways",
            "schools", "schools/compliance", "skills", "peers", "forecast")


@pytest.mark.parametrize("role", ROLES)
def test_analyses_are_open_and_school_compliance_is_scoped(demo: World, role: str) -> None:
    for path in ANALYSES:
        response = demo.get(role, f"/api/v1/analysis/{path}")
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert response.json()["uses_generated_data"] is True, path
    everyone = demo.get("city_admin", "/api/v1/analysis/schools/compliance").json()["rows"]
    rows = demo.get(role, "/api/v1/analysis/schools/compliance").json()["rows"]
    with demo.db.engine.connect() as conn:
        user = conn.execute(sa.select(users).where(users.c.username == USERNAMES.get(role, ""))).first()
    if role == "city_admin":
        assert len(rows) == len(everyone) > 10
    elif role == "county_officer":
        assert rows and {r["county_code"] for r in rows} == {user.county_code}  # type: ignore[union-attr]
        assert len(rows) == sum(r["county_code"] == user.county_code for r in everyone)  # type: ignore[union-attr]
    elif role == "school_user":
        assert [r["institution_code"] for r in rows] == [user.institution_code]  # type: ignore[union-attr]
    else:
        assert rows == []


# ------------------------------------------------------------------------------------------------ importing
def csv_file(rows: list[Row]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    lines = [",".join(columns)] + [",".join("" if r.get(c) is None else str(r[c]) for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(world: World, role: str, table: str, content: bytes, name: str = "upload.csv", **params: Any) -> Any:
    return world.client.post(f"/api/v1/imports/{table}", params=params, headers=world.headers(role),
                             files={"file": (name, io.BytesIO(content), "text/csv")})


@pytest.mark.parametrize("role", ROLES)
def test_import_endpoint_follows_the_write_scope(shared: World, role: str, tmp_path: Path) -> None:
    before = snapshot(shared.db, tmp_path)
    for table in HUB_TABLES:
        own = new_record(table, *OWN[role])
        foreign = new_record(table, *OTHER, year=2025)
        mine = upload(shared, role, table, csv_file([own]), dry_run="true")
        mixed = upload(shared, role, table, csv_file([own, foreign]), **({"dry_run": "true"} if role == "city_admin" else {}))
        if role == "public":
            assert_refused(mine, 401)
            assert_refused(mixed, 401)
        elif table not in WRITABLE[role]:
            assert_refused(mine, 403)
            assert_refused(mixed, 403)
        elif role == "city_admin":
            assert (mine.json()["inserted"], mixed.json()["inserted"], mixed.json()["dry_run"]) == (1, 2, True), table
        else:
            rejected_rows = [2, 3] if (role, table) in IDENTITY else [3]
            if (role, table) not in IDENTITY:
                assert mine.status_code == 200, (table, mine.text)
                assert (mine.json()["inserted"], mine.json()["dry_run"]) == (1, True)
            assert_refused(mixed, 422)
            problems = mixed.json()["error"]["problems"]
            assert [p["row"] for p in problems] == rejected_rows, (table, problems)
            for problem in problems:
                assert problem["message"].startswith(("不是本校", "不是本县", "不是本企业")), problem
                assert problem["column"] and problem["file"] == "upload.csv", problem
            if (role, table) not in IDENTITY:
                assert problems[-1]["value"] in OTHER, problems
    assert snapshot(shared.db, tmp_path) == before


# ------------------------------------------------------------------------------------------------ sessions, tokens, lockout
def log_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Log in through the login form, as a browser does; returns the response (303 on success)."""
    form = client.get("/login")
    assert form.status_code == 200
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf},
                       follow_redirects=False)


def test_session_requests_need_the_csrf_token(world: World) -> None:
    assert log_in(world.client, "school").status_code == 303
    page = world.client.get("/login")
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    school = world.ids("institutions")["A"]
    assert world.client.get("/api/v1/auth/me").json()["username"] == "school"
    assert_refused(world.client.patch(f"/api/v1/institutions/{school}", json={"address": "x"}), 403)
    assert_refused(world.client.patch(f"/api/v1/institutions/{school}", json={"address": "x"},
                                      headers={"X-CSRF-Token": "forged"}), 403)
    assert_refused(world.client.post("/api/v1/imports/funding", files={"file": ("a.csv", b"x", "text/csv")}), 403)
    ok = world.client.patch(f"/api/v1/institutions/{school}", json={"address": "y"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["address"] == "y"


def test_logout_ends_the_session_and_idle_time_ends_it_too(world: World) -> None:
    """A saved copy of the cookie stops working at logout (the session ends on the server), and a session unused for
    session_hours ends; each use moves that limit on."""
    from silian.storage.platform_schema import web_sessions

    assert log_in(world.client, "school").status_code == 303
    saved = dict(world.client.cookies)
    assert world.client.get("/api/v1/auth/me").json()["username"] == "school"
    csrf = world.client.get("/login").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert world.client.post("/logout", headers={"X-CSRF-Token": csrf}, data={"csrf_token": csrf},
                             follow_redirects=False).status_code == 303
    world.client.cookies.clear()
    world.client.cookies.update(saved)  # the copy an attacker kept
    assert world.client.get("/api/v1/auth/me").json()["role"] == "public"
    world.client.cookies.clear()
    assert log_in(world.client, "school").status_code == 303
    with world.db.begin() as conn:  # nine hours without activity (session_hours is 8)
        conn.execute(web_sessions.update().where(web_sessions.c.ended_at.is_(None))
                     .values(last_seen_at=sa.func.now() - sa.text("INTERVAL '9 hours'")
                             if world.db.dialect == "postgresql" else sa.text("datetime('now', '-9 hours')")))
    assert world.client.get("/api/v1/auth/me").json()["role"] == "public"
    world.client.cookies.clear()


def test_unknown_and_revoked_tokens_are_401(world: World) -> None:
    unknown = world.client.get("/api/v1/institutions", headers={"Authorization": "Bearer sl_not-a-token"})
    assert_refused(unknown, 401)
    assert unknown.headers["www-authenticate"] == "Bearer"
    h = world.headers("county_officer")
    assert world.client.get("/api/v1/auth/me", headers=h).json()["role"] == "county_officer"
    assert world.client.delete("/api/v1/auth/token", headers=h).status_code == 204
    assert_refused(world.client.get("/api/v1/institutions", headers=h), 401)
    assert_refused(world.client.get("/api/v1/auth/me", headers=h), 401)


def test_repeated_failed_logins_make_the_address_wait(world: World) -> None:
    """After login_max_failures wrong passwords from one address, that address is refused even with the right
    password, with the same 401 as a wrong password (no enumeration); other accounts are not affected."""
    limit = world.settings.login_max_failures
    for _ in range(limit):
        failed = world.client.post("/api/v1/auth/token", json={"username": "firm", "password": "wrong-password!"})
        assert_refused(failed, 401)
    waiting = world.client.post("/api/v1/auth/token", json={"username": "firm", "password": PASSWORD})
    assert_refused(waiting, 401)
    assert waiting.json() == failed.json()
    assert log_in(world.client, "firm").status_code == 401
    other = world.client.post("/api/v1/auth/token", json={"username": "school", "password": PASSWORD})
    assert other.status_code == 201  # only the attacked account is refused
    with world.db.engine.connect() as conn:
        failures = conn.execute(sa.select(sa.func.count()).select_from(audit_log)
                                .where(audit_log.c.action == "login_failed")
                                .where(audit_log.c.username == "firm")).scalar_one()
    assert failures == limit


# ------------------------------------------------------------------------------------------------ planning and scenarios
# (role → status) for the planning routes, written out by hand: the plan and scenarios are for the city admin and
# county officers, matching for every logged-in user, nothing for the public
PLANNERS_ONLY = {"public": 401, "city_admin": 200, "county_officer": 200, "school_user": 403, "enterprise_user": 403}
LOGGED_IN = {"public": 401, "city_admin": 200, "county_officer": 200, "school_user": 200, "enterprise_user": 200}
MATCH_FILE = {"students": {"s1": ["p1"], "s2": ["p1"]}, "positions": {"p1": {"capacity": 1, "preferences": ["s2", "s1"]}}}


@pytest.mark.parametrize("role", ROLES)
def test_planning_routes_follow_the_roles(demo: World, role: str) -> None:
    h = demo.headers(role)
    with demo.db.engine.connect() as conn:
        county = conn.execute(sa.select(users.c.county_code).where(users.c.username == "county")).scalar_one()
    plant = {"county": county, "from_year": 2024, "occupations": [{"code": CNC, "workers": 100}]}
    admin = demo.headers("city_admin")
    existing = demo.client.post("/api/v1/scenarios", json={"name": f"矩阵-{role}", "kind": "plant", "spec": plant},
                                headers=admin).json()["id"]
    expected = PLANNERS_ONLY[role]
    for method, url, body in (("get", "/api/v1/scenarios", None), ("get", f"/api/v1/scenarios/{existing}", None),
                              ("get", f"/api/v1/scenarios/compare?ids={existing}", None),
                              ("post", "/api/v1/plan", {"time_limit": 20})):
        response = getattr(demo.client, method)(url, headers=h, **({"json": body} if body is not None else {}))
        if expected == 200:
            assert response.status_code == 200, (url, response.text[:300])
        else:
            assert_refused(response, expected)
    created = demo.client.post("/api/v1/scenarios", json={"name": f"新-{role}", "kind": "plant", "spec": plant}, headers=h)
    deleted = demo.client.delete(f"/api/v1/scenarios/{existing}", headers=h)
    if expected == 200:
        assert created.status_code == 201, created.text
        assert created.json()["region_code"] == (county if role == "county_officer" else CITY)
        assert deleted.status_code == (204 if role == "city_admin" else 403), deleted.text  # the city's: admins only
    else:
        assert_refused(created, expected)
        assert_refused(deleted, expected)
    matched = demo.client.post("/api/v1/match", json=MATCH_FILE, headers=h)
    if LOGGED_IN[role] == 200:
        assert matched.status_code == 200 and matched.json()["matching"] == {"p1": ["s2"]}, matched.text
    else:
        assert_refused(matched, 401)


def test_a_county_officers_plan_lists_only_its_schools(demo: World) -> None:
    with demo.db.engine.connect() as conn:
        county = conn.execute(sa.select(users.c.county_code).where(users.c.username == "county")).scalar_one()
        own = set(conn.execute(sa.text("SELECT code FROM institutions WHERE county_code = :c"), {"c": county}).scalars())
    body = demo.client.post("/api/v1/plan", json={}, headers=demo.headers("county_officer")).json()
    assert body["plan"] and {r["institution_code"] for r in body["plan"]} <= own
    everything = demo.client.post("/api/v1/plan", json={}, headers=demo.headers("city_admin")).json()
    assert len(everything["plan"]) > len(body["plan"])
    city, own_view = dict(everything["effect"]), dict(body["effect"])  # the city's effect for both
    for scenario, same in zip(city.pop("scenarios"), own_view.pop("scenarios"), strict=True):
        assert scenario.pop("scenario") == same.pop("scenario") and scenario == pytest.approx(same, rel=1e-9)
    assert city == pytest.approx(own_view, rel=1e-9)
