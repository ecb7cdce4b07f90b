"""What an operator sees of the running platform: one JSON log line per request, health and readiness probes, and
Prometheus metrics.

* **Logs** — the standard :mod:`logging` module with :class:`JsonLines` (one JSON object per line on standard error;
  ``silian serve`` installs it with :func:`configure_logging`). Each request gets an id (the caller's
  ``X-Request-ID`` when it is sane — 1 to 64 letters, digits, ``.``, ``_`` or ``-`` — else a new one), returned in
  the response's ``X-Request-ID`` and put on every log line written while the request runs. The access line holds
  the method, the route *template* (``/api/v1/regions/{record_id}``, never the raw path or query string), the
  status and the duration: never a header, cookie, body, password, token or CSRF value.
* **Probes** — ``GET /healthz``: the process answers (200). ``GET /readyz``: the database answers and its schema
  is at the latest revision (200), else 503 in the one error shape.
* **Metrics** — ``GET /metrics`` in Prometheus' text format (``prometheus_client``, a registry per app): requests
  and their latency by method, route template and status; rows applied by imports, by table; analysis cache hits
  and misses (both reported by the services through :mod:`silian.services.telemetry`). Who may read them is the
  setting ``SILIAN_METRICS_ACCESS``: ``off`` (404), ``loopback`` (the default: callers on 127.0.0.0/8 or ::1 only,
  others 403) or ``token`` (``Authorization: Bearer <SILIAN_METRICS_TOKEN>``, else 401).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import secrets
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silian.domain.messages import register_messages, t
from silian.services import telemetry
from silian.services.hub_database import Database
from silian.settings import Settings
from silian.web.dependencies import DbDep, SettingsDep
from silian.web.errors import error_json

REQUEST_ID_HEADER = "x-request-id"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
METRICS_ACCESS = ("off", "loopback", "token")
access_log = logging.getLogger("silian.access")
current_request_id: ContextVar[str] = ContextVar("silian_request_id", default="")

register_messages({
    "obs_not_ready": ("数据库不可用或结构不是最新（{detail}）", ("The database is unreachable or its schema is not "
                      "the latest ({detail})")),
    "obs_not_migrated": ("数据库版本 {current}，应为 {head}：请运行 `silian db upgrade`",
                         "schema revision {current}, expected {head}: run `silian db upgrade`"),
    "obs_metrics_loopback": ("指标只对本机开放", "Metrics are open to this machine only"),
    "obs_metrics_token": ("读取指标需要令牌", "Reading the metrics needs the metrics token"),
    "obs_metrics_off": ("指标未开放", "Metrics are switched off"),
})


# ---------------------------------------------------------------- logs
# the attributes every LogRecord has: anything else on a record came from ``extra=`` and is a field of the line
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the request id when there is
    one, the fields given with ``extra=`` and, for an error, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: int | str = logging.INFO) -> logging.Handler:
    """Send the platform's logs (logger ``silian`` and below) to standard error as JSON lines; returns the handler
    (installed once: a second call replaces the first)."""
    logger = logging.getLogger("silian")
    for handler in list(logger.handlers):
        if isinstance(handler.formatter, JsonLines):
            logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return handler


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The caller's request id when it is sane, else a new one."""
    given = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
    return given if SANE_REQUEST_ID.match(given) else uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/regions/{record_id}``; ``/static`` for the static
    files); ``unmatched`` when none did, so that made-up paths never become labels or log fields."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


# ---------------------------------------------------------------- metrics
class Metrics:
    """The app's Prometheus metrics in a registry of its own (two apps in one process never mix their counts)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("silian_http_requests", "HTTP requests answered", ("method", "route", "status"),
                                registry=self.registry)
        self.latency = Histogram("silian_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ("method", "route", "status"), registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.import_rows = Counter("silian_import_rows", "Rows applied by imports", ("table",), registry=self.registry)
        self.analysis_cache = Counter("silian_analysis_cache", "Analysis bundles served from the cache (hit) or "
                                      "computed (miss)", ("result",), registry=self.registry)
        telemetry.subscribe(self.observe)

    def observe(self, event: str, amount: float, labels: dict[str, str]) -> None:
        """The services' counts (:func:`silian.services.telemetry.count`)."""
        if event == "import_rows":
            self.import_rows.labels(table=labels.get("table", "")).inc(amount)
        elif event == "analysis_cache":
            self.analysis_cache.labels(result=labels.get("result", "")).inc(amount)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method=method, route=route, status=str(status)).inc()
        self.latency.labels(method=method, route=route, status=str(status)).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)


class RequestObservation:
    """Outermost middleware: the request id (context and response header), the access log line and the request
    metrics. Probes and the metrics page are counted but not logged (a scraper every few seconds would bury the
    log)."""

    QUIET = frozenset({"/healthz", "/readyz", "/metrics"})

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope.get("headers") or []))
        token = current_request_id.set(request_id)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER.encode()]
                message = {**message, "headers": [*headers, (REQUEST_ID_HEADER.encode(), request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_template(scope), str(scope.get("method", ""))
            self.metrics.request(method, route, status, seconds)
            if route not in self.QUIET:
                level = logging.ERROR if status >= 500 else logging.INFO
                access_log.log(level, "request", extra={"method": method, "route": route, "status": status,
                                                        "duration_ms": round(seconds * 1000, 2)})
            current_request_id.reset(token)


# ---------------------------------------------------------------- probes and the metrics page
def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def metrics_refusal(request: Request, settings: Settings) -> JSONResponse | None:
    """Why ``request`` may not read the metrics (a response in the error shape), or None when it may."""
    access = settings.metrics_access
    if access == "token":
        sent = request.headers.get("authorization", "")
        expected = settings.metrics_token or ""
        if expected and sent.lower().startswith("bearer ") and secrets.compare_digest(sent[7:].strip(), expected):
            return None
        return error_json(401, "login_required", t("obs_metrics_token"), headers={"WWW-Authenticate": "Bearer"})
    if access == "loopback":
        host = request.client.host if request.client else ""
        return None if is_loopback(host) else error_json(403, "forbidden", t("obs_metrics_loopback"))
    return error_json(404, "not_found", t("obs_metrics_off"))


def readiness_problem(db: Database) -> str | None:
    """None when the database answers and is at the latest revision; else what is wrong."""
    try:
        current, head = db.current_revision(), db.head_revision()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database means not ready
        return type(exc).__name__
    return None if current == head else t("obs_not_migrated", current=current, head=head)


def probes_router(metrics: Metrics) -> APIRouter:
    """``/healthz``, ``/readyz`` and ``/metrics`` over the app's ``metrics`` (left out of the OpenAPI document)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(db: DbDep) -> Response:
        problem = readiness_problem(db)
        if problem is not None:
            return error_json(503, "not_ready", t("obs_not_ready", detail=problem))
        return JSONResponse({"status": "ready"})

    @router.get("/metrics")
    def metrics_page(request: Request, settings: SettingsDep) -> Response:
        refusal = metrics_refusal(request, settings)
        if refusal is not None:
            return refusal
        return Response(metrics.text(), media_type=CONTENT_TYPE_LATEST)

    return router


def install_observability(app: FastAPI) -> None:
    """Add the probes, the metrics and the request middleware to ``app`` (call last in ``create_app``: the
    middleware must be the outermost, to time and count everything, refusals included)."""
    metrics = Metrics()
    app.include_router(probes_router(metrics))
    app.add_middleware(RequestObservation, metrics=metrics)
