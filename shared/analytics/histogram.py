"""Mergeable response-time histograms: fixed bucket bounds, so adding two histograms bucket by
bucket gives the histogram of the union. Hours therefore add up to exact day histograms, and a
percentile read from them is within one bucket's width (about ±12%) of the true value.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

# Upper bounds in milliseconds, about 25% apart, from 25 ms to 2 minutes; beyond: "inf".
BOUNDS_MS: tuple[int, ...] = tuple(
    sorted({round(25 * 1.25**i) for i in range(39) if 25 * 1.25**i <= 120_000})
)
OVERFLOW = "inf"


def bucket_of(value_ms: float) -> str:
    """The bucket key (its upper bound in ms, as text: Firestore map keys are strings)."""
    index = bisect_left(BOUNDS_MS, value_ms)
    return str(BOUNDS_MS[index]) if index < len(BOUNDS_MS) else OVERFLOW


def percentile(hist: Mapping[str, int | float], q: float) -> float | None:
    """The `q` quantile (0..1) estimated from a histogram, interpolated inside its bucket."""
    items = sorted(
        ((float("inf") if k == OVERFLOW else float(k)), int(v)) for k, v in hist.items() if int(v) > 0
    )
    total = sum(n for _, n in items)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for upper, count in items:
        if seen + count >= rank:
            lower = _lower_bound(upper)
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * max(0.0, rank - seen) / count
        seen += count
    return items[-1][0]


def _lower_bound(upper: float) -> float:
    if upper == float("inf"):
        return float(BOUNDS_MS[-1])
    index = BOUNDS_MS.index(int(upper))
    return float(BOUNDS_MS[index - 1]) if index > 0 else 0.0
