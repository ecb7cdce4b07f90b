"""What a code picker finds (silian.catalog.search): pinyin keys of names, and the order of hits — exact code or
name first, then prefixes, names containing the text, pinyin initials and spellings."""

from __future__ import annotations

from silian.catalog.search import codes_named, find_entries, lookup_catalog, make_entry, pinyin_keys


def test_pinyin_keys_are_initials_and_spelling_in_plain_letters() -> None:
    assert pinyin_keys("数控技术") == ("skjs", "shukongjishu")
    assert pinyin_keys("R&D 经费（亿元）") == ("rdjfyy", "rdjingfeiyiyuan")
    assert pinyin_keys("银行")[1] == "yinhang"  # a word's reading, not the character's first one


def test_hits_are_ranked_code_then_name_then_pinyin() -> None:
    entries = [make_entry("1", "车工"), make_entry("2", "数控车工"), make_entry("3", "数控技术"), make_entry("31", "石刻")]
    assert [e.code for e in find_entries(entries, "3", limit=5)] == ["3", "31"]
    assert [e.code for e in find_entries(entries, "车工", limit=5)] == ["1", "2"]
    assert [e.code for e in find_entries(entries, "sk", limit=5)] == ["31", "2", "3"]  # shorter names, then in order
    assert [e.code for e in find_entries(entries, "shukong", limit=5)] == ["2", "3"]
    assert find_entries(entries, "s-k", limit=5) == []  # not letters: no pinyin match
    assert [e.code for e in find_entries(entries, "", limit=2)] == ["1", "2"]


def test_catalogue_lookups() -> None:
    assert lookup_catalog("majors", "sk", limit=2)[0].name == "数控技术"
    assert lookup_catalog("industries", "C36", limit=1)[0].code == "36"
    assert "660103" in codes_named("majors", "数控技术应用")
