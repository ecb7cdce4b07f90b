"""What the plan would change, at steady state: per major the gap now and with the plan (:func:`major_frame`);
Σ|gap|, the Duncan index over 专业类 and the four-chain coupling D for this year's and the planned enrolment
(:func:`predicted_effect`)."""

from __future__ import annotations

from typing import Any

import polars as pl

from silian.analytics.mismatch import dissimilarity_index
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services.four_chains import analyse_four_chains
from silian.services.hub import HubSnapshot
from silian.services.planning.plan_inputs import PlanInputs

register_messages(
    {
        "plan_note_coupling": (
            "耦合协调度 D 的预测：在最近完整年份的指标上，只把专业点换成“今年招生”与“计划招生”各自的稳态（同一套熵权）",
            (
                "Coupling D predicted on the latest complete year's indicators with the "
                "offerings replaced by the steady state of this year's and of the plann"
                "ed enrolment (one set of entropy weights)"
            ),
        ),
        "plan_note_no_coupling": ("无法预测耦合协调度 D：{detail}", "Coupling D cannot be predicted: {detail}"),
    }
)
YEARLY = ("institution_resources", "funding", "innovation", "industry_stats", "regional_economy")
CERTS = ("cert_junior", "cert_intermediate", "cert_senior", "cert_technician", "cert_senior_technician")


def major_frame(inputs: PlanInputs, plan: pl.DataFrame) -> pl.DataFrame:
    """Per major: this year's and the planned entrants, and the steady-state gap of each (entrants × yield
    against the forecast demand, in graduates entering the labour market)."""
    totals = plan.group_by("major_code").agg(pl.col("current").sum().alias("entrants_now"),
                                             pl.col("planned").sum().alias("entrants_plan"))
    return (inputs.majors.join(totals, on="major_code", how="left")
            .with_columns(pl.col("entrants_now", "entrants_plan").fill_null(0.0))
            .with_columns((pl.col("demand_forecast") - pl.col("entrants_now") * pl.col("yield")).alias("gap_now"),
                          (pl.col("demand_forecast") - pl.col("entrants_plan") * pl.col("yield")).alias("gap_plan"))
            .select("major_code", "major_name", "class_code", "class_name", "level_key", "supply", "demand",
                    "gap", "gap_ratio", "completion", "continued_rate", "yield", "growth", "demand_forecast",
                    "key_share", "weight", "target", "entrants_now", "entrants_plan", "gap_now", "gap_plan",
                    "has_demand", "growth_low", "growth_high", "demand_low", "demand_high", "target_low", "target_high")
            .sort("major_code"))

def predicted_effect(inputs: PlanInputs, plan: pl.DataFrame, majors: pl.DataFrame) -> dict[str, Any]:
    """Σ|gap|, weighted Σ|gap| and the Duncan index over 专业类 for this year's enrolment and for the plan
    (both at steady state, same yields and demand), and the coupling D recomputed the same way."""
    out: dict[str, Any] = {}
    covered = majors.filter(pl.col("has_demand"))  # majors without demand evidence are held and left out
    for label, column in (("now", "gap_now"), ("plan", "gap_plan")):
        out[f"gap_abs_{label}"] = float(majors[column].abs().sum())
        out[f"gap_weighted_{label}"] = float((majors[column].abs() * majors["weight"]).sum())
        supply = covered.with_columns((pl.col(f"entrants_{label}") * pl.col("yield")).alias("s")).group_by("class_code").agg(
            pl.col("s").sum(), pl.col("demand_forecast").sum()).sort("class_code")
        out[f"duncan_{label}"] = dissimilarity_index(supply["s"].to_numpy(), supply["demand_forecast"].to_numpy())
    out["entrants_now"], out["entrants_plan"] = float(plan["current"].sum()), float(plan["planned"].sum())
    out["demand_forecast"] = float(majors["demand_forecast"].sum())
    out["scenarios"] = scenario_effect(inputs, majors)
    try:
        out.update(_coupling(inputs, plan, majors))
        inputs.notes.append(t("plan_note_coupling"))
    except InvalidInput as exc:
        inputs.notes.append(t("plan_note_no_coupling", detail=exc.message))
    return out

def scenario_effect(inputs: PlanInputs, majors: pl.DataFrame) -> list[dict[str, Any]]:
    """How this year's enrolment and the plan do in each demand scenario (steady state, graduates entering the
    labour market): demand, Σ|gap|, weighted Σ|gap|, shortage and surplus; majors with demand evidence only."""
    covered = majors.filter(pl.col("has_demand"))
    weights = dict(zip(("low", "point", "high"), inputs.o.scenario_weights, strict=True)) if inputs.o.scenarios else {"point": 1.0}
    rows = []
    for name, column in (("low", "demand_low"), ("point", "demand_forecast"), ("high", "demand_high")):
        if name not in weights:
            continue
        row: dict[str, Any] = {"scenario": name, "weight": weights[name], "demand": float(covered[column].sum())}
        for label in ("now", "plan"):
            gap = covered[column] - covered[f"entrants_{label}"] * covered["yield"]
            row[f"gap_abs_{label}"] = float(gap.abs().sum())
            row[f"gap_weighted_{label}"] = float((gap.abs() * covered["weight"]).sum())
            row[f"shortage_{label}"] = float(gap.clip(lower_bound=0).sum())
            row[f"surplus_{label}"] = float((-gap).clip(lower_bound=0).sum())
        rows.append(row)
    return rows


