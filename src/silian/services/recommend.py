"""Partner recommendation on the demand-sharing platform.

For an enterprise's post (talent demand, order-class or apprenticeship seats, or a technology need naming an
occupation or major): the schools and majors best placed to supply it. For a school's offer or supply post: the
enterprises whose demand fits. For a school: the open enterprise posts that fit it. Every suggestion carries
its score and the reason in words::

    score = 0.40·fit + 0.30·capacity + 0.15·distance + 0.15·cooperation      (each part in [0, 1])

fit: 1 for the major asked for or a major the MOHRSS crosswalk links to the occupation asked for; 0.5 for another
major of the same 专业类. capacity: the school's average yearly graduates entering work over the last three years
(graduates − continued, from ``major_points``) over the people asked for, capped at 1 (for enterprises: their
fitting demand over the seats offered). distance: same county 1, same city 0.6, farther 0.2. cooperation: past
records of the pair in the hub's ``cooperation`` table, 1 record 0.5, 2 or more 1. See docs/platform.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from silian.catalog import get_catalog
from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, PermissionDenied
from silian.domain.messages import register_messages, t
from silian.services.platform_posts import (
    DEMAND_KINDS,
    ENTERPRISE_KINDS,
    MAX_PAGE_SIZE,
    SCHOOL_KINDS,
    PostFilters,
    get_post,
    kind_name,
    list_posts,
    owns,
)
from silian.storage import hub as hub_store
from silian.storage import partners as store
from silian.storage.database import Connection, Database
from silian.storage.platform_posts import open_demand_rows

WEIGHTS = {"fit": 0.40, "capacity": 0.30, "distance": 0.15, "cooperation": 0.15}
FIT_DIRECT, FIT_RELATED = 1.0, 0.5
DISTANCE = {"county": 1.0, "city": 0.6, "farther": 0.2}
CAPACITY_YEARS = 3
COOPERATION_FULL = 2  # records for the full cooperation part
DECLARED_YEARS = 2    # declared demand of the latest two years counts for a school's offer
MAX_LIMIT = 50

register_messages(
    {
        "rec_joiner": ("；", "; "),
        "rec_fit_major": ("即所需专业“{major}”", "the major asked for ({major})"),
        "rec_fit_occupation": (
            "对口职业“{occupation}”（人社部专业—职业对照）",
            "leads to {occupation} (MOHRSS crosswalk)",
        ),
        "rec_fit_class": ("与所需专业同属“{cls}”专业类", "same major class ({cls}) as the major asked for"),
        "rec_capacity": (
            "近 {years} 年平均每年约 {n} 名毕业生进入就业市场（{need}）",
            "about {n} graduates a year entered work over the last {years} years ({need})",
        ),
        "rec_need": ("需求 {n} 人", "{n} asked for"),
        "rec_need_open": ("需求未注明人数", "no number asked for"),
        "rec_seats": ("本帖 {n} 个名额", "{n} seats offered"),
        "rec_distance_county": ("同在{place}", "same county ({place})"),
        "rec_distance_city": ("同城（{place}）", "same city ({place})"),
        "rec_distance_farther": ("不在同一城市", "not in the same city"),
        "rec_coop": ("双方已有合作 {n} 项（{kinds}）", "{n} past cooperation records together ({kinds})"),
        "rec_coop_none": ("双方尚无合作记录", "no past cooperation together"),
        "rec_e_fit_direct": ("需求与专业“{major}”对口", "demand fits the major {major}"),
        "rec_e_fit_class": ("需求属同一专业类“{cls}”", "demand in the same major class ({cls})"),
        "rec_e_volume": (
            "开放需求帖 {posts} 条、近年申报需求 {declared} 条，合计约 {n} 人（{need}）",
            "{posts} open posts and {declared} recent declared records, about {n} people ({need})",
        ),
        "rec_no_codes": (
            "该需求未填写职业或专业代码，无法匹配学校",
            "The post names no occupation or major, so no school can be matched",
        ),
        "rec_none_found": (
            "没有找到开设对口专业的学校或有对口需求的企业",
            "No school offers a fitting major and no enterprise has fitting demand",
        ),
        "rec_only_owner": (
            "只有发布单位或市级管理员可以查看推荐",
            "Only the post's owner or the city admin may see its recommendations",
        ),
        "rec_only_school": (
            "只有学校用户（或指定学校的市级管理员）可以查看为学校推荐的需求",
            "Only a school user (or the city admin naming a school) may see the posts recommended for a school",
        ),
    }
)


@dataclass(frozen=True)
class Recommendation:
    """One suggested partner: a school and major, an enterprise, or (for a school) a post; score parts in [0, 1]."""

    partner: str  # school | enterprise | post
    code: str
    name: str
    major_code: str | None
    major_name: str | None
    county_code: str | None
    score: float
    fit: float
    capacity: float
    distance: float
    cooperation: float
    volume: float  # graduates a year (school) or people demanded (enterprise)
    cooperation_records: int
    reason: str
    post_id: int | None = None
    post_kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RecommendationResult:
    """The suggestions for one post (or one school), best first, with the weights used and a note when empty."""

    post_id: int | None
    target: str  # schools | enterprises | posts
    items: list[Recommendation]
    weights: dict[str, float]
    note: str = ""


def combine(fit: float, capacity: float, distance: float, cooperation: float) -> float:
    """The weighted score (see the module docstring)."""
    return round(WEIGHTS["fit"] * fit + WEIGHTS["capacity"] * capacity + WEIGHTS["distance"] * distance
                 + WEIGHTS["cooperation"] * cooperation, 3)


def cooperation_part(records: int) -> float:
    return min(1.0, records / COOPERATION_FULL)


def capacity_part(volume: float, need: float) -> float:
    return min(1.0, volume / need) if need > 0 else 0.0


# ---------------------------------------------------------------- catalogue: which majors fit

def fitting_majors(major_code: str | None, occupation_code: str | None) -> pl.DataFrame:
    """Majors that can supply a post: major_code, fit (1 or 0.5), basis (major | occupation | class), label."""
    catalog = get_catalog()
    majors = catalog.majors("current").select("major_code", "major_name", "class_code", "class_name")
    direct: dict[str, tuple[str, str]] = {}
    if occupation_code:
        occupation = catalog.occupations.filter(pl.col("code") == occupation_code)["name"].to_list()
        label = occupation[0] if occupation else occupation_code
        for code in (
            catalog.major_occupations.filter(pl.col("occupation_code") == occupation_code)["major_code"]
            .unique()
            .to_list()
        ):
            direct[code] = ("occupation", label)
    if major_code:
        names = majors.filter(pl.col("major_code") == major_code)["major_name"].to_list()
        direct[major_code] = ("major", names[0] if names else major_code)
    rows = [{"major_code": m, "fit": FIT_DIRECT, "basis": b, "label": label} for m, (b, label) in direct.items()]
    classes = majors.filter(pl.col("major_code").is_in(list(direct)))
    related = majors.join(classes.select("class_code").unique(), on="class_code").filter(~pl.col("major_code").is_in(list(direct)))
    rows += [{"major_code": r["major_code"], "fit": FIT_RELATED, "basis": "class", "label": r["class_name"]}
             for r in related.iter_rows(named=True)]
    return pl.DataFrame(rows, schema={"major_code": pl.String, "fit": pl.Float64, "basis": pl.String, "label": pl.String})


def _fit_text(basis: str, label: str) -> str:
    return t({"major": "rec_fit_major", "occupation": "rec_fit_occupation", "class": "rec_fit_class"}[basis],
             major=label, occupation=label, cls=label)


# ---------------------------------------------------------------- hub data

@dataclass(frozen=True)
class Places:
    parent: dict[str, str | None]
    names: dict[str, str]

    def relation(self, a: str | None, b: str | None) -> tuple[str, str]:
        """(``county`` | ``city`` | ``farther``, place name) between two county codes."""
        if a and a == b:
            return "county", self.names.get(a, a)
        city_a, city_b = self.parent.get(a or ""), self.parent.get(b or "")
        if city_a and city_a == city_b:
            return "city", self.names.get(city_a, city_a)
        return "farther", ""


def region_places(conn: Connection) -> Places:
    rows = hub_store.region_rows(conn)
    return Places({code: parent for code, _name, parent in rows}, {code: name for code, name, _parent in rows})


def graduate_supply(conn: Connection, *, majors: list[str] | None = None, school: str | None = None) -> pl.DataFrame:
    """Per school and major: ``available`` = average yearly graduates − continued over the last CAPACITY_YEARS years."""
    first, latest = store.major_point_years(conn)
    schema = {"institution_code": pl.String, "major_code": pl.String, "available": pl.Float64}
    if first is None or latest is None:
        return pl.DataFrame(schema=schema)
    frame = store.graduates_since(conn, latest - CAPACITY_YEARS + 1, majors=majors, school=school)
    years = max(1, min(CAPACITY_YEARS, latest - first + 1))
    return frame.group_by("institution_code", "major_code").agg(
        ((pl.col("graduates") - pl.col("continued").fill_null(0)).clip(0).sum() / years).alias("available"))


def cooperation_pairs(conn: Connection, *, enterprise: str | None = None, school: str | None = None) -> dict[tuple[str, str], list[str]]:
    """(school, enterprise) → kinds of their cooperation records."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for institution, firm, kind in store.cooperation_rows(conn, enterprise=enterprise, school=school):
        pairs.setdefault((institution, firm or ""), []).append(kind)
    return pairs


