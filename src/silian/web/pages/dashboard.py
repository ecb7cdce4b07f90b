"""The dashboard: overview, counties, supply–demand gaps (with drill-down), pathways, schools and peer cities.

Server-rendered pages over the cached analysis bundle; each chart is an ECharts option inlined as JSON (drawn
as SVG in the browser), its table is under it and downloads as CSV or Excel. Open to the public (aggregates);
the school table is limited to the schools the user may see.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape

from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound
from silian.domain.messages import current_lang, register_messages, t
from silian.reports.charts import Chart
from silian.reports.format import table_name
from silian.services import dashboard as dash
from silian.services import presentation as present
from silian.services.analysis import AnalysisBundle
from silian.services.analysis_cache import AnalysisCache
from silian.services.four_chains import level_bands
from silian.services.hub_database import Database
from silian.services.presentation import pct, whole
from silian.settings import Settings
from silian.web.dependencies import AnalysesDep, DbDep, PrincipalDep, SettingsDep, session_cookies_of
from silian.web.security import csrf_token
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "dash_title": ("仪表盘", "Dashboard"),
        "nav_dashboard": ("仪表盘", "Dashboard"),
        "nav_platform": ("需求共享平台", "Demand-sharing platform"),
        "nav_upload": ("数据上传", "Data upload"),
        "nav_api": ("API 文档", "API docs"),
        "dash_tab_overview": ("总览", "Overview"),
        "dash_tab_counties": ("县市区", "Counties"),
        "dash_tab_gaps": ("供需缺口", "Supply–demand gaps"),
        "dash_tab_pathways": ("升学通道", "Pathways"),
        "dash_tab_schools": ("学校办学条件", "Schools"),
        "dash_tab_peers": ("对标城市", "Peer cities"),
        "dash_tab_forecast": ("岗位需求预测", "Job openings forecast"),
        "dash_fc_chart": ("{year} 年岗位需求预测（人，含 {level} 预测区间）",
                          "Job openings (demand) forecast for {year} (persons, with the {level} prediction interval)"),
        "dash_heading": ("{region} · {year} 年", "{region} · {year}"),
        "dash_year": ("分析年份", "Year"),
        "dash_region": ("地区", "Region"),
        "dash_whole_city": ("全市", "whole city"),
        "dash_county_no_counties": (
            "所选地区是县（市、区），没有下级县可比较；各县对比请选择全市。",
            "The region chosen is a county: it has no counties to compare; choose the whole city to compare counties.",
        ),
        "dash_show": ("查看", "Show"),
        "dash_generated": (
            "注意：本页数据含生成的演示数据（{tables}），数字只用于演示平台功能，不代表真实情况。",
            "Note: this page uses generated demo data ({tables}); the numbers only demonstrate the platform and are not real.",
        ),
        "dash_table": ("数据表", "Data table"),
        "dash_csv": ("下载 CSV", "Download CSV"),
        "dash_xlsx": ("下载 Excel", "Download Excel"),
        "dash_latest": ("最新耦合协调度（{year} 年）", "Latest coordination ({year})"),
        "dash_level_lag": ("协调等级：{level}；{lag}", "Level: {level}; {lag}"),
        "dash_cards": ("专业预警（{year} 年需求，单位：个专业）", "Warning cards ({year} demand; number of majors)"),
        "dash_findings": ("四项诊断的主要发现", "Key findings of the four diagnoses"),
        "dash_dx_pathways": ("断头路（升学通道）", "Broken pathways (断头路)"),
        "dash_dx_schools": ("散缺小（学校办学条件）", "Scattered, lacking, small (散缺小)"),
        "dash_dx_supply": ("供需链难畅（专业与产业）", "Supply–demand mismatch (供需链难畅)"),
        "dash_dx_skills": ("大工匠难育（技能等级）", "Too few master craftsmen (大工匠难育)"),
        "dash_band": ("敏感性区间 {low}–{high}", "sensitivity band {low}–{high}"),
        "dash_own_county": ("已突出显示本县（{county}）", "Your county ({county}) is highlighted"),
        "dash_no_counties": (
            "没有足够的县级数据计算县市区耦合协调度",
            "Not enough county data to compute county coordination",
        ),
        "dash_drill_hint": (
            "点击热力图中的单元格（或下表中的“明细”）查看该专业类在该产业链中的专业和开设学校。",
            (
                "Click a heatmap cell (or a “Majors” link in the table below) to list t"
                "he majors of that class in that chain and the schools offering them."
            ),
        ),
        "dash_heatmap_top": (
            "热力图显示缺口（绝对值合计）最大的 {n} 个专业类（共 {total} 个）；全部单元格见数据表。",
            (
                "The heatmap shows the {n} classes with the largest total absolute gap "
                "(of {total}); every cell is in the data table."
            ),
        ),
        "dash_drill": ("明细", "Majors"),
        "dash_drill_empty": ("尚未选择单元格", "No cell selected yet"),
        "dash_cell_note": (
            "供给、需求、缺口按专业→行业对照权重计入该产业链的部分；开设学校为 {year} 年有在校生的学校。",
            (
                "Supply, demand and gap are the part carried into this chain by the maj"
                "or→industry crosswalk weight; schools are those with students in {year"
                "}."
            ),
        ),
        "dash_no_majors": ("该单元格没有专业", "No majors in this cell"),
        "dash_sankey_note": (
            "毕业生人数与升学人数来自升学通道统计，就业人数来自同年专业点数据；“其他”为毕业生减去升学与就业。",
            (
                "Graduates and continuing come from the pathway funnel, employed from t"
                "he same year's major points; “other” is graduates minus continuing and "
                "employed."
            ),
        ),
        "dash_scope_all": ("显示全部学校", "All schools"),
        "dash_scope_county": ("只显示本县学校", "Schools of your county only"),
        "dash_scope_school": ("只显示本校", "Your school only"),
        "dash_scope_none": (
            "公众和企业用户只能看到学校汇总数据；登录学校、县级或市级账号可查看逐校达标情况。",
            "The public and enterprise users see the school summary only; school, county and city accounts see each school.",
        ),
        "dash_no_rows": ("没有可显示的数据", "No data to show"),
        "dash_empty": ("暂无可分析的数据", "No data to analyse yet"),
        "dash_tab_postings": ("招聘需求", "Postings"),
        "dash_posting_bias_known": (
            (
                "已知偏差：网络招聘信息明显少报制造业操作工（职业大典大类 6“生产制造及有关人员”），"
                "因此供需分析按设置的权重混合企业申报、招聘信息和统计推算三种需求来源，从不单独使用招聘数据。"
            ),
            (
                "Known bias: online postings under-report manufacturing operators (大典 大类 6, production "
                "workers) by a wide margin, so the supply–demand analysis blends declared, posting and "
                "statistics-based demand with set weights and never uses postings alone."
            ),
        ),
        "dash_posting_summary": (
            (
                "数据库中共有 {total} 条来自招聘信息的需求（{periods}），涉及 {occupations} 个职业、{regions} 个地区；"
                "供需分析（{year} 年）中招聘信息的权重为 {weight}。"
            ),
            (
                "The hub holds {total} posting-sourced openings ({periods}) in {occupations} occupations and "
                "{regions} regions; postings weigh {weight} in the {year} supply–demand blend."
            ),
        ),
        "dash_postings_none": (
            "尚未导入招聘数据：数据库中没有来源为“招聘信息”（`posting`）的需求记录。",
            "No job postings have been imported: the hub has no demand records with source `posting`.",
        ),
        "dash_postings_how": (
            (
                "导入方法：在命令行运行下面的命令（支持 CSV、Excel、JSON Lines、Parquet；大文件可加 --engine spark），"
                "详见 docs/postings.md。"
            ),
            (
                "To import, run the command below (CSV, Excel, JSON Lines or Parquet; "
                "--engine spark for very large files); see docs/postings.md."
            ),
        ),
        "dash_salary_source": (
            "月薪分位数来自最近一次导入（{source}，{saved_at}），按每条招聘月薪中值计算。",
            "Salary quantiles come from the last import ({source}, {saved_at}), over each posting's monthly midpoint.",
        ),
        "dash_salary_missing": (
            "没有找到最近一次导入保存的月薪分位数（由 silian postings import --load 保存在数据目录）。",
            "No saved salary quantiles were found (silian postings import --load saves them in the data folder).",
        ),
        "dash_classes_note": (
            "按供需分析的口径折算：每个职业的招聘数按人社部专业—职业对照分到相关专业（未加权混合前）。",
            (
                "Carried as the supply–demand analysis does: each occupation's postings are split over its "
                "majors by the MOHRSS crosswalk (before blending)."
            ),
        ),
    }
)
DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TABS = (("overview", "/"), ("counties", "/dashboard/counties"), ("gaps", "/dashboard/gaps"), ("pathways", "/dashboard/pathways"),
        ("schools", "/dashboard/schools"), ("peers", "/dashboard/peers"), ("forecast", "/dashboard/forecast"),
        ("postings", "/dashboard/postings"))
IMPORT_COMMAND = "silian postings import 招聘数据.csv --load"
HIGHLIGHT = "#f59e0b"
HEATMAP_ROWS = 25
CACHED_QUERY = frozenset({"region", "year", "lang"})  # a page whose query has only these is kept (Page.cache_key)
CSRF_MARK = "silian-csrf-mark-3b9f0c2e"  # stand-ins in a kept page for the CSRF token and the user's name
USER_MARK = "silian-user-mark-3b9f0c2e"


@dataclass
class Panel:
    """One card: a data table with (optionally) its chart's ECharts option; ``wide`` spans the whole grid."""

    table: present.PresentedTable
    option: dict[str, Any] | None = None
    height: int = 340
    wide: bool = False
    notes: list[str] = field(default_factory=list)
    open_table: bool = False

    @property
    def option_json(self) -> str:
        return json.dumps(self.option, ensure_ascii=False).replace("</", "<\\/")


