"""Build the 专业 / 专业类 → GB/T 4754-2017 大类 crosswalk from text and occupation evidence.

Usage: ``python tools/build_major_industry.py --shared /work/shared/data [--out DIR]``

Writes ``major_industry_major.csv`` and ``major_industry_class.csv`` (default: the package's
``src/silian/catalog/data``). Deterministic and offline. The method is described in
``docs/crosswalk_major_industry.md``; the curated tables below are part of that method.
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src/silian/catalog/data"

# ---------------------------------------------------------------- lexicon settings
LEVEL_WEIGHT = {"大类": 4.0, "中类": 2.0, "小类": 1.0}
DESCRIPTION_FACTOR = 0.3  # a term found in a 说明 counts this much of a name hit
TRADE_DAMPING = {"51": 0.25, "52": 0.25, "71": 0.25}  # "XX批发/零售/租赁" names repeat product words
NAME_SPLIT = re.compile(r"[、，,；;（）()及和与或]")
SUFFIXES = ("制造业", "制造", "制品业", "制品", "加工业", "加工", "生产", "供应", "批发", "零售",
            "服务业", "服务", "活动", "业", "工程")
STOP_TERMS = {
    "设备", "产品", "用品", "专业", "技术", "管理", "相关", "辅助", "器材", "材料",
    "综合", "工程", "组织", "机构", "生产", "服务", "其他", "专用", "通用", "日用",
    "配件", "零部件", "器件", "制品", "装置", "设施", "用具", "经营", "运营", "成品",
    "原料", "工业", "专业技术", "开发", "研究", "设计", "信息", "物品", "经纪", "代理",
    "修理", "维护", "安装", "检测", "监测", "咨询", "科技", "推广", "加工", "应用",
    "系统", "组织管理", "工程技术", "商务", "电话", "家庭", "包装", "零件制造", "组件制造",
    "材料制造", "农用", "包括", "不包括", "主要", "各种", "各类", "以及", "用于", "提供",
    "进行", "单位", "活动", "生产活动", "销售", "制作", "部件", "元件", "仪器", "机构服务",
    "技术服务", "中心", "其他专业", "质量", "安全", "环境", "公共", "社会", "基础",
    "一般", "支持", "设备制造", "机械设备", "数字", "智能", "新型", "现代", "特种",
    "专项", "电子设备", "工程建筑", "制造", "调查", "运行维护", "资源", "修复", "设备安装",
    "利用", "供应", "组件", "相关服务", "器具", "办公", "三维", "3D", "计算", "零件",
    "附件", "管理服务", "商业", "更新", "分配", "气体", "监护", "相关装置制造", "产品制造",
    "设备修理", "社会团体", "事业单位", "机关", "企业", "团体", "绘图",
}
# Words the GB/T names do not use but that are unambiguous in vocational texts (curated lexicon).
EXTRA_TERMS: dict[str, dict[str, float]] = {
    "化工": {"26": 1}, "化学工程": {"26": 1}, "精细化工": {"26": 1}, "石油化工": {"25": 0.5, "26": 0.5},
    "医院": {"84": 1}, "临床": {"84": 1}, "护士": {"84": 1}, "护理": {"84": 0.6, "85": 0.4},
    "诊疗": {"84": 1}, "患者": {"84": 1}, "药房": {"52": 0.5, "84": 0.5}, "药品": {"27": 0.6, "52": 0.4},
    "制药": {"27": 1}, "药物制剂": {"27": 1}, "医疗器械": {"35": 0.7, "51": 0.15, "52": 0.15},
    "幼儿园": {"83": 1}, "幼儿": {"83": 1}, "教师": {"83": 1}, "教学": {"83": 1}, "学校": {"83": 1},
    "酒店": {"61": 1}, "宾馆": {"61": 1}, "客房": {"61": 1}, "民宿": {"61": 1},
    "烹饪": {"62": 1}, "厨师": {"62": 1}, "菜肴": {"62": 1}, "餐厅": {"62": 1}, "中餐": {"62": 1},
    "西餐": {"62": 1}, "面点": {"62": 1}, "导游": {"72": 1}, "旅游": {"72": 0.6, "78": 0.4},
    "电子商务": {"52": 0.6, "64": 0.4}, "网店": {"52": 1}, "跨境电子商务": {"51": 0.6, "52": 0.4},
    "物流": {"59": 0.5, "58": 0.3, "54": 0.2}, "仓库": {"59": 1}, "配送": {"59": 0.6, "60": 0.4},
    "软件": {"65": 1}, "程序": {"65": 1}, "网络": {"64": 0.5, "65": 0.5}, "大数据": {"65": 0.6, "64": 0.4},
    "云计算": {"64": 0.5, "65": 0.5}, "人工智能": {"65": 1}, "网站": {"64": 1}, "动漫": {"65": 0.5, "87": 0.5},
    "动画": {"87": 1}, "影视": {"87": 1}, "摄影": {"80": 0.5, "87": 0.5}, "播音": {"87": 1}, "主持": {"87": 1},
    "美发": {"80": 1}, "美容": {"80": 1}, "家政": {"80": 1}, "养老": {"85": 1}, "老年": {"85": 1},
    "婴幼儿托育": {"80": 0.5, "83": 0.5}, "社区": {"96": 0.6, "85": 0.4}, "物业": {"70": 1},
    "会计": {"72": 1}, "财务": {"72": 1}, "审计": {"72": 1}, "税务": {"72": 0.5, "92": 0.5},
    "银行": {"66": 1}, "证券": {"67": 1}, "统计": {"72": 0.5, "92": 0.5}, "市场营销": {"51": 0.5, "52": 0.5},
    "营销": {"51": 0.5, "52": 0.5}, "行政": {"92": 1}, "政务": {"92": 1}, "公安": {"92": 1}, "警察": {"92": 1},
    "司法": {"92": 1}, "监狱": {"92": 1}, "戒毒": {"92": 1}, "法院": {"92": 1}, "律师": {"72": 1},
    "保安": {"72": 1}, "消防": {"92": 0.7, "72": 0.3}, "体育": {"89": 1}, "运动": {"89": 1}, "健身": {"89": 1},
    "舞蹈": {"88": 1}, "音乐": {"88": 1}, "戏曲": {"88": 1}, "美术": {"88": 1}, "表演": {"88": 1},
    "编辑": {"86": 1}, "新闻": {"86": 1}, "翻译": {"72": 1}, "铁道": {"53": 1}, "列车": {"53": 1},
    "机车": {"53": 0.6, "37": 0.4}, "动车组": {"53": 0.6, "37": 0.4}, "民航": {"56": 1},
    "飞机": {"37": 0.5, "56": 0.5},
    "船员": {"55": 1}, "轮机": {"55": 1}, "航海": {"55": 1}, "地铁": {"54": 1}, "城市轨道": {"54": 1},
    "快递": {"60": 1}, "邮政": {"60": 1}, "汽车维修": {"81": 1}, "汽车检测": {"81": 1},
    "数控": {"34": 1}, "机床": {"34": 1}, "模具": {"35": 1}, "焊接": {"33": 0.5, "34": 0.5},
    "工业机器人": {"34": 1}, "机器人": {"34": 1}, "自动化生产线": {"34": 0.5, "35": 0.5},
    "机电设备": {"34": 0.4, "35": 0.3, "38": 0.3}, "电机": {"38": 1}, "变压器": {"38": 1},
    "供配电": {"44": 1}, "供电": {"44": 1}, "用电": {"44": 1}, "配电": {"44": 1},
    "发电": {"44": 1}, "电网": {"44": 1}, "光伏": {"38": 0.5, "44": 0.5}, "风电": {"44": 0.6, "38": 0.4},
    "集成电路": {"39": 1}, "芯片": {"39": 1}, "半导体": {"39": 1}, "通信": {"63": 0.5, "39": 0.5},
    "电子产品": {"39": 1}, "冶金": {"31": 0.5, "32": 0.5}, "钢铁": {"31": 1}, "炼钢": {"31": 1},
    "建筑施工": {"47": 1}, "施工": {"47": 0.5, "48": 0.5}, "建筑工程": {"47": 1}, "装饰": {"50": 1},
    "装修": {"50": 1}, "市政": {"48": 1}, "道路桥梁": {"48": 1}, "给排水": {"46": 0.5, "49": 0.5},
    "测量": {"74": 1}, "地质": {"74": 1}, "矿山": {"10": 0.5, "06": 0.5}, "煤矿": {"06": 1}, "采煤": {"06": 1},
    "油气": {"07": 1}, "钻井": {"07": 0.5, "11": 0.5}, "环保": {"77": 1}, "污染": {"77": 1}, "生态": {"77": 1},
    "园林": {"78": 0.6, "05": 0.4}, "水利": {"76": 1}, "水文": {"74": 0.5, "76": 0.5}, "气象": {"74": 1},
    "兽医": {"05": 0.6, "03": 0.4}, "畜禽": {"03": 1}, "养殖": {"03": 0.6, "04": 0.4}, "水产": {"04": 1},
    "作物": {"01": 1}, "种植": {"01": 1}, "森林": {"02": 1}, "林木": {"02": 1},
    "舞台": {"88": 1}, "化工产品": {"26": 1}, "地质勘探": {"74": 1}, "公路": {"48": 0.7, "54": 0.3},
    "中药": {"27": 0.6, "84": 0.4}, "粮油": {"13": 1}, "粮食": {"13": 0.7, "59": 0.3},
    "城市轨道交通": {"54": 1}, "机场": {"56": 1}, "住宿": {"61": 1}, "医疗": {"84": 1},
    "计算机网络": {"64": 0.5, "65": 0.5}, "计算机应用": {"65": 1}, "信息系统": {"65": 1},
}
NORMALIZE = (("维修", "修理"), ("道路与桥梁", "道路桥梁"), ("铁道", "铁路"), ("电商", "电子商务"), ("餐饮业", "餐饮"))


def read_csv(path: Path) -> pl.DataFrame:
    """Read a reference CSV with every column as text."""
    return pl.read_csv(path, infer_schema_length=0)


def normalize(text: str) -> str:
    """Map a few vocational wordings onto the wording the GB/T names use."""
    for old, new in NORMALIZE:
        text = text.replace(old, new)
    return text


def name_terms(name: str) -> set[str]:
    """Candidate terms of one industry name: its pieces, with generic suffixes peeled off."""
    out: set[str] = set()
    for piece in NAME_SPLIT.split(name.replace("未列明", "")):
        term = piece.strip().removeprefix("其他")
        candidates = [term]
        while True:
            suffix = next((s for s in SUFFIXES if term.endswith(s) and len(term) - len(s) >= 2), None)
            if suffix is None:
                break
            term = term[: -len(suffix)]
            candidates.append(term)
        out |= {c for c in candidates if len(c) >= 2 and c not in STOP_TERMS}
    return out


def build_lexicon(industries: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Map each term to its distribution over 大类, from the names and 说明 of all 大/中/小类."""
    nodes = industries.filter(pl.col("level").is_in(list(LEVEL_WEIGHT))).sort("code").to_dicts()
    terms: set[str] = set(EXTRA_TERMS)
    for node in nodes:
        terms |= name_terms(node["name"])
    lexicon: dict[str, dict[str, float]] = {}
    for term in sorted(terms):
        mass: dict[str, float] = defaultdict(float)
        for node in nodes:
            weight = LEVEL_WEIGHT[node["level"]] * TRADE_DAMPING.get(node["code"][:2], 1.0)
            if term in node["name"]:
                mass[node["code"][:2]] += weight
            elif term in (node["description"] or ""):
                mass[node["code"][:2]] += weight * DESCRIPTION_FACTOR
        for code, share in EXTRA_TERMS.get(term, {}).items():
            mass[code] += LEVEL_WEIGHT["大类"] * 2 * share
        total = sum(mass.values())
        if total > 0:
            lexicon[term] = {code: m / total for code, m in sorted(mass.items())}
    return lexicon


