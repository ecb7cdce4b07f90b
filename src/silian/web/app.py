"""``create_app(settings)``: the one construction point of the web platform (tests, `silian serve` and ASGI
servers all call it)."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from silian import __version__
from silian.services.analysis_cache import AnalysisCache
from silian.services.hub_database import Database, open_database
from silian.settings import Settings
from silian.web.api.reports import new_report_jobs
from silian.web.error_pages import error_page
from silian.web.errors import install_error_handlers, responses
from silian.web.fresh_analyses import FreshAnalyses
from silian.web.headers import SecurityHeaders
from silian.web.observability import install_observability
from silian.web.rate_limits import RateLimit
from silian.web.security import BodySizeLimit, LanguageMiddleware, session_cookies

log = logging.getLogger("silian.web")

DESCRIPTION = """四链（Silian）区域职业教育中心平台 API。

* 认证：`POST /api/v1/auth/token` 换取令牌，之后每个请求带 `Authorization: Bearer <token>`；浏览器页面用会话 Cookie（表单带 CSRF 令牌）。
* 角色：市级管理员、县级教育部门、学校用户、企业用户、公众；每个角色只能看到和修改其权限内的数据（越权访问返回 403 或 404，不返回数据）。
* 错误：统一格式 `{"error": {"code", "message", "problems"?}}`。
* 演示数据：`is_generated = true` 的记录是演示生成数据。
"""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The FastAPI application over ``settings`` (database URL, secret key, limits); without them, the settings of
    the environment (``SILIAN_*``). Routes read what is put in ``app.state`` here only through
    :mod:`silian.web.dependencies`."""
    settings = settings or Settings()
    db = database or open_database(settings)
    app = FastAPI(title="四链 Silian API", version=__version__, description=DESCRIPTION,
                  openapi_url=None, docs_url=None, redoc_url=None)  # web/api_docs.py serves both
    app.state.settings = settings
    app.state.db = db
    app.state.sessions = session_cookies(settings)
    app.state.analysis = AnalysisCache(db, settings)
    app.state.report_jobs = new_report_jobs(db, settings, app.state.analysis)
    install_error_handlers(app, error_page)
    app.add_middleware(FreshAnalyses, analyses=app.state.analysis)  # a write here: re-read the hub's fingerprint
    _include_routers(app)
    app.mount("/static", StaticFiles(packages=[("silian", "static")]), name="static")
    # middleware, innermost first: a request over its client's budget costs nothing more (no body read, no
    # database); the language is known to every refusal; every answer, refusals included, carries the headers
    app.add_middleware(RateLimit, settings=settings)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    install_observability(app)  # last: its middleware is the outermost (request id, access log, metrics)
    return app


def _include_routers(app: FastAPI) -> None:
    """Every API and page router. All are part of the package: a missing dependency fails here, loudly."""
    from silian.web import api_docs
    from silian.web.api import (
        analysis,
        auth,
        imports,
        lookup,
        planning,
        platform_posts,
        records,
        reports,
        scenarios,
        users,
    )
    from silian.web.pages import routers as page_routers

    # any API call: a body that cannot be read (400), a bad bearer token (401), a cookie call without its CSRF token (403)
    common = responses(400, 401, 403)
    for router in page_routers():  # first: a page is found without trying every API route (no path is in both)
        app.include_router(router)
    app.include_router(auth.router, responses=common)
    for router in records.all_routers():
        app.include_router(router, responses=common)
    for module in (users, analysis, platform_posts, imports, planning, scenarios, reports, lookup):
        app.include_router(module.router, responses=common)
    app.include_router(api_docs.router)
