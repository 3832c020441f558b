"""Customers identified by phone number, business-scoped user id (BSUID) or username (issue 13):
a customer with a username and no phone number is answered (through the Graph API's
`recipient`), ids seen together are linked, a phone number change keeps the conversation, and a
conversation from before customer keys keeps working."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from shared.messaging.identity import CustomerIds, resolve
from shared.messaging.store import conversation_ref
from shared.storage import tenant_collection
from tests.respond_support import (
    make_tenant,
    post_signed,
    store_inbound_directly,
    wait_for,
    write_catalog,
)
from tests.standins import GraphStandIn

pytestmark = pytest.mark.usefixtures("emulators")
BSUID = "BR.1502938475610293847"


def payload(phone_number_id: str, message: dict[str, Any], contact: dict[str, Any]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": phone_number_id},
        "contacts": [contact],
        "messages": [message],
    }
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def username_message(message_id: str, text: str, *, phone: str | None = None) -> dict[str, Any]:
    now = str(int(time.time()))
    message = {"from_user_id": BSUID, "id": message_id, "timestamp": now, "type": "text"}
    message["text"] = {"body": text}
    if phone:
        message["from"] = phone
    return message


def contact(phone: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"profile": {"name": "Ana Souza", "username": "@ana.s"}, "user_id": BSUID}
    if phone:
        out["wa_id"] = phone
    return out


def conversations(tenant_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(d.id, d.to_dict() or {}) for d in tenant_collection(tenant_id, "conversations").stream()]


def test_a_customer_with_a_username_and_no_phone_number_is_answered(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    body = payload(
        tenant.phone_number_id, username_message("wamid.U1", "how much is the rain shell?"), contact()
    )
    assert post_signed(body).status_code == 200
    [(key, doc)] = conversations(tenant_id)
    assert BSUID not in key and "wa_id" not in doc
    assert (doc["user_id"], doc["username"], doc["profile_name"]) == (BSUID, "@ana.s", "Ana Souza")
    messages = conversation_ref(tenant_id, key).collection("messages")
    reply = wait_for(lambda: [m.to_dict() for m in messages.stream() if m.to_dict()["direction"] == "out"])
    assert "$75.00" in reply[0]["text"]


def test_the_reply_to_a_username_goes_to_the_bsuid_as_recipient(tenant_id: str, graph: GraphStandIn) -> None:
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    tenant = make_tenant(tenant_id, channel="meta")
    key = resolve(tenant_id, CustomerIds(user_id=BSUID))
    store_inbound_directly(tenant_id, key, "wamid.U2", "hi")
    conversation_ref(tenant_id, key).update({"user_id": BSUID, "wa_id": None})
    send_and_store(tenant, key, OutboundMessage(text="Hello!"), message_id="m1", provider="offline")
    _, _, body = graph.requests[0]
    assert body["recipient"] == BSUID and "to" not in body


def test_ids_are_linked_and_a_new_phone_number_keeps_the_conversation(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    first = payload(
        tenant.phone_number_id,
        username_message("wamid.P1", "hi", phone="5511987650001"),
        contact("5511987650001"),
    )
    assert post_signed(first).status_code == 200
    [(key, doc)] = conversations(tenant_id)
    assert doc["wa_id"] == "5511987650001"
    changed = payload(
        tenant.phone_number_id,
        username_message("wamid.P2", "hi again", phone="5511987650002"),
        contact("5511987650002"),
    )
    assert post_signed(changed).status_code == 200
    [(same_key, doc)] = conversations(tenant_id)
    assert same_key == key and doc["wa_id"] == "5511987650002"  # replies go to the new number
    assert resolve(tenant_id, CustomerIds(phone="5511987650001")) == key  # the old one still links


def test_a_conversation_from_before_customer_keys_keeps_working(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    legacy = "15550040000"
    store_inbound_directly(tenant_id, legacy, "wamid.OLD", "hi")  # keyed by the phone number
    message = {
        "from": legacy,
        "id": "wamid.NEW",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "x"},
    }
    assert (
        post_signed(payload(tenant.phone_number_id, message, {"wa_id": legacy, "user_id": BSUID})).status_code
        == 200
    )
    [(key, doc)] = conversations(tenant_id)
    assert key == legacy and doc["user_id"] == BSUID
    ids = {m.id for m in conversation_ref(tenant_id, legacy).collection("messages").stream()}
    assert {"wamid.OLD", "wamid.NEW"} <= ids


def test_a_status_for_a_username_customer_moves_the_reply(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    body = payload(tenant.phone_number_id, username_message("wamid.S1", "hello"), contact())
    assert post_signed(body).status_code == 200
    [(key, _)] = conversations(tenant_id)
    messages = conversation_ref(tenant_id, key).collection("messages")
    reply = wait_for(lambda: messages.document("re-wamid.S1").get().to_dict())
    status = {
        "id": reply["provider_message_id"],
        "status": "read",
        "timestamp": str(int(time.time())),
        "recipient_user_id": BSUID,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": tenant.phone_number_id},
        "statuses": [status],
    }
    update = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    assert post_signed(json.dumps(update).encode()).status_code == 200
    assert messages.document("re-wamid.S1").get().to_dict()["status"] == "read"
