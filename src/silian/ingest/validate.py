"""Validate every row of a file against a table spec, without stopping at the first problem.

Two vectorised passes (polars): one converts every column to its type, one evaluates every check as a
boolean column. Only failing cells become :class:`RowProblem` objects, so a million clean rows validate in
about a second. The result is a typed frame ready to write, or ImportRejected listing every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from silian.domain.credit_code import check_character, credit_code_problem
from silian.domain.errors import ImportRejected, RowProblem
from silian.domain.messages import t
from silian.domain.tables import HUB_TABLES, Field, TableSpec
from silian.domain.vocab import FALSE_WORDS, SCHOOL_LEVELS, TRUE_WORDS
from silian.ingest.headers import header_map, import_fields
from silian.ingest.readers import ROW, RawTable

TYPED = "{}__typed"
PARSED_KINDS = ("int", "float", "period")  # converted by parsing text: worth doing once per distinct value
DISTINCT_MIN_ROWS = 10_000
DISTINCT_SHARE = 8  # parse distinct values when there are at most one per this many rows


@dataclass
class References:
    """What the checks look codes up in: catalogue code sets and codes already in the database."""

    majors: dict[str, str]  # any accepted spelling → official code
    major_levels: dict[str, str]  # official code → catalogue level
    occupations: frozenset[str]
    industries: frozenset[str]
    existing: dict[str, frozenset[str]] = field(default_factory=dict)  # region/institution/enterprise
    institution_levels: dict[str, str] = field(default_factory=dict)  # school code → school level


@dataclass
class ValidationResult:
    frame: pl.DataFrame  # typed: one column per field plus is_generated and __row
    warnings: list[str]
    present: frozenset[str] = frozenset()  # the fields the file carries (the others are empty in ``frame``)


@dataclass
class Check:
    """A boolean expression that is true on bad rows, with what to tell the user about them.

    ``describe`` turns a failing row (a dict) into ``(value, message)`` when these depend on the row.
    """

    header: str
    bad: pl.Expr
    message: str
    fix: str
    value: pl.Expr
    describe: Callable[[dict], tuple[str, str]] | None = None


def validate_table(raw: RawTable, spec: TableSpec, refs: References, *, file: str, max_errors: int) -> ValidationResult:
    """Check every cell and rule of ``raw`` against ``spec``; raise ImportRejected listing every problem."""
    mapping, unknown = header_map(spec, [c for c in raw.frame.columns if c != ROW])
    present = set(mapping.values())
    missing = [f for f in spec.fields if f.required and f.name not in present]
    if missing:
        columns = "、".join(f.zh for f in missing)
        other = looks_like(raw, than=spec)
        fix = (t("wrong_table_fix", zh=other.zh, en=other.en, table=other.name) if other is not None
               else t("missing_columns_fix", table=spec.name))
        problem = RowProblem(file, None, columns, None, t("missing_columns", columns=columns), fix)
        raise ImportRejected(t("rejected", count=1), [problem])
    frame = raw.frame.rename(mapping).select([ROW, *mapping.values()])
    headers = {name: header for header, name in mapping.items()}
    fields = [f for f in import_fields(spec) if f.name in present]
    typed = frame.with_columns([_typed(frame, f, refs).alias(TYPED.format(f.name)) for f in fields])
    checks = [c for f in fields for c in _field_checks(f, headers[f.name], refs, typed)]
    checks += _rule_checks(spec, headers) + _school_level_checks(spec, headers, refs) + _duplicate_checks(spec, headers, typed)
    problems, truncated = _problems(typed, checks, file, max_errors)
    if problems:
        message = t("rejected", count=len(problems)) + (t("rejected_truncated", count=len(problems)) if truncated else "")
        raise ImportRejected(message, problems, truncated)
    out = typed.select(ROW, *[pl.col(TYPED.format(f.name)).alias(f.name) for f in fields])
    absent = [pl.lit("" if f.name in spec.key else None, dtype=_dtype(f)).alias(f.name)
              for f in import_fields(spec) if f.name not in present]
    out = out.with_columns(absent).with_columns(pl.col("is_generated").fill_null(False))
    warnings = [t("unknown_columns", columns="、".join(unknown))] if unknown else []
    return ValidationResult(out, warnings, frozenset(present))


def looks_like(raw: RawTable, *, than: TableSpec) -> TableSpec | None:
    """Another hub table the file's headers fit better than ``than``: it has every required column there and
    more of the file's headers are its columns (None: no table fits better)."""
    headers = [c for c in raw.frame.columns if c != ROW]
    best: tuple[int, TableSpec] | None = None
    floor = len(header_map(than, headers)[0])
    for spec in HUB_TABLES.values():
        if spec.name == than.name:
            continue
        mapping, _ = header_map(spec, headers)
        score = len([n for n in mapping.values() if n != "is_generated"])
        fits = score > floor and all(f.name in mapping.values() for f in spec.fields if f.required)
        if fits and (best is None or score > best[0]):
            best = (score, spec)
    return best[1] if best else None


