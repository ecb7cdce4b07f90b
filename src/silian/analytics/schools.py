"""散缺小: every 中职 school against the 设置标准 and 办学条件达标 thresholds, duplicated small cohorts, and a
consolidation simulation that reports compliance before and after.

Thresholds come from settings (analysis.toml ``[school_standards]``, defaults from 《中等职业学校设置标准》
2010 and the 达标 monitoring): students ≥ 1,200; full-time teachers ≥ 60; students per teacher ≤ 20;
专业课 teachers ≥ 50 % of teachers; 双师型 ≥ 30 % of 专业课 teachers; campus ≥ 40,000 m² and ≥ 33 m² per
student; buildings ≥ 24,000 m² and ≥ 20 m² per student; equipment ≥ 300 万元 and ≥ 2,500 元 per student;
books ≥ 30 per student. A school whose figure is missing fails that check (``missing`` is reported apart).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

SECONDARY_LEVELS = ("中职", "技工学校")
RESOURCE_COLUMNS = ("land_area_m2", "building_area_m2", "equipment_value_10k", "books", "teachers",
                    "major_teachers", "dual_teachers", "enterprise_part_time", "training_stations")


def school_profile(institutions: pl.DataFrame, resources: pl.DataFrame, points: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per 中职 school with students in ``year``: resources, students, enrolment, majors."""
    schools = institutions.filter(pl.col("level").is_in(SECONDARY_LEVELS)).select(
        pl.col("code").alias("institution_code"), "name", "level", "county_code", "affiliation", "in_vocational_park")
    students = points.filter(pl.col("year") == year).group_by("institution_code").agg(
        pl.col("students").sum(), pl.col("enrolment").sum(),
        pl.col("major_code").filter(pl.col("students") > 0).n_unique().alias("majors"))
    res = resources.filter(pl.col("year") == year).select("institution_code", *RESOURCE_COLUMNS)
    return (schools.join(students, on="institution_code", how="inner").join(res, on="institution_code", how="left")
            .filter(pl.col("students") > 0))


def checks(standards: Mapping[str, float]) -> dict[str, pl.Expr]:
    """Each standard as a boolean expression over a school profile (null where a figure is missing)."""
    s = standards
    per = pl.col("students")
    return {
        "students": per >= s["min_students"],
        "teachers": pl.col("teachers") >= s["min_teachers"],
        "student_teacher_ratio": per / pl.col("teachers") <= s["max_student_teacher_ratio"],
        "major_teacher_share": pl.col("major_teachers") / pl.col("teachers") >= s["min_major_teacher_share"],
        "dual_share": pl.col("dual_teachers") / pl.col("major_teachers") >= s["min_dual_share_of_major"],
        "campus": (pl.col("land_area_m2") >= s["min_campus_m2"])
        & (pl.col("land_area_m2") / per >= s["min_campus_m2_per_student"]),
        "buildings": (pl.col("building_area_m2") >= s["min_building_m2"])
        & (pl.col("building_area_m2") / per >= s["min_building_m2_per_student"]),
        "equipment": (pl.col("equipment_value_10k") >= s["min_equipment_10k"])
        & (pl.col("equipment_value_10k") * 10000 / per >= s["min_equipment_yuan_per_student"]),
        "books": pl.col("books") / per >= s["min_books_per_student"],
    }


def compliance(profile: pl.DataFrame, standards: Mapping[str, float]) -> pl.DataFrame:
    """The profile with one boolean column per check (``ok_<check>``), ``passed``, ``failed`` (names),
    ``missing`` (checks with no data) and ``compliant`` (all checks passed)."""
    exprs = checks(standards)
    frame = profile.with_columns(**{f"ok_{k}": e for k, e in exprs.items()})
    names = list(exprs)
    return frame.with_columns(
        pl.sum_horizontal([pl.col(f"ok_{k}").fill_null(False).cast(pl.Int32) for k in names]).alias("passed"),
        pl.concat_list([pl.when(pl.col(f"ok_{k}") == False).then(pl.lit(k)) for k in names])
        .list.drop_nulls().alias("failed"),
        pl.concat_list([pl.when(pl.col(f"ok_{k}").is_null()).then(pl.lit(k)) for k in names])
        .list.drop_nulls().alias("missing"),
    ).with_columns((pl.col("passed") == len(names)).alias("compliant")).sort("passed", "students")


def small_cohorts(points: pl.DataFrame, institutions: pl.DataFrame, year: int, *, max_enrolment: int,
                  min_schools: int) -> pl.DataFrame:
    """中职 majors offered by ≥ ``min_schools`` schools that each enrol fewer than ``max_enrolment``:
    the major, the schools and their enrolment (candidates to merge into fewer, viable cohorts)."""
    secondary = institutions.filter(pl.col("level").is_in(SECONDARY_LEVELS))["code"].to_list()
    now = points.filter((pl.col("year") == year) & pl.col("institution_code").is_in(secondary) & (pl.col("enrolment") > 0))
    small = now.filter(pl.col("enrolment") < max_enrolment)
    return (small.group_by("major_code").agg(
        pl.col("institution_code").n_unique().alias("schools"), pl.col("enrolment").sum().alias("enrolment"),
        pl.col("institution_code").sort().alias("institution_codes"))
        .filter(pl.col("schools") >= min_schools).sort("schools", "enrolment", descending=True))


def consolidate(profile: pl.DataFrame, merges: Mapping[str, Sequence[str]],
                added: Mapping[str, Mapping[str, float]] | None = None) -> pl.DataFrame:
    """The profile after merging schools: ``merges`` maps the surviving school's code to the codes merged
    into it (resources and students add up; the survivor keeps its name and county); ``added`` gives
    resources a survivor gains (e.g. a new campus: ``{"9410100001": {"land_area_m2": 690667}}``)."""
    absorbed = {code: target for target, codes in merges.items() for code in codes if code != target}
    keyed = profile.with_columns(pl.col("institution_code").replace(absorbed).alias("_into"))
    sums = keyed.group_by("_into").agg(pl.col("students", "enrolment", *RESOURCE_COLUMNS).sum())
    survivors = profile.filter(~pl.col("institution_code").is_in(list(absorbed))).drop(
        "students", "enrolment", *RESOURCE_COLUMNS)
    merged = survivors.join(sums.rename({"_into": "institution_code"}), on="institution_code", how="left")
    for code, extra in (added or {}).items():
        merged = merged.with_columns(
            pl.when(pl.col("institution_code") == code).then(pl.col(c).fill_null(0) + v).otherwise(pl.col(c)).alias(c)
            for c, v in extra.items())
    return merged.select(profile.columns)


def compliance_summary(result: pl.DataFrame) -> dict[str, int]:
    """Schools, compliant schools, students (all and in compliant schools), and failures per check."""
    summary = {"schools": result.height, "compliant": int(result["compliant"].sum()),
               "students": int(result["students"].sum()),
               "students_in_compliant": int(result.filter(pl.col("compliant"))["students"].sum())}
    for column in result.columns:
        if column.startswith("ok_"):
            summary[f"fail_{column[3:]}"] = int((~result[column].fill_null(False)).sum())
    return summary