def school_directory(conn: Connection) -> dict[str, tuple[str, str]]:
    return hub_store.school_directory(conn)


def _coop_text(kinds: list[str]) -> str:
    if not kinds:
        return t("rec_coop_none")
    return t("rec_coop", n=len(kinds), kinds=t("list_joiner").join(sorted(set(kinds))))


def _distance_text(relation: str, place: str) -> str:
    return t(f"rec_distance_{relation}", place=place)


def _need_text(need: int) -> str:
    return t("rec_need", n=need) if need > 0 else t("rec_need_open")


# ---------------------------------------------------------------- an enterprise post → schools

def score_schools(post: dict[str, Any], fits: pl.DataFrame, supply: pl.DataFrame, coop: dict[tuple[str, str], list[str]],
                   schools: dict[str, tuple[str, str]], places: Places) -> list[Recommendation]:
    rows = supply.join(fits, on="major_code", how="inner")
    need = int(post.get("count") or 0)
    scale = float(need) if need > 0 else float(rows["available"].max() or 0.0) if rows.height else 0.0  # type: ignore[arg-type]
    names = get_catalog().major_names
    found = []
    for r in rows.iter_rows(named=True):
        name, county = schools.get(r["institution_code"], (r["institution_code"], None))
        relation, place = places.relation(county, post.get("region_code"))
        kinds = coop.get((r["institution_code"], post.get("enterprise_credit_code") or ""), [])
        parts = (r["fit"], capacity_part(r["available"], scale), DISTANCE[relation], cooperation_part(len(kinds)))
        reason = t("rec_joiner").join([
            _fit_text(r["basis"], r["label"]),
            t("rec_capacity", years=CAPACITY_YEARS, n=f"{r['available']:.0f}", need=_need_text(need)),
            _distance_text(relation, place), _coop_text(kinds)])
        found.append(Recommendation("school", r["institution_code"], name, r["major_code"], names.get(r["major_code"]),  # type: ignore[call-arg]
                                    county, combine(*parts), *(round(x, 3) for x in parts), round(r["available"], 1),  # type: ignore[arg-type]
                                    len(kinds), reason, post.get("id"), post.get("kind")))
    return sorted(found, key=lambda x: (-x.score, -x.volume, x.code, x.major_code or ""))


