"""Schools: the standards each school type is judged by (and their thresholds with sources), schools failing
each check per regime, the role-limited compliance table with both verdicts, the schools with a failed item, the
consolidation simulations and the duplicated small cohorts."""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from silian.analytics.schools import NO_DATA, NO_STANDARD, NOT_MET, PARTIAL, REGIMES
from silian.domain.access import Principal, read_scope, row_in_scope
from silian.domain.errors import PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.analysis import AnalysisBundle
from silian.services.presentation.table import (
    CHECK,
    INT,
    LIST,
    PCT,
    TEXT,
    VERDICT,
    Column,
    PresentedTable,
    pct,
    table_columns,
)
from silian.services.school_standards import StandardsFile, pick

register_messages({
    "tbl_school_standards": ("各类学校适用的标准与判定结果", "The standards each school type is judged by, and the results"),
    "tbl_school_standard_items": ("标准阈值及来源", "Thresholds and their sources"),
    "col_regime": ("标准类别", "Kind"),
    "col_school_type": ("学校类型", "School type"),
    "col_standard": ("标准文件", "Standard"),
    "sc_standard_issued": ("{name}（{issuer}，{date}）", "{name} ({issuer}, {date})"),
    "col_judged": ("学校数", "Schools"),
    "col_met": ("达标", "Met"),
    "col_not_met": ("未达标", "Not met"),
    "col_partial": ("部分核定", "Partly checked"),
    "col_no_data": ("缺数据", "Missing figures"),
    "col_requirement": ("要求", "Requirement"),
    "col_article": ("条款", "Article"),
    "col_confidence": ("可信度", "Confidence"),
    "col_applied": ("是否核定", "Applied"),
    "col_why_not": ("未核原因 / 说明", "Why not applied / note"),
    "col_copies": ("所据资料", "Stored copies"),
    "col_setting_standard": ("设置标准（依据）", "Setting standard"),
    "col_setting_verdict": ("设置标准判定", "Setting verdict"),
    "col_setting_failed": ("设置标准未达项", "Setting: failed items"),
    "col_monitoring_standard": ("达标监测（依据）", "达标 monitoring standard"),
    "col_monitoring_verdict": ("达标监测判定", "达标 monitoring verdict"),
    "col_monitoring_failed": ("达标监测未达项", "达标 monitoring: failed items"),
    "col_setting_before": ("整合前达到设置标准", "Meeting the setting standard, before"),
    "col_setting_after": ("整合后达到设置标准", "Meeting the setting standard, after"),
    "col_monitoring_before": ("整合前达标监测全部达标", "Meeting every 达标 indicator, before"),
    "col_monitoring_after": ("整合后达标监测全部达标", "Meeting every 达标 indicator, after"),
    "sc_missing_mark": ("（缺数据）", " (figure missing)"),
    "sc_headline": (
        (
            "{n} 所中职层次学校：设置标准 {setting_met}/{n} 所达标；办学条件达标监测 {monitoring_met}/{n} 所全部达标{partial}；"
            "两类均无未达项的学校在校生占 {share}"
        ),
        (
            "{n} 中职-level schools: {setting_met} of {n} meet their setting standard; {monitoring_met} of {n} meet every "
            "达标 monitoring indicator{partial}; {share} of students are in schools with no failed item"
        ),
    ),
    "sc_headline_partial": ("（另 {n} 所仅能部分核定）", " ({n} more only partly checked)"),
})


def check_keys(bundle: AnalysisBundle) -> list[str]:
    return [c[3:] for c in bundle.schools.compliance.columns if c.startswith("ok_")]


def _regime_keys(bundle: AnalysisBundle, regime: str) -> list[str]:
    prefix = f"{regime}_ok_"
    return [c[len(prefix):] for c in bundle.schools.compliance.columns if c.startswith(prefix)]


def compliance_headline(bundle: AnalysisBundle) -> str:
    """The two counts in one line: schools meeting their setting standard, schools meeting every 达标 monitoring
    indicator (and those only partly checked), and the share of students in schools with no failed item."""
    s = bundle.schools.summary
    partial = t("sc_headline_partial", n=s["monitoring_partial"]) if s.get("monitoring_partial") else ""
    return t("sc_headline", n=s["schools"], setting_met=s["setting_met"], monitoring_met=s["monitoring_met"],
             partial=partial, share=pct(s["students_in_compliant"] / max(s["students"], 1)))


def school_fails_table(bundle: AnalysisBundle) -> PresentedTable:
    """Per regime and check, the schools whose own standard applies the check and that fail it (or lack the
    figure)."""
    summary = bundle.schools.summary
    fails = [(f"{t('check_' + k)}（{t('std_regime_short_' + r)}）", summary.get(f"{r}_fail_{k}", 0))
             for r in REGIMES for k in _regime_keys(bundle, r)]
    return PresentedTable("school-fails", t("tbl_school_fails"), table_columns(("check", "col_check", TEXT),
                                                                             ("schools", "col_schools", INT)), fails)


