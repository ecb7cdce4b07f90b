"""Generated enterprises (valid 统一社会信用代码, made-up names) and school–enterprise cooperation."""

from __future__ import annotations

import random
from dataclasses import dataclass

import polars as pl

from silian.catalog import Catalog
from silian.demo import zhengzhou as zz
from silian.demo.schools import School
from silian.domain.credit_code import ALPHABET, make_credit_code


@dataclass
class Enterprise:
    credit_code: str
    name: str
    industry_code: str  # GB/T 4754 大类 (2 digits) or 小类 (4 digits)
    county: str
    size: str
    integration: bool
    employees: int

    @property
    def division(self) -> str:
        """The 大类 code."""
        return self.industry_code[:2]


def build_enterprises(catalog: Catalog, rng: random.Random) -> list[Enterprise]:
    small_classes: dict[str, list[str]] = {}
    for code in catalog.industries.filter(pl.col("level") == "小类")["code"].sort().to_list():
        small_classes.setdefault(code[:2], []).append(code)
    industries = [code for code, _, _ in zz.ENTERPRISE_INDUSTRIES]
    weights = [w for _, w, _ in zz.ENTERPRISE_INDUSTRIES]
    words = {code: word for code, _, word in zz.ENTERPRISE_INDUSTRIES}
    counties = [code for code, _, _ in zz.COUNTIES]
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    out: list[Enterprise] = []
    while len(out) < zz.ENTERPRISE_COUNT:
        division = rng.choices(industries, weights)[0]
        home = zz.INDUSTRY_COUNTIES.get(division)
        if home and rng.random() < 0.75:
            county = rng.choices(list(home), list(home.values()))[0]
        else:
            county = rng.choice(counties)
        code = make_credit_code("91" + county + "".join(rng.choice(ALPHABET) for _ in range(9)))
        name = _name(division, county, words[division], rng)
        if code in seen_codes or name in seen_names:
            continue
        seen_codes.add(code)
        seen_names.add(name)
        size = rng.choices([s for s, _ in zz.SIZE_WEIGHTS], [w for _, w in zz.SIZE_WEIGHTS])[0]
        if division.isdigit() and int(division) <= 43 and size == "微型" and rng.random() < 0.6:
            size = "小型"  # manufacturers in the hub are rarely micro firms
        low, high = zz.EMPLOYEES[size]
        employees = round(low * (high / low) ** rng.random())
        integration = rng.random() < {"大型": 0.45, "中型": 0.12, "小型": 0.015, "微型": 0.0}[size]
        industry = division
        if small_classes.get(division) and rng.random() < 0.5:
            industry = rng.choice(small_classes[division])
        out.append(Enterprise(code, name, industry, county, size, integration, employees))
    return out


def _name(division: str, county: str, word: str, rng: random.Random) -> str:
    place = zz.COUNTY_NAMES[county].removesuffix("市") if county in zz.COUNTY_TOWNS else "郑州"
    trade = "".join(rng.sample(zz.NAME_CHARS, 2))
    suffix = "股份有限公司" if rng.random() < 0.08 else "有限公司"
    return f"{place}{trade}{word}{suffix}"


def enterprises_frame(enterprises: list[Enterprise]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"credit_code": e.credit_code, "name": e.name, "industry_code": e.industry_code, "county_code": e.county,
          "size": e.size, "is_integration": e.integration, "employees": e.employees} for e in enterprises]
    )


# ---------------------------------------------------------------- cooperation
CATEGORY_INDUSTRIES = {  # major 大类, in 专科 numbering (中职 = +20, 本科 = −20) → GB/T 4754 大类
    "41": ("13", "01"), "42": ("06", "77"), "43": ("32", "33", "30"), "44": ("47", "48"), "45": ("76",),
    "46": ("34", "35", "36", "38", "37", "40"), "47": ("26", "29"), "48": ("18", "17"),
    "49": ("13", "14", "15", "27"), "50": ("59", "58", "36", "81"), "51": ("39", "65", "64"), "52": ("84",),
    "53": ("52", "51", "72"), "54": ("62", "61"), "55": ("72", "65"), "56": ("64", "65"), "57": ("83",),
    "58": ("72",), "59": ("80", "84"),
}
KINDS = (("订单班", 120), ("现代学徒制", 60), ("共建专业", 40), ("产业学院", 20), ("实训基地", 50), ("教师企业实践", 150))


