"""The served webhook over real HTTP, on the emulators: verification, signatures, bad input,
every recorded inbound type, duplicates, and status updates."""

from __future__ import annotations

import concurrent.futures
import json
import time

import httpx
import pytest

from tests.respond_support import (
    conv,
    make_tenant,
    messages,
    post_signed,
    recorded,
    replies,
    reply_to,
    text_payload,
    wait_for,
    webhook_url,
    write_catalog,
)

pytestmark = pytest.mark.usefixtures("emulators")
INBOUND_TYPES = [
    "text",
    "interactive_button_reply",
    "interactive_list_reply",
    "button_quick_reply",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "unsupported",
]


def stored_ids(tenant_id: str, wa_id: str) -> list[str]:
    """The inbound messages stored for the customer (replies left out)."""
    return [m["id"] for m in messages(tenant_id, wa_id, "in")]


def test_get_verification() -> None:
    ok = httpx.get(
        webhook_url(),
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "local-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = httpx.get(
        webhook_url(), params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


def test_missing_signature_is_401_and_stores_nothing(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    body = text_payload(tenant.phone_number_id, "15550002001", "wamid.nosig", "hi")
    response = httpx.post(webhook_url(), content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.text
    assert stored_ids(tenant_id, "15550002001") == []


def test_wrong_signature_is_403_and_stores_nothing(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    body = text_payload(tenant.phone_number_id, "15550002002", "wamid.badsig", "hi")
    assert post_signed(body, secret="not-the-app-secret").status_code == 403
    tampered = post_signed(body, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert tampered.status_code == 403
    assert stored_ids(tenant_id, "15550002002") == []


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b'{"object": "whatsapp_business_account", "entry": [', 400, "malformed JSON"),
        (b'{"object": "page", "entry": []}', 400, "unexpected object"),
        (b'{"entry": []}', 400, "object"),
        (b"[1, 2, 3]", 400, "not a WhatsApp webhook payload"),
        (
            b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",'
            b' "value": {"messages": []}}]}]}',
            400,
            "metadata",
        ),
    ],
)
def test_bad_bodies_get_a_4xx_with_a_reason(body: bytes, status: int, reason: str) -> None:
    response = post_signed(body)
    assert response.status_code == status
    assert reason in response.text


def test_oversized_body_is_413(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    body = text_payload(tenant.phone_number_id, "15550002003", "wamid.big", "x" * 1_100_000)
    response = post_signed(body)
    assert response.status_code == 413
    assert stored_ids(tenant_id, "15550002003") == []


def test_every_inbound_type_is_stored_and_answered(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    customers = {name: f"1555003{n:04d}" for n, name in enumerate(INBOUND_TYPES)}
    for name, wa_id in customers.items():
        assert post_signed(recorded(name, tenant.phone_number_id, wa_id)).status_code == 200
    answers = {}
    for name, wa_id in customers.items():
        [inbound] = messages(tenant_id, wa_id, "in")
        assert inbound["type"] == name.split("_")[0]
        if name != "text":  # the provider's whole message is kept for every type but plain text
            assert inbound["raw"]["type"] == inbound["type"]
        if name == "reaction":  # a 👍 to our message is stored, and not answered
            wait_for(lambda wa_id=wa_id: not conv(tenant_id, wa_id).get().to_dict()["pending_inbound"])
            assert messages(tenant_id, wa_id, "out") == []
            continue
        answers[name] = reply_to(tenant_id, wa_id, inbound["id"])["text"]
        conversation = conv(tenant_id, wa_id).get().to_dict()
        assert conversation["window_expires_at"] > conversation["last_inbound_at"]
        assert conversation["last_message_preview"]
    assert "$89.00" in answers["text"]
    # Media get a short answer asking for words, never a catalog dump.
    assert "$" not in answers["sticker"] and "text" in answers["sticker"]
    assert "Thank you for rating" in answers["interactive_list_reply"]
    assert "$" not in answers["unsupported"]  # its wording is the engine's
    assert all(answers.values())


def test_several_entries_and_messages_in_one_post_are_all_stored(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    assert post_signed(recorded("multi", tenant.phone_number_id, "15550004000")).status_code == 200
    assert sorted(stored_ids(tenant_id, "15550004000")) == ["wamid.MULTI.A", "wamid.MULTI.B", "wamid.MULTI.C"]
    # One customer, three messages at once: a burst, answered once.
    reply = reply_to(tenant_id, "15550004000", "wamid.MULTI.C")
    assert sorted(reply["covers"]) == ["wamid.MULTI.A", "wamid.MULTI.B", "wamid.MULTI.C"]
    time.sleep(2.5)
    assert len(replies(tenant_id, "15550004000")) == 1


def test_two_concurrent_duplicate_deliveries_store_and_answer_once(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    body = text_payload(tenant.phone_number_id, "15550005000", "wamid.dup1", "how much is the rain shell?")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = [f.result().status_code for f in [pool.submit(post_signed, body) for _ in range(4)]]
    assert statuses == [200, 200, 200, 200]
    assert stored_ids(tenant_id, "15550005000") == ["wamid.dup1"]
    reply = reply_to(tenant_id, "15550005000", "wamid.dup1")
    assert "$75.00" in reply["text"]
    time.sleep(3)
    assert len(replies(tenant_id, "15550005000")) == 1


def test_statuses_only_move_forward(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    wa_id = "15550006000"
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.st1", "hi"))
    reply = reply_to(tenant_id, wa_id, "wamid.st1")
    assert reply["status"] == "sent"

    def send_status(name: str) -> None:
        body = recorded(f"status_{name}", tenant.phone_number_id, wa_id).replace(
            b"__OUT_WAMID__", reply["provider_message_id"].encode()
        )
        assert post_signed(body).status_code == 200

    def status() -> str:
        return conv(tenant_id, wa_id).collection("messages").document(reply["id"]).get().to_dict()["status"]

    send_status("read")  # arrives first, out of order
    assert status() == "read"
    for late in ("delivered", "sent", "failed"):
        send_status(late)
        assert status() == "read"


def test_failed_status_records_the_error_code(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    wa_id = "15550006001"
    post_signed(text_payload(tenant.phone_number_id, wa_id, "wamid.st2", "hello"))
    reply = reply_to(tenant_id, wa_id, "wamid.st2")
    body = recorded("status_failed", tenant.phone_number_id, wa_id).replace(
        b"__OUT_WAMID__", reply["provider_message_id"].encode()
    )
    assert post_signed(body).status_code == 200
    stored = wait_for(
        lambda: conv(tenant_id, wa_id).collection("messages").document(reply["id"]).get().to_dict()
    )
    assert (stored["status"], stored["error_code"]) == ("failed", 131047)


def test_update_for_an_unknown_number_is_acknowledged() -> None:
    body = text_payload("999999999999999", "15550007000", "wamid.unknown", "hi")
    assert post_signed(body).status_code == 200


def test_non_message_fields_are_acknowledged() -> None:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "1", "changes": [{"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}]}
            ],
        }
    ).encode()
    assert post_signed(body).status_code == 200
