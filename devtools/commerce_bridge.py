"""Local stand-in for Eventarc's Firestore trigger on staff status requests:
`python -m devtools.commerce_bridge`.

Listens (`on_snapshot`) to every `requests` collection (under orders and bookings) for new
documents and publishes a `StaffRequestRef` on `commerce-requests`, which the emulator pushes to
sheet_poller.commerce_request. A request seen twice is applied once (the function checks it).
"""

from __future__ import annotations

from devtools.firestore_bridge import run_bridge
from shared.clients import firestore_client
from shared.commerce.requests import TOPIC_COMMERCE_REQUESTS, ref_from_path


def main() -> None:
    run_bridge(
        firestore_client().collection_group("requests"),
        topic=TOPIC_COMMERCE_REQUESTS,
        parse=ref_from_path,
        wanted=lambda data: not data.get("state"),  # not yet applied
        name="commerce_bridge",
    )


if __name__ == "__main__":
    main()