def find_terms(text: str, lexicon: dict[str, dict[str, float]]) -> Counter[str]:
    """Count lexicon terms in a text, longest match first, without overlapping spans."""
    text = normalize(text)
    hits = []
    for term in lexicon:
        start = text.find(term)
        while start >= 0:
            hits.append((-len(term), start, term))
            start = text.find(term, start + 1)
    used = [False] * len(text)
    counts: Counter[str] = Counter()
    for neg_len, start, term in sorted(hits):
        span = range(start, start - neg_len)
        if not any(used[i] for i in span):
            for i in span:
                used[i] = True
            counts[term] += 1
    return counts


class TermScorer:
    """Score term counts into 大类 weights: tf × idf × specificity × P(大类 | term)."""

    def __init__(self, lexicon: dict[str, dict[str, float]], documents: list[Counter[str]]):
        self.lexicon = lexicon
        doc_freq: Counter[str] = Counter()
        for doc in documents:
            doc_freq.update(doc.keys())
        n_docs = len(documents)
        self.idf = {t: math.log((n_docs + 1) / (doc_freq[t] + 1)) for t in lexicon}
        self.specificity = {t: max(dist.values()) for t, dist in lexicon.items()}

    def score(self, counts: Counter[str]) -> tuple[dict[str, float], dict[str, Counter[str]]]:
        """Return (大类 → score, 大类 → supporting terms with their contribution)."""
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, Counter[str]] = defaultdict(Counter)
        for term in sorted(counts):
            weight = (1 + math.log(counts[term])) * self.idf[term] * self.specificity[term]
            for code, p in self.lexicon[term].items():
                scores[code] += weight * p
                evidence[code][term] += weight * p
        return dict(scores), evidence


