"""The schedule of one shop's poll, as pure functions of its document and the clock.

`tenants/{t}/schedule/poll` holds: `interval_s` (the tenant's setting), `effective_interval_s`
(stretched while quiet), `due_at` (when the next poll is due), `priority` (`push` | `changed` |
`scheduled`), and the shop's place in one of two queues, each read by one indexed query:
`next_poll_at` (a scheduled check, which costs a Drive call: the most overdue first) or
`next_read_at` (a read, which costs Sheets calls: a pushed edit, dated a day ahead so pushes come
first, or a sheet a check found changed while no read budget was left, in due order); the other
field is null. Two queues, because the budgets are two: a backlog of reads waiting for the
Sheets quota must not hold up the cheap checks (nor the freshness they confirm). Then
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
CREDIT = {"push": timedelta(days=1), "changed": timedelta(0), "scheduled": timedelta(0)}
# Sheets calls a changed sheet's read makes (spreadsheets.get + values.batchGet).
READ_CALLS = 2


@dataclass(frozen=True)
class Policy:
    lease_s: float = 150.0  # longer than a poll may run (sheet-poller-shop's timeout)
    redispatch_s: float = 600.0  # a dispatched shop is dispatched again after this if never polled
    backoff_after_s: float = 3600.0
    backoff_max_s: float = 900.0


def queue_key(due_at: datetime, priority: Priority) -> datetime:
    """The shop's place in its queue: the due time, moved ahead by the priority's credit."""
    return due_at - CREDIT[priority]


def queue_fields(due_at: datetime, priority: Priority) -> dict[str, Any]:
    """`next_poll_at` for a scheduled check, or `next_read_at` for a read (the other null)."""
    key = queue_key(due_at, priority)
    if priority == "scheduled":
        return {"next_poll_at": key, "next_read_at": None}
    return {"next_poll_at": None, "next_read_at": key}


def new_schedule(tenant_id: str, interval_s: int, now: datetime) -> dict[str, Any]:
    """A shop's first schedule: due now."""
    return {
        "tenant_id": tenant_id,
        "interval_s": interval_s,
        "effective_interval_s": interval_s,
        "due_at": now,
        "priority": "scheduled",
        **queue_fields(now, "scheduled"),
        "last_change_at": now,
        "failures": 0,
        "polls": 0,
    }


def dispatch_mark(now: datetime, policy: Policy) -> dict[str, Any]:
    """Written when the shop's poll is published: out of both queues until the poll reschedules
    it, or `redispatch_s` passed (the poll was lost, e.g. dead-lettered: then it is checked)."""
    return {
        "next_poll_at": now + timedelta(seconds=policy.redispatch_s),
        "next_read_at": None,
        "dispatched_at": now,
    }


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
    elif outcome.kind == "waiting":  # a push keeps its rank
        priority, due = "push" if doc.get("priority") == "push" else "changed", due_at
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
        **queue_fields(due, priority),
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
    return {"pushed_at": now, "priority": "push", "due_at": now, **queue_fields(now, "push")}


@dataclass
class Pacer:
    """How much of one budget the dispatcher may hand out: `per_second` accrued, at most `burst`
    saved up (a minute of budget: what the polls can draw within the next minute)."""

    per_second: float
    burst: float
    allowance: float = 0.0
    at: float | None = None

    def refill(self, now: float) -> None:
        if self.at is None:
            self.allowance = self.burst
        else:
            self.allowance = min(self.burst, self.allowance + max(0.0, now - self.at) * self.per_second)
        self.at = now

    def room(self, cost: float) -> int:
        """How many dispatches of `cost` calls fit now."""
        return int(self.allowance // cost)

    def spend(self, dispatches: int, cost: float) -> None:
        self.allowance -= dispatches * cost


# The two queues: (schedule field, budget, calls one dispatch costs).
LANES = (("next_read_at", "sheets", READ_CALLS), ("next_poll_at", "drive", 1))
