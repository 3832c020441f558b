"""staff_outbox accepts both deliveries of a queued staff reply: Eventarc's Firestore
"document created" CloudEvent (the path is in `subject`) and the local bridge's Pub/Sub push."""

from __future__ import annotations

import base64

import pytest
from cloudevents.http import CloudEvent

from shared.conversation.staff import StaffOutboxRef, outbox_ref_from_event
from shared.errors import PermanentError

WANT = StaffOutboxRef(tenant_id="demo", wa_id="15550001111", outbox_id="o1")


def test_firestore_document_created_event() -> None:
    event = CloudEvent(
        {
            "type": "google.cloud.firestore.document.v1.created",
            "source": "//firestore.googleapis.com/projects/p/databases/(default)",
            "subject": "documents/tenants/demo/conversations/15550001111/outbox/o1",
            "datacontenttype": "application/protobuf",
        },
        b"\x0a\x00",
    )
    assert outbox_ref_from_event(event) == WANT


def test_local_bridge_pubsub_push() -> None:
    data = {"message": {"data": base64.b64encode(WANT.model_dump_json().encode()).decode(), "messageId": "1"}}
    event = CloudEvent({"type": "google.cloud.pubsub.topic.v1.messagePublished", "source": "//pubsub"}, data)
    assert outbox_ref_from_event(event) == WANT


def test_a_document_outside_an_outbox_is_refused() -> None:
    event = CloudEvent(
        {
            "type": "google.cloud.firestore.document.v1.created",
            "source": "//firestore",
            "subject": "documents/tenants/demo/conversations/15550001111/messages/m1",
        },
        b"",
    )
    with pytest.raises(PermanentError):
        outbox_ref_from_event(event)
