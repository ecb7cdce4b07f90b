"""招聘数据上传 over HTTP: a GBK postings export with the headers 岗位名称/公司名称/工作地点/薪资/学历要求/发布日期 is
auto-mapped field by field, previewed (rows counted, dropped by reason with examples, fields that could not be read),
re-mapped with the drop-downs (a missing title is said beside its drop-down and blocks the import), then imported
into the hub as ``silian postings import --load`` does (same loaded count), audited, with the review queue saved and
linked. Only the city admin may; the public is sent to the login page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from silian.services.postings.importing import PostingsImport, import_postings
from silian.storage.platform_schema import audit_log
from tests.support.demo import DemoTemplate
from tests.web.test_permissions import World, make_world

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "postings" / "liepin_2019-12_data_analyst_postings.csv"
HEADERS = ["岗位名称", "公司名称", "工作地点", "薪资", "学历要求", "发布日期"]


def gbk_export(rows: int = 240) -> bytes:
    """The real sample's first rows in another layout, as GBK: places in 郑州 (so they load into the demo hub),
    a few unreadable salaries and places, and reposts."""
    src = pl.read_csv(SAMPLE, infer_schema=False).head(rows)
    places = ["郑州-金水区", "郑州-中原区", "郑州", "河南", "某地"]
    frame = pl.DataFrame({
        "岗位名称": src["岗位名称"], "公司名称": src["公司名称"],
        "工作地点": [places[i % len(places)] for i in range(src.height)],
        "薪资": [("有竞争力的薪酬" if i % 17 == 0 else f"{low}-{high}K") for i, (low, high) in
               enumerate(zip(src["薪酬low"], src["薪酬high"], strict=True))],
        "学历要求": src["学历"], "发布日期": src["发布日期"]})
    frame = pl.concat([frame, frame.head(10)])  # reposts
    return frame.write_csv().encode("gbk", errors="replace")


@pytest.fixture(scope="module")
def site(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("postings-upload")
    db = demo_template.database(folder / "hub.db")
    yield from make_world(db, folder, {"county_officer": {"county_code": "410102"}})
    db.dispose()


def selected(html: str, field: str) -> str:
    block = html.split(f'id="map-{field}"', 1)[1].split("</select>", 1)[0]
    hit = re.search(r'<option value="([^"]*)" selected>', block)
    return hit.group(1) if hit else ""


def upload(site: World, body: bytes, name: str = "招聘导出.csv") -> str:
    response = site.client.post("/data/postings", headers=site.headers("city_admin"), follow_redirects=False,
                                files={"file": (name, body, "text/csv")})
    assert response.status_code == 303, response.text[:400]
    return str(response.headers["location"])


def test_only_the_city_admin_uploads_postings(site: World) -> None:
    assert site.client.get("/data/postings", follow_redirects=False).headers["location"].startswith("/login")
    for role in ("county_officer", "school_user", "enterprise_user"):
        assert site.get(role, "/data/postings").status_code == 403
    page = site.get("city_admin", "/data/postings")
    assert page.status_code == 200 and 'href="/dashboard/postings/review"' in page.text


def test_a_gbk_export_is_mapped_previewed_and_imported(site: World, trained_classifier: object, tmp_path: Path) -> None:
    body = gbk_export()
    where = upload(site, body)
    assert site.get("county_officer", where).status_code == 403  # the admin's own upload
    page = site.get("city_admin", where)
    assert page.status_code == 200, page.text[:400]
    assert {f: selected(page.text, f) for f in ("title", "company", "city", "salary", "education", "date")} == {
        "title": "岗位名称", "company": "公司名称", "city": "工作地点", "salary": "薪资", "education": "学历要求",
        "date": "发布日期"}
    assert "gb18030" in page.text and 'id="count-kept"' in page.text
    dropped = {row.split('"', 1)[0]: row for row in page.text.split('<tr data-reason="')[1:]}
    assert {"duplicates", "review", "no_place_or_date"} <= set(dropped)
    reposts = int(dropped["duplicates"].split('class="num">', 1)[1].split("<", 1)[0].replace(",", ""))
    assert reposts >= 10 and "某地" in dropped["no_place_or_date"]  # the reposts; an unknown place as an example
    assert "薪资：没有数字" in page.text and "有竞争力的薪酬" in page.text  # an unreadable salary, by reason

    form = {"csrf_token": "", "action": "preview", **{f"map_{f}": selected(page.text, f) for f in (
        "company", "city", "salary", "education", "date")}, "map_title": ""}
    missing = site.client.post(where, headers=site.headers("city_admin"), data=form)
    assert missing.status_code == 400 and 'id="problem-title"' in missing.text and "必须指定“岗位名称”" in missing.text
    assert re.search(r'id="mapping-import"[^>]*disabled', missing.text)
    blocked = site.client.post(where, headers=site.headers("city_admin"), data={**form, "action": "import"})
    assert blocked.status_code == 400 and 'id="import-done"' not in blocked.text

    kept = int(re.search(r'id="count-kept"><b>计入需求 ([\d,]+) 条', page.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    done = site.client.post(where, headers=site.headers("city_admin"), data={**form, "map_title": "岗位名称", "action": "import"})
    assert done.status_code == 200 and 'id="import-done"' in done.text and 'href="/dashboard/postings/review"' in done.text
    loaded = int(re.search(r"已载入需求表（来源 posting）：([\d,]+) 行", done.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    with site.db.engine.connect() as conn:
        in_hub = conn.execute(sa.text("SELECT count(*), sum(count) FROM demand WHERE source = 'posting'")).one()
        audit = conn.execute(sa.select(audit_log.c.after).where(audit_log.c.action == "postings_import")).scalars().all()
    assert in_hub[0] == loaded > 0 and in_hub[1] == kept  # every posting counted in the preview is in the hub
    assert len(audit) == 1 and "岗位名称" in audit[0]
    assert site.get("city_admin", where).status_code == 404  # imported: the upload is gone

    again = tmp_path / "招聘导出.csv"  # the command line's use-case on the same file gives the same demand
    again.write_bytes(body)
    _, summary = import_postings(PostingsImport(file=again, load=True), settings=site.settings, database=site.db)
    assert summary["loaded"] == loaded


def test_an_unreadable_upload_is_refused_beside_the_form(site: World) -> None:
    refused = site.client.post("/data/postings", headers=site.headers("city_admin"),
                               files={"file": ("招聘.txt", b"abc", "text/plain")})
    assert refused.status_code == 400 and 'id="postings-error"' in refused.text
    english = site.client.get("/data/postings?lang=en", headers=site.headers("city_admin")).text
    assert "Upload a postings export" in english and "上传" not in english.split("<main>")[1]
