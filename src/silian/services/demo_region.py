"""Load the 郑州 demo region into the hub: real regions and GDP, generated schools, enterprises and the rest.

Everything is validated by :func:`silian.services.imports.load_frame` exactly like a user's file and
written in one transaction; ``data_sources`` says for every table whether it is real or generated.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import polars as pl

from silian.catalog import Catalog, get_catalog
from silian.demo import zhengzhou as zz
from silian.demo.demand import build_demand
from silian.demo.economy import build_economy, build_industry_stats, employment_by_industry
from silian.demo.enterprises import build_cooperation, build_enterprises, enterprises_frame
from silian.demo.majors import majors_by_school, simulate, students_by_school
from silian.demo.resources import build_funding, build_innovation, build_resources
from silian.demo.schools import build_offerings, build_schools, institutions_frame
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.domain.tables import HUB_TABLES
from silian.services.imports import load_frame
from silian.storage import hub as hub_store
from silian.storage import repository as repo
from silian.storage.database import Connection, Database

register_messages({
    "demo_key_clash": (
        ("演示数据与您导入的数据有 {n} 行唯一键相同（表 {table}，如 {example}）：为不覆盖您的数据，未载入演示数据；"
        "如确需清空全部数据后载入演示区域，请用 `silian demo --reset`"),
        ("{n} demo rows have the same key as rows you imported (table {table}, e.g. {example}); the demo was not "
        "loaded so that your rows are not overwritten. To empty everything and load the demo, use `silian demo --reset`"),
    ),
    "demo_referenced": (
        ("您导入的数据引用了演示数据（表 {table}）：只替换演示数据会破坏这些引用，未做任何改动；"
        "如确需清空全部数据后载入演示区域，请用 `silian demo --reset`"),
        ("Rows you imported refer to demo rows (table {table}); replacing only the demo rows would break them, so "
        "nothing was changed. To empty everything and load the demo, use `silian demo --reset`"),
    ),
})

# parents first (load order); deletion runs in the reverse order
LOAD_ORDER = ("regions", "regional_economy", "institutions", "institution_resources", "major_points",
              "enterprises", "industry_stats", "demand", "cooperation", "funding", "innovation")
DELETE_ORDER = ("cooperation", "demand", "funding", "innovation", "major_points", "institution_resources",
                "industry_stats", "regional_economy", "enterprises", "institutions", "regions")
REAL_TABLES = frozenset({"regions", "regional_economy"})
GENERATED_NOTE = "演示数据生成器（silian demo）按固定种子生成，非真实数据；见 docs/demo.md"
DESCRIPTIONS = {
    "regions": "河南省、郑州市及其县市区和功能区、河南其他 16 个地级市、江苏省及苏锡常对标城市（真实区划代码）",
    "regional_economy": "地区生产总值与三次产业增加值 2000–2023（真实统计数据，四舍五入到 0.01 亿元）",
    "institutions": "郑州演示学校：102 所中职层次学校（2024 年）、6 所已撤并中职、23 所高职专科、2 所职业本科（名称与代码均为虚构）",
    "institution_resources": "学校办学条件 2016–2024（生成；约 17 所中职明显低于设置标准）",
    "major_points": "专业点 2016–2024（生成；2024 年中职招生 91,200、在校生 258,300 精确校准）",
    "enterprises": "企业约 1,500 家（生成；统一社会信用代码校验位有效，名称虚构）",
    "industry_stats": "郑州分行业增加值等 2016–2023（生成；各产业合计精确等于真实三次产业增加值）",
    "demand": "人才需求 2019–2024：企业申报（declared）与统计推算（statistics）（生成）",
    "cooperation": "校企合作 2018–2024：订单班、现代学徒制、共建专业、产业学院、实训基地、教师企业实践（生成）",
    "funding": "学校经费 2016–2024（生成）",
    "innovation": "学校创新指标 2016–2024（生成）",
}
PROVENANCE = {
    "regions": "GB/T 2260 行政区划代码（国家统计局统计用区划代码）；河南地级市代码取自 " + zz.GDP_SOURCE,
    "regional_economy": zz.GDP_SOURCE,
    "major_points": GENERATED_NOTE + "；校准目标：" + zz.TARGET_SOURCE,
    "institutions": GENERATED_NOTE + "；学校数目标：" + zz.TARGET_SOURCE,
    "industry_stats": GENERATED_NOTE + "；三次产业合计校准到 " + zz.GDP_SOURCE,
}


@dataclass
class DemoSummary:
    """What ``load_demo`` loaded: rows and generated flag per table, calibration figures, years, seed."""

    seed: int
    rows: dict[str, int]
    generated: dict[str, bool]
    calibration: dict[str, dict[str, float]]
    years: dict[str, list[int]]
    seconds: float
    skipped_source_rows: list[str] = field(default_factory=list)
    kept_user_rows: dict[str, int] = field(default_factory=dict)  # rows a user put in, left as they were
    reset: bool = False  # True: every hub row was deleted first (``silian demo --reset``)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def generate(seed: int, catalog: Catalog | None = None) -> tuple[dict[str, pl.DataFrame], list[str]]:
    """Every hub table of the demo as a frame (pure: no database), and the source rows left out."""
    catalog = catalog or get_catalog()

    def rng(part: str) -> random.Random:
        return random.Random(f"{seed}:{part}")

    economy = build_economy()
    stats = build_industry_stats(economy, rng("industry"))
    schools = build_schools(rng("schools"))
    offerings = build_offerings(schools, dead_end_targets(catalog), rng("offerings"))
    points = simulate(offerings, rng("points"))
    students = students_by_school(points)
    enterprises = build_enterprises(catalog, rng("enterprises"))
    names = catalog.major_names
    frames = {
        "regions": economy.regions,
        "regional_economy": economy.regional_economy,
        "institutions": institutions_frame(schools),
        "institution_resources": build_resources(schools, students, rng("resources")),
        "major_points": points,
        "enterprises": enterprises_frame(enterprises),
        "industry_stats": stats,
        "demand": build_demand(catalog, enterprises, employment_by_industry(stats), rng("demand")),
        "cooperation": build_cooperation(schools, majors_by_school(points), enterprises, names, rng("cooperation")),
        "funding": build_funding(schools, students, rng("funding")),
        "innovation": build_innovation(schools, students, rng("innovation")),
    }
    return frames, economy.skipped


def dead_end_targets(catalog: Catalog) -> set[str]:
    """The 专科 continuation majors of the designed dead-end 中职 majors (no local 专科 school offers them)."""
    links = catalog.continuations.filter(
        (pl.col("source_level") == "中等职业教育") & (pl.col("target_level") == "高等职业教育专科")
        & pl.col("source_code").is_in([code for code, _ in zz.DEAD_ENDS])
    )
    return set(links["target_code"].drop_nulls().to_list())


register_messages({
    "demo_step_generate": ("生成演示数据", "Generating the demo data"),
    "demo_step_empty": ("清空全部数据表", "Emptying every hub table"),
    "demo_step_delete": ("删除上次载入的演示数据（保留您导入的数据）", "Deleting earlier demo rows (your rows stay)"),
    "demo_step_load": ("载入 {table}", "Loading {table}"),
})


def load_demo(db: Database, *, seed: int = 2024, progress: Callable[[str], None] | None = None,
              reset: bool = False) -> DemoSummary:
    """Load the 郑州 demo region in one transaction, replacing the demo rows an earlier load created.

    Rows a user put in are never touched: generated rows are deleted and loaded again; the real reference rows
    (regions, regional economy) are only added where missing. A demo row whose key equals a user's row, or a
    user's row that refers to a demo row, stops the load with nothing changed (:class:`InvalidInput`).
    ``reset`` empties every hub table first (the caller asks the user before)."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    db.upgrade()
    say(t("demo_step_generate"))
    frames, skipped = generate(seed)
    rows: dict[str, int] = {}
    kept: dict[str, int] = {}
    peers = frames["regions"].filter(pl.col("is_peer").fill_null(False))["code"].to_list()
    with db.begin() as conn:
        if reset:
            say(t("demo_step_empty"))
            repo.delete_all(conn, list(DELETE_ORDER))
        else:
            say(t("demo_step_delete"))
            frames, kept = _beside_user_rows(conn, frames)
            try:
                repo.delete_generated(conn, list(DELETE_ORDER))
            except repo.RowsStillReferenced as exc:
                raise InvalidInput(t("demo_referenced", table=HUB_TABLES[exc.table].zh)) from exc
        for table in LOAD_ORDER:
            say(t("demo_step_load", table=table))
            generated = table not in REAL_TABLES
            outcome = load_frame(conn, table, frames[table], generated=generated, label=f"demo:{table}")
            rows[table] = outcome.rows
            repo.mark_source(conn, table, generated=generated, description=DESCRIPTIONS[table],
                             provenance=PROVENANCE.get(table, GENERATED_NOTE))
        hub_store.mark_peer_regions(conn, peers)  # preinstalled regions: the demo's peer cities are marked as such
        calibration = measure_calibration(conn)
    return DemoSummary(
        seed=seed, rows=rows, generated={t: t not in REAL_TABLES for t in LOAD_ORDER}, calibration=calibration,
        years={"schools": [zz.YEARS[0], zz.YEARS[-1]], "regional_economy": [zz.REAL_ECON_YEARS[0], zz.REAL_ECON_YEARS[-1]],
               "industry_stats": [zz.ECON_YEARS[0], zz.ECON_YEARS[-1]],
               "demand": [zz.DEMAND_YEARS[0], zz.DEMAND_YEARS[-1]],
               "cooperation": [zz.COOPERATION_YEARS[0], zz.COOPERATION_YEARS[-1]]},
        seconds=round(time.perf_counter() - started, 2), skipped_source_rows=skipped, kept_user_rows=kept, reset=reset,
    )


