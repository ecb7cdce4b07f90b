"""One error shape for every API error: ``{"error": {"code", "message", "problems"?}}``, mapped in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from silian.domain.errors import DatabaseBusy, ImportRejected, InvalidInput, NotFound, PermissionDenied, SilianError
from silian.domain.messages import register_messages, t
from silian.services.accounts import LoginFailed

log = logging.getLogger("silian.web")
register_messages(
    {
        "web_bad_request": (
            "请求数据有 {detail} 处问题，见 problems",
            "The request has {detail} problem(s); see problems",
        ),
        "web_internal": (
            "服务器内部错误，已记录；请稍后重试或联系管理员",
            "Internal server error (logged); try again later or contact the administrator",
        ),
        "web_login_required": ("请先登录", "Please log in first"),
        "web_forbidden": ("当前角色无权执行此操作", "Your role may not do this"),
        "web_too_large": ("请求体过大（上限 {limit} 字节）", "The request body is too large (limit {limit} bytes)"),
        "web_csrf": (
            "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
            "The form expired or came from elsewhere (CSRF check failed); reload the page and try again",
        ),
        "web_too_deep": (
            "请求数据嵌套过深，无法读取（真实的请求不超过几层嵌套）",
            "The request data is nested too deeply to read (real requests nest a few levels)",
        ),
        "web_body_unreadable": (
            "请求数据无法读取（不是有效的 JSON，或嵌套过深）",
            "The request data cannot be read (not valid JSON, or nested too deeply)",
        ),
        "web_not_found": ("没有这个地址：{path}", "No such address: {path}"),
        "web_error_404": ("页面不存在", "Page not found"),
        "web_error_403": ("无权访问", "Not allowed"),
        "web_error_401": ("请先登录", "Please log in"),
        "web_error_500": ("服务器内部错误", "Internal server error"),
        "web_error_other": ("请求未能完成", "The request could not be completed"),
        "web_error_hint": ("如认为这是平台的问题，请把本页地址和时间告诉管理员。",
                           "If you think this is the platform's fault, tell the administrator this page's address and time."),
        "web_error_home": ("返回首页", "Back to the home page"),
    }
)


FASTAPI_BODY_ERROR = "There was an error parsing the body"


class Problem(BaseModel):
    """One problem of a rejected record or file: where and what, and how to fix it."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message: str
    fix: str = ""


class ErrorBody(BaseModel):
    code: str
    message: str
    problems: list[Problem] | None = None


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorBody


def error_json(status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if problems is not None:
        body["problems"] = problems
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring the error shape for ``codes``."""
    text = {400: "Bad request", 401: "Not logged in or bad credentials", 403: "Not allowed for this role",
            404: "Not found (or not visible to this role)", 409: "Conflict", 413: "Request too large",
            422: "Invalid data (every problem listed)", 429: "Too many requests"}
    return {code: {"model": ErrorResponse, "description": text.get(code, "Error")} for code in codes}


def wants_page(request: Request) -> bool:
    """A person in a browser (not the API, not a script): errors come back as a page in their language."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_heading(status: int) -> str:
    return t(f"web_error_{status}" if status in (401, 403, 404, 500) else "web_error_other")


PageRenderer = Callable[[Request, int, str], HTMLResponse]


def install_error_handlers(app: FastAPI, page: PageRenderer | None = None) -> None:
    """The error handlers; with ``page`` (:func:`silian.web.error_pages.error_page`), a browser gets errors of
    pages as a page in its language, and the API and scripts keep the JSON shape."""

    def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        assert page is not None
        response = page(request, status, message)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def as_page(request: Request) -> bool:
        return page is not None and wants_page(request)

    @app.exception_handler(ImportRejected)
    async def _rejected(_: Request, exc: ImportRejected) -> JSONResponse:
        return error_json(422, "invalid_data", exc.message, [p.as_dict() for p in exc.problems])

    @app.exception_handler(LoginFailed)
    async def _login(_: Request, exc: LoginFailed) -> JSONResponse:
        # one answer for an unknown user, a wrong password and a source that must wait (no username enumeration)
        return error_json(401, "bad_credentials", exc.message)

    @app.exception_handler(DatabaseBusy)
    async def _busy(request: Request, exc: DatabaseBusy) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}  # another write held the lock: nothing changed, try again
        if as_page(request):
            return error_page(request, 503, exc.message, headers)
        return error_json(503, "busy", exc.message, headers=headers)

    @app.exception_handler(SilianError)
    async def _domain(request: Request, exc: SilianError) -> Response:
        kinds = {NotFound: (404, "not_found"), PermissionDenied: (403, "forbidden"), InvalidInput: (400, "invalid_input")}
        status, code = next((v for kind, v in kinds.items() if isinstance(exc, kind)), (400, "error"))
        if as_page(request):  # a person on a page (an unknown region, say) gets a page, never raw JSON
            return error_page(request, status, exc.message)
        return error_json(status, code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"file": "request", "row": None, "column": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
                     "value": None if e.get("type") == "missing" or e.get("input") is None else str(e.get("input"))[:200],
                     "message": e.get("msg", ""),
                     "fix": ""} for e in exc.errors()]
        return error_json(422, "invalid_request", t("web_bad_request", detail=len(problems)), problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {401: "login_required", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(exc.status_code, "http_error")
        message = t("web_not_found", path=request.url.path) if exc.status_code == 404 and exc.detail == "Not Found" else str(exc.detail)
        if exc.status_code == 400 and exc.detail == FASTAPI_BODY_ERROR:  # FastAPI's own words, in English only
            code, message = "bad_body", t("web_body_unreadable")
        if as_page(request):
            return error_page(request, exc.status_code, message, getattr(exc, "headers", None))
        return error_json(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RecursionError)
    async def _too_deep(request: Request, exc: RecursionError) -> Response:
        # a body nested thousands deep makes a parser (JSON, pydantic) recurse past Python's limit: the caller's
        # fault, refused like any unreadable body, never a 500
        log.warning("request refused: nested too deeply (%s %s)", request.method, request.url.path)
        return error_json(400, "too_deep", t("web_too_deep"))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        if as_page(request):
            return error_page(request, 500, t("web_internal"))
        return error_json(500, "internal", t("web_internal"))
