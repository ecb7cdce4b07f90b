"""学生与岗位匹配 from Excel over HTTP and the command line: the template round-trips (one workbook with 学生 and 岗位
sheets, or two files), deferred acceptance ranks applicants by score, the result page and its .xlsx download (codes
as text), every problem at once with its sheet, row, column, value and fix, and `silian match FILE.xlsx -o OUT.xlsx`."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from silian.ingest.matching.template import match_template
from tests.support.cli import silian
from tests.web.test_permissions import World, make_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from silian.storage.database import Database
    folder = tmp_path_factory.mktemp("match-workbook")
    db = Database(f"sqlite:///{folder / 'hub.db'}")
    db.upgrade()
    yield from make_world(db, folder)
    db.dispose()


def workbook(students: list[list[object]], positions: list[list[object]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in (("学生", students), ("岗位", positions)):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def test_the_template_matches_and_downloads_as_excel(site: World) -> None:
    template = site.get("school_user", "/planning/match/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["学生", "岗位", "说明"]
    assert [c.value for c in book["学生"][1]][:4] == ["学生编号", "姓名", "成绩", "志愿1"]
    assert book["学生"]["A2"].number_format == "@" and book["学生"]["A2"].value == "S001"
    page = site.client.post("/planning/match", headers=site.headers("school_user"),
                            files={"file": ("模板.xlsx", template.content, XLSX)}, data={"method": "da"})
    assert page.status_code == 200 and "3 名学生中 3 名获得岗位（2 名是第一志愿）" in page.text
    assert 'data-student="S002"' in page.text and 'id="match-students-table"' in page.text
    link = page.text.split('id="match-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    result = openpyxl.load_workbook(io.BytesIO(base64.b64decode(link.split(",", 1)[1])))
    rows = [[c.value for c in row] for row in result["录取结果"].iter_rows(min_row=2)]
    # P01 has one seat: 李四 (91) beats 张三 (86.5), who gets his second choice
    assert rows == [["S001", "张三", 86.5, "P02", "汽车维修学徒岗", "示例汽车服务有限公司", 2],
                    ["S002", "李四", 91, "P01", "数控车工订单班", "示例装备制造有限公司", 1],
                    ["S003", "王五", 78, "P02", "汽车维修学徒岗", "示例汽车服务有限公司", 1]]
    assert result["录取结果"]["A2"].data_type == "s"


def test_two_files_and_codes_that_look_like_formulas_or_numbers(site: World) -> None:
    students = "学生编号,成绩,志愿1,志愿2\n=1+1,80,007,008\n0002,90,007,\n".encode("gbk")
    positions = "岗位编号,岗位名称,名额\n007,=HYPERLINK(\"x\"),1\n008,学徒,1\n".encode("utf-8-sig")
    page = site.client.post("/planning/match", headers=site.headers("enterprise_user"), data={"method": "da"},
                            files={"file": ("学生.csv", students, "text/csv"), "positions": ("岗位.csv", positions, "text/csv")})
    assert page.status_code == 200, page.text[-800:]
    link = page.text.split('id="match-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(link.split(",", 1)[1])))["录取结果"]
    assert [[c.value for c in row][:4] for row in sheet.iter_rows(min_row=2)] == [["=1+1", None, 80, "008"],
                                                                                    ["0002", None, 90, "007"]]
    assert sheet["A2"].data_type == "s"  # text, not a formula


def test_every_problem_is_listed_with_its_place_and_fix(site: World) -> None:
    bad = workbook([["学生编号", "成绩", "志愿1", "志愿2"], ["S1", "abc", "P9", "P1"], ["S1", 80, "P1"], ["S3", 70, "P1", "P1"]],
                   [["岗位编号", "名额"], ["P1", 1.5]])
    page = site.client.post("/planning/match", headers=site.headers("school_user"), data={"method": "da"},
                            files={"file": ("志愿.xlsx", bad, XLSX)})
    assert page.status_code == 422 and 'id="match-problems"' in page.text
    rows = [r.split("</tr>")[0] for r in page.text.split('id="match-problems"')[1].split("<tr>")[2:]]
    assert len(rows) == 5
    assert "志愿.xlsx › 学生" in rows[0] and "abc" in rows[0] and "填写数字" in rows[0]
    assert any("P9" in r and "志愿1" in r and "岗位”表中没有" in r for r in rows)
    assert any("与第 2 行重复" in r for r in rows) and any("与“志愿1”重复" in r for r in rows)
    assert "志愿.xlsx › 岗位" in rows[-1] and "1.5" in rows[-1]
    weights = site.client.post("/planning/match", headers=site.headers("school_user"), data={"method": "weights"},
                               files={"file": ("t.xlsx", match_template(), XLSX)})
    assert weights.status_code == 400 and "只支持延迟接受" in weights.text
    one_sheet = site.client.post("/planning/match", headers=site.headers("school_user"), data={"method": "da"},
                                 files={"file": ("学生.xlsx", _students_only(), XLSX)})
    assert one_sheet.status_code == 400 and "没有“学生”和“岗位”两个工作表" in one_sheet.text


def _students_only() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("学生").write_row(0, 0, ["学生编号", "志愿1"])
    book.close()
    return out.getvalue()


def test_the_command_line_matches_a_workbook_into_excel(tmp_path: Path) -> None:
    source, out = tmp_path / "志愿.xlsx", tmp_path / "结果.xlsx"
    source.write_bytes(match_template())
    result = silian("match", str(source), "-o", str(out), data_dir=tmp_path)
    assert "3 名学生中 3 名获得岗位" in result.stdout
    assert openpyxl.load_workbook(out).sheetnames == ["录取结果", "岗位", "说明"]
    assert '"P01": ["S002"]' in silian("match", str(source), "--json", data_dir=tmp_path).stdout
    assert silian("match", str(source), "--method", "weights", data_dir=tmp_path, check=False).returncode == 2
