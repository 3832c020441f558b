"""Local stand-in for Eventarc's Firestore trigger on staff replies: `python -m devtools.outbox_bridge`.

Listens (`on_snapshot`) to every `outbox` collection for documents with `status: "queued"` and
publishes a `StaffOutboxRef` on `staff-outbox`, which the emulator pushes to respond.staff_outbox.
A document seen twice (e.g. after a reconnect) is published twice; the function is idempotent.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from shared.clients import firestore_client
from shared.conversation.staff import TOPIC_STAFF_OUTBOX, ref_from_path
from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.pubsub import publish

log = get_logger("devtools.outbox_bridge")


def on_change(snapshots: Any, changes: Any, read_time: Any) -> None:
    for change in changes:
        if change.type.name != "ADDED":
            continue
        try:
            ref = ref_from_path(change.document.reference.path)
        except PermanentError as exc:
            log_event(log, 30, "skipping outbox document", error=str(exc))
            continue
        publish(TOPIC_STAFF_OUTBOX, ref)
        log_event(log, 20, "staff reply bridged", tenant_id=ref.tenant_id, outbox_id=ref.outbox_id)


def main() -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = firestore_client().collection_group("outbox").where(filter=FieldFilter("status", "==", "queued"))
    watch = query.on_snapshot(on_change)
    stop = threading.Event()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    watch.unsubscribe()


if __name__ == "__main__":
    main()
