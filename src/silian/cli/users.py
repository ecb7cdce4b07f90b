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
from silian.cli.language import bilingual
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

user_app = typer.Typer(no_args_is_help=True, help=bilingual("平台用户", "The platform's users"))
app.add_typer(user_app, name="user")

NewPassword = Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="SILIAN_NEW_PASSWORD",
                                          help=bilingual("密码（或 SILIAN_NEW_PASSWORD）", "Password (or SILIAN_NEW_PASSWORD)"))]
Json = Annotated[bool, typer.Option("--json", help=bilingual("输出 JSON", "Print JSON"))]
Username = Annotated[str, typer.Argument(metavar=bilingual("用户名", "USERNAME"), help=bilingual("用户的登录名", "The user's login name"))]
ROLE_HELP = bilingual("角色：`city_admin`、`county_officer`、`school_user` 或 `enterprise_user`",
                      "Role: `city_admin`, `county_officer`, `school_user` or `enterprise_user`")
County = Annotated[str, typer.Option(help=bilingual("县级用户：县市区代码", "County user: the county's code"))]
School = Annotated[str, typer.Option(help=bilingual("学校用户：学校代码", "School user: the school's code"))]
Enterprise = Annotated[str, typer.Option(help=bilingual("企业用户：统一社会信用代码", "Enterprise user: its unified social credit code"))]


def _operator() -> Principal:
    from silian.services.accounts import operator
    return operator(getpass.getuser())


def _database() -> Database:
    from silian.services.imports import ensure_schema
    db = context().database()
    ensure_schema(db, context().settings.data_dir)
    return db


@user_app.command("add", help=bilingual("创建用户（第一个管理员：`silian user add admin`）",
                                      "Create a user (the first admin: `silian user add admin`)"))
def user_add(
    username: Username,
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "city_admin",
    password: NewPassword = "",
    county: County = "",
    school: School = "",
    enterprise: Enterprise = "",
    name: Annotated[str, typer.Option(help=bilingual("显示名称", "Display name"))] = "",
) -> None:
    from silian.services.accounts import create_user

    create_user(_database(), username=username, password=password, role=role, display_name=name,
                county_code=county or None, institution_code=school or None,
                enterprise_credit_code=enterprise or None, actor=_operator())
    context().console.print(t("cli_user_added", username=username, role=role))


@user_app.command("list", help=bilingual("列出用户", "List the users"))
def user_list(
    search: Annotated[str, typer.Option(help=bilingual(
        "用户名或显示名称包含的文字", "Text in the username or the display name"))] = "",
    role: Annotated[str, typer.Option(help=bilingual("只列此角色", "Only this role"))] = "",
    status: Annotated[str, typer.Option(help=bilingual(
        "`active`、`inactive` 或 `locked`", "`active`, `inactive` or `locked`"))] = "",
    as_json: Json = False,
) -> None:
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


@user_app.command("set-role", help=bilingual("改变角色与范围", "Change a user's role and scope"))
def user_set_role(
    username: Username,
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    county: County = "",
    school: School = "",
    enterprise: Enterprise = "",
    name: Annotated[str, typer.Option(help=bilingual("新的显示名称", "The new display name"))] = "",
) -> None:
    from silian.services.account_admin import change_role
    from silian.services.accounts import user_id_of

    db = _database()
    change_role(db, _operator(), user_id_of(db, username), role=role, county_code=county or None,
                institution_code=school or None, enterprise_credit_code=enterprise or None, display_name=name or None)
    context().console.print(t("cli_user_updated", username=username))


@user_app.command("deactivate", help=bilingual("停用用户（其所有会话和令牌立即失效）",
                                             "Deactivate a user (every session and token ends at once)"))
def user_deactivate(username: Username) -> None:
    from silian.services.account_admin import set_active, user_details
    from silian.services.accounts import user_id_of

    db, actor = _database(), _operator()
    user_id = user_id_of(db, username)
    before = user_details(db, actor, user_id)
    set_active(db, actor, user_id, False)
    context().console.print(t("cli_user_deactivated", username=username, sessions=before["live_sessions"],
                              tokens=len(before["tokens"])))


