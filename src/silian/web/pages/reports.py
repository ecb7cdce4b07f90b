"""报告 (analysis reports) in the browser: choose the region and year, start the report, watch its steps
(analysis, charts, PDF) and download it as PDF, HTML or Excel. The work is :mod:`silian.services.report_jobs`
(the same as ``POST /api/v1/reports``); the progress page polls ``GET /api/v1/reports/{id}`` with
``/static/js/report-progress.js`` and, without JavaScript, shows the state as of its last load.

City admins choose any region; a county officer gets the own county only; other roles are refused and the
public is sent to the login page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.errors import NotFound, PermissionDenied, SilianError
from silian.domain.messages import register_messages, t
from silian.services.report_jobs import FORMATS, REPORTERS, BadReportRequest, ReportBusy, ReportJobs
from silian.web.api.reports import job_json
from silian.web.dependencies import ClientDep, PrincipalDep, ReportJobsDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "nav_reports": ("报告", "Reports"),
        "rpg_title": ("分析报告", "Analysis reports"),
        "rpg_intro": (
            ("选择地区和年份生成四链融合分析报告：先分析，再绘制图表（HTML 与 Excel），最后排版 PDF。报告在后台生成，"
            "可以离开本页，稍后在下方“我的报告”中下载；报告保留 6 小时。"),
            ("Choose a region and a year to make the four-chain report: the analysis, then the charts (HTML and Excel), "
            "then the PDF. It is made in the background: you may leave this page and download it later under "
            "'My reports'; reports are kept for 6 hours."),
        ),
        "rpg_region": ("地区", "Region"),
        "rpg_year": ("年份", "Year"),
        "rpg_latest": ("最新年份", "Latest year"),
        "rpg_level_city": ("（全市）", " (city)"),
        "rpg_level_county": ("（县、市、区）", " (county)"),
        "rpg_county_only": ("县级教育部门只能生成本县的报告。", "A county officer makes the report of their own county."),
        "rpg_start": ("生成报告", "Make the report"),
        "rpg_mine": ("我的报告", "My reports"),
        "rpg_none": ("还没有报告。", "No reports yet."),
        "rpg_col_made": ("开始时间", "Started"),
        "rpg_col_state": ("状态", "State"),
        "rpg_col_files": ("下载", "Download"),
        "rpg_open": ("查看进度", "Progress"),
        "rpg_heading": ("分析报告：{region} · {year}", "Analysis report: {region} · {year}"),
        "rpg_year_latest": ("最新年份", "latest year"),
        "rpg_progress": ("进度", "Progress"),
        "rpg_download": ("下载报告", "Download the report"),
        "rpg_format_pdf": ("PDF（打印版）", "PDF (for print)"),
        "rpg_format_html": ("HTML（交互图表）", "HTML (interactive charts)"),
        "rpg_format_xlsx": ("Excel（全部数据表）", "Excel (every table)"),
        "rpg_failed": ("报告未能生成：", "The report could not be made: "),
        "rpg_reload": ("页面会自动更新；如未更新，请刷新本页。", "This page updates itself; if it does not, reload it."),
        "rpg_generated": ("本报告使用了演示生成数据。", "This report uses generated demo data."),
        "rpg_running_link": ("查看正在生成的报告", "See the report being made"),
        "rpg_back": ("返回报告列表", "Back to the reports"),
        "rpg_forbidden": ("只有市级管理员和县级教育部门可以生成分析报告", "Only city admins and county officers may make reports"),
    }
)


def _login(path: str) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)


def _refused(request: Request, principal: Principal) -> Response | None:
    if principal.is_public:
        return _login(request.url.path)
    if principal.role not in REPORTERS:
        return render(request, "reports/index.html", principal, status_code=403, forbidden=t("rpg_forbidden"),
                      regions=[], years=[], jobs=[], form={}, errors={}, error="", running="", formats=list(FORMATS))
    return None


async def _index(request: Request, jobs: ReportJobs, principal: Principal, *, status_code: int = 200,
                 form: dict[str, str] | None = None, errors: dict[str, str] | None = None, error: str = "",
                 running: str = "") -> Response:
    choices = await run_in_threadpool(jobs.choices)
    regions = jobs.allowed_regions(principal)
    mine = [job_json(j) for j in jobs.jobs_of(principal)]
    return render(request, "reports/index.html", principal, status_code=status_code, forbidden="", regions=regions,
                  years=list(reversed(choices.years)), jobs=mine, form=form or {}, errors=errors or {}, error=error,
                  running=running, formats=list(FORMATS))


@router.get("/reports")
async def reports_page(request: Request, jobs: ReportJobsDep, principal: PrincipalDep) -> Response:
    refused = _refused(request, principal)
    if refused:
        return refused
    return await _index(request, jobs, principal)


@router.post("/reports")
async def reports_start(request: Request, jobs: ReportJobsDep, client: ClientDep, principal: PrincipalDep) -> Response:
    refused = _refused(request, principal)
    if refused:
        return refused
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    region = form.get("region", "").strip() or None
    year_text = form.get("year", "").strip()
    if year_text and not year_text.isdigit():
        return await _index(request, jobs, principal, status_code=400, form=form,
                            errors={"year": t("rj_unknown_year", year=year_text, years="—")})
    try:
        job = await run_in_threadpool(jobs.submit, principal, region=region, year=int(year_text) if year_text else None,
                                      client=client)
    except ReportBusy as exc:
        status = 409 if exc.reason == "own" else 429
        return await _index(request, jobs, principal, status_code=status, form=form, error=exc.message, running=exc.running)
    except BadReportRequest as exc:
        return await _index(request, jobs, principal, status_code=400, form=form, errors={exc.field: exc.message})
    except SilianError as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return await _index(request, jobs, principal, status_code=status, form=form, error=exc.message)
    return RedirectResponse(f"/reports/{job.id}", status_code=303)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: str, jobs: ReportJobsDep, principal: PrincipalDep) -> Response:
    refused = _refused(request, principal)
    if refused:
        return refused
    try:
        job = jobs.job(principal, report_id)
    except NotFound as exc:
        return render(request, "reports/job.html", principal, status_code=404, job=None, error=exc.message,
                      status={}, formats=list(FORMATS))
    return render(request, "reports/job.html", principal, job=job, status=job_json(job), error="",
                  formats=list(FORMATS))

