"""The JSON of a matching file: decoded (UTF-8, UTF-8-BOM or GB18030), parsed with repeated keys remembered,
values described in words for the messages of :mod:`silian.ingest.matching.check`."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

register_messages({
    "match_too_deep": (
        "{path} 嵌套过深，无法读取（匹配文件只有几层嵌套：学生、志愿列表、岗位）",
        "{path} is nested too deeply to read (a matching file nests a few levels: students, choice lists, seats)",
    ),
    "match_not_json": (
        "{path} 不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）",
        "{path} is not valid JSON (line {line}, column {column}: {detail})",
    ),
    "match_kind_object": ("对象", "an object"),
    "match_kind_list": ("列表", "a list"),
    "match_kind_text": ("字符串", "a string"),
    "match_kind_bool": ("布尔值", "true/false"),
    "match_kind_null": ("null", "null"),
    "match_kind_number": ("数字", "a number"),
})


class JsonObject(dict[str, Any]):
    """A JSON object that remembers the first key it saw twice (``json`` would keep the last silently)."""

    repeated: str | None = None


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return obj


def kind_in_words(value: object) -> str:
    """What a JSON value is, in words: 对象 / an object, 列表 / a list, …"""
    names = {dict: "object", JsonObject: "object", list: "list", str: "text", bool: "bool", type(None): "null"}
    return t(f"match_kind_{names.get(type(value), 'number')}")


def excerpt(value: object) -> str:
    """A value as JSON text, cut to 60 characters (to quote it in a message)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off while millions of lists are built: it would rescan them again and again (2× time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_json(path: Path) -> Any:
    """The JSON of the file at ``path`` (InvalidInput when there is no such file)."""
    if not path.is_file():
        raise InvalidInput(t("file_missing", path=path))
    return parse_json(path, path)


def parse_json(source: bytes | Path, path: Path | str) -> Any:
    """JSON from a file or bytes in UTF-8, UTF-8-BOM or GB18030 (duplicate keys remembered); ``path`` names it.
    (A file is read here, so that its bytes are freed before the JSON is parsed.)"""
    raw = source.read_bytes() if isinstance(source, Path) else source
    del source
    if not raw or raw.isspace():
        raise InvalidInput(t("file_empty", path=path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput(t("file_bad_encoding", path=path)) from None
    del raw
    try:
        return json.loads(text, object_pairs_hook=_object)
    except RecursionError:  # thousands of nested brackets: Python's parser recurses past its limit
        raise InvalidInput(t("match_too_deep", path=Path(path).name)) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(t("match_not_json", path=Path(path).name, line=exc.lineno, column=exc.colno, detail=exc.msg)) from None
