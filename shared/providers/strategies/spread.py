"""Spread the load among near-equal providers, so instances do not all pile onto one.

Scores are "lower is better" (a price, a latency). Every provider whose score is within
`tolerance` of the best (best × (1 + tolerance), with a small absolute floor) is an equal: their
order is drawn at random, weighted towards the better score; the rest follow, best first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def near_equal_first(
    scored: Sequence[tuple[str, float]], tolerance: float, rng: random.Random, *, floor: float = 0.0
) -> list[str]:
    if not scored:
        return []
    ordered = sorted(scored, key=lambda s: (s[1], s[0]))
    bar = ordered[0][1] * (1 + tolerance) + floor
    equals = [s for s in ordered if s[1] <= bar]
    rest = [name for name, _ in ordered[len(equals) :]]
    drawn: list[str] = []
    while equals:
        # Weight 1/score (floored so that a zero score does not take every draw).
        weights = [1.0 / max(score, floor, 1e-9) for _, score in equals]
        pick = rng.choices(range(len(equals)), weights=weights)[0]
        drawn.append(equals.pop(pick)[0])
    return drawn + rest
