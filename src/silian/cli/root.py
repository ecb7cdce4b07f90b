"""The root `silian` command: global options (``--lang``, ``--db``) that build the :class:`CliContext`."""

from __future__ import annotations

from typing import Annotated

import typer

from silian.cli.context import CliContext, set_context
from silian.cli.language import LocalizedGroup, bilingual

app = typer.Typer(cls=LocalizedGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help=bilingual("四链 Silian：区域职业教育中心平台", "四链 Silian: the regional vocational education center platform"))


@app.callback()
def _main(
    lang: Annotated[str, typer.Option("--lang", help=bilingual(
        "界面语言：zh（默认）或 en；也可设 SILIAN_LANG", "Language: zh (default) or en; or set SILIAN_LANG"))] = "",
    database_url: Annotated[str, typer.Option("--db", help=bilingual(
        "数据库 URL（默认 SQLite，或 SILIAN_DATABASE_URL）",
        "Database URL (default: SQLite in the data folder, or SILIAN_DATABASE_URL)"))] = "",
) -> None:
    from silian.domain.errors import InvalidInput
    from silian.domain.messages import current_lang
    from silian.settings import Settings

    settings = Settings()
    if database_url:
        settings.database_url = database_url
    if lang:
        settings.lang = lang
    if settings.lang not in ("zh", "en"):
        raise InvalidInput(f"--lang: zh / en ({settings.lang})")
    current_lang.set(settings.lang)
    set_context(CliContext(settings=settings))
