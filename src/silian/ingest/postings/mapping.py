"""Column mappings from an export's headers to the canonical posting fields, with presets for common layouts.

Canonical fields: ``title`` (required), ``description``, ``salary`` (one text like ``6-8K·13薪``) or
``salary_low``/``salary_high`` (numbers, with ``salary_unit`` such as ``k``), ``months``, ``city`` (one or more
columns, first non-empty wins), ``county``, ``education``, ``experience``, ``company``, ``industry_text``,
``date``, ``url``, ``posting_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

register_messages(
    {
        "postings_no_title": (
            "找不到岗位名称列（{wanted}）；文件的列：{columns}。请用 --column 指定，或使用预设 {presets}",
            "No job-title column ({wanted}); the file's columns: {columns}. Name it with --column or use a preset: {presets}",
        ),
        "postings_unknown_preset": (
            "未知的列映射预设：{name}；可选：{presets}",
            "Unknown column-mapping preset: {name}; choose one of {presets}",
        ),
    }
)


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds each canonical field (None: absent)."""

    name: str
    title: str
    description: str | None = None
    salary: str | None = None
    salary_low: str | None = None
    salary_high: str | None = None
    salary_unit: str = ""
    months: str | None = None
    city: tuple[str, ...] = ()
    county: str | None = None
    education: str | None = None
    experience: str | None = None
    company: str | None = None
    industry_text: str | None = None
    date: str | None = None
    url: str | None = None
    posting_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def used_columns(self) -> list[str]:
        single = [self.title, self.description, self.salary, self.salary_low, self.salary_high, self.months, self.county,
                  self.education, self.experience, self.company, self.industry_text, self.date, self.url, self.posting_id]
        return [c for c in (*single, *self.city) if c]


PRESETS: dict[str, ColumnMapping] = {
    "liepin": ColumnMapping(
        name="liepin", title="岗位名称", salary_low="薪酬low", salary_high="薪酬high", salary_unit="k", months="几薪",
        city=("工作城市", "城市2", "城市3", "地区"), education="学历", experience="工作年限", company="公司名称",
        industry_text="公司行业", date="发布日期", url="链接"),
    "zhaopin": ColumnMapping(
        name="zhaopin", title="职位名称", description="职位描述", salary="薪资", city=("工作地点", "城市"), education="学历要求",
        experience="工作经验", company="公司名称", industry_text="行业", date="发布时间", url="职位链接", posting_id="职位编号"),
    "generic_zh": ColumnMapping(
        name="generic_zh", title="岗位名称", description="岗位描述", salary="薪资", city=("城市",), county="区县",
        education="学历", experience="经验", company="公司", industry_text="行业", date="发布日期", posting_id="编号"),
    "generic_en": ColumnMapping(
        name="generic_en", title="title", description="description", salary="salary", city=("city",), county="county",
        education="education", experience="experience", company="company", industry_text="industry", date="date",
        url="url", posting_id="id"),
}
TITLE_CANDIDATES = ("岗位名称", "职位名称", "职位", "岗位", "招聘岗位", "job_name", "job_title", "title", "position")


def _present(columns: Sequence[str], mapping: ColumnMapping) -> ColumnMapping:
    """The mapping with the columns the file lacks dropped (the title must be there)."""
    have = set(columns)

    def keep(c: str | None) -> str | None:
        return c if c in have else None
    return ColumnMapping(
        name=mapping.name, title=mapping.title, description=keep(mapping.description), salary=keep(mapping.salary),
        salary_low=keep(mapping.salary_low), salary_high=keep(mapping.salary_high), salary_unit=mapping.salary_unit,
        months=keep(mapping.months), city=tuple(c for c in mapping.city if c in have), county=keep(mapping.county),
        education=keep(mapping.education), experience=keep(mapping.experience), company=keep(mapping.company),
        industry_text=keep(mapping.industry_text), date=keep(mapping.date), url=keep(mapping.url),
        posting_id=keep(mapping.posting_id))


def choose_mapping(columns: Sequence[str], preset: str | None = None, title_column: str | None = None) -> ColumnMapping:
    """The preset named (or the one whose title and most fields the file has), restricted to the file's columns;
    ``title_column`` overrides the title."""
    if preset and preset not in PRESETS:
        raise InvalidInput(t("postings_unknown_preset", name=preset, presets=", ".join(PRESETS)))
    candidates = [PRESETS[preset]] if preset else list(PRESETS.values())
    if title_column:
        candidates = [ColumnMapping(**{**c.__dict__, "title": title_column}) for c in candidates]
    scored = [(len(_present(columns, c).used_columns()), c) for c in candidates if c.title in columns]
    if not scored:
        guess = next((c for c in TITLE_CANDIDATES if c in columns), None)
        if guess is None or preset:
            raise InvalidInput(t("postings_no_title", wanted=title_column or "、".join(TITLE_CANDIDATES[:5]),
                                 columns="、".join(columns[:20]), presets=", ".join(PRESETS)))
        chosen = _present(columns, ColumnMapping(**{**PRESETS["generic_zh"].__dict__, "title": guess, "name": "auto"}))
    else:
        chosen = _present(columns, max(scored, key=lambda sc: sc[0])[1])
    return chosen if preset else filled_from_presets(columns, chosen)


SINGLE_FIELDS = ("description", "salary", "salary_low", "salary_high", "months", "county", "education", "experience",
                 "company", "industry_text", "date", "url", "posting_id")


def filled_from_presets(columns: Sequence[str], mapping: ColumnMapping) -> ColumnMapping:
    """``mapping`` with each field it leaves empty taken from another preset's header for that field, when the file
    has that header and nothing else uses it (an export mixing layouts: 岗位名称 of one, 工作地点 and 薪资 of another).
    A salary given as one text and as low/high numbers is never both: the mapping's own choice stays."""
    have, used = set(columns), set(mapping.used_columns())
    changes: dict[str, object] = {}
    salary_taken = bool(mapping.salary or mapping.salary_low)
    for name in SINGLE_FIELDS:
        if getattr(mapping, name) is not None or (salary_taken and name in ("salary", "salary_low", "salary_high")):
            continue
        for preset in PRESETS.values():
            header = getattr(preset, name)
            if header and header in have and header not in used:
                changes[name] = header
                used.add(header)
                if name in ("salary", "salary_low"):  # bare numbers mean what that layout means by them
                    changes["salary_unit"] = preset.salary_unit
                break
    if not mapping.city:
        cities = tuple(dict.fromkeys(c for preset in PRESETS.values() for c in preset.city if c in have and c not in used))
        if cities:
            changes["city"] = cities
    return ColumnMapping(**{**mapping.__dict__, **changes}) if changes else mapping
