"""Vendored front-end assets (package data) and a check that report HTML loads nothing from the network.

Reports and pages are used on government intranets without internet access: scripts, styles, fonts and
images must be inlined or served from the package, never from a CDN.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

ECHARTS_PATH = "static/vendor/echarts/echarts.min.js"

#: Attributes whose value is a URL the browser (or WeasyPrint) may load or navigate to.
URL_ATTRIBUTES = frozenset({
    "src", "href", "xlink:href", "poster", "data", "action", "formaction", "background", "cite",
    "longdesc", "manifest", "codebase", "archive", "ping",
})
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])(.*?)\1""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*(['\"]?)(\S+?)\1\s*$", re.IGNORECASE)


def static_dir() -> Path:
    """The package's ``static`` folder (vendored JS and CSS), to serve under ``/static``."""
    root = Path(str(resources.files("silian") / "static"))
    if not root.is_dir():  # e.g. a zipped install: web servers need real files
        raise RuntimeError(f"silian's static files are not on the file system: {root}")
    return root


@lru_cache(maxsize=1)
def echarts_script() -> str:
    """The text of the vendored ``echarts.min.js`` (see ``static/vendor/echarts/PROVENANCE.md``)."""
    return (resources.files("silian") / ECHARTS_PATH).read_text(encoding="utf-8")


def find_external_urls(html: str) -> list[str]:
    """Network URLs (``http(s)://`` or ``//host``) that ``html`` would load or link to, each once, in order.

    Looks at URL attributes (``src``, ``href``, ``srcset``, SVG ``xlink:href`` …), ``<meta http-equiv=
    "refresh">``, inline ``style`` attributes and ``<style>`` blocks (``url(...)`` and ``@import``). Script
    bodies are not searched: inlined libraries such as ECharts hold URL strings (XML namespaces, licence
    links) that are never fetched; a ``<script src>`` pointing outside is still reported.
    """
    parser = _UrlFinder()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.found))


class _UrlFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._in_style = True
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                self._check(value)
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    self._check(candidate.strip().split(" ")[0])
            elif name == "style":
                self._css(value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.search(values.get("content", ""))
            if match:
                self._check(match.group(2))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for pattern in (_CSS_URL, _CSS_IMPORT):
            for match in pattern.finditer(css):
                self._check(match.group(2))

    def _check(self, url: str) -> None:
        if _EXTERNAL.match(url):
            self.found.append(url.strip())
