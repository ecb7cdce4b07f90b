"""Property tests of every parser that reads what users and the outside world send (issue #14 item 1): spreadsheets
(CSV in UTF-8, UTF-8-BOM, GBK and UTF-16; .xlsx), salary, education, experience, date and place strings from job
postings, 统一社会信用代码, and matching JSON. Whatever the input: no crash, no hang, either a result or a clear
InvalidInput naming the file — never another exception. Examples are repeatable (tests/conftest.py profile)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silian.catalog import get_catalog
from silian.domain.credit_code import credit_code_problem, is_valid_credit_code
from silian.domain.errors import InvalidInput
from silian.ingest.matching.check import read_match_bytes
from silian.ingest.postings.parse import parse_date, parse_education, parse_experience, parse_salary
from silian.ingest.postings.places import PlaceResolver
from silian.ingest.readers import read_table_file

FAST = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# what officials type: Chinese, digits, punctuation of both widths, spaces, and the odd control character
cell_text = st.text(alphabet=st.characters(codec="gb18030", exclude_categories=("Cs",)), max_size=12)
POSTING_CHARACTERS = list("0123456789.-~–至k千万元/月天时年薪·以上下面议经验学历本科大专不限郑州金水区, \t")
messy = st.text(alphabet=st.sampled_from(POSTING_CHARACTERS) | st.characters(), max_size=30)


# ---------------------------------------------------------------- spreadsheets
@FAST
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".tsv", ".xlsx"]))
def test_any_bytes_are_read_or_refused_clearly(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(data)
    try:
        raw = read_table_file(path, max_bytes=1 << 20)
    except InvalidInput as exc:
        assert exc.message  # a message for the user, never an empty one
    else:
        assert isinstance(raw.frame, pl.DataFrame)


ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "utf-16"]


@FAST
@given(rows=st.lists(st.lists(cell_text.filter(lambda v: v.strip() == v and v and not any(c in v for c in ',"\r\n\t\x00')),
                              min_size=2, max_size=2), min_size=1, max_size=5),
       encoding=st.sampled_from(ENCODINGS))
def test_csv_text_survives_every_encoding(tmp_path: Path, rows: list[list[str]], encoding: str) -> None:
    text = "名称,代码\n" + "".join(f"{a},{b}\n" for a, b in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # GBK cannot hold every GB18030 character; such a file cannot exist
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    raw = read_table_file(path, max_bytes=1 << 20)
    assert raw.frame.select("名称", "代码").rows() == [tuple(r) for r in rows]


def test_excel_unicode_text_is_read(tmp_path: Path) -> None:
    """Excel's and WPS's "Unicode text" (.txt saved as .csv): UTF-16 LE with a BOM, separated by tabs."""
    path = tmp_path / "学校.csv"
    path.write_bytes("学校代码\t学校名称\r\n4141012345\t郑州市第一中等专业学校\r\n".encode("utf-16"))
    raw = read_table_file(path, max_bytes=1 << 20)
    assert raw.frame.select("学校代码", "学校名称").rows() == [("4141012345", "郑州市第一中等专业学校")]


@FAST
@given(cells=st.lists(st.one_of(cell_text, st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                                st.dates(), st.booleans(), st.none()), min_size=1, max_size=12))
def test_any_xlsx_cells_are_read_as_text(tmp_path: Path, cells: list[object]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "数值"])
    try:
        for value in cells:
            sheet.append(["x", value])
    except IllegalCharacterError:
        return  # Excel itself cannot hold control characters in a cell
    path = tmp_path / "t.xlsx"
    book.save(path)
    try:
        raw = read_table_file(path, max_bytes=1 << 20)
    except InvalidInput as exc:
        assert exc.message
    else:
        assert raw.frame.schema["数值"] in (pl.String, pl.Null)


# ---------------------------------------------------------------- job-posting strings
@FAST
@given(text=st.one_of(st.none(), messy))
def test_posting_strings_parse_or_say_why(text: str | None) -> None:
    salary = parse_salary(text)
    assert (salary.low is None and salary.high is None) == bool(salary.reason) or salary.negotiable
    if salary.low is not None and salary.high is not None:
        assert 0 <= salary.low <= salary.high
    parse_education(text)
    parse_experience(text)
    day, _why = parse_date(text)
    assert day is None or 1990 <= day.year <= 2100


@pytest.fixture(scope="module")
def places() -> PlaceResolver:
    return PlaceResolver(get_catalog().cities.rows(), [("410105", "金水区", "410100")])


@FAST
@given(text=st.one_of(st.none(), messy))
def test_any_place_text_resolves_or_says_why(places: PlaceResolver, text: str | None) -> None:
    place = places.resolve(text)
    assert place.county_code is None or place.county_code == "410105"
    if place.province_code is None and place.city_code is None:
        assert place.reason


# ---------------------------------------------------------------- codes
@FAST
@given(code=st.text(alphabet=st.sampled_from(list("0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ abc-")), max_size=20))
def test_credit_codes_are_judged_never_crash(code: str) -> None:
    problem = credit_code_problem(code)
    assert (problem is None) == is_valid_credit_code(code)


# ---------------------------------------------------------------- matching JSON
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                           max_leaves=20)


@FAST
@given(value=json_values, method=st.sampled_from(["da", "weights"]))
def test_any_matching_json_is_checked_or_refused_clearly(value: object, method: str) -> None:
    try:
        read_match_bytes(json.dumps(value).encode(), method=method)
    except InvalidInput as exc:
        assert exc.message


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
def test_matching_json_nested_too_deep_is_refused(depth: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_match_bytes(("[" * depth + "]" * depth).encode(), name="m.json")
    assert "m.json" in refused.value.message


@FAST
@given(data=st.binary(max_size=500))
def test_any_matching_bytes_are_refused_clearly(data: bytes) -> None:
    try:
        read_match_bytes(data)
    except InvalidInput as exc:
        assert exc.message
