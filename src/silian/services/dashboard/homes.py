"""What each role sees first after logging in: a county officer their county (its coordination D with band, its
schools and their compliance, its supply–demand gaps, and what to do), a school user their school (compliance
with the setting standard and the 达标 monitoring, demand for its majors, its dead-end majors, its platform posts
and the enterprise posts that fit it), an enterprise user their posts, the responses to them and the schools that
fit their demand. Everything is cut to the user's own county, school or enterprise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from silian.domain.access import Principal
from silian.domain.errors import SilianError
from silian.domain.messages import register_messages, t
from silian.services import presentation as present
from silian.services.analysis import AnalysisBundle
from silian.services.platform_posts import PostFilters, list_posts, list_responses, school_majors
from silian.services.presentation.table import INT, LIST, TEXT, PresentedTable, table_columns
from silian.services.recommend import Recommendation, recommend_for_post, recommend_posts_for_school, schools_for_post
from silian.storage import hub as hub_store
from silian.storage import partners as post_store
from silian.storage.database import Database

register_messages(
    {
        "home_do_obstacle": ("提高“{name}”（{chain}）：它占拉低耦合协调度原因的 {share}",
                             "Raise '{name}' ({chain}): {share} of what holds the coordination down"),
        "home_do_school": ("督促{school}补足：{items}", "Help {school} meet: {items}"),
        "home_do_dead_end": ("与全市高职协商开设{major}的接续专业（约缺 {seats} 个升学学位）",
                             "Agree with the city's 高职 on a continuation major for {major} (about {seats} seats short)"),
        "home_do_red": ("核查红牌专业{major}：{reasons}", "Check the red-card major {major}: {reasons}"),
        "home_do_nothing": ("暂无需要立即处理的问题", "Nothing needs action now"),
        "home_rank": ("全市 {n} 个县（市、区）中排第 {rank}", "{rank} of {n} counties in the city"),
        "tbl_home_majors": ("本校专业的供需（{year} 年需求，全市口径）",
                            "Supply and demand of the school's majors ({year} demand, city-wide)"),
        "tbl_home_dead_ends": ("本校的断头路专业", "The school's dead-end majors"),
        "tbl_home_checks": ("本校达标情况", "The school's compliance"),
        "tbl_home_posts": ("我的发布", "My posts"),
        "tbl_home_partners": ("推荐的合作学校", "Recommended partner schools"),
        "tbl_home_fitting_posts": ("适合本校的企业需求", "Enterprise posts that fit the school"),
        "col_home_item": ("项目", "Item"),
        "col_home_value": ("结果", "Result"),
        "col_home_post": ("标题", "Title"),
        "col_home_kind": ("类型", "Kind"),
        "col_home_status": ("状态", "Status"),
        "col_home_count": ("人数", "People"),
        "col_home_responses": ("响应", "Responses"),
        "col_home_score": ("匹配分", "Score"),
        "col_home_reason": ("理由", "Why"),
        "col_home_school": ("学校", "School"),
        "col_home_major": ("专业", "Major"),
    }
)
SHOWN_ACTIONS = 8


@dataclass(frozen=True)
class CountyHome:
    """A county officer's county: its analysis, its rank among the city's counties and what to do."""

    bundle: AnalysisBundle
    coupling: dict[str, Any] | None
    rank: str
    schools: PresentedTable
    gaps: PresentedTable
    grow: PresentedTable
    cut: PresentedTable
    actions: list[str]


@dataclass(frozen=True)
class SchoolHome:
    """A school user's school: its compliance, the demand for its majors, its dead ends and the platform."""

    name: str
    bundle: AnalysisBundle
    checks: PresentedTable
    verdicts: dict[str, str]
    majors: PresentedTable
    dead_ends: PresentedTable
    posts: PresentedTable
    fitting_posts: PresentedTable


@dataclass(frozen=True)
class EnterpriseHome:
    """An enterprise user's posts, the responses to them, and the partner schools that fit its demand."""

    posts: PresentedTable
    partners: PresentedTable
    notes: list[str] = field(default_factory=list)
    name: str = ""  # the enterprise's name (its credit code when the hub does not know it)


