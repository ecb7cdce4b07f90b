"""The typed dependencies of every route and page: what :func:`silian.web.app.create_app` put in the app's state
(settings, hub database, analysis cache, session cookies, report jobs) and who is asking.

This is the one module that reads ``request.app.state`` (``create_app`` writes it); routes declare what they need::

    @router.get("/x")
    def x(db: DbDep, settings: SettingsDep, p: UserDep) -> ...

The principal variants keep the security contract: ``PrincipalDep`` is the caller or the public (a bad bearer
token is a 401, a cookie-authenticated unsafe request without its CSRF token a 403); ``UserDep`` is any logged-in
user (401 for the public). Role rules beyond that (planners, owners, scopes) are the services' (403 in the one
error shape), checked after the request is parsed, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from silian.domain.access import Principal
from silian.services.analysis_cache import AnalysisCache
from silian.services.hub_database import Database
from silian.services.report_jobs import ReportJobs
from silian.settings import Settings
from silian.web.security import SessionCookies, login_required, resolve_principal


# ---------------------------------------------------------------- the app's state (written by create_app)
def settings_of(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


def database_of(request: Request) -> Database:
    """The hub database the app serves."""
    return request.app.state.db  # type: ignore[no-any-return]


def analyses_of(request: Request) -> AnalysisCache:
    """The app's cache of analysis bundles (invalidated after every successful write)."""
    return request.app.state.analysis  # type: ignore[no-any-return]


def session_cookies_of(request: Request) -> SessionCookies:
    """The app's signed session cookies."""
    return request.app.state.sessions  # type: ignore[no-any-return]


def report_jobs_of(request: Request) -> ReportJobs:
    """The app's background report jobs."""
    return request.app.state.report_jobs  # type: ignore[no-any-return]


def _on_the_loop(read: Callable[[Request], Any]) -> Callable[[Request], Awaitable[Any]]:
    """``read`` as an async dependency: FastAPI runs a plain ``def`` dependency in the thread pool, a trip there and
    back on every request for what is only a look-up in the app's state."""
    async def dependency(request: Request) -> Any:
        return read(request)
    return dependency


SettingsDep = Annotated[Settings, Depends(_on_the_loop(settings_of))]
DbDep = Annotated[Database, Depends(_on_the_loop(database_of))]
AnalysesDep = Annotated[AnalysisCache, Depends(_on_the_loop(analyses_of))]
SessionsDep = Annotated[SessionCookies, Depends(_on_the_loop(session_cookies_of))]
ReportJobsDep = Annotated[ReportJobs, Depends(_on_the_loop(report_jobs_of))]


# ---------------------------------------------------------------- who is asking
async def current_principal(request: Request, db: DbDep, cookies: SessionsDep, settings: SettingsDep) -> Principal:
    """The caller: a bearer token's user, a session's user (unsafe methods need the CSRF token), or the public."""
    return await resolve_principal(request, db, cookies, settings)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_user(principal: PrincipalDep) -> Principal:
    """Any logged-in user (401 for the public)."""
    if principal.is_public:
        raise login_required()
    return principal


UserDep = Annotated[Principal, Depends(require_user)]


def client_of(request: Request) -> str:
    """The caller's address (for the audit log and login throttling)."""
    return request.client.host if request.client else ""


ClientDep = Annotated[str, Depends(_on_the_loop(client_of))]


__all__ = ["AnalysesDep", "ClientDep", "DbDep", "PrincipalDep", "ReportJobsDep", "SessionsDep", "SettingsDep", "UserDep",
           "analyses_of", "client_of", "current_principal", "database_of", "report_jobs_of", "require_user",
           "session_cookies_of", "settings_of"]
