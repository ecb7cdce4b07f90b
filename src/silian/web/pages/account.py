"""Log in, log out, switch language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.messages import register_messages, t
from silian.services import accounts
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, SessionsDep, SettingsDep
from silian.web.security import LANG_COOKIE, Session
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
HOME_ROLES = frozenset({"county_officer", "school_user", "enterprise_user"})  # roles with a home of their own (/home)
register_messages(
    {
        "pg_login": ("登录", "Log in"),
        "pg_logout": ("退出", "Log out"),
        "pg_username": ("用户名", "Username"),
        "pg_password": ("密码", "Password"),
        "pg_app": ("四链·区域职业教育中心平台", "Silian · regional vocational education platform"),
        "pg_lang_switch": ("English", "中文"),
        "pg_public": ("公众访问（仅汇总数据）", "Public access (aggregates only)"),
    }
)


@router.get("/login")
def login_form(request: Request, cookies: SessionsDep, principal: PrincipalDep, next: str = "/") -> Response:
    fresh = cookies.read(request) is None
    if fresh:  # an anonymous session, so the form has a CSRF token
        request.state.session = Session(user_id=None, csrf=secrets.token_urlsafe(24))
    response = render(request, "login.html", principal, next=_safe_next(next), error="")
    if fresh:
        cookies.write(response, None, csrf=request.state.session.csrf)
    return response


@router.post("/login")
def login(request: Request, db: DbDep, settings: SettingsDep, cookies: SessionsDep, client: ClientDep, principal: PrincipalDep,
          username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    if getattr(request.state, "session", None) is None:  # no session: the form was not ours
        raise HTTPException(403, t("web_csrf"))
    try:
        user = accounts.authenticate(db, settings, username, password, client)
    except accounts.LoginFailed as exc:
        status = 429 if exc.locked_until else 401
        return render(request, "login.html", principal, status_code=status, next=_safe_next(next), error=exc.message)
    target = _safe_next(next)
    if target == "/" and user.role in HOME_ROLES:  # a county, school or enterprise user lands on their own home
        target = "/home"
    response = RedirectResponse(target, status_code=303)
    cookies.write(response, user.user_id, session_id=accounts.start_session(db, user.user_id or 0))
    return response


@router.post("/logout")
def logout(request: Request, db: DbDep, cookies: SessionsDep, principal: PrincipalDep) -> Response:
    session = getattr(request.state, "session", None)
    if session is not None and session.session_id:
        accounts.end_session(db, session.session_id)  # a saved copy of the cookie no longer works
    response = RedirectResponse("/", status_code=303)
    cookies.write(response, None)
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _safe_next(target: str) -> str:
    """Only local paths (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


__all__ = ["router", "t"]
