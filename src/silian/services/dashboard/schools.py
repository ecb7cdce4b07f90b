"""The schools tab: schools failing each standard, the role-limited compliance table, the consolidation
simulations and the duplicated small cohorts."""

from __future__ import annotations

import polars as pl

from silian.domain.access import Principal, read_scope, row_in_scope
from silian.domain.errors import PermissionDenied
from silian.domain.messages import t
from silian.services.analysis import AnalysisBundle
from silian.services.dashboard.table import INT, PCT, TEXT, Column, DataTable, table_columns


def check_keys(b: AnalysisBundle) -> list[str]:
    return [c[3:] for c in b.schools.compliance.columns if c.startswith("ok_")]


def school_fails_table(b: AnalysisBundle) -> DataTable:
    fails = [(t("check_" + k[5:]), v) for k, v in b.schools.summary.items() if k.startswith("fail_")]
    return DataTable("school-fails", t("dash_t_school_fails"), table_columns(("check", "dash_c_check", TEXT),
                                                                             ("schools", "dash_c_schools", INT)), fails)


def may_see_schools(p: Principal) -> bool:
    """Whether ``p`` sees any school row (enterprises and the public see the summary only)."""
    return read_scope(p, "institutions").kind != "none"


def compliance_table(b: AnalysisBundle, p: Principal, names: dict[str, str] | None = None) -> DataTable:
    """Per school the principal may see: students, each standard passed (True) or failed (False), passed
    count and compliance. Raises PermissionDenied for roles that see the summary only."""
    scope = read_scope(p, "institutions")
    if scope.kind == "none":
        raise PermissionDenied(t("dash_no_scope"))
    frame = b.schools.compliance
    keep = [row_in_scope(scope, {"code": code, "county_code": county})
            for code, county in frame.select("institution_code", "county_code").iter_rows()]
    frame = frame.filter(pl.Series(keep, dtype=pl.Boolean)).sort(["compliant", "passed", "name"])
    checks = check_keys(b)
    columns = (Column("institution_code", t("dash_c_code")), Column("name", t("dash_c_school")),
               Column("county", t("dash_c_county")), Column("students", t("dash_c_students"), INT),
               *[Column(f"ok_{k}", t("check_" + k), "check") for k in checks],
               Column("passed", t("dash_c_passed"), INT), Column("compliant", t("dash_c_compliant"), "check"))
    names = names or {}
    rows = [(r["institution_code"], r["name"], names.get(r["county_code"], r["county_code"]), r["students"],
             *[r[f"ok_{k}"] for k in checks], r["passed"], r["compliant"]) for r in frame.iter_rows(named=True)]
    return DataTable("school-compliance", t("dash_t_compliance"), columns, rows)


def simulations_table(b: AnalysisBundle) -> DataTable:
    columns = table_columns(("plan", "dash_c_plan", TEXT), ("before", "dash_c_before", TEXT), ("after", "dash_c_after", TEXT),
                            ("share_before", "dash_c_share_before", PCT), ("share_after", "dash_c_share_after", PCT))
    rows = []
    for sim in b.schools.simulations:
        before, after = sim["before"], sim["after"]
        assert isinstance(before, dict) and isinstance(after, dict)
        rows.append((sim["plan"], f"{before['compliant']}/{before['schools']}", f"{after['compliant']}/{after['schools']}",
                     before["students_in_compliant"] / max(before["students"], 1),
                     after["students_in_compliant"] / max(after["students"], 1)))
    return DataTable("simulations", t("dash_t_simulations"), columns, rows)


def small_cohorts_table(b: AnalysisBundle) -> DataTable:
    names = dict(b.supply_demand.by_major.select("major_code", "major_name").iter_rows())
    columns = table_columns(("major_code", "dash_c_code", TEXT), ("major_name", "dash_c_major", TEXT), ("schools", "dash_c_schools", INT),
                            ("enrolment", "dash_c_enrolment", INT))
    rows = [(r["major_code"], names.get(r["major_code"]) or "", r["schools"], r["enrolment"])
            for r in b.schools.small_cohorts.iter_rows(named=True)]
    return DataTable("small-cohorts", t("dash_t_small"), columns, rows)
