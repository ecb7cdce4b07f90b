"""The city admin's account pages (``/admin/users``, ``/admin/tokens``): the user list (search, role, status),
creating a user (role from a list, scope chosen from the hub's counties, schools and enterprises) with a one-time
password shown once, a user's page (role and scope, deactivate / reactivate, reset the password, unlock, their
tokens and failing addresses), and everyone's API tokens. Every change goes through
:mod:`silian.services.account_admin` (audited); form errors appear beside their field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import ROLE_NAMES, USER_ROLES, Principal
from silian.domain.errors import NotFound, PermissionDenied
from silian.domain.messages import current_lang, register_messages, t
from silian.services import account_access, account_admin, accounts
from silian.services.hub_database import Database
from silian.web.dependencies import DbDep, PrincipalDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages({
    "adm_users": ("用户管理", "Users"),
    "adm_tokens": ("API 令牌", "API tokens"),
    "adm_audit": ("审计日志", "Audit log"),
    "adm_new": ("新建用户", "New user"),
    "adm_search": ("搜索用户名或名称", "Search username or name"),
    "adm_role": ("角色", "Role"),
    "adm_status": ("状态", "Status"),
    "adm_any": ("全部", "All"),
    "adm_filter": ("筛选", "Filter"),
    "adm_st_active": ("启用", "Active"),
    "adm_st_inactive": ("已停用", "Deactivated"),
    "adm_st_locked": ("登录受限", "Locked"),
    "adm_st_must_change": ("待改一次性密码", "One-time password"),
    "adm_scope": ("所属范围", "Scope"),
    "adm_display_name": ("显示名称", "Display name"),
    "adm_last_login": ("最近登录", "Last login"),
    "adm_count": ("共 {n} 个用户", "{n} users"),
    "adm_none": ("没有符合条件的用户", "No user matches"),
    "adm_county": ("县（市、区）", "County"),
    "adm_school": ("学校", "School"),
    "adm_enterprise": ("企业", "Enterprise"),
    "adm_choose": ("— 请选择 —", "— choose —"),
    "adm_type_to_search": ("输入代码或名称选择", "Code or name"),
    "adm_scope_help": ("县级用户选县（市、区），学校用户选学校，企业用户选企业；市级管理员不需要。",
                       ("A county officer gets a county, a school user a school, an enterprise user an enterprise; a "
                       "city admin needs none.")),
    "adm_create": ("创建用户", "Create the user"),
    "adm_otp_title": ("一次性密码", "One-time password"),
    "adm_otp_intro": ("请把下面的一次性密码交给 {username}。它只显示这一次；用户首次登录后必须修改。",
                      ("Hand this one-time password to {username}. It is shown only this once; the user must change "
                      "it at the first login.")),
    "adm_otp_back": ("返回用户页面", "Back to the user"),
    "adm_created": ("已创建用户 {username}", "User {username} created"),
    "adm_save_role": ("保存角色与范围", "Save role and scope"),
    "adm_actions": ("操作", "Actions"),
    "adm_deactivate": ("停用账号", "Deactivate"),
    "adm_reactivate": ("重新启用", "Reactivate"),
    "adm_deactivate_help": ("停用后该用户的所有会话和 API 令牌立即失效。", ("Deactivating ends every session and API "
                            "token of the user at once.")),
    "adm_reset": ("重置密码", "Reset the password"),
    "adm_reset_help": ("生成一次性密码（只显示一次），该用户的所有会话和令牌失效。", ("Makes a one-time password (shown "
                       "once); every session and token of the user ends.")),
    "adm_unlock": ("解除登录限制", "Unlock"),
    "adm_unlock_help": ("清除该账号在所有来源地址的失败次数与等待时间。", ("Clears the failures and waits of this "
                        "account from every address.")),
    "adm_failures": ("登录失败的来源地址", "Addresses with failed logins"),
    "adm_source": ("来源地址", "Address"),
    "adm_attempts": ("失败次数", "Failures"),
    "adm_wait_until": ("须等待至（UTC）", "Waits until (UTC)"),
    "adm_sessions": ("当前会话", "Live sessions"),
    "adm_user_tokens": ("该用户的 API 令牌", "The user's API tokens"),
    "adm_no_tokens": ("没有 API 令牌", "No API tokens"),
    "adm_owner": ("用户", "User"),
    "adm_back": ("返回用户列表", "Back to the users"),
    "adm_done_update": ("已保存", "Saved"),
    "adm_done_deactivate": ("账号已停用，其会话和令牌已失效", "Deactivated; their sessions and tokens have ended"),
    "adm_done_activate": ("账号已重新启用", "Reactivated"),
    "adm_done_unlock": ("登录限制已解除", "Unlocked"),
    "adm_done_revoke": ("令牌已吊销", "Token revoked"),
    "adm_never": ("从未", "never"),
    "adm_city": ("全市", "The whole city"),
})
SCOPE_FIELDS = {"county_officer": "county_code", "school_user": "institution_code",
                "enterprise_user": "enterprise_credit_code"}


def role_names() -> list[tuple[str, str]]:
    """``(role, name)`` of the roles an account may have, in the page's language."""
    en = current_lang.get() == "en"
    return [(role, ROLE_NAMES[role][1 if en else 0]) for role in USER_ROLES]


