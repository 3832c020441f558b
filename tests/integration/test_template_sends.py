"""Templates as Meta and Twilio receive them (local stand-ins speaking their wire formats, the
real httpx client, the Firestore emulator): owner alerts, back-in-stock notices and replies
outside the 24-hour window go out as the declared templates, in the customer's language, with
parameters Meta accepts; Twilio gets `ContentSid` and `ContentVariables`."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from shared.clients import reset_clients
from shared.errors import ConfigError
from shared.messaging.store import conversation_ref, messages_ref
from shared.storage import utcnow
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.send import send_and_store
from tests.respond_support import conv, make_tenant, write_catalog
from tests.standins import GraphStandIn, TwilioStandIn

pytestmark = pytest.mark.usefixtures("emulators")
CUSTOMER = "15550040000"


def meta_accepts(value: str) -> bool:
    return bool(value) and "\n" not in value and "\t" not in value and "     " not in value


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch):
    with TwilioStandIn().running() as api:
        monkeypatch.setenv("TWILIO_API_BASE", api.url)
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC0123")
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-secret")
        reset_clients()
        yield api


def test_an_owner_alert_outside_the_window_is_the_owner_alert_template(
    tenant_id: str, graph: GraphStandIn
) -> None:
    from shared.alerts.notify import notify_opening
    from shared.storage import tenant_collection

    owner = "15550049999"
    tenant = make_tenant(tenant_id, channel="meta", owner_wa_id=owner, locale="pt-BR")
    alert = {
        "severity": "critical",
        "title": "Vestido Azul acaba em 2 dias",
        "message": "Estoque: 3\nVendas: 1,5/dia\n\n\tReponha      logo",
        "opening": 1,
    }
    tenant_collection(tenant_id, "alerts").document("a1").set(alert)
    assert notify_opening(tenant, "a1", alert) == {"whatsapp": "sent"}
    [(_, _, body)] = graph.requests
    assert body["type"] == "template" and body["to"] == owner
    template = body["template"]
    assert template["name"] == "owner_alert" and template["language"] == {"code": "pt_BR"}
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert all(meta_accepts(p) for p in params)
    assert params == [
        "Test Outfitters",
        "[CRITICAL] Vestido Azul acaba em 2 dias",
        "Estoque: 3 · Vendas: 1,5/dia · Reponha logo",
    ]
    stored = conv(tenant_id, owner).collection("messages").document(f"notify-{tenant_id}.a1.1.whatsapp").get()
    stored = stored.to_dict()
    assert stored["text"].startswith("Alerta para Test Outfitters: [CRITICAL] Vestido Azul")


def test_back_in_stock_outside_the_window_in_the_customers_language_says_it_once(
    tenant_id: str, graph: GraphStandIn
) -> None:
    from shared.conversation.restock import notify_back_in_stock
    from shared.events import CatalogChange, StatusChange
    from shared.i18n.catalog import money, reply_locale

    tenant = make_tenant(tenant_id, channel="meta")
    write_catalog(tenant_id)
    conversation_ref(tenant_id, CUSTOMER).set(
        {
            "window_expires_at": utcnow() - timedelta(hours=3),
            "notify_skus": ["JKT-001"],
            "language": "es",
        }
    )
    change = CatalogChange(
        tenant_id=tenant.tenant_id,
        sheet_id="s1",
        poll_id="p9",
        status_changes=[StatusChange(sku="JKT-001", old="out", new="in_stock")],
    )
    assert notify_back_in_stock(change) == 1
    [(_, _, body)] = graph.requests
    assert body["template"]["name"] == "back_in_stock" and body["template"]["language"] == {"code": "es"}
    params = [p["text"] for p in body["template"]["components"][0]["parameters"]]
    price = money(8900, "USD", reply_locale("es", tenant.locale))  # as the customer's replies write it
    assert params == ["Test Outfitters", f"Denim Jacket ({price})"]
    stored = messages_ref(tenant_id, CUSTOMER).document("restock-JKT-001-p9").get().to_dict()
    assert stored["text"] == (
        f"Buenas noticias de Test Outfitters: Denim Jacket ({price}) vuelve a estar disponible. "
        "Responde a este mensaje para pedirlo."
    )


def test_twilio_outside_the_window_sends_the_content_template(tenant_id: str, twilio: TwilioStandIn) -> None:
    tenant = make_tenant(
        tenant_id,
        channel="twilio",
        locale="fr-FR",
        twilio_content_sids={"follow_up": "HX" + "f" * 32},
    )
    delivery = send_and_store(
        tenant, CUSTOMER, OutboundMessage(text="Votre commande\nest prête"), message_id="t1", provider="staff"
    )
    [(_, _, body)] = twilio.requests
    form = {k: v[0] for k, v in parse_qs(body).items()}
    assert form["ContentSid"] == "HX" + "f" * 32 and "Body" not in form
    assert json.loads(form["ContentVariables"]) == {"1": "Test Outfitters", "2": "Votre commande · est prête"}
    assert delivery.template and delivery.text.startswith("Nouvelle réponse de Test Outfitters")


def test_twilio_63016_switches_to_the_content_template(tenant_id: str, twilio: TwilioStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="twilio", twilio_content_sids={"follow_up": "HX1"})
    at = utcnow() - timedelta(hours=1)
    conversation_ref(tenant_id, CUSTOMER).set({"window_expires_at": at + timedelta(hours=24)})
    twilio.mode = "window_closed"
    delivery = send_and_store(tenant, CUSTOMER, OutboundMessage(text="hi"), message_id="t2", provider="staff")
    assert delivery.template and delivery.status == "sent"
    forms = [{k: v[0] for k, v in parse_qs(b).items()} for _, _, b in twilio.requests]
    assert ["Body" in f for f in forms] == [True, False] and forms[1]["ContentSid"] == "HX1"


def test_twilio_without_the_content_sid_fails_with_a_clear_reason(
    tenant_id: str, twilio: TwilioStandIn
) -> None:
    tenant = make_tenant(tenant_id, channel="twilio")
    with pytest.raises(ConfigError, match="twilio_content_sids"):
        send_and_store(tenant, CUSTOMER, OutboundMessage(text="hi"), message_id="t3", provider="staff")
    assert twilio.requests == []
    stored = conv(tenant_id, CUSTOMER).collection("messages").document("t3").get().to_dict()
    assert stored["status"] == "failed" and "follow_up" in stored["error"]
