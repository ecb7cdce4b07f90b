"""Adapters from the vendored reference files to one standard table per classification.

Every table is a polars DataFrame with documented columns; each is read once and cached.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from silian.domain.vocab import MAJOR_LEVELS

CATALOG_VERSIONS = {"2021": "majors_2021.csv", "current": "majors_current_2025-12.csv"}
REGIONS_FILE = "regions_adcodes_cpca_0.5.5.csv"
# rows of the division list that stand for a group, not a region (their children hang on the level above)
REGION_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
OCCUPATION_LEVELS = {"大类": 1, "中类": 2, "小类": 3, "细类": 4}
LEVEL_NAMES = {v: k for k, v in OCCUPATION_LEVELS.items()}
VOCATIONAL_CROSSWALK_SHEETS = {
    "中职-专业职业对照": "中等职业教育",
    "高职专业-专业职业对照": "高等职业教育专科",
    "职教本科-专业职业对照": "高等职业教育本科",
}


def data_path(name: str) -> Path:
    """Path of a vendored data file inside the installed package."""
    return Path(str(resources.files("silian.catalog") / "data" / name))


def _read(name: str) -> pl.DataFrame:
    return pl.read_csv(data_path(name), infer_schema=False)


class Catalog:
    """The official classifications as standard tables (all codes are strings)."""

    def majors(self, version: str = "2021") -> pl.DataFrame:
        """职业教育专业目录: level, level_key, category/class codes and names, major_code, major_name,
        k_flag, since (the catalogue version the major first appeared in)."""
        if version not in CATALOG_VERSIONS:
            raise KeyError(version)
        return self._majors_by_version[version]

    @cached_property
    def _majors_by_version(self) -> dict[str, pl.DataFrame]:
        return {version: self._load_majors(version) for version in CATALOG_VERSIONS}

    @staticmethod
    def _load_majors(version: str) -> pl.DataFrame:
        df = _read(CATALOG_VERSIONS[version])
        if "in_2021_base" in df.columns:
            since = (
                pl.when(pl.col("in_2021_base") == "True")
                .then(pl.lit("2021"))
                .when(pl.col("note").fill_null("").str.contains("2025年12月"))
                .then(pl.lit("2025-12"))
                .otherwise(pl.lit("2022-2025"))
            )
        else:
            since = pl.lit("2021")
        return df.select(
            "level",
            pl.col("level").replace_strict(MAJOR_LEVELS).alias("level_key"),
            "category_code",
            "category_name",
            "class_code",
            "class_name",
            "major_code",
            "major_name",
            (pl.col("national_control_K") == "True").alias("k_flag"),
            since.alias("since"),
        )

    @cached_property
    def _major_code_index(self) -> dict[str, str]:
        """Maps every code, with or without its K suffix, to the official form."""
        index: dict[str, str] = {}
        for code in self.majors("current")["major_code"].to_list():
            index[code] = code
            index.setdefault(code.rstrip("K"), code)
        return index

    def normalize_major_code(self, code: str) -> str | None:
        """The official form of a major code (``520101`` → ``520101K``), or None if unknown."""
        return self._major_code_index.get(code.strip().upper())

    @cached_property
    def industries(self) -> pl.DataFrame:
        """GB/T 4754-2017: code, name, level (门类/大类/中类/小类), parent_code, section, description."""
        return _read("industries_gbt4754_2017.csv").select(
            "code", "name", "level", "parent_code", "section", "description"
        )

    @cached_property
    def major_names(self) -> dict[str, str]:
        """Major code → name, in the current catalogue (2021 plus later additions)."""
        majors = self.majors("current")
        return dict(zip(majors["major_code"].to_list(), majors["major_name"].to_list(), strict=True))

    @cached_property
    def occupation_names(self) -> dict[str, str]:
        """职业分类大典 2022 code (any level) → name."""
        return dict(zip(self.occupations["code"].to_list(), self.occupations["name"].to_list(), strict=True))

    @cached_property
    def occupations(self) -> pl.DataFrame:
        """职业分类大典 2022 as a tree in the official code shape (大类 ``2``, 中类 ``2-02``, 小类 ``2-02-32``,
        细类 ``2-02-32-01``): code, name (S/L suffix stripped), level (1–4), level_name, parent_code,
        digital (S, 数字职业), green (L, 绿色职业), definition, tasks, aliases."""
        tree = _read("occupations_2022_hierarchy.csv").select(
            "code", pl.col("name").alias("tree_name"), "parent_code"
        )
        detail = _read("occupations_2022.csv").unique("code", keep="first", maintain_order=True)
        # the detailed file pads every code to four parts: cut it back to its level's shape
        detail = detail.with_columns(
            pl.col("code").str.split("-").list.slice(0, pl.col("level").cast(pl.Int64)).list.join("-")
        )
        merged = tree.join(
            detail.select("code", "name", "definition", "tasks", "alias"), on="code", how="full", coalesce=True
        )
        n_parts = pl.col("code").str.count_matches("-") + 1
        raw_name = pl.coalesce("name", "tree_name")
        out = merged.with_columns(
            n_parts.cast(pl.Int8).alias("level"),
            pl.coalesce(
                "parent_code",
                pl.when(n_parts > 1).then(pl.col("code").str.replace(r"-[^-]+$", "")),
            ).alias("parent_code"),
            raw_name.str.contains(r"(S|L/S|S/L)$").alias("digital"),
            raw_name.str.contains(r"(L|L/S|S/L)$").alias("green"),
            raw_name.str.replace(r"(L/S|S/L|S|L)$", "").alias("name"),
        )
        return out.select(
            "code",
            "name",
            "level",
            pl.col("level").replace_strict(LEVEL_NAMES, return_dtype=pl.String).alias("level_name"),
            "parent_code",
            "digital",
            "green",
            "definition",
            "tasks",
            pl.col("alias").alias("aliases"),
        ).sort("code")

    @cached_property
    def major_occupations(self) -> pl.DataFrame:
        """MOHRSS 2023 crosswalk, vocational levels: major_code, major_name, level, occupation_code,
        occupation_name."""
        df = _read("major_occupation_2023.csv").filter(pl.col("sheet").is_in(list(VOCATIONAL_CROSSWALK_SHEETS)))
        return df.select(
            pl.col("专业代码").alias("major_code"),
            pl.col("专业名称").alias("major_name"),
            pl.col("sheet").replace_strict(VOCATIONAL_CROSSWALK_SHEETS).alias("level"),
            pl.col("职业编码").alias("occupation_code"),
            pl.col("职业名称").alias("occupation_name"),
        ).unique(maintain_order=True)

    @cached_property
    def continuations(self) -> pl.DataFrame:
        """接续专业 (2022 专业简介): source_level, source_code, source_name, target_level, target_code
        (null when the target is a 普通本科 major or unmatched), target_name."""
        return _read("continuation_majors_2022.csv").select(
            "source_level", "source_code", "source_name", "target_level", "target_code", "target_name"
        )

    @cached_property
    def profiles(self) -> pl.DataFrame:
        """职业教育专业简介 (2022): major_code, level, major_name, career_orientation, training_goal, …"""
        return _read("major_profiles_2022.csv")

    @cached_property
    def cities(self) -> pl.DataFrame:
        """Prefecture-level cities (342, GB/T 2260 codes) with their province: code, name, province_code,
        province_name — from the vendored city statistics (latest year)."""
        raw = pl.read_csv(data_path("stats/china_cities_gdp_sectors_2000_2023.csv"), infer_schema_length=0)
        latest = raw.with_columns(pl.col("年度标识").cast(pl.Float64).cast(pl.Int64).alias("year"),
                                  pl.col("城市代码").cast(pl.Float64).cast(pl.Int64).cast(pl.String).alias("code"))
        latest = latest.sort("year").group_by("code").last()
        return latest.select("code", pl.col("城市名称").alias("name"),
                             (pl.col("code").str.slice(0, 2) + "0000").alias("province_code"),
                             pl.col("省份名称").alias("province_name")).drop_nulls("code").sort("code")

    def major_industries(self, granularity: str = "class") -> pl.DataFrame:
        """The project-built major → GB/T 4754 大类 crosswalk (``class`` or ``major`` granularity)."""
        name = {"class": "major_industry_class.csv", "major": "major_industry_major.csv"}[granularity]
        return _read(name).with_columns(pl.col("weight").cast(pl.Float64), pl.col("rank").cast(pl.Int32))

    def stats(self, version: str = "2021") -> dict[str, object]:
        """Counts of every classification (majors per level for the chosen catalogue version)."""
        majors = self.majors(version)
        by_level = {key: majors.filter(pl.col("level_key") == key).height for key in MAJOR_LEVELS.values()}
        return {
            "version": version,
            "majors": by_level,
            "major_classes": majors["class_code"].n_unique(),
            "major_categories": majors["category_code"].n_unique(),
            "majors_k_flag": int(majors["k_flag"].sum()),
            "majors_added_after_2021": int((majors["since"] != "2021").sum()),
            "industries": self._level_counts(self.industries, "level", ("门类", "大类", "中类", "小类")),
            "occupations": self._level_counts(self.occupations, "level_name", tuple(OCCUPATION_LEVELS)),
            "occupations_digital": int(self.occupations["digital"].sum()),
            "occupations_green": int(self.occupations["green"].sum()),
            "major_occupation_links": self.major_occupations.height,
            "continuation_links": self.continuations.height,
            "major_industry_class_links": self.major_industries("class").height,
            "regions": self._level_counts(self.regions, "level", ("省", "市", "县")),
        }

    @cached_property
    def regions(self) -> pl.DataFrame:
        """GB/T 2260 行政区划 (provinces, prefecture-level cities, counties): code (6 digits), name, level
        (省 / 市 / 县) and parent_code. Group rows (市辖区, 省直辖县级行政区划 …) are left out and their children
        hang on the level above (a municipality's districts on the municipality)."""
        raw = _read(REGIONS_FILE).select(pl.col("adcode").str.slice(0, 6).alias("code"), "name")
        raw = raw.filter(~pl.col("name").is_in(list(REGION_PLACEHOLDERS))).unique("code").sort("code")
        known = set(raw["code"].to_list())
        level = (pl.when(pl.col("code").str.slice(2) == "0000").then(pl.lit("省"))
                 .when(pl.col("code").str.slice(4) == "00").then(pl.lit("市")).otherwise(pl.lit("县")))
        province = pl.col("code").str.slice(0, 2) + "0000"
        city = pl.col("code").str.slice(0, 4) + "00"
        parent = (pl.when(pl.col("level") == "省").then(None)
                  .when(pl.col("level") == "市").then(province)
                  .when(city.is_in(list(known))).then(city).otherwise(province))
        return raw.with_columns(level.alias("level")).with_columns(parent.alias("parent_code"))

    @staticmethod
    def _level_counts(df: pl.DataFrame, column: str, levels: tuple[str, ...]) -> dict[str, int]:
        return {level: df.filter(pl.col(column) == level).height for level in levels}


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The shared catalogue instance (each table is loaded on first use, then cached)."""
    return Catalog()
