"""What we send: text, reply buttons, a list, or an approved template."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(max_length=256)
    title: str = Field(max_length=20)


class ListRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(max_length=200)
    title: str = Field(max_length=24)
    description: str | None = Field(default=None, max_length=72)


class Template(BaseModel):
    """An approved message template; the only thing allowed outside the 24-hour window."""

    model_config = ConfigDict(frozen=True)
    name: str
    language: str = "en_US"
    body_params: tuple[str, ...] = ()


class OutboundMessage(BaseModel):
    """One reply. `buttons` (≤ 3) or `rows` (≤ 10, with `list_button`) make it interactive."""

    model_config = ConfigDict(frozen=True)
    text: str = Field(max_length=4096)
    buttons: tuple[Button, ...] = Field(default=(), max_length=3)
    rows: tuple[ListRow, ...] = Field(default=(), max_length=10)
    list_button: str = "Choose"
    template: Template | None = None

    def document(self) -> dict[str, Any]:
        """The fields stored on the outbound message document."""
        return {
            "text": self.text,
            "type": "template" if self.template else ("interactive" if self.buttons or self.rows else "text"),
            "buttons": [b.model_dump() for b in self.buttons],
            "rows": [r.model_dump() for r in self.rows],
            "template": self.template.model_dump() if self.template else None,
        }


# Templates a tenant must have approved in Meta Business Manager (name, body with one parameter).
TEMPLATE_NOTIFICATION = "account_notification"  # "{{1}}"
TEMPLATE_BACK_IN_STOCK = "back_in_stock"  # "Good news: {{1}} is back in stock."
TEMPLATE_ORDER_UPDATE = "order_update"  # utility: "{{1}}" (an order or booking status notice)
TEMPLATE_BOOKING_REMINDER = "booking_reminder"  # utility: "{{1}}" (the day-before reminder)


def as_template(message: OutboundMessage, name: str = TEMPLATE_NOTIFICATION) -> OutboundMessage:
    """The same message as an approved template (used when the 24-hour window is closed)."""
    return OutboundMessage(
        text=message.text, template=Template(name=name, body_params=(message.text[:1000],))
    )
