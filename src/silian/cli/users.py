"""`silian user …`: the platform's accounts, as the city admin manages them on the web (/admin/users): add, list,
change role and scope, deactivate and reactivate, reset or set a password, unlock, API tokens, the audit log. The
person at the command line acts as a city admin and is audited as ``cli:<login name>``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from silian.cli.context import context
from silian.cli.root import app
from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.domain.access import Principal
    from silian.services.hub_database import Database

register_messages({
    "cli_user_added": ("已创建用户 {username}（{role}）", "User {username} created ({role})"),
    "cli_user_updated": ("已更新用户 {username}", "User {username} updated"),
    "cli_user_deactivated": ("已停用 {username}；结束会话 {sessions} 个，吊销令牌 {tokens} 个",
                             "{username} deactivated; {sessions} sessions ended, {tokens} tokens revoked"),
    "cli_user_activated": ("已重新启用 {username}", "{username} reactivated"),
    "cli_user_otp": ("{username} 的一次性密码（只显示这一次，首次登录后须修改）：",
                     "One-time password of {username} (shown only this once; to be changed at the first login):"),
    "cli_user_password_set": ("已为 {username} 设置新密码；其会话和令牌已全部失效",
                              "New password set for {username}; their sessions and tokens have all ended"),
    "cli_user_unlocked": ("已解除 {username} 的登录限制（{n} 个来源地址）", "{username} unlocked ({n} addresses)"),
    "cli_token_revoked": ("已吊销令牌 {id}（{username}：{name}）", "Token {id} revoked ({username}: {name})"),
    "cli_audit_written": ("已写出 {n} 条审计记录：{path}", "{n} audit records written: {path}"),
})

user_app = typer.Typer(no_args_is_help=True, help="平台用户 / platform users")
app.add_typer(user_app, name="user")

NewPassword = Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="SILIAN_NEW_PASSWORD", help="密码（或 SILIAN_NEW_PASSWORD）")]
Json = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]


def _operator() -> Principal:
    from silian.services.accounts import operator
    return operator(getpass.getuser())


def _database() -> Database:
    from silian.services.imports import ensure_schema
    db = context().database()
    ensure_schema(db, context().settings.data_dir)
    return db


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        str, typer.Option(help="city_admin / county_officer / school_user / enterprise_user")
    ] = "city_admin",
    password: NewPassword = "",
    county: Annotated[str, typer.Option(help="县级用户：县市区代码")] = "",
    school: Annotated[str, typer.Option(help="学校用户：学校代码")] = "",
    enterprise: Annotated[str, typer.Option(help="企业用户：统一社会信用代码")] = "",
    name: Annotated[str, typer.Option(help="显示名称")] = "",
) -> None:
    """创建用户（第一个管理员：`silian user add admin`）/ create a user."""
    from silian.services.accounts import create_user

    create_user(_database(), username=username, password=password, role=role, display_name=name,
                county_code=county or None, institution_code=school or None,
                enterprise_credit_code=enterprise or None, actor=_operator())
    context().console.print(t("cli_user_added", username=username, role=role))


@user_app.command("list")
def user_list(
    search: Annotated[str, typer.Option(help="用户名或显示名称包含 / in the username or display name")] = "",
    role: Annotated[str, typer.Option(help="只列此角色 / only this role")] = "",
    status: Annotated[str, typer.Option(help="active / inactive / locked")] = "",
    as_json: Json = False,
) -> None:
    """列出用户 / list the users."""
    from silian.services.account_admin import list_users

    rows = list_users(context().database(), search=search, role=role, status=status)
    if as_json:
        context().print_json(rows)
        return
    table = Table(title="用户 / users")
    for column in ("id", "username", "role", "county", "school", "enterprise", "active", "locked"):
        table.add_column(column)
    for user in rows:
        table.add_row(str(user["id"]), user["username"], user["role"], user["county_code"] or "",
                      user["institution_code"] or "", user["enterprise_credit_code"] or "",
                      "✓" if user["is_active"] else "✗", str(user["locked_sources"] or ""))
    context().console.print(table)


@user_app.command("set-role")
def user_set_role(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option(help="city_admin / county_officer / school_user / enterprise_user")],
    county: Annotated[str, typer.Option(help="县级用户：县市区代码")] = "",
    school: Annotated[str, typer.Option(help="学校用户：学校代码")] = "",
    enterprise: Annotated[str, typer.Option(help="企业用户：统一社会信用代码")] = "",
    name: Annotated[str, typer.Option(help="新的显示名称")] = "",
) -> None:
    """改变角色与范围 / change a user's role and scope."""
    from silian.services.account_admin import change_role
    from silian.services.accounts import user_id_of

    db = _database()
    change_role(db, _operator(), user_id_of(db, username), role=role, county_code=county or None,
                institution_code=school or None, enterprise_credit_code=enterprise or None, display_name=name or None)
    context().console.print(t("cli_user_updated", username=username))


