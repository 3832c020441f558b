"""`order`: the tenant's list as given (no spreading: the owner chose this order)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from shared.providers.base import Provider


def rank(
    names: list[str],
    providers: Mapping[str, Provider],
    stats: Mapping[str, Mapping[str, Any]],
    *,
    spread: float,
    rng: random.Random,
) -> list[str]:
    return list(names)