# ---------------------------------------------------------------- county
def county_home(county: AnalysisBundle, city: AnalysisBundle | None, principal: Principal,
                names: dict[str, str]) -> CountyHome:
    """The county officer's home from the county's and its city's analyses (the city's ranks the counties)."""
    row = present.coupling_row(county)
    return CountyHome(county, row, county_rank(city, county.region_code, row["year"] if row else None),
                      present.compliance_table(county, principal, names), present.chain_gaps_table(county),
                      present.grow_table(county), present.cut_table(county), county_actions(county))


def county_rank(city: AnalysisBundle | None, code: str, year: int | None) -> str:
    """``全市 12 个县（市、区）中排第 3`` by D in ``year`` ('' without the city's county analysis)."""
    if city is None or city.counties is None or year is None:
        return ""
    scores = city.counties.scores.filter(pl.col("year") == year).sort("D", descending=True)
    codes = scores["region_code"].to_list()
    return t("home_rank", n=len(codes), rank=codes.index(code) + 1) if code in codes else ""


def county_actions(bundle: AnalysisBundle) -> list[str]:
    """What to do, most telling first: the largest obstacles, schools missing standards, dead ends, red cards."""
    year = present.latest_coupling_year(bundle)
    obstacles = bundle.city.obstacles.filter(pl.col("year") == year).sort("rank").head(3)
    actions = [t("home_do_obstacle", name=r["name"], chain=present.show(r["chain"], present.CHAIN),
                 share=present.pct(r["obstacle"] / 100)) for r in obstacles.iter_rows(named=True)]
    failing = bundle.schools.compliance.filter(~pl.col("compliant")).sort("students", descending=True)
    for r in failing.head(3).iter_rows(named=True):
        items = [t("check_" + c) for c in (r["setting_failed"] or r["monitoring_failed"] or [])]
        if items:
            actions.append(t("home_do_school", school=r["name"], items=t("list_joiner").join(items)))
    dead = bundle.pathways.seats.filter(pl.col("dead_end")).sort("missing_seats", descending=True)
    actions += [t("home_do_dead_end", major=r["major_name"] or r["major_code"], seats=present.whole(r["missing_seats"]))
                for r in dead.head(2).iter_rows(named=True)]
    red = bundle.supply_demand.cards.filter(pl.col("card") == "red").sort("gap")
    actions += [t("home_do_red", major=r["major_name"] or r["major_code"], reasons=present.show(r["reasons"], present.REASONS))
                for r in red.head(2).iter_rows(named=True)]
    return actions[:SHOWN_ACTIONS] or [t("home_do_nothing")]


# ---------------------------------------------------------------- school
def school_home(db: Database, principal: Principal, county: AnalysisBundle, city: AnalysisBundle) -> SchoolHome:
    """The school user's home: compliance from its county's analysis, demand for its majors from its city's."""
    code = principal.institution_code or ""
    own = county.schools.compliance.filter(pl.col("institution_code") == code)
    with db.engine.connect() as conn:
        name = hub_store.school_names(conn).get(code, code)
    checks = school_checks(county, principal)
    verdicts = ({g: present.show(own[f"{g}_verdict"][0], present.VERDICT) for g in ("setting", "monitoring")}
                if own.height else {})
    majors = [major for major, _name in school_majors(db, code)]  # what it offers now, whatever its level
    return SchoolHome(name, county, checks, verdicts, school_majors_table(city, majors), school_dead_ends(city, majors),
                      own_posts(db, principal), fitting_posts(db, principal))


def school_checks(bundle: AnalysisBundle, principal: Principal) -> PresentedTable:
    """The school's row of the compliance table, one item a row (item, result as shown)."""
    full = present.compliance_table(bundle, principal)
    columns = table_columns(("item", "col_home_item", TEXT), ("value", "col_home_value", TEXT))
    rows = [(c.label, present.show(v, c.kind)) for c, v in zip(full.columns, full.rows[0], strict=True)
            if c.key not in ("institution_code", "name")] if full.rows else []
    return PresentedTable("home-checks", t("tbl_home_checks"), columns, rows)


def school_majors_table(city: AnalysisBundle, majors: list[str]) -> PresentedTable:
    """Supply, demand, gap and card of each of the school's majors (the city's figures: its graduates work anywhere
    in the city)."""
    frame = city.supply_demand.cards.filter(pl.col("major_code").is_in(majors)).sort("gap")
    extra = (("card", "col_card", present.CARD), ("reasons", "col_reasons", present.REASONS))
    table = present.red_list_table(city)  # borrow the columns of a major table with cards
    columns = (*table.columns[:-1], *table_columns(*extra[:1]), table.columns[-1])
    keys = [c.key for c in columns]
    rows = [tuple(r.get(k) if k != "major_name" else r[k] or "" for k in keys) for r in frame.iter_rows(named=True)]
    return PresentedTable("home-majors", t("tbl_home_majors", year=city.supply_demand.year), columns, rows)


