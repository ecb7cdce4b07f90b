"""The method cards (``silian/methods/*.md``, packaged with the code; ``docs/methods`` in the repository points at
the same files) as HTML for the ``/methods/<name>`` pages: the one source of every formula's description."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from markdown_it import MarkdownIt

from silian.domain.errors import NotFound
from silian.domain.messages import current_lang, register_messages, t

register_messages({"method_unknown": ("没有名为“{name}”的方法说明", "No method card named '{name}'")})
NAME = re.compile(r"^[a-z_]+$")
LINK = re.compile(r'href="([^"#:]+)\.md(#[^"]*)?"')
FOREIGN_LINK = re.compile(r'<a href="\.\./[^"]*">(.*?)</a>')


def _folder() -> resources.abc.Traversable:
    return resources.files("silian") / "methods"


@lru_cache(maxsize=1)
def card_names() -> tuple[str, ...]:
    """Every card's name (its file name without ``.md``), README first."""
    names = sorted(entry.name[:-3] for entry in _folder().iterdir() if entry.name.endswith(".md"))
    return tuple(sorted(names, key=lambda n: n != "README"))


def card_text(name: str) -> str:
    """The card's Markdown; :class:`NotFound` for a name that is not a card."""
    if not NAME.match(name.lower()) or name not in card_names():
        raise NotFound(t("method_unknown", name=name))
    return (_folder() / f"{name}.md").read_text(encoding="utf-8")


def card_title(name: str, lang: str | None = None) -> str:
    """The card's first heading without the ``#``; of a bilingual heading (``耦合协调度 / Coupling …``) the half in
    ``lang`` (default: the current language)."""
    first = next((line for line in card_text(name).splitlines() if line.startswith("# ")), f"# {name}")[2:].strip()
    halves = first.split(" / ", 1)
    if len(halves) == 2 and re.search(r"[\u3400-\u9fff]", halves[0]):
        return halves[1] if (lang or current_lang.get()) == "en" else halves[0]
    return first


@lru_cache(maxsize=64)
def card_html(name: str) -> str:
    """The card as HTML: links to other cards lead to their pages; links out of the card folder keep their text."""
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(card_text(name))
    html = LINK.sub(lambda m: f'href="/methods/{m.group(1)}{m.group(2) or ""}"', html)
    return FOREIGN_LINK.sub(r"\1", html)
