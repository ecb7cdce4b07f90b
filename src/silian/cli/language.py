"""The command line in the user's language: help texts, typer's and click's own words, usage errors.

A help text is written ``bilingual("中文", "English")``: typer builds the command tree with the Chinese (so zh is
the default) and the English is kept here. Before click parses anything, the root group (:class:`LocalizedGroup`)
reads the language — ``--lang`` before the command, else ``SILIAN_LANG``, else zh — and puts the freshly built tree
into it: help texts, argument names, type labels, the usage line, the help option, prompts. Typer's panel titles
("Options", "Commands", "[default: …]") and click's usage errors ("No such option", "Missing argument") are put
into the language when they are shown; ``typer.rich_utils`` is imported only then, so `silian --help` stays fast.

Only display changes: command names, option names and exit codes are the same in both languages.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer._click.exceptions import (  # typer >= 0.29 carries its own click (requirements.txt pins it)
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperGroup, TyperOption

from silian.domain.messages import current_lang, register_messages, t

LANGUAGES = ("zh", "en")
_ENGLISH: dict[str, str] = {}  # the Chinese help text (as click keeps it) -> its English
_CHINESE_OF: dict[str, str] = {}  # and back, so that a tree put into English can be put into Chinese again


def bilingual(zh: str, en: str) -> str:
    """A help text or argument name in both languages: the Chinese, with its English kept for ``--lang en``."""
    key = inspect.cleandoc(zh)
    if _ENGLISH.get(key, en) != en:
        raise ValueError(f"help text {zh!r} is already registered with another English text")
    if _CHINESE_OF.get(inspect.cleandoc(en), key) != key:
        raise ValueError(f"help text {en!r} is already the English of another Chinese text")
    _ENGLISH[key] = en
    _CHINESE_OF[inspect.cleandoc(en)] = key
    return zh


def in_language(text: str | None, lang: str) -> str | None:
    """``text`` (a help text given with :func:`bilingual`, in either language) in ``lang``; other text as it is."""
    if not text:
        return text
    return (_ENGLISH if lang == "en" else _CHINESE_OF).get(inspect.cleandoc(text), text)


register_messages({
    "cli_usage": ("用法：", "Usage: "),
    "cli_options_metavar": ("[选项]", "[OPTIONS]"),
    "cli_subcommand_metavar": ("命令 [参数]...", "COMMAND [ARGS]..."),
    "cli_help_option": ("显示本帮助并退出", "Show this message and exit."),
    "cli_prompt_password": ("密码", "Password"),
    "cli_prompt_again": ("再输入一次以确认", "Repeat for confirmation"),
    "cli_type_str": ("文本", "text"),
    "cli_type_int": ("整数", "integer"),
    "cli_type_float": ("数值", "number"),
    "cli_type_path": ("路径", "path"),
    "cli_panel_arguments": ("参数", "Arguments"),
    "cli_panel_options": ("选项", "Options"),
    "cli_panel_commands": ("命令", "Commands"),
    "cli_panel_error": ("错误", "Error"),
    "cli_default": ("[默认：{}]", "[default: {}]"),
    "cli_envvar": ("[环境变量：{}]", "[env var: {}]"),
    "cli_required": ("[必填]", "[required]"),
    "cli_deprecated": ("（已弃用）", "(deprecated) "),
    "cli_aborted": ("已取消。", "Aborted."),
    "cli_try_help": ("运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
                     "Try [blue]'{command_path} {help_option}'[/] for help."),
    # click's usage errors
    "cli_no_such_option": ("没有此选项：{option}", "No such option: {option}"),
    "cli_possible_options": ("（可能是：{options}）", "(Possible options: {options})"),
    "cli_missing_argument": ("缺少参数 {name}。", "Missing argument {name}."),
    "cli_missing_option": ("缺少选项 {name}。", "Missing option {name}."),
    "cli_bad_value": ("{name} 的值无效", "Invalid value for {name}"),
    "cli_no_such_command": ("没有命令 '{name}'。", "No such command '{name}'."),
    "cli_did_you_mean": ("您是否要用 {names}？", "Did you mean {names}?"),
    "cli_missing_command": ("缺少命令。", "Missing command."),
    "cli_extra_arguments": ("多余的参数：{values}", "Got unexpected extra argument(s) ({values})"),
    "cli_option_needs_value": ("选项 {option} 需要 {count} 个值。", "Option {option} requires {count} value(s)."),
    "cli_option_takes_no_value": ("选项 {option} 不接受值。", "Option {option} does not take a value."),
    "cli_argument_values": ("参数 {name} 需要 {count} 个值。", "Argument {name} takes {count} values."),
    "cli_not_integer": ("应为整数", "should be a whole number"),
    "cli_not_number": ("应为数字", "should be a number"),
    "cli_not_bool": ("应为 true 或 false", "should be true or false"),
})

# typer.rich_utils's fixed strings, by message key
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "cli_panel_arguments", "OPTIONS_PANEL_TITLE": "cli_panel_options",
    "COMMANDS_PANEL_TITLE": "cli_panel_commands", "ERRORS_PANEL_TITLE": "cli_panel_error",
    "DEFAULT_STRING": "cli_default", "ENVVAR_STRING": "cli_envvar", "REQUIRED_LONG_STRING": "cli_required",
    "DEPRECATED_STRING": "cli_deprecated", "ABORTED_TEXT": "cli_aborted", "RICH_HELP": "cli_try_help",
}
# click's usage errors whose text is all there is to go by (English patterns -> message key)
_USAGE_PATTERNS = (
    (re.compile(r"No such command '(?P<name>.*?)'\.(?: Did you mean (?P<names>.+)\?)?$", re.DOTALL), "cli_no_such_command"),
    (re.compile(r"Missing command\.$"), "cli_missing_command"),
    (re.compile(r"Got unexpected extra argument\(s\) \((?P<values>.*)\)$", re.DOTALL), "cli_extra_arguments"),
    (re.compile(r"Option (?P<option>'.*?') requires (?:an argument|(?P<count>\d+) arguments)\.$"),
     "cli_option_needs_value"),
    (re.compile(r"Option (?P<option>'.*?') does not take a value\.$"), "cli_option_takes_no_value"),
    (re.compile(r"Argument (?P<name>'.*?') takes (?P<count>\d+) values\.$"), "cli_argument_values"),
)
_VALUE_PROBLEMS = (("valid integer", "cli_not_integer"), ("valid number", "cli_not_number"),
                   ("valid boolean", "cli_not_bool"))
_TYPES = {"str": "cli_type_str", "int": "cli_type_int", "float": "cli_type_float", "path": "cli_type_path"}
_PROMPTS = {"password": "cli_prompt_password"}  # an option's default prompt is its name
_CHINESE = re.compile(r"[\u3400-\u9fff]")


def requested_language(args: Sequence[str]) -> str:
    """The language of this invocation: ``--lang`` among the global options, else ``SILIAN_LANG``, else zh."""
    chosen = os.environ.get("SILIAN_LANG", "")
    skip_value = False
    for index, arg in enumerate(args):
        if skip_value:
            skip_value = False
        elif arg == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
            break
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
            break
        elif arg == "--db":
            skip_value = True
        elif not arg.startswith("-"):
            break  # the command: the options after it are its own
    return chosen if chosen in LANGUAGES else "zh"


class LocalizedFormatter(HelpFormatter):
    """Click's help formatter with the usage line's prefix in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, t("cli_usage") if prefix is None else prefix)