def _standards(bundle: AnalysisBundle) -> StandardsFile:
    file = bundle.schools.standards
    assert file is not None, "analyse_schools attaches the standards file"
    return file


def standards_table(bundle: AnalysisBundle) -> PresentedTable:
    """One row per standard (kind, school types, document with issuer and date) with the count of schools judged
    and of each verdict; one row per school type with no standard on file, and why."""
    file, frame = _standards(bundle), bundle.schools.compliance
    columns = table_columns(("regime", "col_regime", TEXT), ("levels", "col_school_type", LIST), ("standard", "col_standard", TEXT),
                            ("schools", "col_judged", INT, "所"), ("met", "col_met", INT, "所"), ("not_met", "col_not_met", INT, "所"),
                            ("partial", "col_partial", INT, "所"), ("no_data", "col_no_data", INT, "所"))
    rows: list[tuple[Any, ...]] = []
    for s in file.standards:
        verdicts = frame.filter(pl.col(f"{s.regime}_standard") == s.id)[f"{s.regime}_verdict"]
        count = {v: int((verdicts == v).sum()) for v in ("met", NOT_MET, PARTIAL, NO_DATA)}
        rows.append((t(f"std_regime_{s.regime}"), s.levels, t("sc_standard_issued", name=s.name, issuer=pick(s.issuer), date=s.issued),
                     verdicts.len(), *count.values()))
    for regime in REGIMES:
        none = frame.filter(pl.col(f"{regime}_verdict") == NO_STANDARD)
        for level, n in _none_by_level(none, bundle.schools.not_assessed).items():
            rows.append((t(f"std_regime_{regime}"), (level,), f"{t('std_no_standard')}：{file.why_none(level, regime)}",
                         n, None, None, None, None))
    return PresentedTable("school-standards", t("tbl_school_standards"), columns, rows)


def _none_by_level(none: pl.DataFrame, not_assessed: dict[str, int]) -> dict[str, int]:
    counts = dict(none.group_by("level").len().iter_rows()) if none.height else {}
    return {**{str(k): int(v) for k, v in counts.items()}, **not_assessed}


