"""The 专业 / 专业类 → GB/T 4754 大类 crosswalk is complete, well-formed and not garbage.

Reads the vendored CSVs directly (no silian imports): see docs/crosswalk_major_industry.md.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DATA = ROOT / "src/silian/catalog/data"
SHARED = ROOT.parent / "shared" / "data"  # the reference data beside the repo, when present
COLUMNS_CLASS = ["class_code", "class_name", "level", "industry_code", "industry_name",
                 "weight", "rank", "source", "evidence"]
COLUMNS_MAJOR = ["major_code", "major_name", "level", "industry_code", "industry_name",
                 "weight", "rank", "source", "evidence"]
MANUFACTURING = {f"{n:02d}" for n in range(13, 44)}


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def grouped(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return {k: sorted(v, key=lambda r: int(r["rank"])) for k, v in out.items()}


CLASS_ROWS = read("major_industry_class.csv")
MAJOR_ROWS = read("major_industry_major.csv")
CLASSES = grouped(CLASS_ROWS, "class_code")
MAJORS = grouped(MAJOR_ROWS, "major_code")
CATALOGUE = read("majors_2021.csv") + read("majors_current_2025-12.csv")
DALEI = {r["code"]: r["name"] for r in read("industries_gbt4754_2017.csv") if r["level"] == "大类"}


def top(links: list[dict[str, str]], n: int = 1) -> list[str]:
    return [r["industry_code"] for r in links[:n]]


# ---------------------------------------------------------------- shape and coverage
def test_columns() -> None:
    assert list(CLASS_ROWS[0]) == COLUMNS_CLASS
    assert list(MAJOR_ROWS[0]) == COLUMNS_MAJOR


def test_every_industry_code_is_a_real_gbt4754_dalei_with_its_name() -> None:
    assert len(DALEI) == 97
    for row in CLASS_ROWS + MAJOR_ROWS:
        assert row["industry_code"] in DALEI, row
        assert row["industry_name"] == DALEI[row["industry_code"]], row


@pytest.mark.parametrize("catalogue", ["majors_2021.csv", "majors_current_2025-12.csv"])
def test_every_class_and_major_of_the_catalogue_is_covered(catalogue: str) -> None:
    rows = read(catalogue)
    for row in rows:
        links = CLASSES.get(row["class_code"])
        assert links, f"专业类 {row['class_code']} {row['class_name']} has no link"
        assert {(r["class_name"], r["level"]) for r in links} == {(row["class_name"], row["level"])}
        major_links = MAJORS.get(row["major_code"])
        assert major_links, f"专业 {row['major_code']} {row['major_name']} has no link"
        assert {(r["major_name"], r["level"]) for r in major_links} == {(row["major_name"], row["level"])}


def test_no_unknown_classes_or_majors() -> None:
    assert set(CLASSES) == {r["class_code"] for r in CATALOGUE}
    assert set(MAJORS) == {r["major_code"] for r in CATALOGUE}


@pytest.mark.parametrize("table", ["class", "major"])
def test_weights_sum_to_one_with_one_to_five_ranked_links(table: str) -> None:
    groups = CLASSES if table == "class" else MAJORS
    for key, links in groups.items():
        assert 1 <= len(links) <= 5, key
        assert [int(r["rank"]) for r in links] == list(range(1, len(links) + 1)), key
        weights = [Decimal(r["weight"]) for r in links]
        assert sum(weights) == Decimal(1), (key, weights)
        assert all(w > 0 for w in weights), key
        assert weights == sorted(weights, reverse=True), key
        assert len({r["industry_code"] for r in links}) == len(links), key


def test_every_link_names_its_source_and_evidence() -> None:
    for row in CLASS_ROWS + MAJOR_ROWS:
        assert row["source"] in {"text", "occupation", "curated"}, row
        assert len(row["evidence"]) > 5, row


def test_all_three_sources_contribute() -> None:
    sources = {r["source"] for r in MAJOR_ROWS if r["rank"] == "1"}
    assert sources == {"text", "occupation", "curated"}


# ---------------------------------------------------------------- sanity: would fail on garbage
# (class codes at 中职 6xxx/7xxx, 高职专科 4xxx/5xxx, 高职本科 2xxx/3xxx)
TOP1 = [
    ("6607", "36"), ("4607", "36"), ("2607", "36"),  # 汽车制造类 → 汽车制造业
    ("7102", "65"), ("5102", "65"), ("3102", "65"),  # 计算机类 → 软件和信息技术服务业
    ("7202", "84"), ("5202", "84"), ("3202", "84"),  # 护理类 → 卫生
    ("5201", "84"), ("5205", "84"),  # 临床医学类, 医学技术类 → 卫生
    ("6101", "01"), ("4101", "01"), ("2101", "01"),  # 农业类 → 农业
    ("4102", "02"), ("4103", "03"), ("4104", "04"),  # 林业 / 畜牧业 / 渔业类
    ("7001", "53"), ("5001", "53"), ("3001", "53"),  # 铁道运输类 → 铁路运输业
    ("5004", "56"), ("5003", "55"), ("5007", "60"),  # 航空运输 / 水上运输 / 邮政类
    ("5308", "59"),  # 物流类 → 装卸搬运和仓储业
    ("4301", "44"), ("2302", "44"),  # 电力技术类, 热能与发电工程类 → 电力、热力生产和供应业
    ("4702", "26"), ("6702", "26"),  # 化工技术类 → 化学原料和化学制品制造业
    ("4304", "31"),  # 黑色金属材料类 → 黑色金属冶炼和压延加工业
    ("4803", "23"),  # 印刷类 → 印刷和记录媒介复制业
    ("7402", "62"), ("5402", "62"),  # 餐饮类 → 餐饮业
    ("5701", "83"), ("7701", "83"),  # 教育类 → 教育
    ("5703", "89"),  # 体育类 → 体育
    ("5601", "86"), ("5602", "87"),  # 新闻出版类, 广播影视类
    ("5801", "92"), ("5802", "92"),  # 公安管理类, 公安技术类 → 国家机构
    ("4407", "70"),  # 房地产类 → 房地产业
    ("4208", "77"),  # 环境保护类 → 生态保护和环境治理业
    ("4501", "76"),  # 水文水资源类 → 水利管理业
    ("4204", "07"),  # 石油与天然气类 → 石油和天然气开采业
    ("3303", "72"), ("5303", "72"), ("7303", "72"),  # 财务会计类 → 商务服务业
]


@pytest.mark.parametrize(("class_code", "industry"), TOP1)
def test_class_top_link(class_code: str, industry: str) -> None:
    links = CLASSES[class_code]
    assert top(links) == [industry], f"{class_code} {links[0]['class_name']}: {top(links, 5)}"


@pytest.mark.parametrize("class_code", ["6601", "4601", "2601", "6602", "4602", "2602"])
def test_machinery_classes_link_to_general_or_special_equipment_in_top_two(class_code: str) -> None:
    assert {"34", "35"} & set(top(CLASSES[class_code], 2)), top(CLASSES[class_code], 5)


@pytest.mark.parametrize("class_code", ["4403", "6403", "2403"])
def test_construction_classes_link_to_construction(class_code: str) -> None:
    assert top(CLASSES[class_code])[0] in {"47", "48", "49", "50"}


@pytest.mark.parametrize("class_code", ["5302", "7302", "3302"])
def test_finance_classes_link_to_finance(class_code: str) -> None:
    assert top(CLASSES[class_code])[0] in {"66", "67", "68", "69"}


@pytest.mark.parametrize("class_code", ["4804", "6804", "2804"])
def test_textile_classes_link_to_textiles_or_apparel(class_code: str) -> None:
    assert set(top(CLASSES[class_code], 2)) <= {"17", "18", "19"}


SERVICE_CATEGORIES = {"53", "54", "56", "57", "58", "59"}  # 财经商贸, 旅游, 新闻传播, 教育与体育, 公安与司法, 公共管理与服务


def test_service_major_classes_never_top_link_to_farming_mining_or_manufacturing() -> None:
    offset = {"2": 20, "3": 20, "4": 0, "5": 0, "6": -20, "7": -20}  # map 本科/中职 category codes to 专科 ones
    checked = 0
    for code, links in CLASSES.items():
        if str(int(code[:2]) + offset[code[0]]) in SERVICE_CATEGORIES:
            checked += 1
            assert int(top(links)[0]) >= 44, f"{code} {links[0]['class_name']}: {top(links, 5)}"
    assert checked > 60


def test_finance_and_accounting_majors_never_top_link_to_manufacturing() -> None:
    for code, links in CLASSES.items():
        if links[0]["class_name"] in {"财务会计类", "金融类", "财政税务类", "统计类"}:
            assert top(links)[0] not in MANUFACTURING, (code, top(links, 5))


@pytest.mark.parametrize(("major_code", "industry"), [
    ("460103", "34"),  # 数控技术 → 通用设备制造业 (metal-cutting machine tools)
    ("460702", "36"),  # 新能源汽车技术 → 汽车制造业
    ("520201", "84"),  # 护理 → 卫生
    ("510203", "65"),  # 软件技术 → 软件和信息技术服务业
    ("530302", "72"),  # 大数据与会计 → 商务服务业
    ("540106", "61"),  # 酒店管理与数字化运营 → 住宿业
    ("570102K", "83"),  # 学前教育 → 教育
    ("500113", "53"),  # 高速铁路客运服务 → 铁路运输业
    ("740201", "62"),  # 中餐烹饪 → 餐饮业
    ("410303", "03"),  # 畜牧兽医 → 畜牧业
])
def test_major_top_link(major_code: str, industry: str) -> None:
    links = MAJORS[major_code]
    assert top(links) == [industry], f"{major_code} {links[0]['major_name']}: {top(links, 5)}"


def test_most_links_rest_on_own_evidence() -> None:
    inherited = {r["major_code"] for r in MAJOR_ROWS if r["evidence"].startswith("no own evidence")}
    assert len(inherited) < 0.02 * len(MAJORS)


# ---------------------------------------------------------------- reproducible from the reference data
@pytest.mark.skipif(not (SHARED / "catalog").is_dir(), reason="no ../shared/data beside the repo")
def test_builder_reproduces_the_vendored_tables(tmp_path: Path) -> None:
    builder = ROOT / "tools/build_major_industry.py"
    spec = importlib.util.spec_from_file_location("build_major_industry", builder)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.main(["--shared", str(SHARED), "--out", str(tmp_path)])
    for name in ("major_industry_class.csv", "major_industry_major.csv"):
        rebuilt, vendored = (tmp_path / name).read_bytes(), (DATA / name).read_bytes()
        assert rebuilt == vendored, f"re-run python tools/build_major_industry.py --shared ... ({name})"
