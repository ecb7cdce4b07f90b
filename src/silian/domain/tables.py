"""The hub's tables as pure descriptions: fields, Chinese headers, checks and natural keys.

One source of truth: storage builds its SQL tables from these specs, and import, export and templates
read the same specs, so a header, a check or a key is defined exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from silian.domain import vocab


@dataclass(frozen=True)
class Field:
    """One column: ``kind`` is str, int, float, bool or period (``YYYY`` or ``YYYY-MM``)."""

    name: str
    zh: str
    en: str
    kind: str = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    check: str | None = None  # major, occupation, industry, credit_code, region, institution, enterprise
    low: float | None = None
    high: float | None = None
    length: int = 200
    help: str = ""
    help_en: str = ""
    # other spellings a user may write for a choice (e.g. its Chinese label), mapped to the stored value
    aliases: tuple[tuple[str, str], ...] = ()
    example: str = ""  # a valid value, shown in templates (the default comes from the kind and the check)

    def label(self, value: str) -> str:
        """The Chinese label of a stored choice (the value itself when it has none)."""
        return next((alias for alias, code in self.aliases if code == value), value)


@dataclass(frozen=True)
class Rule:
    """A rule across fields: ``le`` (sum of ``parts`` ≤ ``whole``) or ``one_of`` (one of ``parts`` set)."""

    kind: str
    parts: tuple[str, ...]
    whole: str | None = None
    tolerance: float = 0.0  # relative, for sums of decimals


@dataclass(frozen=True)
class TableSpec:
    """An importable hub table; ``key`` is its natural key (upsert target)."""

    name: str
    zh: str
    en: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    help: str = ""
    help_en: str = ""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _count(name: str, zh: str, en: str, help: str = "", required: bool = False) -> Field:
    return Field(name, zh, en, "int", required=required, low=0, help=help)


def _amount(name: str, zh: str, en: str, help: str = "") -> Field:
    return Field(name, zh, en, "float", low=0, help=help)


YEAR = Field("year", "年份", "Year", "int", required=True, low=2000, high=2100, help="四位年份，如 2024",
             help_en="Four digits, e.g. 2024")
INSTITUTION = Field(
    "institution_code", "学校代码", "School code", required=True, check="institution", length=20,
    help="学校标识码（10 位），须已在“学校”表中",
    help_en="The school's 10-digit identifier; the school must be in the schools table",
)
COUNTY = Field(
    "county_code", "所在县市区代码", "County code", required=True, check="region", length=12,
    help="6 位行政区划代码，如 410105（金水区）", help_en="6-digit division code, e.g. 410105 (金水区)",
)

REGIONS = TableSpec(
    "regions", "行政区划", "Regions",
    (
        Field("code", "区划代码", "Division code", required=True, length=12, help="6 位行政区划代码",
              help_en="6-digit division code"),
        Field("name", "名称", "Name", required=True),
        Field("level", "层级", "Level", required=True, choices=vocab.REGION_LEVELS),
        Field("parent_code", "上级区划代码", "Parent code", length=12),
        Field("is_peer", "是否对标城市", "Peer city", "bool", help="苏锡常等对标城市填“是”",
              help_en="`是` (yes) for a peer city such as 苏锡常"),
    ),
    key=("code",),
)

INSTITUTIONS = TableSpec(
    "institutions", "学校", "Schools",
    (
        Field("code", "学校代码", "School code", required=True, length=20, help="学校标识码（10 位）",
              help_en="The school's 10-digit identifier"),
        Field("name", "学校名称", "School name", required=True),
        Field("level", "办学层次", "Level", required=True, choices=tuple(vocab.SCHOOL_LEVELS)),
        Field("ownership", "举办性质", "Ownership", required=True, choices=vocab.OWNERSHIP),
        Field("affiliation", "隶属关系", "Affiliation", choices=vocab.SCHOOL_AFFILIATION),
        COUNTY,
        Field("address", "地址", "Address", length=300),
        Field("in_vocational_park", "是否入驻职教园区", "In the vocational park", "bool"),
    ),
    key=("code",),
)

INSTITUTION_RESOURCES = TableSpec(
    "institution_resources", "学校办学条件（年度）", "School resources by year",
    (
        INSTITUTION,
        YEAR,
        _amount("land_area_m2", "占地面积（平方米）", "Campus area (m²)"),
        _amount("building_area_m2", "校舍建筑面积（平方米）", "Building area (m²)"),
        _amount("equipment_value_10k", "教学仪器设备值（万元）", "Equipment value (10k yuan)"),
        _count("books", "纸质图书（册）", "Books"),
        _count("teachers", "专任教师数", "Full-time teachers"),
        _count("major_teachers", "专业课教师数", "Major-subject teachers"),
        _count("dual_teachers", "双师型教师数", "Dual-qualified teachers"),
        _count("enterprise_part_time", "企业兼职教师数", "Part-time teachers from enterprises"),
        _count("training_stations", "实训工位数", "Training stations"),
    ),
    key=("institution_code", "year"),
    rules=(Rule("le", ("major_teachers",), "teachers"), Rule("le", ("dual_teachers",), "major_teachers")),
)

MAJOR_POINTS = TableSpec(
    "major_points", "专业点（年度）", "Major offerings by year",
    (
        INSTITUTION,
        Field("major_code", "专业代码", "Major code", required=True, check="major", length=12,
              help="职业教育专业目录代码，如 660103", help_en="Code in the vocational major catalogue, e.g. 660103"),
        YEAR,
        _count("enrolment", "招生数", "Enrolled this year", required=True),
        _count("students", "在校生数", "Students in school", required=True),
        _count("graduates", "毕业生数", "Graduates", required=True),
        _count("employed", "就业人数", "Employed"),
        _count("employed_related", "对口就业人数", "Employed in a related job"),
        _count("continued", "升学人数", "Continued to a higher level"),
        _count("stayed_local", "本地就业人数", "Employed in the region"),
        _count("cert_junior", "初级工证书", "Certificates: junior (初级工)"),
        _count("cert_intermediate", "中级工证书", "Certificates: intermediate (中级工)"),
        _count("cert_senior", "高级工证书", "Certificates: senior (高级工)"),
        _count("cert_technician", "技师证书", "Certificates: technician (技师)"),
        _count("cert_senior_technician", "高级技师证书", "Certificates: senior technician (高级技师)"),
    ),
    key=("institution_code", "major_code", "year"),
    rules=(
        Rule("le", ("enrolment",), "students"),
        Rule("le", ("employed", "continued"), "graduates"),
        Rule("le", ("employed_related",), "employed"),
        Rule("le", ("stayed_local",), "employed"),
        Rule("le", vocab.CERT_LEVEL_COLUMNS, "graduates"),
    ),
    help="证书按毕业生取得的最高等级计数，各等级之和不超过毕业生数",
    help_en="Certificates count each graduate's highest level; the levels add up to at most the graduates",
)

ENTERPRISES = TableSpec(
    "enterprises", "企业", "Enterprises",
    (
        Field("credit_code", "统一社会信用代码", "Unified social credit code", required=True,
              check="credit_code", length=18, help="18 位，见营业执照",
              help_en="18 characters, on the business licence"),
        Field("name", "企业名称", "Name", required=True),
        Field("industry_code", "行业代码", "Industry code", required=True, check="industry", length=5,
              help="GB/T 4754-2017 大类（2 位）、中类（3 位）或小类（4 位）代码",
              help_en="GB/T 4754-2017 division (2 digits), group (3) or class (4) code"),
        COUNTY,
        Field("size", "企业规模", "Size", choices=vocab.ENTERPRISE_SIZES),
        Field("is_integration", "是否产教融合型企业", "Certified 产教融合型 enterprise", "bool"),
        _count("employees", "从业人数", "Employees"),
    ),
    key=("credit_code",),
)

INDUSTRY_STATS = TableSpec(
    "industry_stats", "产业统计（年度）", "Industry statistics by year",
    (
        Field("region_code", "区划代码", "Region code", required=True, check="region", length=12),
        YEAR,
        Field("industry_code", "行业代码", "Industry code", required=True, check="industry", length=5,
              help="GB/T 4754-2017 门类（字母）或大类（2 位）代码",
              help_en="GB/T 4754-2017 section (a letter) or division (2 digits) code"),
        _amount("value_added", "增加值（亿元）", "Value added (100m yuan)"),
        _amount("employment", "从业人员（万人）", "Employment (10k persons)"),
        _count("enterprises", "规上企业数", "Enterprises above designated size"),
        _amount("rd_expenditure", "R&D 经费（亿元）", "R&D expenditure (100m yuan)"),
        _count("patents", "专利授权数", "Patents granted"),
    ),
    key=("region_code", "year", "industry_code"),
)

REGIONAL_ECONOMY = TableSpec(
    "regional_economy", "地区生产总值（年度）", "Regional GDP by year",
    (
        Field("region_code", "区划代码", "Region code", required=True, check="region", length=12),
        YEAR,
        _amount("gdp", "地区生产总值（亿元）", "GDP (100m yuan)"),
        _amount("primary_va", "第一产业增加值（亿元）", "Primary sector (100m yuan)"),
        _amount("secondary_va", "第二产业增加值（亿元）", "Secondary sector (100m yuan)"),
        _amount("tertiary_va", "第三产业增加值（亿元）", "Tertiary sector (100m yuan)"),
    ),
    key=("region_code", "year"),
    rules=(Rule("le", ("primary_va", "secondary_va", "tertiary_va"), "gdp", tolerance=0.01),),
    help="三次产业增加值之和应等于地区生产总值（允许 1% 的舍入误差）",
    help_en="The three sectors' value added sum to the GDP (1% rounding allowed)",
)

DEMAND = TableSpec(
    "demand", "人才需求", "Talent demand",
    (
        Field("source", "来源", "Source", required=True, choices=vocab.DEMAND_SOURCES,
              help="企业申报、招聘信息或统计推算（也可写 declared、posting、statistics）",
              help_en="Declared by an enterprise, from job postings or estimated from statistics (or declared, posting, statistics)",
              aliases=tuple(vocab.DEMAND_SOURCE_ALIASES.items())),
        Field("region_code", "区划代码", "Region code", required=True, check="region", length=12),
        Field("period", "时期", "Period", "period", required=True, length=7, help="年（2024）或年月（2024-06）",
              help_en="A year (2024) or a month (2024-06)"),
        Field("enterprise_credit_code", "企业统一社会信用代码", "Enterprise credit code", check="enterprise",
              length=18, help="企业申报时填写，须已在“企业”表中",
              help_en="For a declared demand; the enterprise must be in the enterprises table"),
        Field("occupation_code", "职业代码", "Occupation code", check="occupation", length=12,
              help="职业分类大典 2022 细类，如 6-18-01-07",
              help_en="Occupation of the 2022 大典 (the finest level), e.g. 6-18-01-07"),
        Field("major_code", "专业代码", "Major code", check="major", length=12),
        Field("skill_level", "技能等级", "Skill level", required=True, choices=vocab.SKILL_LEVELS),
        _count("count", "需求人数", "Openings", required=True),
    ),
    key=("source", "region_code", "period", "enterprise_credit_code", "occupation_code", "major_code", "skill_level"),
    rules=(Rule("one_of", ("occupation_code", "major_code")),),
)

COOPERATION = TableSpec(
    "cooperation", "校企合作", "School–enterprise cooperation",
    (
        Field("kind", "合作类型", "Kind", required=True, choices=vocab.COOPERATION_KINDS),
        INSTITUTION,
        Field("enterprise_credit_code", "企业统一社会信用代码", "Enterprise credit code", check="enterprise", length=18),
        Field("major_code", "专业代码", "Major code", check="major", length=12),
        Field("name", "项目名称", "Name", required=True),
        Field("start_year", "开始年份", "Start year", "int", required=True, low=2000, high=2100),
        Field("end_year", "结束年份", "End year", "int", low=2000, high=2100),
        _count("participants", "学生/学员/教师人数", "Students, trainees or teachers"),
        _count("capacity", "工位数（实训基地）", "Stations (training bases)"),
        Field("fn_teaching", "教学功能", "Teaching", "bool"),
        Field("fn_training", "培训功能", "Training", "bool"),
        Field("fn_assessment", "鉴定功能", "Assessment", "bool"),
        Field("fn_production", "生产功能", "Production", "bool"),
        Field("fn_service", "服务功能", "Service", "bool"),
        _count("practice_days", "企业实践天数（教师）", "Days of enterprise practice (teachers)"),
    ),
    key=("kind", "institution_code", "enterprise_credit_code", "major_code", "name", "start_year"),
)

FUNDING = TableSpec(
    "funding", "经费（年度）", "Funding by year",
    (
        INSTITUTION,
        YEAR,
        _amount("appropriation_10k", "财政拨款（万元）", "Public appropriation (10k yuan)"),
        _amount("per_student_yuan", "生均拨款（元）", "Per-student appropriation (yuan)"),
        _amount("special_funds_10k", "专项经费（万元）", "Special funds (10k yuan)"),
        _amount("other_income_10k", "其他收入（万元）", "Other income (10k yuan)"),
    ),
    key=("institution_code", "year"),
)

INNOVATION = TableSpec(
    "innovation", "创新指标（年度）", "Innovation indicators by year",
    (
        INSTITUTION,
        YEAR,
        _amount("tech_service_income_10k", "技术服务到款额（万元）", "Technical-service income (10k yuan)"),
        _count("joint_projects", "校企联合项目数", "Joint projects with enterprises"),
        _count("patents", "专利授权数", "Patents granted"),
        _count("skill_awards", "技能大赛获奖数", "Skills-competition awards"),
    ),
    key=("institution_code", "year"),
)

HUB_TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        REGIONS, INSTITUTIONS, INSTITUTION_RESOURCES, MAJOR_POINTS, ENTERPRISES, INDUSTRY_STATS,
        REGIONAL_ECONOMY, DEMAND, COOPERATION, FUNDING, INNOVATION,
    )
}
# which table a reference check looks in, and by which column
REFERENCE_TARGETS = {"region": ("regions", "code"), "institution": ("institutions", "code"),
                     "enterprise": ("enterprises", "credit_code")}


def _table_aliases(spec: TableSpec) -> set[str]:
    plain_zh = spec.zh.split("（")[0]
    return {spec.name, spec.name.lower(), spec.zh, plain_zh, spec.en, spec.en.lower()}


def resolve_table(name: str) -> str | None:
    """The table a user means by ``name``: its own name, its Chinese name (with or without “（年度）”) or its
    English name, any case (``企业`` → ``enterprises``); None when no table has that name."""
    wanted = name.strip()
    for spec in HUB_TABLES.values():
        if wanted in _table_aliases(spec) or wanted.lower() in _table_aliases(spec):
            return spec.name
    return None
