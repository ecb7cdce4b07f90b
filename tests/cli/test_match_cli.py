"""`silian match` as scripts use it: a real JSON file, the output contract and exit codes (in-process; a missing
file also as a real process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import silian, silian_process

FILE = {"students": {"s1": ["p2", "p1"], "s2": ["p1"], "s3": ["p1", "p2"], "s4": [], "s5": ["p2"], "s6": ["p3"]},
        "positions": {"p1": {"capacity": 2, "preferences": ["s3", "s2", "s1"]},
                      "p2": {"capacity": 1, "preferences": ["s1", "s3", "s5"]},
                      "p3": {"capacity": 4, "preferences": []}}}
# s1 gets p2 (first choice, p2's first); s3 and s2 fill p1 in p1's order; s5 loses p2 to s1; s6 lists p3, which
# does not list s6 (no mutual listing); s4 lists nothing.
EXPECTED = {"matching": {"p1": ["s3", "s2"], "p2": ["s1"], "p3": []}, "unmatched": ["s4", "s5", "s6"]}


def _write(tmp_path: Path, data: object, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_contract_file_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = silian("match", _write(tmp_path, FILE), "-o", str(out), data_dir=tmp_path)
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == EXPECTED
    assert list(written) == ["matching", "unmatched"] and list(written["matching"]) == ["p1", "p2", "p3"]
    assert "6 名学生中 3 名获得岗位" in result.stdout and str(out) in result.stdout.replace("\n", "")
    assert not (tmp_path / "out.json.partial").exists()


def test_json_to_stdout_and_english(tmp_path: Path) -> None:
    result = silian("--lang", "en", "match", _write(tmp_path, FILE), "--json", data_dir=tmp_path)
    assert json.loads(result.stdout) == EXPECTED
    assert "3 of 6 students got a seat" in result.stderr


def test_table_without_output(tmp_path: Path) -> None:
    text = silian("match", _write(tmp_path, FILE), "--method", "da", data_dir=tmp_path).stdout
    assert "p1" in text and "s3、s2" in text


def test_weights_method(tmp_path: Path) -> None:
    data = {"students": {"a": {"x": 1, "y": 0.9}, "b": {"x": 10}},
            "positions": {"x": {"capacity": 1, "preferences": ["a", "b"]},
                          "y": {"capacity": 2, "scores": {"b": 3, "a": 5}}}}
    out = tmp_path / "w.json"
    silian("match", _write(tmp_path, data), "--method", "weights", "--output", str(out), data_dir=tmp_path)
    # DA would seat a at x (x ranks a first) and leave b out; the largest total is a → y, b → x
    assert json.loads(out.read_text(encoding="utf-8")) == {"matching": {"x": ["b"], "y": ["a"]}, "unmatched": []}


def _changed(change) -> dict:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(FILE))
    change(data)
    return data


@pytest.mark.parametrize(("data", "args", "words"), [
    (_changed(lambda d: d["students"]["s2"].append("p7")), [], ["学生 s2", "未知岗位：p7"]),
    (_changed(lambda d: d["positions"]["p3"]["preferences"].append("s9")), [], ["岗位 p3", "未知学生：s9"]),
    (_changed(lambda d: d["students"]["s1"].append("p2")), [], ["学生 s1", "p2", "重复"]),
    (_changed(lambda d: d["positions"]["p1"]["preferences"].append("s3")), [], ["岗位 p1", "s3", "重复"]),
    (_changed(lambda d: d["positions"]["p2"].update(capacity=-3)), [], ["岗位 p2", "capacity", "-3"]),
    ("", [], ["文件是空的"]),
    ('{"students": {}, "positions": ', [], ["不是有效的 JSON"]),
    (FILE, ["--method", "hungarian"], ["未知的匹配方法：hungarian"]),
    (FILE, ["--method", "weights"], ["学生 s1", "--method da"]),
])
def test_invalid_input_exit_code_2(tmp_path: Path, data: object, args: list[str], words: list[str]) -> None:
    out = tmp_path / "out.json"
    result = silian("match", _write(tmp_path, data), "-o", str(out), *args, data_dir=tmp_path, check=False)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, message
    assert not out.exists()


def test_missing_file_exit_code_2(tmp_path: Path) -> None:
    result = silian_process("--lang", "en", "match", str(tmp_path / "none.json"), data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "File not found" in result.stderr
