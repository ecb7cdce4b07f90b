"""Generated schools (名称、代码 are made up) and the majors each one offers.

School codes are 10 digits starting with 9 (``9410100001``): real 学校标识码 start with 1–5, so a demo code
can never collide with a real school. Names follow generic numbered patterns and are not real schools.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import polars as pl

from silian.demo import zhengzhou as zz
from silian.domain.vocab import SCHOOL_LEVELS


@dataclass
class School:
    code: str
    name: str
    level: str  # 中职, 技工学校, 高职专科, 职业本科
    ownership: str
    affiliation: str
    county: str
    size: float  # students in 2024 the offerings are sized for (before calibration)
    weak: bool = False  # clearly below the 设置标准
    in_park: bool = False
    last_enrolment: int = zz.CALIBRATION_YEAR  # merged schools stop earlier
    first_enrolment: int = zz.HISTORY_START

    @property
    def catalogue_level(self) -> str:
        return SCHOOL_LEVELS[self.level]

    @property
    def secondary(self) -> bool:
        return self.catalogue_level == "中等职业教育"


@dataclass
class Offering:
    """One major at one school (a 专业点) with the years it enrols and its relative size."""

    school: School
    major_code: str
    weight: float
    start: int
    stop: int  # last year with enrolment
    retention: tuple[float, ...] = field(default_factory=tuple)


def _name(level: str, affiliation: str, county: str, n: int, theme: str) -> str:
    num = zz.cn_number(n)
    if level == "高职专科":
        return f"郑州民办第{num}职业学院" if affiliation == "民办" else f"郑州第{num}职业技术学院"
    if level == "职业本科":
        return f"郑州民办第{num}职业技术大学" if affiliation == "民办" else f"郑州第{num}职业技术大学"
    kind = "技工学校" if level == "技工学校" else "中等专业学校"
    if affiliation == "省属":
        return f"河南省郑州第{num}{kind}"
    if affiliation == "市属":
        return f"郑州市第{num}{kind}"
    if affiliation == "县属":
        return f"{zz.COUNTY_NAMES[county]}第{num}职业{kind if level == '技工学校' else '中专'}"
    if affiliation == "行业企业":
        return f"郑州{theme}行业{kind}"
    return f"郑州市民办第{num}{'技工学校' if level == '技工学校' else '职业中专'}"


THEMES = ("机械", "交通", "商贸", "建筑", "化工", "电子", "轻工", "铁路", "电力")


def build_schools(rng: random.Random) -> list[School]:
    """102 中职-level schools active in 2024, 6 merged earlier, 23 高职专科 and 2 职业本科."""
    schools: list[School] = []
    counters: dict[tuple[str, ...], int] = {}
    codes = {"中等职业教育": iter(range(1, 200)), "高等职业教育专科": iter(range(201, 300)),
             "高等职业教育本科": iter(range(301, 400))}
    themes = iter(THEMES)

    def add(level: str, affiliation: str, county: str, size: float, **extra: object) -> School:
        if level in ("高职专科", "职业本科"):
            key: tuple[str, ...] = (level, "民办" if affiliation == "民办" else "公办")
        else:
            key = (level, affiliation, county if affiliation == "县属" else "")
        counters[key] = counters.get(key, 0) + 1
        theme = next(themes) if affiliation == "行业企业" and level in ("中职", "技工学校") else ""
        code = f"9{zz.CITY[0]}{next(codes[SCHOOL_LEVELS[level]]):03d}"
        school = School(code, _name(level, affiliation, county, counters[key], theme), level,
                        "民办" if affiliation == "民办" else "公办", affiliation, county, size, **extra)  # type: ignore[arg-type]
        schools.append(school)
        return school

    county_pool = list(zz.COUNTY_TOWNS) * 4 + ["410102", "410103", "410104", "410105", "410108", "410106",
                                               "410171", "410173"]
    for level, affiliation, count in zz.SECONDARY_MIX:
        for _ in range(count):
            if affiliation == "县属":
                county = county_pool.pop(rng.randrange(len(county_pool)))
            else:
                county = rng.choice(zz.URBAN if affiliation != "民办" else (*zz.URBAN, *zz.COUNTY_TOWNS))
            size = _secondary_size(affiliation, rng)
            add(level, affiliation, county, size)
    active = list(schools)
    # weak schools: small county, private and industry-run schools
    candidates = [s for s in active if s.affiliation in ("县属", "民办", "行业企业")]
    rng.shuffle(candidates)
    for school in candidates[: zz.WEAK_SCHOOLS]:
        school.weak, school.size = True, rng.uniform(380, 1050)
    municipal = [s for s in active if s.affiliation == "市属" and s.level == "中职"]
    for school in rng.sample(municipal, zz.PARK_SCHOOLS):
        school.in_park = True
    # scale the others so the planned 2024 total is the published one (calibration then fixes the rest)
    strong = [s for s in active if not s.weak]
    factor = (zz.TARGET_STUDENTS - sum(s.size for s in active if s.weak)) / sum(s.size for s in strong)
    for school in strong:
        school.size *= factor
    for i in range(zz.MERGED_SCHOOLS):
        affiliation = "县属" if i % 2 == 0 else "民办"
        county = rng.choice(zz.COUNTY_TOWNS)
        add("中职", affiliation, county, rng.uniform(300, 700), weak=True, last_enrolment=2019 + i % 3)
    for affiliation, count in zz.ASSOCIATE_MIX:
        for _ in range(count):
            county = rng.choice(("410105", "410172", "410171", "410173", "410108", "410184", "410182", "410122"))
            add("高职专科", affiliation, county, rng.uniform(5500, 16000) if affiliation != "民办" else rng.uniform(4000, 11000))
    for affiliation, count in zz.BACHELOR_MIX:
        for _ in range(count):
            add("职业本科", affiliation, rng.choice(("410173", "410184")), rng.uniform(7000, 11000),
                first_enrolment=zz.BACHELOR_FIRST_YEAR)
    return schools


def _secondary_size(affiliation: str, rng: random.Random) -> float:
    low, high = {"省属": (3800, 7800), "市属": (1900, 5200), "县属": (1450, 4200), "行业企业": (1500, 3600),
                 "民办": (1450, 3400)}[affiliation]
    return low * (high / low) ** rng.random()


def build_offerings(schools: list[School], forbidden: set[str], rng: random.Random) -> list[Offering]:
    """The majors each school offers; dead-end 中职 majors are placed in their counties, and the 专科
    schools never offer the continuation majors of those dead ends (the 断头路 pattern)."""
    offerings: list[Offering] = []
    dead_end_homes = _dead_end_homes(schools, rng)
    for school in schools:
        pool = {"中职": zz.SECONDARY_POOL, "技工学校": zz.TECHNICIAN_POOL, "高职专科": zz.ASSOCIATE_POOL,
                "职业本科": zz.BACHELOR_POOL}[school.level]
        pool = tuple(p for p in pool if p[0] not in forbidden)
        n = _major_count(school, rng)
        chosen: list[tuple[str, float]] = [(code, size) for code, p, size in pool if rng.random() < p]
        rng.shuffle(chosen)
        chosen = chosen[:n]
        while len(chosen) < min(n, len(pool)):  # top up with the most common majors not yet chosen
            code, _, size = max((p for p in pool if p[0] not in {c for c, _ in chosen}), key=lambda p: p[1] * rng.random())
            chosen.append((code, size))
        chosen += [(code, 0.45) for code, home in dead_end_homes.items() if home is school]
        for i, (code, size) in enumerate(chosen):
            start = school.first_enrolment
            stop = school.last_enrolment
            if i > 0 and school.first_enrolment == zz.HISTORY_START and rng.random() < 0.12:
                start = rng.randint(2016, 2022)  # majors opened later (新专业)
            elif i > 1 and rng.random() < 0.07 and school.last_enrolment == zz.CALIBRATION_YEAR:
                stop = rng.randint(2018, 2022)  # majors that stopped enrolling
            if code in dead_end_homes:  # the designed dead ends are offered throughout
                start, stop = min(start, 2018), school.last_enrolment
            offerings.append(Offering(school, code, size * rng.gammavariate(2.5, 0.4), start, stop,
                                      _retention(school, rng)))
    return offerings


def _dead_end_homes(schools: list[School], rng: random.Random) -> dict[str, School]:
    homes: dict[str, School] = {}
    for code, county in zz.DEAD_ENDS:
        here = [s for s in schools if s.level == "中职" and s.county == county and s.last_enrolment == zz.CALIBRATION_YEAR]
        here = here or [s for s in schools if s.level == "中职" and s.last_enrolment == zz.CALIBRATION_YEAR]
        homes[code] = rng.choice(here)
    return homes


def _major_count(school: School, rng: random.Random) -> int:
    if school.level == "职业本科":
        return rng.randint(9, 12)
    if school.level == "高职专科":
        return max(8, min(30, round(school.size / 550 * rng.uniform(0.8, 1.2))))
    if school.weak:
        return rng.randint(2, 4)
    return max(4, min(12, round(school.size / 520 * rng.uniform(0.8, 1.25))))


def _retention(school: School, rng: random.Random) -> tuple[float, ...]:
    """Share of a cohort still in school after 1, 2, … years, and at graduation (last value)."""
    years = zz.DURATION[school.catalogue_level]
    first = rng.uniform(0.93, 0.98) if school.secondary else rng.uniform(0.96, 0.99)
    out, level = [], 1.0
    for _ in range(years):
        level *= first * rng.uniform(0.985, 1.0)
        out.append(level)
    return tuple(out)


def institutions_frame(schools: list[School]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"code": s.code, "name": s.name, "level": s.level, "ownership": s.ownership, "affiliation": s.affiliation,
          "county_code": s.county, "address": f"河南省郑州市{zz.COUNTY_NAMES[s.county]}（演示数据，无具体地址）",
          "in_vocational_park": s.in_park} for s in schools]
    )