# ---------------------------------------------------------------- curated overrides
# (专业类 name or 6-digit major code) → ({大类: share}, reason). Applied as a third evidence source
# to every major of the class, so majors still differ by their own evidence. See the method card.
CURATED: dict[str, tuple[dict[str, float], str]] = {
    "机械设计制造类": (
        {"34": 0.45, "35": 0.35, "33": 0.2},
        "机械设计/加工/数控/模具 serve 通用·专用设备制造; 铸锻焊 in 金属制品",
    ),
    "机电设备类": ({"34": 0.4, "38": 0.3, "35": 0.2, "43": 0.1}, "机电设备制造、安装与维修 (43 设备修理)"),
    "自动化类": (
        {"34": 0.35, "38": 0.3, "40": 0.2, "35": 0.15},
        "工业机器人 3491, 输配电及控制设备 382, 工业自动控制系统装置 4011",
    ),
    "轨道装备类": ({"37": 0.7, "53": 0.3}, "铁路运输设备制造 371 and 铁路运输 53 maintenance depots"),
    "航空装备类": ({"37": 0.6, "43": 0.2, "56": 0.2}, "航空器制造 374, 航空航天器修理 4343, airline 机务"),
    "汽车制造类": ({"36": 0.8, "81": 0.2}, "汽车制造业; 后市场 in 汽车修理与维护 8111"),
    "计算机类": (
        {"65": 0.6, "64": 0.25, "39": 0.15},
        "software, network and data services; GB names put 计算机 under 39 hardware",
    ),
    "通信类": ({"63": 0.45, "39": 0.35, "65": 0.2}, "电信 631, 通信设备制造 392 (中类), 信息系统集成 653"),
    "城市轨道交通类": ({"54": 0.6, "37": 0.2, "48": 0.2}, "城市轨道交通 5412 operation; 设备制造 3720; 工程建筑 4814"),
    "财务会计类": ({"72": 0.8, "66": 0.2}, "会计、审计及税务服务 7241; 银行 bookkeeping"),
    "药学类": ({"84": 0.35, "27": 0.35, "52": 0.3}, "医院 841 pharmacy, 医药制造 27, 西药/中药零售 5251-5252"),
    "中医药类": ({"84": 0.5, "27": 0.3, "01": 0.2}, "中医医院 8412, 中药饮片/中成药 27, 中药材种植 017 (中类)"),
    "医学技术类": ({"84": 0.8, "35": 0.2}, "医院 841 laboratories/imaging; 医疗仪器设备及器械 358"),
    "康复治疗类": ({"84": 0.55, "85": 0.45}, "医院 841 rehabilitation; 护理机构服务 8512, 精神康复服务 85"),
    "眼视光类": ({"84": 0.35, "52": 0.35, "35": 0.3}, "专科医院 8415, 钟表、眼镜零售 5236, 眼镜制造 3587"),
    "护理类": ({"84": 0.8, "85": 0.2}, "医院 841 nursing; 护理机构服务 8512"),
    "健康管理与促进类": ({"84": 0.35, "85": 0.35, "80": 0.3}, "健康体检服务 8491, 老年人养护 8514, 养生保健服务 8053"),
    "工商管理类": ({"72": 0.5, "51": 0.25, "52": 0.25}, "组织管理服务 721, 连锁经营/营销 in 批发 51 and 零售 52"),
    "粮食类": ({"13": 0.6, "59": 0.25, "51": 0.15}, "谷物磨制 131, 谷物仓储 5951, 粮油 trade 51"),
    "煤炭类": ({"06": 0.7, "11": 0.15, "25": 0.15}, "煤炭开采和洗选 06; 开采辅助 11; 炼焦 2521"),
    "安全类": (
        {"74": 0.4, "92": 0.3, "72": 0.3},
        "安全评价/检测 as 专业技术服务, 应急管理/消防 as 国家机构, 安全服务 727",
    ),
    "艺术设计类": (
        {"74": 0.4, "72": 0.2, "50": 0.2, "24": 0.2},
        "专业设计服务 7492, 广告 725, 装饰装修 50, 工艺美术 24",
    ),
    "非金属材料类": ({"30": 0.5, "29": 0.25, "26": 0.25}, "陶瓷/玻璃/复合材料 30, 高分子材料 26/29"),
    "城乡规划与管理类": ({"74": 0.6, "78": 0.2, "48": 0.2}, "规划设计管理 7485, 城市管理/市容 78, 村镇建设 48"),
    "建筑设备类": (
        {"49": 0.7, "74": 0.15, "70": 0.15},
        "电气/管道和设备安装 491-492, 设计 748, 物业 building services 702",
    ),
    "包装类": (
        {"22": 0.3, "29": 0.25, "23": 0.25, "72": 0.2},
        "纸/塑料包装制品 223/292, 包装装潢印刷 2319, 包装服务 7292",
    ),
    "侦查类": ({"92": 1.0}, "公安机关 criminal investigation (no 专业简介 text)"),
    "文秘类": ({"72": 0.6, "92": 0.4}, "办公服务 7293 in 商务服务业, 机关 secretaries (new 2025 class)"),
}

