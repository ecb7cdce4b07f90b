"""The 规划 (planning) pages: run the enrolment-plan optimiser and read its changes (CSV), match students to seats
(:mod:`silian.web.pages.planning_match`: a JSON file or an Excel workbook, the result to download), and save and
compare what-if scenarios side by side.

Every page goes through the same services as the CLI and the API (``enrolment_plan``, ``match_file``,
``scenarios``), so the numbers and the refusals are the same. The plan and scenarios are for city admins and
county officers; matching is open to every logged-in user; the public is sent to the login page.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import current_lang, register_messages, t
from silian.reports.format import table_name
from silian.services import scenarios as svc
from silian.services.analysis_cache import AnalysisCache
from silian.services.hub_database import Database
from silian.services.planning.enrolment_plan import PlanOptions
from silian.services.planning.plan_request import PLANNERS, plan_for
from silian.settings import Settings
from silian.web.dependencies import AnalysesDep, ClientDep, DbDep, PrincipalDep, SettingsDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "nav_planning": ("规划", "Planning"),
        "pl_title": ("规划", "Planning"),
        "pl_tab_plan": ("招生计划优化", "Enrolment plan"),
        "pl_tab_match": ("学生与岗位匹配", "Student–seat matching"),
        "pl_tab_scenarios": ("情景对比", "Scenarios"),
        "pl_plan_intro": (
            "按需求预测、学校办学能力、最小班额、年度调整幅度和职普比，求下一年各校各专业的招生计划（HiGHS 求解）。",
            (
                "Next year's enrolment by school and major against forecast demand, und"
                "er school capacity, minimum cohort, yearly change and the 职普 ratio (so"
                "lved by HiGHS)."
            ),
        ),
        "pl_year": ("基准年份（空 = 最新）", "Base year (empty = latest)"),
        "pl_max_change": ("每年最大调整幅度（%）", "Largest yearly change (%)"),
        "pl_err_year": ("请填写 2000–2100 之间的年份，或留空使用最新年份",
                        "Enter a year from 2000 to 2100, or leave it empty for the latest"),
        "pl_err_range": ("请填写 {low}–{high} 之间的数", "Enter a number from {low} to {high}"),
        "pl_rows": ("第 {first}–{last} 行，共 {total} 行", "Rows {first}–{last} of {total}"),
        "pl_previous": ("上一页", "Previous"),
        "pl_next": ("下一页", "Next"),
        "pl_min_cohort": ("最小班额（人）", "Minimum cohort (persons)"),
        "pl_key_bonus": ("重点产业链权重加成", "Key-chain weight bonus"),
        "pl_open_new": ("允许新开紧缺专业", "May open shortage majors"),
        "pl_run": ("求解", "Solve"),
        "pl_bad_options": (
            "选项超出范围：调整幅度 5%–100%，最小班额 0–200，权重加成 0–5",
            "Options out of range: change 5 %–100 %, cohort 0–200, bonus 0–5",
        ),
        "pl_status": (
            "{year} 年招生计划：{status}，{n} 个专业点有变化",
            "Plan for {year}: {status}, {n} offerings change",
        ),
        "pl_status_optimal": ("最优", "optimal"),
        "pl_status_time_limit": ("达到时间上限（目前最好的方案）", "time limit (best plan found)"),
        "pl_status_infeasible": ("无可行方案", "infeasible"),
        "pl_effect": ("预测效果（稳态）", "Predicted effect (steady state)"),
        "pl_now": ("现状", "Now"),
        "pl_planned": ("计划", "Plan"),
        "pl_gap_abs": ("缺口绝对值合计", "Σ |gap|"),
        "pl_limits": (("年度调整上限内：今年停招 {closures} 个专业点（{closed:,.0f} 人），分年停招 {phased} 个；"
                      "无需求数据而维持的专业点 {held} 个（{held_entrants:,.0f} 人）；新开 {new} 个"),
                      ("Within the yearly change limit: {closures} offerings close this year ({closed:,.0f} entrants), "
                      "{phased} closures phased; {held} offerings held for want of demand data ({held_entrants:,.0f} "
                      "entrants); {new} new offerings")),
        "pl_scenarios": ("计划在各需求情景下的表现（稳态，毕业生人数）", ("How the plan does in each demand scenario "
                         "(steady state, graduates)")),
        "pl_col_scenario": ("需求情景", "Scenario"),
        "pl_col_weight": ("权重", "Weight"),
        "pl_col_demand": ("需求（人）", "Demand"),
        "pl_col_gap_now": ("今年招生的缺口合计", "Σ|gap|, this year's enrolment"),
        "pl_col_gap_plan": ("计划的缺口合计", "Σ|gap|, the plan"),
        "pl_col_shortage_plan": ("计划后短缺", "Shortage, the plan"),
        "pl_col_surplus_plan": ("计划后过剩", "Surplus, the plan"),
        "pl_scenario_low": ("低（预测区间下限）", "low (interval lower bound)"),
        "pl_scenario_point": ("中（点预测）", "point forecast"),
        "pl_scenario_high": ("高（预测区间上限）", "high (interval upper bound)"),
        "pl_duncan": ("专业类错配指数", "Class mismatch (Duncan)"),
        "pl_coupling": ("耦合协调度 D", "Coupling D"),
        "pl_changes": ("招生变化（每项附原因）", "Changes, each with its reason"),
        "pl_binding": ("起作用的约束", "Binding constraints"),
        "pl_col_school": ("学校", "School"),
        "pl_col_major": ("专业", "Major"),
        "pl_col_current": ("今年", "This year"),
        "pl_col_planned": ("计划", "Planned"),
        "pl_col_change": ("变化", "Change"),
        "pl_col_reason": ("原因", "Reason"),
        "pl_col_binding": ("约束", "Binding"),
        "pl_col_constraint": ("约束", "Constraint"),
        "pl_col_value": ("值", "Value"),
        "pl_col_bound": ("界", "Bound"),
        "pl_infeasible": ("无可行计划", "No feasible plan"),
        "pl_save_scenario": ("另存为情景", "Save as a scenario"),
        "pl_match_intro": (
            (
                "上传匹配文件（JSON，格式同 `silian match`）：`students` 为每名学生按志愿排序的岗位，`positions` 为每个岗位的名额"
                "与接受的学生排序。学生只会被匹配到双方互相列出的岗位。"
            ),
            (
                "Upload a matching file (JSON, as for `silian match`): `students` list positions best first, `positions` give "
                "their capacity and the students they accept, best first. A student is matched only where both list each other."
            ),
        ),
        "pl_method": ("匹配方法", "Method"),
        "pl_method_da": ("延迟接受（稳定，学生最优）", "Deferred acceptance (stable, student-optimal)"),
        "pl_method_weights": ("最大权匹配（按分数）", "Max-weight assignment (scores)"),
        "pl_match_submit": ("匹配", "Match"),
        "pl_download_json": ("下载结果 JSON", "Download the result (JSON)"),
        "pl_too_big": (
            "结果较大，请用 `silian match` 或 POST /api/v1/match 取得完整结果",
            "The result is large: use `silian match` or POST /api/v1/match for the whole of it",
        ),
        "pl_position": ("岗位", "Position"),
        "pl_matched": ("录取人数", "Matched"),
        "pl_students": ("学生", "Students"),
        "pl_match_summary": (
            "匹配完成：{n_students:,} 名学生中 {n_matched:,} 名获得岗位（{n_first:,} 名是第一志愿），岗位共 {seats:,} 个名额",
            (
                "Matched: {n_matched:,} of {n_students:,} students got a seat ({n_first"
                ":,} their first choice); {seats:,} seats in all"
            ),
        ),
        "pl_unmatched": ("未匹配：{n} 名", "Unmatched: {n}"),
        "pl_more_positions": ("另有 {n} 个岗位未显示，见下载的结果", "{n} more positions in the downloaded result"),
        "pl_sc_intro": (
            "情景只在内存中改动中心库数据的副本，再用同样的分析方法重算并与基线对比；中心库数据不会被修改。",
            (
                "A scenario changes a copy of the hub's data in memory and reruns the s"
                "ame analyses against the baseline; the hub is never changed."
            ),
        ),
        "pl_saved": ("已保存情景“{name}”", "Saved scenario '{name}'"),
        "pl_deleted": ("已删除情景“{name}”", "Deleted scenario '{name}'"),
        "pl_sc_list": ("已保存的情景", "Saved scenarios"),
        "pl_sc_none": ("还没有情景", "No scenarios yet"),
        "pl_sc_name": ("名称", "Name"),
        "pl_sc_kind": ("类型", "Kind"),
        "pl_sc_what": ("内容", "What"),
        "pl_sc_region": ("地区", "Region"),
        "pl_sc_compare": ("对比所选情景", "Compare the selected"),
        "pl_sc_delete": ("删除", "Delete"),
        "pl_sc_new": ("新建情景", "New scenario"),
        "pl_sc_save": ("保存情景", "Save scenario"),
        "pl_kind_plan": ("招生计划变化", "Changed enrolment plan"),
        "pl_kind_plant": ("新建工厂", "New plant"),
        "pl_kind_merger": ("学校合并", "School merger"),
        "pl_plan_changes": (
            "招生变化：每行“学校代码,专业代码,人数”（计划招生数），或“学校代码,专业代码,+20”/“…,-20”（增减）",
            "Changes: one per line, 'school,major,N' (planned entrants) or 'school,major,+20' / '…,-20' (more or fewer)",
        ),
        "pl_plan_optimiser": ("改用优化器的计划（按默认选项）", "Use the optimiser's plan instead (default options)"),
        "pl_plant_county": ("县市区代码", "County code"),
        "pl_plant_year": ("投产年份", "From year"),
        "pl_plant_label": ("工厂名称（可选）", "Plant name (optional)"),
        "pl_plant_needs": (
            "用工需求：每行“职业代码,人数[,技能等级]”，如 6-18-01-07,300,中级工",
            "Workers: one per line, 'occupation,workers[,skill level]', e.g. 6-18-01-07,300,中级工",
        ),
        "pl_merger_schools": (
            "合并的学校代码（逗号或换行分隔，至少两所）",
            "Schools to merge (codes, comma or newline separated, two or more)",
        ),
        "pl_merger_into": ("保留的学校代码（空 = 第一所）", "Surviving school (empty = the first)"),
        "pl_merger_name": ("合并后的校名（可选）", "Name after the merger (optional)"),
        "pl_compare_title": ("基线与情景对比：{region} · {year} 年", "Baseline and scenarios: {region} · {year}"),
        "pl_diff": ("差值", "Change"),
        "pl_indicator": ("指标", "Indicator"),
        "pl_back": ("返回情景列表", "Back to the scenarios"),
        "pl_what_plan": ("{n} 项招生变化", "{n} enrolment changes"),
        "pl_what_plant": ("{county} 自 {year} 年：{needs}", "{county} from {year}: {needs}"),
        "pl_what_merger": ("{schools} → {into}", "{schools} → {into}"),
        "pl_error": ("无法完成", "Could not do that"),
    }
)
TABS = (("plan", "/planning/plan"), ("match", "/planning/match"), ("scenarios", "/planning/scenarios"))
PLAN_COLUMNS = (("school_name", "pl_col_school", "text"), ("major_name", "pl_col_major", "text"),
                ("current", "pl_col_current", "int"), ("planned", "pl_col_planned", "int"), ("change", "pl_col_change", "int"),
                ("reason", "pl_col_reason", "text"), ("binding", "pl_col_binding", "text"))


def _login(path: str) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)


def _banner(analyses: AnalysisCache) -> str:
    try:
        tables = analyses.get(None, None, current_lang.get()).generated_tables
    except SilianError:
        return ""
    english = current_lang.get() == "en"
    return t("dash_generated", tables=t("list_joiner").join(table_name(n, english) for n in tables)) if tables else ""


def _page(request: Request, principal: Principal, template: str, tab: str, status_code: int = 200, **context: Any) -> Response:
    tabs = [(key, href) for key, href in TABS if key == "match" or principal.role in PLANNERS]
    return render(request, template, principal, status_code=status_code, tab=tab, tabs=tabs, **context)


def _refused(request: Request, principal: Principal, exc: SilianError, tab: str) -> Response:
    status = {NotFound: 404, PermissionDenied: 403, InvalidInput: 400, ImportRejected: 422}.get(type(exc), 400)
    problems = exc.problems if isinstance(exc, ImportRejected) else []
    return _page(request, principal, "planning/error.html", tab, status_code=status, message=exc.message, problems=problems)


def _guard(request: Request, principal: Principal, tab: str) -> Response | None:
    """A response when ``p`` may not use the planners' pages (login for the public, 403 for other roles)."""
    if principal.is_public:
        return _login(request.url.path)
    if principal.role not in PLANNERS:
        return _refused(request, principal, PermissionDenied(t("sc_forbidden")), tab)
    return None


