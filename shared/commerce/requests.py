"""Staff status requests from the dashboard: `orders/{id}/requests/{rid}` or
`bookings/{id}/requests/{rid}` with `{status, staff_uid, created_at}`.

The browser may not change an order itself (firestore.rules: nobody edits items, totals or the
stock they hold from the browser); it asks, and this applies the request through the same
functions the conversation uses, so the stock is released or consumed in the same commit and the
customer is told in their language. In the cloud an Eventarc Firestore "document created"
trigger delivers the request (its `subject` is the path); locally `devtools.commerce_bridge`
publishes a `StaffRequestRef` on `commerce-requests`, pushed to the same entry point. The
request document records the outcome (`done` or `refused` with the reason); a request already
done is not applied twice.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

log = get_logger(__name__)
TOPIC_COMMERCE_REQUESTS = "commerce-requests"
_PATH = re.compile(r"(?:^|/)tenants/([^/]+)/(orders|bookings)/([^/]+)/requests/([^/]+)$")


class StaffRequestRef(BaseModel):
    tenant_id: str
    collection: str  # orders | bookings
    record_id: str
    request_id: str


def ref_from_path(path: str) -> StaffRequestRef:
    match = _PATH.search(path)
    if not match:
        raise PermanentError(f"not an order or booking request path: {path!r}")
    return StaffRequestRef(tenant_id=match[1], collection=match[2], record_id=match[3], request_id=match[4])


def request_ref_from_event(cloud_event: Any) -> StaffRequestRef:
    """The request named by a Firestore CloudEvent (subject) or a Pub/Sub push."""
    if str(cloud_event.get("type") or "").startswith("google.cloud.firestore.document"):
        return ref_from_path(str(cloud_event.get("subject") or ""))
    from shared.pubsub import decode_cloud_event

    return decode_cloud_event(cloud_event, StaffRequestRef)


def apply_request(ref: StaffRequestRef) -> str:
    """Apply the staff request once; returns the record's status afterwards."""
    from shared.commerce.bookings import BookingError, set_booking_status
    from shared.commerce.orders import OrderError, set_order_status

    doc = tenant_collection(ref.tenant_id, ref.collection).document(ref.record_id)
    request_doc = doc.collection("requests").document(ref.request_id)
    snap = request_doc.get()
    if not snap.exists:
        raise PermanentError(f"request {ref.request_id} does not exist")
    data = snap.to_dict() or {}
    if data.get("state") in ("done", "refused"):
        return str(data.get("result_status") or "")
    by = f"staff:{data.get('staff_uid') or 'unknown'}"
    status = str(data.get("status") or "")
    result: str
    try:
        if ref.collection == "orders":
            result = set_order_status(ref.tenant_id, ref.record_id, status, by=by).status
        else:
            result = set_booking_status(ref.tenant_id, ref.record_id, status, by=by).status
    except (OrderError, BookingError) as exc:
        request_doc.update({"state": "refused", "error": str(exc)[:300], "done_at": utcnow()})
        log_event(
            log, 30, "staff request refused", tenant_id=ref.tenant_id, record=ref.record_id, error=str(exc)
        )
        return ""
    request_doc.update({"state": "done", "result_status": result, "done_at": utcnow()})
    return result
