"""Import and export on every backend: atomic rejection, idempotent re-import, encodings, bad files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from silian.domain.errors import ImportRejected, InvalidInput
from silian.ingest import validate
from silian.ingest.readers import read_table_file
from silian.services.imports import export_table, import_file, table_counts, template_for
from silian.settings import Settings
from silian.storage import repository
from silian.storage.database import Database

SETTINGS = Settings()

REGIONS = "区划代码,名称,层级,上级区划代码\n410100,郑州市,市,\n410105,金水区,县,410100\n410122,中牟县,县,410100\n"
SCHOOLS = (
    "学校代码,学校名称,办学层次,举办性质,所在县市区代码,是否入驻职教园区\n"
    "9410100001,郑州市第一中等专业学校,中职,公办,410105,是\n"
    "9410100002,郑州市财经学校,中职,公办,410122,否\n"
    "9410100003,郑州职业技术学院（示例）,高职专科,公办,410105,否\n"
)
POINTS_HEADER = "学校代码,专业代码,年份,招生数,在校生数,毕业生数,就业人数,对口就业人数,升学人数,本地就业人数\n"
POINTS = POINTS_HEADER + (
    "9410100001,660103,2023,120,340,100,30,20,65,25\n"
    "9410100001,730301,2023,200,560,180,40,15,120,30\n"
    "9410100002,730701,2023,150,420,130,35,10,80,30\n"
    "9410100003,460103,2023,300,900,280,250,200,20,180\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding) if encoding != "utf-8-sig" else b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


@pytest.fixture
def hub(db: Database, tmp_path: Path) -> Database:
    import_file(db, "regions", write(tmp_path / "regions.csv", REGIONS), SETTINGS)
    import_file(db, "institutions", write(tmp_path / "schools.csv", SCHOOLS), SETTINGS)
    return db


def snapshot(db: Database, table: str, tmp_path: Path) -> str:
    out = tmp_path / f"snap_{table}.csv"
    export_table(db, table, out)
    return out.read_text(encoding="utf-8-sig")


def test_good_file_imports_and_reimport_changes_nothing(hub: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "points.csv", POINTS)
    first = import_file(hub, "major_points", path, SETTINGS)
    assert (first.rows, first.inserted, first.updated) == (4, 4, 0)
    before = snapshot(hub, "major_points", tmp_path)
    again = import_file(hub, "major_points", path, SETTINGS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot(hub, "major_points", tmp_path) == before


def test_changed_row_is_updated_by_natural_key(hub: Database, tmp_path: Path) -> None:
    import_file(hub, "major_points", write(tmp_path / "p.csv", POINTS), SETTINGS)
    changed = POINTS.replace("9410100002,730701,2023,150", "9410100002,730701,2023,160")
    outcome = import_file(hub, "major_points", write(tmp_path / "p2.csv", changed), SETTINGS)
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 3)
    assert "730701,2023,160" in snapshot(hub, "major_points", tmp_path)


def test_one_bad_row_rejects_the_whole_file_and_changes_nothing(hub: Database, tmp_path: Path) -> None:
    import_file(hub, "major_points", write(tmp_path / "p.csv", POINTS), SETTINGS)
    before_counts = table_counts(hub)
    before = snapshot(hub, "major_points", tmp_path)
    bad = POINTS.replace("9410100001,660103,2023,120", "9410100001,660103,2023,125") + (
        "9410100002,660199,2024,10,30,9,3,1,5,2\n"  # unknown major code
        "9410100001,660103,2024,1二0,300,90,30,20,50,20\n"  # not a number
        "9410100001,660103,2022,100,300,90,60,20,50,20\n"  # employed + continued > graduates
        "9410100002,460103,2024,10,30,9,3,1,5,2\n"  # 专科 major in a 中职 school
    )
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "major_points", write(tmp_path / "bad.csv", bad), SETTINGS)
    problems = {(p.row, p.column, p.value) for p in info.value.problems}
    assert (6, "专业代码", "660199") in problems
    assert (7, "招生数", "1二0") in problems
    assert (8, "就业人数", "110") in problems
    assert (9, "专业代码", "460103") in problems
    assert all(p.file == "bad.csv" and p.message and p.fix for p in info.value.problems)
    assert table_counts(hub) == before_counts
    assert snapshot(hub, "major_points", tmp_path) == before  # the good changed row was not applied either


def test_duplicates_missing_values_and_references(hub: Database, tmp_path: Path) -> None:
    text = POINTS + "9410100001,660103,2023,120,340,100,30,20,65,25\n" + "9499999999,660103,2023,,340,100,30,20,65,25\n"
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "major_points", write(tmp_path / "dup.csv", text), SETTINGS)
    messages = {(p.row, p.column): p.message for p in info.value.problems}
    assert "重复" in messages[(6, "学校代码")] and "第 2 行" in messages[(6, "学校代码")]
    assert messages[(7, "学校代码")] == "在数据库中找不到该学校"
    assert messages[(7, "招生数")] == "必填项为空"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_are_detected(hub: Database, tmp_path: Path, encoding: str) -> None:
    outcome = import_file(hub, "major_points", write(tmp_path / f"p_{encoding}.csv", POINTS, encoding), SETTINGS)
    assert outcome.inserted == 4
    assert outcome.source in {"utf-8", "utf-8-sig", "gb18030"}


def test_enterprise_credit_codes_are_checked(hub: Database, tmp_path: Path) -> None:
    header = "统一社会信用代码,企业名称,行业代码,所在县市区代码,企业规模,是否产教融合型企业\n"
    good = header + "91350100M000100Y43,示例机械有限公司,3421,410105,中型,是\n"
    assert import_file(hub, "enterprises", write(tmp_path / "e.csv", good), SETTINGS).inserted == 1
    bad = header + "91350100M000100Y44,示例机械有限公司,3421,410105,中型,是\n" + "913501,乙公司,9999,410105,巨型,也许\n"
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "enterprises", write(tmp_path / "e2.csv", bad), SETTINGS)
    by_cell = {(p.row, p.column): p for p in info.value.problems}
    assert "校验位错误（应为 3）" in by_cell[(2, "统一社会信用代码")].message
    assert "18 位" in by_cell[(3, "统一社会信用代码")].message
    assert by_cell[(3, "行业代码")].value == "9999"
    assert by_cell[(3, "企业规模")].fix.startswith("可选值")
    assert by_cell[(3, "是否产教融合型企业")].message == "不是“是/否”"


def test_totals_that_must_add_up(hub: Database, tmp_path: Path) -> None:
    header = "区划代码,年份,地区生产总值（亿元）,第一产业增加值（亿元）,第二产业增加值（亿元）,第三产业增加值（亿元）\n"
    good = header + "410100,2022,12934.7,185.6,5174.6,7574.5\n"
    assert import_file(hub, "regional_economy", write(tmp_path / "g.csv", good), SETTINGS).inserted == 1
    bad = header + "410100,2023,12000,185.6,5174.6,7574.5\n"
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "regional_economy", write(tmp_path / "g2.csv", bad), SETTINGS)
    assert "不能大于" in info.value.problems[0].message


def test_export_round_trips_through_xlsx_and_csv(hub: Database, tmp_path: Path) -> None:
    import_file(hub, "major_points", write(tmp_path / "p.csv", POINTS), SETTINGS)
    before = snapshot(hub, "major_points", tmp_path)
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"export.{suffix}"
        assert export_table(hub, "major_points", out) == 4
        outcome = import_file(hub, "major_points", out, SETTINGS)
        assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 0, 4)
    assert snapshot(hub, "major_points", tmp_path) == before


def test_template_filled_in_imports(hub: Database, tmp_path: Path) -> None:
    path = tmp_path / "tpl.xlsx"
    template_for("major_points", path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["数据", "说明"]
    sheet = book["数据"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["学校代码", "专业代码", "年份"]
    row = {"学校代码": "9410100001", "专业代码": "660103", "年份": 2024, "招生数": 100, "在校生数": 300, "毕业生数": 90}
    sheet.append([row.get(h) for h in headers])
    book.save(path)
    assert import_file(hub, "major_points", path, SETTINGS).inserted == 1


def test_xlsx_row_numbers_and_wrong_sheet(hub: Database, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["学校代码", "专业代码", "年份", "招生数", "在校生数", "毕业生数"])
    sheet.append(["9410100001", "660103", 2024, 100, 300, 90])
    sheet.append([None, None, None, None, None, None])  # blank row: skipped, numbering kept
    sheet.append(["9410100001", "660103", 2025, -5, 300, 90])
    path = tmp_path / "points.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "major_points", path, SETTINGS)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(4, "招生数", "-5")]
    with pytest.raises(InvalidInput, match="没有名为“数据”"):
        import_file(hub, "major_points", path, SETTINGS, sheet="数据")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "文件是空的"),
        ("header_only.csv", "学校代码,专业代码\n".encode(), "没有数据行"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "不是可读取的表格文件"),
        ("legacy.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "不是可读取的表格文件"),
        ("fake.xlsx", b"PK\x03\x04garbage", "不是可读取的表格文件"),
        ("binary.csv", b"a,b\n\x00\x01\x02", "不是可读取的表格文件"),
    ],
)
def test_unreadable_files_give_clear_errors(hub: Database, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        import_file(hub, "major_points", path, SETTINGS)


def test_missing_required_columns_and_missing_file(hub: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "major_points", write(tmp_path / "p.csv", "学校代码,年份\n9410100001,2024\n"), SETTINGS)
    assert "专业代码" in info.value.problems[0].message and "silian template" in info.value.problems[0].fix
    with pytest.raises(InvalidInput, match="找不到文件"):
        import_file(hub, "major_points", tmp_path / "nope.csv", SETTINGS)


def test_huge_file_is_refused_before_reading(hub: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "big.csv", POINTS * 50)
    with pytest.raises(InvalidInput, match="文件过大"):
        import_file(hub, "major_points", path, Settings(import_max_bytes=1000))


def test_english_messages(hub: Database, tmp_path: Path) -> None:
    from silian.domain.messages import current_lang

    current_lang.set("en")
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "major_points", write(tmp_path / "p.csv", POINTS_HEADER + "9410100001,660103,2024,x,1,1,0,0,0,0\n"), SETTINGS)
    assert info.value.problems[0].message == "Not a whole number"
    assert info.value.message.startswith("File rejected")


def test_demand_needs_an_occupation_or_a_major(hub: Database, tmp_path: Path) -> None:
    header = "来源,区划代码,时期,职业代码,专业代码,技能等级,需求人数\n"
    good = header + "statistics,410100,2024-3,6-18-01-07,,高级工,120\nstatistics,410100,2024,,660103,中级工,80\n"
    outcome = import_file(hub, "demand", write(tmp_path / "d.csv", good), SETTINGS)
    assert outcome.inserted == 2
    assert "2024-03" in snapshot(hub, "demand", tmp_path)
    assert import_file(hub, "demand", write(tmp_path / "d.csv", good), SETTINGS).unchanged == 2
    bad = header + "statistics,410100,2024,,,高级工,120\n"
    with pytest.raises(ImportRejected, match="1 个问题"):
        import_file(hub, "demand", write(tmp_path / "d2.csv", bad), SETTINGS)


def test_frame_helper_validates_like_a_file(db: Database) -> None:
    from silian.services.imports import load_frame

    frame = pl.DataFrame({"code": ["410100"], "name": ["郑州市"], "level": ["市"], "is_peer": [False]})
    with db.begin() as conn:
        assert load_frame(conn, "regions", frame, generated=True, label="demo:regions").inserted == 1
    with pytest.raises(ImportRejected), db.begin() as conn:
        load_frame(conn, "regions", frame.with_columns(pl.lit("村").alias("level")), generated=True, label="x")
    assert table_counts(db)["regions"] == (1, 1)


def test_a_large_file_gets_the_same_row_precise_problems(hub: Database, tmp_path: Path) -> None:
    """From 10,000 rows on, repeated values are parsed once per distinct value and duplicate keys are first
    looked for by hash: the problems still name each row, column and value, and the values stored are the
    ones each cell gives (thousands separators, 年/月 periods)."""
    assert validate.DISTINCT_MIN_ROWS <= 12_000
    regions, skills = ["410100", "410105", "410122"], ["不限", "初级工", "中级工", "高级工", "技师", "高级技师"]

    def row(i: int) -> list[str]:
        period = f"{2000 + i // 18 // 12}-{i // 18 % 12 + 1:02d}"
        return ["statistics", regions[i % 3], period, "6-18-01-07", skills[i // 3 % 6], f"{i % 400 + 1000:,}"]

    rows = [row(i) for i in range(12_000)]
    rows[7000][2] = "2032年5月"  # row 7002, the same period as 2032-05
    good = "来源,区划代码,时期,职业代码,技能等级,需求人数\n" + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows)
    bad_rows = [list(r) for r in rows]
    bad_rows[100][5], bad_rows[5000][2], bad_rows[9000][5] = "1.5", "2024-13", "-3"
    bad_rows[11_999] = list(bad_rows[10])
    bad = "来源,区划代码,时期,职业代码,技能等级,需求人数\n" + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in bad_rows)
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "demand", write(tmp_path / "bad.csv", bad), SETTINGS)
    problems = [(p.row, p.column, p.value, p.message) for p in info.value.problems]
    assert problems[:3] == [(102, "需求人数", "1.5", "不是整数"), (5002, "时期", "2024-13", "格式不正确"),
                            (9002, "需求人数", "-3", "不能为负数")]
    assert [(p[0], p[1]) for p in problems[3:]] == [(12_001, "来源")] and "第 12 行" in problems[3][3]
    outcome = import_file(hub, "demand", write(tmp_path / "good.csv", good), SETTINGS)
    assert (outcome.inserted, outcome.updated) == (12_000, 0)
    with hub.engine.connect() as conn:
        table = repository.read_table(conn, "demand")
    assert table["count"].sum() == sum(i % 400 + 1000 for i in range(12_000))
    assert table.filter(pl.col("period") == "2032-05").height == 18 and not table["period"].str.contains("年").any()


def test_a_file_without_an_optional_column_leaves_that_column_as_stored(hub: Database, tmp_path: Path) -> None:
    """Regions re-imported from a sheet that has no 上级区划代码 column keep their parents (a column the file does
    not carry is not emptied); a new row from that sheet simply has none."""
    before = snapshot(hub, "regions", tmp_path)
    assert "410105,金水区,县,410100" in before
    import_file(hub, "regions", write(tmp_path / "names.csv", "区划代码,名称,层级\n410105,金水区,县\n410106,上街区,县\n"),
                SETTINGS)
    after = snapshot(hub, "regions", tmp_path)
    assert "410105,金水区,县,410100" in after and "410106,上街区,县," in after
    import_file(hub, "regions", write(tmp_path / "renamed.csv", "区划代码,名称,层级\n410105,金水区（新）,县\n"), SETTINGS)
    assert "410105,金水区（新）,县,410100" in snapshot(hub, "regions", tmp_path)


def test_a_command_line_import_is_in_the_audit_log(hub: Database, tmp_path: Path) -> None:
    """Issue #14: CLI imports were missing from the audit log; a rejected file or a dry run adds nothing."""
    import json

    import sqlalchemy as sa

    def audited() -> list[tuple[str, str, str, str]]:
        with hub.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                "SELECT username, entity, entity_id, after FROM audit_log WHERE action = 'import' ORDER BY id"))]

    before = audited()
    import_file(hub, "major_points", write(tmp_path / "points.csv", POINTS), SETTINGS, dry_run=True)
    with pytest.raises(ImportRejected):
        import_file(hub, "major_points", write(tmp_path / "bad.csv", POINTS.replace(",120,", ",很多,")), SETTINGS)
    assert audited() == before
    import_file(hub, "major_points", write(tmp_path / "points.csv", POINTS), SETTINGS)
    username, entity, name, after = audited()[-1]
    assert username.startswith("cli:") and (entity, name) == ("major_points", "points.csv")
    assert json.loads(after)["inserted"] == 4 and len(json.loads(after)["sha256"]) == 64


def test_the_export_mark_is_dropped_only_before_a_formula_start(tmp_path: Path) -> None:
    """The ' an export puts before text starting like a formula is not part of the value, in whichever columns
    carry it; a ' before anything else is the user's own, and cells are trimmed, blank ones empty."""
    path = write(tmp_path / "marked.csv", "名称,层级,区划代码\n'=1+1, 县 ,'abc\n'-5,'@x,\n x ,,'+\n")
    frame = read_table_file(path, max_bytes=1 << 20).frame
    assert frame.select("名称", "层级", "区划代码").rows() == [("=1+1", "县", "'abc"), ("-5", "@x", None), ("x", None, "+")]