@router.get("/planning")
def planning_root(principal: PrincipalDep) -> Response:
    return RedirectResponse("/planning/plan" if principal.role in PLANNERS else "/planning/match", status_code=303)


# ---------------------------------------------------------------- enrolment plan
PLAN_DEFAULTS = {"year": "", "max_change": "20", "min_cohort": "30", "key_chain_bonus": "1", "open_new": True}


def _plan_options(max_change: float, min_cohort: float, key_chain_bonus: float, open_new: bool) -> PlanOptions:
    """``max_change`` is a fraction (0.2 = 20 %)."""
    if not (0.05 <= max_change <= 1.0 and 0 <= min_cohort <= 200 and 0 <= key_chain_bonus <= 5):
        raise InvalidInput(t("pl_bad_options"))
    return PlanOptions(max_change=max_change, min_cohort=min_cohort, key_chain_bonus=key_chain_bonus, open_new=open_new,
                       time_limit=30.0)


def plan_form(query: dict[str, str], run: bool) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """The plan page's form as entered (text), its errors by field (shown beside each field) and the parsed values
    (``year`` None for the latest; ``max_change`` a fraction: the form takes percent, 20 = 20 %)."""
    text = {k: str(v) for k, v in PLAN_DEFAULTS.items() if k != "open_new"}
    text.update({k: query[k].strip() for k in text if k in query})
    form: dict[str, Any] = {**text, "open_new": query.get("open_new") in ("true", "on", "1") if run else True}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"open_new": form["open_new"]}
    bounds = {"max_change": (5, 100), "min_cohort": (0, 200), "key_chain_bonus": (0, 5)}
    if text["year"]:
        if not text["year"].isdigit() or not 2000 <= int(text["year"]) <= 2100:
            errors["year"] = t("pl_err_year")
        else:
            values["year"] = int(text["year"])
    values.setdefault("year", None)
    for key, (low, high) in bounds.items():
        try:
            number = float(text[key])
        except ValueError:
            number = float("nan")
        if not low <= number <= high:  # also false for nan
            errors[key] = t("pl_err_range", low=f"{low:g}", high=f"{high:g}")
        values[key] = number / 100 if key == "max_change" else number
    return form, errors, values