COMPONENT_WEIGHT = {"text": 1.0, "occupation": 1.0, "curated": 1.5}
NAME_ONLY_TEXT_WEIGHT = 0.5  # text evidence from names alone (no 专业简介) counts less
MAX_LINKS = 5
MIN_SHARE = 0.08  # links below this share of the combined score are dropped
OCCUPATION_SHEETS = ("中职-专业职业对照", "高职专业-专业职业对照", "职教本科-专业职业对照")
SUFFIX_SL = re.compile(r"[LS/]+$")


def load_majors(shared: Path) -> pl.DataFrame:
    """All majors of the 2021 catalogue and the 2025-12 catalogue, one row per major code."""
    cols = ["level", "class_code", "class_name", "major_code", "major_name"]
    base = read_csv(shared / "catalog/majors_2021.csv").select(cols)
    current = read_csv(shared / "catalog/majors_current_2025-12.csv").select(cols)
    return pl.concat([current, base]).unique("major_code", keep="first").sort("major_code")


def load_profile_texts(shared: Path) -> dict[str, str]:
    """专业简介 text per major: 职业面向 plus the '能够从事……' part of the training goal."""
    texts = {}
    for row in read_csv(shared / "catalog/major_profiles_2022.csv").iter_rows(named=True):
        goal = row["training_goal"] or ""
        goal = goal[goal.find("能够"):] if "能够" in goal else goal
        texts[row["major_code"]] = "。".join(filter(None, [row["career_orientation"], goal]))
    return texts


