"""The analysis report (HTML with ECharts, or PDF with server-rendered SVG) of an AnalysisBundle.

Every section names its data sources and says whether they are generated demo data; the whole report
carries a banner when any input is generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2

from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, register_messages, t
from silian.reports import sections
from silian.reports.charts import Chart
from silian.reports.format import table_name
from silian.services.analysis import AnalysisBundle
from silian.services.presentation import PresentedTable

register_messages(
    {
        "rp_title": ("{region}四链融合分析报告（{year} 年）", "Four-chain report for {region}, {year}"),
        "rp_generated_banner": (
            "注意：本报告使用了演示生成数据（{tables}），数字仅用于演示系统功能，不代表真实情况。",
            (
                "Note: this report uses generated demo data ({tables}); its figures dem"
                "onstrate the system and do not describe reality."
            ),
        ),
        "rp_real_only": ("本报告的全部输入均为导入的真实数据。", "Every input of this report is imported real data."),
        "rp_made": ("生成日期 {date} · 四链（Silian）{version}", "Made on {date} by Silian {version}"),
        "rp_bad_suffix": (
            "报告文件须以 .html 或 .pdf 结尾：{path}",
            "The report file must end in .html or .pdf: {path}",
        ),
        "rp_toc": ("目录", "Contents"),
        "rp_lang_other": ("English", "中文"),
    }
)


@dataclass(frozen=True)
class Table:
    """A table: caption, headers, rows of already formatted cells, which columns are numeric; ``id`` names a
    presented table (the dashboard's table and download of the same id)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    id: str = ""

    @classmethod
    def of(cls, table: PresentedTable) -> Table:
        """A presented table as the report shows it: its title, labels and cells."""
        return cls(table.title, table.labels, table.cells(), table.numeric, table.id)


@dataclass(frozen=True)
class Section:
    """A report section: heading, findings (plain sentences), charts, tables and its data-source line."""

    id: str
    title: str
    findings: list[str]
    charts: list[Chart]
    tables: list[Table]
    source: str
    level: int = 2


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("silian.reports", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def build_sections(bundle: AnalysisBundle) -> list[Section]:
    """All sections in order."""
    return sections.all_sections(bundle, Table, Section)


def render_html(bundle: AnalysisBundle, *, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML page (ECharts inlined; SVG charts when ``for_pdf``)."""
    from silian import __version__
    from silian.reports.assets import echarts_script
    lang = current_lang.get()
    generated = bundle.generated_tables
    context = {
        "lang": "en" if lang == "en" else "zh-CN",
        "title": t("rp_title", region=bundle.region_name, year=bundle.year),
        "banner": t("rp_generated_banner", tables=t("list_joiner").join(table_name(n, lang == "en") for n in generated))
        if generated else t("rp_real_only"),
        "generated": bool(generated),
        "made": t("rp_made", date=date.today().isoformat(), version=__version__),
        "toc": t("rp_toc"),
        "sections": build_sections(bundle),
        "for_pdf": for_pdf,
        "echarts": "" if for_pdf else echarts_script(),
    }
    return _environment().get_template("report.html.j2").render(**context)


def render_pdf(bundle: AnalysisBundle) -> bytes:
    """The report as PDF bytes (A4, Chinese font embedded, SVG charts)."""
    from silian.reports.pdf import html_to_pdf
    return html_to_pdf(render_html(bundle, for_pdf=True))


def write_report(bundle: AnalysisBundle, path: Path) -> Path:
    """Write the report to ``path`` (.html or .pdf) and return it."""
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InvalidInput(t("rp_bad_suffix", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        path.write_bytes(render_pdf(bundle))
    else:
        path.write_text(render_html(bundle), encoding="utf-8")
    return path
