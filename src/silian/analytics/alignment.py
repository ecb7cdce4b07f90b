"""Supply–demand alignment by major, major class, industry and key industry chain (the Lightcast way).

Supply of a major = its graduates averaged over the last ``average_years`` years, less those who continued
to a higher level (they do not enter the labour market). Demand comes from three labelled sources
(enterprise-declared, postings, statistics). **Statistics set the total** openings of a year; declared demand
and postings only say how that total divides: each major's demand is the statistical total times a weighted
mix of the sources' shares (``share_weights``), so the total is exactly the statistical one. A year without
statistics uses what there is, labelled partial: per major the largest count of any source (each source is a
partial count, so the largest is a lower bound) — never averaged with a total.

A demand record that names a major goes to that major; one that names an occupation is split between the
majors the MOHRSS crosswalk links to it, by each major's share of regional graduates (or equally), so nothing
is counted twice; an occupation none of whose majors is offered in the region is split equally between all
its vocational majors and flagged ``offered = False``. An enterprise that declares the same occupation in two
campaigns of one year counts once: its latest campaign replaces the earlier ones (``same_occupation_twice``).

**No data is not zero**: a major with no record of any source in the year (neither naming it nor one of its
occupations) has ``has_demand = False`` and null demand, gap and gap ratio; its supply is kept out of the
gaps of the roll-ups (``supply_no_data``). Industries get supply and demand through the major → industry
crosswalk weights (which sum to 1 per major). See docs/methods/alignment.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

SOURCES = ("declared", "posting", "statistics")
ADDED = "added"  # openings known exactly (a scenario's new plant): added on top of the divided total
DUPLICATE_RULES = ("latest", "max", "sum")


@dataclass(frozen=True)
class AlignmentInputs:
    """Frames the alignment needs (hub tables and catalogue crosswalks) and its settings.

    ``blend`` holds the ``[demand_sources]`` settings: ``share_statistics``, ``share_declared`` and
    ``share_posting`` (how much each source's distribution counts when the statistical total is divided) and
    ``same_occupation_twice`` (``latest``, ``max`` or ``sum``)."""

    major_points: pl.DataFrame          # institution_code, major_code, year, graduates, employed, ...
    demand: pl.DataFrame                # source, period, occupation_code, major_code, count (enterprise_credit_code)
    majors: pl.DataFrame                # catalogue: major_code, major_name, class_code, class_name, level_key
    major_occupations: pl.DataFrame     # major_code, occupation_code
    major_industries: pl.DataFrame      # major_code, industry_code, weight (sums to 1 per major)
    blend: Mapping[str, object]
    average_years: int = 3
    share_openings: str = "graduates"
    exclude_continued: bool = True
    key_chains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DemandBlend:
    """How the demand of a year was made.

    ``basis``: ``statistics`` (statistics set the total; ``weights`` are the share weights of the sources
    with data, summing to 1), ``partial`` (no statistics: per major the largest count of any source, a lower
    bound; ``weights`` empty) or ``none`` (no demand record). ``totals``: each source's own openings (after
    the duplicate-declaration rule); ``total``: the demand total used; ``replaced``: declared records dropped
    because the same enterprise declared the same occupation again later that year."""

    year: int
    weights: dict[str, float]
    totals: dict[str, float]
    basis: str = "statistics"
    total: float = 0.0
    replaced: int = 0
    added: float = 0.0

    @property
    def complete(self) -> bool:
        """Whether demand is a total (statistics), so a surplus can be read from it."""
        return self.basis == "statistics"


def share_weights(settings: Mapping[str, object]) -> dict[str, float]:
    """The share weight of each source from the ``[demand_sources]`` settings (``share_<source>``); the old
    ``[demand_blend]`` key names (``<source>``) are read too."""
    weights = {}
    for source in SOURCES:
        value = settings.get(f"share_{source}", settings.get(source, 0.0))
        weights[source] = float(value)  # type: ignore[arg-type]
    return weights


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


def year_records(inputs: AlignmentInputs, year: int) -> tuple[pl.DataFrame, int]:
    """The demand records of ``year`` with the duplicate-declaration rule applied; and how many declared
    records it dropped."""
    records = inputs.demand.filter(pl.col("period").str.slice(0, 4).cast(pl.Int64) == year)
    rule = str(inputs.blend.get("same_occupation_twice", "latest"))
    kept = one_declaration_per_occupation(records, rule)
    return kept, records.height - kept.height


def one_declaration_per_occupation(records: pl.DataFrame, rule: str = "latest") -> pl.DataFrame:
    """Declared records of one year with one campaign per enterprise × occupation (a record naming only a
    major is keyed by the major). ``latest``: the latest campaign (period) that names it replaces the earlier
    ones; ``max``: the campaign with the most openings for it (ties: the latest); ``sum``: every campaign
    counts (the old behaviour, for comparison). Rows of one campaign (skill levels, majors) are all kept; a
    year-only period (``2024``) sorts before the months of that year; records without an enterprise are kept."""
    if rule not in DUPLICATE_RULES:
        raise ValueError(f"same_occupation_twice = {rule!r}: expected one of {', '.join(DUPLICATE_RULES)}")
    if rule == "sum" or records.height == 0 or "enterprise_credit_code" not in records.columns:
        return records
    enterprise = pl.col("enterprise_credit_code").fill_null("")
    subject = (pl.when(pl.col("occupation_code").fill_null("") != "").then(pl.col("occupation_code"))
               .otherwise(pl.lit("major:") + pl.col("major_code").fill_null("")))
    marked = records.with_columns(subject.alias("_subject"), pl.col("period").str.slice(0, 4).alias("_year"),
                                  pl.int_range(pl.len()).alias("_row"))
    keyed = (pl.col("source") == "declared") & (enterprise != "")
    candidates = marked.filter(keyed)
    campaigns = candidates.group_by("enterprise_credit_code", "_subject", "_year", "period").agg(pl.col("count").sum().alias("_n"))
    order = ["_n", "period"] if rule == "max" else ["period"]
    chosen = (campaigns.sort(order, descending=True).group_by("enterprise_credit_code", "_subject", "_year", maintain_order=True)
              .first().select("enterprise_credit_code", "_subject", "_year", "period"))
    kept = candidates.join(chosen, on=["enterprise_credit_code", "_subject", "_year", "period"], how="semi")
    return pl.concat([marked.filter(~keyed), kept]).sort("_row").drop("_subject", "_year", "_row")


def demand_by_major(inputs: AlignmentInputs, year: int, supply: pl.DataFrame) -> tuple[pl.DataFrame, DemandBlend]:
    """Per major: each source's openings in ``year`` (``demand_<source>``, null when the source has no record
    for the major), the sources with evidence (``sources``), ``has_demand`` and the demand by the rule of
    the module docstring (``demand``, null when no source has evidence); plus how it was made."""
    records, replaced = year_records(inputs, year)
    direct = (records.filter(pl.col("major_code").fill_null("") != "")
              .group_by("source", "major_code").agg(pl.col("count").sum().cast(pl.Float64).alias("openings")))
    by_occ = (records.filter((pl.col("major_code").fill_null("") == "") & (pl.col("occupation_code").fill_null("") != ""))
              .group_by("source", "occupation_code").agg(pl.col("count").sum().cast(pl.Float64).alias("openings")))
    split = _split_occupations(inputs, by_occ, supply)
    long = pl.concat([direct.select("source", "major_code", "openings"),
                      split.select("source", "major_code", "openings")], how="vertical_relaxed")
    totals = {s: float(long.filter(pl.col("source") == s)["openings"].sum()) for s in SOURCES}
    added = float(long.filter(pl.col("source") == ADDED)["openings"].sum())
    wide = long.group_by("major_code").agg(
        *[pl.when((pl.col("source") == s).any()).then(pl.col("openings").filter(pl.col("source") == s).sum())
          .alias(f"demand_{s}") for s in (*SOURCES, ADDED)],
        pl.col("source").unique().sort().alias("sources"))
    blend = _blend(share_weights(inputs.blend), totals, year, replaced, added)
    if blend.basis == "statistics":
        mix = pl.sum_horizontal([pl.col(f"demand_{s}").fill_null(0.0) * (w / totals[s]) for s, w in blend.weights.items()])
        base = mix * totals["statistics"]
    else:  # partial: the largest count of any source (each is a partial count, so the largest is a lower bound)
        base = pl.max_horizontal([pl.col(f"demand_{s}") for s in SOURCES]).fill_null(0.0)
    wide = wide.with_columns((base + pl.col(f"demand_{ADDED}").fill_null(0.0)).alias("demand"), has_demand=pl.lit(True))
    blend = DemandBlend(**{**blend.__dict__, "total": float(wide["demand"].sum())})
    return wide.drop(f"demand_{ADDED}"), blend


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
    records = year_records(inputs, year)[0].filter(pl.col("major_code").fill_null("") == "")
    linked = inputs.major_occupations["occupation_code"].unique().to_list()
    return float(records.filter(~pl.col("occupation_code").is_in(linked))["count"].sum())


def _blend(weights: Mapping[str, float], totals: Mapping[str, float], year: int, replaced: int = 0,
           added: float = 0.0) -> DemandBlend:
    present = {s: float(weights.get(s, 0.0)) for s in SOURCES if totals.get(s, 0.0) > 0 and weights.get(s, 0.0) > 0}
    if totals.get("statistics", 0.0) <= 0:
        basis = "partial" if any(totals.get(s, 0.0) > 0 for s in SOURCES) else "none"
        return DemandBlend(year=year, weights={}, totals=dict(totals), basis=basis, replaced=replaced, added=added)
    if not present:  # every share weight zero: the statistics' own division
        present = {"statistics": 1.0}
    total = sum(present.values())
    return DemandBlend(year=year, weights={s: w / total for s, w in present.items()}, totals=dict(totals),
                       basis="statistics", replaced=replaced, added=added)


def gaps_by_major(inputs: AlignmentInputs, year: int) -> tuple[pl.DataFrame, DemandBlend]:
    """Supply, demand (by source and blended), gap and gap ratio per major, with catalogue names; majors
    without demand evidence keep null demand, gap and gap ratio (``has_demand = False``)."""
    supply = supply_by_major(inputs, year)
    demand, blend = demand_by_major(inputs, year, supply)
    majors = inputs.majors.select("major_code", "major_name", "class_code", "class_name", "level_key").unique("major_code")
    frame = (supply.join(demand, on="major_code", how="full", coalesce=True)
             .join(majors, on="major_code", how="left")
             .with_columns(pl.col("supply", "graduates").fill_null(0.0), pl.col("schools").fill_null(0),
                           pl.col("has_demand").fill_null(False), pl.col("sources").fill_null([]),
                           pl.lit(blend.complete).alias("demand_complete"))
             .with_columns(offered=pl.col("graduates") > 0))
    return with_gap(frame).sort("gap", "major_code", nulls_last=True), blend


def with_gap(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``gap`` = demand − supply (negative: surplus; null without demand) and ``gap_ratio`` = gap / supply
    (null if no supply or no demand)."""
    return frame.with_columns((pl.col("demand") - pl.col("supply")).alias("gap")).with_columns(
        pl.when(pl.col("supply") > 0).then(pl.col("gap") / pl.col("supply")).otherwise(None).alias("gap_ratio"))


