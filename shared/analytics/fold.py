"""Fold a batch of conversation events into a tenant's period documents, exactly once.

One Firestore transaction per (tenant, day) reads the day document, the touched hour documents
and their dedupe shards, drops events those shards already list, adds the rest, and writes each
touched document once. Concurrent rollups of the same period serialise on the transaction and
stay exact; a redelivered batch finds its ids in the shards and adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.analytics import customers, dedupe
from shared.analytics.delta import Delta, apply_delta, event_delta
from shared.analytics.periods import as_utc, day_id, epoch_hour, hour_id, period_start
from shared.clients import firestore_client
from shared.errors import TransientError
from shared.events import ConversationEvent
from shared.storage import tenant_collection, utcnow

ANALYTICS = "analytics"
TRANSACTION_ATTEMPTS = 20


@dataclass
class FoldResult:
    counted: int = 0
    duplicates: int = 0
    # Document path → number of writes, so callers (the benchmark) can check per-document rates.
    writes: dict[str, int] = field(default_factory=dict)

    def merge(self, other: FoldResult) -> None:
        self.counted += other.counted
        self.duplicates += other.duplicates
        for path, n in other.writes.items():
            self.writes[path] = self.writes.get(path, 0) + n

    @property
    def write_count(self) -> int:
        return sum(self.writes.values())


def fold_events(events: Iterable[ConversationEvent]) -> FoldResult:
    """Count every event not yet counted into its hour and day documents; returns what it did."""
    by_tenant: dict[str, list[ConversationEvent]] = defaultdict(list)
    for event in events:
        by_tenant[event.tenant_id].append(event)
    result = FoldResult()
    for tenant_id, tenant_events in by_tenant.items():
        result.merge(_fold_tenant(tenant_id, tenant_events))
    return result


def _fold_tenant(tenant_id: str, events: list[ConversationEvent]) -> FoldResult:
    unique = list({e.event_id: e for e in sorted(events, key=lambda e: as_utc(e.at))}.values())
    result = FoldResult(duplicates=len(events) - len(unique))
    known = customers.first_seen(tenant_id, (e.customer for e in unique if e.customer))
    first_in_batch: dict[str, ConversationEvent] = {}
    for event in unique:  # oldest first
        if event.customer and event.customer not in first_in_batch:
            first_in_batch[event.customer] = event
    new_customer_events = {e.event_id for c, e in first_in_batch.items() if c not in known}

    by_day: dict[str, list[ConversationEvent]] = defaultdict(list)
    for event in unique:
        by_day[day_id(event.at)].append(event)
    for day, day_events in sorted(by_day.items()):
        deltas = {
            e.event_id: event_delta(
                e,
                returning=_is_returning(e, known, first_in_batch),
                new_customer=e.event_id in new_customer_events,
            )
            for e in day_events
        }
        result.merge(_commit_day(tenant_id, day, day_events, deltas))
    seen: dict[str, int] = {}
    for customer, event in first_in_batch.items():
        hour = epoch_hour(event.at)
        if customer not in known or hour < known[customer]:
            seen[customer] = hour
    for path in customers.remember(tenant_id, seen):
        result.writes[path] = 1
    return result


def _is_returning(
    event: ConversationEvent, known: dict[str, int], first_in_batch: dict[str, ConversationEvent]
) -> bool:
    """Whether the event's customer was first seen in an hour before the event's."""
    if not event.customer:
        return False
    hour = epoch_hour(event.at)
    earlier_run = known.get(event.customer, hour) < hour
    return earlier_run or epoch_hour(first_in_batch[event.customer].at) < hour


def _commit_day(
    tenant_id: str, day: str, events: list[ConversationEvent], deltas: dict[str, Delta]
) -> FoldResult:
    from google.api_core import exceptions as gexc
    from google.cloud import firestore

    client = firestore_client()
    col = tenant_collection(tenant_id, ANALYTICS)
    by_hour: dict[str, list[ConversationEvent]] = defaultdict(list)
    for event in events:
        by_hour[hour_id(event.at)].append(event)
    keys = {e.event_id: dedupe.digest(e.event_id) for e in events}
    shard_refs = {
        (hour, n): col.document(hour).collection(dedupe.SUBCOLLECTION).document(str(n))
        for hour, hour_events in by_hour.items()
        for n in {dedupe.shard_of(keys[e.event_id]) for e in hour_events}
    }
    period_refs = {p: col.document(p) for p in [day, *by_hour]}

    @firestore.transactional
    def commit(transaction: firestore.Transaction) -> FoldResult:
        refs = [*period_refs.values(), *shard_refs.values()]
        snaps = {s.reference.path: s for s in client.get_all(refs, transaction=transaction)}

        def current(ref: Any) -> dict[str, Any] | None:
            snap = snaps.get(ref.path)
            return snap.to_dict() if snap is not None and snap.exists else None

        outcome = FoldResult()
        day_delta = Delta()
        now = utcnow()
        for hour, hour_events in sorted(by_hour.items()):
            shards = {
                n: dedupe.unpack((current(ref) or {}).get(dedupe.FIELD))
                for (h, n), ref in shard_refs.items()
                if h == hour
            }
            hour_delta = Delta()
            added: dict[int, int] = defaultdict(int)
            for event in hour_events:
                key = keys[event.event_id]
                shard = shards[dedupe.shard_of(key)]
                if key in shard:
                    outcome.duplicates += 1
                    continue
                shard.add(key)
                added[dedupe.shard_of(key)] += 1
                hour_delta.merge(deltas[event.event_id])
                outcome.counted += 1
            if hour_delta.empty:
                continue
            day_delta.merge(hour_delta)
            _write(transaction, period_refs[hour], current(period_refs[hour]), hour_delta, hour, now, outcome)
            for n in added:
                ref = shard_refs[(hour, n)]
                transaction.set(ref, {dedupe.FIELD: dedupe.pack(shards[n]), "count": len(shards[n])})
                outcome.writes[ref.path] = 1
        if not day_delta.empty:
            _write(transaction, period_refs[day], current(period_refs[day]), day_delta, day, now, outcome)
        return outcome

    try:
        result: FoldResult = commit(client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return result
    except (gexc.Aborted, gexc.ServiceUnavailable, gexc.DeadlineExceeded, ValueError) as exc:
        # ValueError: the client gave up after max_attempts of contention.
        raise TransientError(f"analytics commit for {tenant_id}/{day} did not go through: {exc}") from exc


def _write(
    transaction: Any,
    ref: Any,
    doc: dict[str, Any] | None,
    delta: Delta,
    period: str,
    now: Any,
    outcome: FoldResult,
) -> None:
    data = apply_delta(doc, delta)
    data.update(
        {
            "period": period,
            "granularity": period.partition("_")[0],
            "start": period_start(period),
            "updated_at": now,
        }
    )
    transaction.set(ref, data)
    outcome.writes[ref.path] = 1
