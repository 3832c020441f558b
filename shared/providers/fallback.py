"""Fallback: try providers in turn within one reply's time budget.

Any `ProviderFailure` — timeout, 429, 5xx, a malformed answer, an invalid tool call — moves on
to the next provider at once; nothing waits and nothing retries inside a reply. Each call gets
what is left of the budget as its timeout, so a slow first provider cannot starve the reply:
once the budget is spent the remaining providers are not tried (the caller answers offline).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.providers.base import ProviderFailure, ProviderReply

# Below this much time left a provider call cannot finish; it is not started.
MIN_CALL_S = 0.2


@dataclass(frozen=True)
class Attempt:
    provider: str
    ok: bool
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class RouterResult:
    reply: ProviderReply | None
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)

    @property
    def fallback(self) -> bool:
        """True when a provider failed before the answer (or no provider answered)."""
        return any(not a.ok for a in self.attempts)


def first_success(
    names: Sequence[str],
    call: Callable[[str, float], ProviderReply],
    *,
    budget_s: float,
    on_attempt: Callable[[Attempt, ProviderReply | None], None] = lambda a, r: None,
    clock: Callable[[], float] = time.monotonic,
) -> RouterResult:
    """`call(name, seconds_left)` for each name in turn until one returns; every attempt is
    reported to `on_attempt` (its latency includes a timeout's whole wait)."""
    deadline = clock() + budget_s
    attempts: list[Attempt] = []
    for name in names:
        left = deadline - clock()
        if left < MIN_CALL_S:
            attempts.append(Attempt(name, False, 0.0, "budget"))
            break
        started = clock()
        try:
            reply = call(name, left)
        except ProviderFailure as failure:
            attempt = Attempt(name, False, (clock() - started) * 1000, failure.kind)
            attempts.append(attempt)
            on_attempt(attempt, None)
            continue
        attempt = Attempt(name, True, (clock() - started) * 1000)
        attempts.append(attempt)
        on_attempt(attempt, reply)
        return RouterResult(reply, tuple(attempts))
    return RouterResult(None, tuple(attempts))
