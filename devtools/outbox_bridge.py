"""Local stand-in for Eventarc's Firestore trigger on staff replies: `python -m devtools.outbox_bridge`.

Listens (`on_snapshot`) to every `outbox` collection for documents with `status: "queued"` and
publishes a `StaffOutboxRef` on `staff-outbox`, which the emulator pushes to respond.staff_outbox.
"""

from __future__ import annotations

from devtools.firestore_bridge import run_bridge
from shared.clients import firestore_client
from shared.conversation.staff import TOPIC_STAFF_OUTBOX, ref_from_path


def main() -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = firestore_client().collection_group("outbox").where(filter=FieldFilter("status", "==", "queued"))
    run_bridge(
        query, topic=TOPIC_STAFF_OUTBOX, parse=ref_from_path, wanted=lambda _: True, name="outbox_bridge"
    )


if __name__ == "__main__":
    main()
