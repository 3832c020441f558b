"""Days to stock-out from a SKU's stock history.

The history is a list of `(epoch_seconds, stock)` observations, one per change the polls saw.
Sales are the drops between observations; a rise is a restock and its interval tells nothing
about sales, so it is skipped. The depletion rate is the recency-weighted ratio of units sold to
time elapsed over the window (half-life one week): robust to the bursty, irregular edits a shop
makes, where the naive "last interval" rate swings wildly.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

DAY = 86_400.0
HALF_LIFE_DAYS = 7.0
WINDOW_DAYS = 28.0
MAX_HORIZON_DAYS = 365.0

Point = tuple[float, int]


@dataclass(frozen=True)
class Forecast:
    rate_per_day: float | None  # units per day; None when the history cannot tell
    days_to_stockout: float | None  # None: not depleting, or unknown
    confidence: float  # 0..1


def depletion_rate(points: list[Point], *, now: float | None = None) -> tuple[float | None, float]:
    """(units per day, confidence) from the history; (None, 0) with fewer than two usable points."""
    if len(points) < 2:
        return None, 0.0
    now = points[-1][0] if now is None else now
    sold = elapsed = 0.0
    rates: list[float] = []
    span = 0.0
    for (t0, s0), (t1, s1) in pairwise(points):
        dt = (t1 - t0) / DAY
        if dt <= 0 or s1 > s0 or (now - t1) / DAY > WINDOW_DAYS:
            continue
        weight = 0.5 ** (((now - t1) / DAY) / HALF_LIFE_DAYS)
        sold += weight * (s0 - s1)
        elapsed += weight * dt
        rates.append((s0 - s1) / dt)
        span += dt
    if elapsed <= 0:
        return None, 0.0
    rate = sold / elapsed
    mean = sum(rates) / len(rates)
    spread = (sum((r - mean) ** 2 for r in rates) / len(rates)) ** 0.5 / mean if mean > 0 else 1.0
    # More intervals, a longer span and steadier sales -> more confidence.
    confidence = (len(rates) / (len(rates) + 3)) * min(1.0, span / 14.0) ** 0.5 / (1.0 + 0.5 * spread)
    return rate, round(max(0.0, min(1.0, confidence)), 3)


def days_to_stockout(points: list[Point], *, now: float | None = None) -> Forecast:
    """Forecast from the history; the current stock is the last point."""
    if not points:
        return Forecast(None, None, 0.0)
    stock = points[-1][1]
    if stock <= 0:
        return Forecast(None, 0.0, 1.0)
    rate, confidence = depletion_rate(points, now=now)
    if rate is None or rate <= 0:
        return Forecast(rate, None, confidence)
    return Forecast(rate, round(min(stock / rate, MAX_HORIZON_DAYS), 2), confidence)


def naive_days_to_stockout(points: list[Point]) -> float | None:
    """The baseline: the rate of the last interval only (None if it was not a drop)."""
    if len(points) < 2 or points[-1][1] <= 0:
        return 0.0 if points and points[-1][1] <= 0 else None
    (t0, s0), (t1, s1) = points[-2], points[-1]
    if s1 >= s0 or t1 <= t0:
        return None
    return min(s1 / ((s0 - s1) / ((t1 - t0) / DAY)), MAX_HORIZON_DAYS)
