"""What we send: text, reply buttons, a list, or an approved template."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.whatsapp.templates import LANGUAGE_CODES, params_for, render, spec


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
    # The named values of the template this message becomes outside the 24-hour window (see
    # shared.whatsapp.templates; `business` and `notice` are filled in by default).
    template_values: tuple[tuple[str, str], ...] = ()

    def document(self) -> dict[str, Any]:
        """The fields stored on the outbound message document."""
        return {
            "text": self.text,
            "type": "template" if self.template else ("interactive" if self.buttons or self.rows else "text"),
            "buttons": [b.model_dump() for b in self.buttons],
            "rows": [r.model_dump() for r in self.rows],
            "template": self.template.model_dump() if self.template else None,
        }


# The templates a shop must have approved (declared in shared.whatsapp.templates).
TEMPLATE_NOTIFICATION = "account_notification"
TEMPLATE_BACK_IN_STOCK = "back_in_stock"
TEMPLATE_ORDER_UPDATE = "order_update"
TEMPLATE_BOOKING_REMINDER = "booking_reminder"
TEMPLATE_ANNOUNCEMENT = "announcement"


def as_template(
    message: OutboundMessage,
    name: str = TEMPLATE_NOTIFICATION,
    *,
    lang: str | None = None,
    shop_lang: str | None = None,
    business: str = "",
) -> OutboundMessage:
    """The same message as the approved template `name`, in the customer's language `lang`
    (else the shop's, else English): used when the 24-hour window is closed. Its text is what
    the customer reads (the template body with its parameters)."""
    declared = spec(name)
    code = declared.language_code(lang, shop_lang)
    values = {"business": business, "notice": message.text} | dict(message.template_values)
    params = params_for(declared, values)
    body_lang = next(k for k, v in LANGUAGE_CODES.items() if v == code)
    return OutboundMessage(
        text=render(name, body_lang, params)[:4096],
        template=Template(name=name, language=code, body_params=params),
    )
