"""散缺小: every 中职-level school (中职 and 技工学校) against the standards of its own type, duplicated small
cohorts, and a consolidation simulation that reports compliance before and after.

Two regimes are judged apart: the 设置标准 (``setting``: can the school exist) and the 办学条件达标 monitoring
(``monitoring``: the key indicators of 教职成〔2022〕5号). A :class:`Standard` says which school levels it covers
and its thresholds; the thresholds themselves are data (``silian/config/school_standards.toml``, read by
``silian.services.school_standards``), never code. A school whose level no standard of a regime covers gets
``no_standard`` in that regime: it is never judged by another type's standard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

SECONDARY_LEVELS = ("中职", "技工学校")
RESOURCE_COLUMNS = ("land_area_m2", "building_area_m2", "equipment_value_10k", "books", "teachers",
                    "major_teachers", "dual_teachers", "enterprise_part_time", "training_stations")
REGIMES = ("setting", "monitoring")
# verdicts of one school in one regime
MET, NOT_MET, NO_DATA, PARTIAL, NO_STANDARD = "met", "not_met", "no_data", "partial", "no_standard"
VERDICTS = (MET, NOT_MET, NO_DATA, PARTIAL, NO_STANDARD)


def _share(numerator: str, denominator: str) -> pl.Expr:
    """numerator / denominator; 0 when both are 0 (no such teachers is not a full share), ∞ over a zero."""
    num, den = pl.col(numerator).cast(pl.Float64), pl.col(denominator).cast(pl.Float64)
    return pl.when(den > 0).then(num / den).when(num > 0).then(float("inf")).when(num == 0).then(0.0)


# What a threshold can be compared with: one expression per measure over a school profile (null where a figure
# is missing).
MEASURES: dict[str, pl.Expr] = {
    "students": pl.col("students").cast(pl.Float64),
    "majors": pl.col("majors").cast(pl.Float64),
    "teachers": pl.col("teachers").cast(pl.Float64),
    "students_per_teacher": _share("students", "teachers"),
    "major_teacher_share": _share("major_teachers", "teachers"),
    "dual_share_of_major": _share("dual_teachers", "major_teachers"),
    "campus_m2": pl.col("land_area_m2").cast(pl.Float64),
    "campus_m2_per_student": _share("land_area_m2", "students"),
    "building_m2": pl.col("building_area_m2").cast(pl.Float64),
    "building_m2_per_student": _share("building_area_m2", "students"),
    "equipment_10k": pl.col("equipment_value_10k").cast(pl.Float64),
    "equipment_yuan_per_student": _share("equipment_value_10k", "students") * 10000,
    "books_per_student": _share("books", "students"),
}


@dataclass(frozen=True)
class Threshold:
    """One applied threshold: ``measure`` ``op`` ``value`` (op ``>=`` or ``<=``), counted under ``check``."""

    check: str
    measure: str
    op: str
    value: float

    def expr(self) -> pl.Expr:
        measure = MEASURES[self.measure]
        return measure >= self.value if self.op == ">=" else measure <= self.value


@dataclass(frozen=True)
class Standard:
    """A standard of one regime for the school levels it covers. ``complete`` is False when key indicators of
    the document are not on file: a school passing every threshold is then ``partial``, not ``met``."""

    id: str
    regime: str
    levels: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    complete: bool = True

    @property
    def checks(self) -> list[str]:
        return list(dict.fromkeys(th.check for th in self.thresholds))

    def check_exprs(self) -> dict[str, pl.Expr]:
        """Each check as a boolean expression: every threshold of the check holds (null where a figure is
        missing and no threshold of the check fails)."""
        return {c: pl.all_horizontal([th.expr() for th in self.thresholds if th.check == c]) for c in self.checks}


def school_profile(institutions: pl.DataFrame, resources: pl.DataFrame, points: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per 中职-level school (中职, 技工学校) with students in ``year``: level, resources, students,
    enrolment, majors (with students)."""
    schools = institutions.filter(pl.col("level").is_in(SECONDARY_LEVELS)).select(
        pl.col("code").alias("institution_code"), "name", "level", "county_code", "affiliation", "in_vocational_park")
    students = points.filter(pl.col("year") == year).group_by("institution_code").agg(
        pl.col("students").sum(), pl.col("enrolment").sum(),
        pl.col("major_code").filter(pl.col("students") > 0).unique().sort().alias("major_codes"))
    res = resources.filter(pl.col("year") == year).select("institution_code", *RESOURCE_COLUMNS)
    return (schools.join(students, on="institution_code", how="inner").join(res, on="institution_code", how="left")
            .filter(pl.col("students") > 0).with_columns(pl.col("major_codes").list.len().alias("majors")))


