"""供需链难畅: supply–demand alignment for a year, its trend (mismatch indices), warning cards and the
majors to grow and to cut, with short findings."""

from __future__ import annotations

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
    "sd_finding_blend": ("需求口径：{blend}", "Demand blend: {blend}"),
    "sd_finding_unmatched": ("{count:,.0f} 个岗位需求的职业没有对应的职业教育专业，未计入",
                             "{count:,.0f} openings name occupations no vocational major leads to; left out"),
    "source_declared": ("企业申报", "declared by enterprises"),
    "source_posting": ("招聘信息", "job postings"),
    "source_statistics": ("统计推算", "statistics"),
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


def alignment_inputs(hub: HubSnapshot, catalog: Catalog, config: AnalysisConfig, system: IndicatorSystem) -> al.AlignmentInputs:
    """The alignment's inputs from the hub, the catalogue's crosswalks and the settings."""
    supply = config.section("supply")
    return al.AlignmentInputs(
        major_points=hub["major_points"], majors=catalog.majors("current"),
        demand=pl.concat([hub["demand"], declared_post_demand(hub)], how="diagonal_relaxed"),  # open talent-demand posts
        major_occupations=catalog.major_occupations, major_industries=catalog.major_industries("major"),
        blend=config.section("demand_blend"), average_years=int(supply.get("average_years", 3)),
        share_openings=str(supply.get("share_openings", "graduates")),
        exclude_continued=bool(supply.get("exclude_continued", True)), key_chains=system.key_industries)


def demand_years(hub: HubSnapshot) -> list[int]:
    """Years with any demand record."""
    periods = hub["demand"]["period"]
    return sorted({int(p[:4]) for p in periods.to_list()}) if len(periods) else []


def analyse_supply_demand(hub: HubSnapshot, catalog: Catalog, config: AnalysisConfig, system: IndicatorSystem,
                          year: int) -> SupplyDemandResult:
    """Everything for 供需链难畅 in ``year``."""
    inputs = alignment_inputs(hub, catalog, config, system)
    by_major, blend = al.gaps_by_major(inputs, year)
    by_industry = al.gaps_by_industry(by_major, inputs.major_industries)
    names = dict(zip(catalog.industries["code"], catalog.industries["name"], strict=False))
    by_industry = by_industry.with_columns(pl.col("industry_code").replace_strict(names, default=None).alias("industry_name"))
    rule = config.section("warning")
    cards = warning_cards(by_major, rule)
    grow, cut = grow_and_cut(cards, by_major, {**config.section("grow_cut")})
    deviation, total, dev_warnings = _deviation(hub, catalog, by_industry, year)
    result = SupplyDemandResult(
        year=year, by_major=by_major, by_class=al.gaps_by_class(by_major), by_industry=by_industry,
        by_chain=al.gaps_by_chain(by_industry, system.key_industries),
        by_class_chain=al.gaps_by_class_and_chain(by_major, inputs.major_industries, system.key_industries),
        deviation=deviation, deviation_total=total,
        mismatch_trend=mismatch_trend(inputs, demand_years(hub)), blend=blend,
        unmatched_openings=al.unmatched_demand(inputs, year), cards=cards, grow=grow, cut=cut, warnings=dev_warnings)
    return _with_findings(result)


def _deviation(hub: HubSnapshot, catalog: Catalog, by_industry: pl.DataFrame, year: int) -> tuple[pl.DataFrame, float, list[str]]:
    """Structural deviation of graduate supply shares from employment shares (latest statistics ≤ year)."""
    stats = hub["industry_stats"].filter(pl.col("employment").is_not_null() & (pl.col("year") <= year))
    if stats.height == 0:
        return pl.DataFrame(), 0.0, []
    latest = stats.filter(pl.col("year") == stats["year"].max())
    region = latest.group_by("region_code").agg(pl.len()).sort("len", descending=True)["region_code"][0]
    employment = latest.filter(pl.col("region_code") == region).group_by("industry_code").agg(pl.col("employment").sum())
    keyed = al.to_statistics_codes(by_industry, catalog.industries, employment["industry_code"].to_list())
    joined = employment.join(keyed.rename({"stat_code": "industry_code"}), on="industry_code", how="left").with_columns(
        pl.col("supply").fill_null(0.0)).sort("industry_code")
    result = structural_deviation(joined["supply"].to_numpy(), joined["employment"].to_numpy(),
                                  names=joined["industry_code"].to_list())
    names = dict(zip(catalog.industries["code"], catalog.industries["name"], strict=False))
    frame = result.to_frame(current_lang.get()).with_columns(
        pl.col("category").replace_strict(names, default=None).alias("industry_name"))
    return frame, result.total_abs_, list(result.warnings)


def mismatch_trend(inputs: al.AlignmentInputs, years: list[int]) -> pl.DataFrame:
    """Per year: Duncan and Şahin indices of graduate supply against blended demand over 专业类."""
    rows = []
    for year in years:
        by_class = al.gaps_by_class(al.gaps_by_major(inputs, year)[0])
        if by_class["supply"].sum() <= 0 or by_class["demand"].sum() <= 0:
            continue
        u, v = by_class["supply"].to_numpy(), by_class["demand"].to_numpy()
        rows.append({"year": year, "duncan": dissimilarity_index(u, v), "sahin": sahin_mismatch_index(u, v),
                     "supply": float(u.sum()), "demand": float(v.sum())})
    return pl.DataFrame(rows, schema={"year": pl.Int64, "duncan": pl.Float64, "sahin": pl.Float64,
                                      "supply": pl.Float64, "demand": pl.Float64})


def blend_text(blend: al.DemandBlend) -> str:
    """E.g. ``统计推算 62.5% + 企业申报 37.5%``."""
    parts = sorted(blend.weights.items(), key=lambda kv: -kv[1])
    return " + ".join(f"{t('source_' + s)} {w:.1%}" for s, w in parts) or "—"


def _with_findings(r: SupplyDemandResult) -> SupplyDemandResult:
    findings = [t("sd_finding_blend", blend=blend_text(r.blend))]
    offered = r.by_major.filter(pl.col("offered"))
    surplus = offered.sort("gap").head(3)
    shortage = r.by_major.sort("gap", descending=True).head(3)
    if surplus.height and surplus["gap"][0] < 0:
        findings.append(t("sd_finding_surplus", names=t("list_joiner").join(surplus["major_name"].fill_null("?").to_list()),
                          amount=-float(surplus.filter(pl.col("gap") < 0)["gap"].sum())))
    if shortage.height and shortage["gap"][0] > 0:
        findings.append(t("sd_finding_shortage", names=t("list_joiner").join(shortage["major_name"].fill_null("?").to_list()),
                          amount=float(shortage.filter(pl.col("gap") > 0)["gap"].sum())))
    counts = {c: int((r.cards["card"] == c).sum()) for c in ("red", "yellow", "green")}
    findings.append(t("sd_finding_cards", **counts))  # type: ignore[arg-type]
    if r.mismatch_trend.height >= 2:
        first, last = r.mismatch_trend.row(0, named=True), r.mismatch_trend.row(-1, named=True)
        findings.append(t("sd_finding_mismatch", first_year=first["year"], first=first["duncan"],
                          last_year=last["year"], last=last["duncan"]))
    if r.unmatched_openings > 0:
        findings.append(t("sd_finding_unmatched", count=r.unmatched_openings))
    return SupplyDemandResult(**{**r.__dict__, "findings": findings})