def role_view(principal: Principal) -> Principal:
    """The user as far as a page's content goes: role and scope (the county, school or enterprise), with a mark for
    the name."""
    return replace(principal, user_id=None, username=USER_MARK if not principal.is_public else "")


@dataclass
class Page:
    """What every dashboard page needs: the bundle, its extras, the user and the query (the region and year).

    A rendered page is kept beside its bundle (so until the hub changes) per path, query, language and role-view
    (the role and the county, school or enterprise it is tied to: all a page's content depends on); the user's
    name and CSRF token are put in on the way out, so one copy serves every user of a view. Queries other than
    :data:`CACHED_QUERY` (a drill-down's cell, anything unknown) are rendered each time, so they cannot fill the
    cache."""

    request: Request
    principal: Principal
    bundle: AnalysisBundle
    src: Sources
    year: int | None
    started: float
    region: str | None = None  # the region asked for (None: the user's default)
    regions: list[dash.CityChoice] = field(default_factory=list)

    def chosen(self) -> dict[str, Any]:
        """The query parameters the user chose (kept by every tab and download link)."""
        return {**({"region": self.region} if self.region else {}), **({"year": self.year} if self.year else {})}

    @cached_property
    def extras(self) -> dash.DashboardExtras:
        """Figures the bundle does not keep, read once per bundle (only when a page is rendered)."""
        return self.src.analyses.remember(self.bundle, "extras", lambda: dash.extras_for(self.src.db, self.bundle, self.src.settings))

    @cached_property
    def view(self) -> Principal:
        """The user as far as the page's content goes (:func:`role_view`)."""
        return role_view(self.principal)

    @cached_property
    def cache_key(self) -> tuple[Any, ...] | None:
        params = self.request.query_params
        if any(name not in CACHED_QUERY for name in params) or len(params.multi_items()) != len(params) or \
                params.get("lang", "zh") not in ("zh", "en"):
            return None
        csrf = csrf_token(self.request, session_cookies_of(self.request))
        return ("page", self.request.url.path, self.request.url.query, current_lang.get(), self.view, bool(csrf))

    def cached(self) -> Response | None:
        """The kept copy of this page, if there is one."""
        key = self.cache_key
        html = self.src.analyses.recall(self.bundle, key) if key else None
        return self._respond(html) if html is not None else None

    def render(self, template: str, tab: str, **context: Any) -> Response:
        query = f"?{urlencode(self.chosen())}" if self.chosen() else ""
        lang = current_lang.get()
        response = render(self.request, template, self.view, b=self.bundle, tab=tab, tabs=TABS, query=query,
                          years=self.years(), banner=self.banner(), cell=cell, cell_query=self.cell_query,
                          regions=self.regions, region_label=lambda r: r.label(lang), chosen_region=self.bundle.region_code,
                          region_title=self.region_title(), about=about,
                          method_title=present.method_title, **context)
        html = bytes(response.body).decode()
        csrf = csrf_token(self.request, session_cookies_of(self.request))
        if csrf:
            html = html.replace(csrf, CSRF_MARK)
        if self.cache_key and response.status_code == 200:
            self.src.analyses.keep(self.bundle, self.cache_key, html)
        return self._respond(html, response.status_code)

    def _respond(self, html: str, status_code: int = 200) -> Response:
        csrf = csrf_token(self.request, session_cookies_of(self.request))
        body = html.replace(CSRF_MARK, csrf).replace(USER_MARK, str(escape(self.principal.username)))
        response = HTMLResponse(body, status_code=status_code)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - self.started) * 1000:.1f}"
        return response

    def cell_query(self, link: dict[str, str]) -> str:
        """The query of a heatmap cell's drill-down (with the page's region and year, if chosen)."""
        return urlencode({**link, **self.chosen()})

    def region_title(self) -> str:
        """The analysed region's name in the page's language."""
        found = dash.known_region(self.regions, self.bundle.region_code)
        return found.label(current_lang.get()) if found else self.bundle.region_name

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.bundle.pathways.funnel["year"].to_list())

    def banner(self) -> str:
        english = current_lang.get() == "en"
        tables = self.bundle.generated_tables
        return t("dash_generated", tables=t("list_joiner").join(table_name(n, english) for n in tables)) if tables else ""


