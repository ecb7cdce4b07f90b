"""`silian serve`: the platform's pages and API."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from silian.cli.context import context
from silian.cli.language import bilingual
from silian.cli.root import app
from silian.domain.messages import register_messages, t

register_messages({
    "cli_serving": ("四链平台：http://{host}:{port}/  （API 文档 /api/docs；Ctrl+C 停止）",
                    "Silian platform: http://{host}:{port}/ (API docs at /api/docs; Ctrl+C to stop)"),
})


@app.command("serve", help=bilingual("运行平台（网页与 API）；数据库由全局选项 `--db` 指定",
                                     "Serve the platform (pages and API); the global `--db` chooses the database"))
def serve(host: Annotated[str, typer.Option(help=bilingual("监听地址", "Address to listen on"))] = "127.0.0.1",
          port: Annotated[int, typer.Option(help=bilingual("端口", "Port"))] = 8000,
          workers: Annotated[int, typer.Option(help=bilingual("工作进程数", "Worker processes"))] = 1) -> None:
    import uvicorn

    from silian.services.imports import ensure_schema
    from silian.services.production_check import check_production
    from silian.web import create_app
    from silian.web.observability import configure_logging

    ctx = context()
    ensure_schema(ctx.database(), ctx.settings.data_dir)
    check_production(ctx.settings, ctx.database())  # SILIAN_ENV=production: insecure settings stop here (exit 2)
    ctx.console.print(t("cli_serving", host=host, port=port))
    configure_logging()  # JSON lines on standard error, one per request (worker processes: asgi.py does the same)
    if workers > 1:
        os.environ["SILIAN_DATABASE_URL"] = ctx.settings.resolved_database_url()
        uvicorn.run("silian.web.asgi:app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
    else:
        uvicorn.run(create_app(ctx.settings), host=host, port=port, log_level="warning")