def _coupling(inputs: PlanInputs, plan: pl.DataFrame, majors: pl.DataFrame) -> dict[str, Any]:
    """D for two synthetic years appended to the real panel: every table held at its latest year ≤ the plan
    base year, offerings of the scope replaced by the steady state of this year's (9001) and the planned
    (9002) enrolment; entropy weights over the real years and both synthetic ones."""
    tables = dict(inputs.hub.tables)
    last = max(int(tables["major_points"]["year"].max()), int(tables["institution_resources"]["year"].max()))  # type: ignore[arg-type]
    coop = tables["cooperation"].with_columns(pl.col("end_year").fill_null(last))
    points = inputs.hub["major_points"].filter(pl.col("year") == inputs.year)
    scope = inputs.schools["institution_code"].to_list()
    extra: dict[str, list[pl.DataFrame]] = {n: [] for n in ("major_points", "cooperation", "demand", *YEARLY)}
    for synthetic, column in ((9001, "current"), (9002, "planned")):
        extra["major_points"] += [points.filter(~pl.col("institution_code").is_in(scope)).with_columns(year=pl.lit(synthetic)),
                                  _steady_points(inputs, plan, majors, column, synthetic)]
        for name in YEARLY:
            frame = tables[name].filter(pl.col("year") <= inputs.year)
            if frame.height:
                extra[name].append(frame.filter(pl.col("year") == frame["year"].max()).with_columns(year=pl.lit(synthetic)))
        extra["demand"].append(tables["demand"].filter(pl.col("period").str.slice(0, 4) == str(inputs.sd_year))
                               .with_columns(period=pl.lit(str(synthetic))))
        extra["cooperation"].append(coop.filter((pl.col("start_year") <= inputs.year) & (pl.col("end_year") >= inputs.year))
                                    .with_columns(start_year=pl.lit(synthetic), end_year=pl.lit(synthetic)))
    tables["cooperation"] = coop
    for name, frames in extra.items():
        tables[name] = pl.concat([tables[name], *frames], how="diagonal_relaxed")
    result = analyse_four_chains(HubSnapshot(tables=tables), inputs.system, level="city", regions=[inputs.code], catalog=inputs.catalog)
    d = dict(zip(result.scores["year"].to_list(), result.scores["D"].to_list(), strict=True))
    if 9001 not in d or 9002 not in d:
        raise InvalidInput(t("chains_no_years", level="city", missing="9001/9002"))
    real = max(y for y in d if y < 9000)
    return {"coupling_D_now": d[9001], "coupling_D_plan": d[9002], "coupling_D_latest_year": real,
            "coupling_D_latest": d[real]}

def _steady_points(inputs: PlanInputs, plan: pl.DataFrame, majors: pl.DataFrame, column: str, year: int) -> pl.DataFrame:
    """Offerings at steady state: students = entrants × the scope's students-per-entrant ratio; graduates,
    destinations and certificates at each major's observed rates of the last three years."""
    now = inputs.points.filter(pl.col("year") == inputs.year)
    per_entrant = float(now["students"].sum()) / max(float(now["enrolment"].sum()), 1.0)
    window = inputs.points.filter(pl.col("year").is_between(inputs.year - 2, inputs.year))
    rates = window.group_by("major_code").agg(
        (pl.col("employed").sum() / (pl.col("graduates") - pl.col("continued").fill_null(0)).sum()).alias("r_employed"),
        (pl.col("employed_related").sum() / pl.col("employed").sum()).alias("r_related"),
        (pl.col("stayed_local").sum() / pl.col("employed").sum()).alias("r_local"),
        *[(pl.col(c).sum() / pl.col("graduates").sum()).alias(f"r_{c}") for c in CERTS])
    rate_cols = [c for c in rates.columns if c.startswith("r_")]
    rates = rates.with_columns(pl.col(c).fill_nan(None) for c in rate_cols)
    frame = (plan.filter(pl.col(column) > 0).select("institution_code", "major_code", pl.col(column).alias("enrolment"))
             .join(majors.select("major_code", "completion", "continued_rate"), on="major_code", how="left")
             .join(rates, on="major_code", how="left")
             .with_columns(pl.col(c).fill_null(pl.col(c).mean()).fill_null(0.0) for c in rate_cols)
             .with_columns((pl.col("enrolment") * pl.col("completion")).alias("graduates"),
                           (pl.col("enrolment") * per_entrant).alias("students"))
             .with_columns((pl.col("graduates") * pl.col("continued_rate")).alias("continued"))
             .with_columns(((pl.col("graduates") - pl.col("continued")) * pl.col("r_employed")).alias("employed"))
             .with_columns((pl.col("employed") * pl.col("r_related")).alias("employed_related"),
                           (pl.col("employed") * pl.col("r_local")).alias("stayed_local"),
                           *[(pl.col("graduates") * pl.col(f"r_{c}")).alias(c) for c in CERTS]))
    return frame.select("institution_code", "major_code", pl.lit(year).alias("year"), "enrolment", "students",
                        "graduates", "employed", "employed_related", "continued", "stayed_local", *CERTS)
