"""The schedule of one shop's poll, as pure functions of its document and the clock.

`tenants/{t}/schedule/poll` holds: `interval_s` (the tenant's setting), `effective_interval_s`
(stretched while quiet), `due_at` (when the next poll is due), `priority` (`push` | `changed` |
`scheduled`), `next_poll_at` (the dispatch order: `due_at` minus a priority credit of two days
for a push and one for a sheet known to have changed and waiting for read budget, so that one
ascending query on it yields pushes first, then waiting reads, then the most overdue checks),
`dispatched_at`, the lease (`lease_owner`, `lease_at`, `lease_until`), `version` (the sheet
version last seen), `last_poll_at`, `last_change_at`, `last_push_at`, `pushed_at` (a push that
found the lease taken), `failures`, `lag_s` (poll start - due), `behind` (lag over one interval),
`last_outcome`, `polls`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from shared.scheduling.intervals import effective_interval, failure_interval

Priority = Literal["push", "changed", "scheduled"]
OutcomeKind = Literal["changed", "unchanged", "failed", "waiting", "deferred"]
CREDIT = {"push": timedelta(days=2), "changed": timedelta(days=1), "scheduled": timedelta(0)}
# Sheets calls a changed sheet's read makes (spreadsheets.get + values.batchGet).
READ_CALLS = 2


@dataclass(frozen=True)
class Policy:
    lease_s: float = 150.0  # longer than a poll may run (sheet-poller-shop's timeout)
    redispatch_s: float = 600.0  # a dispatched shop is dispatched again after this if never polled
    backoff_after_s: float = 3600.0
    backoff_max_s: float = 900.0


def queue_key(due_at: datetime, priority: Priority) -> datetime:
    """`next_poll_at`: the due time, moved ahead by the priority's credit."""
    return due_at - CREDIT[priority]


def new_schedule(tenant_id: str, interval_s: int, now: datetime) -> dict[str, Any]:
    """A shop's first schedule: due now."""
    return {
        "tenant_id": tenant_id,
        "interval_s": interval_s,
        "effective_interval_s": interval_s,
        "due_at": now,
        "priority": "scheduled",
        "next_poll_at": queue_key(now, "scheduled"),
        "last_change_at": now,
        "failures": 0,
        "polls": 0,
    }


def dispatch_mark(now: datetime, policy: Policy) -> dict[str, Any]:
    """Written when the shop's poll is published: out of the due query until the poll reschedules
    it, or `redispatch_s` passed (the poll was lost, e.g. dead-lettered)."""
    return {"next_poll_at": now + timedelta(seconds=policy.redispatch_s), "dispatched_at": now}


def refusal(doc: dict[str, Any], now: datetime, owner: str, dispatched_at: datetime | None) -> str | None:
    """Why this poll must not run now ("leased": another instance is polling; "done": the shop
    was polled since this message was dispatched, e.g. by a push), or None."""
    until = doc.get("lease_until")
    if until is not None and until > now and doc.get("lease_owner") != owner:
        return "leased"
    last = doc.get("last_poll_at")
    if dispatched_at is not None and last is not None and last >= dispatched_at:
        return "done"
    return None


def claim(now: datetime, owner: str, policy: Policy) -> dict[str, Any]:
    return {"lease_owner": owner, "lease_at": now, "lease_until": now + timedelta(seconds=policy.lease_s)}


@dataclass(frozen=True)
class Outcome:
    """What a poll found: `changed`/`unchanged`, `failed` (read error), `waiting` (the sheet
    changed and no read budget was left: it keeps its place, ahead of ordinary checks), or
    `deferred` (no budget even to check: it keeps its place and priority)."""

    kind: OutcomeKind
    version: str | None = None
    pushed: bool = False


def _seconds(a: datetime | None, b: datetime | None) -> float:
    return (a - b).total_seconds() if a is not None and b is not None else 0.0


