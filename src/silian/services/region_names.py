"""English names of regions: the pinyin of the place name and the English of its ending (``中牟县`` →
``Zhongmu County``)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

from silian.domain.messages import current_lang

# the English for the endings of region names (longest first), after the pinyin of the place name before them
ENDINGS = (
    ("航空港经济综合实验区", "Airport Economy Zone"),
    ("高新技术产业开发区", "High-tech Industrial Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("经济开发区", "Economic Development Zone"),
    ("开发区", "Development Zone"),
    ("回族区", "Hui District"),
    ("新区", "New Area"),
    ("区", "District"),
    ("县", "County"),
    ("市", ""),
    ("省", "Province"),
)


@lru_cache(maxsize=4096)
def english_region_name(name: str) -> str:
    """``郑州市`` → ``Zhengzhou``, ``中牟县`` → ``Zhongmu County``, ``管城回族区`` → ``Guancheng Hui District``."""
    for ending, english in ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            place = "".join(lazy_pinyin(name[: -len(ending)])).capitalize()
            return f"{place} {english}".strip()
    return "".join(lazy_pinyin(name)).capitalize()


def region_name_in(name: str, lang: str | None = None) -> str:
    """``name`` in ``lang`` (default: the current language): itself in Chinese, :func:`english_region_name` in English."""
    return english_region_name(name) if (lang or current_lang.get()) == "en" else name
