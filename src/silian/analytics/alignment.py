"""Supply–demand alignment by major, major class, industry and key industry chain (the Lightcast way).

Supply of a major = its graduates averaged over the last ``average_years`` years, less those who continued
to a higher level (they do not enter the labour market). Demand comes from three labelled sources
(enterprise-declared, postings, statistics), blended with explicit weights. A demand record that names a
major goes to that major; one that names an occupation is split between the majors the MOHRSS crosswalk
links to it, by each major's share of regional graduates (or equally), so nothing is counted twice; an
occupation none of whose majors is offered in the region is split equally between all its vocational majors
and flagged ``offered = False``. Industries get supply and demand through the major → industry crosswalk
weights (which sum to 1 per major). See docs/methods/alignment.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

SOURCES = ("declared", "posting", "statistics")


@dataclass(frozen=True)
class AlignmentInputs:
    """Frames the alignment needs (hub tables and catalogue crosswalks) and its settings."""

    major_points: pl.DataFrame          # institution_code, major_code, year, graduates, employed, ...
    demand: pl.DataFrame                # source, period, occupation_code, major_code, count
    majors: pl.DataFrame                # catalogue: major_code, major_name, class_code, class_name, level_key
    major_occupations: pl.DataFrame     # major_code, occupation_code
    major_industries: pl.DataFrame      # major_code, industry_code, weight (sums to 1 per major)
    blend: Mapping[str, float]
    average_years: int = 3
    share_openings: str = "graduates"
    exclude_continued: bool = True
    key_chains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DemandBlend:
    """The blend used for a year: weight per source after dropping sources with no data, and their totals."""

    year: int
    weights: dict[str, float]
    totals: dict[str, float]


def supply_by_major(inputs: AlignmentInputs, year: int) -> pl.DataFrame:
    """Per major: ``supply`` (average yearly graduates entering the labour market) and outcome rates."""
    window = inputs.major_points.filter(pl.col("year").is_between(year - inputs.average_years + 1, year))
    n_years = max(window["year"].n_unique(), 1)
    grads = pl.col("graduates").sum()
    cont = pl.col("continued").fill_null(0).sum()
    market = (grads - cont) if inputs.exclude_continued else grads
    return (window.group_by("major_code").agg(
        (market / n_years).alias("supply"), (grads / n_years).alias("graduates"),
        pl.col("institution_code").n_unique().alias("schools"),
        (pl.col("employed").sum() / (grads - cont)).alias("employment_rate"),
        (pl.col("employed_related").sum() / pl.col("employed").sum()).alias("related_rate"),
        (pl.col("stayed_local").sum() / pl.col("employed").sum()).alias("retention_rate"),
        (cont / grads).alias("continued_rate"),
    ).with_columns(pl.col(c).fill_nan(None) for c in ("employment_rate", "related_rate", "retention_rate",
                                                        "continued_rate")))


def demand_by_major(inputs: AlignmentInputs, year: int, supply: pl.DataFrame) -> tuple[pl.DataFrame, DemandBlend]:
    """Per major and source: openings in ``year``; plus the blend (columns ``demand_<source>``, ``demand``)."""
    records = inputs.demand.filter(pl.col("period").str.slice(0, 4).cast(pl.Int64) == year)
    direct = (records.filter(pl.col("major_code").fill_null("") != "")
              .group_by("source", "major_code").agg(pl.col("count").sum().cast(pl.Float64).alias("openings")))
    by_occ = (records.filter((pl.col("major_code").fill_null("") == "") & (pl.col("occupation_code").fill_null("") != ""))
              .group_by("source", "occupation_code").agg(pl.col("count").sum().cast(pl.Float64).alias("openings")))
    split = _split_occupations(inputs, by_occ, supply)
    long = pl.concat([direct.select("source", "major_code", "openings"),
                      split.select("source", "major_code", "openings")], how="vertical_relaxed")
    totals = {s: float(long.filter(pl.col("source") == s)["openings"].sum()) for s in SOURCES}
    blend = _blend(inputs.blend, totals, year)
    wide = long.group_by("major_code").agg(
        [pl.col("openings").filter(pl.col("source") == s).sum().alias(f"demand_{s}") for s in SOURCES])
    wide = wide.with_columns(pl.sum_horizontal(
        [pl.col(f"demand_{s}") * blend.weights.get(s, 0.0) for s in SOURCES]).alias("demand"))
    return wide, blend


def _split_occupations(inputs: AlignmentInputs, by_occ: pl.DataFrame, supply: pl.DataFrame) -> pl.DataFrame:
    links = inputs.major_occupations.select("major_code", "occupation_code").unique()
    offered = links.join(supply.select("major_code", "graduates"), on="major_code", how="inner").filter(
        pl.col("graduates") > 0)
    share = (pl.col("graduates") / pl.col("graduates").sum().over("occupation_code")
             if inputs.share_openings == "graduates" else 1.0 / pl.len().over("occupation_code"))
    offered = offered.with_columns(share.alias("share")).select("major_code", "occupation_code", "share")
    not_offered = (links.join(offered.select("occupation_code").unique(), on="occupation_code", how="anti")
                   .with_columns((1.0 / pl.len().over("occupation_code")).alias("share")))
    shares = pl.concat([offered, not_offered.select("major_code", "occupation_code", "share")])
    return by_occ.join(shares, on="occupation_code", how="inner").with_columns(
        (pl.col("openings") * pl.col("share")).alias("openings"))


def unmatched_demand(inputs: AlignmentInputs, year: int) -> float:
    """Openings in ``year`` naming an occupation that no vocational major is linked to (left out, reported)."""
    records = inputs.demand.filter((pl.col("period").str.slice(0, 4).cast(pl.Int64) == year)
                                   & (pl.col("major_code").fill_null("") == ""))
    linked = inputs.major_occupations["occupation_code"].unique().to_list()
    return float(records.filter(~pl.col("occupation_code").is_in(linked))["count"].sum())


def _blend(weights: Mapping[str, float], totals: Mapping[str, float], year: int) -> DemandBlend:
    present = {s: float(weights.get(s, 0.0)) for s in SOURCES if totals.get(s, 0.0) > 0 and weights.get(s, 0.0) > 0}
    total = sum(present.values())
    used = {s: w / total for s, w in present.items()} if total else {}
    return DemandBlend(year=year, weights=used, totals=dict(totals))


def gaps_by_major(inputs: AlignmentInputs, year: int) -> tuple[pl.DataFrame, DemandBlend]:
    """Supply, demand (by source and blended), gap and gap ratio per major, with catalogue names."""
    supply = supply_by_major(inputs, year)
    demand, blend = demand_by_major(inputs, year, supply)
    majors = inputs.majors.select("major_code", "major_name", "class_code", "class_name", "level_key").unique("major_code")
    frame = (supply.join(demand, on="major_code", how="full", coalesce=True)
             .join(majors, on="major_code", how="left")
             .with_columns(pl.col("supply", "graduates").fill_null(0.0), pl.col("schools").fill_null(0),
                           *[pl.col(f"demand_{s}").fill_null(0.0) for s in SOURCES], pl.col("demand").fill_null(0.0))
             .with_columns(offered=pl.col("graduates") > 0))
    return with_gap(frame).sort("gap"), blend


def with_gap(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``gap`` = demand − supply (negative: surplus) and ``gap_ratio`` = gap / supply (missing if no supply)."""
    return frame.with_columns((pl.col("demand") - pl.col("supply")).alias("gap")).with_columns(
        pl.when(pl.col("supply") > 0).then(pl.col("gap") / pl.col("supply")).otherwise(None).alias("gap_ratio"))


