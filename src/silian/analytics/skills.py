"""大工匠难育: demand by skill level against what the region's schools supply, by year.

Demand: openings by ``skill_level`` (初级工 … 高级技师; 不限 kept apart), per source. Supply: certificates
awarded to graduates by level (``cert_*`` of 专业点), plus 职业本科 graduates as a high-skill pathway.
High skill = 高级工 and above (a setting). The gap is shown both in people and as shares, since declared
demand covers only the enterprises that declare while certificates cover all schools.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

LEVELS = ("初级工", "中级工", "高级工", "技师", "高级技师")
CERT_COLUMNS = {"初级工": "cert_junior", "中级工": "cert_intermediate", "高级工": "cert_senior",
                "技师": "cert_technician", "高级技师": "cert_senior_technician"}


def skill_balance(demand: pl.DataFrame, points: pl.DataFrame, year: int, high_levels: Sequence[str]) -> pl.DataFrame:
    """One row per skill level for ``year``: demand by source, certificates supplied, shares and gap."""
    records = demand.filter(pl.col("period").str.slice(0, 4).cast(pl.Int64) == year)
    wanted = records.group_by("skill_level").agg(
        *[pl.col("count").filter(pl.col("source") == s).sum().alias(f"demand_{s}")
          for s in ("declared", "posting", "statistics")], pl.col("count").sum().alias("demand_all"))
    now = points.filter(pl.col("year") == year)
    supplied = pl.DataFrame({"skill_level": list(LEVELS),
                             "certificates": [int(now[c].fill_null(0).sum()) for c in CERT_COLUMNS.values()]})
    frame = (pl.DataFrame({"skill_level": [*LEVELS, "不限"]})
             .join(wanted, on="skill_level", how="left").join(supplied, on="skill_level", how="left")
             .with_columns(pl.all().exclude("skill_level").fill_null(0)))
    graded = frame.filter(pl.col("skill_level") != "不限")
    total_demand = max(float(graded["demand_all"].sum()), 1e-12)
    total_supply = max(float(graded["certificates"].sum()), 1e-12)
    return frame.with_columns(
        pl.when(pl.col("skill_level") != "不限").then(pl.col("demand_all") / total_demand).alias("demand_share"),
        pl.when(pl.col("skill_level") != "不限").then(pl.col("certificates") / total_supply).alias("supply_share"),
        pl.col("skill_level").is_in(list(high_levels)).alias("high_skill"),
    ).with_columns((pl.col("demand_share") - pl.col("supply_share")).alias("share_gap"))


def high_skill_trend(demand: pl.DataFrame, points: pl.DataFrame, high_levels: Sequence[str]) -> pl.DataFrame:
    """Per year: the high-skill share of graded demand and of certificates awarded."""
    years = sorted(set(points["year"].to_list()) & set(demand["period"].str.slice(0, 4).cast(pl.Int64).to_list()))
    rows = []
    for year in years:
        balance = skill_balance(demand, points, year, high_levels).filter(pl.col("skill_level") != "不限")
        high = balance.filter(pl.col("high_skill"))
        rows.append({"year": year, "high_demand_share": float(high["demand_share"].sum()),
                     "high_supply_share": float(high["supply_share"].sum()),
                     "high_demand": int(high["demand_all"].sum()), "high_certificates": int(high["certificates"].sum())})
    return pl.DataFrame(rows, schema={"year": pl.Int64, "high_demand_share": pl.Float64, "high_supply_share": pl.Float64,
                                      "high_demand": pl.Int64, "high_certificates": pl.Int64})
