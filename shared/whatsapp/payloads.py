"""Meta WhatsApp Cloud API webhook payloads as frozen pydantic models, validated at the edge.

Only the fields we use are typed; everything else is kept (`extra="allow"`) so that an unknown
message type is still stored whole rather than rejected. What becomes a Firestore document id
or path (message ids, senders) is matched against what Meta sends, and everything stored must
be something Firestore accepts (`shared.messaging.safety`), so that no input can make the
webhook fail after the signature check or write outside its documents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shared.messaging.safety import check_storable

# Meta's message ids: `wamid.` followed by base64 (letters, digits, `+/=` in the standard
# alphabet, `-_` in the URL-safe one); `/` is refused because the id becomes a document id.
MetaMessageId = Annotated[str, StringConstraints(pattern=r"^wamid\.[A-Za-z0-9+=_.\-]{1,200}$")]
# A WhatsApp id / phone number: E.164 digits without the `+`.
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{5,14}$")]
# Business-scoped user ids: ISO country code, a dot, an opaque alphanumeric id.
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}\.[A-Za-z0-9]{1,128}$")]
Username = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^@?[\w.\-]{1,63}$")]
PhoneNumberId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,32}$")]
# Up to the year 2100: a timestamp past it is not from Meta (and would overflow datetime).
MAX_TIMESTAMP = 4_102_444_800
MAX_TEXT = 65_536


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)


class Metadata(_Frozen):
    display_phone_number: str | None = None
    phone_number_id: PhoneNumberId


class Profile(_Frozen):
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    username: Username | None = None


class Contact(_Frozen):
    wa_id: PhoneNumber | None = None
    user_id: UserId | None = None
    parent_user_id: UserId | None = None
    profile: Profile | None = None


class Text(_Frozen):
    body: Annotated[str, StringConstraints(max_length=MAX_TEXT)] = ""


class Reply(_Frozen):
    id: Annotated[str, StringConstraints(max_length=256)]
    title: Annotated[str, StringConstraints(max_length=1024)] = ""
    description: str | None = None


class Interactive(_Frozen):
    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class QuickReplyButton(_Frozen):
    """A template's quick-reply button press (`type: "button"`)."""

    payload: Annotated[str, StringConstraints(max_length=1024)] | None = None
    text: Annotated[str, StringConstraints(max_length=1024)] = ""


class Media(_Frozen):
    id: str | None = None
    mime_type: str | None = None
    caption: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | None = None
    filename: str | None = None


class Location(_Frozen):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class Reaction(_Frozen):
    message_id: str | None = None
    emoji: Annotated[str, StringConstraints(max_length=32)] | None = None


class MessageContext(_Frozen):
    id: str | None = None
    from_: str | None = Field(default=None, alias="from")


class Referral(_Frozen):
    """A click-to-WhatsApp ad the customer came from."""

    source_url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    source_id: Annotated[str, StringConstraints(max_length=256)] | None = None
    source_type: Annotated[str, StringConstraints(max_length=64)] | None = None
    headline: Annotated[str, StringConstraints(max_length=1024)] | None = None
    body: Annotated[str, StringConstraints(max_length=4096)] | None = None
    ctwa_clid: Annotated[str, StringConstraints(max_length=512)] | None = None


class Message(_Frozen):
    """One inbound message. The sender is a phone number (`from`), a business-scoped user id
    (`from_user_id`, for customers who use a username and hide their number), or both."""

    from_: PhoneNumber | None = Field(default=None, alias="from")
    from_user_id: UserId | None = None
    from_parent_user_id: UserId | None = None
    id: MetaMessageId
    timestamp: str
    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
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
    referral: Referral | None = None

    @field_validator("timestamp")
    @classmethod
    def _unix_seconds(cls, value: str) -> str:
        if not value.isascii() or not value.isdigit() or int(value) > MAX_TIMESTAMP:
            raise ValueError("timestamp must be unix seconds")
        return value

    @model_validator(mode="after")
    def _has_sender_and_is_storable(self) -> Message:
        if self.from_ is None and self.from_user_id is None:
            raise ValueError("a message needs a sender: from or from_user_id")
        check_storable(self.model_dump(mode="json", by_alias=True, exclude_none=True))
        return self

    @property
    def sent_at(self) -> datetime:
        return datetime.fromtimestamp(int(self.timestamp), UTC)


class StatusError(_Frozen):
    code: int
    title: str | None = None
    message: str | None = None


class Status(_Frozen):
    id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    status: Literal["sent", "delivered", "read", "failed", "deleted", "warning"] | str
    timestamp: str
    recipient_id: PhoneNumber | None = None
    recipient_user_id: UserId | None = None
    recipient_parent_user_id: UserId | None = None
    errors: list[StatusError] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_recipient(self) -> Status:
        if self.recipient_id is None and self.recipient_user_id is None:
            raise ValueError("a status needs a recipient: recipient_id or recipient_user_id")
        return self


class UserPreference(_Frozen):
    """Meta's `user_preferences` webhook: the customer stopped or resumed marketing messages in
    WhatsApp itself."""

    wa_id: PhoneNumber | None = None
    user_id: UserId | None = None
    category: str = "marketing_messages"
    value: Literal["stop", "resume"]

    @model_validator(mode="after")
    def _has_customer(self) -> UserPreference:
        if self.wa_id is None and self.user_id is None:
            raise ValueError("a preference needs wa_id or user_id")
        return self


class Value(_Frozen):
    """A `messages` change. Its messages, statuses and contacts stay raw here: each is validated
    on its own, so that one bad message does not cost the good ones beside it."""

    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[dict[str, Any]] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    statuses: list[dict[str, Any]] = Field(default_factory=list)
    # Meta's `user_preferences` webhook (marketing opt-out/resume) arrives as its own field.
    user_preferences: list[dict[str, Any]] = Field(default_factory=list)


class Change(_Frozen):
    """One change; `messages` and `user_preferences` carry a `Value` (others are acknowledged)."""

    field: str
    value: dict[str, Any]


class Entry(_Frozen):
    id: str
    changes: list[Change] = Field(default_factory=list)


class WebhookPayload(_Frozen):
    object: str
    entry: list[Entry]