def load_occupations(shared: Path) -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
    """Return (major code → 大典 codes, 大典 code → (name, text used for matching))."""
    pairs = read_csv(shared / "crosswalk/major_occupation_2023.csv")
    pairs = pairs.filter(pl.col("sheet").is_in(OCCUPATION_SHEETS))
    by_major: dict[str, list[str]] = defaultdict(list)
    for major, occ in pairs.select("专业代码", "职业编码").unique().sort("专业代码", "职业编码").iter_rows():
        by_major[major].append(occ)
    names = {c: SUFFIX_SL.sub("", n) for c, n in read_csv(
        shared / "catalog/occupations_2022_hierarchy.csv").select("code", "name").iter_rows()}
    defs = {c: d or "" for c, d in read_csv(shared / "catalog/occupations_2022.csv")
            .unique("code", keep="first").select("code", "definition").iter_rows()}
    info = {}
    for code in sorted({c for codes in by_major.values() for c in codes}):
        own = names.get(code, "")
        text = "。".join([own, own, names.get(code[:7], ""), defs.get(code, "")])
        info[code] = (own, text)
    return dict(by_major), info


def normalized(scores: dict[str, float]) -> dict[str, float]:
    """Scale a score vector to sum 1 (empty stays empty)."""
    total = sum(scores.values())
    return {k: v / total for k, v in sorted(scores.items()) if v > 0} if total > 0 else {}


