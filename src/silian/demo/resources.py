"""School resources, funding and innovation by year, consistent with each school's students.

Thresholds of 《中等职业学校设置标准》(2010) and the 办学条件达标 monitoring (DOMAIN.md): ≥1,200 students,
≥60 full-time teachers, 1:20 teacher ratio, 专业教师 ≥50 % of teachers, 双师型 ≥30 % of those; campus
≥40,000 m² and ≥33 m²/student, buildings ≥24,000 m² and ≥20 m²/student, equipment ≥300万元 and
≥2,500 元/student, ≥30 books/student. Weak schools miss most of them; about one in six of the others
misses one indicator; the rest comply with a margin.
"""

from __future__ import annotations

import random

import polars as pl

from silian.demo import zhengzhou as zz
from silian.demo.schools import School

INDICATORS = ("land", "building", "equipment", "books", "teachers", "major_share", "dual_share")


def build_resources(schools: list[School], students: dict[tuple[str, int], int], rng: random.Random) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for school in schools:
        years = [y for y in zz.YEARS if students.get((school.code, y), 0) > 0]
        if not years:
            continue
        peak = max(students[(school.code, y)] for y in years)
        miss = rng.choice(INDICATORS) if not school.weak and rng.random() < 0.17 else None
        profile = _profile(school, peak, miss, rng)
        profile["floor"], profile["cap"] = rng.randint(62, 75), rng.randint(30, 57)
        for year in years:
            n = students[(school.code, year)]
            age = year - zz.YEARS[0]
            land = profile["land"]
            if school.in_park and year >= 2023:  # the 职教园区 campus
                land, profile["building"] = max(land, 120_000.0), max(profile["building"], 70_000.0)
            building = profile["building"] * (1 + 0.01 * age)
            equipment = profile["equipment"] * (1.06 ** age)
            books = round(profile["books"] * (1 + 0.02 * age))
            teachers = max(8, round(n / profile["ratio"]))  # ints below: floor and cap are whole teachers
            if not school.weak and school.secondary and miss != "teachers":
                teachers = max(teachers, profile["floor"])  # type: ignore[assignment]
            if school.weak:
                teachers = min(teachers, profile["cap"])  # type: ignore[assignment]
            major_teachers = round(teachers * profile["major_share"])
            dual = round(major_teachers * min(0.95, profile["dual_share"] + 0.015 * age))
            rows.append({
                "institution_code": school.code, "year": year, "land_area_m2": round(land, 0),
                "building_area_m2": round(building, 0), "equipment_value_10k": round(equipment, 1),
                "books": books, "teachers": teachers, "major_teachers": major_teachers, "dual_teachers": dual,
                "enterprise_part_time": round(teachers * rng.uniform(0.05, 0.22)),
                "training_stations": round(n * profile["stations"]),
            })
    return pl.DataFrame(rows)


def _profile(school: School, peak: int, miss: str | None, rng: random.Random) -> dict[str, float]:
    """Static resource levels of a school, sized for its peak number of students."""
    if not school.secondary:
        return {"land": peak * rng.uniform(45, 70), "building": peak * rng.uniform(24, 34),
                "equipment": peak * rng.uniform(0.45, 1.1) / 1.4, "books": peak * rng.uniform(55, 85),
                "ratio": rng.uniform(15, 19), "major_share": rng.uniform(0.6, 0.75),
                "dual_share": rng.uniform(0.45, 0.65), "stations": rng.uniform(0.35, 0.6)}
    if school.weak:
        return {"land": rng.uniform(12_000, 38_000), "building": rng.uniform(6_000, 21_000),
                "equipment": rng.uniform(60, 280), "books": peak * rng.uniform(10, 26),
                "ratio": rng.uniform(17, 28), "major_share": rng.uniform(0.32, 0.5),
                "dual_share": rng.uniform(0.12, 0.3), "stations": rng.uniform(0.1, 0.3)}
    p = {"land": max(40_000, peak * 33) * rng.uniform(1.05, 1.45),
         "building": max(24_000, peak * 20) * rng.uniform(1.05, 1.35),
         "equipment": max(300, peak * 0.25) * rng.uniform(1.1, 1.8) / 1.4,  # grows 6 % a year to 2024
         "books": peak * rng.uniform(31, 45), "ratio": rng.uniform(13.5, 19),
         "major_share": rng.uniform(0.53, 0.7), "dual_share": rng.uniform(0.33, 0.5),
         "stations": rng.uniform(0.3, 0.6)}
    if miss == "land":
        p["land"] = max(40_000, peak * rng.uniform(20, 30))
    elif miss == "building":
        p["building"] = max(24_000 * 0.9, peak * rng.uniform(12, 18))
    elif miss == "equipment":
        p["equipment"] = peak * rng.uniform(0.09, 0.15)
    elif miss == "books":
        p["books"] = peak * rng.uniform(16, 26)
    elif miss == "teachers":
        p["ratio"] = rng.uniform(23, 28)
    elif miss == "major_share":
        p["major_share"] = rng.uniform(0.38, 0.47)
    elif miss == "dual_share":
        p["dual_share"] = rng.uniform(0.15, 0.24)
    return p


