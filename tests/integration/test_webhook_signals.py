"""Read receipts with the typing indicator, and reactions both ways (issue 13), through the Graph
API stand-in: the customer's message is marked read before the reply goes out."""

from __future__ import annotations

import json

import pytest

from shared.clients import reset_clients
from shared.events import InboundMessage
from shared.messaging.store import messages_ref
from shared.whatsapp.signals import mark_read, react
from tests.respond_support import (
    conv,
    key_of,
    make_tenant,
    post_signed,
    store_inbound_directly,
    wait_for,
    write_catalog,
)
from tests.standins import GraphStandIn

pytestmark = pytest.mark.usefixtures("emulators")


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch):
    with GraphStandIn().running() as api:
        monkeypatch.setenv("WHATSAPP_API_BASE", f"{api.url}/v21.0")
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "EAAG-test-token")
        monkeypatch.setenv("BURST_WINDOW_S", "0")
        reset_clients()
        yield api


def test_the_message_is_marked_read_with_typing_before_the_reply(tenant_id: str, graph: GraphStandIn) -> None:
    from shared.conversation.worker import answer_inbound

    make_tenant(tenant_id, channel="meta")
    write_catalog(tenant_id)
    wa_id = "15550060000"
    store_inbound_directly(tenant_id, wa_id, "wamid.R1", "how much is the rain shell?")
    answer_inbound(InboundMessage(tenant_id=tenant_id, customer_key=wa_id, message_id="wamid.R1"))
    bodies = [body for _, _, body in graph.requests]
    assert bodies[0] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.R1",
        "typing_indicator": {"type": "text"},
    }
    assert bodies[1]["to"] == wa_id and bodies[1]["type"] in ("text", "interactive")
    assert messages_ref(tenant_id, wa_id).document("wamid.R1").get().to_dict()["read_at"]


def test_a_failed_read_receipt_never_stops_the_reply(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    graph.mode = "rate_limited"
    assert mark_read(tenant, "wamid.R2", typing=True) is False  # logged, not raised


def test_reactions_both_ways(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id)  # sandbox: the served stack answers
    wa_id = "15550060001"
    post_signed(json.dumps(_text(tenant.phone_number_id, wa_id, "wamid.X1", "hi")).encode())
    reply = wait_for(
        lambda: conv(tenant_id, wa_id).collection("messages").document("re-wamid.X1").get().to_dict()
    )
    reaction = _text(tenant.phone_number_id, wa_id, "wamid.X2", "")
    message = reaction["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message |= {"type": "reaction", "reaction": {"message_id": reply["provider_message_id"], "emoji": "❤️"}}
    assert post_signed(json.dumps(reaction).encode()).status_code == 200
    ours = conv(tenant_id, wa_id).collection("messages").document("re-wamid.X1").get().to_dict()
    assert ours["customer_reaction"] == "❤️"
    meta = make_tenant(f"{tenant_id}-m", channel="meta")
    store_inbound_directly(meta.tenant_id, wa_id, "wamid.X3", "thanks!")
    react(meta, key_of(meta.tenant_id, wa_id), "wamid.X3", "👍")
    _, _, body = graph.requests[-1]
    assert body["type"] == "reaction" and body["reaction"] == {"message_id": "wamid.X3", "emoji": "👍"}
    stored = messages_ref(meta.tenant_id, wa_id).document("wamid.X3").get().to_dict()
    assert stored["business_reaction"] == "👍"


def _text(phone_number_id: str, wa_id: str, message_id: str, body: str) -> dict:
    from shared.cli.chat import meta_payload

    return meta_payload(phone_number_id, wa_id, message_id, body, None)