def all_checks(standards: Sequence[Standard], regime: str | None = None) -> list[str]:
    """The checks of ``standards`` (of one regime, or all), in file order."""
    return list(dict.fromkeys(c for s in standards if regime in (None, s.regime) for c in s.checks))


def _regime(profile: pl.DataFrame, standards: Sequence[Standard], regime: str) -> pl.DataFrame:
    """``institution_code`` and, for ``regime``: ``<regime>_standard`` (id), ``<regime>_ok_<check>``,
    ``<regime>_failed``, ``<regime>_missing`` and ``<regime>_verdict``."""
    own = [s for s in standards if s.regime == regime]
    checks = all_checks(own)
    p = f"{regime}_"
    parts = []
    for standard in own:
        rows = profile.filter(pl.col("level").is_in(standard.levels))
        if not rows.height:
            continue
        exprs = standard.check_exprs()
        part = rows.select("institution_code", *[e.alias(f"{p}ok_{c}") for c, e in exprs.items()]).with_columns(
            pl.lit(standard.id).alias(f"{p}standard"), pl.lit(standard.complete).alias("_complete"),
            pl.concat_list([pl.when(pl.col(f"{p}ok_{c}") == False).then(pl.lit(c)) for c in exprs])
            .list.drop_nulls().alias(f"{p}failed"),
            pl.concat_list([pl.when(pl.col(f"{p}ok_{c}").is_null()).then(pl.lit(c)) for c in exprs])
            .list.drop_nulls().alias(f"{p}missing"))
        parts.append(part)
    judged = {c for s in own for c in s.levels}
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "institution_code": pl.String, f"{p}standard": pl.String, "_complete": pl.Boolean,
        **{f"{p}ok_{c}": pl.Boolean for c in checks}, f"{p}failed": pl.List(pl.String), f"{p}missing": pl.List(pl.String)}
    rest = profile.filter(~pl.col("level").is_in(list(judged))).select("institution_code")
    frame = pl.concat([pl.DataFrame(schema=schema), *parts, rest], how="diagonal_relaxed")
    verdict = (pl.when(pl.col(f"{p}standard").is_null()).then(pl.lit(NO_STANDARD))
               .when(pl.col(f"{p}failed").list.len() > 0).then(pl.lit(NOT_MET))
               .when(pl.col(f"{p}missing").list.len() > 0).then(pl.lit(NO_DATA))
               .when(~pl.col("_complete")).then(pl.lit(PARTIAL)).otherwise(pl.lit(MET)))
    empty = pl.lit([], pl.List(pl.String))
    frame = frame.with_columns(pl.col(f"{p}failed").fill_null(empty), pl.col(f"{p}missing").fill_null(empty))
    return frame.with_columns(verdict.alias(f"{p}verdict")).drop("_complete").select(
        "institution_code", f"{p}standard", *[f"{p}ok_{c}" for c in checks], f"{p}failed", f"{p}missing", f"{p}verdict")