def _document_number(name: str) -> str:
    """The document number in a standard's name (教职成〔2010〕12号), or the name."""
    found = re.search(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", name)
    return found.group(0) if found else name


def standard_items_table(bundle: AnalysisBundle) -> PresentedTable:
    """Every item of every standard: the standard (type, kind, document number), the requirement, article,
    confidence, whether it is applied and why not, and the stored copies it was read from."""
    file = _standards(bundle)
    columns = table_columns(("standard", "col_standard", TEXT), ("requirement", "col_requirement", TEXT),
                            ("article", "col_article", TEXT), ("confidence", "col_confidence", TEXT),
                            ("applied", "col_applied", CHECK), ("why_not", "col_why_not", TEXT), ("copies", "col_copies", LIST))
    rows = []
    for s in file.standards:
        label = f"{'、'.join(s.levels)} · {t('std_regime_short_' + s.regime)}（{_document_number(pick(s.document))}）"
        for item in s.items:
            why = t(f"std_reason_{item.reason}") if item.reason else ""
            note = pick(item.note) if item.note else ""
            copies = tuple(file.sources[k].split(" — ")[0] for k in item.sources)
            confidence = t(f"std_confidence_{item.confidence}") if item.confidence else "—"
            rows.append((label, item.text(), item.article_text(), confidence, item.applied,
                         "；".join(x for x in (why, note) if x), copies))
    return PresentedTable("school-standard-items", t("tbl_school_standard_items"), columns, rows)


def may_see_schools(principal: Principal) -> bool:
    """Whether ``p`` sees any school row (enterprises and the public see the summary only)."""
    return read_scope(principal, "institutions").kind != "none"


def _items(row: dict[str, Any], regime: str) -> tuple[str, ...]:
    """A school's failed checks in one regime, then the checks it lacks figures for."""
    return (*(t("check_" + k) for k in row[f"{regime}_failed"] or ()),
            *(t("check_" + k) + t("sc_missing_mark") for k in row[f"{regime}_missing"] or ()))


def compliance_table(bundle: AnalysisBundle, principal: Principal, names: dict[str, str] | None = None) -> PresentedTable:
    """Per school the principal may see: students, each check passed (✓), failed (✗) or not applicable or
    missing (—), passed count, no failed item; then the school type and, per regime, the standard it is
    judged by, the verdict and the failed items. Raises PermissionDenied for roles that see the summary only."""
    scope = read_scope(principal, "institutions")
    if scope.kind == "none":
        raise PermissionDenied(t("dash_no_scope"))
    frame = bundle.schools.compliance
    keep = [row_in_scope(scope, {"code": code, "county_code": county})
            for code, county in frame.select("institution_code", "county_code").iter_rows()]
    frame = frame.filter(pl.Series(keep, dtype=pl.Boolean)).sort(["compliant", "passed", "name"])
    checks = check_keys(bundle)
    by_id = _standards(bundle).by_id()
    columns = (Column("institution_code", t("col_code")), Column("name", t("col_school")),
               Column("county", t("col_county")), Column("students", t("col_students"), INT),
               *[Column(f"ok_{k}", t("check_" + k), CHECK) for k in checks],
               Column("passed", t("col_passed"), INT), Column("compliant", t("col_compliant"), CHECK),
               Column("level", t("col_school_type")),
               *[c for r in REGIMES for c in (Column(f"{r}_standard", t(f"col_{r}_standard")),
                                              Column(f"{r}_verdict", t(f"col_{r}_verdict"), VERDICT),
                                              Column(f"{r}_failed", t(f"col_{r}_failed"), LIST))])
    names = names or {}
    rows = []
    for r in frame.iter_rows(named=True):
        regimes = [v for g in REGIMES for v in (by_id[r[f"{g}_standard"]].name if r[f"{g}_standard"] else None,
                                                 r[f"{g}_verdict"], _items(r, g))]
        rows.append((r["institution_code"], r["name"], names.get(r["county_code"], r["county_code"]), r["students"],
                     *[r[f"ok_{k}"] for k in checks], r["passed"], r["compliant"], r["level"], *regimes))
    return PresentedTable("school-compliance", t("tbl_compliance"), columns, rows)


def simulations_table(bundle: AnalysisBundle) -> PresentedTable:
    """Per consolidation plan, before and after: schools with no failed item, schools meeting their setting
    standard, schools meeting every 达标 monitoring indicator (each over the schools), and the student share."""
    columns = table_columns(("plan", "col_plan", TEXT), ("before", "col_before", TEXT), ("after", "col_after", TEXT),
                            ("share_before", "col_share_before", PCT), ("share_after", "col_share_after", PCT),
                            ("setting_before", "col_setting_before", TEXT), ("setting_after", "col_setting_after", TEXT),
                            ("monitoring_before", "col_monitoring_before", TEXT),
                            ("monitoring_after", "col_monitoring_after", TEXT))
    rows = []
    for sim in bundle.schools.simulations:
        before, after = sim["before"], sim["after"]
        assert isinstance(before, dict) and isinstance(after, dict)
        rows.append((sim["plan"], f"{before['compliant']}/{before['schools']}", f"{after['compliant']}/{after['schools']}",
                     before["students_in_compliant"] / max(before["students"], 1),
                     after["students_in_compliant"] / max(after["students"], 1),
                     *(f"{side[f'{r}_met']}/{side['schools']}" for r in REGIMES for side in (before, after))))
    return PresentedTable("simulations", t("tbl_simulations"), columns, rows)


def small_cohorts_table(bundle: AnalysisBundle) -> PresentedTable:
    names = dict(bundle.supply_demand.by_major.select("major_code", "major_name").iter_rows())
    columns = table_columns(("major_code", "col_code", TEXT), ("major_name", "col_major", TEXT), ("schools", "col_schools", INT),
                            ("enrolment", "col_enrolment", INT))
    rows = [(r["major_code"], names.get(r["major_code"]) or "", r["schools"], r["enrolment"])
            for r in bundle.schools.small_cohorts.iter_rows(named=True)]
    return PresentedTable("small-cohorts", t("tbl_small"), columns, rows)


def noncompliant_table(bundle: AnalysisBundle) -> PresentedTable:
    """Every school with a failed item (or a missing figure) in either kind of standard, fewest checks passed
    first: its type and, per kind, the verdict and the items it fails."""
    bad = bundle.schools.compliance.filter(~pl.col("compliant")).sort("passed")
    columns = table_columns(("name", "col_school", TEXT), ("level", "col_school_type", TEXT),
                            ("students", "col_students", INT, "人"),
                            *[(f"{r}_{c}", f"col_{r}_{c}", kind) for r in REGIMES for c, kind in (("verdict", VERDICT),
                                                                                                   ("failed", LIST))])
    rows = [(r["name"], r["level"], r["students"], *[v for g in REGIMES for v in (r[f"{g}_verdict"], _items(r, g))])
            for r in bad.iter_rows(named=True)]
    return PresentedTable("noncompliant", t("tbl_noncompliant"), columns, rows)
