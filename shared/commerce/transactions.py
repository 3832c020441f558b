"""Optimistic Firestore transactions for the hot documents (a SKU's stock, a slot's seats).

    def body(tx: Attempt) -> Outcome:
        snap = tx.get(ref)                    # the version read is remembered
        tx.update(ref, {"reserved": ...})     # committed only if `ref` is still that version
        tx.create(order_ref, {...})           # fails if another attempt created it first
        return outcome
    outcome = run_atomic(body, what="order O-123")

Each attempt reads, decides, and commits all its writes in one atomic commit whose updates carry
the `update_time` precondition of the version read: if any document changed in between, nothing
is written and the attempt is run again on fresh reads. This is how Firestore's mobile and web
SDKs run transactions. The server client's pessimistic transactions were measured on the
emulator with customers racing for one SKU: each conflict waits for a lock timeout (about 2 s per
contender, minutes for 50), where this takes milliseconds; both never let two writers both act
on the same version (bench/commerce.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from shared.clients import firestore_client
from shared.errors import TransientError

if TYPE_CHECKING:
    from google.cloud.firestore import DocumentReference, DocumentSnapshot

T = TypeVar("T")


class Contention:
    """Commits lost to a competitor in this process (and retried): a figure for bench/commerce.py."""

    lost = 0


ATTEMPTS = 200
_PAUSE_S = 0.005
_MAX_PAUSE_S = 0.2


class Attempt:
    """One attempt: reads remember their versions, writes wait for `commit`."""

    def __init__(self) -> None:
        self._versions: dict[str, Any] = {}
        self._writes: list[tuple[str, DocumentReference, dict[str, Any]]] = []

    def get_all(self, refs: Iterable[DocumentReference]) -> list[DocumentSnapshot]:
        snaps = list(firestore_client().get_all(list(refs)))
        for snap in snaps:
            self._versions[snap.reference.path] = snap.update_time if snap.exists else None
        return snaps

    def get(self, ref: DocumentReference) -> DocumentSnapshot:
        return self.get_all([ref])[0]

    def create(self, ref: DocumentReference, data: dict[str, Any]) -> None:
        self._writes.append(("create", ref, data))

    def update(self, ref: DocumentReference, data: dict[str, Any]) -> None:
        """Update a document this attempt read (only if it is still the version read)."""
        if self._versions.get(ref.path) is None:
            raise ValueError(f"update of {ref.path}, which this attempt did not read as existing")
        self._writes.append(("update", ref, data))

    def set(self, ref: DocumentReference, data: dict[str, Any]) -> None:
        """Write a document no other attempt competes for (e.g. a log entry with its own id)."""
        self._writes.append(("set", ref, data))

    def commit(self) -> None:
        if not self._writes:
            return
        client = firestore_client()
        batch = client.batch()
        for op, ref, data in self._writes:
            if op == "create":
                batch.create(ref, data)
            elif op == "update":
                batch.update(ref, data, option=client.write_option(last_update_time=self._versions[ref.path]))
            else:
                batch.set(ref, data)
        batch.commit()


def run_atomic(body: Callable[[Attempt], T], *, what: str, attempts: int = ATTEMPTS) -> T:
    """Run `body` until its writes commit on unchanged reads; returns what `body` returned."""
    from google.api_core.exceptions import Aborted, AlreadyExists, FailedPrecondition, ServiceUnavailable

    pause = _PAUSE_S
    last: Exception | None = None
    for _ in range(attempts):
        attempt = Attempt()
        result = body(attempt)
        try:
            attempt.commit()
            return result
        except (FailedPrecondition, AlreadyExists, Aborted, ServiceUnavailable) as exc:
            last = exc  # another attempt won this version: read again
            Contention.lost += 1
        time.sleep(random.uniform(0, pause))
        pause = min(pause * 2, _MAX_PAUSE_S)
    raise TransientError(f"{what}: too much contention, try again ({last})")