def build_funding(schools: list[School], students: dict[tuple[str, int], int], rng: random.Random) -> pl.DataFrame:
    """Appropriation per student by level and ownership, growing about 5 % a year; 职教园区 special funds."""
    rows: list[dict[str, object]] = []
    park = [s for s in schools if s.in_park]
    for school in schools:
        base = _per_student_2016(school, rng)
        for year in zz.YEARS:
            n = students.get((school.code, year), 0)
            if n == 0:
                continue
            per_student = base * (1.05 ** (year - zz.YEARS[0])) * rng.uniform(0.95, 1.05)
            appropriation = per_student * n / 10_000
            special = rng.uniform(20, 400) if school.ownership == "公办" else rng.uniform(0, 40)
            if school.in_park and year >= 2023:
                special += zz.PARK_PLAN_10K / len(park) / 2
            tuition = n * (rng.uniform(0.6, 1.2) if school.ownership == "民办" and school.secondary else
                           rng.uniform(0.9, 1.5) if school.ownership == "民办" else
                           rng.uniform(0.45, 0.6) if not school.secondary else rng.uniform(0.02, 0.08))
            rows.append({"institution_code": school.code, "year": year,
                         "appropriation_10k": round(appropriation, 1), "per_student_yuan": round(appropriation * 10_000 / n),
                         "special_funds_10k": round(special, 1), "other_income_10k": round(tuition, 1)})
    return pl.DataFrame(rows)


def _per_student_2016(school: School, rng: random.Random) -> float:
    if school.ownership == "民办":
        return rng.uniform(1_200, 2_200)  # 免学费补助 and 助学金 only
    if not school.secondary:
        return rng.uniform(9_500, 12_500)  # 高职生均拨款 ≥ 12,000 元 from 2017
    return {"省属": rng.uniform(8_000, 10_000), "市属": rng.uniform(6_500, 8_500)}.get(
        school.affiliation, rng.uniform(4_500, 6_500))


def build_innovation(schools: list[School], students: dict[tuple[str, int], int], rng: random.Random) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for school in schools:
        strength = rng.lognormvariate(0, 0.6) * (0.3 if school.weak else 1.0)
        for year in zz.YEARS:
            n = students.get((school.code, year), 0)
            if n == 0:
                continue
            growth = 1.12 ** (year - zz.YEARS[0])
            scale = n / 1000 * strength * growth
            service = scale * (rng.uniform(2, 12) if school.secondary else rng.uniform(15, 60))
            rows.append({"institution_code": school.code, "year": year,
                         "tech_service_income_10k": round(service, 1),
                         "joint_projects": round(scale * rng.uniform(0.3, 1.2)),
                         "patents": round(scale * (rng.uniform(0, 0.6) if school.secondary else rng.uniform(1, 4))),
                         "skill_awards": round(scale * rng.uniform(0.5, 2.5))})
    return pl.DataFrame(rows)
