"""Warning cards (red / yellow / green) per major and the majors to grow and to cut.

Our own published rule, in the spirit of MyCOS 红牌/黄牌/绿牌 but not theirs (never present it as MyCOS's):

* red: surplus at least ``red_surplus`` of supply (gap ratio ≤ red_surplus, e.g. −0.30) **and**
  (employment rate < ``red_employment`` **or** related-employment rate < ``red_related``);
* yellow: not red, and gap ratio ≤ ``yellow_surplus`` or related rate < ``yellow_related`` or local
  retention < ``yellow_retention``;
* green: everything else. A missing rate never triggers a card;
* no_data: a major without demand evidence from any source (``has_demand`` false) gets no colour at all —
  no data is not zero demand, so it is never red, yellow or green, whatever its outcome rates.
When the year's demand is only partial (no statistics, ``demand_complete`` false) a surplus cannot be read
from it (a partial count is a lower bound), so the surplus rules do not fire; the outcome rules still do.
The thresholds are settings (analysis.toml ``[warning]``); each card carries the reasons that fired.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

CARD_ORDER = {"red": 0, "yellow": 1, "green": 2, "no_data": 3}
CARDS = tuple(CARD_ORDER)


def _below(column: str, threshold: float) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) < threshold)


def warning_cards(by_major: pl.DataFrame, rule: Mapping[str, float]) -> pl.DataFrame:
    """``by_major`` (offered majors only) with ``card`` and ``reasons`` (list of reason keys)."""
    offered = by_major.filter(pl.col("offered"))
    if "has_demand" not in offered.columns:
        offered = offered.with_columns(has_demand=pl.col("gap").is_not_null() if "gap" in offered.columns else pl.lit(True))
    if "demand_complete" not in offered.columns:
        offered = offered.with_columns(demand_complete=pl.lit(True))
    readable = pl.col("gap_ratio").is_not_null() & pl.col("demand_complete")
    surplus_red = readable & (pl.col("gap_ratio") <= rule["red_surplus"])
    surplus_yellow = readable & (pl.col("gap_ratio") <= rule["yellow_surplus"])
    weak_outcome = _below("employment_rate", rule["red_employment"]) | _below("related_rate", rule["red_related"])
    red = surplus_red & weak_outcome
    yellow = ~red & (surplus_yellow | _below("related_rate", rule["yellow_related"])
                     | _below("retention_rate", rule["yellow_retention"]))
    reasons = pl.concat_list([
        pl.when(surplus_red).then(pl.lit("surplus_red")).otherwise(
            pl.when(surplus_yellow).then(pl.lit("surplus_yellow"))),
        pl.when(_below("employment_rate", rule["red_employment"])).then(pl.lit("low_employment")),
        pl.when(_below("related_rate", rule["yellow_related"])).then(pl.lit("low_related")),
        pl.when(_below("retention_rate", rule["yellow_retention"])).then(pl.lit("low_retention")),
    ]).list.drop_nulls()
    no_data = ~pl.col("has_demand")
    return (offered.with_columns(
        pl.when(no_data).then(pl.lit("no_data")).when(red).then(pl.lit("red")).when(yellow).then(pl.lit("yellow"))
        .otherwise(pl.lit("green")).alias("card"),
        pl.when(no_data).then(pl.lit(["no_demand_data"])).otherwise(reasons).alias("reasons"))
        .with_columns(pl.col("card").replace_strict(CARD_ORDER, return_dtype=pl.Int8).alias("_order"))
        .sort("_order", "gap_ratio", "major_code", nulls_last=True).drop("_order"))


def grow_and_cut(cards: pl.DataFrame, by_major: pl.DataFrame, rule: Mapping[str, float]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Majors to grow (gap ratio ≥ grow_gap_ratio and gap ≥ min_gap, or demand with no local supply) and
    majors to cut (red cards; never a major without demand evidence), each ordered by the size of the gap and cut to ``top_n`` rows."""
    top = int(rule.get("top_n", 10))
    grow = by_major.filter(
        pl.col("gap").is_not_null() & (pl.col("gap") >= rule["min_gap"])
        & (pl.col("gap_ratio").is_null() | (pl.col("gap_ratio") >= rule["grow_gap_ratio"]))
    ).sort(["gap", "major_code"], descending=[True, False]).head(top)
    cut = cards.filter(pl.col("card") == "red").sort("gap", "major_code").head(top)
    return grow, cut
