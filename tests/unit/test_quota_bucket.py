"""The project-wide Google API budget: never more calls in any minute than the budget, whatever
the instances, shards, priorities and 429s; pushed edits ahead of scheduled checks."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.quota.bucket import WINDOW_S, BucketSpec, ShardState, in_debt, shards_for, take, wait_for
from shared.quota.budget import Budget, ProcessStore, QuotaExhausted, bucket_for_url


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@settings(max_examples=60, deadline=None)
@given(
    per_minute=st.integers(min_value=1, max_value=3000),
    shards=st.integers(min_value=1, max_value=8),
    steps=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=5.0),  # time passing before the request
            st.integers(min_value=1, max_value=50),  # tokens wanted
            st.sampled_from(["push", "scheduled"]),
            st.integers(min_value=0, max_value=7),  # shard
        ),
        min_size=1,
        max_size=300,
    ),
)
def test_no_minute_ever_gets_more_grants_than_the_budget(
    per_minute: int, shards: int, steps: list[tuple[float, int, str, int]]
) -> None:
    assume(shards <= per_minute)  # fewer calls than shards is refused (test below)
    spec = BucketSpec(per_minute=per_minute, shards=shards)
    now = 0.0
    states = [ShardState.full(spec, now) for _ in range(shards)]
    spent: list[float] = []
    for gap, want, priority, shard in steps:
        now += gap
        index = shard % shards
        granted, states[index] = take(states[index], spec, now, want, priority)  # type: ignore[arg-type]
        # The worst case: every token granted is spent at the end of its hold.
        spent += [now + spec.hold_s] * granted
    assert max_in_window(spent, WINDOW_S) <= per_minute


def test_more_shards_than_calls_a_minute_is_refused() -> None:
    with pytest.raises(ValueError, match="2 shards for 1 calls a minute"):
        BucketSpec(per_minute=1, shards=2)


def test_scheduled_checks_leave_the_reserve_to_pushed_edits() -> None:
    spec = BucketSpec(per_minute=600, shards=1)  # capacity 60, reserve 12
    state = ShardState.full(spec, 0.0)
    got, state = take(state, spec, 0.0, 1000, "scheduled")
    assert got == 48
    assert take(state, spec, 0.0, 1, "scheduled")[0] == 0
    assert wait_for(state, spec, 0.0, "scheduled") > 0
    got, state = take(state, spec, 0.0, 1000, "push")
    assert got == 12
    assert wait_for(state, spec, 0.0, "push") > 0


def test_a_429_pauses_the_shard_for_its_retry_after() -> None:
    spec = BucketSpec(per_minute=6000, shards=1)
    state = in_debt(ShardState.full(spec, 0.0), spec, 0.0, retry_after_s=30)
    assert take(state, spec, 29.0, 1, "push")[0] == 0
    assert take(state, spec, 31.0, 1, "push")[0] == 1


def test_a_clock_that_goes_back_earns_nothing() -> None:
    spec = BucketSpec(per_minute=600, shards=1)
    _, state = take(ShardState.full(spec, 100.0), spec, 100.0, 1000, "push")
    assert take(state, spec, 50.0, 1, "push")[0] == 0


def test_achieved_rate_counts_the_last_whole_minute() -> None:
    spec = BucketSpec(per_minute=6000, shards=1)
    state = ShardState.full(spec, 0.0)
    for second in range(60):
        _, state = take(state, spec, float(second), 10, "push")
    _, state = take(state, spec, 61.0, 0, "push")
    assert state.granted_last_minute == 600


def test_shards_grow_with_the_budget() -> None:
    assert shards_for(54) == 1
    assert shards_for(10_000) == 17
    assert shards_for(10**7) == 64


def test_urls_map_to_their_api_budget() -> None:
    assert bucket_for_url("https://www.googleapis.com/drive/v3/files/abc") == "drive"
    assert bucket_for_url("https://sheets.googleapis.com/v4/spreadsheets/abc/values:batchGet") == "sheets"
    assert bucket_for_url("https://oauth2.googleapis.com/token") is None


def budget_with(per_minute: int, clock: Clock) -> Budget:
    return Budget(
        ProcessStore(), {"sheets": BucketSpec(per_minute=per_minute)}, clock=clock, sleep=clock.sleep
    )


def test_spend_waits_for_a_token_and_gives_up_after_the_wait_allowed() -> None:
    clock = Clock()
    budget = budget_with(62, clock)  # capacity 6 (reserve 1), 56 more a minute
    for _ in range(5):
        budget.spend("sheets", max_wait_s=0)
    with pytest.raises(QuotaExhausted):
        budget.spend("sheets", max_wait_s=0)
    started = clock.now
    budget.spend("sheets", max_wait_s=10)
    assert 0 < clock.now - started <= 2.0


def test_tokens_held_by_an_instance_lapse_after_the_hold() -> None:
    clock = Clock()
    budget = budget_with(600, clock)
    assert budget.acquire("sheets", 10, max_wait_s=0)
    clock.now += 6  # unspent past the hold: gone, and already counted against the budget
    granted_before = budget.granted["sheets"]
    budget.spend("sheets", max_wait_s=0)
    assert budget.granted["sheets"] == granted_before + 1


def test_throttled_pauses_everyone_until_retry_after() -> None:
    clock = Clock()
    store = ProcessStore()
    specs = {"drive": BucketSpec(per_minute=6000)}
    one = Budget(store, specs, clock=clock, sleep=clock.sleep)
    other = Budget(store, specs, clock=clock, sleep=clock.sleep)
    one.throttled("drive", 20)
    with pytest.raises(QuotaExhausted):
        other.spend("drive", max_wait_s=5)
    other.spend("drive", max_wait_s=30)
    assert clock.now - 1_000_000.0 >= 20


def test_tokens_a_poll_reserved_are_not_taken_by_another_thread() -> None:
    import contextvars

    clock = Clock()
    budget = budget_with(62, clock)  # five tokens at once for scheduled calls
    poll = contextvars.copy_context()
    assert poll.run(budget.reserve, "sheets", 2, max_wait_s=0)
    other = contextvars.copy_context()
    for _ in range(3):
        other.run(budget.spend, "sheets", max_wait_s=0)
    with pytest.raises(QuotaExhausted):
        other.run(budget.spend, "sheets", max_wait_s=0)
    poll.run(budget.spend, "sheets", max_wait_s=0)
    poll.run(budget.spend, "sheets", max_wait_s=0)  # both reserved calls go through
