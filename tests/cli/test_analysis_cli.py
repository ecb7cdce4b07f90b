"""`silian analyze`, `silian report` and `silian indicators` as scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import copy_demo_dir, silian


@pytest.fixture(scope="module")
def demo_dir(cli_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the data folder `silian demo --json` made (once per session)."""
    return copy_demo_dir(cli_demo, tmp_path_factory.mktemp("cli_analysis") / "data")


def test_analyze_json(demo_dir: Path) -> None:
    out = json.loads(silian("analyze", "--json", data_dir=demo_dir).stdout)
    assert out["region_code"] == "410100" and out["year"] == 2024 and out["uses_generated_data"] is True
    city = out["coupling"]["city"]
    assert [r["year"] for r in city] == list(range(2018, 2024))
    assert all(0 <= r["D"] <= 1 for r in city)
    assert all(r["D"] > 0.05 and r["D_low"] <= r["D"] <= r["D_high"] for r in city)  # D and its sensitivity band
    coupling = out["coupling"]
    assert coupling["normalisation"] == "benchmark" and coupling["weighting"]["scheme"] == "fixed"
    assert coupling["band"]["description"] and coupling["benchmark_release"]
    assert out["pathways"]["dead_ends"] and out["schools"]["summary"]["schools"] == 102
    assert out["supply_demand"]["blend"] == pytest.approx({"declared": 0.375, "statistics": 0.625})
    # supply_demand.majors[]: every offered major; no evidence → no_data, null demand and gap, never a colour
    sd = out["supply_demand"]
    majors = sd["majors"]
    assert len(majors) == sum(sd["cards"].values()) and all(m["supply"] > 0 for m in majors)
    assert {"major_code", "major_name", "supply", "demand", "gap", "card", "sources", "missing"} <= set(majors[0])
    silent = [m for m in majors if not m["sources"]]
    assert silent and all(m["card"] == "no_data" and m["demand"] is None and m["gap"] is None for m in silent)
    assert all(m["card"] in ("red", "yellow", "green") and m["demand"] is not None for m in majors if m["sources"])
    assert sd["cards"]["no_data"] == len(sd["no_data"]) == len(silent) and all(m["fix"] for m in sd["no_data"])
    # statistics set the total; the declared count only divides it
    assert sd["demand_basis"] == "statistics"
    assert sd["demand_total"] == pytest.approx(sd["source_totals"]["statistics"])
    again = json.loads(silian("analyze", "--json", "--region", "郑州", "--year", "2024", data_dir=demo_dir).stdout)
    assert [r["D"] for r in again["coupling"]["city"]] == pytest.approx([r["D"] for r in city], abs=1e-12)


def test_analyze_text_in_both_languages(demo_dir: Path) -> None:
    zh = silian("analyze", data_dir=demo_dir).stdout
    assert "四链耦合协调度" in zh and "断头路" in zh and "生成数据" in zh
    en = silian("--lang", "en", "analyze", data_dir=demo_dir).stdout
    assert "coordination" in en.lower() and "generated demo data" in en


def test_report_html_and_errors(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "郑州.html"
    silian("report", "--region", "郑州", "-o", str(out), data_dir=demo_dir)
    html = out.read_text(encoding="utf-8")
    assert "四链融合分析报告" in html and "演示生成数据" in html
    bad = silian("report", "-o", str(tmp_path / "r.txt"), data_dir=demo_dir, check=False)
    assert bad.returncode == 2 and ".pdf" in bad.stderr
    nowhere = silian("analyze", "--region", "火星", data_dir=demo_dir, check=False)
    assert nowhere.returncode == 2 and "火星" in nowhere.stderr
    year = silian("analyze", "--year", "1999", data_dir=demo_dir, check=False)
    assert year.returncode == 2 and "2024" in year.stderr


def test_analyze_on_an_empty_database_says_what_to_do(tmp_path: Path) -> None:
    result = silian("analyze", data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "silian db upgrade" in result.stderr
    silian("db", "upgrade", data_dir=tmp_path)
    result = silian("analyze", data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "silian demo" in result.stderr


def test_indicators_show_and_check(tmp_path: Path) -> None:
    shown = json.loads(silian("indicators", "--json", data_dir=tmp_path).stdout)
    assert {i["chain"] for i in shown["indicators"]} == {"education", "talent", "industry", "innovation"}
    assert shown["release"] and all(i["benchmark"]["source"] for i in shown["indicators"])
    bad = tmp_path / "bad.toml"
    bad.write_text('[[indicators]]\nkey = "x"\nchain = "education"\nformula = "sum(major_points.nosuch)"\n', encoding="utf-8")
    result = silian("indicators", "--check", str(bad), data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "major_points.nosuch" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[[indicators]\n", encoding="utf-8")
    result = silian("indicators", "--check", str(broken), data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "TOML" in result.stderr


def test_indicators_rebase_writes_a_new_release_and_says_what_changed(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rebased.toml"
    result = json.loads(silian("indicators", "rebase", "--release", "2099.1", "-o", str(out), "--set",
                               "edu_student_teacher_ratio.target=15", "--json", data_dir=demo_dir).stdout)
    changed = {(c["indicator"], c["field"]): (c["old"], c["new"]) for c in result["changes"]}
    assert changed[("edu_student_teacher_ratio", "target")] == ("20", "15") and changed[("", "release")][1] == "2099.1"
    assert [r["year"] for r in result["effect"]] == list(range(2018, 2024))
    # 16.8 : 1 no longer meets a 15 : 1 target: the education chain scores lower, so every year's D moves
    assert all(abs(r["change"]) > 1e-6 and r["change"] == pytest.approx(r["D_new"] - r["D_old"]) for r in result["effect"])
    check = json.loads(silian("indicators", "--check", str(out), "--json", data_dir=demo_dir).stdout)
    assert check["release"] == "2099.1"
    again = silian("indicators", "rebase", "--release", "2099.2", "-o", str(out), data_dir=demo_dir, check=False)
    assert again.returncode == 2 and "--force" in again.stderr
    text = silian("indicators", "rebase", "--release", "2099.2", "-o", str(out), "--force", data_dir=demo_dir).stdout
    assert "2099.2" in text and "SILIAN_INDICATORS_FILE" in text
