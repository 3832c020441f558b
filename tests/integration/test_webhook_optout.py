"""Opt-out (issue 13): STOP in the customer's language, or marketing messages turned off in
WhatsApp (`user_preferences`), stops every proactive message; START resumes; replies still go."""

from __future__ import annotations

import json
import time

import pytest

from shared.messaging.optout import OptedOut
from shared.storage import tenant_collection
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.send import send_and_store
from tests.respond_support import (
    conv,
    key_of,
    make_tenant,
    post_signed,
    reply_to,
    text_payload,
    wait_for,
    write_catalog,
)

pytestmark = pytest.mark.usefixtures("emulators")


def preferences(phone_number_id: str, wa_id: str, value: str) -> bytes:
    change = {
        "field": "user_preferences",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000001", "phone_number_id": phone_number_id},
            "contacts": [{"wa_id": wa_id, "profile": {"name": "Ana"}}],
            "user_preferences": [
                {
                    "wa_id": wa_id,
                    "detail": "User requested to stop marketing messages",
                    "category": "marketing_messages",
                    "value": value,
                    "timestamp": int(time.time()),
                }
            ],
        },
    }
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}
    ).encode()


def notice(tenant, wa_id: str, n: int) -> None:
    send_and_store(
        tenant,
        key_of(tenant.tenant_id, wa_id),
        OutboundMessage(text="Good news: the Denim Jacket is back in stock."),
        message_id=f"restock-{n}",
        provider="offline",
        proactive=True,
    )


@pytest.mark.parametrize(("stop", "start"), [("PARAR", "START"), ("BERHENTI", "start"), ("ARRÊT", "START")])
def test_stop_in_chat_stops_proactive_messages_and_start_resumes(
    tenant_id: str, stop: str, start: str
) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    wa_id = "15550050000"
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.s1", stop))
    reply_to(tenant_id, wa_id, "wamid.s1")  # acknowledged
    assert conv(tenant_id, wa_id).get().to_dict()["opted_out"] is True
    with pytest.raises(OptedOut):
        notice(tenant, wa_id, 1)
    assert not conv(tenant_id, wa_id).collection("messages").document("restock-1").get().exists
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.s2", start))
    reply_to(tenant_id, wa_id, "wamid.s2")
    assert conv(tenant_id, wa_id).get().to_dict()["opted_out"] is False
    notice(tenant, wa_id, 2)
    assert conv(tenant_id, wa_id).collection("messages").document("restock-2").get().exists


def test_marketing_opt_out_in_whatsapp_is_recorded_and_honoured(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    wa_id = "15550050001"
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.p1", "hi"))
    assert post_signed(preferences(tenant.phone_number_id, wa_id, "stop")).status_code == 200
    key = key_of(tenant_id, wa_id)
    stored = conv(tenant_id, wa_id).get().to_dict()
    assert (stored["opted_out"], stored["opt_out_source"]) == (True, "whatsapp_settings")
    assert tenant_collection(tenant_id, "customers").document(key).get().to_dict()["opted_out"] is True
    with pytest.raises(OptedOut):
        notice(tenant, wa_id, 3)
    # Not proactive: the reply to what they write still goes out.
    wait_for(
        lambda: [m for m in conv(tenant_id, wa_id).collection("messages").stream() if m.id == "re-wamid.p1"]
    )
    assert post_signed(preferences(tenant.phone_number_id, wa_id, "resume")).status_code == 200
    assert conv(tenant_id, wa_id).get().to_dict()["opted_out"] is False
    notice(tenant, wa_id, 4)
