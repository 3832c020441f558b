"""bench/scale.py's simulated-time part: 10,000 shops for half an hour of simulated time, driven
through the same pure cores the functions run (shared.scheduling.plan: queue order, lease,
release, intervals, dispatch pacing; shared.quota.bucket: the sharded token bucket), with the
Drive/Sheets APIs modelled as version counters that count every call with its time.

What is simulated, and why: the I/O shell (Firestore round trips, Pub/Sub delivery, HTTP) is
replaced by a fixed latency per poll, so that half an hour of 10,000 shops runs in seconds on a
2-core machine. The shell itself is measured for real in bench/scale.py's other parts. The flow
of a poll below mirrors shared/scheduling/polls.py `_budgeted_poll` / `poll_pushed` step for
step; a push that finds no budget at once is queued at push priority (the real push function
would wait up to QUOTA_MAX_WAIT_S first).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.quota.bucket import BucketSpec, Priority, ShardState, shards_for, take
from shared.scheduling.dispatch import pacers as pacers_for
from shared.scheduling.intervals import DEFAULT_INTERVAL_S
from shared.scheduling.plan import (
    LANES,
    READ_CALLS,
    Outcome,
    Policy,
    claim,
    dispatch_mark,
    new_schedule,
    push_waiting,
    refusal,
    release,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)
STEP_S = 0.5
RECHECK_S = 1.0
MAX_WAIT_S = 20.0
# Polls running at once: sheet-poller-shop's max instances x concurrency (infra/terraform/locals.tf);
# the other dispatched messages wait in Pub/Sub.
SLOTS = 20 * 8


def dt(t: float) -> datetime:
    return T0 + timedelta(seconds=t)


def secs(at: datetime) -> float:
    return (at - T0).total_seconds()


@dataclass
class Scenario:
    name: str
    shops: int = 10_000
    minutes: int = 30
    drive_per_minute: int = 10_000
    sheets_per_minute: int = 1_500
    change_share_per_minute: float = 0.05
    burst_minute: int | None = 15
    burst_share: float = 0.30
    push_share: float = 0.2  # shops whose sheet has the Apps Script onEdit push
    seed: int = 16


@dataclass
class Shop:
    index: int
    interval: int
    active: bool
    pushes: bool
    doc: dict[str, Any]
    version: int = 1
    unread: list[tuple[float, bool, float]] = field(
        default_factory=list
    )  # (changed at, pushed, interval then)
    inflight: bool = False
    stamp: int = 0


class Api:
    """One API's budget as the deployment sees it: the shards, and every call's time."""

    def __init__(self, per_minute: int, rng: random.Random) -> None:
        self.spec = BucketSpec(per_minute=per_minute, shards=shards_for(per_minute))
        self.shards = [ShardState.full(self.spec, 0.0) for _ in range(self.spec.shards)]
        self.calls: list[float] = []
        self.held: list[float] = []
        self.rng = rng

    def take(self, now: float, n: int, priority: Priority) -> bool:
        """Use n tokens: held ones first, else fetched from up to three random shards and held
        for `hold_s` (as Budget.acquire/_fetch do); False when n cannot be had now."""
        self.held = [e for e in self.held if e > now]
        if len(self.held) < n:
            want = n - len(self.held)
            for shard in self.rng.sample(range(self.spec.shards), min(3, self.spec.shards)):
                granted, self.shards[shard] = take(self.shards[shard], self.spec, now, want, priority)
                self.held += [now + self.spec.hold_s] * granted
                want -= granted
                if want <= 0:
                    break
        if len(self.held) < n:
            return False
        del self.held[:n]
        return True

    def call(self, now: float, n: int = 1) -> None:
        self.calls += [now] * n

    def worst_minute(self) -> int:
        times = sorted(self.calls)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= 60:
                start += 1
            best = max(best, end - start + 1)
        return best


@dataclass
class Result:
    scenario: Scenario
    lags: list[tuple[float, float, float, bool, bool]] = field(
        default_factory=list
    )  # lag, interval, effective, pushed, burst
    polls_per_minute: list[int] = field(default_factory=list)
    reads_per_minute: list[int] = field(default_factory=list)
    backlog: list[tuple[float, int]] = field(default_factory=list)
    drive: Api | None = None
    sheets: Api | None = None
    burst_drained_s: float | None = None
    seconds: float = 0.0


def run(sc: Scenario) -> Result:
    began = time.perf_counter()
    rng = random.Random(sc.seed)
    policy = Policy()
    drive, sheets = Api(sc.drive_per_minute, rng), Api(sc.sheets_per_minute, rng)
    pacers = pacers_for({"drive": drive.spec, "sheets": sheets.spec})
    shops = []
    for i in range(sc.shops):
        interval = rng.choices([15, DEFAULT_INTERVAL_S, 120, 300], weights=[10, 60, 20, 10])[0]
        active = rng.random() < 0.2
        doc = new_schedule(f"shop-{i}", interval, dt(-rng.uniform(0, interval)))
        # Quiet shops have not changed for 1-48 hours: they start on stretched intervals.
        doc["last_change_at"] = dt(-rng.uniform(60, 900) if active else -rng.uniform(3600, 48 * 3600))
        doc["version"] = "1"
        shops.append(Shop(i, interval, active, rng.random() < sc.push_share, doc))
    active_ids = [s.index for s in shops if s.active]
    quiet_ids = [s.index for s in shops if not s.active]

    events: list[tuple[float, int, str, int]] = []  # (time, seq, kind, shop)
    seq = 0
    for minute in range(sc.minutes):
        count = round(sc.shops * sc.change_share_per_minute)
        # 90% of the edits land on the 20% busy shops, 10% on quiet ones.
        chosen = rng.choices(active_ids, k=round(count * 0.9)) + rng.choices(
            quiet_ids, k=count - round(count * 0.9)
        )
        for shop in chosen:
            events.append((minute * 60 + rng.uniform(0, 60), seq, "change", shop))
            seq += 1
    burst_at = None
    if sc.burst_minute is not None:
        burst_at = sc.burst_minute * 60.0
        for shop in rng.sample(range(sc.shops), round(sc.shops * sc.burst_share)):
            events.append((burst_at, seq, "burst", shop))
            seq += 1
    events.sort()
    pending: list[tuple[float, int, str, int]] = []  # polls in flight and pushes: (time, seq, kind, shop)
    queues: dict[str, list[tuple[datetime, int, int]]] = {"next_poll_at": [], "next_read_at": []}

    def enqueue(shop: Shop) -> None:
        """Into the queue its schedule names (the heap stands in for the indexed query)."""
        shop.stamp += 1
        for name, queue in queues.items():
            if shop.doc.get(name) is not None:
                heapq.heappush(queue, (shop.doc[name], shop.stamp, shop.index))

    for shop in shops:
        enqueue(shop)

    result = Result(sc, drive=drive, sheets=sheets)
    polls_minute = reads_minute = 0
    next_event = 0
    next_pass = 0.0
    end = sc.minutes * 60.0
    now = 0.0

    def read_done(shop: Shop, t: float) -> None:
        nonlocal reads_minute
        for changed_at, pushed, effective in shop.unread:
            burst = burst_at is not None and changed_at == burst_at
            result.lags.append((t - changed_at, shop.interval, effective, pushed, burst, changed_at))
        shop.unread.clear()
        reads_minute += 1

    def poll(shop: Shop, t: float, *, pushed_now: bool = False) -> Outcome | None:
        """One poll as shared/scheduling/polls.py runs it; None = waiting for a token it may wait
        for (a check's Drive call; a queued read's Sheets calls), retried until MAX_WAIT_S."""
        nonlocal polls_minute
        priority = "push" if pushed_now else shop.doc.get("priority") or "scheduled"
        level: Priority = "push" if priority == "push" else "scheduled"
        if priority == "scheduled":
            if not drive.take(t, 1, "scheduled"):
                return None
            drive.call(t)
            polls_minute += 1
            if str(shop.version) == shop.doc.get("version"):
                return Outcome("unchanged", version=str(shop.version))
            if not sheets.take(t, READ_CALLS, "scheduled"):  # no wait: queued for a read instead
                return Outcome("waiting", version=str(shop.version))
        else:
            if not sheets.take(t, READ_CALLS, level):
                return Outcome("waiting") if pushed_now else None
            if not drive.take(t, 1, level):  # the poll's own version call
                return None
            drive.call(t)
            polls_minute += 1
        sheets.call(t, READ_CALLS)
        read_done(shop, t)
        return Outcome("changed", version=str(shop.version), pushed=priority == "push")

    pubsub: deque[tuple[float, int]] = deque()
    running = 0

    def finish(shop: Shop, t: float, outcome: Outcome) -> None:
        shop.doc |= release(shop.doc, outcome, dt(t), shop.interval, policy)
        shop.inflight = False
        enqueue(shop)

    minute_mark = 60.0
    while now < end:
        while running < SLOTS and pubsub and pubsub[0][0] <= now:
            _, index = pubsub.popleft()
            running += 1
            heapq.heappush(pending, (now + rng.uniform(0.05, 0.3), seq, "poll", index))
            seq += 1
        while next_event < len(events) and events[next_event][0] <= now:
            t, _, kind, index = events[next_event]
            shop = shops[index]
            shop.version += 1
            shop.unread.append((t, shop.pushes, float(shop.doc.get("effective_interval_s") or shop.interval)))
            if shop.pushes:
                heapq.heappush(pending, (t + 1.0, seq, "push", index))  # Apps Script's own delay
                seq += 1
            next_event += 1
        while pending and pending[0][0] <= now:
            t, _, kind, index = heapq.heappop(pending)
            shop = shops[index]
            if kind == "push":
                if refusal(shop.doc, dt(t), "push", None):  # a poll holds the lease
                    shop.doc |= push_waiting(dt(t))
                    continue
                shop.doc |= claim(dt(t), "push", policy)
                outcome = poll(shop, t, pushed_now=True)
                if outcome is None or outcome.kind == "waiting":  # no budget at once: queued first
                    shop.doc |= release(shop.doc, Outcome("deferred"), dt(t), shop.interval, policy)
                    shop.doc |= push_waiting(dt(t))
                    enqueue(shop)
                else:
                    finish(shop, t, outcome)
            else:  # a dispatched poll arrives at an instance
                started = shop.doc.get("dispatched_at")
                if refusal(shop.doc, dt(t), "me", started):
                    shop.inflight = False
                    running -= 1
                    enqueue(shop)
                    continue
                if "lease_at" not in shop.doc or shop.doc.get("lease_owner") != "me":
                    shop.doc |= claim(dt(t), "me", policy)
                outcome = poll(shop, t)
                if outcome is None:
                    if t - secs(shop.doc["lease_at"]) < MAX_WAIT_S:
                        heapq.heappush(pending, (t + STEP_S, seq, "poll", index))
                        seq += 1
                        continue
                    outcome = Outcome(
                        "deferred" if shop.doc.get("priority") in (None, "scheduled") else "waiting"
                    )
                running -= 1
                finish(shop, t, outcome)
        if now >= next_pass:
            next_pass = now + RECHECK_S
            for name, api, cost in LANES:
                pacer, queue = pacers[api], queues[name]
                pacer.refill(now)
                room, sent = pacer.room(cost), 0
                while sent < room and queue and queue[0][0] <= dt(now):
                    _, stamp, index = heapq.heappop(queue)
                    shop = shops[index]
                    if stamp != shop.stamp or shop.inflight:
                        continue
                    shop.doc |= dispatch_mark(dt(now), policy)
                    shop.inflight = True
                    pubsub.append((now + 0.1, index))
                    sent += 1
                pacer.spend(sent, cost)
        if now >= minute_mark:
            result.polls_per_minute.append(polls_minute)
            result.reads_per_minute.append(reads_minute)
            polls_minute = reads_minute = 0
            minute_mark += 60
            waiting = sum(1 for s in shops if s.unread)
            result.backlog.append((now, waiting))
            if burst_at is not None and now > burst_at and result.burst_drained_s is None:
                burst_left = any(s.unread and s.unread[0][0] <= burst_at for s in shops)
                if not burst_left:
                    result.burst_drained_s = now - burst_at
        now += STEP_S
    result.seconds = round(time.perf_counter() - began, 1)
    return result


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
