"""``/api/v1/reports``: the analysis report (HTML, PDF, Excel) made in the background, as `silian report` does.

``POST /api/v1/reports`` starts a report (city admins for any region, county officers for their own county) and
answers 202 with the job; ``GET /api/v1/reports/{id}`` is its status (the steps analysis, charts, PDF);
``GET /api/v1/reports/{id}/file?format=pdf|html|xlsx`` downloads a finished report. A job is visible to its owner
only (anyone else: 404). One report at a time per user (409), a few in the whole server (429).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from silian.services.analysis import AnalysisBundle
from silian.services.analysis_cache import AnalysisCache
from silian.services.hub_database import Database
from silian.services.report_jobs import BadReportRequest, ReportBusy, ReportJob, ReportJobs, ReportRenderers
from silian.settings import Settings
from silian.web.dependencies import ClientDep, ReportJobsDep, UserDep
from silian.web.errors import error_json, responses

router = APIRouter(prefix="/api/v1/reports", tags=["报告 / reports"])
Json = dict[str, Any]


def _html(bundle: AnalysisBundle) -> str:
    from silian.reports.report import render_html
    return render_html(bundle)


def _print_html(bundle: AnalysisBundle) -> str:
    from silian.reports.report import render_html
    return render_html(bundle, for_pdf=True)


def _pdf(html: str) -> bytes:
    from silian.reports.pdf import html_to_pdf
    return html_to_pdf(html)


def _xlsx(bundle: AnalysisBundle) -> bytes:
    from silian.reports.report_workbook import report_xlsx
    return report_xlsx(bundle)


def new_report_jobs(db: Database, settings: Settings, analyses: AnalysisCache | None = None) -> ReportJobs:
    """The app's report jobs, rendering with :mod:`silian.reports` (imported when the first report is made)."""
    return ReportJobs(db, settings, ReportRenderers(html=_html, xlsx=_xlsx, print_html=_print_html, pdf=_pdf),
                      analyses=analyses)


class ReportRequest(BaseModel):
    """Which report: the region (code or name) and the year."""

    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(None, max_length=40, description="地区名称或代码（默认：学校最多的城市；县级用户：本县）")
    year: int | None = Field(None, ge=2000, le=2100, description="分析年份（默认：最新）")


def job_json(job: ReportJob) -> Json:
    """The job's status with the addresses of its files."""
    status = job.status()
    status["files"] = {fmt: f"/api/v1/reports/{job.id}/file?format={fmt}" for fmt in status["formats"]}
    status["status_url"] = f"/api/v1/reports/{job.id}"
    return status


def busy_response(exc: ReportBusy) -> JSONResponse:
    """409 when the user already has a report running (its id in ``running``), 429 when the server is full."""
    if exc.reason == "own":
        response = error_json(409, "report_running", exc.message)
        response.headers["Location"] = f"/api/v1/reports/{exc.running}"
        return response
    return error_json(429, "server_busy", exc.message, headers={"Retry-After": "60"})


@router.post("", status_code=202, response_model=Json, responses=responses(400, 403, 409, 429),
             summary="Start a report (as `silian report`)")
async def start_report(body: ReportRequest, jobs: ReportJobsDep, principal: UserDep, client: ClientDep) -> Any:
    try:
        job = await run_in_threadpool(jobs.submit, principal, region=body.region, year=body.year, client=client)
    except ReportBusy as exc:
        return busy_response(exc)
    except BadReportRequest as exc:
        return error_json(400, "invalid_input", exc.message,
                          [{"file": "request", "row": None, "column": exc.field, "value": None, "message": exc.message, "fix": ""}])
    return JSONResponse(job_json(job), status_code=202, headers={"Location": f"/api/v1/reports/{job.id}"})


@router.get("/{report_id}", response_model=Json, responses=responses(404), summary="A report's status")
def report_status(report_id: str, jobs: ReportJobsDep, principal: UserDep) -> Json:
    return job_json(jobs.job(principal, report_id))


@router.get("/{report_id}/file", responses={**responses(400, 404), 200: {"content": {"application/pdf": {}}}},
            summary="Download a finished report", response_class=Response)
def report_file(report_id: str, jobs: ReportJobsDep, principal: UserDep, client: ClientDep,
                format: Literal["pdf", "html", "xlsx"] = "pdf") -> Response:
    path, media_type, name = jobs.download(principal, report_id, format, client=client)
    ascii_name = f"silian-report.{format}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(path, media_type=media_type, headers={"Content-Disposition": disposition})
