"""The schedules in Firestore: `tenants/{t}/schedule/poll` and `tenants/{t}/schedule/alerts`,
found across tenants by one collection-group query on their due field (`next_poll_at`,
`next_eval_at`; both indexes declared in firestore.indexes.json), and changed in transactions
where two instances may race (the lease)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from shared.clients import firestore_client
from shared.scheduling.plan import Outcome, Policy, claim, new_schedule, push_waiting, refusal, release
from shared.storage import tenant_collection, write_many

SCHEDULE = "schedule"
POLL, ALERTS = "poll", "alerts"
DUE_FIELD = {POLL: "next_poll_at", ALERTS: "next_eval_at"}
QUEUE_FIELDS = ("next_poll_at", "next_read_at", "next_eval_at")
PAGE = 1_000  # one Pub/Sub publish request


def schedule_ref(tenant_id: str, job: str) -> Any:
    return tenant_collection(tenant_id, SCHEDULE).document(job)


def ensure_schedules(tenant_id: str, *, interval_s: int, alerts_interval_s: int, now: datetime) -> int:
    """Create the tenant's schedules if missing (due now); returns how many were created."""
    from google.api_core.exceptions import AlreadyExists

    created = 0
    initial = {
        POLL: new_schedule(tenant_id, interval_s, now),
        ALERTS: {"tenant_id": tenant_id, "interval_s": alerts_interval_s, "next_eval_at": now},
    }
    for job, data in initial.items():
        try:
            schedule_ref(tenant_id, job).create(data)
            created += 1
        except AlreadyExists:
            pass
    return created


def set_interval(tenant_id: str, interval_s: int) -> None:
    """A changed setting takes effect from the next poll (the poll reschedules with it)."""
    schedule_ref(tenant_id, POLL).set({"interval_s": interval_s}, merge=True)


def due(field: str, now: datetime, limit: int) -> Iterator[list[tuple[str, str]]]:
    """(tenant_id, priority) of up to `limit` shops whose `field` (one of QUEUE_FIELDS) is at or
    before `now`, in that order, in chunks of PAGE as the one indexed collection-group query
    streams them (so a chunk is published while the next is read)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    assert field in QUEUE_FIELDS, field
    query = (
        firestore_client()
        .collection_group(SCHEDULE)
        .where(filter=FieldFilter(field, "<=", now))
        .order_by(field)
        .select([field, "priority"])
        .limit(limit)
    )
    chunk: list[tuple[str, str]] = []
    for snap in query.stream():
        chunk.append((snap.reference.parent.parent.id, (snap.to_dict() or {}).get("priority") or "scheduled"))
        if len(chunk) == PAGE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def count_due(now: datetime) -> int:
    """How many shops wait in either poll queue (a count aggregation: no document read)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    total = 0
    for field in ("next_poll_at", "next_read_at"):
        query: Any = firestore_client().collection_group(SCHEDULE).where(filter=FieldFilter(field, "<=", now))
        for row in query.count().get():
            total += sum(int(aggregate.value) for aggregate in row)
    return total


def write_updates(job: str, updates: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Merge `updates` into the tenants' `job` schedules (one batch, or BulkWriter's parallel
    batches beyond 450); returns the count."""
    items = [(schedule_ref(tenant_id, job), data) for tenant_id, data in updates]
    return write_many(items, merge=True)


def _in_transaction(
    tenant_id: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """Read the poll schedule and write `change(doc)` (if not None) atomically."""
    from google.cloud import firestore

    ref = schedule_ref(tenant_id, POLL)

    @firestore.transactional
    def run(transaction: Any) -> dict[str, Any] | None:
        snap = ref.get(transaction=transaction)
        doc = snap.to_dict() or {}
        update = change(doc)
        if update is not None:
            transaction.set(ref, update, merge=True)
            return doc | update
        return None

    return run(firestore_client().transaction())


def take_lease(
    tenant_id: str, *, owner: str, now: datetime, dispatched_at: datetime | None, policy: Policy
) -> tuple[dict[str, Any] | None, str | None]:
    """Claim the shop's poll lease: (schedule with the lease, None), or (None, why not)."""
    refused: list[str] = []

    def change(doc: dict[str, Any]) -> dict[str, Any] | None:
        reason = refusal(doc, now, owner, dispatched_at)
        if reason:
            refused.append(reason)
            return None
        return claim(now, owner, policy)

    from google.api_core.exceptions import Aborted

    try:
        doc = _in_transaction(tenant_id, change)
    except Aborted:  # another instance holds the schedule's transaction: it is taking the lease
        return None, "leased"
    return (doc, None) if doc is not None else (None, refused[0] if refused else "missing")


def give_back(
    tenant_id: str, *, owner: str, outcome: Outcome, now: datetime, interval_s: int, policy: Policy
) -> dict[str, Any] | None:
    """Release the lease and reschedule (nothing, if the lease is no longer ours)."""

    def change(doc: dict[str, Any]) -> dict[str, Any] | None:
        if doc.get("lease_owner") != owner:
            return None
        return release(doc, outcome, now, interval_s, policy)

    return _in_transaction(tenant_id, change)


def note_push(tenant_id: str, now: datetime) -> None:
    """A push found the lease taken: the poll in progress re-polls on release."""
    schedule_ref(tenant_id, POLL).set(push_waiting(now), merge=True)


def forget(tenant_id: str) -> None:
    """The tenant is gone: drop its schedules (nothing dispatches it again)."""
    for job in (POLL, ALERTS):
        schedule_ref(tenant_id, job).delete()


def expired(at: datetime | None, now: datetime, seconds: float) -> bool:
    return at is None or now - at >= timedelta(seconds=seconds)
