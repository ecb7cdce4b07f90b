"""Validate every row of a file against a table spec, column by column, without stopping at the first.

All checks are vectorised (polars), so a million rows validate in seconds; only failing cells are turned
into :class:`RowProblem` objects. The result is either a typed frame ready to write, or ImportRejected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from silian.domain.credit_code import check_character, credit_code_problem
from silian.domain.errors import ImportRejected, RowProblem
from silian.domain.messages import t
from silian.domain.tables import Field, Rule, TableSpec
from silian.domain.vocab import FALSE_WORDS, SCHOOL_LEVELS, TRUE_WORDS
from silian.ingest.headers import header_map, import_fields
from silian.ingest.readers import ROW, RawTable

_PROBLEM_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String, "fix": pl.String}


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
    frame: pl.DataFrame  # typed, one column per field plus is_generated and __row
    warnings: list[str]


class _Collector:
    """Gathers problem frames and turns them into RowProblem objects at the end."""

    def __init__(self, file: str, limit: int):
        self.file, self.limit, self.parts = file, limit, []

    def add(self, failures: pl.DataFrame, header: str, message: str, fix: str, value: str | None = None) -> None:
        """``failures`` has ``__row`` and ``value`` columns."""
        if failures.height == 0:
            return
        self.parts.append(
            failures.select(
                pl.col(ROW).cast(pl.Int64).alias("row"),
                pl.lit(header).alias("column"),
                (pl.col("value").cast(pl.String) if value is None else pl.lit(value)).alias("value"),
                pl.lit(message).alias("message"),
                pl.lit(fix).alias("fix"),
            ).head(self.limit)
        )

    def add_rows(self, rows: list[RowProblem]) -> None:
        if rows:
            self.parts.append(pl.DataFrame([r.as_dict() for r in rows], schema=_PROBLEM_SCHEMA | {"file": pl.String}).drop("file"))

    def problems(self) -> tuple[list[RowProblem], bool]:
        if not self.parts:
            return [], False
        frame = pl.concat(self.parts).sort("row", nulls_last=False, maintain_order=True)
        truncated = frame.height > self.limit
        rows = frame.head(self.limit).iter_rows(named=True)
        return [RowProblem(file=self.file, **r) for r in rows], truncated


def validate_table(raw: RawTable, spec: TableSpec, refs: References, *, file: str, max_errors: int) -> ValidationResult:
    """Check every cell and rule of ``raw`` against ``spec``; raise ImportRejected listing every problem."""
    mapping, unknown = header_map(spec, [c for c in raw.frame.columns if c != ROW])
    present = set(mapping.values())
    missing = [f for f in spec.fields if f.required and f.name not in present]
    if missing:
        columns = "、".join(f.zh for f in missing)
        problem = RowProblem(file, None, columns, None, t("missing_columns", columns=columns),
                             t("missing_columns_fix", table=spec.name))
        raise ImportRejected(t("rejected", count=1), [problem])
    frame = raw.frame.rename(mapping).select([ROW, *mapping.values()])
    headers = {name: header for header, name in mapping.items()}
    out = _Collector(file, max_errors)
    typed = frame.select(ROW)
    for f in import_fields(spec):
        if f.name not in present:
            typed = typed.with_columns(pl.lit("" if f.name in spec.key else None, dtype=_dtype(f)).alias(f.name))
            continue
        typed = typed.with_columns(_check_field(frame.select(ROW, pl.col(f.name).alias("value")), f, headers[f.name], refs, out).alias(f.name))
    _check_rules(typed, spec, headers, out)
    _check_school_level(typed, spec, headers, refs, out)
    _check_duplicates(typed, spec, headers, out)
    problems, truncated = out.problems()
    if problems:
        message = t("rejected", count=len(problems)) + (t("rejected_truncated", count=len(problems)) if truncated else "")
        raise ImportRejected(message, problems, truncated)
    warnings = [t("unknown_columns", columns="、".join(unknown))] if unknown else []
    return ValidationResult(typed.with_columns(pl.col("is_generated").fill_null(False)), warnings)


def _dtype(f: Field) -> pl.DataType:
    return {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}.get(f.kind, pl.String)()


def _check_field(cells: pl.DataFrame, f: Field, header: str, refs: References, out: _Collector) -> pl.Series:
    """Problems of one column go to ``out``; returns the column converted to its type."""
    value = pl.col("value")
    if f.required:
        out.add(cells.filter(value.is_null()), header, t("required"), t("required_fix", column=header), value="")
    converted = _CONVERTERS[f.kind](cells, f, header, out)
    typed = cells.with_columns(converted.alias("typed"))
    _check_range(typed, f, header, out)
    if f.choices:
        bad = typed.filter(value.is_not_null() & ~value.is_in(list(f.choices)))
        out.add(bad, header, t("not_in_choices"), t("not_in_choices_fix", choices="、".join(f.choices)))
    if f.kind == "str":
        too_long = typed.filter(value.str.len_chars() > f.length)
        out.add(too_long, header, t("bad_format"), f"≤ {f.length}")
    if f.check:
        typed = typed.with_columns(_CODE_CHECKS[f.check](typed, f, header, refs, out).alias("typed"))
    return typed["typed"]


def _convert_str(cells: pl.DataFrame, f: Field, header: str, out: _Collector) -> pl.Expr:
    return pl.col("value")


def _convert_number(cells: pl.DataFrame, f: Field, header: str, out: _Collector) -> pl.Expr:
    cleaned = pl.col("value").str.replace_all(r"[,，\s]", "")
    as_float = cleaned.cast(pl.Float64, strict=False)
    bad = cells.filter(pl.col("value").is_not_null() & (as_float.is_null() | as_float.is_nan() | as_float.is_infinite()))
    if f.kind == "int":
        fraction = cells.filter(as_float.is_not_null() & as_float.is_finite() & (as_float != as_float.round(0)))
        out.add(pl.concat([bad, fraction]), header, t("not_integer"), t("not_integer_fix"))
        return pl.when(as_float.is_finite() & (as_float == as_float.round(0)) & (as_float.abs() < 2**53)).then(as_float).cast(pl.Int64)
    out.add(bad, header, t("not_number"), t("not_number_fix"))
    return pl.when(as_float.is_finite()).then(as_float)


def _convert_bool(cells: pl.DataFrame, f: Field, header: str, out: _Collector) -> pl.Expr:
    value = pl.col("value")
    bad = cells.filter(value.is_not_null() & ~value.is_in(list(TRUE_WORDS | FALSE_WORDS)))
    out.add(bad, header, t("not_bool"), t("not_bool_fix"))
    return pl.when(value.is_in(list(TRUE_WORDS))).then(True).when(value.is_in(list(FALSE_WORDS))).then(False)


def _convert_period(cells: pl.DataFrame, f: Field, header: str, out: _Collector) -> pl.Expr:
    parts = pl.col("value").str.extract_groups(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*月?)?$")
    year, month = parts.struct.field("1"), parts.struct.field("2")
    month_int = month.cast(pl.Int32, strict=False)
    ok = year.is_not_null() & (month.is_null() | month_int.is_between(1, 12))
    out.add(cells.filter(pl.col("value").is_not_null() & ~ok), header, t("bad_format"), t("not_in_choices_fix", choices="2024、2024-06"))
    return pl.when(ok & month.is_null()).then(year).when(ok).then(pl.concat_str(year, pl.lit("-"), month.str.zfill(2)))


_CONVERTERS: dict[str, Callable[..., pl.Expr]] = {
    "str": _convert_str, "int": _convert_number, "float": _convert_number, "bool": _convert_bool, "period": _convert_period,
}


def _check_range(typed: pl.DataFrame, f: Field, header: str, out: _Collector) -> None:
    if f.low is None and f.high is None:
        return
    col = pl.col("typed")
    if f.high is None:
        out.add(typed.filter(col < f.low), header, t("negative"), t("negative_fix"))
        return
    bad = typed.filter((col < f.low) | (col > f.high))
    low, high = int(f.low or 0), int(f.high)
    out.add(bad, header, t("out_of_range", low=low, high=high), t("out_of_range_fix", low=low, high=high))


def _check_catalog(typed, f, header, allowed, catalog_name, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    bad = typed.filter(pl.col("typed").is_not_null() & ~pl.col("typed").is_in(list(allowed)))
    out.add(bad, header, t("unknown_code", catalog=catalog_name), t("unknown_code_fix"))
    return pl.col("typed")


def _check_major(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    upper = pl.col("typed").str.to_uppercase()
    bad = typed.filter(pl.col("typed").is_not_null() & ~upper.is_in(list(refs.majors)))
    out.add(bad, header, t("unknown_code", catalog="职业教育专业目录"), t("unknown_code_fix"))
    return upper.replace(refs.majors)


def _check_occupation(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    return _check_catalog(typed, f, header, refs.occupations, "职业分类大典（2022）", out)


def _check_industry(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    return _check_catalog(typed, f, header, refs.industries, "GB/T 4754-2017", out)


def _check_credit_code(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    codes = typed.filter(pl.col("typed").is_not_null())["typed"].unique().to_list()
    reasons = {c: credit_code_problem(c) for c in codes}
    bad_codes = {c: r for c, r in reasons.items() if r}
    if bad_codes:
        bad = typed.filter(pl.col("typed").is_in(list(bad_codes)))
        for row, value in bad.select(ROW, "value").iter_rows():
            reason = bad_codes[value]
            expected = check_character(value[:17]) if reason == "credit_code_check" else ""
            out.add_rows([RowProblem(out.file, row, header, value, t(reason, expected=expected), t("credit_code_fix"))])
    return pl.col("typed")


def _reference_check(kind: str, entity_zh: str, table: str) -> Callable[..., pl.Expr]:
    def check(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
        known = refs.existing.get(kind, frozenset())
        bad = typed.filter(pl.col("typed").is_not_null() & ~pl.col("typed").is_in(list(known)))
        out.add(bad, header, t("unknown_reference", entity=entity_zh), t("unknown_reference_fix", entity=entity_zh, table=table))
        return pl.col("typed")
    return check


def _check_region(typed, f, header, refs, out) -> pl.Expr:  # type: ignore[no-untyped-def]
    return _reference_check("region", "行政区划", "regions")(typed, f, header, refs, out)


_CODE_CHECKS: dict[str, Callable[..., pl.Expr]] = {
    "major": _check_major,
    "occupation": _check_occupation,
    "industry": _check_industry,
    "credit_code": _check_credit_code,
    "region": _check_region,
    "institution": _reference_check("institution", "学校", "institutions"),
    "enterprise": _reference_check("enterprise", "企业", "enterprises"),
}


def _check_rules(typed: pl.DataFrame, spec: TableSpec, headers: dict[str, str], out: _Collector) -> None:
    for rule in spec.rules:
        if rule.kind == "one_of":
            a, b = (spec.field(p) for p in rule.parts)
            none = typed.filter(pl.all_horizontal([pl.col(p).fill_null("") == "" for p in rule.parts]))
            out.add(none.with_columns(pl.lit("").alias("value")), headers.get(a.name, a.zh),
                    t("one_of_required", a=a.zh, b=b.zh), t("one_of_required_fix"))
        elif rule.kind == "le" and rule.whole in headers and any(p in headers for p in rule.parts):
            _check_sum(typed, spec, rule, headers, out)


def _check_sum(typed: pl.DataFrame, spec: TableSpec, rule: Rule, headers: dict[str, str], out: _Collector) -> None:
    parts = [p for p in rule.parts if p in headers]
    total = pl.sum_horizontal([pl.col(p).fill_null(0) for p in parts])
    whole = pl.col(rule.whole)
    bad = typed.filter(whole.is_not_null() & (total > whole * (1 + rule.tolerance) + 1e-9))
    part_names = "+".join(spec.field(p).zh for p in parts)
    whole_name = spec.field(rule.whole).zh
    for row, part_value, whole_value in bad.select(ROW, total.alias("p"), whole).head(out.limit).iter_rows():
        message = t("total_exceeds", part=part_names, part_value=_fmt(part_value), whole=whole_name, whole_value=_fmt(whole_value))
        out.add_rows([RowProblem(out.file, row, headers[parts[0]], _fmt(part_value), message, t("total_exceeds_fix"))])


def _fmt(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _check_school_level(typed: pl.DataFrame, spec: TableSpec, headers: dict[str, str], refs: References, out: _Collector) -> None:
    """A 专业点's major must be of its school's level (a 中职 school cannot offer a 专科 major)."""
    if not {"institution_code", "major_code"} <= set(spec.field_names) or not refs.institution_levels:
        return
    school = pl.col("institution_code").replace_strict(refs.institution_levels, default=None)
    major = pl.col("major_code").replace_strict(refs.major_levels, default=None)
    frame = typed.with_columns(school.replace_strict(SCHOOL_LEVELS, default=None).alias("s"), major.alias("m"))
    bad = frame.filter(pl.col("s").is_not_null() & pl.col("m").is_not_null() & (pl.col("s") != pl.col("m")))
    for row, code, s, m in bad.select(ROW, "major_code", "s", "m").head(out.limit).iter_rows():
        out.add_rows([RowProblem(out.file, row, headers["major_code"], code,
                                 t("level_mismatch", major_level=m, school_level=s), t("level_mismatch_fix"))])


def _check_duplicates(typed: pl.DataFrame, spec: TableSpec, headers: dict[str, str], out: _Collector) -> None:
    key = list(spec.key)
    keyed = typed.select(ROW, *[pl.col(k).cast(pl.String).fill_null("") for k in key])
    first = keyed.group_by(key).agg(pl.col(ROW).min().alias("first"), pl.len().alias("n")).filter(pl.col("n") > 1)
    if first.height == 0:
        return
    dups = keyed.join(first, on=key).filter(pl.col(ROW) != pl.col("first")).sort(ROW).head(out.limit)
    key_names = "+".join(spec.field(k).zh for k in key)
    header = headers.get(key[0], spec.field(key[0]).zh)
    for r in dups.iter_rows(named=True):
        value = " / ".join(str(r[k]) for k in key)
        out.add_rows([RowProblem(out.file, r[ROW], header, value, t("duplicate_key", first=r["first"], key=key_names),
                                 t("duplicate_key_fix", key=key_names))])
