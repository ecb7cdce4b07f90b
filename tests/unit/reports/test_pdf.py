"""HTML → PDF: Chinese text extractable, the Simplified Chinese font embedded, A4 pages numbered, offline."""

import io
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from silian.domain.errors import SilianError
from silian.domain.messages import current_lang
from silian.reports.fonts import find_cjk_face, find_cjk_font, font_face_bytes
from silian.reports.pdf import PAGE_CSS, html_to_pdf
from silian.reports.svg_charts import bar_chart

A4_POINTS = (595.28, 841.89)
HEADER = "专业名称"


def _table(rows: int) -> str:
    body = "".join(f"<tr><td>专业{i:03d}</td><td class='num'>{0.4776 + i / 10000:.4f}</td></tr>"
                   for i in range(rows))
    head = f"<thead><tr><th>{HEADER}</th><th class='num'>耦合协调度</th></tr></thead>"
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _section(n: int) -> str:
    chart = bar_chart(["装备制造大类", "电子与信息大类", "财经商贸大类"], {"缺口": [-120, 45, 0.4776]},
                      f"图表{n}：供需缺口", show_values=True, value_format=".4g")
    return (f"<h2>第{n}节 四链融合分析</h2><p>{'郑州市职业教育与产业发展协调推进。' * 12}</p>"
            f"<figure>{chart}<figcaption>图 {n}</figcaption></figure>{_table(12)}")


REPORT = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>测试报告</title></head><body>"
          "<h1>郑州市四链融合分析报告</h1>" + _section(1) + "</body></html>")


@pytest.fixture(scope="module")
def report_pdf() -> PdfReader:
    return PdfReader(io.BytesIO(html_to_pdf(REPORT)))


def _fonts(resources: Any) -> Iterator[Any]:
    """Every font in ``resources``, including those of form XObjects (where SVG drawings may live)."""
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            yield from _fonts(xobject["/Resources"].get_object())


def _font_file_keys(font: Any) -> set[str]:
    descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    descriptor = descendant["/FontDescriptor"].get_object()
    return {key for key in descriptor if key.startswith("/FontFile")}


def test_chinese_heading_table_numbers_and_chart_text_are_extractable(report_pdf: PdfReader) -> None:
    text = "\n".join(page.extract_text() for page in report_pdf.pages)
    assert "郑州市四链融合分析报告" in text
    assert "第1节 四链融合分析" in text
    assert HEADER in text and "0.4776" in text and "0.4787" in text
    assert "图表1：供需缺口" in text  # drawn inside the SVG, still real text
    assert "财经商贸大类" in text


def test_cjk_font_is_embedded(report_pdf: PdfReader) -> None:
    fonts = [font for page in report_pdf.pages for font in _fonts(page["/Resources"])]
    assert fonts
    for font in fonts:
        assert _font_file_keys(font), f"{font['/BaseFont']} is not embedded"
    names = {re.sub(r"^/[A-Z]{6}\+", "", str(font["/BaseFont"])) for font in fonts}
    assert names <= {"Silian-CJK", "Silian-CJK-Bold"}, names  # body and SVG text share the embedded face


def test_simplified_chinese_glyphs_are_used() -> None:
    """Collections (.ttc) also hold Japanese faces whose 直 or 骨 look different: the SC face must be used."""
    face = find_cjk_face()
    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    gids = [font.getGlyphID(font.getBestCmap()[ord(c)]) for c in "直骨"]
    reader = PdfReader(io.BytesIO(html_to_pdf("<html><body><p>直骨</p></body></html>")))  # no lang attribute
    shown = b"".join(re.findall(rb"<([0-9a-f]+)>", reader.pages[0].get_contents().get_data()))  # type: ignore[union-attr]
    assert "".join(f"{gid:04x}" for gid in gids).encode() in shown


def test_pages_are_a4_and_numbered(report_pdf: PdfReader) -> None:
    box = report_pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)
    total = len(report_pdf.pages)
    assert f"第 1 页 / 共 {total} 页" in report_pdf.pages[0].extract_text()


def test_footer_follows_the_language() -> None:
    token = current_lang.set("en")
    try:
        pdf = html_to_pdf("<html><body><p>English</p></body></html>")
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    finally:
        current_lang.reset(token)
    assert "Page 1 of 1" in text


def test_table_header_repeats_on_every_page() -> None:
    reader = PdfReader(io.BytesIO(html_to_pdf(f"<html><body>{_table(120)}</body></html>")))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert HEADER in page.extract_text()
    assert "第 3 页 / 共" in reader.pages[2].extract_text()


def test_template_styles_override_the_page_css() -> None:
    html = "<html><head><style>@page { size: A5 }</style></head><body><p>甲</p></body></html>"
    box = PdfReader(io.BytesIO(html_to_pdf(html))).pages[0].mediabox
    assert float(box.width) == pytest.approx(419.53, abs=0.5)
    assert "counter(pages)" in PAGE_CSS and "size: A4" in PAGE_CSS


class _CountingHandler(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_network_resources_are_not_fetched() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        html = (f"<html><head><link rel='stylesheet' href='{base}/a.css'></head>"
                f"<body><img src='{base}/b.png'><p>离线</p></body></html>")
        text = PdfReader(io.BytesIO(html_to_pdf(html, base_url=base + "/"))).pages[0].extract_text()
    finally:
        server.shutdown()
        server.server_close()
    assert "离线" in text
    assert _CountingHandler.requests == []


def test_ten_page_report_timing(capsys: pytest.CaptureFixture[str]) -> None:
    sections = "".join(f"<div class='page-break'>{_section(n)}</div>" for n in range(2, 11))
    html = REPORT.replace("</body>", sections + "</body>")
    html_to_pdf("<html><body><p>预热</p></body></html>")  # the font is loaded once per process
    start = time.perf_counter()
    pdf = html_to_pdf(html)
    seconds = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 10
    with capsys.disabled():
        print(f"\n[pdf timing] {pages} pages, {len(pdf) / 1024:.0f} KiB in {seconds:.2f} s")


# ---- fonts


def test_find_cjk_font_returns_an_installed_font_file() -> None:
    path = find_cjk_font()
    assert path.is_file() and path.suffix.lower() in (".ttc", ".otc", ".otf", ".ttf")


def test_font_search_without_fontconfig_finds_the_simplified_chinese_face() -> None:
    face = find_cjk_face(fc_match=None, search_dirs=[Path("/usr/share/fonts")])
    assert face.path.is_file()
    assert face.family.endswith((" SC", " CN", "Zen Hei", "Micro Hei"))
    assert face == find_cjk_face(fc_match=None, search_dirs=[Path("/usr/share/fonts")])


def test_font_face_bytes_is_one_standalone_face() -> None:
    face = find_cjk_face()
    data = font_face_bytes(face)
    assert data[:4] != b"ttcf"
    font = TTFont(io.BytesIO(data), lazy=True)
    assert font["name"].getBestFamilyName() == face.family
    assert ord("郑") in font.getBestCmap()


def test_missing_font_error_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(SilianError, match="apt-get install fonts-noto-cjk") as caught:
        find_cjk_face(fc_match=None, search_dirs=[tmp_path])
    assert "找不到中文字体" in caught.value.message and str(tmp_path) in caught.value.message
    token = current_lang.set("en")
    try:
        with pytest.raises(SilianError, match="No Chinese font found"):
            find_cjk_face(fc_match="no-such-fc-match", search_dirs=[tmp_path])
    finally:
        current_lang.reset(token)
