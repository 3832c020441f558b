"""Sending through the Meta Graph API (a local stand-in speaking its wire format), on the
emulators: text and interactive bodies, the 131047 window-closed switch to a template, and the
130429 rate limit retried later without a double send."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clients import reset_clients
from shared.errors import TransientError
from shared.messaging.store import conversation_ref, messages_ref
from shared.storage import utcnow
from shared.whatsapp.outbound import Button, OutboundMessage
from shared.whatsapp.send import send_and_store, send_text
from tests.respond_support import make_tenant
from tests.standins import GraphStandIn

pytestmark = pytest.mark.usefixtures("emulators")
WA_ID = "15550030000"


def open_window(tenant_id: str, *, hours_ago: float = 1) -> None:
    at = utcnow() - timedelta(hours=hours_ago)
    conversation_ref(tenant_id, WA_ID).set(
        {"last_inbound_at": at, "window_expires_at": at + timedelta(hours=24)}
    )


def test_interactive_reply_goes_to_the_graph_api(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    message = OutboundMessage(text="Back soon?", buttons=(Button(id="notify:A", title="Notify me"),))
    delivery = send_and_store(
        tenant, WA_ID, message, message_id="m1", provider="offline", in_reply_to="wamid.in"
    )
    path, headers, body = graph.requests[0]
    assert path == f"/v21.0/{tenant.phone_number_id}/messages"
    assert headers["authorization"] == "Bearer EAAG-test-token"
    assert body["to"] == WA_ID and body["interactive"]["action"]["buttons"][0]["reply"]["id"] == "notify:A"
    stored = messages_ref(tenant_id, WA_ID).document("m1").get().to_dict()
    assert (stored["status"], stored["provider_message_id"]) == ("sent", delivery.provider_message_id)
    assert delivery.provider_message_id == "wamid.standin1"


def test_window_closed_131047_switches_to_the_template(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)  # our record says open; Meta knows better
    graph.mode = "window_closed"
    delivery = send_text(tenant, WA_ID, "Stock alert: Denim Jacket is running low", idempotency_key="alert-1")
    assert [body["type"] for _, _, body in graph.requests] == ["text", "template"]
    template = graph.requests[1][2]["template"]
    assert template["name"] == "follow_up"
    assert [p["text"] for p in template["components"][0]["parameters"]] == [
        "Test Outfitters",
        "Stock alert: Denim Jacket is running low",
    ]
    assert delivery.template and delivery.status == "sent"
    again = send_text(tenant, WA_ID, "Stock alert: Denim Jacket is running low", idempotency_key="alert-1")
    assert again.duplicate and len(graph.requests) == 2


def test_outside_the_window_only_a_template_is_tried(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id, hours_ago=30)
    send_text(tenant, WA_ID, "Your order is ready", idempotency_key="k2")
    assert [body["type"] for _, _, body in graph.requests] == ["template"]


def test_rate_limit_is_retried_later_and_sent_once(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    graph.mode = "rate_limited"
    with pytest.raises(TransientError):
        send_and_store(tenant, WA_ID, OutboundMessage(text="hi"), message_id="m3", provider="offline")
    assert messages_ref(tenant_id, WA_ID).document("m3").get().to_dict()["status"] == "queued"
    graph.mode = "ok"
    first = send_and_store(tenant, WA_ID, OutboundMessage(text="hi"), message_id="m3", provider="offline")
    second = send_and_store(tenant, WA_ID, OutboundMessage(text="hi"), message_id="m3", provider="offline")
    assert first.status == "sent" and second.duplicate
    assert len(graph.requests) == 2  # one refused, one sent; none twice


def test_twilio_channel_posts_the_form_with_basic_auth(
    tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64
    from urllib.parse import parse_qs

    from tests.standins import TwilioStandIn

    with TwilioStandIn().running() as api:
        monkeypatch.setenv("TWILIO_API_BASE", api.url)
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC0123")
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-secret")
        reset_clients()
        tenant = make_tenant(tenant_id, channel="twilio")
        open_window(tenant_id)
        delivery = send_text(tenant, WA_ID, "Your tailoring session is confirmed", idempotency_key="t1")
        path, headers, body = api.requests[0]
        assert path == "/2010-04-01/Accounts/AC0123/Messages.json"
        assert headers["authorization"] == "Basic " + base64.b64encode(b"AC0123:twilio-secret").decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        assert form == {
            "From": f"whatsapp:+{tenant.phone_number_id}",
            "To": f"whatsapp:+{WA_ID}",
            "Body": "Your tailoring session is confirmed",
        }
        assert delivery.provider_message_id == "SM" + "1".zfill(32)


def test_an_unreachable_customer_does_not_stop_the_other_back_in_stock_notices(
    tenant_id: str, graph: GraphStandIn
) -> None:
    from shared.conversation.restock import notify_back_in_stock
    from shared.events import CatalogChange, StatusChange
    from tests.respond_support import write_catalog

    tenant = make_tenant(tenant_id, channel="meta")
    write_catalog(tenant_id)
    unreachable, reachable = "15550031111", "15550032222"
    for wa_id in (unreachable, reachable):
        at = utcnow()
        conversation_ref(tenant_id, wa_id).set(
            {"last_inbound_at": at, "window_expires_at": at + timedelta(hours=24), "notify_skus": ["JKT-001"]}
        )
    graph.mode = f"undeliverable:{unreachable}"
    change = CatalogChange(
        tenant_id=tenant.tenant_id,
        sheet_id="s1",
        poll_id="p1",
        status_changes=[StatusChange(sku="JKT-001", old="out", new="in_stock")],
    )
    assert notify_back_in_stock(change) == 1
    assert [body["to"] for _, _, body in graph.requests].count(reachable) == 1
    for wa_id in (unreachable, reachable):  # neither request stays pending forever
        assert conversation_ref(tenant_id, wa_id).get().to_dict()["notify_skus"] == []
