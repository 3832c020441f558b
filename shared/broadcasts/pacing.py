"""How fast a broadcast may go (pure).

Meta limits how many *different* customers a number may start conversations with in a rolling
24 hours by its messaging tier (250, 1,000, 10,000, 100,000, or unlimited), and its Cloud API
throughput (80 messages per second by default). A broadcast sends at most what the tier leaves
for the day and at most `rate_per_s`; what does not fit waits for the next run.
"""

from __future__ import annotations

from typing import Literal

Tier = Literal["250", "1k", "10k", "100k", "unlimited"]
TIER_LIMITS: dict[str, int | None] = {
    "250": 250,
    "1k": 1000,
    "10k": 10_000,
    "100k": 100_000,
    "unlimited": None,
}
DEFAULT_RATE_PER_S = 20.0


def allowance(tier: str, started_last_24h: int, run_budget_s: float, rate_per_s: float) -> int:
    """How many recipients this run may send to."""
    by_rate = int(run_budget_s * rate_per_s)
    limit = TIER_LIMITS.get(tier, 250)
    if limit is None:
        return max(0, by_rate)
    return max(0, min(by_rate, limit - started_last_24h))
