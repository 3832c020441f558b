"""A cart sent from WhatsApp's catalog (recorded `order` payload) through the real webhook and
worker: one order, priced from our catalog with the cart's differences noted for staff, stock
held, one reply, whatever Pub/Sub redelivers; a cart the stock cannot fill is told what is left."""

from __future__ import annotations

import json

import pytest
from functions_framework import create_app

from shared.clients import reset_clients
from shared.commerce.orders import get_order, order_id_for
from shared.conversation.worker import answer_inbound
from shared.events import InboundMessage
from shared.storage import tenant_collection
from shared.whatsapp.signature import meta_signature
from tests.conftest import ROOT
from tests.respond_support import RECORDED_WA_ID, key_of, make_tenant, recorded, replies, write_catalog

MESSAGE_ID = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQ0NEU3QjYyMUM4RjNDOTBFQjcA"


@pytest.fixture
def post(monkeypatch: pytest.MonkeyPatch, emulators: dict[str, str]):
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "cart-test-secret")
    reset_clients()
    client = create_app("webhook", str(ROOT / "functions" / "respond" / "main.py"), "http").test_client()

    def send(body: bytes) -> int:
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(body, "cart-test-secret"),
        }
        return client.post("/", data=body, headers=headers).status_code

    return send


def _cart(pnid: str, *, quantity: int = 3, message_id: str = MESSAGE_ID) -> bytes:
    data = json.loads(recorded("order", pnid))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message["order"]["product_items"][1]["quantity"] = quantity
    message["id"] = message_id
    return json.dumps(data).encode()


def test_whatsapp_cart_becomes_one_order_priced_from_our_catalog(tenant_id: str, post) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    assert post(_cart(tenant.phone_number_id)) == 200
    inbound = InboundMessage(
        tenant_id=tenant_id, customer_key=key_of(tenant_id, RECORDED_WA_ID), message_id=MESSAGE_ID
    )
    assert answer_inbound(inbound) == f"re-{MESSAGE_ID}"

    order = get_order(tenant_id, order_id_for(tenant_id, MESSAGE_ID))
    assert order is not None and order.source == "whatsapp_cart" and order.status == "placed"
    assert [(i.sku, i.quantity, i.unit_price_minor) for i in order.items] == [
        ("JKT-001", 1, 8900),
        ("TOP-001", 3, 1500),
    ]
    assert order.total_minor == 8900 + 4500 and order.profile_name == "Kerry Fisher"
    assert order.wa_id == RECORDED_WA_ID and order.customer_key == key_of(tenant_id, RECORDED_WA_ID)
    assert order.note == "Please gift wrap the jacket"
    stored = tenant_collection(tenant_id, "orders").document(order.order_id).get().to_dict() or {}
    assert stored["staff_note"] == "WhatsApp cart prices differ: JKT-001: cart 85.00 USD, ours 89.00 USD"
    avail = tenant_collection(tenant_id, "availability").document("TOP-001").get().to_dict() or {}
    assert (avail["reserved"], avail["available"]) == (3, 37)

    [reply] = replies(tenant_id, RECORDED_WA_ID)
    assert reply["text"].startswith(
        f"Thank you! Order {order.order_id} is placed: 1 × Denim Jacket, 3 × White T-Shirt."
    )
    assert "Total $134.00" in reply["text"] and "current prices" in reply["text"]

    # Meta retries the webhook and Pub/Sub redelivers: nothing more happens.
    assert post(_cart(tenant.phone_number_id)) == 200
    answer_inbound(inbound)
    assert len(replies(tenant_id, RECORDED_WA_ID)) == 1
    assert len(list(tenant_collection(tenant_id, "orders").stream())) == 1
    avail = tenant_collection(tenant_id, "availability").document("TOP-001").get().to_dict() or {}
    assert avail["reserved"] == 3


def test_a_cart_the_stock_cannot_fill_is_told_what_is_left(tenant_id: str, post) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    message_id = "wamid.cart-too-many"
    assert post(_cart(tenant.phone_number_id, quantity=41, message_id=message_id)) == 200
    answer_inbound(
        InboundMessage(
            tenant_id=tenant_id, customer_key=key_of(tenant_id, RECORDED_WA_ID), message_id=message_id
        )
    )
    [reply] = replies(tenant_id, RECORDED_WA_ID)
    assert "White T-Shirt: only 40 left (you asked for 41)" in reply["text"]
    assert list(tenant_collection(tenant_id, "orders").stream()) == []