def schools_for_post(conn: Connection, post: dict[str, Any]) -> list[Recommendation]:
    """Every school and major that could supply ``post``, scored, best first."""
    fits = fitting_majors(post.get("major_code"), post.get("occupation_code"))
    if fits.height == 0:
        return []
    supply = graduate_supply(conn, majors=fits["major_code"].to_list())
    coop = cooperation_pairs(conn, enterprise=post.get("enterprise_credit_code") or "")
    return score_schools(post, fits, supply, coop, school_directory(conn), region_places(conn))


# ---------------------------------------------------------------- a school post → enterprises

def _enterprise_demand(conn: Connection) -> pl.DataFrame:
    """Open enterprise demand posts and recent declared demand: enterprise, occupation, major, count, origin."""
    open_posts = open_demand_rows(conn)
    latest = store.latest_declared_year(conn)
    declared = [] if latest is None else store.declared_rows_after(conn, str(int(latest) - DECLARED_YEARS))
    schema = {"enterprise_credit_code": pl.String, "occupation_code": pl.String, "major_code": pl.String, "count": pl.Int64}
    return pl.concat([pl.DataFrame(open_posts, orient="row", schema=schema).with_columns(origin=pl.lit("post")),
                      pl.DataFrame(declared, orient="row", schema=schema).with_columns(origin=pl.lit("declared"))])


