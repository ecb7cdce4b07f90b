"""`silian coupling` as scripts use it: a real CSV, the JSON contract and exit codes (in-process; the JSON
contract also as a real process)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.support.cli import silian, silian_process

SCORES = "id,产业链,教育链,人才链\n郑州,0.3,0.4,0.5\n开封,0.9,0.9,0.9\n"




def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def test_json_contract(tmp_path: Path) -> None:
    out = json.loads(silian_process("coupling", _csv(tmp_path, SCORES, "gbk"), "--json", data_dir=tmp_path).stdout)
    assert [list(row) for row in out] == [["id", "C", "T", "D", "level"]] * 2
    assert [row["id"] for row in out] == ["郑州", "开封"]
    wang = math.sqrt((1 - 0.4 / 3) * math.sqrt(0.48))
    assert out[0]["C"] == pytest.approx(wang, abs=1e-12) and out[0]["T"] == pytest.approx(0.4)
    assert out[0]["D"] == pytest.approx(math.sqrt(0.4 * wang), abs=1e-12)
    assert (out[0]["level"], out[1]["level"]) == ("勉强协调", "优质协调")


def test_method_weights_and_english(tmp_path: Path) -> None:
    path = _csv(tmp_path, SCORES)
    out = json.loads(silian("--lang", "en", "coupling", path, "--method", "classic", "--weights", "0.5,0.3,0.2",
                            "--json", data_dir=tmp_path).stdout)
    assert out[0]["C"] == pytest.approx(3 * 0.06 ** (1 / 3) / 1.2, abs=1e-12)
    assert out[0]["T"] == pytest.approx(0.37, abs=1e-12)
    assert out[1]["level"] == "high-quality coordination"
    fan = json.loads(silian("coupling", path, "--method", "fan", "--json", data_dir=tmp_path).stdout)
    assert fan[0]["C"] == pytest.approx(1 - 2 * math.sqrt(0.02 / 3), abs=1e-12)


def test_table_output(tmp_path: Path) -> None:
    text = silian("coupling", _csv(tmp_path, SCORES, "utf-8-sig"), data_dir=tmp_path).stdout
    assert "郑州" in text and "0.7749" in text and "勉强协调" in text and "优质协调" in text


@pytest.mark.parametrize(("text", "args", "words"), [
    ("id,产业链,教育链\nA,0.3,1.2\n", [], ["第 2 行", "“教育链”", "1.2", "[0, 1]"]),
    ("id,产业链,教育链\nA,0.3,0.4\nB,,0.4\n", [], ["第 3 行", "“产业链”", "缺失"]),
    (SCORES, ["--weights", "0.5,0.3,0.3"], ["权重之和为 1.1", "应为 1"]),
    (SCORES, ["--weights", "0.5,0.5"], ["2 个权重", "3 个子系统", "产业链、教育链、人才链"]),
    ("id,产业链\nA,0.3\n", [], ["至少需要 2 个子系统"]),
    ("id,产业链,教育链\nA,0.3,abc\n", [], ["第 2 行", "“教育链”", "abc", "不是数字"]),
    ("name,产业链,教育链\nA,0.3,0.4\n", [], ["缺少 id 列"]),
    (SCORES, ["--method", "median"], ["未知的耦合度算法", "wang"]),
    (SCORES, ["--weights", "0.5,half,0"], ["half"]),
])
def test_bad_input_is_a_clear_error(tmp_path: Path, text: str, args: list[str], words: list[str]) -> None:
    result = silian("coupling", _csv(tmp_path, text), *args, "--json", data_dir=tmp_path, check=False)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_english_error(tmp_path: Path) -> None:
    result = silian("--lang", "en", "coupling", _csv(tmp_path, "id,a,b\nA,0.3,2\n"), data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "row 2 (id A), 'b': the score 2 is outside [0, 1]" in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = silian("coupling", str(tmp_path / "none.csv"), data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "找不到文件" in result.stderr