def release(
    doc: dict[str, Any], outcome: Outcome, now: datetime, interval_s: int, policy: Policy
) -> dict[str, Any]:
    """The schedule after a poll that started at `doc["lease_at"]` (or `now`): when the next one
    is due, at which priority, and what this one says about lag."""
    started = doc.get("lease_at") or now
    changed = outcome.kind == "changed"
    last_change = now if changed else doc.get("last_change_at")
    last_push = now if outcome.pushed else doc.get("last_push_at")
    quiet_since = max((t for t in (last_change, last_push) if t is not None), default=now)
    interval = effective_interval(
        interval_s,
        quiet_for_s=_seconds(now, quiet_since),
        after_s=policy.backoff_after_s,
        max_s=policy.backoff_max_s,
    )
    polled = outcome.kind not in ("waiting", "deferred")
    failures = {"failed": int(doc.get("failures", 0)) + 1, "changed": 0, "unchanged": 0}.get(
        outcome.kind, int(doc.get("failures", 0))
    )
    priority: Priority = "scheduled"
    due_at = doc.get("due_at") or now
    pushed_meanwhile = doc.get("pushed_at") is not None and doc["pushed_at"] >= started
    if pushed_meanwhile:
        priority, due = "push", now
    elif outcome.kind == "waiting":
        priority, due = "changed", due_at
    elif outcome.kind == "deferred":
        priority, due = doc.get("priority") or "scheduled", due_at
    elif outcome.kind == "failed":
        due = now + timedelta(seconds=failure_interval(interval, failures, max_s=policy.backoff_max_s))
    else:
        due = now + timedelta(seconds=interval)
    update: dict[str, Any] = {
        "interval_s": interval_s,
        "effective_interval_s": interval,
        "due_at": due,
        "priority": priority,
        "next_poll_at": queue_key(due, priority),
        "lease_owner": None,
        "lease_until": None,
        "failures": failures,
        "last_outcome": outcome.kind,
        "last_change_at": last_change,
        "last_push_at": last_push,
        "pushed_at": None if pushed_meanwhile or outcome.pushed else doc.get("pushed_at"),
    }
    if polled:
        lag = max(0.0, _seconds(started, due_at))
        update |= {
            "last_poll_at": now,
            "lag_s": round(lag, 3),
            "behind": lag > interval_s,
            "polls": int(doc.get("polls", 0)) + 1,
        }
    if outcome.version is not None and outcome.kind in ("changed", "unchanged"):
        update["version"] = outcome.version
    if outcome.kind == "waiting" and outcome.version is not None:
        update["pending_version"] = outcome.version
    return update


def push_waiting(now: datetime) -> dict[str, Any]:
    """A push that found the lease taken: the holder re-polls when it releases (or, if it dies,
    the push is first in the queue once the lease expires)."""
    return {"pushed_at": now, "priority": "push", "due_at": now, "next_poll_at": queue_key(now, "push")}


@dataclass
class Pacer:
    """How many dispatches a lane may make: `per_second` accrued, at most `burst` saved up."""

    per_second: float
    burst: float
    allowance: float = 0.0
    at: float | None = None

    def refill(self, now: float) -> None:
        elapsed = 0.0 if self.at is None else max(0.0, now - self.at)
        self.allowance = min(self.burst, self.allowance + elapsed * self.per_second)
        if self.at is None:
            self.allowance = self.burst
        self.at = now


def lane(priority: str) -> str:
    """Pushes and waiting reads need read budget ("sheets"); checks need a Drive call ("drive")."""
    return "sheets" if priority in ("push", "changed") else "drive"


def select(due: list[tuple[str, str]], pacers: dict[str, Pacer], now: float) -> list[str]:
    """The shops to dispatch now, in queue order, while their lane's pacer allows: `due` is
    (tenant_id, priority) ordered by `next_poll_at`."""
    for pacer in pacers.values():
        pacer.refill(now)
    chosen = []
    for tenant_id, priority in due:
        pacer = pacers[lane(priority)]
        cost = READ_CALLS if lane(priority) == "sheets" else 1
        if pacer.allowance >= cost:
            pacer.allowance -= cost
            chosen.append(tenant_id)
    return chosen
