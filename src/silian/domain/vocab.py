"""Controlled vocabularies used across the hub (values are stored in Chinese, as users write them)."""

from __future__ import annotations

# Catalogue level names as they appear in the official major catalogue, and their short English keys.
MAJOR_LEVELS: dict[str, str] = {
    "中等职业教育": "secondary",
    "高等职业教育专科": "associate",
    "高等职业教育本科": "bachelor",
}
LEVEL_BY_KEY = {v: k for k, v in MAJOR_LEVELS.items()}

# Institution levels; 技工学校 (MOHRSS system) teach at 中职 level.
SCHOOL_LEVELS: dict[str, str] = {
    "中职": "中等职业教育",
    "技工学校": "中等职业教育",
    "高职专科": "高等职业教育专科",
    "职业本科": "高等职业教育本科",
}
OWNERSHIP = ("公办", "民办")
SCHOOL_AFFILIATION = ("市属", "县属", "省属", "行业企业", "民办")

SKILL_LEVELS = ("不限", "初级工", "中级工", "高级工", "技师", "高级技师")
CERT_LEVEL_COLUMNS = ("cert_junior", "cert_intermediate", "cert_senior", "cert_technician", "cert_senior_technician")

ENTERPRISE_SIZES = ("大型", "中型", "小型", "微型")
DEMAND_SOURCES = ("declared", "posting", "statistics")
DEMAND_SOURCE_LABELS = {"declared": "企业申报", "posting": "招聘信息", "statistics": "统计推算"}
# what officials write in the 来源 column instead of the stored value (the labels, and common variants)
DEMAND_SOURCE_ALIASES = {**{label: code for code, label in DEMAND_SOURCE_LABELS.items()},
                         "申报": "declared", "企业需求": "declared", "招聘岗位": "posting", "招聘": "posting",
                         "网络招聘": "posting", "统计": "statistics", "统计数据": "statistics"}

COOPERATION_KINDS = ("订单班", "现代学徒制", "共建专业", "产业学院", "实训基地", "教师企业实践")
TRAINING_BASE_FUNCTIONS = ("教学", "培训", "鉴定", "生产", "服务")

REGION_LEVELS = ("省", "市", "县", "功能区")

TRUE_WORDS = frozenset({"是", "true", "True", "TRUE", "1", "Y", "y", "yes", "Yes", "√", "有"})
FALSE_WORDS = frozenset({"否", "false", "False", "FALSE", "0", "N", "n", "no", "No", "×", "无", ""})

# The demand-sharing platform: what a post is about. Enterprises publish the first four, schools the last two.
ENTERPRISE_KINDS = ("talent_demand", "tech_need", "order_class", "apprenticeship")
SCHOOL_KINDS = ("school_supply", "school_offer")
POST_KINDS = (*ENTERPRISE_KINDS, *SCHOOL_KINDS)
DEMAND_KINDS = ("talent_demand", "order_class", "apprenticeship")  # need an occupation or a major
KIND_NAMES = {"talent_demand": ("人才需求", "Talent demand"), "tech_need": ("技术需求", "Technology need"),
              "order_class": ("订单班名额", "Order-class seats"), "apprenticeship": ("学徒岗位", "Apprenticeship seats"),
              "school_supply": ("毕业生供给", "Graduate supply"), "school_offer": ("合作意向", "Cooperation offer")}
POST_STATUSES = ("open", "closed")
RESPONSE_STATUSES = ("pending", "accepted", "declined")

# Saved scenarios: a changed enrolment plan, a new plant, a school merger.
SCENARIO_KINDS = ("plan", "plant", "merger")
