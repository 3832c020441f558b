"""Staff replies queued by the dashboard: `conversations/{wa_id}/outbox/{id}` -> the customer.

In the cloud an Eventarc Firestore "document created" trigger delivers the event (its `subject`
is the document path); locally `devtools.outbox_bridge` publishes a `StaffOutboxRef` on
`staff-outbox`, which is pushed to the same entry point. Either way the reply is sent once,
stored with `provider: "staff"`, and the outbox document is marked `sent`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.storage import utcnow

log = get_logger(__name__)
TOPIC_STAFF_OUTBOX = "staff-outbox"
_PATH = re.compile(r"(?:^|/)tenants/([^/]+)/conversations/([^/]+)/outbox/([^/]+)$")


class StaffOutboxRef(BaseModel):
    tenant_id: str
    wa_id: str
    outbox_id: str


def ref_from_path(path: str) -> StaffOutboxRef:
    match = _PATH.search(path)
    if not match:
        raise PermanentError(f"not an outbox document path: {path!r}")
    return StaffOutboxRef(tenant_id=match[1], wa_id=match[2], outbox_id=match[3])


def outbox_ref_from_event(cloud_event: Any) -> StaffOutboxRef:
    """The outbox document named by a Firestore CloudEvent (subject) or a Pub/Sub push."""
    event_type = str(cloud_event.get("type") or "")
    if event_type.startswith("google.cloud.firestore.document"):
        return ref_from_path(str(cloud_event.get("subject") or ""))
    from shared.pubsub import decode_cloud_event

    return decode_cloud_event(cloud_event, StaffOutboxRef)


def send_staff_reply(ref: StaffOutboxRef) -> str | None:
    """Send the queued staff reply once; returns the outbound message id (None if nothing to do)."""
    from shared.messaging.store import outbox_ref
    from shared.tenants import get_tenant
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    doc_ref = outbox_ref(ref.tenant_id, ref.wa_id).document(ref.outbox_id)
    snap = doc_ref.get()
    if not snap.exists:
        raise PermanentError(f"outbox document {ref.outbox_id} does not exist")
    data = snap.to_dict() or {}
    if data.get("status") == "sent":
        return data.get("message_id")
    text = str(data.get("text") or "").strip()
    if not text:
        doc_ref.update({"status": "failed", "error": "empty text"})
        raise PermanentError("staff reply has no text")
    tenant = get_tenant(ref.tenant_id)
    message_id = f"staff-{ref.outbox_id}"
    try:
        delivery = send_and_store(
            tenant,
            ref.wa_id,
            OutboundMessage(text=text[:4096]),
            message_id=message_id,
            provider="staff",
            extra={"staff_uid": data.get("staff_uid")},
        )
    except PermanentError as exc:
        doc_ref.update({"status": "failed", "error": str(exc)[:300]})
        raise
    doc_ref.update({"status": "sent", "sent_at": utcnow(), "message_id": delivery.message_id})
    log_event(log, 20, "staff reply sent", tenant_id=ref.tenant_id, template=delivery.template)
    return delivery.message_id
