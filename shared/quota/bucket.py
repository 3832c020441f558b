"""The token bucket behind the project-wide Google API budget, as pure functions of its state and
the clock (the store in `budget.py` keeps one state per shard in Firestore).

Why a bucket whose bound holds over any minute: Google counts "requests per minute per project"
(and per user). A bucket of capacity C refilled at r tokens/s grants at most C + r·W in any
window of W seconds; tokens fetched by an instance may be spent up to `hold_s` after they were
granted, so the spend in any 60 s window is at most C + r·(60 + hold_s). The spec sets
r = (B − C) / (60 + hold_s), so that bound is exactly the budget B per minute: 0 calls over
budget by construction, whatever the number of instances.

The budget is split over `shards` equal buckets (each its own Firestore document, so no one
document takes more than a few transactions a second); the shards' bounds add up to B.

Priorities: scheduled polls may only take a shard down to `reserve` tokens; pushed edits (a
person just edited the sheet) may take it to zero, so they go first when the budget is tight.
A 429 puts every shard into debt for its Retry-After, so the whole deployment pauses, not only
the instance that was told.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

Priority = Literal["push", "scheduled"]
WINDOW_S = 60.0


@dataclass(frozen=True)
class BucketSpec:
    """One API's budget: `per_minute` calls, `shards` documents, `burst` = share of a minute's
    budget that may go at once, `reserve` = share of each shard kept for pushed edits."""

    per_minute: int
    shards: int = 1
    burst: float = 0.1
    reserve: float = 0.2
    hold_s: float = 5.0

    def __post_init__(self) -> None:
        # A shard must be able to hold one whole call of its minute's share; more shards than
        # calls a minute would grant each shard one call, over the budget together.
        if not 1 <= self.shards <= self.per_minute:
            raise ValueError(
                f"{self.shards} shards for {self.per_minute} calls a minute: use 1 to per_minute"
            )

    @cached_property
    def capacity(self) -> float:
        """Tokens a shard holds when full (at least one, so a small budget still grants)."""
        return max(1.0, self.per_minute * self.burst / self.shards)

    @cached_property
    def rate(self) -> float:
        """Tokens a shard gains per second."""
        spare = max(self.per_minute / self.shards - self.capacity, 0.0)
        return spare / (WINDOW_S + self.hold_s)

    def floor(self, priority: Priority) -> float:
        """The level below which a caller of `priority` gets nothing."""
        return 0.0 if priority == "push" else math.floor(self.capacity * self.reserve)


def shards_for(per_minute: int) -> int:
    """Shards for a budget: one per 600 calls a minute (≤ 10 grants a second per document, most
    of them blocks of several tokens), at least 1, at most 64."""
    return max(1, min(64, math.ceil(per_minute / 600)))


@dataclass(frozen=True)
class ShardState:
    """A shard as stored: `tokens` at `at` (epoch seconds; negative tokens = debt), and the
    tokens granted in the current and the previous minute (the achieved rate)."""

    tokens: float
    at: float
    minute: int = 0
    granted: int = 0
    granted_last_minute: int = 0

    @classmethod
    def full(cls, spec: BucketSpec, now: float) -> ShardState:
        return cls(tokens=spec.capacity, at=now, minute=int(now // WINDOW_S))


def refill(state: ShardState, spec: BucketSpec, now: float) -> ShardState:
    """The state at `now`: tokens added for the time passed (never for a clock that went back),
    up to capacity; the minute counters rolled over."""
    elapsed = max(0.0, now - state.at)
    tokens = min(spec.capacity, state.tokens + elapsed * spec.rate)
    minute = int(now // WINDOW_S)
    if minute == state.minute:
        return ShardState(tokens, max(now, state.at), minute, state.granted, state.granted_last_minute)
    last = state.granted if minute == state.minute + 1 else 0
    return ShardState(tokens=tokens, at=max(now, state.at), minute=minute, granted_last_minute=last)


def take(
    state: ShardState, spec: BucketSpec, now: float, want: int, priority: Priority
) -> tuple[int, ShardState]:
    """Grant up to `want` whole tokens at `now` without going under `priority`'s floor.
    Returns (granted, new state)."""
    current = refill(state, spec, now)
    granted = max(0, min(want, math.floor(current.tokens - spec.floor(priority))))
    if not granted:
        return 0, current
    after = ShardState(
        current.tokens - granted,
        current.at,
        current.minute,
        current.granted + granted,
        current.granted_last_minute,
    )
    return granted, after


def wait_for(state: ShardState, spec: BucketSpec, now: float, priority: Priority) -> float:
    """Seconds until this shard can grant one token at `priority` (0 when it can now)."""
    current = refill(state, spec, now)
    missing = spec.floor(priority) + 1 - current.tokens
    if missing <= 0:
        return 0.0
    return missing / spec.rate if spec.rate > 0 else math.inf


def in_debt(state: ShardState, spec: BucketSpec, now: float, retry_after_s: float) -> ShardState:
    """A 429 with Retry-After: empty the shard and owe `retry_after_s` of refill, so nobody is
    granted anything before then."""
    current = refill(state, spec, now)
    debt = -retry_after_s * spec.rate
    return replace(current, tokens=min(current.tokens, debt))
