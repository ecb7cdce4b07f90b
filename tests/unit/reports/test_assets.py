"""Vendored ECharts is the file its provenance describes; report HTML loads nothing from the network."""

import fnmatch
import hashlib
import re
import tomllib
from pathlib import Path

import pytest

from silian.reports.assets import echarts_script, find_external_urls, static_dir
from silian.reports.svg_charts import bar_chart, heatmap, line_chart

ROOT = Path(__file__).resolve().parents[3]
VENDOR = ROOT / "src" / "silian" / "static" / "vendor" / "echarts"


def _provenance_rows() -> dict[str, tuple[int, str]]:
    """File name → (bytes, sha256) from the table in PROVENANCE.md."""
    text = (VENDOR / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| (\d+) \| `([0-9a-f]{64})` \|$", text, re.MULTILINE)
    return {name: (int(size), digest) for name, size, digest in rows}


def test_provenance_lists_the_script_and_its_licences() -> None:
    assert set(_provenance_rows()) == {"echarts.min.js", "LICENSE", "NOTICE", "LICENSE-d3"}


@pytest.mark.parametrize("name", ["echarts.min.js", "LICENSE", "NOTICE", "LICENSE-d3"])
def test_vendored_file_matches_provenance(name: str) -> None:
    size, digest = _provenance_rows()[name]
    data = (VENDOR / name).read_bytes()
    assert len(data) == size
    assert hashlib.sha256(data).hexdigest() == digest


def test_provenance_version_is_the_scripts_version() -> None:
    provenance = (VENDOR / "PROVENANCE.md").read_text(encoding="utf-8")
    version = re.search(r"^\| Version \| (\d+\.\d+\.\d+)", provenance, re.MULTILINE)
    assert version is not None
    assert f't.version="{version.group(1)}"' in echarts_script()
    assert int(version.group(1).split(".")[0]) >= 5


def test_licence_is_apache() -> None:
    assert "Apache License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (VENDOR / "NOTICE").read_text(encoding="utf-8")


def test_echarts_script_is_the_package_file_read_once() -> None:
    script = echarts_script()
    assert len(script) > 500_000
    assert script == (VENDOR / "echarts.min.js").read_text(encoding="utf-8")
    assert echarts_script() is script
    assert "</script" not in script.lower()  # safe to inline in <script>…</script>


def test_static_dir_holds_the_vendored_files() -> None:
    assert (static_dir() / "vendor" / "echarts" / "echarts.min.js").is_file()


def test_vendored_files_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["silian"]
    for path in VENDOR.iterdir():
        relative = path.relative_to(ROOT / "src" / "silian").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


# ---- find_external_urls


@pytest.mark.parametrize(("html", "url"), [
    ('<script src="https://cdn.jsdelivr.net/npm/echarts.js"></script>', "https://cdn.jsdelivr.net/npm/echarts.js"),
    ('<link rel="stylesheet" href="//fonts.googleapis.com/css">', "//fonts.googleapis.com/css"),
    ("<img src='HTTP://example.com/a.png'>", "HTTP://example.com/a.png"),
    ('<img srcset="a.png 1x, https://x.org/b.png 2x">', "https://x.org/b.png"),
    ('<div style="background: url(\'https://x.org/bg.png\')"></div>', "https://x.org/bg.png"),
    ("<style>@import 'https://x.org/a.css'; p { color: red }</style>", "https://x.org/a.css"),
    ("<style>@font-face { src: url(//x.org/f.woff2) }</style>", "//x.org/f.woff2"),
    ('<svg><image xlink:href="https://x.org/i.png"/></svg>', "https://x.org/i.png"),
    ('<a href="https://www.stats.gov.cn/">国家统计局</a>', "https://www.stats.gov.cn/"),
    ('<meta http-equiv="refresh" content="0; url=https://x.org/">', "https://x.org/"),
    ('<img src="&#104;ttps://x.org/e.png">', "https://x.org/e.png"),
    ('<iframe src=" https://x.org/frame"></iframe>', "https://x.org/frame"),
])
def test_external_urls_are_found(html: str, url: str) -> None:
    assert find_external_urls(f"<html><head></head><body>{html}</body></html>") == [url]


@pytest.mark.parametrize("html", [
    '<script src="static/vendor/echarts/echarts.min.js"></script>',
    '<link rel="stylesheet" href="/static/report.css">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<a href="#section-2">第二节</a>',
    "<p>数据来源：https://www.stats.gov.cn/（正文中的网址不会被加载）</p>",
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>',
    '<script>var ns = "http://www.w3.org/2000/svg"; load("https://x.org/in-code");</script>',
    "<style>p { background: url(data:image/svg+xml,%3Csvg%3E) }</style>",
])
def test_local_and_inline_references_are_not_reported(html: str) -> None:
    assert find_external_urls(html) == []


def test_inlined_echarts_is_not_reported_but_an_outside_script_is() -> None:
    html = (f"<html><head><script>{echarts_script()}</script>"
            '<script src="https://cdn.example.com/echarts.min.js"></script></head><body></body></html>')
    assert find_external_urls(html) == ["https://cdn.example.com/echarts.min.js"]


def test_each_url_is_reported_once_in_document_order() -> None:
    html = '<img src="https://b.org/1"><img src="https://a.org/2"><img src="https://b.org/1">'
    assert find_external_urls(html) == ["https://b.org/1", "https://a.org/2"]


def test_server_rendered_charts_reference_nothing_outside() -> None:
    charts = [line_chart([2022, 2023], {"甲": [1.0, 2.0]}, "线"), bar_chart(["甲"], {"乙": [-1.0]}, "柱"),
              heatmap(["甲"], ["乙"], [[None]], "热")]
    for svg in charts:
        assert find_external_urls(f"<html><body>{svg}</body></html>") == []
