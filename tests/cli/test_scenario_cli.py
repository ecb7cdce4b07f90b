"""`silian scenario save | list | show | compare | delete` as scripts use them, on the demo region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import copy_demo_dir, silian

PLANT = {"county": "410122", "from_year": 2024, "label": "数控机床厂", "occupations": [{"code": "6-18-01-07", "workers": 500}]}
MERGER = {"schools": ["9410100001", "9410100002"], "name": "第一职教中心"}


@pytest.fixture(scope="module")
def demo_dir(cli_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the data folder `silian demo --json` made (once per session)."""
    return copy_demo_dir(cli_demo, tmp_path_factory.mktemp("cli_scenarios") / "data")


def _spec(folder: Path, name: str, data: object) -> str:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_save_list_show_compare_delete(demo_dir: Path, tmp_path: Path) -> None:
    saved = silian("scenario", "save", "新建工厂", "--kind", "plant", "--spec", _spec(tmp_path, "plant.json", PLANT),
                   data_dir=demo_dir)
    assert "已保存情景“新建工厂”" in saved.stdout
    silian("scenario", "save", "两校合并", "--kind", "merger", "--spec", _spec(tmp_path, "merger.json", MERGER),
           "--region", "郑州", data_dir=demo_dir)
    again = silian("scenario", "save", "新建工厂", "--kind", "plant", "--spec", _spec(tmp_path, "plant.json", PLANT),
                   data_dir=demo_dir, check=False)
    assert again.returncode == 2 and "已存在" in again.stderr
    silian("scenario", "save", "新建工厂", "--kind", "plant", "--spec", _spec(tmp_path, "plant.json", PLANT), "--replace",
           data_dir=demo_dir)
    listed = json.loads(silian("scenario", "list", "--json", data_dir=demo_dir).stdout)
    assert [(s["name"], s["kind"], s["region_code"]) for s in listed] == [("新建工厂", "plant", "410100"),
                                                                          ("两校合并", "merger", "410100")]
    assert "两校合并" in silian("scenario", "list", data_dir=demo_dir).stdout
    shown = json.loads(silian("scenario", "show", "两校合并", data_dir=demo_dir).stdout)
    assert shown["spec"] == {**MERGER, "into": "9410100001"}

    result = json.loads(silian("scenario", "compare", "新建工厂", "两校合并", "--year", "2024", "--json",
                               data_dir=demo_dir).stdout)
    assert result["columns"] == ["基线（现状）", "新建工厂", "两校合并"] and result["year"] == 2024
    rows = {r["key"]: r for r in result["rows"]}
    assert rows["shortage"]["diffs"][0] - rows["surplus"]["diffs"][0] == pytest.approx(500, abs=1e-4)
    assert rows["schools"]["diffs"] == [0, -1] and rows["students"]["diffs"] == [0, 0]
    table = silian("--lang", "en", "scenario", "compare", "1", data_dir=demo_dir).stdout
    assert "Baseline" in table and "Total shortage" in table

    assert "已删除情景“两校合并”" in silian("scenario", "delete", "两校合并", data_dir=demo_dir).stdout
    gone = silian("scenario", "show", "两校合并", data_dir=demo_dir, check=False)
    assert gone.returncode == 4 and "找不到情景" in gone.stderr


def test_bad_specs_are_refused_with_every_problem(demo_dir: Path, tmp_path: Path) -> None:
    bad = {"changes": [{"school": "0000000000", "major": "999999", "enrolment": -5}]}
    result = silian("scenario", "save", "坏", "--kind", "plan", "--spec", _spec(tmp_path, "bad.json", bad),
                    data_dir=demo_dir, check=False)
    assert result.returncode == 3
    for text in ("未知的学校代码", "未知的专业代码", "不能为负数"):
        assert text in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = silian("scenario", "save", "坏", "--kind", "plan", "--spec", str(broken), data_dir=demo_dir, check=False)
    assert result.returncode == 2 and "不是有效的 JSON" in result.stderr
    result = silian("scenario", "save", "坏", "--kind", "tunnel", "--spec", _spec(tmp_path, "x.json", {}), data_dir=demo_dir,
                    check=False)
    assert result.returncode == 3 and "未知的情景类型" in result.stderr