def _dtype(f: Field) -> pl.DataType:
    return {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}.get(f.kind, pl.String)()


def _number(name: str) -> pl.Expr:
    value = pl.col(name).str.replace_all(r"[,，\s]", "").cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


# 2024, 2024-06, 2024/6, 2024.06, 2024年6月 — and what Excel makes of "2024-06" typed into a cell: a date,
# read as "2024-06-01 00:00:00" (any day of the month gives that month)
PERIOD_PATTERN = (r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]\s*\d{1,2}\s*日?"
                  r"(?:[ T]00:00(?::00(?:\.0+)?)?)?)?)?$")


def _period_parts(name: str) -> tuple[pl.Expr, pl.Expr]:
    parts = pl.col(name).str.extract_groups(PERIOD_PATTERN)
    return parts.struct.field("1"), parts.struct.field("2")


def _convert(f: Field, refs: References) -> pl.Expr:
    """The column converted to its type (null where it cannot be)."""
    col = pl.col(f.name)
    if f.kind == "int":
        number = _number(f.name)
        return pl.when((number == number.round(0)) & (number.abs() < 2**53)).then(number).cast(pl.Int64)
    if f.kind == "float":
        return _number(f.name)
    if f.kind == "bool":
        return pl.when(col.is_in(list(TRUE_WORDS))).then(True).when(col.is_in(list(FALSE_WORDS))).then(False)
    if f.kind == "period":
        year, month = _period_parts(f.name)
        valid_month = month.cast(pl.Int32, strict=False).is_between(1, 12)
        return pl.when(month.is_null()).then(year).when(valid_month).then(pl.concat_str(year, pl.lit("-"), month.str.zfill(2)))
    if f.check == "major":
        return col.str.to_uppercase().replace_strict(refs.majors, default=col)
    if f.aliases:  # a Chinese label or a variant for a stored choice (来源: 企业申报 → declared)
        return col.replace_strict(dict(f.aliases), default=col)
    return col


def _typed(frame: pl.DataFrame, f: Field, refs: References) -> pl.Expr:
    """:func:`_convert`, parsing each distinct text once when a column repeats its values (periods, counts,
    years: a million rows often hold a few hundred distinct values, and parsing dominates)."""
    convert = _convert(f, refs)
    if f.kind not in PARSED_KINDS or frame.height < DISTINCT_MIN_ROWS:
        return convert
    distinct = frame[f.name].drop_nulls().unique()
    if distinct.len() * DISTINCT_SHARE > frame.height:
        return convert
    parsed = distinct.to_frame().select(convert).to_series()
    return pl.col(f.name).replace_strict(distinct, parsed, default=None, return_dtype=parsed.dtype)