def top_terms(counter: Counter[str], n: int = 4) -> str:
    """The n strongest supporting items of a counter, strongest first."""
    return "、".join(k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def curated_for(major_code: str, class_name: str) -> tuple[dict[str, float], str] | None:
    """The curated prior of a major: its own row if any, else its class row."""
    return CURATED.get(major_code) or CURATED.get(class_name)


Components = dict[str, tuple[dict[str, float], float, dict[str, Counter[str]]]]


def major_components(majors: pl.DataFrame, texts: dict[str, str], occ_by_major: dict[str, list[str]],
                     occ_info: dict[str, tuple[str, str]], scorer: TermScorer,
                     occ_scores: dict[str, dict[str, float]]) -> dict[str, Components]:
    """Per major: {source: (normalized vector, weight, {大类: Counter of supporting items})}."""
    out: dict[str, Components] = {}
    for row in majors.iter_rows(named=True):
        code, comps = row["major_code"], {}
        own_text = texts.get(code, "")
        counts = find_terms("。".join([row["major_name"]] * 2 + [row["class_name"], own_text]), scorer.lexicon)
        scores, evidence = scorer.score(counts)
        if scores:
            weight = COMPONENT_WEIGHT["text"] * (1.0 if own_text else NAME_ONLY_TEXT_WEIGHT)
            comps["text"] = (normalized(scores), weight, evidence)
        occ_vectors = [(c, occ_scores[c]) for c in occ_by_major.get(code, []) if occ_scores.get(c)]
        if occ_vectors:
            vec: dict[str, float] = defaultdict(float)
            support: dict[str, Counter[str]] = defaultdict(Counter)
            for occ, dist in occ_vectors:
                for d, share in dist.items():
                    vec[d] += share / len(occ_vectors)
                    support[d][f"{occ_info[occ][0]} {occ}"] += share
            comps["occupation"] = (normalized(vec), COMPONENT_WEIGHT["occupation"], support)
        prior = curated_for(code, row["class_name"])
        if prior:
            comps["curated"] = (normalized(prior[0]), COMPONENT_WEIGHT["curated"],
                                {d: Counter({prior[1]: 1.0}) for d in prior[0]})
        out[code] = comps
    return out


def combine(comps: Components) -> tuple[dict[str, float], dict[str, dict[str, float]], dict]:
    """Weighted mix of the available components → (大类 share, 大类 → {source: share}, evidence)."""
    total_weight = sum(w for _, w, _ in comps.values())
    mix: dict[str, float] = defaultdict(float)
    parts: dict[str, dict[str, float]] = defaultdict(dict)
    evidence = {source: ev for source, (_, _, ev) in comps.items()}
    for source, (vec, weight, _) in comps.items():
        for d, share in vec.items():
            mix[d] += share * weight / total_weight
            parts[d][source] = share * weight / total_weight
    return dict(mix), dict(parts), evidence


def average(results: list[tuple]) -> tuple[dict[str, float], dict[str, dict[str, float]], dict]:
    """Mean of several combined results (majors → their class); evidence counters are summed."""
    mix: dict[str, float] = defaultdict(float)
    parts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    evidence: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for m, p, ev in results:
        for d, share in m.items():
            mix[d] += share / len(results)
            for source, v in p[d].items():
                parts[d][source] += v / len(results)
        for source, by_code in ev.items():
            for d, items in by_code.items():
                evidence[source][d].update(items)
    return dict(mix), {d: dict(v) for d, v in parts.items()}, evidence


def select_links(mix: dict[str, float]) -> list[tuple[str, float]]:
    """Keep up to MAX_LINKS 大类 with at least MIN_SHARE, renormalized and rounded to sum 1.0000."""
    ranked = sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = [kv for kv in ranked[:MAX_LINKS] if kv[1] >= MIN_SHARE] or ranked[:1]
    total = sum(v for _, v in kept)
    rounded = [(d, round(v / total, 4)) for d, v in kept]
    drift = round(1.0 - sum(v for _, v in rounded), 4)
    rounded[0] = (rounded[0][0], round(rounded[0][1] + drift, 4))
    return rounded


def explain(code: str, parts: dict[str, float], evidence) -> tuple[str, str]:
    """(dominant source, evidence text) of one 大类 link."""
    order = sorted(parts.items(), key=lambda kv: (-kv[1], kv[0]))
    total = sum(parts.values())
    bits = [f"{src} {v / total:.0%}: {top_terms(evidence[src].get(code, Counter()), 3)}" for src, v in order]
    return order[0][0], "; ".join(bits)


def link_rows(key: dict, result, industry_names: dict[str, str], prefix: str = "") -> list[dict]:
    """Output rows (one per kept link) of one major or class."""
    mix, parts, evidence = result
    rows = []
    for rank, (code, weight) in enumerate(select_links(mix), start=1):
        source, text = explain(code, parts[code], evidence)
        rows.append({**key, "industry_code": code, "industry_name": industry_names[code],
                     "weight": weight, "rank": rank, "source": source, "evidence": prefix + text})
    return rows


def build_tables(shared: Path) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Components]]:
    """Build (major table, class table, per-major evidence components) from ``shared``."""
    industries = read_csv(shared / "catalog/industries_gbt4754_2017.csv")
    industry_names = dict(industries.filter(pl.col("level") == "大类").select("code", "name").iter_rows())
    lexicon = build_lexicon(industries)
    majors = load_majors(shared)
    texts = load_profile_texts(shared)
    occ_by_major, occ_info = load_occupations(shared)
    occ_counts = {c: find_terms(text, lexicon) for c, (_, text) in occ_info.items()}
    major_counts = [find_terms("。".join([r["major_name"], texts.get(r["major_code"], "")]), lexicon)
                    for r in majors.iter_rows(named=True)]
    scorer = TermScorer(lexicon, major_counts + list(occ_counts.values()))
    occ_scores = {c: normalized(scorer.score(counts)[0]) for c, counts in occ_counts.items()}
    comps = major_components(majors, texts, occ_by_major, occ_info, scorer, occ_scores)
    results = {code: combine(c) for code, c in comps.items() if c}
    major_rows, class_rows = [], []
    for (level, class_code, class_name), group in majors.group_by(
            ["level", "class_code", "class_name"], maintain_order=True):
        members = group["major_code"].to_list()
        with_evidence = [results[m] for m in members if m in results]
        if not with_evidence:
            raise ValueError(f"专业类 {class_code} {class_name} has no evidence: add a CURATED row")
        class_result = average(with_evidence)
        n_ev = f"{len(with_evidence)}/{len(members)} majors; "
        class_rows += link_rows({"class_code": class_code, "class_name": class_name, "level": level},
                                class_result, industry_names, n_ev)
        for row in group.iter_rows(named=True):
            own = results.get(row["major_code"])
            key = {"major_code": row["major_code"], "major_name": row["major_name"], "level": level}
            major_rows += link_rows(key, own or class_result, industry_names,
                                    "" if own else f"no own evidence, inherited from class {class_code}; ")
    major_table = pl.DataFrame(major_rows).sort("major_code", "rank")
    class_table = pl.DataFrame(class_rows).sort("class_code", "rank")
    return major_table, class_table, comps


