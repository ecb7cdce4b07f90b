"""Source lines shared by the report sections; numbers are shown as the presenter shows them."""

from __future__ import annotations

from collections.abc import Iterable

from silian.domain.messages import current_lang, register_messages, t
from silian.domain.tables import HUB_TABLES
from silian.services.presentation.table import num, pct, whole

__all__ = ["num", "pct", "source_line", "table_name", "whole"]

register_messages(
    {
        "rp_source": ("数据来源：{items}", "Sources: {items}"),
        "rp_generated_mark": ("【生成数据】", " [generated]"),
        "rp_real_mark": ("（真实数据）", " (real data)"),
        "rp_catalog_crosswalks": (
            "专业→职业对照（人社部 2023）、专业→行业对照（本系统构建，见 docs/crosswalk_major_industry.md）",
            (
                "major→occupation crosswalk (MOHRSS 2023), major→industry crosswalk (bu"
                "ilt by this system; docs/crosswalk_major_industry.md)"
            ),
        ),
        "rp_catalog_continuations": (
            "接续专业（职业教育专业目录 2021）",
            "continuation majors (vocational catalogue 2021)",
        ),
    }
)


def source_line(tables: Iterable[str], generated: Iterable[str], *extra: str) -> str:
    """``数据来源：专业点（年度）【生成数据】、…`` — every table with its real/generated mark."""
    marked = set(generated)
    english = current_lang.get() == "en"
    items = [f"{table_name(n, english)}{t('rp_generated_mark') if n in marked else t('rp_real_mark')}" for n in tables]
    return t("rp_source", items=t("list_joiner").join([*items, *extra]))


OTHER_TABLES = {"post_demand": ("需求共享平台的人才需求（开放中的帖子）", "Talent demand posted on the platform (open posts)")}


def table_name(name: str, english: bool = False) -> str:
    """A hub table's display name (the open talent-demand posts of the platform included)."""
    spec = HUB_TABLES.get(name)
    if spec is None:
        return OTHER_TABLES.get(name, (name, name))[1 if english else 0]
    return spec.en if english else spec.zh
