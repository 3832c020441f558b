"""`latency`: the lowest measured p50 first (timeouts included in the measure); providers not
measured yet go first so that they get measured; near-equal ones are spread."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from shared.providers.base import Provider
from shared.providers.strategies.spread import near_equal_first

# Latencies within this many milliseconds of each other are equal whatever the ratio.
FLOOR_MS = 50.0


def rank(
    names: list[str],
    providers: Mapping[str, Provider],
    stats: Mapping[str, Mapping[str, Any]],
    *,
    spread: float,
    rng: random.Random,
) -> list[str]:
    scored = [(n, float(stats.get(n, {}).get("latency_ms_p50") or 0.0)) for n in names]
    return near_equal_first(scored, spread, rng, floor=FLOOR_MS)
