"""The command line as scripts use it: real files, exit codes and JSON contracts (in-process; the error paths
also as real processes: the interpreter's exit status and stderr)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import silian, silian_process

POINTS_BAD = "学校代码,专业代码,年份,招生数,在校生数,毕业生数\n9410100001,660103,2024,abc,300,90\n"




def test_catalog_stats_json_contract(tmp_path: Path) -> None:
    out = json.loads(silian("catalog", "stats", "--json", data_dir=tmp_path).stdout)
    assert out["majors"] == {"secondary": 358, "associate": 744, "bachelor": 247}
    current = json.loads(silian("catalog", "stats", "--version", "current", "--json", data_dir=tmp_path).stdout)
    assert current["majors"] == {"secondary": 368, "associate": 801, "bachelor": 321}


def test_catalog_search(tmp_path: Path) -> None:
    hits = json.loads(silian("catalog", "search", "数控", "--json", data_dir=tmp_path).stdout)
    assert {"major", "occupation"} <= {h["kind"] for h in hits}
    assert any(h["code"] == "660103" for h in hits)
    text = silian("catalog", "search", "数控", data_dir=tmp_path).stdout
    assert "数控技术应用" in text


def test_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    result = silian_process("catalog", "stats", "--version", "1999", data_dir=tmp_path, check=False)
    assert result.returncode == 2
    assert "未知的目录版本" in result.stderr and "Traceback" not in result.stderr
    result = silian("--lang", "en", "catalog", "stats", "--version", "1999", data_dir=tmp_path, check=False)
    assert "Unknown catalogue version" in result.stderr


def test_template_import_reject_and_export(tmp_path: Path) -> None:
    silian("db", "upgrade", data_dir=tmp_path)
    regions = tmp_path / "r.csv"
    regions.write_text("区划代码,名称,层级\n410100,郑州市,市\n410105,金水区,县\n", encoding="gbk")
    schools = tmp_path / "s.csv"
    schools.write_text("学校代码,学校名称,办学层次,举办性质,所在县市区代码\n9410100001,示例中专,中职,公办,410105\n", encoding="utf-8-sig")
    ok = json.loads(silian("import", "regions", str(regions), "--json", data_dir=tmp_path).stdout)
    # the regions are preinstalled by `db upgrade` (GB/T 2260): the GBK file updates them, it adds none
    assert ok["ok"] and ok["inserted"] == 0 and ok["updated"] + ok["unchanged"] == 2 and ok["source"] == "gb18030"
    assert "新增 1" in silian("import", "institutions", str(schools), data_dir=tmp_path).stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(POINTS_BAD, encoding="utf-8")
    result = silian("import", "major_points", str(bad), "--errors-out", str(tmp_path / "e.csv"), data_dir=tmp_path, check=False)
    assert result.returncode == 3
    assert "数据库未做任何修改" in result.stderr and "abc" in result.stderr and "Traceback" not in result.stderr
    assert "不是整数" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    as_json = silian("import", "major_points", str(bad), "--json", data_dir=tmp_path, check=False)
    problems = json.loads(as_json.stdout)["problems"]
    assert as_json.returncode == 3 and problems[0] | {"message": ""} == {
        "file": "bad.csv", "row": 2, "column": "招生数", "value": "abc", "message": "", "fix": problems[0]["fix"]}

    template = tmp_path / "tpl.xlsx"
    silian("template", "major_points", "-o", str(template), data_dir=tmp_path)
    assert template.stat().st_size > 1000
    export = tmp_path / "schools.xlsx"
    silian("export", "institutions", "-o", str(export), data_dir=tmp_path)
    again = json.loads(silian("import", "institutions", str(export), "--json", data_dir=tmp_path).stdout)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1)


@pytest.mark.parametrize("args", [["import", "nosuch", "x.csv"], ["import", "regions", "missing.csv"]])
def test_bad_arguments_give_clear_errors(tmp_path: Path, args: list[str]) -> None:
    result = silian(*args, data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = silian_process("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "summary", data_dir=tmp_path, check=False)
    assert result.returncode == 6 and "无法连接数据库" in result.stderr and "Traceback" not in result.stderr


def test_dry_run_says_nothing_was_written_and_writes_nothing(tmp_path: Path) -> None:
    silian("db", "upgrade", data_dir=tmp_path)
    schools = tmp_path / "s.csv"
    schools.write_text("学校代码,学校名称,办学层次,举办性质,所在县市区代码\n9410100001,示例中专,中职,公办,410105\n", encoding="utf-8")
    out = silian("import", "学校", str(schools), "--dry-run", data_dir=tmp_path).stdout
    assert "未写入" in out and "已导入" not in out and "新增 1" in out
    assert json.loads(silian("summary", "--json", data_dir=tmp_path).stdout)["institutions"]["rows"] == 0