@user_app.command("activate", help=bilingual("重新启用用户", "Reactivate a user"))
def user_activate(username: Username) -> None:
    from silian.services.account_admin import set_active
    from silian.services.accounts import user_id_of

    db = _database()
    set_active(db, _operator(), user_id_of(db, username), True)
    context().console.print(t("cli_user_activated", username=username))


@user_app.command("reset-password", help=bilingual("生成一次性密码（只显示一次；用户首次登录后须修改）",
                                                 "Give a user a one-time password (shown once; changed at the first login)"))
def user_reset_password(username: Username) -> None:
    from silian.services.account_admin import reset_password
    from silian.services.accounts import user_id_of

    db = _database()
    password = reset_password(db, _operator(), user_id_of(db, username))
    context().console.print(t("cli_user_otp", username=username))
    context().console.print(password, highlight=False, markup=False)


@user_app.command("set-password", help=bilingual("设置用户的密码（其所有会话和令牌失效）",
                                               "Set a user's password (every session and token ends)"))
def user_set_password(username: Username, password: NewPassword = "") -> None:
    from silian.services.account_admin import set_password
    from silian.services.accounts import user_id_of

    db = _database()
    set_password(db, _operator(), user_id_of(db, username), password)
    context().console.print(t("cli_user_password_set", username=username))


@user_app.command("unlock", help=bilingual("解除登录限制（所有来源地址）", "End every login wait of a user (all addresses)"))
def user_unlock(username: Username) -> None:
    from silian.services.account_admin import unlock
    from silian.services.accounts import user_id_of

    db = _database()
    forgotten = unlock(db, _operator(), user_id_of(db, username))
    context().console.print(t("cli_user_unlocked", username=username, n=forgotten))


@user_app.command("tokens", help=bilingual("列出 API 令牌（不显示令牌本身）", "List API tokens (never the tokens themselves)"))
def user_tokens(username: Annotated[str, typer.Argument(metavar=bilingual("用户名", "USERNAME"), help=bilingual(
                    "用户名（省略：所有人）", "User name (none: everyone)"))] = "", as_json: Json = False) -> None:
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


@user_app.command("revoke-token", help=bilingual("吊销一个 API 令牌", "Revoke an API token"))
def user_revoke_token(token_id: Annotated[int, typer.Argument(metavar=bilingual("令牌编号", "TOKEN_ID"), help=bilingual(
        "令牌编号（见 `silian user tokens`）", "The token's number (see `silian user tokens`)"))]) -> None:
    from silian.services.account_access import revoke_token_id

    found = revoke_token_id(_database(), _operator(), token_id)
    context().console.print(t("cli_token_revoked", id=token_id, username=found["username"], name=found["name"]))


@user_app.command("audit", help=bilingual("审计日志：筛选、分页、导出 Excel", "The audit log: filter, page, export to Excel"))
def user_audit(
    user: Annotated[str, typer.Option(help=bilingual("用户的登录名", "The user's login name"))] = "",
    action: Annotated[str, typer.Option(help=bilingual("操作，如 `login_failed`", "Action, e.g. `login_failed`"))] = "",
    table: Annotated[str, typer.Option(help=bilingual("数据表，如 `users`", "Table, e.g. `users`"))] = "",
    date_from: Annotated[str, typer.Option("--from", help=bilingual(
        "开始日期 YYYY-MM-DD（UTC）", "First day, YYYY-MM-DD (UTC)"))] = "",
    date_to: Annotated[str, typer.Option("--to", help=bilingual(
        "结束日期 YYYY-MM-DD（含当天）", "Last day, YYYY-MM-DD (included)"))] = "",
    page: Annotated[int, typer.Option(help=bilingual("页码（每页 50 条）", "Page (50 records a page)"))] = 1,
    output: Annotated[Path | None, typer.Option("-o", "--output", help=bilingual(
        "写出 .xlsx（全部匹配记录）", "Write an .xlsx file (every matching record)"))] = None,
    as_json: Json = False,
) -> None:
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
