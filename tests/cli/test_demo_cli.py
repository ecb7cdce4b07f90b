"""`silian demo` never loses what a user put in: run again after an import it keeps the imported rows; `--reset`
asks first (and a "no" changes nothing); `--if-empty` (what `make run` uses) leaves a hub with data alone."""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import copy_demo_dir, silian


def _rows(data: Path, sql: str) -> Any:
    with closing(sqlite3.connect(data / "silian.db")) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def data(cli_demo: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    return copy_demo_dir(cli_demo, tmp_path / "data")


def _import_a_school(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "institutions.csv"
    silian("export", "institutions", "-o", str(export), data_dir=data)
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    header, first = lines[0], lines[1].split(",")
    first[0], first[1], first[-1] = "U0000000000000000009", "用户导入的学校", "否"  # last column: 生成数据
    (tmp_path / "mine.csv").write_text(header + "\n" + ",".join(first) + "\n", encoding="utf-8")
    silian("import", "institutions", str(tmp_path / "mine.csv"), data_dir=data)


def test_demo_again_after_an_import_keeps_the_imported_rows(data: Path, tmp_path: Path) -> None:
    _import_a_school(data, tmp_path)
    before = _rows(data, "SELECT COUNT(*), SUM(is_generated) FROM institutions")
    out = silian("demo", data_dir=data).stdout
    assert "保持不变" in out and "密码未改" in out
    assert _rows(data, "SELECT name FROM institutions WHERE code = 'U0000000000000000009'") == [("用户导入的学校",)]
    assert _rows(data, "SELECT COUNT(*), SUM(is_generated) FROM institutions") == before


def test_reset_asks_first_and_no_changes_nothing(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _import_a_school(data, tmp_path)
    before = _rows(data, "SELECT COUNT(*) FROM institutions")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    result = silian("demo", "--reset", data_dir=data, check=False)
    assert result.returncode != 0 and "继续吗" in result.stderr
    assert _rows(data, "SELECT COUNT(*) FROM institutions") == before
    silian("demo", "--reset", "--yes", data_dir=data)
    assert _rows(data, "SELECT COUNT(*) FROM institutions WHERE code = 'U0000000000000000009'") == [(0,)]


def test_if_empty_leaves_a_hub_with_data_alone(data: Path) -> None:
    before = _rows(data, "SELECT COUNT(*), MAX(loaded_at) FROM data_sources")
    result = silian("demo", "--if-empty", data_dir=data)
    assert "未载入演示区域" in result.stderr
    assert _rows(data, "SELECT COUNT(*), MAX(loaded_at) FROM data_sources") == before


def test_if_empty_loads_an_empty_hub(tmp_path: Path) -> None:
    silian("demo", "--if-empty", "--no-users", data_dir=tmp_path / "fresh")
    assert _rows(tmp_path / "fresh", "SELECT COUNT(*) FROM institutions")[0][0] > 100
