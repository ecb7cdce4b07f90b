"""Every page in Chinese has no English word and every page in English no Chinese — except codes, units, proper
names and the few domain terms the English pages keep in Chinese on purpose (中职, 断头路 …, see the glossary).

Text inside ``translate="no"`` (names of schools, enterprises and majors from the data; quoted method cards) and
inside scripts, styles and JSON blocks is not read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silian.catalog import get_catalog
from silian.domain.vocab import SKILL_LEVELS
from tests.support.fixtures import demo_for
from tests.web.test_dashboard_pages import Site, _site

PAGES = {"public": ["/", "/dashboard/counties", "/dashboard/gaps", "/dashboard/pathways", "/dashboard/schools",
                    "/dashboard/peers", "/dashboard/forecast", "/?region=410122", "/methods"],
         "county_officer": ["/home"], "school_user": ["/home"], "enterprise_user": ["/home"],
         "city_admin": ["/planning/plan", "/planning/plan?run=1&year=20x4"]}
# English that zh pages may show: codes, units, abbreviations, names of methods and software
ZH_ALLOWED = {"CSV", "Excel", "API", "TOPSIS", "HiGHS", "Duncan", "Şahin", "MASE", "GDP", "ECharts", "min", "max", "Fan",
              "Wang", "English", "window", "Jackman", "Roper", "Lightcast", "MyCOS", "JSON", "silian", "demo", "Silian",
              "naive", "drift", "ETS", "ARIMA", "sqrt", "MAPE"}
# Chinese that en pages may show: domain terms kept as names (DOMAIN.md's key terms) and the language switch
EN_GLOSSARY = ("中文", "中职", "高职专科", "高职", "职业本科", "技工学校", "断头路", "散缺小", "供需链难畅", "大工匠难育", "职普",
               "达标", "苏锡常", "大典", "专业类", "专科", "双师型")


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
    return {w for w in re.findall(r"[A-Za-zÀ-ɏ]{3,}", text) if w not in ZH_ALLOWED}


def chinese(text: str, names: set[str]) -> set[str]:
    """Chinese left after the glossary, cited documents and proper names (majors, regions, schools, skill levels)."""
    text = DOCUMENTS.sub(" ", text)
    for term in sorted(set(EN_GLOSSARY) | names, key=len, reverse=True):
        text = text.replace(term, " ")
    return set(re.findall(r"[\u3400-\u9fff]+", text))


def proper_names(site: Site) -> set[str]:
    """Names from the data and the catalogues, which keep their Chinese in English pages."""
    with site.db.engine.connect() as conn:
        found = {name for (name,) in conn.execute(sa.text("SELECT name FROM institutions UNION SELECT name FROM regions "
                                                            "UNION SELECT name FROM enterprises"))}
    found |= {str(n) for n in get_catalog().major_names.values() if n}
    return found | set(SKILL_LEVELS)


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("langs")
    for db in demo_for(request, "sqlite", folder):
        yield _site(db, folder)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_speak_one_language(site: Site, lang: str) -> None:
    found: dict[str, set[str]] = {}
    names = proper_names(site)
    for role, paths in PAGES.items():
        client = site.clients[role] if role != "public" else TestClient(site.app)  # type: ignore[arg-type]
        client.cookies.set("silian_lang", lang)
        for path in paths:
            response = client.get(path, headers={"Accept": "text/html"})
            assert response.status_code in (200, 422), (path, response.status_code)
            text = visible(response.text)
            wrong = english_words(text) if lang == "zh" else chinese(text, names)
            if wrong:
                found[f"{role} {path}"] = wrong
    for page, words in sorted(found.items()):
        print(lang, page, sorted(words)[:40])
    assert not found, found
