"""专业点 by year: a cohort simulation per offering, calibrated exactly to the published 2024 totals.

Every offering enrols a cohort each year it is open; students are the cohorts still in school
(retention per year), graduates are the cohort that entered ``duration`` years before times its retention.
The whole 中职-level series is first scaled so its 2024 enrolment is the published one; then the 2024
enrolment and the 2024 continuing students are distributed with the largest-remainder method so that
the totals are exact (enrolment 91,200; students 258,300 = 91,200 + 167,100 continuing).
"""

from __future__ import annotations

import random

import polars as pl

from silian.demo import zhengzhou as zz
from silian.demo.schools import Offering

STEADY_RATIO = {"中等职业教育": 2.83, "高等职业教育专科": 2.85, "高等职业教育本科": 3.1}  # students / enrolment
CERT_SHARES = {  # share of graduates by highest certificate: 初级, 中级, 高级, 技师, 高级技师
    "中职": (0.30, 0.34, 0.02, 0.0, 0.0),
    "技工学校": (0.15, 0.50, 0.14, 0.0, 0.0),
    "高职专科": (0.08, 0.34, 0.24, 0.02, 0.0),
    "职业本科": (0.02, 0.20, 0.40, 0.08, 0.005),
}
MATCHED = ("66", "46", "26", "71", "51", "31", "72", "52", "32", "70", "50", "30")  # related-job rate high


def simulate(offerings: list[Offering], rng: random.Random) -> pl.DataFrame:
    """The ``major_points`` frame for 2016–2024."""
    history = range(zz.HISTORY_START, zz.CALIBRATION_YEAR + 1)
    totals: dict[str, float] = {}
    for o in offerings:
        totals[o.school.code] = totals.get(o.school.code, 0.0) + o.weight
    floats: list[dict[int, float]] = []
    for o in offerings:
        level = o.school.catalogue_level
        base = o.school.size * o.weight / totals[o.school.code] / STEADY_RATIO[level]
        series: dict[int, float] = {}
        for year in history:
            open_ = o.start <= year <= o.stop and year in zz.TREND[level]
            ramp = 0.6 if year == o.start and o.start > zz.HISTORY_START else 1.0
            series[year] = base * zz.TREND[level][year] * ramp * rng.uniform(0.9, 1.1) if open_ else 0.0
        floats.append(series)
    _fit_school_sizes(offerings, floats)
    secondary = [i for i, o in enumerate(offerings) if o.school.secondary]
    factor = zz.TARGET_ENROLMENT / sum(floats[i][zz.CALIBRATION_YEAR] for i in secondary)
    for i in secondary:
        floats[i] = {y: v * factor for y, v in floats[i].items()}

    enrol = [{y: round(v) for y, v in s.items()} for s in floats]
    exact = zz.largest_remainder([floats[i][zz.CALIBRATION_YEAR] for i in secondary], zz.TARGET_ENROLMENT)
    for i, value in zip(secondary, exact, strict=True):
        enrol[i][zz.CALIBRATION_YEAR] = value
    continuing = [_continuing(o, enrol[i], zz.CALIBRATION_YEAR) for i, o in enumerate(offerings)]
    exact = zz.largest_remainder([continuing[i] for i in secondary], zz.TARGET_STUDENTS - zz.TARGET_ENROLMENT)
    calibrated = dict(zip(secondary, exact, strict=True))

    rows: list[dict[str, object]] = []
    for i, o in enumerate(offerings):
        duration = zz.DURATION[o.school.catalogue_level]
        for year in zz.YEARS:
            enrolment = enrol[i].get(year, 0)
            if year == zz.CALIBRATION_YEAR and i in calibrated:
                students = enrolment + calibrated[i]
            else:
                students = enrolment + round(_continuing(o, enrol[i], year))
            graduates = round(enrol[i].get(year - duration, 0) * o.retention[-1])
            if enrolment == students == graduates == 0:
                continue
            rows.append({"institution_code": o.school.code, "major_code": o.major_code, "year": year,
                         "enrolment": enrolment, "students": students, "graduates": graduates,
                         **_outcomes(o, year, graduates, rng)})
    frame = pl.DataFrame(rows)
    _check_calibration(frame, offerings)
    return frame