@router.get("/planning/plan")
async def plan_page(request: Request, db: DbDep, settings: SettingsDep, analyses: AnalysesDep, principal: PrincipalDep,
                    run: bool = False, page: int = Query(1, ge=1)) -> Response:
    refused = _guard(request, principal, "plan")
    if refused:
        return refused
    form, errors, values = plan_form(dict(request.query_params), run)
    summary, query = None, ""
    if run and errors:
        return _page(request, principal, "planning/plan.html", "plan", status_code=422, form=form, errors=errors,
                     summary=None, query="", rows=[], columns=PLAN_COLUMNS, banner=_banner(analyses), pager=None)
    if run:
        try:
            options = _plan_options(values["max_change"], values["min_cohort"], values["key_chain_bonus"], values["open_new"])
            summary = await run_in_threadpool(plan_for, db, settings, principal, region=None, year=values["year"],
                                              options=options)
        except SilianError as exc:
            return _refused(request, principal, exc, "plan")
        query = urlencode({k: v for k, v in {**form, "run": 1}.items() if v not in ("", False)})
    rows = plan_rows(summary["changes"]) if summary and "changes" in summary else []
    pager = plan_pager(len(rows), page, query)
    return _page(request, principal, "planning/plan.html", "plan", form=form, errors=errors, summary=summary, query=query,
                 rows=rows[pager["first"]:pager["last"]], total_rows=len(rows), columns=PLAN_COLUMNS,
                 banner=_banner(analyses), pager=pager)