def admin_only(request: Request, principal: Principal, show: Callable[[], Response]) -> Response:
    """``show()`` for the city admin; the login page for the public; 403 for anyone else."""
    if principal.is_public:
        return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
    if not principal.is_admin:
        raise HTTPException(403, t("acct_admin_only"))
    try:
        return show()
    except NotFound as exc:
        raise HTTPException(404, exc.message) from None
    except PermissionDenied as exc:
        raise HTTPException(403, exc.message) from None


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/users")
def users(request: Request, db: DbDep, principal: PrincipalDep, q: str = "", role: str = "", status: str = "") -> Response:
    def show() -> Response:
        found = account_admin.list_users(db, search=q, role=role, status=status)
        choices = account_admin.scope_choices(db)
        return render(request, "admin/users.html", principal, rows=found, q=q, role=role, status=status,
                      roles=role_names(), role_label=dict(role_names()), scope_name=choices.name_of,
                      statuses=account_admin.USER_STATUSES)
    return admin_only(request, principal, show)


def _new_form(request: Request, db: Database, principal: Principal, values: dict[str, str],
              errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "admin/user_new.html", principal, status_code=status_code, values=values,
                  errors=errors or {}, roles=role_names(), choices=account_admin.scope_choices(db))


@router.get("/admin/users/new")
def new_user_form(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    return admin_only(request, principal, lambda: _new_form(request, db, principal, {"role": "county_officer"}))


def _scope_from(form: dict[str, str], choices: account_admin.ScopeChoices) -> dict[str, str | None]:
    """The scope fields of a submitted form: the one the role uses, resolved from a code or an exact name."""
    field = SCOPE_FIELDS.get(form.get("role", ""))
    scope: dict[str, str | None] = dict.fromkeys(SCOPE_FIELDS.values())
    if field:
        scope[field] = choices.code_for(field, form.get(field, "")) or None
    return scope


@router.post("/admin/users/new")
async def create_user(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items() if key != "csrf_token"}

    def show() -> Response:
        choices = account_admin.scope_choices(db)
        try:
            user_id, password = accounts.create_user_with_one_time_password(
                db, principal, username=form.get("username", "").strip(), role=form.get("role", ""),
                display_name=form.get("display_name", "").strip(), **_scope_from(form, choices))
        except accounts.AccountInputError as exc:
            return _new_form(request, db, principal, form, {exc.field: exc.message}, status_code=400)
        return _one_time(request, principal, user_id, form.get("username", "").strip(), password, created=True)
    return admin_only(request, principal, show)


def _one_time(request: Request, principal: Principal, user_id: int, username: str, password: str, *,
              created: bool = False) -> Response:
    return _no_store(render(request, "admin/one_time.html", principal, user_id=user_id, username=username,
                            password=password, created=created))


def _user_page(request: Request, db: Database, principal: Principal, user_id: int, *, errors: dict[str, str] | None = None,
               values: dict[str, str] | None = None, notice: str = "", status_code: int = 200) -> Response:
    details = account_admin.user_details(db, principal, user_id)
    choices = account_admin.scope_choices(db)
    shown = values or {key: details[key] or "" for key in ("role", "display_name", *SCOPE_FIELDS.values())}
    return render(request, "admin/user.html", principal, status_code=status_code, u=details, values=shown,
                  errors=errors or {}, notice=notice, roles=role_names(), role_label=dict(role_names()),
                  choices=choices, scope_name=choices.name_of(details))


@router.get("/admin/users/{user_id}")
def user_page(user_id: int, request: Request, db: DbDep, principal: PrincipalDep, done: str = "") -> Response:
    notice = t(f"adm_done_{done}") if done in ("update", "deactivate", "activate", "unlock", "revoke") else ""
    return admin_only(request, principal, lambda: _user_page(request, db, principal, user_id, notice=notice))


def _after(user_id: int, done: str) -> Response:
    return RedirectResponse(f"/admin/users/{user_id}?done={done}", status_code=303)


@router.post("/admin/users/{user_id}/role")
async def change_role(user_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items() if key != "csrf_token"}

    def show() -> Response:
        try:
            account_admin.change_role(db, principal, user_id, role=form.get("role", ""),
                                      display_name=form.get("display_name", "").strip() or None,
                                      **_scope_from(form, account_admin.scope_choices(db)))
        except accounts.AccountInputError as exc:
            return _user_page(request, db, principal, user_id, errors={exc.field: exc.message}, values=form,
                              status_code=400)
        return _after(user_id, "update")
    return admin_only(request, principal, show)


@router.post("/admin/users/{user_id}/active")
async def set_active(user_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    active = str((await request.form()).get("active", "")) == "1"

    def show() -> Response:
        try:
            account_admin.set_active(db, principal, user_id, active)
        except accounts.AccountInputError as exc:
            return _user_page(request, db, principal, user_id, errors={exc.field: exc.message}, status_code=400)
        return _after(user_id, "activate" if active else "deactivate")
    return admin_only(request, principal, show)


@router.post("/admin/users/{user_id}/reset-password")
def reset_password(user_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    def show() -> Response:
        password = account_admin.reset_password(db, principal, user_id)
        username = account_admin.user_details(db, principal, user_id)["username"]
        return _one_time(request, principal, user_id, username, password)
    return admin_only(request, principal, show)


@router.post("/admin/users/{user_id}/unlock")
def unlock(user_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    def show() -> Response:
        account_admin.unlock(db, principal, user_id)
        return _after(user_id, "unlock")
    return admin_only(request, principal, show)


@router.get("/admin/tokens")
def tokens(request: Request, db: DbDep, principal: PrincipalDep, done: str = "") -> Response:
    def show() -> Response:
        rows = account_access.list_tokens(db, principal, everyone=True)
        return render(request, "admin/tokens.html", principal, tokens=rows,
                      notice=t("adm_done_revoke") if done == "revoke" else "")
    return admin_only(request, principal, show)


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(token_id: int, request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    back = str((await request.form()).get("back", ""))

    def show() -> Response:
        found: dict[str, Any] = account_access.revoke_token_id(db, principal, token_id)
        if back == "user":
            return _after(int(found["user_id"]), "revoke")
        return RedirectResponse("/admin/tokens?done=revoke", status_code=303)
    return admin_only(request, principal, show)
