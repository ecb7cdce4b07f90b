"""`silian user add | list`: the platform's accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from silian.cli.context import context
from silian.cli.root import app
from silian.domain.messages import register_messages, t

register_messages({
    "cli_user_added": ("已创建用户 {username}（{role}）", "User {username} created ({role})"),
})

user_app = typer.Typer(no_args_is_help=True, help="平台用户 / platform users")
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        str, typer.Option(help="city_admin / county_officer / school_user / enterprise_user")
    ] = "city_admin",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SILIAN_NEW_PASSWORD",
            help="密码（或 SILIAN_NEW_PASSWORD）",
        ),
    ] = "",
    county: Annotated[str, typer.Option(help="县级用户：县市区代码")] = "",
    school: Annotated[str, typer.Option(help="学校用户：学校代码")] = "",
    enterprise: Annotated[str, typer.Option(help="企业用户：统一社会信用代码")] = "",
    name: Annotated[str, typer.Option(help="显示名称")] = "",
) -> None:
    """创建用户（第一个管理员：`silian user add admin`）/ create a user."""
    from silian.services.accounts import create_user
    from silian.services.imports import ensure_schema

    db = context().database()
    ensure_schema(db, context().settings.data_dir)
    create_user(db, username=username, password=password, role=role, display_name=name, county_code=county or None,
                institution_code=school or None, enterprise_credit_code=enterprise or None)
    context().console.print(t("cli_user_added", username=username, role=role))


@user_app.command("list")
def user_list() -> None:
    """列出用户 / list the users."""
    from silian.services.accounts import list_users

    table = Table(title="用户 / users")
    for column in ("id", "username", "role", "county", "school", "enterprise", "active"):
        table.add_column(column)
    for user in list_users(context().database()):
        table.add_row(str(user["id"]), user["username"], user["role"], user["county_code"] or "",
                      user["institution_code"] or "", user["enterprise_credit_code"] or "",
                      "✓" if user["is_active"] else "✗")
    context().console.print(table)
