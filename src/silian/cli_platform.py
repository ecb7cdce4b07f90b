"""CLI commands of the web platform: `silian serve`, `silian user add`, `silian user list`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from silian.domain.messages import register_messages, t
from silian.settings import Settings
from silian.storage.database import Database

register_messages({
    "cli_user_added": ("已创建用户 {username}（{role}）", "User {username} created ({role})"),
    "cli_serving": ("四链平台：http://{host}:{port}/  （API 文档 /api/docs；Ctrl+C 停止）", "Silian platform: http://{host}:{port}/ (API docs at /api/docs; Ctrl+C to stop)"),
    "cli_password_prompt": ("密码（至少 10 个字符）", "Password (at least 10 characters)"),
})


def register(app: typer.Typer, console: Console, database: Callable[[], Database], settings: Callable[[], Settings]) -> None:
    """Add `serve` and the `user` group to ``app``."""
    user_app = typer.Typer(no_args_is_help=True, help="平台用户 / platform users")
    app.add_typer(user_app, name="user")

    @app.command("serve")
    def serve(host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
              workers: Annotated[int, typer.Option(help="工作进程数 / worker processes")] = 1) -> None:
        """运行平台（网页与 API）/ serve the platform (pages and API); `--db` chooses the database."""
        import uvicorn

        from silian.services.imports import ensure_schema
        from silian.web import create_app
        ensure_schema(database())
        console.print(t("cli_serving", host=host, port=port))
        if workers > 1:
            import os
            os.environ["SILIAN_DATABASE_URL"] = settings().resolved_database_url()
            uvicorn.run("silian.web.asgi:app", host=host, port=port, workers=workers, log_level="warning")
        else:
            uvicorn.run(create_app(settings()), host=host, port=port, log_level="warning")

    @user_app.command("add")
    def user_add(username: Annotated[str, typer.Argument(help="用户名")],
                 role: Annotated[str, typer.Option(help="city_admin / county_officer / school_user / enterprise_user")] = "city_admin",
                 password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                                       envvar="SILIAN_NEW_PASSWORD", help="密码（或 SILIAN_NEW_PASSWORD）")] = "",
                 county: Annotated[str, typer.Option(help="县级用户：县市区代码")] = "",
                 school: Annotated[str, typer.Option(help="学校用户：学校代码")] = "",
                 enterprise: Annotated[str, typer.Option(help="企业用户：统一社会信用代码")] = "",
                 name: Annotated[str, typer.Option(help="显示名称")] = "") -> None:
        """创建用户（第一个管理员：`silian user add admin`）/ create a user."""
        from silian.services.accounts import create_user
        from silian.services.imports import ensure_schema
        db = database()
        ensure_schema(db)
        create_user(db, username=username, password=password, role=role, display_name=name, county_code=county or None,
                    institution_code=school or None, enterprise_credit_code=enterprise or None)
        console.print(t("cli_user_added", username=username, role=role))

    @user_app.command("list")
    def user_list() -> None:
        """列出用户 / list the users."""
        import sqlalchemy as sa

        from silian.storage.platform_schema import users
        with database().engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.id)).all()
        table = Table(title="用户 / users")
        for column in ("id", "username", "role", "county", "school", "enterprise", "active"):
            table.add_column(column)
        for r in rows:
            table.add_row(str(r.id), r.username, r.role, r.county_code or "", r.institution_code or "",
                          r.enterprise_credit_code or "", "✓" if r.is_active else "✗")
        console.print(table)
