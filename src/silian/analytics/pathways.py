"""断头路: the progression funnel 中职 → 高职专科 → 职业本科 and the 中职 majors with no local continuation.

A 中职 major offered in the region is a **dead end** when none of its official 接续 高职专科 majors (the
2021 catalogue's 接续专业 lists) is offered by a school of the region that year. Its **missing seats** are the
students of that major who continue their studies (``continued``), where a school does not report
``continued`` for a major, its graduates times the rate of the schools and majors that do. Local seats for a major are the
enrolment of its continuation majors in the region (shared with other 中职 majors feeding the same targets).
"""

from __future__ import annotations

import polars as pl

SECONDARY_LEVELS = ("中职", "技工学校")
LEVEL_KEY = {"中职": "secondary", "技工学校": "secondary", "高职专科": "associate", "职业本科": "bachelor"}
SOURCE_SECONDARY = "中等职业教育"
TARGET_ASSOCIATE = "高等职业教育专科"
TARGET_BACHELOR = "高等职业教育本科"


def with_school_level(major_points: pl.DataFrame, institutions: pl.DataFrame) -> pl.DataFrame:
    """``major_points`` with the school's ``school_level`` and ``level_key`` (secondary / associate / bachelor)."""
    schools = institutions.select(pl.col("code").alias("institution_code"), pl.col("level").alias("school_level"))
    return major_points.join(schools, on="institution_code", how="inner").with_columns(
        pl.col("school_level").replace_strict(LEVEL_KEY, default=None).alias("level_key"))


def funnel(points: pl.DataFrame) -> pl.DataFrame:
    """Per year: graduates and continued by level, enrolment by level, and the 中职 progression rate."""
    def total(col: str, level: str) -> pl.Expr:
        return pl.col(col).filter(pl.col("level_key") == level).fill_null(0).sum()
    return points.group_by("year").agg(
        total("graduates", "secondary").alias("secondary_graduates"),
        total("continued", "secondary").alias("secondary_continued"),
        total("enrolment", "associate").alias("associate_enrolment"),
        total("graduates", "associate").alias("associate_graduates"),
        total("continued", "associate").alias("associate_continued"),
        total("enrolment", "bachelor").alias("bachelor_enrolment"),
    ).with_columns(
        (pl.col("secondary_continued") / pl.col("secondary_graduates")).alias("secondary_progression_rate"),
        (pl.col("associate_continued") / pl.col("associate_graduates")).alias("associate_progression_rate"),
    ).sort("year")


def continuation_seats(points: pl.DataFrame, continuations: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per 中职 major offered in ``year``: its continuation targets, how many are offered locally, the local
    seats (enrolment in those targets), students continuing, and the dead-end flag with missing seats."""
    now = points.filter(pl.col("year") == year)
    rows = now.filter((pl.col("level_key") == "secondary") & (pl.col("students") > 0))
    reported = rows.filter(pl.col("continued").is_not_null())
    rate = float(reported["continued"].sum()) / max(float(reported["graduates"].sum()), 1e-12) if reported.height else 0.0
    secondary = (
        rows.with_columns(
            pl.col("continued").cast(pl.Float64).fill_null(pl.col("graduates") * rate).alias("continuing")
        )
        .group_by("major_code")
        .agg(
            pl.col("graduates").sum(),
            pl.col("continuing").sum(),
            pl.col("students").sum(),
            pl.col("institution_code").n_unique().alias("schools"),
        )
    )
    offered_associate = now.filter((pl.col("level_key") == "associate") & (pl.col("students") > 0)).group_by(
        "major_code").agg(pl.col("enrolment").sum().alias("target_enrolment"))
    links = continuations.filter((pl.col("source_level") == SOURCE_SECONDARY) & (pl.col("target_level") == TARGET_ASSOCIATE)
                                 & pl.col("target_code").is_not_null()).select(
        pl.col("source_code").alias("major_code"), pl.col("target_code"), pl.col("target_name"))
    targets = links.join(offered_associate.rename({"major_code": "target_code"}), on="target_code", how="left")
    per_major = targets.group_by("major_code").agg(
        pl.len().alias("targets"), pl.col("target_enrolment").is_not_null().sum().alias("targets_offered"),
        pl.col("target_enrolment").fill_null(0).sum().alias("local_seats"),
        pl.col("target_name").filter(pl.col("target_enrolment").is_null()).alias("targets_not_offered"))
    return (secondary.join(per_major, on="major_code", how="left")
            .with_columns(pl.col("targets", "targets_offered", "local_seats").fill_null(0))
            .with_columns(
                ((pl.col("targets") > 0) & (pl.col("targets_offered") == 0)).alias("dead_end"),
                (pl.col("targets") == 0).alias("no_official_target"))
            .with_columns(pl.when(pl.col("dead_end")).then(pl.col("continuing")).otherwise(0.0).alias("missing_seats"))
            .sort(["dead_end", "continuing", "major_code"], descending=[True, True, False]))  # ties: by code, stably

