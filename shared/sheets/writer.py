"""Committing a poll's writes within Firestore's limits.

Small write sets go in one atomic batch (at most 450 writes and ~9 MB). Larger ones go through
`BulkWriter` (parallel, retried, throttled at SHEET_WRITE_OPS_PER_SECOND), and the bookkeeping
(row-hash shards, sheet_state) is committed last, so an interrupted poll is simply redone.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from shared.clients import firestore_client
from shared.errors import TransientError
from shared.settings import get_settings
from shared.storage import MAX_BATCH_WRITES

if TYPE_CHECKING:
    from google.cloud.firestore import DocumentReference

Write = tuple["DocumentReference", dict[str, Any] | None, bool]  # (ref, data or None = delete, merge)
MAX_BATCH_BYTES = 9_000_000
FLUSH_EVERY = 5_000


def _size(data: dict[str, Any] | None) -> int:
    if data is None:
        return 100
    return sum(len(v) if isinstance(v, (bytes, str)) else 64 for v in data.values()) + 200


def _batches(writes: list[Write]) -> list[list[Write]]:
    batches: list[list[Write]] = [[]]
    size = 0
    for write in writes:
        cost = _size(write[1])
        if batches[-1] and (len(batches[-1]) >= MAX_BATCH_WRITES or size + cost > MAX_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(write)
        size += cost
    return [b for b in batches if b]


def _commit_batch(writes: list[Write]) -> None:
    batch = firestore_client().batch()
    for ref, data, merge in writes:
        if data is None:
            batch.delete(ref)
        else:
            batch.set(ref, data, merge=merge)
    batch.commit()


def commit(writes: Iterable[Write], bookkeeping: list[Write]) -> int:
    """Write `writes` (consumed lazily, so a 100k-row import never holds every document in
    memory), then `bookkeeping`; returns the number of documents written."""
    iterator = iter(writes)
    head = list(islice(iterator, MAX_BATCH_WRITES + 1))
    everything = head + bookkeeping
    if not everything:
        return 0
    if len(everything) <= MAX_BATCH_WRITES and sum(_size(w[1]) for w in everything) <= MAX_BATCH_BYTES:
        _commit_batch(everything)  # one atomic commit: catalog and state never disagree
        return len(everything)
    if len(head) <= MAX_BATCH_WRITES:
        for batch in _batches(head):
            _commit_batch(batch)
        written = len(head)
    else:
        written = _bulk(chain(head, iterator))
    for batch in _batches(bookkeeping):
        _commit_batch(batch)
    return written + len(bookkeeping)


def _bulk(writes: Iterable[Write]) -> int:
    from google.cloud.firestore_v1.bulk_writer import BulkWriterOptions

    rate = get_settings().sheet_write_ops_per_second
    bulk = firestore_client().bulk_writer(
        options=BulkWriterOptions(initial_ops_per_second=rate, max_ops_per_second=rate)
    )
    failures: list[str] = []

    def on_error(error: Any, _writer: Any) -> bool:
        if error.attempts < 5:
            return True
        failures.append(str(error.message))
        return False

    bulk.on_write_error(on_error)
    count = 0
    for ref, data, merge in writes:
        if data is None:
            bulk.delete(ref)
        else:
            bulk.set(ref, data, merge=merge)
        count += 1
        if count % FLUSH_EVERY == 0:
            bulk.flush()  # back-pressure: BulkWriter would otherwise queue everything in memory
    bulk.close()
    if failures:
        # The state is not saved, so the next poll redoes these rows.
        raise TransientError(f"{len(failures)} catalog writes failed, e.g. {failures[0]}")
    return count