def category(major_code: str) -> str:
    n = int(major_code[:2])
    return str(n - 20 if n >= 61 else n + 20 if n <= 39 else n)


def build_cooperation(schools: list[School], majors: dict[str, list[str]], enterprises: list[Enterprise],
                      names: dict[str, str], rng: random.Random) -> pl.DataFrame:
    """A few hundred cooperation records 2018–2024, each linking a school, one of its majors and an
    enterprise of an industry that hires that major (产教融合型 enterprises are three times as likely)."""
    by_division: dict[str, list[Enterprise]] = {}
    for e in enterprises:
        by_division.setdefault(e.division, []).append(e)
    active = [s for s in schools if majors.get(s.code)]
    school_weights = [1.0 if s.weak else (3.0 if not s.secondary else 2.0) for s in active]
    rows: list[dict[str, object]] = []
    keys: set[tuple[object, ...]] = set()  # natural key of the table: no duplicates
    for school in (s for s in active if s.in_park):  # the 职教园区's shared public training bases
        major = rng.choice(majors[school.code])
        rows.append(_row("实训基地", school, major, None, rng.choice((2023, 2024)), names, rng))
    for kind, count in KINDS:
        made = sum(1 for r in rows if r["kind"] == kind)
        while made < count:
            school = rng.choices(active, school_weights)[0]
            if kind == "产业学院" and school.secondary and rng.random() < 0.7:
                continue  # industry colleges are mostly at 高职
            major = rng.choice(majors[school.code])
            partners = [e for d in CATEGORY_INDUSTRIES.get(category(major), ()) for e in by_division.get(d, ())]
            if not partners:
                continue
            enterprise = rng.choices(partners, [3.0 if e.integration else 1.0 for e in partners])[0]
            start = rng.choice(zz.COOPERATION_YEARS)
            row = _row(kind, school, major, enterprise, start, names, rng)
            key = (kind, school.code, row["enterprise_credit_code"], major, row["name"], start)
            if key in keys:
                continue
            keys.add(key)
            rows.append(row)
            made += 1
    return pl.DataFrame(rows, infer_schema_length=None)


def _row(kind: str, school: School, major: str, enterprise: Enterprise | None, start: int,
         names: dict[str, str], rng: random.Random) -> dict[str, object]:
    partner = enterprise.name.removesuffix("股份有限公司").removesuffix("有限公司") if enterprise else "职教园区公共"
    major_name = names.get(major, major)
    row: dict[str, object] = {
        "kind": kind, "institution_code": school.code,
        "enterprise_credit_code": enterprise.credit_code if enterprise else None, "major_code": major,
        "start_year": start, "end_year": None, "participants": None, "capacity": None,
        "fn_teaching": None, "fn_training": None, "fn_assessment": None, "fn_production": None,
        "fn_service": None, "practice_days": None,
    }
    if kind in ("订单班", "现代学徒制"):
        row.update(name=f"{partner}·{major_name}{kind}（{start}级）", end_year=start + 3,
                   participants=rng.randint(18, 50))
    elif kind == "共建专业":
        row.update(name=f"{partner}共建{major_name}专业", participants=rng.randint(40, 160))
    elif kind == "产业学院":
        row.update(name=f"{partner}产业学院", participants=rng.randint(120, 650))
    elif kind == "实训基地":
        capacity = rng.randint(40, 400)
        row.update(name=f"{partner}·{major_name}实训基地", capacity=capacity, participants=capacity * rng.randint(2, 6),
                   fn_teaching=True, fn_training=rng.random() < 0.8, fn_assessment=rng.random() < 0.45,
                   fn_production=rng.random() < (0.2 if enterprise is None else 0.5), fn_service=rng.random() < 0.5)
    else:
        days = rng.choice((20, 30, 30, 45, 60, 60, 90, 120, 180))
        row.update(name=f"{major_name}专业教师赴{partner}企业实践", end_year=start, participants=rng.randint(1, 8),
                   practice_days=days)
    return row
