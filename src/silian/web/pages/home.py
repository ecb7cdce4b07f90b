"""``/home``: where each user lands after logging in — a county officer's county, a school user's school, an
enterprise user's posts and partners (:mod:`silian.services.dashboard.homes`); the city admin and the public
keep the city dashboard (``/``). Every home shows only the user's own county, school or enterprise."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.messages import current_lang, register_messages
from silian.services import dashboard as dash
from silian.services import presentation as present
from silian.services.analysis import AnalysisBundle
from silian.services.analysis_cache import AnalysisCache
from silian.services.dashboard import homes
from silian.services.hub_database import Database
from silian.web.dependencies import AnalysesDep, DbDep, PrincipalDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "nav_home": ("我的首页", "My home"),
        "home_county_title": ("{county} · {year} 年", "{county} · {year}"),
        "home_school_title": ("{school}", "{school}"),
        "home_enterprise_title": ("企业首页", "Enterprise home"),
        "home_coupling": ("耦合协调度 D（{year} 年）", "Coupling coordination D ({year})"),
        "home_todo": ("要做的事", "What to do"),
        "home_full_dashboard": ("查看本县完整仪表盘", "The county's full dashboard"),
        "home_school_dashboard": ("查看所在县的仪表盘", "The county's dashboard"),
        "home_setting": ("设置标准", "Setting standard"),
        "home_monitoring": ("办学条件达标监测", "达标 monitoring"),
        "home_platform": ("到需求共享平台发布或响应", "Post or respond on the demand-sharing platform"),
        "home_no_posts": ("还没有发布：在需求共享平台发布需求后，这里列出您的发布和收到的响应。",
                          ("No posts yet: once you post a demand on the platform, your posts and the responses to "
                          "them are listed here.")),
        "home_no_grow": ("本县没有需求明显大于供给的专业。", "No major of the county has clearly more demand than supply."),
        "home_no_cut": ("本县没有红牌专业。", "The county has no major with a red card."),
        "home_no_fitting": ("目前没有适合本校专业的企业发布。", "No enterprise post fits the school's majors at present."),
        "home_no_dead_ends": ("没有断头路专业：本校的专业在本市都有可升学的接续专业。",
                              "No dead-end majors: every major of the school continues somewhere in the city."),
        "home_no_partners": ("推荐依据您在平台上发布的需求或向数据中心申报的人才需求；两者都还没有，所以暂无推荐。",
                             ("Partner schools are recommended from the demand you post on the platform or declare to "
                             "the hub; there is none of either yet.")),
        "home_no_checks": ("没有本校的达标数据：设置标准与达标监测只适用于中职学校；中职学校请先上传办学条件数据。",
                           ("No 达标 data for this school: the setting standard and the monitoring apply to secondary "
                           "(中职) schools only; a 中职 school uploads its resources first.")),
        "home_no_school": ("账号没有关联学校，请联系市级管理员。", "The account has no school; ask the city admin."),
        "home_no_county": ("账号没有关联县（市、区），请联系市级管理员。", "The account has no county; ask the city admin."),
    }
)


SHARED: dict[str, Any] = {"about": present.about, "method_title": present.method_title, "cell": present.show, "query": "",
          "cell_query": lambda link: ""}  # what the dashboard's macros (说明 boxes, tables) need


def _context(db: Database, bundle: AnalysisBundle) -> dict[str, Any]:
    """The shared parts and the year chooser (the region is the user's own: no region chooser)."""
    found = dash.known_region(dash.region_choices(db), bundle.region_code)
    years = sorted(int(y) for y in bundle.pathways.funnel["year"].to_list())
    return {**SHARED, "b": bundle, "years": years, "regions": [], "chosen_region": bundle.region_code,
            "region_title": found.label(current_lang.get()) if found else bundle.region_name}


@router.get("/home")
async def home(request: Request, db: DbDep, analyses: AnalysesDep, principal: PrincipalDep, year: int | None = None) -> Response:
    if principal.role in ("public", "city_admin"):
        return RedirectResponse("/", status_code=303)
    if principal.role == "county_officer":
        return await run_in_threadpool(_county, request, db, analyses, principal, year)
    if principal.role == "school_user":
        return await run_in_threadpool(_school, request, db, analyses, principal, year)
    return await run_in_threadpool(_enterprise, request, db, principal)


def _county(request: Request, db: Database, analyses: AnalysisCache, principal: Principal, year: int | None) -> Response:
    if not principal.county_code:
        return render(request, "home/missing.html", principal, message="home_no_county")
    lang = current_lang.get()
    county = analyses.get(principal.county_code, year, lang)
    city = analyses.get(dash.parent_region(db, principal.county_code), year, lang)
    names = dash.region_names(db)
    data = homes.county_home(county, city, principal, names)
    return render(request, "home/county.html", principal, home=data, **_context(db, county))


def _school(request: Request, db: Database, analyses: AnalysisCache, principal: Principal, year: int | None) -> Response:
    county_code = dash.default_region(db, principal)
    if not principal.institution_code or not county_code:
        return render(request, "home/missing.html", principal, message="home_no_school")
    lang = current_lang.get()
    county = analyses.get(county_code, year, lang)
    city = analyses.get(dash.parent_region(db, county_code), year, lang)
    data = homes.school_home(db, principal, county, city)
    return render(request, "home/school.html", principal, home=data, **_context(db, county))


def _enterprise(request: Request, db: Database, principal: Principal) -> Response:
    data = homes.enterprise_home(db, principal)
    return render(request, "home/enterprise.html", principal, home=data, **SHARED)
