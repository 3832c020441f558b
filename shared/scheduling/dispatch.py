"""The tick: decide which shops are due and publish one small `ShopDue` each; nothing else.

A poll tick (Cloud Scheduler, every minute) holds the dispatcher lease (`scheduling/poll`, so
two ticks never dispatch the same shops) and re-checks every `DISPATCH_RECHECK_S` for
`DISPATCH_WINDOW_S`. Each pass runs one indexed query per queue (`next_read_at <= now`: pushes,
then changed sheets waiting for read budget; `next_poll_at <= now`: checks, most overdue first),
each limited to what its budget can serve within the next minute (`plan.Pacer`), and publishes
those; the rest stay queued in Firestore, in order, for the next pass (a pass reads only what it
dispatches, however long the backlog). That loop is how intervals under Cloud
Scheduler's one-minute floor are served: a shop due every 5 s is dispatched within a re-check of
its due time, at the price of one small query a second, whatever the number of shops (Cloud
Tasks scheduled per shop would cost a task per poll; Apps Script pushes cover only edits made by
a person in the sheet, not imports or formulas).

An alerts tick dispatches every shop whose `next_eval_at` has come, in one pass.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.clients import firestore_client
from shared.events import ShopDue, Tick
from shared.log import get_logger, log_event
from shared.pubsub import publish_now
from shared.quota.bucket import BucketSpec
from shared.quota.budget import specs_from_settings
from shared.scheduling import store
from shared.scheduling.plan import LANES, READ_CALLS, Pacer
from shared.settings import get_settings
from shared.storage import TENANTS, utcnow

logger = get_logger(__name__)
SCHEDULING = "scheduling"
MAX_PER_PASS = 50_000  # a pass publishes at most this many; the rest go in the next pass
PUBLISH_BATCH = 1_000  # Pub/Sub takes at most 1,000 messages per publish request


@dataclass(frozen=True)
class Job:
    """A scheduled job fanned out per shop: `name` (its schedule document), the `topic` its
    messages go to, `mark` (the schedule update written when a shop is dispatched), `window_s`
    of re-checks, whether dispatches are paced by the Google API budget, and the figures added
    to its `scheduling/{name}` status document."""

    name: str
    topic: str
    mark: Callable[[datetime], dict[str, Any]]
    window_s: float = 0.0
    paced: bool = False
    adopt: bool = False
    status: Callable[[], dict[str, Any]] = dict


@dataclass
class DispatchReport:
    """What one tick did (also the bench's figures)."""

    job: str
    started: float = 0.0
    passes: int = 0
    published_at: float = 0.0  # seconds from the tick's start to its first pass's last publish
    published: int = 0
    backlog: int = 0
    adopted: int = 0
    reads: int = 0
    writes: int = 0
    first_pass_s: float = 0.0  # ... and to the end of its bookkeeping (the marks)
    fan_out_s: float = 0.0
    seconds: float = 0.0
    skipped: str | None = None


def pacers(specs: dict[str, BucketSpec]) -> dict[str, Pacer]:
    """Per budget: a minute of it may be dispatched ahead, then what its bucket refills a second."""
    return {
        name: Pacer(per_second=spec.rate * spec.shards, burst=max(READ_CALLS, spec.per_minute))
        for name, spec in specs.items()
    }


def _publish(job: Job, tenant_ids: list[str], now: datetime, priorities: dict[str, str]) -> None:
    for start in range(0, len(tenant_ids), PUBLISH_BATCH):
        publish_now(
            job.topic,
            [
                ShopDue(tenant_id=t, job=job.name, dispatched_at=now, priority=priorities.get(t, "scheduled"))  # type: ignore[arg-type]
                for t in tenant_ids[start : start + PUBLISH_BATCH]
            ],
            timeout=30,
        )


def _lease(job: str, owner: str, now: datetime, seconds: float) -> bool:
    """The dispatcher lease of `job`: at most one tick dispatches at a time."""
    from google.cloud import firestore

    ref = firestore_client().collection(SCHEDULING).document(job)

    @firestore.transactional
    def run(transaction: Any) -> bool:
        doc = ref.get(transaction=transaction).to_dict() or {}
        until = doc.get("dispatcher_until")
        if until is not None and until > now and doc.get("dispatcher") != owner:
            return False
        transaction.set(
            ref, {"dispatcher": owner, "dispatcher_until": now + timedelta(seconds=seconds)}, merge=True
        )
        return True

    return bool(run(firestore_client().transaction()))


def adopt_flagged(now: datetime, report: DispatchReport) -> None:
    """Tenants saved since the last pass (`schedule_pending`): create or update their schedules."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.tenants import SCHEDULE_PENDING

    s = get_settings()
    query = firestore_client().collection(TENANTS).where(filter=FieldFilter(SCHEDULE_PENDING, "==", True))
    snaps = list(query.limit(store.PAGE).stream())
    report.reads += max(1, len(snaps))
    for snap in snaps:
        interval = int((snap.to_dict() or {}).get("poll_interval_s") or 60)
        report.adopted += store.ensure_schedules(
            snap.id, interval_s=interval, alerts_interval_s=s.alerts_interval_s, now=now
        )
        store.set_interval(snap.id, interval)
        snap.reference.update({SCHEDULE_PENDING: False})
        report.writes += 2


def _dispatch(job: Job, field: str, now: datetime, limit: int, report: DispatchReport) -> int:
    """Publish up to `limit` shops due in `field`'s queue, in its order, page by page as they
    are read; then mark them dispatched (the next pass must not see them due)."""
    tenants: list[str] = []
    for page in store.due(field, now, limit):
        _publish(job, [t for t, _ in page], now, dict(page))
        tenants += [t for t, _ in page]
        report.published_at = round(time.monotonic() - report.started, 3)
    report.reads += max(1, len(tenants))
    mark = job.mark(now)
    report.writes += store.write_updates(job.name, ((t, mark) for t in tenants))
    report.published += len(tenants)
    return len(tenants)


def dispatch_pass(job: Job, now: datetime, paced: dict[str, Pacer] | None, report: DispatchReport) -> None:
    """One pass: each queue's due shops, as many as its budget allows (all, for unpaced jobs)."""
    if paced is None:
        _dispatch(job, store.DUE_FIELD[job.name], now, MAX_PER_PASS, report)
        return
    for field, api, cost in LANES:
        pacer = paced[api]
        pacer.refill(time.monotonic())
        room = min(pacer.room(cost), MAX_PER_PASS)
        if room > 0:
            pacer.spend(_dispatch(job, field, now, room, report), cost)


def run_tick(job: Job, tick: Tick) -> DispatchReport:
    """A scheduler tick of `job`: fan out every due shop, one message each, re-checking for
    `job.window_s` (for `tick.tenant_id` only: that one shop, at once)."""
    started = time.monotonic()
    report = DispatchReport(job=job.name, started=started)
    if tick.tenant_id:
        _publish(job, [tick.tenant_id], utcnow(), {tick.tenant_id: "scheduled"})
        report.published = 1
        return report
    s = get_settings()
    owner = uuid.uuid4().hex
    if not _lease(job.name, owner, utcnow(), job.window_s + 30):
        report.skipped = "another dispatcher holds the lease"
        return report
    report.writes += 1
    paced = pacers(specs_from_settings()) if job.paced else None
    deadline = started + job.window_s
    while True:
        now = utcnow()
        if job.adopt:
            adopt_flagged(now, report)
        dispatch_pass(job, now, paced, report)
        report.passes += 1
        if report.passes == 1:
            report.first_pass_s = round(time.monotonic() - started, 3)
            report.fan_out_s = report.published_at
        if time.monotonic() + s.dispatch_recheck_s > deadline:
            break
        time.sleep(s.dispatch_recheck_s)
    _record_status(job, report)
    report.seconds = round(time.monotonic() - started, 3)
    log_event(logger, 20, "tick dispatched", **vars(report))
    return report


def _record_status(job: Job, report: DispatchReport) -> None:
    """`scheduling/{job}`: the last tick's figures plus the job's own (for polls: the budget and
    its achieved rate, tokens granted in the last whole minute); frees the dispatcher lease."""
    if job.paced:
        report.backlog = store.count_due(utcnow())
        report.reads += 2
    status: dict[str, Any] = {
        "updated_at": utcnow(),
        "published": report.published,
        "backlog": report.backlog,
        "first_pass_s": report.first_pass_s,
        "dispatcher_until": None,
    }
    status |= job.status()
    firestore_client().collection(SCHEDULING).document(job.name).set(status, merge=True)
    report.writes += 1