def _covered(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (majors) with ``supply_no_data`` (the supply of majors without demand evidence) and
    ``supply`` limited to the majors with evidence, so a roll-up's gap compares like with like."""
    if "has_demand" not in frame.columns:
        return frame.with_columns(pl.lit(0.0).alias("supply_no_data"))
    return frame.with_columns(pl.when(pl.col("has_demand")).then(0.0).otherwise(pl.col("supply")).alias("supply_no_data"),
                              pl.when(pl.col("has_demand")).then(pl.col("supply")).otherwise(0.0).alias("supply"))


def gaps_by_class(by_major: pl.DataFrame) -> pl.DataFrame:
    """Majors summed to their 专业类 (class codes are level-specific in the catalogue); ``supply`` and the gap
    count the majors with demand evidence, ``supply_no_data`` the others."""
    return with_gap(_covered(by_major).group_by("class_code", "class_name", "level_key").agg(
        pl.col("supply", "supply_no_data", "graduates", "demand", *[f"demand_{s}" for s in SOURCES]).sum(),
        pl.len().alias("majors"), pl.col("offered").sum().alias("majors_offered"))).sort("gap")


def gaps_by_industry(by_major: pl.DataFrame, major_industries: pl.DataFrame) -> pl.DataFrame:
    """Supply and demand carried to GB/T 4754 大类 by the crosswalk weights (``supply_no_data`` apart)."""
    weighted = _covered(by_major).join(major_industries.select("major_code", "industry_code", "weight"), on="major_code",
                                       how="inner")
    return with_gap(weighted.group_by("industry_code").agg(
        (pl.col("supply") * pl.col("weight")).sum().alias("supply"),
        (pl.col("supply_no_data") * pl.col("weight")).sum().alias("supply_no_data"),
        (pl.col("demand") * pl.col("weight")).sum().alias("demand"))).sort("gap")


def gaps_by_chain(by_industry: pl.DataFrame, key_chains: Mapping[str, tuple[str, ...]]) -> pl.DataFrame:
    """Industries summed to the region's key industry chains (an industry may sit in one chain only)."""
    rows = [{"chain": chain, "industry_code": code} for chain, codes in key_chains.items() for code in codes]
    if not rows:
        return pl.DataFrame(schema={"chain": pl.String, "supply": pl.Float64, "demand": pl.Float64})
    chains = pl.DataFrame(rows)
    extra = ["supply_no_data"] if "supply_no_data" in by_industry.columns else []
    return with_gap(by_industry.join(chains, on="industry_code", how="inner").group_by("chain").agg(
        pl.col("supply", "demand", *extra).sum())).sort("gap")


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
        _covered(by_major).join(weights, on="major_code", how="inner")
        .group_by("class_code", "class_name", "level_key", "chain")
        .agg(
            (pl.col("supply") * pl.col("weight")).sum().alias("supply"),
            (pl.col("demand") * pl.col("weight")).sum().alias("demand"),
        )
    )