@dataclass(frozen=True)
class Sources:
    """What the dashboard pages read: the cached analyses, and the hub and settings for their extras."""

    analyses: AnalysisCache
    db: Database
    settings: Settings


async def sources(analyses: AnalysesDep, db: DbDep, settings: SettingsDep) -> Sources:
    """(async: nothing to wait for, so no trip through the thread pool)"""
    return Sources(analyses, db, settings)


SourcesDep = Annotated[Sources, Depends(sources)]


def _page(request: Request, src: Sources, principal: Principal, year: int | None, region: str | None = None) -> Page:
    started = time.perf_counter()
    view = role_view(principal)
    # the default region and the region list are database reads: made once per hub change (per role-view for the
    # default, which depends only on the role and the county, school or enterprise the view carries)
    start = region or src.analyses.per_change(("default_region", view), lambda: dash.default_region(src.db, principal))
    bundle = src.analyses.get(start, year, current_lang.get())
    regions = src.analyses.per_change(("region_choices",), lambda: dash.region_choices(src.db))
    return Page(request, principal, bundle, src, year, started, region, regions)


cell = present.show  # a table cell as shown on the page (the same as in the report)
about = present.about  # a table's 说明 and method card


# ---------------------------------------------------------------- charts
def _highlight(option: dict[str, Any], marked: frozenset[int]) -> dict[str, Any]:
    if marked and option.get("series"):
        series = option["series"][0]
        series["data"] = [{"value": v, "itemStyle": {"color": HIGHLIGHT}} if i in marked else v for i, v in enumerate(series["data"])]
    return option


