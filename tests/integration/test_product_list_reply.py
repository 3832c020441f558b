"""A shop whose items are in its Meta Commerce catalog: a reply that lists items reaches the
customer as a WhatsApp `product_list` (the Graph stand-in receives it through the real httpx
client), showing only the items Meta accepted, so the customer can add them to a cart."""

from __future__ import annotations

import pytest

from shared.conversation.worker import answer_inbound
from shared.events import InboundMessage
from shared.storage import tenant_collection
from tests.respond_support import make_tenant, store_inbound_directly, write_catalog
from tests.standins import GraphStandIn

pytestmark = pytest.mark.usefixtures("emulators")
CUSTOMER = "15550041000"


def test_a_list_of_jackets_is_a_product_list_of_what_meta_holds(tenant_id: str, graph: GraphStandIn) -> None:
    make_tenant(tenant_id, channel="meta", meta_catalog_id="CAT-77")
    write_catalog(tenant_id)
    synced = tenant_collection(tenant_id, "meta_catalog")
    for sku in ("JKT-001", "JKT-004"):  # JKT-002 was refused by Meta (no image): never shown
        synced.document(sku).set({"hash": f"h-{sku}"})
    store_inbound_directly(tenant_id, CUSTOMER, "wamid.jackets", "what jackets do you have?")

    answer_inbound(InboundMessage(tenant_id=tenant_id, wa_id=CUSTOMER, message_id="wamid.jackets"))

    sent = [body for _, _, body in graph.requests if body.get("type") == "interactive"]
    assert len(sent) == 1, graph.requests
    interactive = sent[0]["interactive"]
    assert interactive["type"] == "product_list"
    assert interactive["action"]["catalog_id"] == "CAT-77"
    [section] = interactive["action"]["sections"]
    shown = [p["product_retailer_id"] for p in section["product_items"]]
    assert "JKT-001" in shown and "JKT-004" in shown and "JKT-002" not in shown
    assert interactive["header"]["text"] and "Denim Jacket" in interactive["body"]["text"]