def _field_checks(f: Field, header: str, refs: References, typed: pl.DataFrame) -> list[Check]:
    raw, value = pl.col(f.name), pl.col(TYPED.format(f.name))
    given = raw.is_not_null()

    def check(bad: pl.Expr, message: str, fix: str) -> Check:
        return Check(header, bad, message, fix, raw)

    checks = []
    if f.required:
        checks.append(Check(header, ~given, t("required"), t("required_fix", column=header), pl.lit("")))
    if f.kind == "int":
        checks.append(check(given & value.is_null(), t("not_integer"), t("not_integer_fix")))
    elif f.kind == "float":
        checks.append(check(given & value.is_null(), t("not_number"), t("not_number_fix")))
    elif f.kind == "bool":
        checks.append(check(given & value.is_null(), t("not_bool"), t("not_bool_fix")))
    elif f.kind == "period":
        checks.append(check(given & value.is_null(), t("bad_format"),
                            t("not_in_choices_fix", choices="2024、2024-06")))
    else:
        checks.append(check(raw.str.len_chars() > f.length, t("bad_format"), f"≤ {f.length}"))
    if f.low is not None and f.high is None:
        checks.append(check(value < f.low, t("negative"), t("negative_fix")))
    elif f.low is not None and f.high is not None:
        low, high = int(f.low), int(f.high)
        checks.append(check((value < f.low) | (value > f.high), t("out_of_range", low=low, high=high),
                            t("out_of_range_fix", low=low, high=high)))
    if f.choices:
        checks.append(check(given & ~value.is_in(list(f.choices)), t("not_in_choices"),
                            t("not_in_choices_fix", choices="、".join(f.label(c) for c in f.choices))))
    if f.check:
        checks.extend(_code_checks(f, header, refs, typed, check))
    return checks


_CATALOGS = {"major": "职业教育专业目录", "occupation": "职业分类大典（2022）", "industry": "GB/T 4754-2017"}
_ENTITIES = {"region": ("行政区划", "regions"), "institution": ("学校", "institutions"), "enterprise": ("企业", "enterprises")}


def _code_checks(f: Field, header: str, refs: References, typed: pl.DataFrame, check) -> list[Check]:  # type: ignore[no-untyped-def]
    value = pl.col(TYPED.format(f.name))
    if f.check in _CATALOGS:
        allowed = {"major": refs.major_levels.keys(), "occupation": refs.occupations, "industry": refs.industries}[f.check]
        return [check(value.is_not_null() & ~value.is_in(list(allowed)),
                      t("unknown_code", catalog=_CATALOGS[f.check]), t("unknown_code_fix"))]
    if f.check in _ENTITIES:
        entity, table = _ENTITIES[f.check]
        known = list(refs.existing.get(f.check, frozenset()))
        return [check(value.is_not_null() & ~value.is_in(known), t("unknown_reference", entity=entity),
                      t("unknown_reference_fix", entity=entity, table=table))]
    # credit codes: checked per distinct value (the algorithm is not vectorisable, and codes repeat)
    codes = typed[TYPED.format(f.name)].drop_nulls().unique().to_list()
    bad = {code: reason for code in codes if (reason := credit_code_problem(code))}

    def describe(row: dict) -> tuple[str, str]:
        code = row["__value"]
        return code, t(bad[code], expected=check_character(code[:17]) if bad[code] == "credit_code_check" else "")

    return [Check(header, value.is_in(list(bad)), "", t("credit_code_fix"), pl.col(f.name), describe)]


def _rule_checks(spec: TableSpec, headers: dict[str, str]) -> list[Check]:
    checks = []
    for rule in spec.rules:
        if rule.kind == "one_of":
            a, b = (spec.field(p) for p in rule.parts)
            empty = pl.all_horizontal([pl.col(TYPED.format(p)).fill_null("") == "" if p in headers else pl.lit(True)
                                       for p in rule.parts])
            checks.append(Check(headers.get(a.name, a.zh), empty, t("one_of_required", a=a.zh, b=b.zh),
                                t("one_of_required_fix"), pl.lit("")))
        elif rule.whole in headers and any(p in headers for p in rule.parts):
            checks.append(_sum_check(spec, rule.parts, rule.whole, rule.tolerance, headers))
    return checks


