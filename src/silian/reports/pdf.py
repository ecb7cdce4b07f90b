"""HTML → PDF with WeasyPrint: A4 pages, page numbers, a print stylesheet and an embedded Chinese font.

WeasyPrint runs no JavaScript, so PDF reports draw their charts with :mod:`silian.reports.svg_charts`.
Nothing is fetched from the network while rendering: http(s) resources are refused and skipped.
Fast font subsetting needs the Debian package ``libharfbuzz-subset0`` (without it WeasyPrint falls back
to fontTools, which takes seconds per Chinese font).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from silian.domain.errors import SilianError
from silian.domain.messages import register_messages, t
from silian.reports.fonts import FontFace, find_cjk_face, font_face_bytes

register_messages({
    # CSS `content` values of the page footer
    "pdf_page_footer": ('"第 " counter(page) " 页 / 共 " counter(pages) " 页"',
                        '"Page " counter(page) " of " counter(pages)'),
})

#: The family name the embedded Chinese font is given inside reports.
REPORT_FONT = "Silian CJK"
#: Font stack for report text: the embedded face first, then installed Chinese fonts.
REPORT_FONT_STACK = (f'"{REPORT_FONT}", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", '
                     '"WenQuanYi Zen Hei", sans-serif')
_FONT_URLS = {False: "silian-font:cjk-regular", True: "silian-font:cjk-bold"}

_PAGE_CSS = """
@page {{
  size: A4;
  margin: 22mm 20mm 20mm 20mm;
  @bottom-center {{
    content: {footer};
    font-family: {font};
    font-size: 9pt;
    color: #555;
  }}
}}
html {{ font-family: {font}; font-size: 10.5pt; line-height: 1.6; color: #111; }}
body {{ margin: 0; }}
h1, h2, h3, h4 {{ line-height: 1.3; break-after: avoid; font-weight: bold; }}
h1 {{ font-size: 20pt; margin: 0 0 12pt; text-align: center; }}
h2 {{ font-size: 15pt; margin: 18pt 0 8pt; border-bottom: 0.75pt solid #333; padding-bottom: 2pt; }}
h3 {{ font-size: 12.5pt; margin: 14pt 0 6pt; }}
h4 {{ font-size: 11pt; margin: 10pt 0 4pt; }}
p {{ margin: 0 0 6pt; orphans: 2; widows: 2; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 9pt; line-height: 1.35; }}
caption {{ caption-side: top; text-align: left; font-weight: bold; padding-bottom: 3pt; }}
th, td {{ border: 0.5pt solid #666; padding: 2.5pt 4pt; vertical-align: top; }}
th {{ background: #e8e8e8; font-weight: bold; text-align: center; }}
thead {{ display: table-header-group; }}
tfoot {{ display: table-footer-group; }}
tr {{ break-inside: avoid; }}
td.num, th.num, .num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
figure {{ break-inside: avoid; margin: 8pt 0 12pt; text-align: center; }}
figcaption {{ font-size: 9pt; color: #333; margin-top: 3pt; }}
figure svg, figure img {{ width: 100%; height: auto; }}
img, svg {{ max-width: 100%; }}
.note, .source {{ font-size: 8.5pt; color: #444; }}
.page-break {{ break-before: page; }}
.avoid-break {{ break-inside: avoid; }}
a {{ color: inherit; text-decoration: none; }}
"""


def page_css(lang: str | None = None) -> str:
    """A4 page setup with a "第 N 页 / 共 M 页" footer and print styles, in ``lang`` (default: current)."""
    footer = t("pdf_page_footer", in_lang=lang)
    return _PAGE_CSS.format(footer=footer, font=REPORT_FONT_STACK)


#: :func:`page_css` in Chinese. Templates may include it for the browser's print view too; ``html_to_pdf``
#: applies it with user-stylesheet precedence, so a template's own rules override it.
PAGE_CSS = page_css("zh")


class _OfflineFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Serves the Chinese font faces and local files; refuses network URLs (reports render offline)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"))

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        for bold, font_url in _FONT_URLS.items():
            if url == font_url:
                body = font_face_bytes(find_cjk_face(bold=bold))
                return URLFetcherResponse(url, body, {"Content-Type": "font/otf"})
        return super().fetch(url, headers)


def font_face_css() -> str:
    """``@font-face`` rules for the Chinese font; raises :class:`SilianError` when none is installed."""
    faces: list[FontFace] = [find_cjk_face()]
    with contextlib.suppress(SilianError):  # no bold face: WeasyPrint emboldens the regular one
        faces.append(find_cjk_face(bold=True))
    return "\n".join(
        f'@font-face {{ font-family: "{REPORT_FONT}"; src: url("{_FONT_URLS[face.bold]}"); '
        f'font-weight: {"bold" if face.bold else "normal"}; font-style: normal; }}'
        for face in faces
    )


# One font configuration for the process, so the ~16 MB font face is loaded once, not per document; it is
# not thread-safe, hence the lock (rendering is CPU-bound Python, so little parallelism is lost).
_render_lock = threading.Lock()
_font_config: list[FontConfiguration] = []


def html_to_pdf(html: str, base_url: str | None = None, *, stylesheets: Sequence[str] = ()) -> bytes:
    """Render ``html`` to PDF bytes with :func:`page_css`, the embedded Chinese font and ``stylesheets``.

    ``base_url`` resolves relative links (images, stylesheets) in ``html``; network URLs are not fetched.
    Raises :class:`SilianError` when no Chinese font is installed.
    """
    font_css, fetcher = font_face_css(), _OfflineFetcher()
    with _render_lock:
        if not _font_config:
            _font_config.append(FontConfiguration())
        config = _font_config[0]
        sheets = [CSS(string=css, base_url=base_url, font_config=config, url_fetcher=fetcher)
                  for css in (font_css, page_css(), *stylesheets)]
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=sheets, font_config=config)  # type: ignore[no-any-return]
