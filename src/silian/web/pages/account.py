"""Log in, log out, switch language; the account page (``/account``): change one's own password (every other
session and token ends, this browser gets a fresh session) and list and revoke one's own API tokens."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.errors import NotFound
from silian.domain.messages import register_messages, t
from silian.services import account_access, accounts
from silian.services.hub_database import Database
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
        "ac_title": ("我的账号", "My account"),
        "ac_password": ("修改密码", "Change password"),
        "ac_old": ("当前密码", "Current password"),
        "ac_new": ("新密码", "New password"),
        "ac_new2": ("再输一次新密码", "New password again"),
        "ac_mismatch": ("两次输入的新密码不一致", "The two new passwords differ"),
        "ac_rules": (("至少 10 个字符；不能是常见密码、重复或连续的字符、键盘上相邻的键，也不能包含用户名。修改后，你在其他"
                     "浏览器和设备上的登录以及所有 API 令牌都会失效。"),
                     ("At least 10 characters; not a common password, repeated or consecutive characters, neighbouring "
                     "keys, nor containing your username. Afterwards your logins in other browsers and devices and "
                     "all your API tokens end.")),
        "ac_submit": ("修改密码", "Change password"),
        "ac_changed": ("密码已修改；其他会话和所有 API 令牌已失效。", ("Password changed; your other sessions and all API "
                       "tokens have ended.")),
        "ac_first": ("管理员给你设置了一次性密码：请先设置你自己的新密码。", ("Your administrator gave you a one-time "
                     "password: set a password of your own first.")),
        "ac_tokens": ("我的 API 令牌", "My API tokens"),
        "ac_tokens_none": ("没有 API 令牌。脚本可用 POST /api/v1/auth/token 申请（同一客户端名称只保留最新的一个）。",
                           ("No API tokens. A script asks for one with POST /api/v1/auth/token (one per client name: "
                           "the newest is kept).")),
        "ac_revoked": ("令牌已吊销", "Token revoked"),
        "tok_name": ("客户端名称", "Client name"),
        "tok_created": ("创建时间", "Created"),
        "tok_expires": ("到期", "Expires"),
        "tok_used": ("最近使用", "Last used"),
        "tok_revoke": ("吊销", "Revoke"),
        "tok_never": ("从未", "never"),
        "tok_unnamed": ("（未命名）", "(unnamed)"),
    }
)


@router.get("/login")
def login_form(request: Request, cookies: SessionsDep, principal: PrincipalDep, next: str = "/") -> Response:
    fresh = cookies.read(request) is None
    if fresh:  # an anonymous session, so the form has a CSRF token
        request.state.session = Session(user_id=None, csrf=secrets.token_urlsafe(24))
    response = render(request, "login.html", principal, next=_safe_next(next), error="")
    if fresh:
        cookies.write(request, response, None, csrf=request.state.session.csrf)
    return response


@router.post("/login")
def login(request: Request, db: DbDep, settings: SettingsDep, cookies: SessionsDep, client: ClientDep, principal: PrincipalDep,
          username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    if getattr(request.state, "session", None) is None:  # no session: the form was not ours
        raise HTTPException(403, t("web_csrf"))
    try:
        user = accounts.authenticate(db, settings, username, password, client)
    except accounts.LoginFailed as exc:  # one answer whatever went wrong (no username enumeration)
        return render(request, "login.html", principal, status_code=401, next=_safe_next(next), error=exc.message,
                      username=username[:64])
    target = _safe_next(next)
    if target == "/" and user.role in HOME_ROLES:  # a county, school or enterprise user lands on their own home
        target = "/home"
    if accounts.must_change_password(db, user.user_id):
        target = "/account?" + urlencode({"first": "1", "next": target})
    response = RedirectResponse(target, status_code=303)
    cookies.write(request, response, user.user_id, session_id=account_access.start_session(db, user.user_id or 0))
    return response


@router.post("/logout")
def logout(request: Request, db: DbDep, cookies: SessionsDep, principal: PrincipalDep) -> Response:
    session = getattr(request.state, "session", None)
    if session is not None and session.session_id:
        account_access.end_session(db, session.session_id)  # a saved copy of the cookie no longer works
    response = RedirectResponse("/", status_code=303)
    cookies.write(request, response, None)
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


# ---------------------------------------------------------------- the account page

def _account_page(request: Request, db: Database, principal: Principal, *, status_code: int = 200,
                  errors: dict[str, str] | None = None, notice: str = "", first: bool = False,
                  next: str = "/") -> Response:
    response = render(request, "account/index.html", principal, status_code=status_code, errors=errors or {},
                      notice=notice, first=first, next=_safe_next(next),
                      tokens=account_access.list_tokens(db, principal))
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_redirect(path: str) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)


@router.get("/account")
def account(request: Request, db: DbDep, principal: PrincipalDep, first: str = "", done: str = "",
            next: str = "/") -> Response:
    if principal.is_public:
        return _login_redirect("/account")
    notice = {"password": t("ac_changed"), "revoked": t("ac_revoked")}.get(done, "")
    return _account_page(request, db, principal, notice=notice, first=bool(first), next=next)


@router.post("/account/password")
def change_password(request: Request, db: DbDep, settings: SettingsDep, cookies: SessionsDep, client: ClientDep,
                    principal: PrincipalDep, old_password: Annotated[str, Form()] = "",
                    new_password: Annotated[str, Form()] = "", new_password2: Annotated[str, Form()] = "",
                    next: Annotated[str, Form()] = "/") -> Response:
    if principal.is_public:
        return _login_redirect("/account")
    errors: dict[str, Any] = {}
    if new_password != new_password2:
        errors["new_password2"] = t("ac_mismatch")
    else:
        try:
            accounts.change_own_password(db, settings, principal, old_password, new_password, client)
        except accounts.AccountInputError as exc:
            errors[exc.field] = exc.message
    if errors:
        return _account_page(request, db, principal, status_code=400, errors=errors, next=next)
    target = "/account?done=password" if _safe_next(next) == "/" else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    # every session ended, this one too: the browser in use gets a new session (and a new CSRF token)
    cookies.write(request, response, principal.user_id, session_id=account_access.start_session(db, principal.user_id or 0))
    return response


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    if principal.is_public:
        return _login_redirect("/account")
    try:
        account_access.revoke_token_id(db, principal, token_id, own_only=True)
    except NotFound as exc:
        raise HTTPException(404, exc.message) from None
    return RedirectResponse("/account?done=revoked", status_code=303)


__all__ = ["router", "t"]
