"""The demand-sharing platform over HTTP, in-process, on SQLite and PostgreSQL: the post → respond → accept flow,
the one error shape for every refusal, nobody reading or changing another's post or response by id, the public's
aggregated view, and the pages (forms with CSRF tokens)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from silian.services.accounts import create_user
from silian.settings import Settings
from silian.storage.database import Database
from silian.web import create_app
from tests.storage.test_posts import CNC, E1, E2, JINSHUI, LATHE, MACHINING, S1, S2, S3, seed_toy_region

PASSWORD = "platform-test-password"
USERS = {"admin": ("city_admin", {}), "firm1": ("enterprise_user", {"enterprise_credit_code": E1}),
         "firm2": ("enterprise_user", {"enterprise_credit_code": E2}), "school1": ("school_user", {"institution_code": S1}),
         "school2": ("school_user", {"institution_code": S2}), "school3": ("school_user", {"institution_code": S3}),
         "county": ("county_officer", {"county_code": JINSHUI})}
LATHE_POST = {"kind": "talent_demand", "title": "招聘车工 20 名", "description": "两班倒", "occupation_code": LATHE,
              "count": 20, "period": "2024", "skill_level": "中级工"}


@dataclass
class Platform:
    """The app in-process over the toy region; users are created (and log in for a token) when first named."""

    client: TestClient
    db: Database
    tokens: dict[str, str]

    def h(self, user: str) -> dict[str, str]:
        if user == "public":
            return {}
        if user not in self.tokens:  # argon2 is slow on purpose: only the users a test names are made
            role, refs = USERS[user]
            create_user(self.db, username=user, password=PASSWORD, role=role, **refs)
            r = self.client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
            assert r.status_code == 201, r.text
            self.tokens[user] = r.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, url: str, user: str = "public") -> Any:
        return self.client.get(url, headers=self.h(user))

    def post(self, url: str, user: str = "public", json: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, headers=self.h(user), json=json)

    def patch(self, url: str, user: str, json: dict[str, Any]) -> Any:
        return self.client.patch(url, headers=self.h(user), json=json)


@pytest.fixture
def platform(db: Database, tmp_path) -> Iterator[Platform]:  # type: ignore[no-untyped-def]
    seed_toy_region(db)
    settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="platform-tests")
    with TestClient(create_app(settings, database=db)) as client:
        yield Platform(client, db, {})


def refused(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, and nothing else in the body."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    if code:
        assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


def test_post_respond_accept_flow(platform: Platform) -> None:
    r = platform.post("/api/v1/posts", "firm1", LATHE_POST)
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["enterprise_credit_code"] == E1 and post["region_code"] == JINSHUI and post["occupation_name"] == "车工"
    listed = platform.get(f"/api/v1/posts?occupation_code={LATHE}&sort=-count", "school1").json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == post["id"] and listed["page_size"] == 20
    assert platform.get(f"/api/v1/posts/{post['id']}", "school1").json()["title"] == LATHE_POST["title"]

    recs = platform.get(f"/api/v1/posts/{post['id']}/recommendations", "firm1").json()
    assert recs["target"] == "schools" and recs["weights"]["fit"] == 0.4
    assert [(x["code"], x["score"]) for x in recs["data"]][:2] == [(S1, 0.925), (S3, 0.73)] and "车工" in recs["data"][0]["reason"]

    r = platform.post(f"/api/v1/posts/{post['id']}/responses", "school1", {"major_code": MACHINING, "seats": 15, "message": "可开订单班"})
    assert r.status_code == 201, r.text
    response = r.json()
    assert response["status"] == "pending" and response["institution_name"] == "金水职专" and response["cooperation"] is None
    assert platform.get(f"/api/v1/posts/{post['id']}/responses", "firm1").json()["count"] == 1

    r = platform.post(f"/api/v1/posts/{post['id']}/responses/{response['id']}/accept", "firm1")
    assert r.status_code == 200, r.text
    coop = r.json()["cooperation"]
    assert r.json()["status"] == "accepted" and coop["kind"] == "订单班" and coop["participants"] == 15
    # the cooperation record is an ordinary hub record now, seen through the hub's own API by both sides
    for user in ("firm1", "school1"):
        record = platform.get(f"/api/v1/cooperation/{coop['id']}", user).json()
        assert record["institution_code"] == S1 and record["enterprise_credit_code"] == E1 and record["major_code"] == MACHINING
    refused(platform.post(f"/api/v1/posts/{post['id']}/responses/{response['id']}/decline", "firm1"), 400, "invalid_input")

    closed = platform.post(f"/api/v1/posts/{post['id']}/close", "firm1").json()
    assert closed["status"] == "closed"
    refused(platform.post(f"/api/v1/posts/{post['id']}/responses", "school1", {"major_code": MACHINING, "seats": 1}), 400)


def test_nobody_reads_or_changes_anothers_post_or_response(platform: Platform) -> None:
    post = platform.post("/api/v1/posts", "firm1", LATHE_POST).json()
    pid = post["id"]
    mine = platform.post(f"/api/v1/posts/{pid}/responses", "school1", {"major_code": MACHINING, "seats": 15}).json()
    other = platform.post("/api/v1/posts", "firm2", {**LATHE_POST, "title": "中原车工"}).json()
    theirs = platform.post(f"/api/v1/posts/{other['id']}/responses", "school2", {"major_code": MACHINING, "seats": 3}).json()

    refused(platform.patch(f"/api/v1/posts/{pid}", "firm2", {"count": 1}), 403, "forbidden")
    refused(platform.post(f"/api/v1/posts/{pid}/close", "firm2"), 403, "forbidden")
    refused(platform.get(f"/api/v1/posts/{pid}/responses", "firm2"), 403, "forbidden")
    refused(platform.get(f"/api/v1/posts/{pid}/recommendations", "firm2"), 403, "forbidden")
    refused(platform.get(f"/api/v1/posts/{pid}/recommendations", "school1"), 403, "forbidden")
    for user in ("firm2", "school1", "school3", "county"):
        refused(platform.post(f"/api/v1/posts/{pid}/responses/{mine['id']}/accept", user), 403, "forbidden")
    # a response id of another post is not found through this one, even by this post's owner
    refused(platform.post(f"/api/v1/posts/{pid}/responses/{theirs['id']}/accept", "firm1"), 404, "not_found")
    refused(platform.post(f"/api/v1/posts/{pid}/responses/{theirs['id']}/decline", "admin"), 404, "not_found")
    assert platform.get(f"/api/v1/posts/{pid}/responses", "school3").json() == {"data": [], "count": 0}  # only its own
    assert [r["id"] for r in platform.get(f"/api/v1/posts/{pid}/responses", "school1").json()["data"]] == [mine["id"]]
    refused(platform.post(f"/api/v1/posts/{pid}/responses", "firm2", {"seats": 1}), 403, "forbidden")
    refused(platform.post(f"/api/v1/posts/{pid}/responses", "school1", {"major_code": MACHINING, "seats": 2}), 400, "invalid_input")
    refused(platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "enterprise_credit_code": E2}), 403, "forbidden")
    refused(platform.post("/api/v1/posts", "school1", LATHE_POST), 403, "forbidden")

    platform.post(f"/api/v1/posts/{pid}/close", "firm1")
    for user in ("firm2", "school3"):  # a closed post is gone for those who had no part in it
        refused(platform.get(f"/api/v1/posts/{pid}", user), 404, "not_found")
        refused(platform.patch(f"/api/v1/posts/{pid}", user, {"count": 1}), 404, "not_found")
    assert platform.get(f"/api/v1/posts/{pid}", "county").json()["status"] == "closed"
    refused(platform.get(f"/api/v1/posts/{other['id']}", "county"), 404, "not_found")
    assert platform.get(f"/api/v1/posts/{pid}", "school1").json()["status"] == "closed"  # it answered


def test_the_public_sees_only_totals(platform: Platform) -> None:
    platform.post("/api/v1/posts", "firm1", LATHE_POST)
    platform.post("/api/v1/posts", "firm2", {**LATHE_POST, "title": "秘密项目", "count": 5})
    refused(platform.get("/api/v1/posts"), 401, "login_required")
    refused(platform.get("/api/v1/posts/1"), 401, "login_required")
    refused(platform.post("/api/v1/posts", json=LATHE_POST), 401, "login_required")
    r = platform.get("/api/v1/posts/summary")
    assert r.status_code == 200
    assert r.json()["data"][0] == {"kind": "talent_demand", "kind_name": "人才需求", "posts": 2, "total": 25}
    assert "秘密" not in r.text and E1 not in r.text


def test_bad_input_is_refused_with_every_problem(platform: Platform) -> None:
    err = refused(platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "occupation_code": "6-18-01"}), 422, "invalid_data")
    assert [p["column"] for p in err["problems"]] == ["occupation_code"] and err["problems"][0]["fix"]
    err = refused(platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "occupation_code": None, "major_code": "999999"}),
                  422, "invalid_data")
    assert "major_code" in {p["column"] for p in err["problems"]}
    err = refused(platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "period": "24", "count": -3, "kind": "x"}),
                  422, "invalid_request")
    assert {"period", "count", "kind"} <= {p["column"] for p in err["problems"]}
    refused(platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "owner": "me"}), 422, "invalid_request")
    refused(platform.get("/api/v1/posts?sort=secret", "firm1"), 400, "invalid_input")
    post = platform.post("/api/v1/posts", "firm1", LATHE_POST).json()
    err = refused(platform.post(f"/api/v1/posts/{post['id']}/responses", "school1", {"seats": 3}), 422, "invalid_data")
    assert err["problems"][0]["column"] == "major_code"
    english = platform.client.post("/api/v1/posts?lang=en", headers=platform.h("school1"), json=LATHE_POST).json()
    assert "own organisation" in english["error"]["message"]


def test_filters_pages_and_school_recommendations(platform: Platform) -> None:
    for i in range(3):
        platform.post("/api/v1/posts", "firm1", {**LATHE_POST, "title": f"车工 {i}", "count": 10 + i})
    order = platform.post("/api/v1/posts", "firm2", {"kind": "order_class", "title": "数控订单班", "major_code": CNC,
                                                      "count": 40, "period": "2025"}).json()
    page = platform.get("/api/v1/posts?sort=count&page=2&page_size=2", "school2").json()
    assert page["count"] == 4 and [p["count"] for p in page["data"]] == [12, 40]
    assert platform.get("/api/v1/posts?kind=order_class", "school2").json()["data"][0]["id"] == order["id"]
    assert platform.get("/api/v1/posts?q=订单", "school2").json()["count"] == 1
    assert platform.get(f"/api/v1/posts?county={JINSHUI}&mine=true", "firm1").json()["count"] == 3
    assert platform.get("/api/v1/posts?mine=true", "school2").json()["count"] == 0
    fitting = platform.get("/api/v1/recommendations", "school2").json()
    assert fitting["target"] == "posts" and fitting["data"][0]["post_id"] == order["id"] and fitting["data"][0]["score"] == 0.85
    refused(platform.get("/api/v1/recommendations", "firm1"), 403, "forbidden")
    assert platform.get(f"/api/v1/recommendations?institution_code={S2}", "admin").json()["data"][0]["post_id"] == order["id"]


def test_openapi_declares_every_error(platform: Platform) -> None:
    spec = platform.get("/api/v1/openapi.json", "admin").json()
    paths = {p: ops for p, ops in spec["paths"].items() if p.startswith(("/api/v1/posts", "/api/v1/recommendations"))}
    assert len(paths) == 10  # posts (7), recommendations for a school, for a post, for declared demand
    for path, ops in paths.items():
        for method, op in ops.items():
            errors = {c for c in op["responses"] if c.startswith("4")}
            assert {"401", "403"} <= errors, (method, path)
            if "{post_id}" in path:
                assert "404" in errors, (method, path)
    assert "PostCreate" in spec["components"]["schemas"] and "RecommendationList" in spec["components"]["schemas"]


# ---------------------------------------------------------------- pages

def _csrf(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _log_in(platform: Platform, username: str) -> None:
    platform.h(username)  # creates the user
    client = platform.client
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/platform"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_pages_publish_respond_accept(platform: Platform) -> None:
    client = platform.client
    public = client.get("/platform")
    assert public.status_code == 200 and 'id="post-summary"' in public.text and 'id="post-table"' not in public.text
    _log_in(platform, "firm1")
    form = client.get("/platform/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    values = {k: str(v) for k, v in LATHE_POST.items()}
    refused_page = client.post("/platform/new", data=values, follow_redirects=False)
    assert refused_page.status_code == 403  # no CSRF token
    bad = client.post("/platform/new", data={**values, "period": "明年", "csrf_token": _csrf(form.text)})
    assert bad.status_code == 422 and 'id="form-problems"' in bad.text and "时期" in bad.text
    r = client.post("/platform/new", data={**values, "csrf_token": _csrf(form.text)}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and 'id="recommendations"' in page.text and "0.93" in page.text  # S1 at 0.925
    post_id = int(r.headers["location"].rsplit("/", 1)[1])
    client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)

    _log_in(platform, "school1")
    page = client.get(f"/platform/posts/{post_id}")
    assert 'id="respond-form"' in page.text and 'id="recommendations"' not in page.text
    r = client.post(f"/platform/posts/{post_id}/respond", data={"major_code": MACHINING, "seats": "12", "message": "可以",
                                                                 "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/platform/posts/{post_id}")
    assert 'id="respond-form"' not in page.text and "待处理" in page.text
    assert client.post(f"/platform/posts/{post_id}/responses/1/accept", data={"csrf_token": _csrf(page.text)}).status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)

    _log_in(platform, "firm1")
    page = client.get(f"/platform/posts/{post_id}")
    rid = re.search(r'data-response-id="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"/platform/posts/{post_id}/responses/{rid}/accept", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 200 and "已接受" in r.text and 'class="pf-coop"' in r.text and "订单班" in r.text
    assert client.get("/platform/posts/999").status_code == 404
    listing = client.get("/platform?q=车工&lang=en")
    assert "Demand-sharing platform" in listing.text and LATHE_POST["title"] in listing.text
