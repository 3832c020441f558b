"""`cost`: the cheapest model first (input + output price per million tokens); models priced
alike are spread."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from shared.providers.base import DEFAULT_PRICE, PRICES_PER_MTOK, Provider
from shared.providers.strategies.spread import near_equal_first


def rank(
    names: list[str],
    providers: Mapping[str, Provider],
    stats: Mapping[str, Mapping[str, Any]],
    *,
    spread: float,
    rng: random.Random,
) -> list[str]:
    scored = [(n, sum(PRICES_PER_MTOK.get(providers[n].model, DEFAULT_PRICE))) for n in names]
    return near_equal_first(scored, spread, rng)
