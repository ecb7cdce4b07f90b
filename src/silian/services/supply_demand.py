"""供需链难畅: supply–demand alignment for a year, its trend (mismatch indices), warning cards and the
majors to grow and to cut, with short findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from silian.analytics import alignment as al
from silian.analytics.mismatch import dissimilarity_index, sahin_mismatch_index, structural_deviation
from silian.analytics.warning_cards import grow_and_cut, warning_cards
from silian.catalog import Catalog
from silian.domain.indicators import IndicatorSystem
from silian.domain.messages import current_lang, register_messages, t
from silian.services.config import AnalysisConfig
from silian.services.hub import HubSnapshot
from silian.services.platform_posts import declared_post_demand

register_messages({
    "sd_finding_surplus": ("供给过剩最多的专业：{names}（毕业生供给超过需求 {amount:,.0f} 人）",
                           "Largest surpluses: {names} (supply exceeds demand by {amount:,.0f})"),
    "sd_finding_shortage": ("缺口最大的专业：{names}（需求超过供给 {amount:,.0f} 人）",
                            "Largest shortages: {names} (demand exceeds supply by {amount:,.0f})"),
    "sd_finding_cards": ("预警：红牌 {red} 个、黄牌 {yellow} 个、绿牌 {green} 个专业",
                         "Warning cards: {red} red, {yellow} yellow, {green} green majors"),
    "sd_finding_mismatch": ("专业类错配指数（Duncan）{first_year} 年 {first:.3f} → {last_year} 年 {last:.3f}",
                            "Class mismatch (Duncan) {first:.3f} in {first_year} → {last:.3f} in {last_year}"),
    "sd_finding_blend": ("需求口径：{blend}", "Demand basis: {blend}"),
    "sd_blend_statistics": ("统计推算定总量 {total:,.0f} 人，按来源份额划分：{shares}",
                            "statistics set the total of {total:,.0f}, divided by the sources' shares: {shares}"),
    "sd_blend_partial": ("部分口径（{year} 年无统计推算总量）：各专业取 {sources} 中的较大值，是需求的下限，不据此判断过剩",
                         ("partial ({year} has no statistical total): per major the larger of {sources}, a lower bound "
                         "of demand, not read as a surplus")),
    "sd_blend_none": ("{year} 年没有需求记录", "no demand record in {year}"),
    "sd_finding_no_data": (("{count} 个开设专业没有任何来源的需求数据（毕业生供给 {supply:,.0f} 人/年），不评牌、不压减，"
                           "需补充的数据见“无需求数据的专业”"),
                           ("{count} offered majors have no demand evidence from any source ({supply:,.0f} graduates a "
                           "year): no card, no cut; the data that would fix it are listed under 'Majors without demand data'")),
    "sd_finding_replaced": ("同一企业同一年重复申报同一职业的 {count} 条记录以最近一次申报为准（较早的不再计入）",
                            ("{count} records of an enterprise declaring the same occupation again later in the year were "
                            "replaced by its latest declaration")),
    "sd_fix_no_link": ("专业—职业对照中没有该专业对应的职业：需补充对照，或由企业按专业直接申报需求",
                       ("the major–occupation crosswalk links no occupation to this major: add the link, or have "
                       "enterprises declare demand for the major itself")),
    "sd_fix_missing": ("需补充 {year} 年以下职业的需求（{sources}）：{occupations}",
                       "add {year} demand ({sources}) for: {occupations}"),
    "sd_finding_unmatched": ("{count:,.0f} 个岗位需求的职业没有对应的职业教育专业，未计入",
                             "{count:,.0f} openings name occupations no vocational major leads to; left out"),
    "source_declared": ("企业申报", "declared by enterprises"),
    "source_posting": ("招聘信息", "job postings"),
    "source_statistics": ("统计推算", "statistics"),
    "source_added": ("情景新增", "scenario additions"),
})


@dataclass(frozen=True)
class SupplyDemandResult:
    """Alignment for ``year`` plus trend; frames documented in docs/methods/alignment.md."""

    year: int
    by_major: pl.DataFrame
    by_class: pl.DataFrame
    by_industry: pl.DataFrame
    by_chain: pl.DataFrame
    by_class_chain: pl.DataFrame
    deviation: pl.DataFrame
    deviation_total: float
    mismatch_trend: pl.DataFrame
    blend: al.DemandBlend
    unmatched_openings: float
    cards: pl.DataFrame
    grow: pl.DataFrame
    cut: pl.DataFrame
    findings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    coverage: pl.DataFrame = field(default_factory=pl.DataFrame)      # per offered major: sources, occupations, fix
    occupations: pl.DataFrame = field(default_factory=pl.DataFrame)   # per occupation: openings by source, majors

    @property
    def no_data(self) -> pl.DataFrame:
        """The offered majors without demand evidence from any source, with what data would fix it."""
        if self.coverage.height == 0:
            return self.coverage
        return self.coverage.filter(~pl.col("has_demand"))


def alignment_inputs(hub: HubSnapshot, catalog: Catalog, config: AnalysisConfig, system: IndicatorSystem) -> al.AlignmentInputs:
    """The alignment's inputs from the hub, the catalogue's crosswalks and the settings."""
    supply = config.section("supply")
    return al.AlignmentInputs(
        major_points=hub["major_points"], majors=catalog.majors("current"),
        demand=pl.concat([hub["demand"], declared_post_demand(hub)], how="diagonal_relaxed"),  # open talent-demand posts
        major_occupations=catalog.major_occupations, major_industries=catalog.major_industries("major"),
        blend=demand_settings(config), average_years=int(supply.get("average_years", 3)),
        share_openings=str(supply.get("share_openings", "graduates")),
        exclude_continued=bool(supply.get("exclude_continued", True)), key_chains=system.key_industries)


def demand_settings(config: AnalysisConfig) -> dict[str, object]:
    """The ``[demand_sources]`` settings (an older file's ``[demand_blend]`` weights are read as share weights)."""
    return config.section("demand_sources") or config.section("demand_blend")


def demand_years(hub: HubSnapshot) -> list[int]:
    """Years with any demand record."""
    periods = hub["demand"]["period"]
    return sorted({int(p[:4]) for p in periods.to_list()}) if len(periods) else []


def analyse_supply_demand(hub: HubSnapshot, catalog: Catalog, config: AnalysisConfig, system: IndicatorSystem,
                          year: int, *, region_code: str | None = None, provisional: Sequence[int] = (),
                          trend_until: int | None = None) -> SupplyDemandResult:
    """Everything for 供需链难畅 in ``year`` (for ``region_code``'s statistics when given). ``provisional`` years
    (incomplete data, see :mod:`silian.analytics.completeness`) stay in the mismatch trend, marked, but never
    end it; the trend runs to ``trend_until`` (the analysis year; default ``year``), later years are left out."""
    inputs = alignment_inputs(hub, catalog, config, system)
    by_major, blend = al.gaps_by_major(inputs, year)
    by_industry = al.gaps_by_industry(by_major, inputs.major_industries)
    names = dict(zip(catalog.industries["code"], catalog.industries["name"], strict=False))
    by_industry = by_industry.with_columns(pl.col("industry_code").replace_strict(names, default=None).alias("industry_name"))
    rule = config.section("warning")
    cards = warning_cards(by_major, rule)
    grow, cut = grow_and_cut(cards, by_major, {**config.section("grow_cut")})
    deviation, total, dev_warnings = _deviation(hub, catalog, by_industry, year, region_code)
    coverage, occupations = demand_coverage(inputs, catalog, by_major, year)
    result = SupplyDemandResult(
        year=year, by_major=by_major, by_class=al.gaps_by_class(by_major), by_industry=by_industry,
        by_chain=al.gaps_by_chain(by_industry, system.key_industries),
        by_class_chain=al.gaps_by_class_and_chain(by_major, inputs.major_industries, system.key_industries),
        deviation=deviation, deviation_total=total,
        mismatch_trend=mismatch_trend(inputs, [y for y in demand_years(hub) if y <= (trend_until or year)], provisional), blend=blend,
        unmatched_openings=al.unmatched_demand(inputs, year), cards=cards, grow=grow, cut=cut, warnings=dev_warnings,
        coverage=coverage, occupations=occupations)
    return _with_findings(result)


def demand_coverage(inputs: al.AlignmentInputs, catalog: Catalog, by_major: pl.DataFrame,
                    year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Which sources have evidence, per offered major and per occupation (linked to an offered major or named
    by a record of ``year``); for a major without evidence, what data would fix it."""
    records, _ = al.year_records(inputs, year)
    named = records.filter(pl.col("occupation_code").fill_null("") != "")
    by_occ = named.group_by("occupation_code").agg(
        pl.col("source").unique().sort().alias("sources"),
        *[pl.when((pl.col("source") == s).any()).then(pl.col("count").filter(pl.col("source") == s).sum().cast(pl.Float64))
          .alias(f"openings_{s}") for s in al.SOURCES])
    offered = by_major.filter(pl.col("offered"))
    links = inputs.major_occupations.select("major_code", "occupation_code").unique()
    offered_links = links.join(offered.select("major_code"), on="major_code", how="semi")
    occ_names = catalog.occupation_names
    occupations = (pl.concat([offered_links.select("occupation_code"), by_occ.select("occupation_code")]).unique()
                   .join(by_occ, on="occupation_code", how="left")
                   .join(offered_links.group_by("occupation_code").agg(pl.col("major_code").sort().alias("majors")),
                         on="occupation_code", how="left")
                   .with_columns(pl.col("sources").fill_null([]), pl.col("majors").fill_null([]),
                                 pl.col("occupation_code").replace_strict(occ_names, default=None).alias("occupation_name"))
                   .sort("occupation_code"))
    industry_names = dict(zip(catalog.industries["code"], catalog.industries["name"], strict=False))
    industries = (inputs.major_industries.filter(pl.col("weight") > 0).sort("weight", descending=True)
                  .group_by("major_code", maintain_order=True).agg(pl.col("industry_code").alias("industries")))
    per_major = (offered_links.group_by("major_code").agg(pl.col("occupation_code").sort().alias("occupations")))
    coverage = (offered.select("major_code", "major_name", "level_key", "supply", "has_demand", "sources")
                .join(per_major, on="major_code", how="left").join(industries, on="major_code", how="left")
                .with_columns(pl.col("occupations").fill_null([]), pl.col("industries").fill_null([])))
    rows = []
    for r in coverage.iter_rows(named=True):
        missing = [s for s in al.SOURCES if s not in (r["sources"] or [])]
        fix = None
        if not r["has_demand"]:
            if not r["occupations"]:
                fix = t("sd_fix_no_link")
            else:
                shown = [f"{c} {occ_names.get(c, '')}".strip() for c in r["occupations"][:6]]
                more = "…" if len(r["occupations"]) > 6 else ""
                fix = t("sd_fix_missing", year=year, sources=t("list_joiner").join(t("source_" + s) for s in missing),
                        occupations=t("list_joiner").join(shown) + more)
        rows.append({"major_code": r["major_code"], "missing": missing, "fix": fix,
                     "occupation_names": [occ_names.get(c) for c in r["occupations"]],
                     "industry_names": [industry_names.get(c) for c in r["industries"]]})
    extra = pl.DataFrame(rows, schema={"major_code": pl.String, "missing": pl.List(pl.String), "fix": pl.String,
                                       "occupation_names": pl.List(pl.String), "industry_names": pl.List(pl.String)})
    coverage = coverage.join(extra, on="major_code", how="left").sort(  # supply rounded: ties stay ties, by code
        "has_demand", pl.col("supply").round(6), "major_code", descending=[False, True, False])
    return coverage, occupations


def _deviation(hub: HubSnapshot, catalog: Catalog, by_industry: pl.DataFrame, year: int,
               region_code: str | None = None) -> tuple[pl.DataFrame, float, list[str]]:
    """Structural deviation of graduate supply shares from employment shares (latest statistics ≤ year) of
    ``region_code`` — the region analysed, never "the region with the most rows"; without statistics of its own,
    the sum over the regions under it."""
    stats = hub["industry_stats"].filter(pl.col("employment").is_not_null() & (pl.col("year") <= year))
    own = stats.filter(pl.col("region_code") == region_code) if region_code else stats
    if own.height:
        stats = own
    if stats.height == 0:
        return pl.DataFrame(), 0.0, []
    latest = stats.filter(pl.col("year") == stats["year"].max())
    employment = latest.group_by("industry_code").agg(pl.col("employment").sum())
    if "supply_no_data" in by_industry.columns:  # graduate shares: every major's supply, with demand data or not
        by_industry = by_industry.with_columns(pl.col("supply") + pl.col("supply_no_data"))
    keyed = al.to_statistics_codes(by_industry, catalog.industries, employment["industry_code"].to_list())
    joined = employment.join(keyed.rename({"stat_code": "industry_code"}), on="industry_code", how="left").with_columns(
        pl.col("supply").fill_null(0.0)).sort("industry_code")
    result = structural_deviation(joined["supply"].to_numpy(), joined["employment"].to_numpy(),
                                  names=joined["industry_code"].to_list())
    names = dict(zip(catalog.industries["code"], catalog.industries["name"], strict=False))
    frame = result.to_frame(current_lang.get()).with_columns(
        pl.col("category").replace_strict(names, default=None).alias("industry_name"))
    return frame, result.total_abs_, list(result.warnings)


def mismatch_trend(inputs: al.AlignmentInputs, years: list[int], provisional: Sequence[int] = ()) -> pl.DataFrame:
    """Per year: Duncan and Şahin indices of graduate supply against blended demand over 专业类; ``provisional``
    marks years whose data are incomplete (shown, never a trend's end point)."""
    rows = []
    for year in years:
        by_major, blend = al.gaps_by_major(inputs, year)
        by_class = al.gaps_by_class(by_major)
        if by_class["supply"].sum() <= 0 or by_class["demand"].sum() <= 0:
            continue
        u, v = by_class["supply"].to_numpy(), by_class["demand"].to_numpy()
        rows.append({"year": year, "duncan": dissimilarity_index(u, v), "sahin": sahin_mismatch_index(u, v),
                     "supply": float(u.sum()), "demand": float(v.sum()), "basis": blend.basis,
                     "provisional": year in provisional})
    return pl.DataFrame(rows, schema={"year": pl.Int64, "duncan": pl.Float64, "sahin": pl.Float64,
                                      "supply": pl.Float64, "demand": pl.Float64, "basis": pl.String,
                                      "provisional": pl.Boolean})


def blend_text(blend: al.DemandBlend) -> str:
    """E.g. ``统计推算定总量 108,075 人，按来源份额划分：统计推算 62.5% + 企业申报 37.5%``, or the partial basis."""
    if blend.basis == "none":
        return t("sd_blend_none", year=blend.year)
    if blend.basis == "partial":
        present = [t("source_" + s) for s in al.SOURCES if blend.totals.get(s, 0.0) > 0]
        return t("sd_blend_partial", year=blend.year, sources=t("list_joiner").join(present))
    parts = sorted(blend.weights.items(), key=lambda kv: -kv[1])
    shares = " + ".join(f"{t('source_' + s)} {w:.1%}" for s, w in parts) or "—"
    return t("sd_blend_statistics", total=blend.totals.get("statistics", 0.0), shares=shares)


def _with_findings(r: SupplyDemandResult) -> SupplyDemandResult:
    findings = [t("sd_finding_blend", blend=blend_text(r.blend))]
    if r.blend.replaced:
        findings.append(t("sd_finding_replaced", count=r.blend.replaced))
    offered = r.by_major.filter(pl.col("offered") & pl.col("gap").is_not_null())
    surplus = offered.sort("gap").head(3) if r.blend.complete else offered.clear()
    shortage = r.by_major.filter(pl.col("gap").is_not_null()).sort("gap", descending=True).head(3)
    if surplus.height and surplus["gap"][0] < 0:
        findings.append(t("sd_finding_surplus", names=t("list_joiner").join(surplus["major_name"].fill_null("?").to_list()),
                          amount=-float(surplus.filter(pl.col("gap") < 0)["gap"].sum())))
    if shortage.height and shortage["gap"][0] > 0:
        findings.append(t("sd_finding_shortage", names=t("list_joiner").join(shortage["major_name"].fill_null("?").to_list()),
                          amount=float(shortage.filter(pl.col("gap") > 0)["gap"].sum())))
    counts = {c: int((r.cards["card"] == c).sum()) for c in ("red", "yellow", "green")}
    findings.append(t("sd_finding_cards", **counts))  # type: ignore[arg-type]
    if r.no_data.height:
        findings.append(t("sd_finding_no_data", count=r.no_data.height, supply=float(r.no_data["supply"].sum())))
    complete = r.mismatch_trend.filter(~pl.col("provisional"))  # a provisional year never ends the trend
    if complete.height >= 2:
        first, last = complete.row(0, named=True), complete.row(-1, named=True)
        findings.append(t("sd_finding_mismatch", first_year=first["year"], first=first["duncan"],
                          last_year=last["year"], last=last["duncan"]))
    if r.unmatched_openings > 0:
        findings.append(t("sd_finding_unmatched", count=r.unmatched_openings))
    return SupplyDemandResult(**{**r.__dict__, "findings": findings})
