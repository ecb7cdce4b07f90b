"""Forecast benchmark: 400 series × 15 years × a 3-year horizon, backtest included.

    python benchmarks/bench_forecast.py [--series 400] [--years 15] [--horizon 3] [--statsmodels 5]

Prints the best of three wall-clock times of the fast engine (target: a few seconds at most), the
models chosen, and, with ``--statsmodels N``, the time of the statsmodels engine on the first N series.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from silian.analytics.forecast.openings import forecast_openings


def synthetic_history(n_series: int, n_years: int, seed: int = 7) -> pl.DataFrame:
    """Employment-like series: a level from 50 to 5,000, yearly growth 2 % ± 3 %, noise 4 %."""
    rng = np.random.default_rng(seed)
    growth = rng.normal(0.02, 0.03, (n_series, 1)) + rng.normal(0, 0.04, (n_series, n_years))
    values = rng.uniform(50, 5000, (n_series, 1)) * np.cumprod(1 + growth, axis=1)
    return pl.DataFrame({
        "series": np.repeat([f"C{i:03d}" for i in range(n_series)], n_years),
        "year": np.tile(np.arange(2025 - n_years, 2025), n_series),
        "value": values.ravel(),
    })


def best_time(history: pl.DataFrame, horizon: int, engine: str, repeat: int) -> tuple[float, pl.DataFrame]:
    times, forecasts = [], pl.DataFrame()
    for _ in range(repeat):
        start = time.perf_counter()
        forecasts = forecast_openings(history, horizon, engine=engine).forecasts  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return min(times), forecasts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=400)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--statsmodels", type=int, default=0, help="also time the statsmodels engine on N series")
    args = parser.parse_args()
    history = synthetic_history(args.series, args.years)
    seconds, forecasts = best_time(history, args.horizon, "fast", 3)
    print(f"fast engine: {args.series} series × {args.years} years, horizon {args.horizon}: {seconds:.3f} s")
    print(forecasts.group_by("model").agg(pl.len().alias("rows")).sort("rows", descending=True))
    if args.statsmodels:
        subset = history.filter(pl.col("series").is_in(history["series"].unique(maintain_order=True)
                                                       .head(args.statsmodels).implode()))
        slow, _ = best_time(subset, args.horizon, "statsmodels", 1)
        print(f"statsmodels engine: {args.statsmodels} series: {slow:.2f} s ({slow / args.statsmodels:.2f} s a series)")


if __name__ == "__main__":
    main()