def _bar(table: present.PresentedTable, label: str, value: str, fmt: str = ",.0f", horizontal: bool = True) -> dict[str, Any]:
    chart = Chart(table.id, "bar", table.title, table.shown(label), table.series(value, digits=4), horizontal=horizontal,
                  value_format=fmt)
    return _highlight(chart.echarts_option(), table.marked)


def _bar_height(table: present.PresentedTable) -> int:
    return max(300, 26 * len(table.rows) + 110)


def _heatmap(table: present.PresentedTable, rows: list[str], cols: list[str], values: list[list[float | None]]) -> dict[str, Any]:
    return Chart(table.id, "heatmap", table.title, cols, rows=rows, values=values).echarts_option()


def coupling_panel(bundle: AnalysisBundle) -> Panel:
    table = present.coupling_table(bundle)
    chart = Chart("coupling", "line", table.title, table.shown("year"), table.series("C", "T", "D", "D_low", "D_high", digits=2),
                  y_range=(0.0, 1.0), bands=level_bands())
    return Panel(table, chart.echarts_option(), height=420, wide=True, notes=present.method_notes(bundle.city))


def sankey_option(table: present.PresentedTable) -> dict[str, Any]:
    """An ECharts Sankey of the flows (source, target, value); each node's label shows its total."""
    totals: dict[str, int] = {}
    for source, target, value in table.rows:
        totals[source] = totals.get(source, 0) + value
        totals[target] = totals.get(target, 0) + value
    sources = list(dict.fromkeys(source for source, _, _ in table.rows))
    rank = {t(key): i for i, key in enumerate(present.SANKEY_TARGETS)}
    order = sources + sorted((n for n in totals if n not in sources), key=lambda n: rank.get(n, len(rank)))
    nodes = [{"name": n, "label": {"formatter": f"{n}\n{totals[n]:,}"}} for n in order]
    links = [{"source": s, "target": g, "value": v} for s, g, v in table.rows]
    return {
        "title": {"text": table.title, "left": "center", "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "toolbox": {"feature": {"saveAsImage": {}}},
        "series": [
            {
                "type": "sankey",
                "top": 44,
                "bottom": 16,
                "left": 8,
                "right": 150,
                "nodeAlign": "left",
                "layoutIterations": 0,
                "emphasis": {"focus": "adjacency"},
                "lineStyle": {"color": "gradient", "curveness": 0.5, "opacity": 0.35},
                "data": nodes,
                "links": links,
            }
        ],
    }


def gap_heatmap(table: present.PresentedTable, top: int = HEATMAP_ROWS) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The heatmap of the ``top`` classes with the largest gaps (the table's order), largest first, and the class
    codes and chains of its rows and columns (for the click)."""
    codes, labels, chains, values = present.heatmap(table, top)
    option = _heatmap(table, labels, chains, values)
    option["yAxis"]["inverse"] = True
    option["grid"]["bottom"] = 115
    option["tooltip"] = {"trigger": "item", "position": "top"}
    option["series"][0]["emphasis"] = {"itemStyle": {"borderColor": "#111", "borderWidth": 1}}
    option["series"][0]["cursor"] = "pointer"
    return option, {"rows": codes, "cols": chains}


# ---------------------------------------------------------------- pages
@router.get("/")
def overview(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    try:
        page = _page(request, src, principal, year, region)
        if (kept := page.cached()) is not None:
            return kept
    except InvalidInput as exc:  # no data yet (or a year without data): say so on the landing page
        return render(request, "dashboard/empty.html", principal, status_code=400 if year else 200, message=exc.message)
    b = page.bundle
    obstacles, chains = present.obstacles_table(b), present.chain_obstacles_table(b)
    panels = [coupling_panel(b),
              Panel(obstacles, _bar(obstacles, "name", "obstacle", ".1f"), height=_bar_height(obstacles)),
              Panel(chains, _bar(chains, "chain", "obstacle", ".1f", horizontal=False))]
    latest = present.coupling_row(b)  # the chosen year's (or the latest complete year before it)
    red = present.red_list_table(b)
    return page.render("dashboard/overview.html", "overview", panels=panels, latest=latest, cards=present.card_counts(b),
                       red=Panel(red, wide=True, open_table=True), findings=present.findings(b))


@router.get("/dashboard")
def dashboard_root(year: int | None = None, region: str | None = None) -> Response:
    query = urlencode({k: v for k, v in (("region", region), ("year", year)) if v})
    return RedirectResponse(f"/?{query}" if query else "/", status_code=307)


@router.get("/dashboard/counties")
def counties(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b, mark = county_comparison(page, src)  # a county is shown among its city's counties, highlighted
    d, u, top = (present.counties_table(b, principal, mark), present.county_u_table(b, principal, mark),
                 present.county_topsis_table(b, principal, mark))
    panels = []
    if d.rows:
        names = u.values("region_name")
        values = [[round(v, 3) for v in row[1:]] for row in u.rows]
        u_option = _heatmap(u, names, [c.label for c in u.columns[1:]], values)
        u_option["visualMap"].update(min=0, max=1, inRange={"color": ["#f7f7f7", "#2166ac"]})
        panels = [Panel(d, _bar(d, "region_name", "D", ".2f"), height=_bar_height(d), wide=True),
                  Panel(u, u_option, height=_bar_height(u) + 60), Panel(top, _bar(top, "region_name", "topsis", ".3f"),
                                                                        height=_bar_height(top))]
    own = page.extras.region_names.get(mark or "", "") if mark else ""
    return page.render("dashboard/counties.html", "counties", panels=panels, own_county=own)


COUNTY_TABLES = frozenset({"counties", "county-u", "county-topsis"})


def county_comparison(page: Page, src: Sources) -> tuple[AnalysisBundle, str | None]:
    """The bundle whose counties are compared and the county to highlight: a county's city (the county itself
    highlighted), else the page's own bundle (a county officer's county highlighted)."""
    if page.bundle.level == "county":
        code = page.bundle.region_code
        parent = src.analyses.per_change(("parent_region", code), lambda: dash.parent_region(src.db, code))
        city = src.analyses.get(parent, page.year, current_lang.get())
        return city, page.bundle.region_code
    return page.bundle, page.principal.county_code if page.principal.role == "county_officer" else None


@router.get("/dashboard/gaps")
def gaps(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None,
         class_code: str | None = None, chain: str | None = None) -> Response:
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b = page.bundle
    heat = present.gap_cells_table(b)
    panels, cells = [], {"rows": [], "cols": []}  # type: ignore[var-annotated]
    if heat.rows:
        option, cells = gap_heatmap(heat)
        note = t("dash_heatmap_top", n=len(cells["rows"]), total=len({link["class_code"] for link in heat.links}))
        panels.append(Panel(heat, option, height=max(360, 24 * len(cells["rows"]) + 170), wide=True, notes=[note]))
    mismatch = present.mismatch_table(b)
    chart = Chart("mismatch", "line", mismatch.title, mismatch.shown("year"), mismatch.series("duncan", "sahin", digits=4),
                  y_range=(0.0, 1.0))
    chains = present.chain_gaps_table(b)
    bars = Chart("chain-gaps", "bar", chains.title, chains.shown("chain"), chains.series("supply", "demand", digits=0),
                 horizontal=True)
    panels += [Panel(chains, bars.echarts_option(), height=_bar_height(chains) + 40), Panel(mismatch, chart.echarts_option())]
    drill = _cell_context(page, class_code, chain) if class_code and chain else None
    return page.render(
        "dashboard/gaps.html",
        "gaps",
        panels=panels,
        cells=cells,
        drill=drill,
        tables=[
            Panel(present.grow_table(b), wide=True, open_table=True),
            Panel(present.cut_table(b), wide=True, open_table=True),
            Panel(present.no_data_table(b), wide=True, open_table=True),
        ],
    )


def _cell_context(page: Page, class_code: str, chain: str) -> dict[str, Any]:
    table, _schools = present.gap_cell(page.bundle, page.extras, class_code, chain)
    return {"table": table, "note": t("dash_cell_note", year=page.bundle.year)}


@router.get("/dashboard/gaps/cell")
def gap_cell(request: Request, src: SourcesDep, principal: PrincipalDep, class_code: str, chain: str,
             year: int | None = None, region: str | None = None) -> Response:
    """The drill-down fragment of one heatmap cell (htmx)."""
    page = _page(request, src, principal, year, region)
    return page.render("dashboard/_cell.html", "gaps", drill=_cell_context(page, class_code, chain))


@router.get("/dashboard/pathways")
def pathways(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b = page.bundle
    flows, funnel = present.pathway_flows(b, page.extras), present.funnel_table(b)
    series = funnel.series(*present.FUNNEL_SERIES)
    panels = [Panel(flows, sankey_option(flows), height=400, wide=True, notes=[t("dash_sankey_note")]),
              Panel(funnel, Chart("funnel", "line", funnel.title, funnel.shown("year"), series).echarts_option(), wide=True)]
    return page.render("dashboard/pathways.html", "pathways", panels=panels, findings=b.pathways.findings,
                       dead=Panel(present.dead_ends_table(b), wide=True, open_table=True))


@router.get("/dashboard/schools")
def schools(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b = page.bundle
    fails = present.school_fails_table(b)
    compliance = present.compliance_table(b, principal, page.extras.region_names) if present.may_see_schools(principal) else None
    scope = "none" if compliance is None else {"city_admin": "all", "county_officer": "county"}.get(principal.role, "school")
    return page.render(
        "dashboard/schools.html",
        "schools",
        panels=[Panel(fails, _bar(fails, "check", "schools"), height=_bar_height(fails))],
        summary_text=present.compliance_headline(b),
        compliance=Panel(compliance, wide=True, open_table=True) if compliance else None,
        scope=scope,
        findings=b.schools.findings,
        small=Panel(present.small_cohorts_table(b), open_table=True),
        tables=[Panel(present.standards_table(b), wide=True, open_table=True),
                Panel(present.simulations_table(b), wide=True, open_table=True),
                Panel(present.standard_items_table(b), wide=True)],
    )


@router.get("/dashboard/peers")
def peers(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b = page.bundle
    gdp, score = present.peers_table(b), present.peer_score_table(b)
    panels = [Panel(gdp, _bar(gdp, "name", "gdp"), height=_bar_height(gdp), wide=True, open_table=True)] if gdp.rows else []
    if score.rows and any(v is not None for v in score.values("industry_score")):
        panels.append(Panel(score, _bar(score, "name", "industry_score", ".3f"), height=_bar_height(score), wide=True))
    return page.render("dashboard/peers.html", "peers", panels=panels, notes=b.notes)


@router.get("/dashboard/forecast")
def forecast(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    """Job openings (demand) by industry: the first forecast year with its prediction interval, and the table of
    every forecast year with its interval, method and backtest error."""
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    table = present.forecast_table(page.bundle)
    option = forecast_interval_chart(table, page.bundle) if table.rows else None
    height = max(300, 26 * len(set(table.values("series"))) + 130)
    panels = [Panel(table, option, height=height, wide=True, open_table=True)]
    return page.render("dashboard/peers.html", "forecast", panels=panels, notes=present.forecast_notes(page.bundle))


def forecast_interval_chart(table: present.PresentedTable, bundle: AnalysisBundle) -> dict[str, Any]:
    """Bars of the first forecast year's openings with the interval's bounds as marks."""
    at = {c.key: i for i, c in enumerate(table.columns)}
    first = min(table.values("year"))
    rows = [r for r in table.rows if r[at["year"]] == first]
    level = pct(bundle.forecast.interval_level, 0) if bundle.forecast else ""

    def values(key: str) -> list[float | None]:
        return [None if r[at[key]] is None else round(r[at[key]]) for r in rows]

    marks = {"type": "scatter", "symbol": "rect", "symbolSize": [3, 16], "itemStyle": {"color": "#111"}}
    return {
        "title": {"text": t("dash_fc_chart", year=first, level=level), "left": "center", "top": 4,
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [f"{r[at['series']]} {r[at['industry_name']]}" for r in rows],
                  "inverse": True},
        "series": [{"type": "bar", "name": table.column("openings").label, "data": values("openings")},
                   {**marks, "name": table.column("openings_lower").label, "data": values("openings_lower")},
                   {**marks, "name": table.column("openings_upper").label, "data": values("openings_upper")}],
    }


@router.get("/dashboard/postings")
def postings(request: Request, src: SourcesDep, principal: PrincipalDep, year: int | None = None, region: str | None = None) -> Response:
    """Posting-sourced demand: top occupations and 专业类, counties, salary quantiles, and the known bias."""
    page = _page(request, src, principal, year, region)
    if (kept := page.cached()) is not None:
        return kept
    b, e = page.bundle, page.extras
    pd = e.postings
    panels, summary, salary_note = [], "", ""
    if pd is not None:
        occupations, classes = present.posting_occupations_table(e), present.posting_classes_table(b, e)
        counties, salaries = present.posting_counties_table(e), present.posting_salaries_table(e)
        weight = b.supply_demand.blend.weights.get("posting", 0.0)
        summary = t(
            "dash_posting_summary",
            total=whole(pd.total),
            periods=pd.periods,
            occupations=whole(pd.records["occupation_code"].n_unique()),
            regions=whole(pd.records["region_code"].n_unique()),
            year=b.supply_demand.year,
            weight=pct(weight),
        )
        if pd.salaries is not None:
            source = pd.salary_source
            salary_note = t("dash_salary_source", source=source.get("source", "?"), saved_at=source.get("saved_at", "?"))
        else:
            salary_note = t("dash_salary_missing")
        panels = [Panel(occupations, _bar(occupations, "name", "postings"), height=_bar_height(occupations)),
                  Panel(classes, _bar(classes, "class_name", "postings", ".1f") if classes.rows else None,
                        height=_bar_height(classes), notes=[t("dash_classes_note")]),
                  Panel(counties, _bar(counties, "region", "postings"), height=_bar_height(counties))]
        if salaries.rows:
            chart = Chart(
                salaries.id,
                "bar",
                salaries.title,
                salaries.shown("name"),
                salaries.series("p25", "p50", "p75", digits=0),
                horizontal=True,
            )
            panels.append(Panel(salaries, chart.echarts_option(), height=_bar_height(salaries) + 40, notes=[salary_note]))
        else:
            panels.append(Panel(salaries, notes=[salary_note]))
    return page.render("dashboard/postings.html", "postings", panels=panels, summary=summary, bias=pd.bias if pd else None,
                       imported=pd is not None, command=IMPORT_COMMAND)


@router.get("/dashboard/download/{filename}")
def download(request: Request, src: SourcesDep, principal: PrincipalDep, filename: str, year: int | None = None,
             region: str | None = None) -> Response:
    """The table behind a chart as CSV (UTF-8 with BOM) or Excel: ``/dashboard/download/<chart id>.csv|.xlsx``."""
    table_id, _, kind = filename.rpartition(".")
    if kind not in DOWNLOAD_TYPES or not table_id:
        raise NotFound(t("dash_unknown_table", name=filename))
    page = _page(request, src, principal, year, region)
    source = county_comparison(page, src)[0] if table_id in COUNTY_TABLES else page.bundle
    table = present.build_table(table_id, source, page.extras, principal)
    name = f"silian-{table_id}-{page.bundle.region_code}-{page.bundle.year}.{kind}"
    notes = [f"{page.region_title()} · {page.bundle.year} · {table.title}", page.banner()]
    body = present.to_csv(table) if kind == "csv" else present.to_xlsx(table, [n for n in notes if n])
    return Response(body, media_type=DOWNLOAD_TYPES[kind], headers={"Content-Disposition": f'attachment; filename="{name}"'})
