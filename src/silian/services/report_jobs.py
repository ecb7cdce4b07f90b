"""Analysis reports made in the background for the web (`silian report` without a terminal): a city admin or a
county officer asks for the report of a region and year; a small thread pool inside the server analyses, draws
the charts (HTML and Excel) and renders the PDF, step by step, while the page polls the job's status; the files
are kept for a while for their owner, then deleted.

Bounds: one report at a time per user, at most :data:`MAX_ACTIVE` waiting or running in the whole server,
:data:`WORKERS` rendering at once (PDF rendering is serialised by WeasyPrint's lock anyway); finished jobs are
kept :data:`KEEP_SECONDS`, at most :data:`KEEP_PER_USER` per user. Jobs live in the memory of the server process
that started them (one process serves the platform; with several workers a job's status is known to its own).

The renderers are given by the caller (the web layer hands in :mod:`silian.reports`): services do not import the
reports layer. Every job is audited (who asked for which region and year, and each download).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import current_lang, register_messages, t
from silian.services.accounts import write_audit
from silian.services.analysis import AnalysisBundle
from silian.services.analysis_cache import AnalysisCache, Fingerprint, hub_fingerprint
from silian.services.hub import load_hub
from silian.services.hub_database import Database
from silian.settings import Settings

log = logging.getLogger("silian.reports")
REPORTERS = ("city_admin", "county_officer")
STEPS = ("analysis", "charts", "pdf")
FORMATS = {"pdf": ("pdf", "application/pdf"), "html": ("html", "text/html; charset=utf-8"),
           "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
WORKERS = 1
MAX_ACTIVE = 4
KEEP_SECONDS = 6 * 3600
KEEP_PER_USER = 5
State = Literal["queued", "running", "done", "failed"]

register_messages(
    {
        "rj_forbidden": (
            "只有市级管理员和县级教育部门可以生成分析报告",
            "Only city admins and county officers may make analysis reports",
        ),
        "rj_own_county_only": (
            "县级教育部门只能生成本县（{county}）的报告",
            "A county officer may make the report of their own county ({county}) only",
        ),
        "rj_unknown_region": (
            "找不到地区“{region}”；可选：{choices}",
            "Unknown region '{region}'; choose one of {choices}",
        ),
        "rj_unknown_year": ("{year} 年没有数据；可选年份：{years}", "No data for {year}; years available: {years}"),
        "rj_no_data": (
            "数据库中还没有可分析的学校与专业数据：请先导入数据或载入演示区域",
            "The hub holds no schools and majors to analyse yet: import data or load the demo region first",
        ),
        "rj_own_running": (
            "您已有一份报告正在生成，请等它完成后再开始新的报告",
            "A report of yours is being made; wait for it to finish before starting another",
        ),
        "rj_server_busy": (
            "服务器正在生成 {n} 份报告，已达上限，请稍后再试",
            "The server is making {n} reports, its limit; try again in a few minutes",
        ),
        "rj_not_found": ("没有这份报告（可能已过期被清理）：{id}", "No such report (it may have expired): {id}"),
        "rj_not_ready": ("报告还未生成完成", "The report is not ready yet"),
        "rj_bad_format": ("未知的报告格式：{format}（pdf、html、xlsx）", "Unknown report format: {format} (pdf, html, xlsx)"),
        "rj_internal": (
            "生成报告时出现内部错误，已记录；请稍后重试或联系管理员",
            "An internal error stopped the report (logged); try again later or contact the administrator",
        ),
        "rj_step_analysis": ("分析", "Analysis"),
        "rj_step_charts": ("图表（HTML 与 Excel）", "Charts (HTML and Excel)"),
        "rj_step_pdf": ("PDF", "PDF"),
        "rj_state_queued": ("排队中", "Waiting"),
        "rj_state_running": ("生成中", "Running"),
        "rj_state_done": ("已完成", "Done"),
        "rj_state_failed": ("失败", "Failed"),
    }
)


class ReportBusy(SilianError):
    """A report cannot start now: the user already has one running (``own``) or the server is full (``full``)."""

    def __init__(self, message: str, reason: Literal["own", "full"], running: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.running = running


class BadReportRequest(InvalidInput):
    """An unknown region or year; ``field`` names which (``region`` or ``year``), so a form can say it beside it."""

    def __init__(self, message: str, field: Literal["region", "year"]) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportRenderers:
    """How a bundle becomes files (the reports layer's functions): the interactive HTML, the Excel workbook, the
    HTML laid out for print (SVG charts) and that HTML as PDF bytes."""

    html: Callable[[AnalysisBundle], str]
    xlsx: Callable[[AnalysisBundle], bytes]
    print_html: Callable[[AnalysisBundle], str]
    pdf: Callable[[str], bytes]


@dataclass(frozen=True)
class RegionChoice:
    code: str
    name: str
    level: str  # city or county


@dataclass(frozen=True)
class ReportChoices:
    """What a report may be asked for: regions with schools (cities, then their counties) and the years."""

    regions: list[RegionChoice]
    years: list[int]

    def region(self, wanted: str) -> RegionChoice | None:
        return next((r for r in self.regions if wanted in (r.code, r.name)), None)


@dataclass
class ReportJob:
    """One report being made or made: whose, of what, how far it got, and where its files are."""

    id: str
    owner: int
    username: str
    region_code: str
    region_name: str
    year: int | None
    lang: str
    folder: Path
    created: float = field(default_factory=time.time)
    state: State = "queued"
    step: str = ""
    done_steps: list[str] = field(default_factory=list)
    finished: float | None = None
    error: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    uses_generated_data: bool = False

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def file(self, fmt: str) -> Path:
        return self.folder / f"report.{FORMATS[fmt][0]}"

    def download_name(self, fmt: str) -> str:
        year = self.year or ""
        return f"{self.region_name}_{year}_四链报告.{FORMATS[fmt][0]}" if self.lang != "en" else \
            f"silian-report-{self.region_code}-{year}.{FORMATS[fmt][0]}"

    def status(self) -> dict[str, Any]:
        """The job as JSON, labels in the current language."""
        steps = []
        for key in STEPS:
            state = "done" if key in self.done_steps else "running" if key == self.step and self.state == "running" \
                else "failed" if key == self.step and self.state == "failed" else "waiting"
            steps.append({"key": key, "label": t(f"rj_step_{key}"), "state": state})
        return {"id": self.id, "state": self.state, "state_label": t(f"rj_state_{self.state}"), "step": self.step,
                "steps": steps, "progress": round(len(self.done_steps) / len(STEPS), 3), "region_code": self.region_code,
                "region_name": self.region_name, "year": self.year, "error": self.error or None,
                "created": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created)),
                "uses_generated_data": self.uses_generated_data,
                "formats": [f for f in FORMATS if self.state == "done" and self.file(f).is_file()]}


def report_choices(db: Database) -> ReportChoices:
    """Cities holding schools and their counties, and the years of major data (read from the hub)."""
    hub = load_hub(db)
    regions, schools = hub["regions"], hub["institutions"]
    counties = set(schools["county_code"].drop_nulls().to_list())
    county_rows = regions.filter(pl.col("code").is_in(list(counties)))
    cities = set(county_rows["parent_code"].drop_nulls().to_list())
    choices: list[RegionChoice] = []
    for city_code, city_name in regions.filter(pl.col("code").is_in(list(cities))).sort("code").select("code", "name").iter_rows():
        choices.append(RegionChoice(city_code, city_name, "city"))
        inside = county_rows.filter(pl.col("parent_code") == city_code).sort("code")
        choices += [RegionChoice(code, name, "county") for code, name in inside.select("code", "name").iter_rows()]
    years = sorted(int(y) for y in hub["major_points"]["year"].unique().to_list())
    return ReportChoices(choices, years)


class ReportJobs:
    """The server's report jobs (one instance per app, made by ``create_app``)."""

    def __init__(self, db: Database, settings: Settings, renderers: ReportRenderers, *,
                 analyses: AnalysisCache | None = None, workers: int = WORKERS, max_active: int = MAX_ACTIVE,
                 keep_seconds: float = KEEP_SECONDS, keep_per_user: int = KEEP_PER_USER) -> None:
        self.db, self.settings, self.renderers, self.analyses = db, settings, renderers, analyses
        self.max_active, self.keep_seconds, self.keep_per_user = max_active, keep_seconds, keep_per_user
        self.root = Path(settings.data_dir) / "reports"
        self._jobs: dict[str, ReportJob] = {}
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._workers = workers
        self._choices: tuple[Fingerprint, ReportChoices] | None = None

    # ------------------------------------------------------------ asking
    def choices(self) -> ReportChoices:
        """:func:`report_choices`, read again only when the hub changed."""
        fingerprint = hub_fingerprint(self.db)
        cached = self._choices
        if cached is None or cached[0] != fingerprint:
            cached = (fingerprint, report_choices(self.db))
            self._choices = cached
        return cached[1]

    def allowed_regions(self, principal: Principal) -> list[RegionChoice]:
        """The regions ``principal`` may ask for: every one for the city admin, the own county for a county officer."""
        regions = self.choices().regions
        if principal.role == "county_officer":
            return [r for r in regions if r.code == principal.county_code]
        return regions if principal.role in REPORTERS else []

    def _checked_request(self, principal: Principal, region: str | None, year: int | None) -> tuple[RegionChoice, int | None]:
        if principal.is_public or principal.role not in REPORTERS or principal.user_id is None:
            raise PermissionDenied(t("rj_forbidden"))
        choices = self.choices()
        if not choices.regions or not choices.years:
            raise InvalidInput(t("rj_no_data"))
        if principal.role == "county_officer":
            own = choices.region(principal.county_code or "")
            if own is None or (region and choices.region(region) != own):
                raise PermissionDenied(t("rj_own_county_only", county=own.name if own else principal.county_code))
            chosen = own
        else:
            found = choices.region(region) if region else choices.regions[0]
            if found is None:
                raise BadReportRequest(t("rj_unknown_region", region=region,
                                         choices=t("list_joiner").join(r.name for r in choices.regions[:12])), "region")
            chosen = found
        if year is not None and year not in choices.years:
            raise BadReportRequest(t("rj_unknown_year", year=year, years=", ".join(map(str, choices.years))), "year")
        return chosen, year

    def submit(self, principal: Principal, *, region: str | None = None, year: int | None = None,
               client: str = "") -> ReportJob:
        """Start a report for ``principal`` (checked: role, region, year, bounds) and return its job at once."""
        chosen, year = self._checked_request(principal, region, year)
        self.clean_up()
        assert principal.user_id is not None
        with self._lock:
            active = [j for j in self._jobs.values() if j.active]
            own = next((j for j in active if j.owner == principal.user_id), None)
            if own is not None:
                raise ReportBusy(t("rj_own_running"), "own", own.id)
            if len(active) >= self.max_active:
                raise ReportBusy(t("rj_server_busy", n=len(active)), "full")
            ident = secrets.token_urlsafe(12)
            job = ReportJob(id=ident, owner=principal.user_id, username=principal.username, region_code=chosen.code,
                            region_name=chosen.name, year=year, lang=current_lang.get(), folder=self.root / ident)
            self._jobs[ident] = job
        with self.db.begin() as conn:
            write_audit(conn, principal, "report_start", "reports", ident, None,
                        {"region": chosen.code, "year": year, "lang": job.lang}, client)
        self._pool().submit(self._run, job)
        return job

    def job(self, principal: Principal, ident: str) -> ReportJob:
        """The job ``ident`` if ``principal`` owns it (anyone else: not found, as if it did not exist)."""
        with self._lock:
            found = self._jobs.get(ident)
        if found is None or principal.user_id is None or found.owner != principal.user_id:
            raise NotFound(t("rj_not_found", id=ident))
        return found

    def jobs_of(self, principal: Principal) -> list[ReportJob]:
        """``principal``'s jobs, newest first."""
        self.clean_up()
        with self._lock:
            mine = [j for j in self._jobs.values() if j.owner == principal.user_id]
        return sorted(mine, key=lambda j: j.created, reverse=True)

    def download(self, principal: Principal, ident: str, fmt: str, *, client: str = "") -> tuple[Path, str, str]:
        """The file of a finished job: its path, media type and download name (audited)."""
        if fmt not in FORMATS:
            raise InvalidInput(t("rj_bad_format", format=fmt))
        found = self.job(principal, ident)
        path = found.file(fmt)
        if found.state != "done" or not path.is_file():
            raise InvalidInput(t("rj_not_ready"))
        with self.db.begin() as conn:
            write_audit(conn, principal, "report_download", "reports", ident, None, {"format": fmt}, client)
        return path, FORMATS[fmt][1], found.download_name(fmt)

    # ------------------------------------------------------------ keeping
    def clean_up(self, now: float | None = None) -> int:
        """Forget finished jobs older than ``keep_seconds`` (and each user's beyond ``keep_per_user``), delete their
        files and any older folder no job owns; the number of jobs forgotten."""
        now = time.time() if now is None else now
        gone: list[ReportJob] = []
        with self._lock:
            finished = sorted((j for j in self._jobs.values() if not j.active), key=lambda j: j.created, reverse=True)
            per_user: dict[int, int] = {}
            for j in finished:
                per_user[j.owner] = per_user.get(j.owner, 0) + 1
                if now - (j.finished or j.created) > self.keep_seconds or per_user[j.owner] > self.keep_per_user:
                    gone.append(self._jobs.pop(j.id))
            known = {j.folder for j in self._jobs.values()}
        for j in gone:
            shutil.rmtree(j.folder, ignore_errors=True)
        if self.root.is_dir():  # folders of an earlier server process (or another worker's, once they are old)
            for folder in self.root.iterdir():
                if folder not in known and folder.is_dir() and now - folder.stat().st_mtime > self.keep_seconds:
                    shutil.rmtree(folder, ignore_errors=True)
        return len(gone)

    def wait(self, principal: Principal, ident: str, timeout: float = 600.0) -> ReportJob:
        """Block until the job has finished (for the CLI and tests; the web polls :meth:`job`)."""
        found = self.job(principal, ident)
        deadline = time.monotonic() + timeout
        while found.active and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ working
    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="silian-report")
            return self._executor

    def _bundle(self, job: ReportJob) -> AnalysisBundle:
        if self.analyses is not None:
            return self.analyses.get(job.region_code, job.year, job.lang)
        from silian.services.analysis import run_analysis
        return run_analysis(self.db, settings=self.settings, region=job.region_code, year=job.year)

    def _step(self, job: ReportJob, key: str, work: Callable[[], Any]) -> Any:
        job.step = key
        started = time.perf_counter()
        value = work()
        job.seconds[key] = round(time.perf_counter() - started, 3)
        job.done_steps.append(key)
        return value

    def _run(self, job: ReportJob) -> None:
        token = current_lang.set(job.lang)  # the worker thread speaks the language of whoever asked
        job.state = "running"
        try:
            job.folder.mkdir(parents=True, exist_ok=True)
            bundle = self._step(job, "analysis", lambda: self._bundle(job))
            job.region_name, job.year, job.uses_generated_data = bundle.region_name, bundle.year, bundle.uses_generated_data

            def charts() -> None:
                _write(job.file("html"), self.renderers.html(bundle).encode("utf-8"))
                _write(job.file("xlsx"), self.renderers.xlsx(bundle))
            self._step(job, "charts", charts)
            self._step(job, "pdf", lambda: _write(job.file("pdf"), self.renderers.pdf(self.renderers.print_html(bundle))))
            job.state = "done"
        except SilianError as exc:
            job.error, job.state = exc.message, "failed"
        except Exception:
            log.exception("report job %s failed", job.id)
            job.error, job.state = t("rj_internal"), "failed"
        finally:
            job.finished = time.time()
            current_lang.reset(token)


def _write(path: Path, content: bytes) -> None:
    """Write through a temporary file, so a download never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    partial.replace(path)
