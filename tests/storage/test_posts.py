"""The demand-sharing platform's services on SQLite and PostgreSQL: publishing with validation and ownership,
who sees which posts, search, responses, accept → cooperation record, recommendations with hand-computed scores,
and posts as declared demand in the supply–demand alignment.

The toy region (hand-checkable): 郑州市 with counties 金水区 (410105: school S1, enterprise E1) and 中原区 (410102:
school S2, enterprise E2); 开封市 with 龙亭区 (410202: school S3). Graduates entering work in 2024: S1 机械加工技术
(660102) 40 − 10 = 30; S2 660102 12 − 2 = 10 and 数控技术应用 (660103) 50; S3 660102 60. 车工 (6-18-01-01) is linked
to 660102 alone by the MOHRSS crosswalk, 多工序数控机床操作调整工 (6-18-01-07) to both; 660103 is in the same
专业类 (6601) as 660102. S1 and E1 have one cooperation record; E2 declared 8 × 6-18-01-07 for 2024.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from silian.domain.access import PUBLIC, Principal
from silian.domain.credit_code import make_credit_code
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied
from silian.services import platform_posts as svc
from silian.services import recommend
from silian.services.imports import load_frame
from silian.storage.database import Database
from silian.storage.platform_schema import audit_log, post_responses
from silian.storage.schema import hub_tables

CITY, JINSHUI, ZHONGYUAN, KAIFENG, LONGTING = "410100", "410105", "410102", "410200", "410202"
S1, S2, S3 = "9410100001", "9410100002", "9410200003"
E1, E2 = make_credit_code("91410105MA0000001"), make_credit_code("91410102MA0000002")
LATHE = "6-18-01-01"  # 车工 → 660102 only
CNC_OPERATOR = "6-18-01-07"  # 多工序数控机床操作调整工 → 660102 and 660103
MACHINING, CNC = "660102", "660103"

ADMIN = Principal(role="city_admin", user_id=1, username="admin")
FIRM1 = Principal(role="enterprise_user", user_id=2, username="firm1", enterprise_credit_code=E1)
FIRM2 = Principal(role="enterprise_user", user_id=3, username="firm2", enterprise_credit_code=E2)
SCHOOL1 = Principal(role="school_user", user_id=4, username="school1", institution_code=S1)
SCHOOL2 = Principal(role="school_user", user_id=5, username="school2", institution_code=S2)
SCHOOL3 = Principal(role="school_user", user_id=6, username="school3", institution_code=S3)
COUNTY = Principal(role="county_officer", user_id=7, username="county", county_code=JINSHUI)


def _points(school: str, major: str, graduates: int, continued: int) -> dict[str, Any]:
    return {"institution_code": school, "major_code": major, "year": 2024, "enrolment": 50, "students": 150,
            "graduates": graduates, "continued": continued}


SEED: dict[str, list[dict[str, Any]]] = {
    "regions": [{"code": "410000", "name": "河南省", "level": "省"},
                {"code": CITY, "name": "郑州市", "level": "市", "parent_code": "410000"},
                {"code": KAIFENG, "name": "开封市", "level": "市", "parent_code": "410000"},
                {"code": JINSHUI, "name": "金水区", "level": "县", "parent_code": CITY},
                {"code": ZHONGYUAN, "name": "中原区", "level": "县", "parent_code": CITY},
                {"code": LONGTING, "name": "龙亭区", "level": "县", "parent_code": KAIFENG}],
    "institutions": [{"code": S1, "name": "金水职专", "level": "中职", "ownership": "公办", "county_code": JINSHUI},
                     {"code": S2, "name": "中原职专", "level": "中职", "ownership": "公办", "county_code": ZHONGYUAN},
                     {"code": S3, "name": "开封职专", "level": "中职", "ownership": "公办", "county_code": LONGTING}],
    "enterprises": [{"credit_code": E1, "name": "金水机床", "industry_code": "34", "county_code": JINSHUI},
                    {"credit_code": E2, "name": "中原数控", "industry_code": "34", "county_code": ZHONGYUAN}],
    "major_points": [_points(S1, MACHINING, 40, 10), _points(S2, MACHINING, 12, 2), _points(S2, CNC, 50, 0),
                     _points(S3, MACHINING, 60, 0)],
    "cooperation": [{"kind": "实训基地", "institution_code": S1, "enterprise_credit_code": E1, "major_code": MACHINING,
                     "name": "金水机床实训基地", "start_year": 2022}],
    "demand": [{"source": "declared", "region_code": ZHONGYUAN, "period": "2024", "enterprise_credit_code": E2,
                "occupation_code": CNC_OPERATOR, "skill_level": "中级工", "count": 8}],
}


def seed_toy_region(db: Database) -> None:
    """Load the toy region described in the module docstring."""
    with db.begin() as conn:
        for table, rows in SEED.items():
            columns = list(dict.fromkeys(k for r in rows for k in r))
            frame = pl.DataFrame([{k: None if r.get(k) is None else str(r[k]) for k in columns} for r in rows],
                                 schema={k: pl.String for k in columns}, orient="row")
            load_frame(conn, table, frame, generated=False, label=f"test:{table}")


@pytest.fixture
def region(db: Database) -> Database:
    seed_toy_region(db)
    return db


def lathe_post(db: Database, who: Principal = FIRM1, **changes: Any) -> dict[str, Any]:
    values = {"kind": "talent_demand", "title": "招聘车工 20 名", "description": "两班倒，包食宿",
              "occupation_code": LATHE, "count": 20, "period": "2024", "skill_level": "中级工", **changes}
    return svc.create_post(db, who, values)


def _audit(db: Database, entity: str) -> list[Any]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(audit_log).where(audit_log.c.entity == entity).order_by(audit_log.c.id)).all()


# ---------------------------------------------------------------- publishing

def test_enterprise_publishes_for_its_own_enterprise(region: Database) -> None:
    post = lathe_post(region)
    assert post["enterprise_credit_code"] == E1 and post["institution_code"] is None
    assert post["region_code"] == JINSHUI and post["status"] == "open" and post["owner_name"] == "金水机床"
    assert post["occupation_name"] == "车工" and post["kind_name"] == "人才需求"
    no_level = svc.create_post(region, FIRM1, {"kind": "order_class", "title": "数控订单班", "major_code": CNC, "count": 30,
                                               "period": "2025-09"})
    assert no_level["skill_level"] == "不限" and no_level["period"] == "2025-09"
    rows = _audit(region, "posts")
    assert [r.action for r in rows] == ["create", "create"] and rows[0].username == "firm1" and "招聘车工" in rows[0].after


def test_only_the_owner_may_publish(region: Database) -> None:
    with pytest.raises(PermissionDenied):
        lathe_post(region, FIRM1, enterprise_credit_code=E2)
    with pytest.raises(PermissionDenied):  # an enterprise cannot post a school's supply
        svc.create_post(region, FIRM1, {"kind": "school_supply", "title": "x", "institution_code": S1, "major_code": MACHINING,
                                        "count": 5, "period": "2024"})
    with pytest.raises(PermissionDenied):  # a school cannot post talent demand
        lathe_post(region, SCHOOL1, enterprise_credit_code=E1)
    for who in (COUNTY, PUBLIC):
        with pytest.raises(PermissionDenied):
            lathe_post(region, who, enterprise_credit_code=E1)
    assert lathe_post(region, ADMIN, enterprise_credit_code=E2)["owner_name"] == "中原数控"
    supply = svc.create_post(region, SCHOOL2, {"kind": "school_supply", "title": "2025 届数控毕业生", "major_code": CNC,
                                               "count": 48, "period": "2025"})
    assert supply["institution_code"] == S2 and supply["region_code"] == ZHONGYUAN and supply["enterprise_credit_code"] is None


@pytest.mark.parametrize(("changes", "column"), [
    ({"occupation_code": "6-99-99-99"}, "occupation_code"),          # not in the 大典
    ({"occupation_code": "6-18-01"}, "occupation_code"),             # a 小类, not a 细类
    ({"count": -1}, "count"),
    ({"period": "2024-13"}, "period"),
    ({"major_code": "999999", "occupation_code": None}, "major_code"),
    ({"skill_level": "大师"}, "skill_level"),
    ({"kind": "gossip"}, "kind"),
    ({"title": ""}, "title"),
])
def test_posts_are_validated_like_imported_rows(region: Database, changes: dict[str, Any], column: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        lathe_post(region, ADMIN, enterprise_credit_code=E1, **changes)
    assert column in {p.column for p in caught.value.problems}
    assert all(p.message and p.fix for p in caught.value.problems)


def test_demand_needs_an_occupation_or_a_major_and_supply_a_major_of_the_schools_level(region: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        lathe_post(region, occupation_code=None)
    assert "至少填写一项" in caught.value.problems[0].message
    assert svc.create_post(region, FIRM1, {"kind": "tech_need", "title": "夹具改造", "count": 0, "period": "2024"})["id"]
    with pytest.raises(ImportRejected) as caught:  # 460103 is a 高职专科 major; S1 is a 中职 school
        svc.create_post(region, SCHOOL1, {"kind": "school_offer", "title": "x", "major_code": "460103", "count": 5, "period": "2024"})
    assert caught.value.problems[0].column == "major_code"
    with pytest.raises(ImportRejected):  # a school post needs a major
        svc.create_post(region, SCHOOL1, {"kind": "school_offer", "title": "x", "count": 5, "period": "2024"})


# ---------------------------------------------------------------- seeing and searching

def test_who_sees_which_posts(region: Database) -> None:
    open_post = lathe_post(region)
    closed = lathe_post(region, title="已招满")
    svc.close_post(region, FIRM1, closed["id"])
    far = lathe_post(region, FIRM2, title="中原区车工")
    seen = {who.username: {p["id"] for p in svc.list_posts(region, who).data}
            for who in (ADMIN, FIRM1, FIRM2, SCHOOL1, COUNTY)}
    assert seen["admin"] == {open_post["id"], closed["id"], far["id"]}
    assert seen["firm1"] == {open_post["id"], closed["id"], far["id"]}      # its own closed post too
    assert seen["firm2"] == seen["school1"] == {open_post["id"], far["id"]}  # open posts only
    assert seen["county"] == {open_post["id"], closed["id"]}                # its county's posts
    assert svc.list_posts(region, PUBLIC).count == 0
    for who in (FIRM2, SCHOOL1, PUBLIC):
        with pytest.raises(NotFound):
            svc.get_post(region, who, closed["id"])
    assert svc.post_summary(region)[0] == {"kind": "talent_demand", "kind_name": "人才需求", "posts": 2, "total": 40}


def test_search_filters_sorting_and_pages(region: Database) -> None:
    lathe = lathe_post(region, description="数控车床经验优先")
    cnc = lathe_post(region, FIRM2, title="数控操作工", occupation_code=CNC_OPERATOR, count=5, skill_level="高级工")
    order = svc.create_post(region, FIRM2, {"kind": "order_class", "title": "订单班", "major_code": MACHINING, "count": 30,
                                            "period": "2025"})

    def ids(**kw: Any) -> list[int]:
        sort = kw.pop("sort", None)
        return [p["id"] for p in svc.list_posts(region, SCHOOL1, svc.PostFilters(**kw), sort=sort).data]

    assert ids(kind="order_class") == [order["id"]]
    assert ids(skill_level="高级工") == [cnc["id"]]
    assert ids(county=JINSHUI) == [lathe["id"]]
    assert ids(q="数控") == [cnc["id"], lathe["id"]]                      # title or description, newest first
    assert ids(major_code=CNC) == [cnc["id"]]         # 多工序数控机床操作调整工 is linked to 660103, 车工 is not
    assert ids(major_code=MACHINING) == [order["id"], cnc["id"], lathe["id"]]  # both occupations lead to 660102
    assert ids(occupation_code=LATHE) == [order["id"], lathe["id"]]        # 660102 leads to 车工
    assert ids(sort="count") == [cnc["id"], lathe["id"], order["id"]]
    assert ids(sort="-count") == [order["id"], lathe["id"], cnc["id"]]
    assert [p["id"] for p in svc.list_posts(region, FIRM2, svc.PostFilters(mine=True)).data] == [order["id"], cnc["id"]]
    page2 = svc.list_posts(region, SCHOOL1, sort="id", page=2, page_size=2)
    assert page2.count == 3 and [p["id"] for p in page2.data] == [order["id"]]
    with pytest.raises(InvalidInput):
        svc.list_posts(region, SCHOOL1, sort="password")
    with pytest.raises(InvalidInput):
        svc.list_posts(region, SCHOOL1, svc.PostFilters(kind="gossip"))


def test_update_and_close_only_by_the_owner(region: Database) -> None:
    post = lathe_post(region)
    assert svc.update_post(region, FIRM1, post["id"], {"count": 25, "description": "改为 25 人"})["count"] == 25
    for who in (FIRM2, SCHOOL1, COUNTY):
        with pytest.raises(PermissionDenied):
            svc.update_post(region, who, post["id"], {"count": 1})
        with pytest.raises(PermissionDenied):
            svc.close_post(region, who, post["id"])
    with pytest.raises(ImportRejected):
        svc.update_post(region, FIRM1, post["id"], {"period": "明年"})
    with pytest.raises(InvalidInput):
        svc.update_post(region, FIRM1, post["id"], {"enterprise_credit_code": E2})
    assert svc.close_post(region, ADMIN, post["id"])["status"] == "closed"
    with pytest.raises(InvalidInput):
        svc.update_post(region, FIRM1, post["id"], {"count": 30})
    assert svc.get_post(region, FIRM1, post["id"])["count"] == 25
    assert [r.action for r in _audit(region, "posts")] == ["create", "update", "update"]


# ---------------------------------------------------------------- responses and cooperation

def test_respond_accept_becomes_a_cooperation_record(region: Database) -> None:
    post = lathe_post(region)
    first = svc.respond(region, SCHOOL1, post["id"], {"major_code": MACHINING, "seats": 15, "message": "可开订单班"})
    second = svc.respond(region, SCHOOL3, post["id"], {"major_code": MACHINING, "seats": 5})
    assert first["status"] == "pending" and first["enterprise_credit_code"] == E1 and first["institution_name"] == "金水职专"
    assert [r["id"] for r in svc.list_responses(region, FIRM1, post["id"])] == [first["id"], second["id"]]
    assert [r["id"] for r in svc.list_responses(region, SCHOOL3, post["id"])] == [second["id"]]  # its own only
    for who in (FIRM2, COUNTY):
        with pytest.raises(PermissionDenied):
            svc.list_responses(region, who, post["id"])
    for who in (FIRM2, SCHOOL1, SCHOOL3, COUNTY):
        with pytest.raises(PermissionDenied):
            svc.decide(region, who, post["id"], first["id"], accept=True)

    accepted = svc.decide(region, FIRM1, post["id"], first["id"], accept=True)
    declined = svc.decide(region, FIRM1, post["id"], second["id"], accept=False)
    assert accepted["status"] == "accepted" and accepted["decided_at"] is not None
    assert declined["status"] == "declined" and declined["cooperation_id"] is None
    coop = accepted["cooperation"]
    assert accepted["cooperation_id"] == coop["id"]
    assert coop["kind"] == "订单班" and coop["institution_code"] == S1 and coop["enterprise_credit_code"] == E1
    assert coop["major_code"] == MACHINING and coop["participants"] == 15 and f"#{post['id']}" in coop["name"]
    table = hub_tables["cooperation"]
    with region.engine.connect() as conn:
        stored = conn.execute(sa.select(table).where(table.c.id == coop["id"])).one()
    assert stored.is_generated is False and stored.name == coop["name"]
    with pytest.raises(InvalidInput):
        svc.decide(region, FIRM1, post["id"], first["id"], accept=False)
    assert [r.action for r in _audit(region, "cooperation")] == ["create"]
    assert [r.action for r in _audit(region, "post_responses")] == ["create", "create", "update", "update"]
    assert svc.list_responses(region, SCHOOL1, post["id"])[0]["cooperation"]["id"] == coop["id"]


def test_apprenticeship_becomes_modern_apprenticeship_and_tech_needs_no_cooperation(region: Database) -> None:
    seats = svc.create_post(region, ADMIN, {"kind": "apprenticeship", "title": "学徒岗位", "enterprise_credit_code": E2,
                                            "major_code": CNC, "count": 10, "period": "2025"})
    response = svc.respond(region, SCHOOL2, seats["id"], {"major_code": CNC, "seats": 10})
    assert svc.decide(region, ADMIN, seats["id"], response["id"], accept=True)["cooperation"]["kind"] == "现代学徒制"
    need = svc.create_post(region, FIRM2, {"kind": "tech_need", "title": "工艺改进", "count": 0, "period": "2024"})
    response = svc.respond(region, SCHOOL2, need["id"], {"seats": 0, "message": "可派教师团队"})
    decided = svc.decide(region, FIRM2, need["id"], response["id"], accept=True)
    assert decided["status"] == "accepted" and decided["cooperation"] is None


def test_who_may_respond_and_when(region: Database) -> None:
    post = lathe_post(region)
    for who in (FIRM1, FIRM2, COUNTY, ADMIN, PUBLIC):
        with pytest.raises(PermissionDenied):
            svc.respond(region, who, post["id"], {"major_code": MACHINING, "seats": 1})
    with pytest.raises(ImportRejected):  # talent demand: the response names the school's major
        svc.respond(region, SCHOOL1, post["id"], {"seats": 5})
    with pytest.raises(ImportRejected):
        svc.respond(region, SCHOOL1, post["id"], {"major_code": MACHINING, "seats": -5})
    svc.respond(region, SCHOOL1, post["id"], {"major_code": MACHINING, "seats": 5})
    with pytest.raises(InvalidInput, match="已响应"):
        svc.respond(region, SCHOOL1, post["id"], {"major_code": MACHINING, "seats": 6})
    supply = svc.create_post(region, SCHOOL2, {"kind": "school_offer", "title": "数控订单班合作", "major_code": CNC,
                                               "count": 20, "period": "2025"})
    with pytest.raises(InvalidInput):  # schools answer enterprise posts only
        svc.respond(region, SCHOOL1, supply["id"], {"major_code": MACHINING, "seats": 5})
    svc.close_post(region, FIRM1, post["id"])
    with pytest.raises(InvalidInput, match="已关闭"):  # S1 answered, so it still sees the closed post
        svc.respond(region, SCHOOL1, post["id"], {"major_code": MACHINING, "seats": 6})
    assert svc.get_post(region, SCHOOL1, post["id"])["status"] == "closed"
    with pytest.raises(NotFound):  # S3 never answered: a closed post is not shown to it
        svc.respond(region, SCHOOL3, post["id"], {"major_code": MACHINING, "seats": 6})
    with region.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(post_responses)).scalar_one() == 1


# ---------------------------------------------------------------- recommendations

def test_schools_recommended_for_a_demand_post_with_hand_computed_scores(region: Database) -> None:
    post = lathe_post(region)
    result = recommend.recommend_for_post(region, FIRM1, post["id"])
    got = [(r.code, r.major_code, r.score) for r in result.items]
    # S1: 0.4·1 + 0.3·min(1, 30/20) + 0.15·1 (same county) + 0.15·0.5 (one record) = 0.925
    # S3: 0.4 + 0.3 + 0.15·0.2 (another city) = 0.73;  S2 660102: 0.4 + 0.3·10/20 + 0.15·0.6 = 0.64
    # S2 660103 (same 专业类): 0.4·0.5 + 0.3 + 0.15·0.6 = 0.59
    assert got == [(S1, MACHINING, 0.925), (S3, MACHINING, 0.73), (S2, MACHINING, 0.64), (S2, CNC, 0.59)]
    assert result.target == "schools" and result.weights == recommend.WEIGHTS
    best = result.items[0]
    assert (best.fit, best.capacity, best.distance, best.cooperation, best.volume) == (1.0, 1.0, 1.0, 0.5, 30.0)
    assert "车工" in best.reason and "30" in best.reason and "金水区" in best.reason and "实训基地" in best.reason
    assert "机械设计制造类" in result.items[-1].reason
    assert [r.code for r in recommend.recommend_for_post(region, ADMIN, post["id"], limit=2).items] == [S1, S3]
    for who in (FIRM2, SCHOOL1, COUNTY):
        with pytest.raises(PermissionDenied):
            recommend.recommend_for_post(region, who, post["id"])


def test_enterprises_recommended_for_a_school_offer(region: Database) -> None:
    lathe_post(region)  # E1 wants 车工: 660102, the same 专业类 as 660103
    offer = svc.create_post(region, SCHOOL2, {"kind": "school_offer", "title": "数控订单班", "major_code": CNC, "count": 10,
                                              "period": "2025"})
    result = recommend.recommend_for_post(region, SCHOOL2, offer["id"])
    # E2: declared 8 × 多工序数控机床操作调整工 (→ 660103): 0.4 + 0.3·8/10 + 0.15·1 (same county) = 0.79
    # E1: 20 × 车工 (same class): 0.4·0.5 + 0.3·1 + 0.15·0.6 = 0.59
    assert result.target == "enterprises"
    assert [(r.code, r.score) for r in result.items] == [(E2, 0.79), (E1, 0.59)]
    assert "申报需求 1 条" in result.items[0].reason and "需求帖 1 条" in result.items[1].reason


def test_posts_recommended_for_a_school(region: Database) -> None:
    lathe = lathe_post(region)
    order = svc.create_post(region, FIRM2, {"kind": "order_class", "title": "数控订单班", "major_code": CNC, "count": 40,
                                            "period": "2025"})
    result = recommend.recommend_posts_for_school(region, SCHOOL2)
    # order: 660103 fit 1, 50/40 → 1, same county 1 → 0.85; lathe: S2's best is 660102 at 0.64
    assert [(r.post_id, r.major_code, r.score) for r in result.items] == [(order["id"], CNC, 0.85), (lathe["id"], MACHINING, 0.64)]
    with pytest.raises(PermissionDenied):
        recommend.recommend_posts_for_school(region, FIRM1)
    assert recommend.recommend_posts_for_school(region, ADMIN, institution_code=S1).items[0].post_id == lathe["id"]


# ---------------------------------------------------------------- posts as declared demand

def test_a_talent_demand_post_raises_its_majors_demand_in_the_alignment(region: Database) -> None:
    from silian.analytics.alignment import gaps_by_major
    from silian.services.config import analysis_config, indicator_system
    from silian.services.hub import load_hub
    from silian.services.supply_demand import alignment_inputs, analyse_supply_demand
    from silian.settings import Settings

    settings = Settings(indicators_file=None)
    config, system = analysis_config(settings), indicator_system(settings)

    def machining() -> dict[str, Any]:
        hub = svc.with_post_demand(load_hub(region), region)
        by_major, _ = gaps_by_major(alignment_inputs(hub, get_catalog(), config, system), 2024)
        analysed = analyse_supply_demand(hub, get_catalog(), config, system, 2024).by_major
        row = by_major.filter(pl.col("major_code") == MACHINING).row(0, named=True)
        assert analysed.filter(pl.col("major_code") == MACHINING)["demand"][0] == row["demand"]
        return row

    from silian.catalog import get_catalog
    before = machining()  # E2's declared 8 × 6-18-01-07 is shared between 660102 and 660103 by graduates
    assert before["demand_declared"] == pytest.approx(8 * 112 / 162)
    post = lathe_post(region)  # 20 × 车工, 2024: all of it goes to 660102
    svc.create_post(region, FIRM1, {"kind": "order_class", "title": "不计入", "major_code": MACHINING, "count": 99, "period": "2024"})
    after = machining()
    assert after["demand_declared"] == pytest.approx(before["demand_declared"] + 20)
    assert after["demand"] > before["demand"]
    frame = svc.post_demand(region)
    assert frame.columns == list(svc.DEMAND_COLUMNS) and frame.row(0, named=True) == {
        "source": "declared", "region_code": JINSHUI, "period": "2024", "enterprise_credit_code": E1,
        "occupation_code": LATHE, "major_code": None, "skill_level": "中级工", "count": 20, "is_generated": False}
    svc.close_post(region, FIRM1, post["id"])
    assert svc.post_demand(region).height == 0
    assert machining()["demand_declared"] == pytest.approx(before["demand_declared"])
