"""Salary, education, experience and date parsing on real messy strings."""

from __future__ import annotations

from datetime import date

import pytest

from silian.ingest.postings.parse import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    parse_date,
    parse_education,
    parse_experience,
    parse_salary,
)


@pytest.mark.parametrize(("text", "low", "high", "months", "period"), [
    ("6-8K", 6000, 8000, None, "month"),
    ("6k-8k", 6000, 8000, None, "month"),
    ("1.5-2万", 15000, 20000, None, "month"),
    ("8千-1.2万", 8000, 12000, None, "month"),
    ("15-25K·13薪", 15000, 25000, 13, "month"),
    ("15-25k·14薪", 15000, 25000, 14, "month"),
    ("3000-5000元/月", 3000, 5000, None, "month"),
    ("3,000-5,000 元/月", 3000, 5000, None, "month"),
    ("1-1.5万/月", 10000, 15000, None, "month"),
    ("10K以上", 10000, None, None, "month"),
    ("5000元以下", None, 5000, None, "month"),
    ("200元/天", 200 * DAYS_PER_MONTH, 200 * DAYS_PER_MONTH, None, "day"),
    ("150-200元/天", 150 * DAYS_PER_MONTH, 200 * DAYS_PER_MONTH, None, "day"),
    ("20-30元/时", 20 * HOURS_PER_MONTH, 30 * HOURS_PER_MONTH, None, "hour"),
    ("25元/小时", 25 * HOURS_PER_MONTH, 25 * HOURS_PER_MONTH, None, "hour"),
    ("年薪20-30万", 200000 / 12, 300000 / 12, None, "year"),
    ("4000~6000", 4000, 6000, None, "month"),
])
def test_salary_forms(text: str, low: float | None, high: float | None, months: int | None, period: str) -> None:
    s = parse_salary(text)
    assert s.reason == "" and s.period == period and s.months == months
    assert s.low == (None if low is None else pytest.approx(low, abs=0.01))
    assert s.high == (None if high is None else pytest.approx(high, abs=0.01))


def test_salary_negotiable_empty_and_bad() -> None:
    assert parse_salary("面议").negotiable and parse_salary("薪资面议").low is None
    assert parse_salary("").reason == "empty" and parse_salary(None).reason == "empty"
    assert parse_salary("有竞争力的薪酬").reason == "no number"
    assert parse_salary("9-6K").reason == "low above high"
    assert parse_salary("10", default_unit="k").low == 10000  # liepin's columns are in thousands


@pytest.mark.parametrize(("text", "level"), [
    ("大专及以上", "associate"), ("本科及以上", "bachelor"), ("统招本科", "bachelor"), ("学历不限", "none"), ("不限", "none"),
    ("硕士及以上", "master"), ("博士", "doctor"), ("中专/中技及以上", "secondary"), ("高中以上", "secondary"),
    ("初中及以下", "junior_high"), ("本科/硕士", "bachelor"), ("MBA", "master"),
])
def test_education(text: str, level: str) -> None:
    assert parse_education(text).level == level


def test_education_unknown() -> None:
    assert parse_education("见面详谈").reason == "unknown education" and parse_education("").reason == "empty"


@pytest.mark.parametrize(("text", "low", "high"), [
    ("1-3年", 1, 3), ("3年以上", 3, None), ("经验不限", 0, None), ("应届毕业生", 0, None), ("在校生/应届生", 0, None),
    ("一年以上", 1, None), ("1年以下", 0, 1), ("5-10年", 5, 10), ("10年以上", 10, None), ("两年以上", 2, None),
])
def test_experience(text: str, low: float, high: float | None) -> None:
    e = parse_experience(text)
    assert (e.min_years, e.max_years) == (low, high)


def test_dates() -> None:
    assert parse_date("2019年12月15日") == (date(2019, 12, 15), "")
    assert parse_date("2019-12-15 08:00") == (date(2019, 12, 15), "")
    assert parse_date("2019/12/5") == (date(2019, 12, 5), "")
    assert parse_date("2019.12") == (date(2019, 12, 1), "")
    assert parse_date("12-15", today=date(2020, 1, 1)) == (date(2020, 12, 15), "")
    assert parse_date("2019-02-30")[1] == "impossible date"
    assert parse_date("昨天")[1] == "unknown date"


def test_places() -> None:
    from silian.catalog import get_catalog
    from silian.ingest.postings.places import PlaceResolver
    cities = get_catalog().cities.rows()
    resolver = PlaceResolver(cities, [("410105", "金水区", "410100"), ("410171", "郑州经济技术开发区", "410100"),
                                      ("410173", "郑州航空港经济综合实验区", "410100")])
    assert resolver.resolve("郑州").city_code == "410100"
    assert resolver.resolve("郑州市").city_code == "410100"
    p = resolver.resolve("郑州-金水区")
    assert (p.city_code, p.county_code) == ("410100", "410105")
    assert resolver.resolve("郑州·金水").county_code == "410105"
    assert resolver.resolve("北京").city_code == "110000"
    assert resolver.resolve("苏州").province_code == "320000"
    p = resolver.resolve("上海,北京")
    assert p.city_code == "310000" and p.others == ("北京",)
    p = resolver.resolve("江苏")
    assert (p.province_code, p.city_code, p.reason) == ("320000", None, "province only")
    assert resolver.resolve("火星基地").reason == "unknown place" and resolver.resolve("").reason == "empty"


def test_counties_resolve_without_a_hub_from_the_national_division_list() -> None:
    """A fresh installation: 郑州-金水区 and 郑州市 中牟县 resolve to their counties with no database at all."""
    from silian.services.postings.local import place_resolver

    resolver = place_resolver()
    assert resolver.resolve("郑州-金水区").county_code == "410105"
    assert resolver.resolve("郑州市 中牟县").county_code == "410122"
    assert resolver.resolve("北京-朝阳").county_code == "110105"
