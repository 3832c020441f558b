"""Provider error codes through the real httpx client against the Graph and Twilio stand-ins,
on the Firestore emulator: what the customer's message becomes for each kind of refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clients import reset_clients
from shared.errors import PermanentError, TransientError
from shared.messaging.store import conversation_ref, messages_ref
from shared.storage import utcnow
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import UNKNOWN_TRIES, RecipientOptedOut
from shared.whatsapp.send import send_and_store
from tests.respond_support import make_tenant
from tests.standins import GraphStandIn, TwilioStandIn

pytestmark = pytest.mark.usefixtures("emulators")
WA_ID = "15550050000"


def open_window(tenant_id: str) -> None:
    at = utcnow() - timedelta(minutes=5)
    conversation_ref(tenant_id, WA_ID).set({"window_expires_at": at + timedelta(hours=24)})


def stored(tenant_id: str, message_id: str) -> dict:
    return messages_ref(tenant_id, WA_ID).document(message_id).get().to_dict() or {}


def send(tenant, message_id: str):  # type: ignore[no-untyped-def]
    return send_and_store(
        tenant, WA_ID, OutboundMessage(text="Hi"), message_id=message_id, provider="offline"
    )


def test_spam_rate_limit_is_retried_later_and_sent_once(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    graph.errors = [131048]
    with pytest.raises(TransientError, match="spam rate limit"):
        send(tenant, "e1")
    assert stored(tenant_id, "e1")["status"] == "queued"
    assert send(tenant, "e1").status == "sent" and send(tenant, "e1").duplicate
    assert len(graph.requests) == 2


def test_a_refused_parameter_fails_the_message_without_retry(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    graph.errors = [132018]
    with pytest.raises(PermanentError) as err:
        send(tenant, "e2")
    assert not isinstance(err.value, TransientError)
    doc = stored(tenant_id, "e2")
    assert (
        doc["status"] == "failed" and "132018" in doc["error"] and "parameters were refused" in doc["error"]
    )
    assert len(graph.requests) == 1


def test_an_unknown_code_is_tried_again_then_given_up(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    graph.errors = [987654] * UNKNOWN_TRIES
    with pytest.raises(PermanentError, match="given up"):
        send(tenant, "e3")
    assert len(graph.requests) == UNKNOWN_TRIES
    assert "details of 987654" in stored(tenant_id, "e3")["error"]


def test_an_unknown_code_that_clears_up_is_sent(tenant_id: str, graph: GraphStandIn) -> None:
    tenant = make_tenant(tenant_id, channel="meta")
    open_window(tenant_id)
    graph.errors = [987654]
    assert send(tenant, "e4").status == "sent" and len(graph.requests) == 2


@pytest.mark.parametrize(("code", "error"), [(21610, RecipientOptedOut), (63024, PermanentError)])
def test_twilio_refusals_fail_the_message(
    tenant_id: str, monkeypatch: pytest.MonkeyPatch, code: int, error: type[Exception]
) -> None:
    with TwilioStandIn().running() as api:
        monkeypatch.setenv("TWILIO_API_BASE", api.url)
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC0123")
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-secret")
        reset_clients()
        tenant = make_tenant(tenant_id, channel="twilio")
        open_window(tenant_id)
        api.errors = [code]
        with pytest.raises(error):
            send(tenant, "e5")
        assert stored(tenant_id, "e5")["status"] == "failed" and len(api.requests) == 1
        conversation = conversation_ref(tenant_id, WA_ID).get().to_dict() or {}
        # Opted out at the provider (the customer replied STOP there): recorded, so nothing
        # proactive is tried again; any other refusal leaves the choice alone.
        assert conversation.get("opted_out", False) is (code == 21610)
        if code == 21610:
            assert conversation["opt_out_source"] == "provider"


def test_a_failed_status_says_what_its_code_means_and_honours_an_opt_out(tenant_id: str) -> None:
    from tests.respond_support import conv, post_signed, recorded, reply_to, text_payload, wait_for

    tenant = make_tenant(tenant_id)
    wa_id = "15550050001"
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.st9", "hello"))
    reply = reply_to(tenant_id, wa_id, "wamid.st9")
    body = (
        recorded("status_failed", tenant.phone_number_id, wa_id)
        .replace(b"__OUT_WAMID__", reply["provider_message_id"].encode())
        .replace(b"131047", b"131050")
    )
    assert post_signed(body).status_code == 200
    stored = wait_for(
        lambda: (
            (conv(tenant_id, wa_id).collection("messages").document(reply["id"]).get().to_dict() or {}).get(
                "error_action"
            )
            and conv(tenant_id, wa_id).collection("messages").document(reply["id"]).get().to_dict()
        )
    )
    assert (stored["status"], stored["error_code"], stored["error_action"]) == ("failed", 131050, "opted_out")
    assert "stopped marketing messages" in stored["error"]
    conversation = wait_for(
        lambda: (
            conv(tenant_id, wa_id).get().to_dict().get("opted_out") and conv(tenant_id, wa_id).get().to_dict()
        )
    )
    assert conversation["opt_out_source"] == "provider"
