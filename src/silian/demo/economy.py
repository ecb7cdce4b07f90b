"""Regions and GDP (real, from the vendored panel) and 郑州's industry statistics (generated, calibrated).

``industry_stats`` value added is calibrated so that, every year, the secondary rows (门类 B, D, E and the
manufacturing 大类 13–43, no 门类 C row) sum to the real secondary value added, the tertiary 门类 rows F–S
to the real tertiary value added and the A row to the primary value added, to the cent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import polars as pl

from silian.catalog.loader import data_path
from silian.demo import zhengzhou as zz

HENAN_FILE = "stats/henan_cities_gdp_sectors_2000_2023.csv"
CHINA_FILE = "stats/china_cities_gdp_sectors_2000_2023.csv"
SECTOR_COLUMNS = ("gdp", "primary_va", "secondary_va", "tertiary_va")


@dataclass
class Economy:
    regions: pl.DataFrame
    regional_economy: pl.DataFrame
    skipped: list[str] = field(default_factory=list)  # source rows left out (rule violations, gaps)

    def sectors(self, region: str) -> dict[int, dict[str, float]]:
        """``{year: {gdp, primary_va, secondary_va, tertiary_va}}`` for one region."""
        rows = self.regional_economy.filter(pl.col("region_code") == region).iter_rows(named=True)
        return {r["year"]: {c: r[c] for c in SECTOR_COLUMNS} for r in rows}


def henan_cities() -> list[tuple[str, str]]:
    """The 17 河南 prefecture-level cities ``(code, name)`` from the vendored panel."""
    df = pl.read_csv(data_path(HENAN_FILE), infer_schema=False)
    pairs = df.select(pl.col("city_code"), pl.col("city")).unique().sort("city_code")
    return [(str(c), n) for c, n in pairs.iter_rows()]


def build_regions() -> pl.DataFrame:
    rows: list[tuple[str, str, str, str | None, bool]] = [(*zz.PROVINCE, "省", None, False)]
    for code, name in henan_cities():
        rows.append((code, name, "市", zz.PROVINCE[0], False))
    rows += [(code, name, level, zz.CITY[0], False) for code, name, level in zz.COUNTIES]
    rows.append((*zz.PEER_PROVINCE, "省", None, False))
    rows += [(code, name, "市", zz.PEER_PROVINCE[0], True) for code, name in zz.PEERS]
    return pl.DataFrame(rows, schema=["code", "name", "level", "parent_code", "is_peer"], orient="row")


def build_economy() -> Economy:
    """GDP and the three sectors 2000–2023 for the 17 河南 cities and 苏锡常, rounded to 0.01 亿元."""
    henan = pl.read_csv(data_path(HENAN_FILE), infer_schema=False).select(
        pl.col("city_code").alias("region_code"), pl.col("year"),
        pl.col("gdp_100m_yuan").alias("gdp"), "primary_va", "secondary_va", "tertiary_va",
    )
    peers = [code for code, _ in zz.PEERS]
    china = pl.read_csv(data_path(CHINA_FILE), infer_schema=False)
    china = china.select(
        pl.col("城市代码").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String).alias("region_code"),
        pl.col("年度标识").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String).alias("year"),
        pl.col("gdp（亿元人民币）").alias("gdp"), pl.col("第一产业增加值（亿元人民币）").alias("primary_va"),
        pl.col("第二产业增加值").alias("secondary_va"), pl.col("第三产业增加值").alias("tertiary_va"),
    ).filter(pl.col("region_code").is_in(peers))
    raw = pl.concat([henan, china]).with_columns(
        pl.col("year").cast(pl.Int64, strict=False),
        *[pl.col(c).cast(pl.Float64, strict=False).round(2) for c in SECTOR_COLUMNS],
    )
    skipped: list[str] = []
    incomplete = raw.filter(pl.any_horizontal([pl.col(c).is_null() for c in ("year", *SECTOR_COLUMNS)]))
    skipped += [f"{r['region_code']} {r['year']}: missing or non-numeric value" for r in incomplete.iter_rows(named=True)]
    raw = raw.filter(~pl.any_horizontal([pl.col(c).is_null() for c in ("year", *SECTOR_COLUMNS)]))
    parts = pl.col("primary_va") + pl.col("secondary_va") + pl.col("tertiary_va")
    violating = raw.filter(parts > pl.col("gdp") * 1.01)  # the table's rule: sectors ≤ GDP within 1 %
    skipped += [f"{r['region_code']} {r['year']}: sectors exceed GDP by more than 1 %" for r in violating.iter_rows(named=True)]
    frame = raw.filter(parts <= pl.col("gdp") * 1.01).filter(pl.col("year").is_in(list(zz.REAL_ECON_YEARS)))
    frame = frame.unique(["region_code", "year"], keep="first", maintain_order=True).sort("region_code", "year")
    return Economy(build_regions(), frame, skipped)


def build_industry_stats(economy: Economy, rng: random.Random) -> pl.DataFrame:
    """郑州 (410100) value added, employment, enterprises, R&D and patents by industry, 2016–2023."""
    sectors = economy.sectors(zz.CITY[0])
    rows: list[dict[str, object]] = []
    noise = {code: rng.uniform(-1, 1) for code, *_ in (*zz.SECONDARY_SHARES, *zz.TERTIARY_SHARES)}
    for year in zz.ECON_YEARS:
        totals = sectors[year]
        values: dict[str, float] = {"A": totals["primary_va"]}
        for table, total in ((zz.SECONDARY_SHARES, totals["secondary_va"]), (zz.TERTIARY_SHARES, totals["tertiary_va"])):
            weights = [
                zz.interpolate(a, b, year, zz.ECON_YEARS[0], zz.ECON_YEARS[-1]) * (1 + 0.04 * noise[c] * rng.uniform(0.5, 1.0))
                for c, a, b in table
            ]
            cents = zz.largest_remainder(weights, round(total * 100))
            values.update({c: v / 100 for (c, *_), v in zip(table, cents, strict=True)})
        growth = zz.PRODUCTIVITY_GROWTH ** (year - zz.ECON_YEARS[0])
        for code, va in values.items():
            productivity = zz.PRODUCTIVITY.get(code, zz.DEFAULT_MANUFACTURING_PRODUCTIVITY) * growth
            employment = va / productivity  # 亿元 / (万元 per person) = 万人
            rd = va * zz.RD_INTENSITY.get(code, 0.012 if code.isdigit() else 0.002)
            rows.append({
                "region_code": zz.CITY[0], "year": year, "industry_code": code, "value_added": va,
                "employment": round(employment * rng.uniform(0.96, 1.04), 2),
                "enterprises": _enterprises(code, va, rng),
                "rd_expenditure": round(rd * rng.uniform(0.85, 1.15), 2),
                "patents": round(rd * rng.uniform(90, 160)),
            })
    return pl.DataFrame(rows)


def _enterprises(code: str, va: float, rng: random.Random) -> int:
    """规上 enterprises: about one per 1.3 亿元 of manufacturing value added; fewer in services."""
    if code == "A":
        return round(va / 2.0 * rng.uniform(0.8, 1.2))
    per = 1.3 if code.isdigit() else {"E": 1.6, "F": 0.8, "H": 0.6, "B": 3.0, "D": 8.0}.get(code, 3.5)
    return round(va / per * rng.uniform(0.85, 1.15))


def employment_by_industry(stats: pl.DataFrame) -> dict[int, dict[str, float]]:
    """``{year: {industry row: employment 万人}}`` from the generated industry statistics."""
    out: dict[int, dict[str, float]] = {}
    for year, code, employment in stats.select("year", "industry_code", "employment").iter_rows():
        out.setdefault(year, {})[code] = employment
    return out