@user_app.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用用户（其所有会话和令牌立即失效）/ deactivate a user (every session and token ends)."""
    from silian.services.account_admin import set_active, user_details
    from silian.services.accounts import user_id_of

    db, actor = _database(), _operator()
    user_id = user_id_of(db, username)
    before = user_details(db, actor, user_id)
    set_active(db, actor, user_id, False)
    context().console.print(t("cli_user_deactivated", username=username, sessions=before["live_sessions"],
                              tokens=len(before["tokens"])))


@user_app.command("activate")
def user_activate(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重新启用用户 / reactivate a user."""
    from silian.services.account_admin import set_active
    from silian.services.accounts import user_id_of

    db = _database()
    set_active(db, _operator(), user_id_of(db, username), True)
    context().console.print(t("cli_user_activated", username=username))


@user_app.command("reset-password")
def user_reset_password(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """生成一次性密码（只显示一次；用户首次登录后须修改）/ give a user a one-time password."""
    from silian.services.account_admin import reset_password
    from silian.services.accounts import user_id_of

    db = _database()
    password = reset_password(db, _operator(), user_id_of(db, username))
    context().console.print(t("cli_user_otp", username=username))
    context().console.print(password, highlight=False, markup=False)


@user_app.command("set-password")
def user_set_password(username: Annotated[str, typer.Argument(help="用户名")], password: NewPassword = "") -> None:
    """设置用户的密码（其所有会话和令牌失效）/ set a user's password (every session and token ends)."""
    from silian.services.account_admin import set_password
    from silian.services.accounts import user_id_of

    db = _database()
    set_password(db, _operator(), user_id_of(db, username), password)
    context().console.print(t("cli_user_password_set", username=username))


@user_app.command("unlock")
def user_unlock(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """解除登录限制（所有来源地址）/ end every login wait of a user."""
    from silian.services.account_admin import unlock
    from silian.services.accounts import user_id_of

    db = _database()
    forgotten = unlock(db, _operator(), user_id_of(db, username))
    context().console.print(t("cli_user_unlocked", username=username, n=forgotten))


@user_app.command("tokens")
def user_tokens(username: Annotated[str, typer.Argument(help="用户名（省略：所有人）")] = "", as_json: Json = False) -> None:
    """列出 API 令牌（不显示令牌本身）/ list API tokens (never the tokens themselves)."""
    from silian.services.account_access import list_tokens
    from silian.services.accounts import user_id_of

    db = _database()
    rows = list_tokens(db, _operator(), user_id_of(db, username) if username else None, everyone=not username)
    if as_json:
        context().print_json(rows)
        return
    table = Table(title="API 令牌 / API tokens")
    for column in ("id", "user", "name", "created", "expires", "last used"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["username"], row["name"], _when(row["created_at"]), _when(row["expires_at"]),
                      _when(row["last_used_at"]))
    context().console.print(table)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


@user_app.command("revoke-token")
def user_revoke_token(token_id: Annotated[int, typer.Argument(help="令牌编号（silian user tokens）")]) -> None:
    """吊销一个 API 令牌 / revoke an API token."""
    from silian.services.account_access import revoke_token_id

    found = revoke_token_id(_database(), _operator(), token_id)
    context().console.print(t("cli_token_revoked", id=token_id, username=found["username"], name=found["name"]))


@user_app.command("audit")
def user_audit(
    user: Annotated[str, typer.Option(help="用户名 / username")] = "",
    action: Annotated[str, typer.Option(help="操作，如 login_failed / action, e.g. login_failed")] = "",
    table: Annotated[str, typer.Option(help="数据表，如 users / table, e.g. users")] = "",
    date_from: Annotated[str, typer.Option("--from", help="开始日期 YYYY-MM-DD（UTC）")] = "",
    date_to: Annotated[str, typer.Option("--to", help="结束日期 YYYY-MM-DD（含当天）")] = "",
    page: Annotated[int, typer.Option(help="页码（每页 50 条）/ page (50 a page)")] = 1,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写出 .xlsx（全部匹配记录）")] = None,
    as_json: Json = False,
) -> None:
    """审计日志：筛选、分页、导出 Excel / the audit log: filter, page, export."""
    from silian.services.audit_log import AuditQuery, audit_page, audit_workbook

    db, actor = _database(), _operator()
    query = AuditQuery(username=user, action=action, table=table, date_from=date_from, date_to=date_to)
    if output is not None:
        content = audit_workbook(db, actor, query)
        output.write_bytes(content)
        context().console.print(t("cli_audit_written", n=audit_page(db, actor, query).total, path=output))
        return
    found = audit_page(db, actor, query, page)
    if as_json:
        context().print_json({"count": found.total, "page": found.page, "pages": found.pages, "data": found.rows})
        return
    shown = Table(title=f"审计日志 / audit log ({found.page}/{found.pages}, {found.total})")
    for column in ("at (UTC)", "user", "action", "table", "record", "after", "client"):
        shown.add_column(column, overflow="fold")
    for row in found.rows:  # Text: what users typed is never read as console markup
        shown.add_row(*(Text(str(row[key])) for key in ("at", "username", "action", "entity", "entity_id", "after",
                                                          "client")))
    context().console.print(shown)