def gaps_by_class(by_major: pl.DataFrame) -> pl.DataFrame:
    """Majors summed to their 专业类 (class codes are level-specific in the catalogue)."""
    return with_gap(by_major.group_by("class_code", "class_name", "level_key").agg(
        pl.col("supply", "graduates", "demand", *[f"demand_{s}" for s in SOURCES]).sum(),
        pl.len().alias("majors"), pl.col("offered").sum().alias("majors_offered"))).sort("gap")


def gaps_by_industry(by_major: pl.DataFrame, major_industries: pl.DataFrame) -> pl.DataFrame:
    """Supply and demand carried to GB/T 4754 大类 by the crosswalk weights."""
    weighted = by_major.join(major_industries.select("major_code", "industry_code", "weight"), on="major_code", how="inner")
    return with_gap(weighted.group_by("industry_code").agg(
        (pl.col("supply") * pl.col("weight")).sum().alias("supply"),
        (pl.col("demand") * pl.col("weight")).sum().alias("demand"))).sort("gap")


def gaps_by_chain(by_industry: pl.DataFrame, key_chains: Mapping[str, tuple[str, ...]]) -> pl.DataFrame:
    """Industries summed to the region's key industry chains (an industry may sit in one chain only)."""
    rows = [{"chain": chain, "industry_code": code} for chain, codes in key_chains.items() for code in codes]
    if not rows:
        return pl.DataFrame(schema={"chain": pl.String, "supply": pl.Float64, "demand": pl.Float64})
    chains = pl.DataFrame(rows)
    return with_gap(by_industry.join(chains, on="industry_code", how="inner").group_by("chain").agg(
        pl.col("supply", "demand").sum())).sort("gap")


def to_statistics_codes(by_industry: pl.DataFrame, industries: pl.DataFrame, stat_codes: list[str]) -> pl.DataFrame:
    """Re-key 大类 rows to the codes the statistics use: the 大类 itself if present, else its 门类."""
    parent = dict(zip(industries["code"], industries["parent_code"], strict=False))
    available = set(stat_codes)
    mapping = {c: (c if c in available else parent.get(c, c)) for c in by_industry["industry_code"].to_list()}
    return (by_industry.with_columns(pl.col("industry_code").replace_strict(mapping, default=None).alias("stat_code"))
            .filter(pl.col("stat_code").is_in(list(available)))
            .group_by("stat_code").agg(pl.col("supply", "demand").sum()))


def gaps_by_class_and_chain(by_major: pl.DataFrame, major_industries: pl.DataFrame,
                            key_chains: Mapping[str, tuple[str, ...]]) -> pl.DataFrame:
    """Gap per 专业类 × key industry chain (the heatmap): each major's supply and demand carried to the
    chains by its crosswalk weights; the part of a major outside the key chains is left out."""
    rows = [{"chain": chain, "industry_code": code} for chain, codes in key_chains.items() for code in codes]
    if not rows:
        return pl.DataFrame(schema={"class_name": pl.String, "level_key": pl.String, "chain": pl.String,
                                    "supply": pl.Float64, "demand": pl.Float64, "gap": pl.Float64})
    weights = major_industries.select("major_code", "industry_code", "weight").join(pl.DataFrame(rows), on="industry_code")
    return with_gap(
        by_major.join(weights, on="major_code", how="inner")
        .group_by("class_code", "class_name", "level_key", "chain")
        .agg(
            (pl.col("supply") * pl.col("weight")).sum().alias("supply"),
            (pl.col("demand") * pl.col("weight")).sum().alias("demand"),
        )
    )