def _sum_check(spec: TableSpec, parts: tuple[str, ...], whole: str, tolerance: float, headers: dict[str, str]) -> Check:
    parts = tuple(p for p in parts if p in headers)
    total = pl.sum_horizontal([pl.col(TYPED.format(p)).fill_null(0) for p in parts])
    whole_value = pl.col(TYPED.format(whole))
    part_names, whole_name = "+".join(spec.field(p).zh for p in parts), spec.field(whole).zh

    def describe(row: dict) -> tuple[str, str]:
        part_value = _fmt(sum(row[TYPED.format(p)] or 0 for p in parts))
        return part_value, t("total_exceeds", part=part_names, part_value=part_value, whole=whole_name,
                             whole_value=_fmt(row[TYPED.format(whole)]))

    bad = whole_value.is_not_null() & (total > whole_value * (1 + tolerance) + 1e-9)
    return Check(headers[parts[0]], bad, "", t("total_exceeds_fix"), pl.lit(""), describe)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _school_level_checks(spec: TableSpec, headers: dict[str, str], refs: References) -> list[Check]:
    """A 专业点's major must be of its school's level (a 中职 school cannot offer a 专科 major)."""
    if not {"institution_code", "major_code"} <= set(headers) or not refs.institution_levels:
        return []
    levels = {code: SCHOOL_LEVELS.get(level) for code, level in refs.institution_levels.items()}
    school = pl.col(TYPED.format("institution_code")).replace_strict(levels, default=None)
    major = pl.col(TYPED.format("major_code")).replace_strict(refs.major_levels, default=None)

    def describe(row: dict) -> tuple[str, str]:
        code = row[TYPED.format("major_code")]
        school_level = levels[row[TYPED.format("institution_code")]]
        return code, t("level_mismatch", major_level=refs.major_levels[code], school_level=school_level)

    bad = school.is_not_null() & major.is_not_null() & (school != major)
    return [Check(headers["major_code"], bad, "", t("level_mismatch_fix"), pl.lit(""), describe)]


def _duplicate_checks(spec: TableSpec, headers: dict[str, str], typed: pl.DataFrame) -> list[Check]:
    key = [(pl.col(TYPED.format(k)).cast(pl.String).fill_null("") if k in headers else pl.lit("")).alias(k)
           for k in spec.key]
    group = pl.struct(key)
    names = "+".join(spec.field(k).zh for k in spec.key)

    def describe(row: dict) -> tuple[str, str]:
        value = " / ".join(str(row.get(TYPED.format(k)) or "") for k in spec.key)
        return value, t("duplicate_key", first=row["__first"], key=names)

    # equal keys hash equally: when no two rows share a hash, no two share a key, and the exact (slower)
    # comparison of whole keys is skipped
    repeated = typed.select(group.hash().n_unique()).item() < typed.height
    bad = ~group.is_first_distinct() if repeated else pl.lit(False)
    check = Check(headers.get(spec.key[0], spec.field(spec.key[0]).zh), bad,
                  "", t("duplicate_key_fix", key=names), pl.lit(""), describe)
    check.first = pl.col(ROW).min().over(group)  # type: ignore[attr-defined]
    return [check]


def _problems(typed: pl.DataFrame, checks: list[Check], file: str, limit: int) -> tuple[list[RowProblem], bool]:
    """Evaluate all checks in one pass; build problems only for failing rows, in row order."""
    flags = typed.select([c.bad.fill_null(False).alias(f"__bad{i}") for i, c in enumerate(checks)])
    failing = [i for i, hit in enumerate(flags.select(pl.all().any()).row(0)) if hit]
    problems: list[tuple[int, int, RowProblem]] = []
    for i in failing:
        c = checks[i]
        extra = [c.first.alias("__first")] if hasattr(c, "first") else []
        rows = typed.with_columns(c.value.cast(pl.String).alias("__value"), *extra).filter(flags[f"__bad{i}"]).head(limit + 1)
        for row in rows.iter_rows(named=True):
            value, message = c.describe(row) if c.describe else (row["__value"], c.message)
            problems.append((row[ROW], i, RowProblem(file, row[ROW], c.header, value, message, c.fix)))
    problems.sort(key=lambda p: (p[0], p[1]))
    return [p[2] for p in problems[:limit]], len(problems) > limit
