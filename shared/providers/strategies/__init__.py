"""One module per way of ranking providers (`order`, `cost`, `latency`), each a pure
`rank(names, providers, stats, *, spread, rng) -> names best first`."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from shared.providers.base import Provider


class Strategy(Protocol):
    def __call__(
        self,
        names: list[str],
        providers: Mapping[str, Provider],
        stats: Mapping[str, Mapping[str, Any]],
        *,
        spread: float,
        rng: random.Random,
    ) -> list[str]: ...


def strategy(name: str) -> Strategy:
    """The ranking function of the policy's strategy name."""
    from shared.providers.strategies import cost, latency, order

    table: dict[str, Callable[..., list[str]]] = {
        "order": order.rank,
        "cost": cost.rank,
        "latency": latency.rank,
    }
    return table[name]
