"""`silian user add | list`: the platform's accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.messages import register_messages, t

register_messages({
    "cli_user_added": ("已创建用户 {username}（{role}）", "User {username} created ({role})"),
})

user_app = typer.Typer(no_args_is_help=True, help=bilingual("平台用户", "The platform's users"))
app.add_typer(user_app, name="user")


@user_app.command("add", help=bilingual("创建用户（第一个管理员：`silian user add admin`）",
                                      "Create a user (the first admin: `silian user add admin`)"))
def user_add(
    username: Annotated[str, typer.Argument(metavar=bilingual("用户名", "USERNAME"),
                                            help=bilingual("新用户的用户名", "The new user's name"))],
    role: Annotated[
        str, typer.Option(help=bilingual("角色：`city_admin`、`county_officer`、`school_user` 或 `enterprise_user`",
                                         "Role: `city_admin`, `county_officer`, `school_user` or `enterprise_user`"))
    ] = "city_admin",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SILIAN_NEW_PASSWORD",
            help=bilingual("密码（或 SILIAN_NEW_PASSWORD）", "Password (or SILIAN_NEW_PASSWORD)"),
        ),
    ] = "",
    county: Annotated[str, typer.Option(help=bilingual("县级用户：县市区代码", "County user: the county's code"))] = "",
    school: Annotated[str, typer.Option(help=bilingual("学校用户：学校代码", "School user: the school's code"))] = "",
    enterprise: Annotated[str, typer.Option(help=bilingual(
        "企业用户：统一社会信用代码", "Enterprise user: its unified social credit code"))] = "",
    name: Annotated[str, typer.Option(help=bilingual("显示名称", "Display name"))] = "",
) -> None:
    from silian.services.accounts import create_user
    from silian.services.imports import ensure_schema

    db = context().database()
    ensure_schema(db, context().settings.data_dir)
    create_user(db, username=username, password=password, role=role, display_name=name, county_code=county or None,
                institution_code=school or None, enterprise_credit_code=enterprise or None)
    context().console.print(t("cli_user_added", username=username, role=role))


@user_app.command("list", help=bilingual("列出用户", "List the users"))
def user_list() -> None:
    from silian.services.accounts import list_users

    table = Table(title="用户 / users")
    for column in ("id", "username", "role", "county", "school", "enterprise", "active"):
        table.add_column(column)
    for user in list_users(context().database()):
        table.add_row(str(user["id"]), user["username"], user["role"], user["county_code"] or "",
                      user["institution_code"] or "", user["enterprise_credit_code"] or "",
                      "✓" if user["is_active"] else "✗")
    context().console.print(table)