def _fit_school_sizes(offerings: list[Offering], floats: list[dict[int, float]]) -> None:
    """Scale each open school's series so its 2024 students are its planned size (majors opened late or
    stopped would otherwise shrink it): weak schools stay under 1,200, the others above."""
    by_school: dict[str, list[int]] = {}
    for i, o in enumerate(offerings):
        by_school.setdefault(o.school.code, []).append(i)
    year = zz.CALIBRATION_YEAR
    for indices in by_school.values():
        school = offerings[indices[0]].school
        expected = sum(floats[i][year] + _continuing(offerings[i], floats[i], year) for i in indices)
        if school.last_enrolment == year and expected > 0:
            for i in indices:
                floats[i] = {y: v * school.size / expected for y, v in floats[i].items()}


def _continuing(o: Offering, enrol: dict[int, int] | dict[int, float], year: int) -> float:
    """Students of earlier cohorts still in school in ``year``."""
    duration = zz.DURATION[o.school.catalogue_level]
    return sum(enrol.get(year - k, 0) * o.retention[k - 1] for k in range(1, duration))


def _outcomes(o: Offering, year: int, graduates: int, rng: random.Random) -> dict[str, int]:
    """Destinations and certificates of one year's graduates; every table rule holds by construction."""
    level = o.school.level
    if level in ("中职", "技工学校"):
        share = zz.CONTINUE_SECONDARY[year] + rng.uniform(-0.08, 0.08)
        share *= 0.35 if level == "技工学校" else 1.0
    elif level == "高职专科":
        share = zz.CONTINUE_ASSOCIATE[year] + rng.uniform(-0.05, 0.05)
    else:
        share = 0.05
    continued = round(graduates * min(max(share, 0.0), 0.95))
    employed = int((graduates - continued) * rng.uniform(0.86, 0.97))
    if o.major_code[:4] in ("7303", "7307", "5303", "5307", "3303", "3307"):
        related = rng.uniform(0.28, 0.45)  # 会计 / 电商 graduates rarely find related jobs
    elif o.major_code[:2] in MATCHED:
        related = rng.uniform(0.68, 0.88)
    else:
        related = rng.uniform(0.5, 0.75)
    out = {"employed": employed, "employed_related": int(employed * related),
           "continued": continued, "stayed_local": int(employed * rng.uniform(0.55, 0.85))}
    shares = CERT_SHARES[level]
    names = ("cert_junior", "cert_intermediate", "cert_senior", "cert_technician", "cert_senior_technician")
    out.update({n: int(graduates * s * rng.uniform(0.85, 1.1)) for n, s in zip(names, shares, strict=True)})
    while sum(out[n] for n in names) > graduates:  # only possible for tiny cohorts
        biggest = max(names, key=lambda n: out[n])
        out[biggest] -= 1
    return out


def _check_calibration(frame: pl.DataFrame, offerings: list[Offering]) -> None:
    secondary = {o.school.code for o in offerings if o.school.secondary}
    year = frame.filter((pl.col("year") == zz.CALIBRATION_YEAR) & pl.col("institution_code").is_in(list(secondary)))
    schools = year.filter(pl.col("students") > 0)["institution_code"].n_unique()
    got = (schools, int(year["enrolment"].sum()), int(year["students"].sum()))
    want = (zz.TARGET_SCHOOLS, zz.TARGET_ENROLMENT, zz.TARGET_STUDENTS)
    if got != want:
        raise RuntimeError(f"demo calibration failed: got {got}, expected {want}")


def students_by_school(frame: pl.DataFrame) -> dict[tuple[str, int], int]:
    """``{(school code, year): students}`` over all majors."""
    agg = frame.group_by("institution_code", "year").agg(pl.col("students").sum()).sort("institution_code", "year")
    return {(code, year): students for code, year, students in agg.iter_rows()}


def majors_by_school(frame: pl.DataFrame, year: int = zz.CALIBRATION_YEAR) -> dict[str, list[str]]:
    """``{school code: [major codes with students in year]}`` in a stable order."""
    rows = frame.filter((pl.col("year") == year) & (pl.col("students") > 0)).sort("institution_code", "major_code")
    out: dict[str, list[str]] = {}
    for code, major in rows.select("institution_code", "major_code").iter_rows():
        out.setdefault(code, []).append(major)
    return out
