"""Recorded Meta webhook payloads parse into the frozen models and normalise as customers meant."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shared.whatsapp.inbound import from_meta, from_twilio
from shared.whatsapp.payloads import Contact, Message, Status, Value, WebhookPayload
from tests.conftest import DATA

WA = DATA / "whatsapp"


def messages_of(name: str):
    text = (WA / f"{name}.json").read_text().replace("__PHONE_NUMBER_ID__", "100000000000001")
    payload = WebhookPayload.model_validate(json.loads(text))
    out = []
    for entry in payload.entry:
        for change in entry.changes:
            value = Value.model_validate(change.value)
            contacts = {c.wa_id: c for c in (Contact.model_validate(c) for c in value.contacts)}
            for raw in value.messages:
                m = Message.model_validate(raw)
                out.append(from_meta(m, contacts.get(m.from_)))
    return out


@pytest.mark.parametrize(
    ("name", "kind", "text", "payload"),
    [
        ("text", "text", "do you have a denim jacket in stock?", None),
        ("interactive_button_reply", "interactive", "Notify me", "notify:JKT-002"),
        ("interactive_list_reply", "interactive", "★★★★★", "rate:5"),
        ("button_quick_reply", "button", "Yes please", "Yes please"),
        ("image", "image", "do you have this one?", None),
        ("audio", "audio", "", None),
        ("video", "video", "", None),
        ("document", "document", "", None),
        ("sticker", "sticker", "", None),
        ("location", "location", "Googleplex", None),
        ("contacts", "contacts", "", None),
        ("reaction", "reaction", "👍", None),
        ("unsupported", "unsupported", "", None),
    ],
)
def test_every_recorded_type_normalises(name: str, kind: str, text: str, payload: str | None) -> None:
    [record] = messages_of(name)
    assert (record.type, record.text, record.payload) == (kind, text, payload)
    assert record.wa_id == "16505551234"
    assert record.message_id.startswith("wamid.")
    assert record.raw["type"] == kind  # the whole message is kept for types we do not read


def test_quick_reply_button_without_context_is_accepted() -> None:
    [record] = messages_of("button_quick_reply")
    assert record.context_id is None


def test_interactive_reply_keeps_its_context() -> None:
    [record] = messages_of("interactive_button_reply")
    assert record.context_id and record.context_id.startswith("wamid.")


def test_several_entries_and_messages_in_one_post() -> None:
    assert [r.text for r in messages_of("multi")] == ["hi", "price of the rain shell?", "thanks"]


def test_models_are_frozen() -> None:
    payload = WebhookPayload.model_validate(json.loads((WA / "text.json").read_text()))
    with pytest.raises(ValidationError):
        payload.object = "page"  # type: ignore[misc]


def _value(name: str) -> Value:
    text = (WA / f"{name}.json").read_text().replace("__PHONE_NUMBER_ID__", "100000000000001")
    return Value.model_validate(WebhookPayload.model_validate(json.loads(text)).entry[0].changes[0].value)


def test_status_payloads_parse() -> None:
    for name in ("status_sent", "status_delivered", "status_read", "status_failed"):
        status = Status.model_validate(_value(name).statuses[0])
        assert status.status == name.removeprefix("status_")
    failed = Status.model_validate(_value("status_failed").statuses[0])
    assert failed.errors[0].code == 131047


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": ""}, "id"),
        ({"id": "wamid.a/b"}, "id"),
        ({"id": "__x__"}, "id"),
        ({"from": ""}, "from"),
        ({"from": "W/outbox/q9"}, "from"),
        ({"timestamp": "99999999999999999999"}, "timestamp"),
        ({"text": {"body": "\ud800"}}, "(?i)unicode"),
        ({"extra": 10**30}, "64-bit"),
        ({"extra": {"": 1}}, "field names"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(change: dict, problem: str) -> None:
    good = _value("text").messages[0]
    Message.model_validate(good)
    with pytest.raises(ValidationError, match=problem):
        Message.model_validate(good | change)


def test_twilio_form_normalises() -> None:
    form = json.loads((WA / "twilio_text.json").read_text())
    record = from_twilio(form)
    assert (record.wa_id, record.type, record.text, record.channel) == (
        "16505551234",
        "text",
        "how much is the rain shell?",
        "twilio",
    )
