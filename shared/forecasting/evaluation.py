"""Held-out evaluation of the stock-out forecast against the naive last-rate baseline.

`simulate_history` makes a realistic shop history: daily demand with a weekly pattern and
noise, and a shopkeeper who updates the sheet's stock at irregular times (one to three edits a
day). The forecast sees the observations up to a cut-off; the truth is when the simulated stock
actually reached zero afterwards. Both forecasts are capped at the same horizon.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from shared.forecasting.stock_forecast import (
    DAY,
    MAX_HORIZON_DAYS,
    Point,
    days_to_stockout,
    naive_days_to_stockout,
)


@dataclass(frozen=True)
class History:
    observed: list[Point]  # what the polls recorded up to the cut-off
    stockout_at: float  # when stock really hit zero (epoch seconds)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method is fine for the small hourly rates used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate_history(rng: random.Random, *, observe_days: float = 21.0) -> History | None:
    """One SKU: start stock, hourly Poisson sales with a weekly pattern; observed by sheet edits."""
    daily = rng.uniform(0.8, 12.0)
    stock = int(daily * rng.uniform(observe_days + 5, observe_days + 40))
    t, start = 0.0, 1_700_000_000.0
    observed: list[Point] = [(start, stock)]
    next_edit = rng.uniform(0.2, 1.0) * DAY
    while stock > 0:
        hour_of_week = (t / 3600.0) % (24 * 7)
        weekend = 1.6 if hour_of_week >= 24 * 5 else 1.0
        daytime = 1.8 if 9 <= (t / 3600.0) % 24 < 19 else 0.3
        stock = max(0, stock - _poisson(rng, daily / 24.0 * weekend * daytime / 1.0))
        t += 3600.0
        if t >= next_edit and t <= observe_days * DAY:
            observed.append((start + t, stock))
            next_edit = t + rng.uniform(0.3, 1.0) * DAY
        if t > 400 * DAY:
            return None
    if t <= observe_days * DAY or len(observed) < 3 or observed[-1][1] == 0:
        return None
    return History(observed=observed, stockout_at=start + t)


def evaluate(histories: list[History]) -> dict[str, float]:
    """Mean absolute error in days of the forecast and of the naive baseline."""
    ours: list[float] = []
    naive: list[float] = []
    for history in histories:
        now = history.observed[-1][0]
        truth = (history.stockout_at - now) / DAY
        predicted = days_to_stockout(history.observed, now=now).days_to_stockout
        baseline = naive_days_to_stockout(history.observed)
        ours.append(abs((MAX_HORIZON_DAYS if predicted is None else predicted) - truth))
        naive.append(abs((MAX_HORIZON_DAYS if baseline is None else baseline) - truth))
    mae, mae_naive = sum(ours) / len(ours), sum(naive) / len(naive)
    return {
        "histories": float(len(histories)),
        "mae_days": round(mae, 3),
        "naive_mae_days": round(mae_naive, 3),
        "improvement": round(1 - mae / mae_naive, 3) if mae_naive else 0.0,
    }


def held_out_histories(count: int, *, seed: int = 7) -> list[History]:
    rng = random.Random(seed)
    histories: list[History] = []
    while len(histories) < count:
        history = simulate_history(rng)
        if history is not None:
            histories.append(history)
    return histories
