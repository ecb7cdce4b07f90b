"""Every page in Chinese has no English word and every page in English no Chinese — except codes, units, proper
names and the few domain terms the English pages keep in Chinese on purpose (中职, 断头路 …, see the glossary).

Text inside ``translate="no"`` (names of schools, enterprises and majors from the data; quoted method cards) and
inside scripts, styles and JSON blocks is not read, nor is what a user types (`code`, command lines, options, paths).
The walk covers the dashboards, the homes of each role, the platform (a post included), the upload page, the postings
review, the planning pages (a solved plan included), the login page, 404 and 403 pages and every method card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.catalog import get_catalog
from silian.domain.access import Principal
from silian.domain.vocab import SKILL_LEVELS
from silian.services.platform_posts.publishing import create_post
from tests.support.fixtures import demo_for
from tests.web.test_dashboard_pages import Site, _site

METHOD_CARDS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "docs" / "methods").glob("*.md")
                      if p.name != "README.md")
PAGES = {"public": ["/", "/dashboard/counties", "/dashboard/gaps", "/dashboard/pathways", "/dashboard/schools",
                    "/dashboard/peers", "/dashboard/forecast", "/?region=410122", "/methods", "/login", "/platform",
                    "/no-such-page", *(f"/methods/{card}" for card in METHOD_CARDS)],
         "county_officer": ["/home", "/platform"],
         "school_user": ["/home", "/platform", "/platform/posts/{post}", "/planning/plan"],
         "enterprise_user": ["/home", "/platform", "/platform/new", "/platform/posts/{post}"],
         "city_admin": ["/home", "/data/upload", "/dashboard/postings", "/dashboard/postings/review", "/planning",
                        "/planning/plan", "/planning/plan?run=1&year=20x4", "/planning/plan?run=1", "/planning/match",
                        "/planning/scenarios", "/platform/posts/{post}"]}
STATUSES = {"/no-such-page": 404, "/planning/plan?run=1&year=20x4": 422}
SHOWN = {"/planning/plan?run=1": 'id="plan-result"', "/platform/posts/{post}": 'id="post-title"',
         "/data/upload": 'id="columns"', "/no-such-page": 'id="error-page"'}  # the part the walk is there to read
REFUSED = {("school_user", "/planning/plan"): 403}
# English that zh pages may show: codes, units, abbreviations, names of methods and software
ZH_ALLOWED = {"CSV", "Excel", "API", "TOPSIS", "HiGHS", "Duncan", "Şahin", "MASE", "GDP", "ECharts", "min", "max", "Fan",
              "Wang", "English", "window", "Jackman", "Roper", "Lightcast", "MyCOS", "JSON", "silian", "demo", "Silian",
              "naive", "drift", "ETS", "ARIMA", "sqrt", "MAPE", "UTF", "GBK", "BOM", "xlsx", "csv", "Parquet", "Lines",
              "POST"}
# what a user types, the same in both languages: `code`, command lines, options with their value, paths and files
CODE = re.compile(r"`[^`]*`|\bsilian(?: (?:[a-z][\w-]*|--?[\w-]+|…|\S+\.[a-z]+))+|--[\w-]+(?: [a-z]+\b)?"
                  r"|(?:/|\bdocs/)[\w/.-]+|\S+\.(?:md|csv|xlsx|json)\b")
# Chinese that en pages may show: domain terms kept as names (DOMAIN.md's key terms) and the language switch
EN_GLOSSARY = ("中文", "中职", "高职专科", "高职", "职业本科", "技工学校", "断头路", "散缺小", "供需链难畅", "大工匠难育", "职普",
               "达标", "苏锡常", "大典", "大类", "中类", "小类", "细类", "专业类", "专科", "双师型")


class VisibleText(HTMLParser):
    """The text a reader sees, without ``translate="no"`` parts, scripts, styles and hidden inputs."""

    SKIP = frozenset({"script", "style", "noscript"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            values = dict(attrs)
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(str(values["value"]))
            return
        hidden = dict(attrs).get("translate") == "no" or tag in self.SKIP
        self.stack.append((tag, hidden or any(h for _, h in self.stack)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not any(h for _, h in self.stack):
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# documents are cited by their Chinese titles and numbers (《…》, 教职成〔2022〕5号)
DOCUMENTS = re.compile(r"《[^》]*》|[\u3400-\u9fff]+〔\d{4}〕\d+号|（试行）")


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-zÀ-ɏ]{3,}", CODE.sub(" ", text)) if w not in ZH_ALLOWED}


def chinese(text: str, names: set[str]) -> set[str]:
    """Chinese left after the glossary, cited documents and proper names (majors, regions, schools, skill levels)."""
    text = DOCUMENTS.sub(" ", CODE.sub(" ", text))
    for term in sorted(set(EN_GLOSSARY) | names, key=len, reverse=True):
        text = text.replace(term, " ")
    return set(re.findall(r"[\u3400-\u9fff]+", text))


def proper_names(site: Site) -> set[str]:
    """Names from the data (a post's own words too) and the catalogues, which keep their Chinese in English pages."""
    with site.db.engine.connect() as conn:
        found = {name for (name,) in conn.execute(sa.text("SELECT name FROM institutions UNION SELECT name FROM regions "
                                                            "UNION SELECT name FROM enterprises"))}
        found |= {text for row in conn.execute(sa.text("SELECT title, description FROM posts")) for text in row if text}
    catalog = get_catalog()
    found |= {str(n) for n in catalog.major_names.values() if n} | {str(n) for n in catalog.occupation_names.values() if n}
    found |= set(catalog.majors()["class_name"].drop_nulls())
    return found | set(SKILL_LEVELS)


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("langs")
    for db in demo_for(request, "sqlite", folder):
        yield _site(db, folder)


@pytest.fixture(scope="module")
def post_id(site: Site) -> int:
    """A talent-demand post of the enterprise user's own enterprise (its post page, and the ones others see)."""
    with site.db.engine.connect() as conn:
        user_id, firm = conn.execute(sa.text("SELECT id, enterprise_credit_code FROM users WHERE username = 'firm'")).one()
    owner = Principal("enterprise_user", user_id=user_id, username="firm", enterprise_credit_code=firm)
    post = create_post(site.db, owner, {"kind": "talent_demand", "title": "招聘数控车工 20 名", "description": "两班倒，包食宿",
                                        "occupation_code": "6-18-01-01", "count": 20, "period": "2025",
                                        "skill_level": "中级工"})
    return int(post["id"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_speak_one_language(site: Site, post_id: int, lang: str) -> None:
    found: dict[str, set[str]] = {}
    names = proper_names(site)
    for role, paths in PAGES.items():
        client = site.clients[role] if role != "public" else TestClient(site.app)  # type: ignore[arg-type]
        client.cookies.set("silian_lang", lang)
        for path in paths:
            response = client.get(path.format(post=post_id), headers={"Accept": "text/html"})
            expected = REFUSED.get((role, path)) or STATUSES.get(path, 200)
            assert response.status_code == expected, (role, path, response.status_code)
            assert SHOWN.get(path, "") in response.text, (role, path)
            text = visible(response.text)
            wrong = english_words(text) if lang == "zh" else chinese(text, names)
            if wrong:
                found[f"{role} {path}"] = wrong
                for word in sorted(wrong)[:10]:  # where each word stands, for the one who fixes it
                    at = text.find(word)
                    print(lang, role, path, word, "::", " ".join(text[max(0, at - 60):at + 40].split()))
    for page, words in sorted(found.items()):
        print(lang, page, sorted(words)[:40])
    assert not found, found