def _beside_user_rows(conn: Connection, frames: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], dict[str, int]]:
    """The demo frames to load next to what a user put in: real reference rows only where the key is free; a
    generated row whose key a user's row holds is an error (loading it would overwrite the user's row)."""
    out: dict[str, pl.DataFrame] = {}
    kept: dict[str, int] = {}
    for table in LOAD_ORDER:
        key = list(HUB_TABLES[table].key)
        user = repo.user_keys(conn, table).with_columns(pl.col(key).cast(pl.String))
        kept[table] = user.height
        frame = frames[table]
        if user.height == 0:
            out[table] = frame
            continue
        keyed = frame.with_columns(pl.col(key).cast(pl.String).name.suffix("__key"))
        user = user.rename({k: f"{k}__key" for k in key})
        on = [f"{k}__key" for k in key]
        if table not in REAL_TABLES:
            clash = keyed.join(user, on=on, how="semi", nulls_equal=True)
            if clash.height:
                example = "/".join(str(v) for v in clash.select(key).row(0))
                raise InvalidInput(t("demo_key_clash", n=clash.height, table=HUB_TABLES[table].zh, example=example))
        out[table] = keyed.join(user, on=on, how="anti", nulls_equal=True).drop(on)
    return out, {k: v for k, v in kept.items() if v}


def measure_calibration(conn: Connection) -> dict[str, dict[str, float]]:
    """The calibrated figures as stored (computed by SQL), each with its published target."""
    schools, enrolment, students = hub_store.secondary_school_figures(conn, zz.CALIBRATION_YEAR)
    last = zz.ECON_YEARS[-1]
    secondary = hub_store.value_added(conn, zz.CITY[0], last, [c for c, *_ in zz.SECONDARY_SHARES])
    target = hub_store.secondary_value_added(conn, zz.CITY[0], last)
    return {
        "schools_2024": {"value": int(schools), "target": zz.TARGET_SCHOOLS},
        "enrolment_2024": {"value": int(enrolment), "target": zz.TARGET_ENROLMENT},
        "students_2024": {"value": int(students), "target": zz.TARGET_STUDENTS},
        f"secondary_va_{last}": {"value": round(float(secondary), 2), "target": float(target or 0.0)},
    }
