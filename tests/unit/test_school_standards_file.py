"""The vendored school standards file: every applied threshold has its document, article (or a note saying why
not), confidence C1/C2 and a stored copy; each 中职-level type has its own two standards; the method card lists
exactly the file's thresholds; a file that applies an unverified figure is refused; another file named in
analysis.toml replaces the built-in one, and a type it does not cover is not judged."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from silian.analytics import schools
from silian.domain.errors import InvalidInput
from silian.services.config import AnalysisConfig, analysis_config
from silian.services.school_standards import parse_standards, pick, school_standards
from silian.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def file():  # type: ignore[no-untyped-def]
    return school_standards(analysis_config(Settings()))


def test_every_threshold_has_its_document_article_confidence_and_source(file) -> None:  # type: ignore[no-untyped-def]
    assert file.standards and file.version
    for s in file.standards:
        assert len(s.document) == 2 and len(s.issuer) == 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.issued), s.id
        for item in s.items:
            assert item.sources or item.reason in ("unverified", "not_on_file"), (s.id, item)
            assert all(k in file.sources for k in item.sources), (s.id, item)
            if item.applied:
                assert item.confidence in ("C1", "C2") and item.check and item.measure in schools.MEASURES, (s.id, item)
                assert item.article or len(item.note) == 2, f"{s.id}: an applied threshold without article needs a note"
            else:
                assert len(item.what) == 2 and item.reason, (s.id, item)
                assert item.confidence != "M" or item.reason == "unverified", (s.id, item)


def test_each_secondary_type_has_its_own_setting_and_monitoring_standard(file) -> None:  # type: ignore[no-untyped-def]
    for level in schools.SECONDARY_LEVELS:
        for regime in schools.REGIMES:
            assert sum(level in s.levels and s.regime == regime for s in file.standards) == 1, (level, regime)
    technician = {(i.measure, i.value) for s in file.standards if s.id == "technician_setting_2012" for i in s.items if i.applied}
    assert {("students", 800), ("campus_m2", 30000), ("building_m2", 18000)} <= technician  # 人社部发〔2012〕8号
    assert not any(i.measure == "teachers" for s in file.standards if "技工学校" in s.levels for i in s.items)
    assert "《技工学校设置标准（试行）》" in pick(file.by_id()["technician_setting_2012"].document)
    for level in ("高职专科", "职业本科"):
        assert not any(level in s.levels for s in file.standards)
        assert "教发〔2004〕2号" in file.why_none(level, "monitoring")


def test_the_method_card_lists_exactly_the_files_thresholds(file) -> None:  # type: ignore[no-untyped-def]
    card = (ROOT / "docs" / "methods" / "school_standards.md").read_text(encoding="utf-8")
    sections = re.split(r"^### ", card, flags=re.MULTILINE)
    for s in file.standards:
        section = next((x for x in sections if f"(`{s.id}`)" in x.splitlines()[0]), None)
        assert section is not None, f"the card has no section for {s.id}"
        rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith(("| check", "|---"))]
        expected = [f"| {i.check} | {i.text()} | {i.article_text()} | {i.confidence} | {', '.join(i.sources)} |"
                    for i in s.items if i.applied]
        assert rows == expected, s.id
        for item in s.not_applied():
            assert pick(item.what) in section and f"`{item.reason}`" in section, (s.id, item.what)
    assert f"version {file.version}" in card


TEMPLATE = '''
[sources]
x = "a copy"
[[standards]]
id = "mine"
regime = "setting"
levels = ["中职"]
document = ["文件", "document"]
[[standards.items]]
check = "students"
measure = "{measure}"
min = 1000
article = "第一条"
confidence = "{confidence}"
sources = ["x"]
'''


@pytest.mark.parametrize(("measure", "confidence", "words"), [
    ("students", "M", "C1 or C2"), ("pupils", "C1", "known measure"), ("students", "C2", None)])
def test_a_file_that_applies_an_unverified_or_unknown_figure_is_refused(measure: str, confidence: str, words: str | None) -> None:
    text = TEMPLATE.format(measure=measure, confidence=confidence)
    if words is None:
        assert parse_standards(text, "mine.toml").for_analysis()[0].thresholds[0].value == 1000
        with pytest.raises(InvalidInput, match="more than one setting standard"):
            parse_standards(text + "[[standards]]" + text.split("[[standards]]", 1)[1], "mine.toml")  # 中职 twice
        return
    with pytest.raises(InvalidInput, match=words):
        parse_standards(text, "mine.toml")


def test_a_file_named_in_analysis_toml_replaces_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(TEMPLATE.format(measure="students", confidence="C2"), encoding="utf-8")
    raw = {**analysis_config(Settings()).raw, "school_standards": {"file": "mine.toml"}}
    config = AnalysisConfig(raw=raw, source=str(tmp_path / "analysis.toml"))
    mine = school_standards(config)
    assert [s.id for s in mine.standards] == ["mine"]
    profile = pl.DataFrame({"institution_code": ["z", "j"], "level": ["中职", "技工学校"], "students": [1100, 1100],
                            **{c: [1.0, 1.0] for c in schools.RESOURCE_COLUMNS}, "majors": [3, 3]})
    result = {r["institution_code"]: r for r in schools.compliance(profile, mine.for_analysis()).iter_rows(named=True)}
    assert result["z"]["setting_verdict"] == "met" and result["z"]["monitoring_verdict"] == "no_standard"
    # the file has no 技工学校 standard: not judged by the 中职 one
    assert result["j"]["setting_verdict"] == result["j"]["monitoring_verdict"] == "no_standard"
    assert result["j"]["ok_students"] is None and result["j"]["compliant"] is None