def enterprises_for_post(conn: Connection, post: dict[str, Any]) -> list[Recommendation]:
    """Enterprises whose open posts or recent declared demand fit the school post's major, scored, best first."""
    catalog = get_catalog()
    major = post.get("major_code") or ""
    majors = catalog.majors("current")
    cls = majors.filter(pl.col("major_code") == major).select("class_code", "class_name").head(1)
    class_majors = majors.filter(pl.col("class_code").is_in(cls["class_code"].to_list()))["major_code"].to_list()
    links = catalog.major_occupations
    direct_occ = links.filter(pl.col("major_code") == major)["occupation_code"].to_list()
    class_occ = links.filter(pl.col("major_code").is_in(class_majors))["occupation_code"].to_list()
    demand = _enterprise_demand(conn).with_columns(
        pl.when((pl.col("major_code") == major) | pl.col("occupation_code").is_in(direct_occ)).then(FIT_DIRECT)
        .when(pl.col("major_code").is_in(class_majors) | pl.col("occupation_code").is_in(class_occ)).then(FIT_RELATED)
        .otherwise(None).alias("fit")).drop_nulls("fit")
    if demand.height == 0:
        return []
    best = demand.with_columns(pl.col("fit").max().over("enterprise_credit_code").alias("best")).filter(pl.col("fit") == pl.col("best"))
    per = best.group_by("enterprise_credit_code").agg(
        pl.col("fit").first(), pl.col("count").sum().cast(pl.Float64).alias("volume"),
        (pl.col("origin") == "post").sum().alias("posts"), (pl.col("origin") == "declared").sum().alias("declared"))
    need = int(post.get("count") or 0)
    scale = float(need) if need > 0 else float(per["volume"].max() or 0.0)  # type: ignore[arg-type]
    info = hub_store.enterprise_directory(conn, per["enterprise_credit_code"].to_list())
    places, school = region_places(conn), post.get("institution_code") or ""
    coop = cooperation_pairs(conn, school=school)
    label = cls["class_name"][0] if cls.height else major
    major_name = majors.filter(pl.col("major_code") == major)["major_name"].to_list()
    found = []
    for r in per.iter_rows(named=True):
        name, county = info.get(r["enterprise_credit_code"], (r["enterprise_credit_code"], None))
        relation, place = places.relation(county, post.get("region_code"))
        kinds = coop.get((school, r["enterprise_credit_code"]), [])
        parts = (r["fit"], capacity_part(r["volume"], scale), DISTANCE[relation], cooperation_part(len(kinds)))
        fit_text = (t("rec_e_fit_direct", major=major_name[0] if major_name else major) if r["fit"] == FIT_DIRECT
                    else t("rec_e_fit_class", cls=label))
        need_text = t("rec_seats", n=need) if need > 0 else t("rec_need_open")
        reason = t("rec_joiner").join(
            [
                fit_text,
                t("rec_e_volume", posts=r["posts"], declared=r["declared"], n=f"{r['volume']:.0f}", need=need_text),
                _distance_text(relation, place),
                _coop_text(kinds),
            ]
        )
        found.append(
            Recommendation(
                "enterprise",
                r["enterprise_credit_code"],
                name,
                major or None,  # type: ignore[call-arg]
                major_name[0] if major_name else None,
                county,
                combine(*parts),
                *(round(x, 3) for x in parts),  # type: ignore[arg-type]
                r["volume"],
                len(kinds),
                reason,
                post.get("id"),
                post.get("kind"),
            )
        )  # type: ignore[arg-type]
    return sorted(found, key=lambda x: (-x.score, -x.volume, x.code))