class LocalizedContext(typer.Context):
    """A context whose help is shown in the current language."""

    formatter_class = LocalizedFormatter

    def __init__(self, command: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(command, *args, **kwargs)
        help_option = command.get_help_option(self)  # made on first use, after the tree was localized
        if help_option is not None:
            help_option.help = t("cli_help_option")
            _label_types(help_option)

    def get_help(self) -> str:
        use_typer_words()
        return super().get_help()


class LocalizedGroup(TyperGroup):
    """The root group: chooses the language before parsing and shows click's usage errors in it."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            lang = requested_language(args)
            current_lang.set(lang)
            localize(self, lang)
        with _usage_errors_in_language():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _usage_errors_in_language():
            return super().invoke(ctx)


def localize(command: Any, lang: str) -> None:
    """Put ``command`` and everything under it into ``lang`` (a tree typer built, in either language)."""
    command.context_class = LocalizedContext
    command.help = in_language(command.help, lang)
    command.short_help = in_language(command.short_help, lang)
    command.options_metavar = t("cli_options_metavar")
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = t("cli_subcommand_metavar")
        for subcommand in command.commands.values():
            localize(subcommand, lang)
    for param in command.params:
        param.help = in_language(getattr(param, "help", None), lang)
        if isinstance(param, TyperArgument):
            param.metavar = in_language(param.metavar, lang)
        if isinstance(param, (TyperArgument, TyperOption)):
            _label_types(param)
        if isinstance(param, TyperOption) and param.prompt:
            param.prompt = t(_PROMPTS[param.name]) if param.name in _PROMPTS else param.prompt
            if param.confirmation_prompt:
                param.confirmation_prompt = t("cli_prompt_again")


def _label_types(param: Any) -> None:
    """Typer's ``<int>``, ``<str>``, ``<path>`` in the current language; none for a flag (it takes no value)."""
    if not getattr(param.display_type_rich, "in_language", False):
        param.display_type_rich = _type_label(param, param.display_type_rich)  # on our own freshly built objects


def _type_label(param: Any, typer_label: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    def label(ctx: Any) -> str | None:
        if isinstance(param, TyperOption) and param.is_flag:
            return None
        shown = typer_label(ctx)
        bare = (shown or "").strip("<>").lower()
        repeated = bare.startswith("list[")
        key = _TYPES.get(bare.removeprefix("list[").removesuffix("]") if repeated else bare)
        if not key:
            return shown
        return f"<{t(key)}>" + ("..." if repeated else "")

    label.in_language = True  # type: ignore[attr-defined]
    return label


def use_typer_words() -> None:
    """Typer's panel titles and fixed strings in the current language (imports typer.rich_utils: call it only
    when help or an error is about to be shown)."""
    from typer import rich_utils

    for name, key in _TYPER_WORDS.items():
        setattr(rich_utils, name, t(key))


@contextmanager
def _usage_errors_in_language() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except ClickException as exc:
        use_typer_words()
        if current_lang.get() == "en":
            raise
        raise _translated(exc) from None
    except typer.Abort:
        use_typer_words()
        raise


def _translated(exc: ClickException) -> ClickException:
    """``exc`` with its message in Chinese (exit code and context kept)."""
    message = _chinese_message(exc)
    if isinstance(exc, UsageError):
        return UsageError(message, exc.ctx)
    translated = ClickException(message)
    translated.exit_code = exc.exit_code
    return translated


def _chinese_message(exc: ClickException) -> str:
    if _CHINESE.search(exc.message):
        return exc.format_message()
    if isinstance(exc, NoSuchOption):
        text = t("cli_no_such_option", option=exc.option_name)
        if exc.possibilities:
            text += t("cli_possible_options", options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, MissingParameter) and exc.param is not None:
        name = exc.param.get_error_hint()
        return t("cli_missing_argument" if exc.param.param_type_name == "argument" else "cli_missing_option", name=name)
    if isinstance(exc, BadParameter) and exc.param is not None:
        text = t("cli_bad_value", name=exc.param.get_error_hint())
        problem = next((key for phrase, key in _VALUE_PROBLEMS if phrase in exc.message), None)
        return f"{text}：{t(problem)}" if problem else text
    for pattern, key in _USAGE_PATTERNS:
        found = pattern.match(exc.message)
        if found:
            values = {name: value for name, value in found.groupdict().items()}
            text = t(key, **{name: value or "1" for name, value in values.items() if name != "names"})
            if values.get("names"):
                text += t("cli_did_you_mean", names=values["names"])
            return text
    return exc.format_message()
