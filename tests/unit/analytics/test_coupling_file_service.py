"""`coupling_from_file`: real CSV files in three encodings, input order, and row/column-precise errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang
from silian.services.coupling_file import coupling_from_file, parse_weights

GOOD = "id,产业链,教育链,人才链\n郑州,0.3,0.4,0.5\n开封,0.9,0.9,0.9\n洛阳,0.0,0.6,0.2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_reads_every_supported_encoding_in_input_order(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(GOOD, encoding=encoding)
    rows = coupling_from_file(path)
    assert [r["id"] for r in rows] == ["郑州", "开封", "洛阳"]
    assert list(rows[0]) == ["id", "C", "T", "D", "level"]
    wang = math.sqrt((1 - 0.4 / 3) * math.sqrt(0.48))
    assert rows[0]["C"] == pytest.approx(wang, abs=1e-12) and rows[0]["T"] == pytest.approx(0.4)
    assert rows[0]["D"] == pytest.approx(math.sqrt(wang * 0.4)) and rows[0]["level"] == "勉强协调"
    assert rows[1] == {"id": "开封", "C": 1.0, "T": pytest.approx(0.9), "D": pytest.approx(math.sqrt(0.9)),
                       "level": "优质协调"}
    assert rows[2]["C"] == 0 and rows[2]["level"] == "极度失调"


def test_method_weights_and_language(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(GOOD, encoding="utf-8")
    classic = coupling_from_file(path, method="classic", weights=[0.5, 0.3, 0.2])
    assert classic[0]["C"] == pytest.approx(3 * (0.06) ** (1 / 3) / 1.2)
    assert classic[0]["T"] == pytest.approx(0.37)
    token = current_lang.set("en")
    try:
        assert coupling_from_file(path)[1]["level"] == "high-quality coordination"
    finally:
        current_lang.reset(token)


@pytest.mark.parametrize(("text", "words"), [
    ("name,产业链,教育链\nA,0.3,0.4\n", ["缺少 id 列", "name、产业链、教育链"]),
    ("id,产业链,教育链\nA,0.3,0.4\nB,0.3,三成\n", ["第 3 行", "“教育链”", "三成", "不是数字"]),
    ("id,产业链,教育链\nA,0.3,\n", ["第 2 行", "id 为 A", "“教育链”", "缺失"]),
    ("id,产业链,教育链\nA,0.3,0.4\nB,1.5,0.4\n", ["第 3 行", "id 为 B", "“产业链”", "1.5", "[0, 1]"]),
    ("id,产业链,教育链\nA,0,0\n", ["第 2 行", "都为 0"]),
    ("id,产业链\nA,0.3\n", ["至少需要 2 个子系统"]),
    ("id,产业链,教育链\n", ["没有数据行"]),
    ("", ["文件是空的"]),
])
def test_bad_files_name_row_and_column(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        coupling_from_file(path)
    for word in words:
        assert word in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="找不到文件"):
        coupling_from_file(tmp_path / "nope.csv")


def test_parse_weights() -> None:
    assert parse_weights("0.4,0.3,0.3") == [0.4, 0.3, 0.3]
    assert parse_weights("0.5， 0.5") == [0.5, 0.5]
    assert parse_weights("") is None and parse_weights(None) is None
    with pytest.raises(InvalidInput, match="x"):
        parse_weights("0.5,x")
