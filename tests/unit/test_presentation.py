"""The presenter's table: one way to show each kind of value, codes named beside their codes, and the same
rows for the page, the report, the files and the JSON API."""

from __future__ import annotations

import math

from silian.domain.messages import current_lang
from silian.services.presentation import (
    CARD,
    CHAIN,
    CHECK,
    INT,
    LEVEL,
    LIST,
    NUM2,
    PCT,
    REASONS,
    TEXT,
    Column,
    PresentedTable,
    export_value,
    show,
    to_csv,
)

TABLE = PresentedTable("t", "Title", (Column("code", "代码"), Column("level_key", "层次", LEVEL), Column("n", "人数", INT, "人"),
                                      Column("share", "占比", PCT), Column("card", "预警", CARD), Column("why", "原因", REASONS),
                                      Column("chain", "所属链", CHAIN), Column("x", "值", NUM2)),
                       [("660301", "secondary", 1234.4, 0.256, "red", ["surplus_red", "low_related"], "education", math.nan),
                        ("510101", "associate", None, None, None, [], "talent", 1.005)])


def test_each_kind_is_shown_one_way() -> None:
    token = current_lang.set("zh")
    try:
        assert TABLE.cells()[0] == ["660301", "中职", "1,234", "25.6%", "红牌", "严重过剩、对口率低", "教育链", "—"]
        assert TABLE.cells()[1] == ["510101", "专科", "—", "—", "—", "—", "人才链", "1.00"]
        assert show(True, CHECK) == "✓" and show(("a", "b"), LIST) == "a、b" and show(7, TEXT) == "7"
        assert export_value(1234.4, INT) == 1234 and export_value("red", CARD) == "红牌" and export_value(None, INT) == ""
        assert TABLE.numeric == {2, 3, 7} and TABLE.shown("level_key") == ["中职", "专科"]
    finally:
        current_lang.reset(token)


def test_the_api_gets_raw_values_with_names_beside_codes() -> None:
    token = current_lang.set("en")
    try:
        record = TABLE.to_json()["rows"][0]
        assert record["level_key"] == "secondary" and record["level_key_name"] == "secondary"
        assert record["card"] == "red" and record["card_name"] == "red" and record["why_name"] == "large surplus, low related rate"
        assert record["n"] == 1234.4 and record["x"] is None  # raw, and NaN becomes null
        assert TABLE.to_json()["columns"][2] == {"key": "n", "label": "人数", "unit": "人", "kind": "int"}
    finally:
        current_lang.reset(token)


def test_csv_has_the_labels_and_the_names() -> None:
    token = current_lang.set("zh")
    try:
        lines = to_csv(TABLE).decode("utf-8-sig").splitlines()
        assert lines[0] == "代码,层次,人数,占比,预警,原因,所属链,值"
        assert lines[1].startswith("660301,中职,1234,0.256,红牌,")
    finally:
        current_lang.reset(token)


def test_a_check_not_applied_is_a_dash_and_a_verdict_is_named() -> None:
    from silian.services.presentation import VERDICT

    table = PresentedTable("v", "Verdicts", (Column("ok", "通过", CHECK), Column("verdict", "判定", VERDICT)),
                           [(None, "partial"), (False, "no_standard")])
    token = current_lang.set("zh")
    try:  # a check the school's own standard does not apply is neither passed nor failed
        assert table.cells() == [["—", "部分核定（已核各项均达标）"], ["✗", "无适用标准（未入库）"]]
        assert table.records()[0] == {"ok": None, "verdict": "partial", "verdict_name": "部分核定（已核各项均达标）"}
    finally:
        current_lang.reset(token)


def test_a_gap_ratio_over_a_tiny_supply_is_not_shown_as_thousands_of_percent() -> None:
    from silian.services.presentation.table import GAP_RATIO, show

    assert show(63.769, GAP_RATIO) == "> 1,000%"  # 38 graduates, 2,440 openings
    assert show(8.679, GAP_RATIO) == "867.9%" and show(-0.5, GAP_RATIO) == "-50.0%"