def top_code(vec: dict[str, float], n: int = 1) -> list[str]:
    """The n highest-scoring 大类 of a vector (ties by code)."""
    return sorted(vec, key=lambda d: (-vec[d], d))[:n]


def diagnostics(comps: dict[str, Components], major_table: pl.DataFrame,
                class_table: pl.DataFrame) -> list[str]:
    """Coverage and agreement figures quoted in the method card."""
    have = Counter(src for c in comps.values() for src in c)
    both = [c for c in comps.values() if "text" in c and "occupation" in c]
    agree1 = sum(top_code(c["text"][0]) == top_code(c["occupation"][0]) for c in both)
    agree3 = sum(top_code(c["text"][0])[0] in top_code(c["occupation"][0], 3) for c in both)
    firsts = class_table.filter(pl.col("rank") == 1).group_by("class_name").agg(
        pl.len().alias("n"), pl.col("industry_code").n_unique().alias("k")).filter(pl.col("n") > 1)
    return [
        (f"majors {len(comps)}: text {have['text']}, occupation {have['occupation']}, curated "
        f"{have['curated']}, none (inherit class) {sum(1 for c in comps.values() if not c)}"),
        (f"text vs occupation top-1 agree {agree1}/{len(both)} = {agree1 / len(both):.1%}; "
        f"text top-1 in occupation top-3 {agree3}/{len(both)} = {agree3 / len(both):.1%}"),
        (f"classes offered at >1 level with the same top 大类 at every level: "
        f"{(firsts['k'] == 1).sum()}/{firsts.height}"),
        "links by source, majors: " + ", ".join(
            f"{s} {n}" for s, n in major_table["source"].value_counts().sort("source").iter_rows()),
        "links by source, classes: " + ", ".join(
            f"{s} {n}" for s, n in class_table["source"].value_counts().sort("source").iter_rows()),
    ]


def main(argv: list[str] | None = None) -> None:
    """Command line entry: build both tables and write them as CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="folder holding catalog/ and crosswalk/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    major_table, class_table, comps = build_tables(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    major_table.write_csv(args.out / "major_industry_major.csv")
    class_table.write_csv(args.out / "major_industry_class.csv")
    print(f"{major_table['major_code'].n_unique()} majors, {major_table.height} links; "
          f"{class_table['class_code'].n_unique()} classes, {class_table.height} links → {args.out}")
    print("\n".join(diagnostics(comps, major_table, class_table)))


if __name__ == "__main__":
    main()
