"""The conversation store: `tenants/{T}/conversations/{wa_id}` and its `messages`/`outbox`.

Phone numbers (the `wa_id`) appear here and only here; analytics and logs get
`shared.privacy.hash_customer`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.messaging.safety import check_document_id
from shared.storage import tenant_collection

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, DocumentReference

SERVICE_WINDOW = timedelta(hours=24)
# Outbound statuses only move forward; `failed` can follow queued/sent but never delivered/read.
STATUS_RANK = {"queued": 0, "sent": 1, "failed": 2, "delivered": 2, "read": 3}
PREVIEW_CHARS = 80


def conversation_ref(tenant_id: str, wa_id: str) -> DocumentReference:
    """The conversation document; Unstorable (ValueError) for a key that is not one document id."""
    return tenant_collection(tenant_id, "conversations").document(check_document_id(wa_id))


def messages_ref(tenant_id: str, wa_id: str) -> CollectionReference:
    return conversation_ref(tenant_id, wa_id).collection("messages")


def outbox_ref(tenant_id: str, wa_id: str) -> CollectionReference:
    return conversation_ref(tenant_id, wa_id).collection("outbox")


def reply_id(inbound_id: str) -> str:
    """The outbound message id answering `inbound_id`: deterministic, so a retry finds it."""
    return f"re-{inbound_id}"


def status_moves_forward(current: str | None, new: str) -> bool:
    if new not in STATUS_RANK:
        return False
    if current is None:
        return True
    return STATUS_RANK[new] > STATUS_RANK.get(current, -1)


def window_open(conversation: dict[str, Any] | None, now: datetime) -> bool:
    """Inside WhatsApp's 24-hour customer-service window (free-form messages allowed)?"""
    expires = (conversation or {}).get("window_expires_at")
    return bool(expires and expires > now)


def preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
