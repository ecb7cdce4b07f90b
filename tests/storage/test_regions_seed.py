"""A fresh installation takes its first school at once: the country's 行政区划 (GB/T 2260) is preinstalled, never
overwrites a stored region, and the demo's peer cities keep their mark."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from silian.catalog import get_catalog
from silian.services.demo_region import load_demo
from silian.services.imports import ensure_schema, import_file, seed_regions
from silian.settings import Settings
from silian.storage import repository as repo
from silian.storage.database import Database

SCHOOL = "学校代码,学校名称,办学层次,举办性质,所在县市区代码\n9410100001,郑州市第一中等专业学校,中职,公办,410105\n"


def test_the_country_is_preinstalled_and_the_first_school_imports(db: Database, tmp_path: Path) -> None:
    ensure_schema(db)
    with db.engine.connect() as conn:
        regions = repo.read_table(conn, "regions")
    assert regions.height == get_catalog().regions.height > 3000
    assert regions.filter(pl.col("code") == "410105").row(0, named=True)["parent_code"] == "410100"
    (tmp_path / "s.csv").write_text(SCHOOL, encoding="utf-8")
    assert import_file(db, "institutions", tmp_path / "s.csv", Settings()).inserted == 1
    assert seed_regions(db) == 0  # nothing missing: nothing written


def test_a_stored_region_is_never_overwritten(db: Database, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("区划代码,名称,层级,上级区划代码\n410105,金水区（本地名称）,县,410100\n", encoding="utf-8")
    import_file(db, "regions", tmp_path / "r.csv", Settings())
    added = seed_regions(db)
    with db.engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT code, name FROM regions WHERE code IN ('410105', '410102')")).all())
    assert added == get_catalog().regions.height - 1
    assert names == {"410105": "金水区（本地名称）", "410102": "中原区"}


def test_the_demo_marks_its_peer_cities_on_preinstalled_regions(db: Database) -> None:
    ensure_schema(db)
    load_demo(db, seed=2024)
    with db.engine.connect() as conn:
        peers = {r[0] for r in conn.execute(sa.text("SELECT name FROM regions WHERE is_peer"))}
    assert {"苏州市", "无锡市", "常州市"} <= peers
