"""The served webhook under hostile and broken input (issue 14): never a 5xx, nothing outside its
documents, good messages of a batch kept, failures counted and alerted end to end."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.alerts.evaluate import evaluate_tenant
from shared.analytics.kpis import read_period
from shared.analytics.periods import day_id
from shared.analytics.rollup import run_rollup
from shared.clients import firestore_client
from shared.storage import tenant_collection
from shared.tenants import get_tenant, save_tenant
from tests.respond_support import conv, key_of, make_tenant, post_signed, text_payload, webhook_url

pytestmark = pytest.mark.usefixtures("emulators")


def payload(phone_number_id: str, *messages: dict[str, Any]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": phone_number_id},
        "messages": list(messages),
    }
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def text(message_id: str, sender: str = "15550009000", body: str = "hi", **extra: Any) -> dict[str, Any]:
    return {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    } | extra


def every_document(tenant_id: str) -> list[str]:
    """Paths of every document under the tenant's conversations, at any depth."""
    paths: list[str] = []
    stack = [tenant_collection(tenant_id, "conversations")]
    while stack:
        for ref in stack.pop().list_documents():
            paths.append(ref.path)
            stack.extend(ref.collections())
    return paths


def test_twilio_shaped_request_without_a_token_is_401() -> None:
    response = httpx.post(
        webhook_url(),
        content=b"MessageSid=SM1&From=whatsapp%3A%2B15550001111&To=whatsapp%3A%2B1555&Body=hi",
        headers={"X-Twilio-Signature": "x", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
    assert "Twilio" in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("huge timestamp", text("wamid.T1", timestamp="99999999999999999999")),
        ("lone surrogate", text("wamid.T2", body="\ud800")),
        ("empty id", text("")),
        ("reserved id", text("__x__")),
        ("long id", text("wamid." + "a" * 2000)),
        ("empty sender", text("wamid.T3", sender="")),
        ("path in the id", text("x/outbox/q1")),
        ("path in the sender", text("wamid.T4", sender="W/outbox/q9")),
        ("huge integer in an unknown field", text("wamid.T5", extra_field=10**30)),
        ("deep unknown field", text("wamid.T6", extra_field=json.loads("[" * 20 + "]" * 20))),
    ],
)
def test_a_bad_message_is_a_4xx_with_a_reason_and_stores_nothing(
    tenant_id: str, name: str, message: dict[str, Any]
) -> None:
    tenant = make_tenant(tenant_id)
    response = post_signed(payload(tenant.phone_number_id, message))
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert response.text and "messages.0" in response.text
    assert every_document(tenant_id) == []


def test_deeply_nested_json_is_a_400() -> None:
    body = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = post_signed(body)
    assert response.status_code == 400
    assert "nested" in response.text or "malformed" in response.text


def test_a_batch_keeps_its_good_message_and_answers_200(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    good = text("wamid.GOOD1", sender="15550009001")
    response = post_signed(payload(tenant.phone_number_id, good, text("", sender="15550009002")))
    assert response.status_code == 200
    key = key_of(tenant_id, "15550009001")
    assert key != "15550009001"  # a new customer's conversation is not keyed by their number
    assert every_document(tenant_id) == [
        f"tenants/{tenant_id}/conversations/{key}",
        f"tenants/{tenant_id}/conversations/{key}/messages/wamid.GOOD1",
    ]


def test_refusals_are_counted_and_open_the_webhook_failures_alert(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    config = get_tenant(tenant_id, fresh=True)
    limits = config.alert_thresholds.model_copy(update={"webhook_failures_max": 3})
    save_tenant(config.model_copy(update={"alert_thresholds": limits}))
    for n in range(4):
        assert post_signed(payload(tenant.phone_number_id, text(f"bad/{n}"))).status_code == 400
    body = text_payload(tenant.phone_number_id, "15550009003", "wamid.sig", "hi")
    assert post_signed(body, secret="not-the-app-secret").status_code == 403  # counted too
    today = day_id(datetime.now(UTC))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and read_period(tenant_id, today).get("webhook_failures", 0) < 5:
        run_rollup(budget_s=5)
    day = read_period(tenant_id, today)
    assert day.get("webhook_failures") == 5
    assert day.get("webhook_failures_by") == {"bad_message": 4, "bad_signature": 1}
    result = evaluate_tenant(tenant_id, rules=("webhook_failures",))
    assert "opened" in result.changes.values()
    alerts = [d.to_dict() for d in tenant_collection(tenant_id, "alerts").stream()]
    assert [(a["type"], a["status"]) for a in alerts] == [("webhook_failures", "open")]


def test_nothing_from_outside_reaches_another_collection(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    for message in (text("wamid.ok/../../x"), text("wamid.A", sender="1555/outbox/q9")):
        post_signed(payload(tenant.phone_number_id, message))
    assert every_document(tenant_id) == []
    outbox = firestore_client().collection_group("outbox").stream()
    assert not [d for d in outbox if d.reference.path.startswith(f"tenants/{tenant_id}/")]


def test_pubsub_down_answers_503_fast_keeps_what_was_stored_and_the_sweep_answers_it(
    tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.clients import reset_clients
    from shared.messaging.sweeper import STALE, sweep_tenant
    from shared.storage import utcnow
    from shared.whatsapp import webhook
    from shared.whatsapp.signature import meta_signature
    from tests.respond_support import SECRET, reply_to, wait_for, write_catalog

    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    wa_id = "15550009100"

    def post_in_process(message_id: str) -> tuple[int, float]:
        body = text_payload(tenant.phone_number_id, wa_id, message_id, "how much is the rain shell?")
        headers = {"x-hub-signature-256": meta_signature(body, SECRET), "content-type": "application/json"}
        started = time.monotonic()
        response = webhook.handle_webhook(webhook.WebhookRequest("POST", webhook_url(), headers, body))
        return response.status, time.monotonic() - started

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")  # nothing listens there
    reset_clients()
    for n in range(webhook.PUBLISH_CIRCUIT.failures_to_open):
        status, seconds = post_in_process(f"wamid.down{n}")
        assert status == 503 and seconds < 4  # bounded by the publish timeout, not 15 s or more
    assert sorted(d.id for d in conv(tenant_id, wa_id).collection("messages").stream()) == [
        "wamid.down0",
        "wamid.down1",
        "wamid.down2",
    ]
    status, seconds = post_in_process("wamid.down3")  # the circuit is open: 503 at once
    assert status == 503 and seconds < 0.2
    assert "wamid.down3" not in [d.id for d in conv(tenant_id, wa_id).collection("messages").stream()]

    monkeypatch.undo()
    reset_clients()
    wait_for(webhook.PUBLISH_CIRCUIT.allow, timeout=10)
    pending = conv(tenant_id, wa_id).get().to_dict()["pending_inbound"]
    assert len(pending) == 3  # stored, never published: the customer would wait forever
    [action] = sweep_tenant(tenant_id, now=utcnow() + STALE + STALE)
    assert (action.action, action.message_id) == ("republish", "wamid.down2")
    reply = reply_to(tenant_id, wa_id, "wamid.down2", timeout=30)
    assert sorted(reply["covers"]) == ["wamid.down0", "wamid.down1", "wamid.down2"]