# ---------------------------------------------------------------- services

def recommend_for_post(db: Database, principal: Principal, post_id: int, *, limit: int = 10) -> RecommendationResult:
    """Partners for one post (its owner or the city admin): schools for an enterprise post, enterprises for a
    school post; at most ``limit``, best first."""
    post = get_post(db, principal, post_id)
    if not owns(principal, post):
        raise PermissionDenied(t("rec_only_owner"))
    limit = max(1, min(limit, MAX_LIMIT))
    with db.engine.connect() as conn:
        if post["kind"] in SCHOOL_KINDS:
            items, target = enterprises_for_post(conn, post), "enterprises"
        else:
            items, target = schools_for_post(conn, post), "schools"
    note = ""
    if post["kind"] in ENTERPRISE_KINDS and not (post.get("major_code") or post.get("occupation_code")):
        note = t("rec_no_codes")
    elif not items:
        note = t("rec_none_found")
    return RecommendationResult(post_id, target, items[:limit], dict(WEIGHTS), note)


def _open_demand_posts(db: Database, principal: Principal) -> list[dict[str, Any]]:
    found, page = [], 1
    while True:
        batch = list_posts(db, principal, PostFilters(status="open"), sort="id", page=page, page_size=MAX_PAGE_SIZE)
        found += [post for post in batch.data if post["kind"] in DEMAND_KINDS]
        if page * batch.page_size >= batch.count:
            return found
        page += 1


def recommend_posts_for_school(db: Database, principal: Principal, *, institution_code: str | None = None,
                               limit: int = 10) -> RecommendationResult:
    """Open enterprise demand posts that fit a school (a school user's own; the city admin names one), each
    scored by the school's best fitting major, best first."""
    school = principal.institution_code if principal.role == "school_user" else institution_code if principal.is_admin else None
    if not school:
        raise PermissionDenied(t("rec_only_school"))
    limit = max(1, min(limit, MAX_LIMIT))
    with db.engine.connect() as conn:
        schools = school_directory(conn)
        if school not in schools:
            raise InvalidInput(t("acct_unknown_ref", what=t("ref_school"), code=school))
        supply, coop, places = graduate_supply(conn, school=school), cooperation_pairs(conn, school=school), region_places(conn)
    found = []
    for post in _open_demand_posts(db, principal):
        post_id = int(post["id"])
        scored = score_schools(post, fitting_majors(post.get("major_code"), post.get("occupation_code")), supply, coop,
                                schools, places)
        if scored:
            best = scored[0]
            found.append(Recommendation("post", str(post_id), post["title"], best.major_code, best.major_name,
                                        post.get("region_code"), best.score, best.fit, best.capacity, best.distance,
                                        best.cooperation, float(post.get("count") or 0), best.cooperation_records,
                                        f"{kind_name(post['kind'])} · {post.get('owner_name') or ''}：{best.reason}",
                                        post_id, post["kind"]))
    found.sort(key=lambda x: (-x.score, -(x.post_id or 0)))
    return RecommendationResult(None, "posts", found[:limit], dict(WEIGHTS), "" if found else t("rec_none_found"))
