import polars as pl
import pytest

from silian.catalog import get_catalog
from silian.catalog.search import search_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return get_catalog()


def test_2021_major_counts_are_official(catalog) -> None:  # type: ignore[no-untyped-def]
    stats = catalog.stats("2021")
    assert stats["majors"] == {"secondary": 358, "associate": 744, "bachelor": 247}
    assert stats["majors_k_flag"] == 47
    # 19 大类 per level; 专业类 per level as in the vendored catalogue (中职 88, 专科 97, 职业本科 90):
    # category and class codes are level-specific, so they are counted per level
    majors = catalog.majors("2021")
    expected_classes = {"secondary": 88, "associate": 97, "bachelor": 90}
    for level, n_classes in expected_classes.items():
        sub = majors.filter(pl.col("level_key") == level)
        assert sub["category_code"].n_unique() == 19
        assert sub["class_code"].n_unique() == n_classes


def test_current_catalogue_has_later_additions_with_their_version(catalog) -> None:  # type: ignore[no-untyped-def]
    stats = catalog.stats("current")
    assert stats["majors"] == {"secondary": 368, "associate": 801, "bachelor": 321}
    since = catalog.majors("current")["since"].value_counts().sort("since")
    assert dict(since.iter_rows()) == {"2021": 1349, "2022-2025": 87, "2025-12": 54}
    assert set(catalog.majors("2021")["major_code"]) <= set(catalog.majors("current")["major_code"])


def test_industry_levels(catalog) -> None:  # type: ignore[no-untyped-def]
    counts = catalog.stats()["industries"]
    assert counts == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}
    ind = catalog.industries
    codes = set(ind["code"])
    assert all(p in codes for p in ind["parent_code"].drop_nulls())


def test_occupation_tree_is_complete_and_consistent(catalog) -> None:  # type: ignore[no-untyped-def]
    occ = catalog.occupations
    counts = catalog.stats()["occupations"]
    # official 8 / 79 / 449 / 1,636; the merged sources differ slightly (see PROVENANCE.md)
    assert counts["大类"] == 8 and counts["中类"] == 79
    assert abs(counts["小类"] - 449) <= 1 and abs(counts["细类"] - 1636) <= 10
    assert occ["code"].is_unique().all()
    codes = set(occ["code"])
    assert all(p in codes for p in occ["parent_code"].drop_nulls())
    assert not occ["name"].str.contains(r"[SL]$").any()  # markers moved to flags
    assert occ.filter(pl.col("code") == "4-04-05-11")["digital"].item() in (True, False)
    assert catalog.stats()["occupations_digital"] > 90 and catalog.stats()["occupations_green"] > 100


def test_every_crosswalk_code_exists_in_its_classification(catalog) -> None:  # type: ignore[no-untyped-def]
    majors = set(catalog.majors("current")["major_code"])
    occupations = set(catalog.occupations["code"])
    xw = catalog.major_occupations
    assert xw.height > 5000
    assert set(xw["major_code"]) <= majors
    assert set(xw["occupation_code"]) <= occupations
    cont = catalog.continuations
    assert set(cont["source_code"]) <= majors
    vocational_targets = cont.filter(pl.col("target_level") != "普通本科")["target_code"].drop_nulls()
    assert set(vocational_targets) <= majors


def test_k_codes_normalise(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.normalize_major_code("520101") == "520101K"
    assert catalog.normalize_major_code("660103") == "660103"
    assert catalog.normalize_major_code("999999") is None


def test_search_finds_majors_occupations_and_industries(catalog) -> None:  # type: ignore[no-untyped-def]
    kinds = {h.kind for h in search_catalog(catalog, "数控")}
    assert {"major", "occupation"} <= kinds
    assert {h.kind for h in search_catalog(catalog, "汽车")} == {"major", "occupation", "industry"}
    assert search_catalog(catalog, "660103")[0].name == "数控技术应用"
    assert search_catalog(catalog, "C36")[0].name == "汽车制造业"
    assert search_catalog(catalog, "   ") == []
