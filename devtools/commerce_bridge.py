"""Local stand-in for Eventarc's Firestore trigger on staff status requests:
`python -m devtools.commerce_bridge`.

Listens (`on_snapshot`) to every `requests` collection (under orders and bookings) for new
documents and publishes a `StaffRequestRef` on `commerce-requests`, which the emulator pushes to
sheet_poller.commerce_request. A request seen twice is applied once (the function checks it).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from shared.clients import firestore_client
from shared.commerce.requests import TOPIC_COMMERCE_REQUESTS, ref_from_path
from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.pubsub import publish

log = get_logger("devtools.commerce_bridge")


def on_change(snapshots: Any, changes: Any, read_time: Any) -> None:
    for change in changes:
        if change.type.name != "ADDED" or (change.document.to_dict() or {}).get("state"):
            continue
        try:
            ref = ref_from_path(change.document.reference.path)
        except PermanentError as exc:
            log_event(log, 30, "skipping request document", error=str(exc))
            continue
        publish(TOPIC_COMMERCE_REQUESTS, ref)
        log_event(log, 20, "staff request bridged", tenant_id=ref.tenant_id, record=ref.record_id)


def main() -> None:
    watch = firestore_client().collection_group("requests").on_snapshot(on_change)
    stop = threading.Event()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    watch.unsubscribe()


if __name__ == "__main__":
    main()
