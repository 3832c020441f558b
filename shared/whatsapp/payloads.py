"""Meta WhatsApp Cloud API webhook payloads as frozen pydantic models.

Only the fields we use are typed; everything else is kept (`extra="allow"`) so that an unknown
message type is still stored whole rather than rejected.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)


class Metadata(_Frozen):
    display_phone_number: str | None = None
    phone_number_id: str


class Profile(_Frozen):
    name: str | None = None


class Contact(_Frozen):
    wa_id: str
    profile: Profile | None = None


class Text(_Frozen):
    body: str = ""


class Reply(_Frozen):
    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Frozen):
    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class QuickReplyButton(_Frozen):
    """A template's quick-reply button press (`type: "button"`)."""

    payload: str | None = None
    text: str = ""


class Media(_Frozen):
    id: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None


class Location(_Frozen):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Reaction(_Frozen):
    message_id: str | None = None
    emoji: str | None = None


class MessageContext(_Frozen):
    id: str | None = None
    from_: str | None = Field(default=None, alias="from")


class Message(_Frozen):
    from_: str = Field(alias="from")
    id: str
    timestamp: str
    type: str
    context: MessageContext | None = None
    text: Text | None = None
    interactive: Interactive | None = None
    button: QuickReplyButton | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[dict[str, Any]] | None = None
    reaction: Reaction | None = None


class StatusError(_Frozen):
    code: int
    title: str | None = None


class Status(_Frozen):
    id: str
    status: Literal["sent", "delivered", "read", "failed", "deleted", "warning"] | str
    timestamp: str
    recipient_id: str
    errors: list[StatusError] = Field(default_factory=list)


class Value(_Frozen):
    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)


class Change(_Frozen):
    """One change; only `field == "messages"` carries a `Value` (others are acknowledged)."""

    field: str
    value: dict[str, Any]


class Entry(_Frozen):
    id: str
    changes: list[Change] = Field(default_factory=list)


class WebhookPayload(_Frozen):
    object: str
    entry: list[Entry]
