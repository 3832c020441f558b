"""Firestore layout helpers: every path of the Firestore contract is built here.

Under `tenants/{tenant_id}/`: catalog, availability, slots, sheet_state, validation_issues,
stock_history, conversations (+ messages), analytics, alerts. See README "Firestore schema".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.clients import firestore_client

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, DocumentReference

TENANTS = "tenants"
# Firestore allows 500 writes per batch/commit; stay below to leave room for bookkeeping.
MAX_BATCH_WRITES = 450


def utcnow() -> datetime:
    return datetime.now(UTC)


def tenant_ref(tenant_id: str) -> DocumentReference:
    return firestore_client().collection(TENANTS).document(tenant_id)


def tenant_collection(tenant_id: str, name: str) -> CollectionReference:
    """`tenants/{tenant_id}/{name}`."""
    return tenant_ref(tenant_id).collection(name)


def chunks(items: Iterable[Any], size: int = MAX_BATCH_WRITES) -> Iterator[list[Any]]:
    """Split `items` into lists of at most `size`."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_many(
    writes: Iterable[tuple[DocumentReference, dict[str, Any] | None]], *, merge: bool = False
) -> int:
    """Set (or delete, where the data is None) many documents in commits of at most 450 writes.

    Returns the number of documents written. A handful of writes go through one batch; larger
    sets use `BulkWriter`, which parallelises and throttles within Firestore's limits.
    """
    items = list(writes)
    if not items:
        return 0
    client = firestore_client()
    if len(items) <= MAX_BATCH_WRITES:
        batch = client.batch()
        for ref, data in items:
            if data is None:
                batch.delete(ref)
            else:
                batch.set(ref, data, merge=merge)
        batch.commit()
        return len(items)
    bulk = client.bulk_writer()
    for ref, data in items:
        if data is None:
            bulk.delete(ref)
        else:
            bulk.set(ref, data, merge=merge)
    bulk.close()
    return len(items)
