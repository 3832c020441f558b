"""Twilio's WhatsApp webhook (form fields, X-Twilio-Signature), handled on the emulators.

The served webhook has no Twilio auth token (emulator.sh sets none), so this runs the webhook's
domain function in-process with one, against the same emulators; the served worker answers.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from shared.clients import reset_clients
from shared.whatsapp.signature import twilio_signature
from shared.whatsapp.webhook import WebhookRequest, handle_webhook
from tests.conftest import DATA
from tests.respond_support import make_tenant, messages, reply_to, write_catalog

pytestmark = pytest.mark.usefixtures("emulators")
URL = "https://example.test/whatsapp"


def twilio_request(form: dict[str, str], signature: str | None) -> WebhookRequest:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["x-twilio-signature"] = signature
    return WebhookRequest(
        "POST", URL, headers, urlencode(form).encode(), content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-test-token")
    monkeypatch.setenv("WEBHOOK_PUBLIC_URL", URL)
    reset_clients()


def test_signed_twilio_message_is_stored_and_answered(tenant_id: str, twilio_env: None) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    form = json.loads(
        (DATA / "whatsapp" / "twilio_text.json")
        .read_text()
        .replace("__PHONE_NUMBER_ID__", tenant.phone_number_id)
    )
    response = handle_webhook(twilio_request(form, twilio_signature(URL, form, "twilio-test-token")))
    assert response.status == 200
    [inbound] = messages(tenant_id, "16505551234", "in")
    assert (inbound["channel"], inbound["text"]) == ("twilio", "how much is the rain shell?")
    assert "$75.00" in reply_to(tenant_id, "16505551234", form["MessageSid"])["text"]


def test_twilio_signature_cases(tenant_id: str, twilio_env: None) -> None:
    tenant = make_tenant(tenant_id)
    form = {
        "MessageSid": "SMbad",
        "From": "whatsapp:+15550008000",
        "To": f"whatsapp:+{tenant.phone_number_id}",
        "Body": "hi",
        "NumMedia": "0",
    }
    assert handle_webhook(twilio_request(form, None)).status == 401
    assert handle_webhook(twilio_request(form, "bm90IGl0")).status == 403
    assert messages(tenant_id, "15550008000") == []


def test_twilio_status_callback_moves_the_reply_forward(tenant_id: str, twilio_env: None) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    inbound = {
        "MessageSid": "SMin1",
        "From": "whatsapp:+15550008100",
        "To": f"whatsapp:+{tenant.phone_number_id}",
        "Body": "hi",
        "NumMedia": "0",
    }
    assert (
        handle_webhook(twilio_request(inbound, twilio_signature(URL, inbound, "twilio-test-token"))).status
        == 200
    )
    reply = reply_to(tenant_id, "15550008100", "SMin1")

    def callback(status: str) -> None:
        form = {
            "MessageSid": reply["provider_message_id"],
            "MessageStatus": status,
            "SmsStatus": status,
            "From": f"whatsapp:+{tenant.phone_number_id}",
            "To": "whatsapp:+15550008100",
        }
        assert (
            handle_webhook(twilio_request(form, twilio_signature(URL, form, "twilio-test-token"))).status
            == 200
        )

    callback("read")
    callback("delivered")  # late, out of order
    [stored] = [m for m in messages(tenant_id, "15550008100", "out")]
    assert stored["status"] == "read"