PLAN_PAGE_ROWS = 50


def plan_pager(total: int, page: int, query: str) -> dict[str, Any]:
    """Which rows of the plan's changes one page shows, and the addresses of the pages before and after it."""
    pages = max(1, -(-total // PLAN_PAGE_ROWS))
    page = min(page, pages)
    first = (page - 1) * PLAN_PAGE_ROWS

    def link(number: int) -> str:
        return f"/planning/plan?{query}&page={number}#panel-plan-changes" if 1 <= number <= pages else ""

    return {"page": page, "pages": pages, "first": first, "last": min(total, first + PLAN_PAGE_ROWS), "total": total,
            "previous": link(page - 1), "next": link(page + 1)}


async def _plan_download(request: Request, db: Database, settings: Settings, principal: Principal
                         ) -> tuple[dict[str, Any], list[dict[str, Any]]] | Response:
    """The plan of the download's query (the page's form), or the page that refuses it."""
    refused = _guard(request, principal, "plan")
    if refused:
        return refused
    _form, errors, values = plan_form(dict(request.query_params), True)
    try:
        if errors:
            raise InvalidInput(t("pl_bad_options"))
        options = _plan_options(values["max_change"], values["min_cohort"], values["key_chain_bonus"], values["open_new"])
        summary = await run_in_threadpool(plan_for, db, settings, principal, region=None, year=values["year"], options=options)
    except SilianError as exc:
        return _refused(request, principal, exc, "plan")
    return summary, plan_rows(summary.get("changes", []))


@router.get("/planning/plan.xlsx")
async def plan_xlsx(request: Request, db: DbDep, settings: SettingsDep, principal: PrincipalDep) -> Response:
    """The plan's changes as an Excel workbook (one sheet, Chinese or English headers), one row per changed offering."""
    found = await _plan_download(request, db, settings, principal)
    if isinstance(found, Response):
        return found
    summary, rows = found
    header = [t(label) for _, label, _ in PLAN_COLUMNS]
    body = _xlsx(t("pl_changes"), header, [[r[k] for k, _, _ in PLAN_COLUMNS] for r in rows])
    return _download(body, f"silian-plan-{summary['plan_year']}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _xlsx(sheet: str, header: list[str], rows: list[list[Any]]) -> bytes:
    import xlsxwriter  # the Excel writer the reports use

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    page = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    page.write_row(0, 0, header, bold)
    for number, row in enumerate(rows, start=1):
        page.write_row(number, 0, ["、".join(v) if isinstance(v, list) else ("" if v is None else v) for v in row])
    page.freeze_panes(1, 0)
    page.set_column(0, 1, 24)
    page.set_column(5, 6, 40)
    book.close()
    return out.getvalue()


@router.get("/planning/plan.csv")
async def plan_csv(request: Request, db: DbDep, settings: SettingsDep, principal: PrincipalDep) -> Response:
    """The plan's changes as CSV (UTF-8 with BOM), one row per changed offering with its reason."""
    found = await _plan_download(request, db, settings, principal)
    if isinstance(found, Response):
        return found
    summary, rows = found
    body = _csv([t(label) for _, label, _ in PLAN_COLUMNS], [[r[k] for k, _, _ in PLAN_COLUMNS] for r in rows])
    return _download(body, f"silian-plan-{summary['plan_year']}.csv", "text/csv; charset=utf-8")


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["、".join(v) if isinstance(v, list) else ("" if v is None else v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _download(body: bytes, name: str, media_type: str) -> Response:
    ascii_name = name.encode("ascii", "ignore").decode() or "silian.csv"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


# matching: silian.web.pages.planning_match


# ---------------------------------------------------------------- scenarios
def _scenarios_page(request: Request, db: Database, analyses: AnalysisCache, principal: Principal, status_code: int = 200,
                    **context: Any) -> Response:
    found = svc.list_scenarios(db, principal)
    names = svc.code_names(db) if found else {}
    base = {"form": {"kind": "plant"}, "problems": [], "error": "", "message": ""}
    return _page(request, principal, "planning/scenarios.html", "scenarios", status_code=status_code, scenarios=found,
                 spec_text=lambda s: spec_text(s, names), banner=_banner(analyses), **{**base, **context})


@router.get("/planning/scenarios")
def scenarios_page(request: Request, db: DbDep, analyses: AnalysesDep, principal: PrincipalDep, saved: str | None = None,
                   deleted: str | None = None) -> Response:
    refused = _guard(request, principal, "scenarios")
    if refused:
        return refused
    message = t("pl_saved", name=saved) if saved else t("pl_deleted", name=deleted) if deleted else ""
    return _scenarios_page(request, db, analyses, principal, message=message)


@router.post("/planning/scenarios")
async def scenarios_create(request: Request, db: DbDep, settings: SettingsDep, analyses: AnalysesDep, client: ClientDep,
                           principal: PrincipalDep) -> Response:
    refused = _guard(request, principal, "scenarios")
    if refused:
        return refused
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        kind, spec = scenario_spec(form)
        saved = await run_in_threadpool(svc.save_scenario, db, principal, name=form.get("name", ""), kind=kind, spec=spec,
                                        settings=settings, client=client)
    except ImportRejected as exc:
        return _scenarios_page(request, db, analyses, principal, 422, form=form, error=exc.message, problems=exc.problems)
    except SilianError as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _scenarios_page(request, db, analyses, principal, status, form=form, error=exc.message)
    return RedirectResponse("/planning/scenarios?" + urlencode({"saved": saved.name}), status_code=303)


@router.post("/planning/scenarios/{scenario_id}/delete")
def scenarios_delete(request: Request, db: DbDep, client: ClientDep, principal: PrincipalDep, scenario_id: int) -> Response:
    refused = _guard(request, principal, "scenarios")
    if refused:
        return refused
    try:
        gone = svc.delete_scenario(db, principal, scenario_id, client=client)
    except SilianError as exc:
        return _refused(request, principal, exc, "scenarios")
    return RedirectResponse("/planning/scenarios?" + urlencode({"deleted": gone.name}), status_code=303)


def _comparison(db: Database, settings: Settings, principal: Principal, ids: list[int], year: int | None) -> svc.Comparison:
    if not ids:
        raise InvalidInput(t("sc_none_given"))
    return svc.compare_saved(db, principal, ids[:6], settings=settings, year=year)


async def _compared(request: Request, db: Database, settings: Settings, principal: Principal, ids: list[int] | None,
                    year: int | None) -> svc.Comparison | Response:
    """The comparison, or the page that refuses it (role, unknown scenario, bad input)."""
    refused = _guard(request, principal, "scenarios")
    if refused:
        return refused
    try:
        return await run_in_threadpool(_comparison, db, settings, principal, ids or [], year)
    except SilianError as exc:
        return _refused(request, principal, exc, "scenarios")


@router.get("/planning/scenarios/compare")
async def scenarios_compare(request: Request, db: DbDep, settings: SettingsDep, analyses: AnalysesDep, principal: PrincipalDep,
                            ids: Annotated[list[int] | None, Query()] = None,
                            year: int | None = Query(None, ge=2000, le=2100)) -> Response:
    result = await _compared(request, db, settings, principal, ids, year)
    if isinstance(result, Response):
        return result
    query = urlencode([("ids", i) for i in ids or []] + ([("year", year)] if year else []))
    return _page(request, principal, "planning/compare.html", "scenarios", result=result, query=query, banner=_banner(analyses))


@router.get("/planning/scenarios/compare.csv")
async def scenarios_compare_csv(request: Request, db: DbDep, settings: SettingsDep, principal: PrincipalDep,
                                ids: Annotated[list[int] | None, Query()] = None,
                                year: int | None = Query(None, ge=2000, le=2100)) -> Response:
    """The comparison as CSV: indicator, baseline, then each scenario and its difference."""
    result = await _compared(request, db, settings, principal, ids, year)
    if isinstance(result, Response):
        return result
    header = [t("pl_indicator"), result.columns[0]]
    for name in result.columns[1:]:
        header += [name, f"{name} {t('pl_diff')}"]
    rows = [[r.label, r.values[0], *[x for pair in zip(r.values[1:], r.diffs, strict=True) for x in pair]] for r in result.rows]
    return _download(_csv(header, rows), f"silian-scenarios-{result.year}.csv", "text/csv; charset=utf-8")


# ---------------------------------------------------------------- helpers
def plan_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changed offerings, largest cuts first: names, counts, reason and the binding constraints' names."""
    from silian.services.planning.enrolment_plan import FAMILY_NAMES
    lang = 1 if current_lang.get() == "en" else 0
    rows = sorted(changes, key=lambda r: (r["change"], r["institution_code"], r["major_code"]))
    return [{**r, "major_name": r.get("major_name") or r["major_code"],
             **{k: round(r[k]) for k in ("current", "planned", "change") if r.get(k) is not None},
             "binding": [FAMILY_NAMES.get(f, (f, f))[lang] for f in r.get("binding") or []]} for r in rows]


def _whole(text: str) -> Any:
    text = text.strip()
    return int(text) if text.lstrip("+-").isdigit() else text


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.replace("，", ",").split(",")] for line in text.splitlines() if line.strip()]


def scenario_spec(form: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The kind and the JSON spec of the page's form (checked by the service like any other spec)."""
    kind = form.get("kind", "")
    if kind == "plan":
        if form.get("use_optimiser"):
            return kind, {"optimiser": {}}
        changes = []
        for parts in _lines(form.get("changes", "")):
            item: dict[str, Any] = {"school": parts[0], "major": parts[1] if len(parts) > 1 else ""}
            value = parts[2] if len(parts) > 2 else ""
            item["change" if value.startswith(("+", "-")) else "enrolment"] = _whole(value)
            changes.append(item)
        return kind, {"changes": changes}
    if kind == "plant":
        needs = [
            {
                "code": p[0],
                "workers": _whole(p[1]) if len(p) > 1 else "",
                **({"skill_level": p[2]} if len(p) > 2 and p[2] else {}),
            }
            for p in _lines(form.get("needs", ""))
        ]
        return kind, {"county": form.get("county", "").strip(), "from_year": _whole(form.get("from_year", "")),
                      "occupations": needs, "label": form.get("label", "").strip()}
    if kind == "merger":
        schools = [c for c in form.get("schools", "").replace("，", ",").replace(",", " ").split() if c]
        spec: dict[str, Any] = {"schools": schools, "name": form.get("merger_name", "").strip()}
        if form.get("into", "").strip():
            spec["into"] = form["into"].strip()
        return kind, spec
    raise InvalidInput(t("sc_kind_unknown", kind=kind))


def spec_text(s: svc.Scenario, names: dict[str, str] | None = None) -> str:
    """A scenario's content in one line, codes named where ``names`` knows them (``中牟县``, ``数控车工（6-18-01-01）``)."""
    spec, names = s.spec, names or {}

    def named(code: Any) -> str:
        return f"{names[code]}（{code}）" if code in names else str(code)

    if s.kind == "plan":
        return t("pl_what_plan", n=len(spec.get("changes", [])))
    if s.kind == "plant":
        needs = t("list_joiner").join(f"{named(o['code'])}×{o['workers']}" for o in spec.get("occupations", []))
        return t("pl_what_plant", county=names.get(spec.get("county"), spec.get("county")), year=spec.get("from_year"),  # type: ignore[arg-type]
                 needs=needs)
    return t("pl_what_merger", schools=" + ".join(names.get(c, c) for c in spec.get("schools", [])),
             into=names.get(spec.get("into"), spec.get("into")))  # type: ignore[arg-type]
