"""Schools: schools failing each standard, the role-limited compliance table, the schools not meeting every
standard, the consolidation simulations and the duplicated small cohorts."""

from __future__ import annotations

import polars as pl

from silian.domain.access import Principal, read_scope, row_in_scope
from silian.domain.errors import PermissionDenied
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import (
    CHECK,
    INT,
    LIST,
    PCT,
    TEXT,
    Column,
    PresentedTable,
    table_columns,
)


def check_keys(bundle: AnalysisBundle) -> list[str]:
    return [c[3:] for c in bundle.schools.compliance.columns if c.startswith("ok_")]


def school_fails_table(bundle: AnalysisBundle) -> PresentedTable:
    fails = [(t("check_" + k[5:]), v) for k, v in bundle.schools.summary.items() if k.startswith("fail_")]
    return PresentedTable("school-fails", t("tbl_school_fails"), table_columns(("check", "col_check", TEXT),
                                                                             ("schools", "col_schools", INT)), fails)


def may_see_schools(principal: Principal) -> bool:
    """Whether ``p`` sees any school row (enterprises and the public see the summary only)."""
    return read_scope(principal, "institutions").kind != "none"


def compliance_table(bundle: AnalysisBundle, principal: Principal, names: dict[str, str] | None = None) -> PresentedTable:
    """Per school the principal may see: students, each standard passed (True) or failed (False), passed
    count and compliance. Raises PermissionDenied for roles that see the summary only."""
    scope = read_scope(principal, "institutions")
    if scope.kind == "none":
        raise PermissionDenied(t("dash_no_scope"))
    frame = bundle.schools.compliance
    keep = [row_in_scope(scope, {"code": code, "county_code": county})
            for code, county in frame.select("institution_code", "county_code").iter_rows()]
    frame = frame.filter(pl.Series(keep, dtype=pl.Boolean)).sort(["compliant", "passed", "name"])
    checks = check_keys(bundle)
    columns = (Column("institution_code", t("col_code")), Column("name", t("col_school")),
               Column("county", t("col_county")), Column("students", t("col_students"), INT),
               *[Column(f"ok_{k}", t("check_" + k), CHECK) for k in checks],
               Column("passed", t("col_passed"), INT), Column("compliant", t("col_compliant"), CHECK))
    names = names or {}
    rows = [(r["institution_code"], r["name"], names.get(r["county_code"], r["county_code"]), r["students"],
             *[r[f"ok_{k}"] for k in checks], r["passed"], r["compliant"]) for r in frame.iter_rows(named=True)]
    return PresentedTable("school-compliance", t("tbl_compliance"), columns, rows)


def simulations_table(bundle: AnalysisBundle) -> PresentedTable:
    columns = table_columns(("plan", "col_plan", TEXT), ("before", "col_before", TEXT), ("after", "col_after", TEXT),
                            ("share_before", "col_share_before", PCT), ("share_after", "col_share_after", PCT))
    rows = []
    for sim in bundle.schools.simulations:
        before, after = sim["before"], sim["after"]
        assert isinstance(before, dict) and isinstance(after, dict)
        rows.append((sim["plan"], f"{before['compliant']}/{before['schools']}", f"{after['compliant']}/{after['schools']}",
                     before["students_in_compliant"] / max(before["students"], 1),
                     after["students_in_compliant"] / max(after["students"], 1)))
    return PresentedTable("simulations", t("tbl_simulations"), columns, rows)


def small_cohorts_table(bundle: AnalysisBundle) -> PresentedTable:
    names = dict(bundle.supply_demand.by_major.select("major_code", "major_name").iter_rows())
    columns = table_columns(("major_code", "col_code", TEXT), ("major_name", "col_major", TEXT), ("schools", "col_schools", INT),
                            ("enrolment", "col_enrolment", INT))
    rows = [(r["major_code"], names.get(r["major_code"]) or "", r["schools"], r["enrolment"])
            for r in bundle.schools.small_cohorts.iter_rows(named=True)]
    return PresentedTable("small-cohorts", t("tbl_small"), columns, rows)


def noncompliant_table(bundle: AnalysisBundle) -> PresentedTable:
    """Every school not meeting every standard, fewest standards passed first, with the standards it fails."""
    bad = bundle.schools.compliance.filter(~pl.col("compliant")).sort("passed")
    columns = table_columns(("name", "col_school", TEXT), ("students", "col_students", INT, "人"), ("failed", "col_failed", LIST))
    rows = [(r["name"], r["students"], tuple(t("check_" + k) for k in r["failed"] or ())) for r in bad.iter_rows(named=True)]
    return PresentedTable("noncompliant", t("tbl_noncompliant"), columns, rows)