def compliance(profile: pl.DataFrame, standards: Sequence[Standard]) -> pl.DataFrame:
    """The profile judged by the standards of each school's own level, per regime (see :func:`_regime`), and
    across regimes: ``ok_<check>`` (passed wherever the school's standards apply it; null where a figure is
    missing or no standard of its type has the check), ``passed`` (checks passed), ``failed`` and ``missing``
    (check names), and ``compliant``: no regime ``not_met`` or ``no_data`` and at least one regime judged (null
    when no standard covers the school's type)."""
    frame = profile
    for regime in REGIMES:
        frame = frame.join(_regime(profile, standards, regime), on="institution_code", how="left")
    names = all_checks(standards)
    for c in names:
        cols = [f"{r}_ok_{c}" for r in REGIMES if f"{r}_ok_{c}" in frame.columns]
        # a check that fails in one regime fails; missing data stays missing; an unapplied regime is ignored
        frame = frame.with_columns(pl.min_horizontal(cols).alias(f"ok_{c}"))
    verdicts = [pl.col(f"{r}_verdict") for r in REGIMES]
    judged = pl.any_horizontal([v != NO_STANDARD for v in verdicts])
    clean = pl.all_horizontal([v.is_in([MET, PARTIAL, NO_STANDARD]) for v in verdicts])
    return frame.with_columns(
        pl.sum_horizontal([pl.col(f"ok_{k}").fill_null(False).cast(pl.Int32) for k in names]).alias("passed"),
        pl.concat_list([pl.when(pl.col(f"ok_{k}") == False).then(pl.lit(k)) for k in names])
        .list.drop_nulls().alias("failed"),
        pl.concat_list([pl.col(f"{r}_missing") for r in REGIMES]).list.unique(maintain_order=True).alias("missing"),
        pl.when(judged).then(clean).otherwise(None).alias("compliant"),
    ).sort("passed", "students")


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
    sums = keyed.group_by("_into").agg(pl.col("students", "enrolment", *RESOURCE_COLUMNS).sum(),
                                       pl.col("major_codes").list.explode(keep_nulls=False, empty_as_null=False).unique().sort())
    sums = sums.with_columns(pl.col("major_codes").list.len().alias("majors"))
    survivors = profile.filter(~pl.col("institution_code").is_in(list(absorbed))).drop(
        "students", "enrolment", "major_codes", "majors", *RESOURCE_COLUMNS)
    merged = survivors.join(sums.rename({"_into": "institution_code"}), on="institution_code", how="left")
    for code, extra in (added or {}).items():
        merged = merged.with_columns(
            pl.when(pl.col("institution_code") == code).then(pl.col(c).fill_null(0) + v).otherwise(pl.col(c)).alias(c)
            for c, v in extra.items())
    return merged.select(profile.columns)


def _not_passed(result: pl.DataFrame, check: str, prefix: str = "") -> int:
    """Schools whose standard applies ``check`` and that fail it or lack the figure (``prefix``: one regime)."""
    lists = pl.concat_list(f"{prefix}failed", f"{prefix}missing")
    return int(result.select(lists.list.contains(check).sum()).item())


def compliance_summary(result: pl.DataFrame) -> dict[str, int]:
    """Counts over a :func:`compliance` result.

    ``schools``, ``students``; ``compliant`` and ``students_in_compliant`` (no failure in any regime);
    ``fail_<check>`` (schools not passing a check their standards apply: failed or missing, any regime); and
    per regime ``r``: ``r_<verdict>`` for each verdict, ``students_r_met`` and ``r_fail_<check>``."""
    compliant = result["compliant"].fill_null(False)
    summary = {"schools": result.height, "compliant": int(compliant.sum()), "students": int(result["students"].sum()),
               "students_in_compliant": int(result.filter(compliant)["students"].sum())}
    for column in result.columns:
        if column.startswith("ok_"):
            summary[f"fail_{column[3:]}"] = _not_passed(result, column[3:])
    for regime in REGIMES:
        verdict = result[f"{regime}_verdict"]
        for v in VERDICTS:
            summary[f"{regime}_{v}"] = int((verdict == v).sum())
        summary[f"students_{regime}_met"] = int(result.filter(verdict == MET)["students"].sum())
        prefix = f"{regime}_ok_"
        for column in result.columns:
            if column.startswith(prefix):
                check = column[len(prefix):]
                summary[f"{regime}_fail_{check}"] = _not_passed(result, check, f"{regime}_")
    return summary