def school_dead_ends(city: AnalysisBundle, majors: list[str]) -> PresentedTable:
    """The city's dead-end majors that the school offers."""
    table = present.dead_ends_table(city)
    keep = [row for row in table.rows if row[0] in majors]
    return PresentedTable("home-dead-ends", t("tbl_home_dead_ends"), table.columns, keep)


# ---------------------------------------------------------------- the platform
POST_COLUMNS = (("title", "col_home_post", TEXT), ("kind_name", "col_home_kind", TEXT),
                ("status_name", "col_home_status", TEXT), ("count", "col_home_count", INT, "人"),
                ("responses", "col_home_responses", INT, "条"))


def own_posts(db: Database, principal: Principal) -> PresentedTable:
    """The user's own posts with the number of responses to each (newest first, at most 50)."""
    page = list_posts(db, principal, PostFilters(mine=True), page_size=50)
    rows = []
    for post in page.data:
        responses = len(list_responses(db, principal, int(post["id"])))
        rows.append((post["title"], post["kind_name"], post["status_name"], post.get("count"), responses))
    links = [{"post": str(post["id"])} for post in page.data]
    return PresentedTable("home-posts", t("tbl_home_posts"), table_columns(*POST_COLUMNS), rows, links=links)


def fitting_posts(db: Database, principal: Principal) -> PresentedTable:
    """Open enterprise posts that fit the school, best first."""
    try:
        found = recommend_posts_for_school(db, principal, limit=10).items
    except SilianError:
        found = []
    return recommendations_table("home-fitting-posts", "tbl_home_fitting_posts", found)


def recommendations_table(table_id: str, title: str, items: list[Recommendation]) -> PresentedTable:
    columns = table_columns(("name", "col_home_school" if table_id == "home-partners" else "col_home_post", TEXT),
                            ("major_name", "col_home_major", TEXT), ("score", "col_home_score", present.NUM2),
                            ("reason", "col_home_reason", TEXT))
    return PresentedTable(table_id, t(title), columns, [(r.name, r.major_name or "", r.score, r.reason) for r in items])


def enterprise_home(db: Database, principal: Principal) -> EnterpriseHome:
    """The enterprise user's posts and the schools that fit its open posts (or, without posts, its declared demand)."""
    posts = own_posts(db, principal)
    found: list[Recommendation] = []
    for link in posts.links:
        try:
            found += recommend_for_post(db, principal, int(link["post"]), limit=5).items
        except SilianError:
            continue
    if not found:
        found = declared_demand_partners(db, principal.enterprise_credit_code or "")
    best: dict[str, Recommendation] = {}
    for item in sorted(found, key=lambda r: -r.score):
        best.setdefault(item.code, item)
    code = principal.enterprise_credit_code or ""
    with db.engine.connect() as conn:
        name = hub_store.enterprise_directory(conn, [code]).get(code, (code, ""))[0] if code else ""
    return EnterpriseHome(posts, recommendations_table("home-partners", "tbl_home_partners", list(best.values())[:10]),
                          name=name)


def declared_demand_partners(db: Database, credit_code: str) -> list[Recommendation]:
    """Schools that fit the enterprise's most recent declared demand (its three largest occupations)."""
    with db.engine.connect() as conn:
        latest = post_store.latest_declared_year(conn)
        rows = [] if latest is None else post_store.declared_rows_after(conn, str(int(latest) - 1))
        wanted: dict[str, int] = {}
        for enterprise, occupation, _major, count in rows:
            if enterprise == credit_code and occupation:
                wanted[occupation] = wanted.get(occupation, 0) + int(count or 0)
        found: list[Recommendation] = []
        for occupation, count in sorted(wanted.items(), key=lambda kv: -kv[1])[:3]:
            found += schools_for_post(conn, {"occupation_code": occupation, "count": count,
                                             "enterprise_credit_code": credit_code})[:5]
    return found


__all__ = ["LIST", "CountyHome", "EnterpriseHome", "SchoolHome", "county_home", "enterprise_home", "school_home"]
