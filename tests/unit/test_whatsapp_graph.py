"""The Graph API request bodies for text, buttons, lists and templates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.whatsapp.graph import message_body
from shared.whatsapp.outbound import Button, ListRow, OutboundMessage, Template
from shared.whatsapp.templates import FOLLOW_UP, TemplateUse, render


def test_text_body() -> None:
    body = message_body("16505551234", OutboundMessage(text="hello"))
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"body": "hello", "preview_url": False},
    }


def test_buttons_body() -> None:
    body = message_body(
        "1", OutboundMessage(text="Back?", buttons=(Button(id="notify:A", title="Notify me"),))
    )
    assert body["type"] == "interactive"
    assert body["interactive"]["type"] == "button"
    assert body["interactive"]["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "notify:A", "title": "Notify me"}}
    ]


def test_list_body() -> None:
    rows = tuple(ListRow(id=f"rate:{n}", title=str(n)) for n in range(1, 6))
    body = message_body("1", OutboundMessage(text="Rate us", rows=rows, list_button="Rate"))
    section = body["interactive"]["action"]["sections"][0]
    assert body["interactive"]["type"] == "list"
    assert [r["id"] for r in section["rows"]] == ["rate:1", "rate:2", "rate:3", "rate:4", "rate:5"]


def test_template_body() -> None:
    use = TemplateUse.of(FOLLOW_UP, shop="Loja Bela", text="Seu pedido\nfoi enviado")
    message = render(use, "pt-BR")
    body = message_body("1", message)
    assert body["type"] == "template"
    assert body["template"]["name"] == "follow_up"
    assert body["template"]["language"] == {"code": "pt_BR"}
    assert body["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Loja Bela"},
        {"type": "text", "text": "Seu pedido · foi enviado"},
    ]
    assert isinstance(message.template, Template)


def test_whatsapp_limits_are_enforced() -> None:
    with pytest.raises(ValidationError):
        OutboundMessage(text="x", buttons=tuple(Button(id=str(i), title="b") for i in range(4)))
    with pytest.raises(ValidationError):
        Button(id="a", title="a title longer than twenty")
