"""The command line speaks one language: `silian --help` and every command's `--help` in Chinese (the default) have
no English word, with `--lang en` or `SILIAN_LANG=en` no Chinese — except command and option names, codes, file
formats, product names and proper names (郑州). Click's own words (usage, panels, errors) follow the language too;
command names, option names and exit codes are the same in both."""

from __future__ import annotations

import contextvars
import io
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import typer.main

from silian.cli import app
from silian.cli.language import requested_language
from tests.support.cli import CliResult, silian

# English a Chinese help page may show: file formats, product names, the language codes
ZH_ALLOWED = {"Silian", "Excel", "SQLite", "PostgreSQL", "DuckDB", "Polars", "Spark", "Parquet", "TOML", "xlsx", "csv", "jsonl",
              "parquet", "html", "pdf", "json", "md", "docs", "zh", "en", "silian", "python", "cli"}
# Chinese an English help page may show: proper names
EN_ALLOWED = {"郑州", "四链"}
CODE = re.compile(r"`[^`]*`")  # command lines, values and column names: the same in both languages
DEFAULTS = re.compile(r"\[(?:默认：|default: )[^\]]*\]")  # the default value, as typed
OPTION = re.compile(r"(?<![\w-])-{1,2}[A-Za-z][\w-]*")


def _command_paths(group: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))


PATHS = [(), *_command_paths(typer.main.get_command(app))]
COMMAND_WORDS = {part for path in PATHS for word in path for part in (word, *word.split("-"))}


def english_words(text: str) -> set[str]:
    """English words left once codes, options, defaults, command names and allowed names are taken out."""
    text = OPTION.sub(" ", DEFAULTS.sub(" ", CODE.sub(" ", text)))
    words = set(re.findall(r"(?<![A-Za-z0-9_./\[])[A-Za-z]{2,}(?![A-Za-z0-9_./\[])", text))  # not in a name or path
    return {w for w in words if w not in ZH_ALLOWED and w not in COMMAND_WORDS and not w.isupper()}


def chinese_words(text: str) -> set[str]:
    text = DEFAULTS.sub(" ", CODE.sub(" ", text))
    return set(re.findall(r"[\u3400-\u9fff]+", text)) - EN_ALLOWED


@pytest.fixture(scope="module")
def tree() -> object:
    """The command tree, built once (typer builds it anew for every `silian` call: most of a call's time)."""
    return typer.main.get_command(app)


def _help_page(tree: object, path: tuple[str, ...], lang: str) -> str:
    """``silian [--lang en] PATH --help`` on the one tree, as `silian` runs it (the language chosen before parsing)."""
    out = io.StringIO()
    args = [*(["--lang", "en"] if lang == "en" else []), *path, "--help"]
    with redirect_stdout(out):
        code = contextvars.copy_context().run(tree.main, args, prog_name="silian", standalone_mode=False)  # type: ignore[attr-defined]
    assert code == 0, (path, lang)
    return out.getvalue()


def _help(path: tuple[str, ...], lang: str, data_dir: Path, *, by_env: bool = False) -> CliResult:
    args = [*path, "--help"]
    if lang == "en" and not by_env:
        args = ["--lang", "en", *args]
    return silian(*args, data_dir=data_dir, env={"SILIAN_LANG": "en"} if by_env else None)


@pytest.mark.parametrize("run", ["zh", "en", "zh again"])
def test_every_help_page_speaks_one_language(tree: object, run: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page, in Chinese, English and Chinese again (the tree goes from one language to the other)."""
    lang = run.split()[0]
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("SILIAN_LANG", raising=False)
    wrong: dict[str, set[str]] = {}
    for path in PATHS:
        text = _help_page(tree, path, lang)
        assert text.strip(), path
        found = english_words(text) if lang == "zh" else chinese_words(text)
        if found:
            wrong[" ".join(path) or "silian"] = found
    assert not wrong, wrong


def test_the_pages_are_really_translated(tmp_path: Path) -> None:
    """Chinese by default with click's words in Chinese; English with --lang en and with SILIAN_LANG=en."""
    zh = _help(("user", "add"), "zh", tmp_path).stdout
    assert "用法：" in zh and "选项" in zh and "显示本帮助并退出" in zh and "创建用户" in zh and "{用户名}" in zh
    for by_env in (False, True):
        en = _help(("user", "add"), "en", tmp_path, by_env=by_env).stdout
        assert "Usage:" in en and "Options" in en and "Show this message and exit." in en and "Create a user" in en
        assert "{USERNAME}" in en and "--role" in en and "--county" in en
    assert "Commands" in _help((), "en", tmp_path, by_env=True).stdout and "命令" in _help((), "zh", tmp_path).stdout


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["demo", "--bogus"], "没有此选项：--bogus", "No such option: --bogus"),
    (["user", "add"], "缺少参数 '用户名'", "Missing argument 'USERNAME'"),
    (["analyze", "--year", "abc"], "'--year' 的值无效：应为整数", "Invalid value for '--year'"),
    (["anlyze"], "没有命令 'anlyze'。您是否要用 'analyze'？", "No such command 'anlyze'"),
    (["catalog", "stats", "extra"], "多余的参数：extra", "Got unexpected extra argument(s) (extra)"),
    (["analyze", "--year"], "选项 '--year' 需要 1 个值", "Option '--year' requires an argument"),
])
def test_usage_errors_in_the_language_with_the_same_exit_code(args: list[str], zh: str, en: str,
                                                               tmp_path: Path) -> None:
    in_zh = silian(*args, data_dir=tmp_path, check=False)
    in_en = silian("--lang", "en", *args, data_dir=tmp_path, check=False)
    assert in_zh.returncode == in_en.returncode == 2
    assert zh in in_zh.stderr and not english_words(in_zh.stderr) - {"abc", "extra", "anlyze", "analyze", "bogus"}
    assert en in in_en.stderr and not chinese_words(in_en.stderr)


def test_the_language_is_read_before_the_command() -> None:
    assert requested_language(["--lang", "en", "demo", "--help"]) == "en"
    assert requested_language(["--db", "sqlite:///x.db", "--lang=en", "summary"]) == "en"
    assert requested_language(["demo", "--lang", "en"]) == "zh"  # after the command it is the command's option
    assert requested_language(["--lang", "fr", "demo"]) == "zh"  # the root callback then rejects it, in Chinese
