"""Parse the messy fields of job postings: salary ranges, education, experience, dates.

Every parser takes one string and returns a result with a ``reason`` when it could not parse (never raises), so a
pipeline can apply it to the distinct values of a column and keep the rows it could not parse, with the reason.

Salary forms seen in real exports: ``6-8K``, ``6k-8k``, ``1.5-2万``, ``8千-1.2万``, ``10K以上``, ``面议``,
``15-25K·13薪``, ``3000-5000元/月``, ``200元/天``, ``20-30元/时``, ``年薪20-30万``, ``1-1.5万/月``. Everything is
converted to **monthly yuan**: a day is 1/21.75 of a month (the statutory average of working days), an hour
1/174 (21.75 × 8), a year 1/12; ``·13薪`` keeps the monthly figure and reports 13 months paid a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DAYS_PER_MONTH = 21.75
HOURS_PER_MONTH = DAYS_PER_MONTH * 8

_UNIT_WORDS = {"k": 1000.0, "千": 1000.0, "w": 10000.0, "万": 10000.0, "元": 1.0, "": 1.0}
_NUMBER = r"(\d+(?:\.\d+)?)\s*(k|千|w|万|元)?"
_RANGE = re.compile(_NUMBER + r"\s*(?:-|~|～|—|–|至|到)\s*" + _NUMBER)
_SINGLE = re.compile(_NUMBER)
_MONTHS = re.compile(r"(\d{2})\s*薪")
_NEGOTIABLE = ("面议", "薪资面议", "面谈", "待遇面议")


@dataclass(frozen=True)
class Salary:
    """Monthly salary range in yuan (``low``/``high``), months paid a year, and why it failed if it did."""

    low: float | None
    high: float | None
    months: int | None = None
    period: str = "month"          # the period the text was quoted in: month / day / hour / year
    negotiable: bool = False
    reason: str = ""               # empty when parsed


def _period(text: str) -> str:
    if "年薪" in text or "/年" in text or "每年" in text:
        return "year"
    if "/天" in text or "元/日" in text or "日薪" in text or "每天" in text:
        return "day"
    if "/时" in text or "/小时" in text or "时薪" in text:
        return "hour"
    return "month"


def _scale(value: float, unit: str | None, default_unit: str) -> float:
    return value * _UNIT_WORDS[(unit or default_unit).lower()]


def parse_salary(text: str | None, *, default_unit: str = "") -> Salary:
    """One salary string → monthly yuan. ``default_unit`` applies to bare numbers (``k`` for exports that give
    thousands, like the liepin file's low/high columns)."""
    if text is None or not str(text).strip():
        return Salary(None, None, reason="empty")
    raw = str(text).strip()
    if any(word in raw for word in _NEGOTIABLE):
        return Salary(None, None, negotiable=True)
    cleaned = raw.lower().replace(",", "").replace("，", "").replace(" ", "").replace("以上", "+").replace("以下", "-max")
    months_match = _MONTHS.search(cleaned)
    months = int(months_match.group(1)) if months_match else None
    if months_match:
        cleaned = cleaned[: months_match.start()]
    period = _period(cleaned)
    match = _RANGE.search(cleaned)
    low: float | None
    high: float | None
    if match:
        a, ua, b, ub = match.groups()
        # "8千-1.2万": each side its unit; "6-8k": the right side's unit applies to both
        low = _scale(float(a), ua or ub, default_unit)
        high = _scale(float(b), ub, default_unit)
    else:
        single = _SINGLE.search(cleaned)
        if not single:
            return Salary(None, None, months=months, period=period, reason="no number")
        value = _scale(float(single.group(1)), single.group(2), default_unit)
        if "-max" in cleaned:
            low, high = None, value
        else:
            low, high = value, (None if "+" in cleaned else value)
    factor = {"month": 1.0, "day": DAYS_PER_MONTH, "hour": HOURS_PER_MONTH, "year": 1 / 12}[period]
    low = None if low is None else round(low * factor, 2)
    high = None if high is None else round(high * factor, 2)
    if low is not None and high is not None and low > high:
        return Salary(low, high, months, period, reason="low above high")
    if (low or high or 0) > 5_000_000:
        return Salary(low, high, months, period, reason="implausible amount")
    return Salary(low, high, months, period)


# ---------------------------------------------------------------- education
EDUCATION_LEVELS = ("none", "junior_high", "secondary", "associate", "bachelor", "master", "doctor")
EDUCATION_NAMES = {"none": "不限", "junior_high": "初中及以下", "secondary": "中专/中技/高中", "associate": "大专",
                   "bachelor": "本科", "master": "硕士", "doctor": "博士"}
_EDUCATION_WORDS = (("博士", "doctor"), ("硕士", "master"), ("研究生", "master"), ("mba", "master"), ("本科", "bachelor"),
                    ("学士", "bachelor"), ("大专", "associate"), ("专科", "associate"), ("高职", "associate"),
                    ("中专", "secondary"), ("中技", "secondary"), ("技校", "secondary"), ("职高", "secondary"),
                    ("高中", "secondary"), ("中职", "secondary"), ("初中", "junior_high"), ("不限", "none"),
                    ("无要求", "none"), ("学历不限", "none"))


@dataclass(frozen=True)
class Education:
    """The minimum education asked for (one of EDUCATION_LEVELS) and whether it is a minimum ("及以上")."""

    level: str | None
    at_least: bool = True
    reason: str = ""


def parse_education(text: str | None) -> Education:
    """``大专及以上`` → associate; ``统招本科`` → bachelor; ``学历不限`` → none; ``中专/中技及以上`` → secondary."""
    if text is None or not str(text).strip():
        return Education(None, reason="empty")
    lowered = str(text).strip().lower()
    found = [level for word, level in _EDUCATION_WORDS if word in lowered]
    if not found:
        return Education(None, reason="unknown education")
    level = min(found, key=EDUCATION_LEVELS.index)  # "本科/硕士" asks for at least 本科
    return Education(level, at_least="以上" in lowered or level == "none" or "/" in lowered)


# ---------------------------------------------------------------- experience
_YEARS_RANGE = re.compile(r"(\d+)\s*(?:-|~|～|至|到)\s*(\d+)\s*年")
_YEARS_MIN = re.compile(r"(\d+)\s*年(?:以上|及以上)?")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class Experience:
    """Years of experience asked for: ``min_years`` (0 for none or graduates), ``max_years`` when a range."""

    min_years: float | None
    max_years: float | None = None
    reason: str = ""


def parse_experience(text: str | None) -> Experience:
    """``1-3年`` → 1..3; ``3年以上`` → 3; ``经验不限``/``应届``/``在校生`` → 0; ``一年以上`` → 1; ``1年以下`` → 0..1."""
    if text is None or not str(text).strip():
        return Experience(None, reason="empty")
    raw = str(text).strip()
    for cn, value in _CN_DIGITS.items():
        raw = raw.replace(f"{cn}年", f"{value}年")
    if any(word in raw for word in ("不限", "无经验", "应届", "在校", "实习", "无需")):
        return Experience(0.0, None)
    if (m := _YEARS_RANGE.search(raw)):
        return Experience(float(m.group(1)), float(m.group(2)))
    if (m := _YEARS_MIN.search(raw)):
        years = float(m.group(1))
        return Experience(0.0, years) if "以下" in raw or "内" in raw else Experience(years, None)
    return Experience(None, reason="unknown experience")


# ---------------------------------------------------------------- dates
_DATE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})")
_MONTH = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})")


def parse_date(text: str | None, *, today: date | None = None) -> tuple[date | None, str]:
    """``2019年12月15日``, ``2019-12-15``, ``2019/12/15``, ``2019.12`` (first of month), ``12-15`` (this year)."""
    if text is None or not str(text).strip():
        return None, "empty"
    raw = str(text).strip()
    try:
        if (m := _DATE.search(raw)):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), ""
        if (m := _MONTH.search(raw)):
            return date(int(m.group(1)), int(m.group(2)), 1), ""
        if (m := re.fullmatch(r"(\d{1,2})[-/月](\d{1,2})日?", raw)):
            year = (today or date.today()).year
            return date(year, int(m.group(1)), int(m.group(2))), ""
    except ValueError:
        return None, "impossible date"
    return None, "unknown date"
