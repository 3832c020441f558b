"""Inbound messages normalised across providers: what the webhook stores and the worker reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.messaging.identity import CustomerIds
from shared.messaging.safety import check_storable
from shared.whatsapp.payloads import Contact, Message

# Types we read text from; anything else is stored whole and answered politely.
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


class InboundRecord(BaseModel):
    """One inbound customer message, provider-neutral."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    wa_id: str | None  # the phone number, when WhatsApp gives it
    user_id: str | None = None  # the business-scoped user id (BSUID)
    parent_user_id: str | None = None
    username: str | None = None
    type: str
    text: str
    payload: str | None = None  # the id of a pressed button or list row
    context_id: str | None = None  # the message this one replies to, when given
    sent_at: datetime
    profile_name: str | None = None
    raw: dict[str, Any]
    channel: str = "meta"
    referral: dict[str, str] | None = None  # the click-to-WhatsApp ad the customer came from

    def ids(self) -> CustomerIds:
        return CustomerIds(
            phone=self.wa_id, user_id=self.user_id, parent_user_id=self.parent_user_id, username=self.username
        )

    def document(self, received_at: datetime) -> dict[str, Any]:
        """The Firestore document stored under `messages/{message_id}`.

        A plain text message is fully described by its text; every other type also keeps the
        provider's whole message (`raw`), so nothing a customer sent is lost. Absent fields are
        left out (each stored field costs encoding time on the webhook's hot path).
        """
        doc: dict[str, Any] = {
            "direction": "in",
            "channel": self.channel,
            "type": self.type,
            "text": self.text,
            "at": self.sent_at,
            "received_at": received_at,
        }
        optional = {
            "payload": self.payload,
            "context_id": self.context_id,
            "profile_name": self.profile_name,
            "referral": self.referral,
        }
        doc |= {k: v for k, v in optional.items() if v is not None}
        if self.type != "text":
            doc["raw"] = self.raw
        return doc


def _text_of(message: Message) -> tuple[str, str | None]:
    """(readable text, pressed button id) of a Meta message of any type."""
    kind = message.type
    if kind == "text" and message.text:
        return message.text.body, None
    if kind == "interactive" and message.interactive:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply:
            return reply.title, reply.id
    if kind == "button" and message.button:
        return message.button.text, message.button.payload
    if kind in MEDIA_TYPES:
        media = getattr(message, kind)
        return (media.caption or "") if media else "", None
    if kind == "location" and message.location:
        place = message.location.name or message.location.address or ""
        return place, None
    if kind == "reaction" and message.reaction:
        return message.reaction.emoji or "", None
    return "", None


def from_meta(message: Message, contact: Contact | None) -> InboundRecord:
    """`message` as a record; `contact` is the webhook's contact entry for its sender, if any."""
    text, payload = _text_of(message)
    profile = contact.profile if contact else None
    return InboundRecord(
        message_id=message.id,
        wa_id=message.from_ or (contact.wa_id if contact else None),
        user_id=message.from_user_id or (contact.user_id if contact else None),
        parent_user_id=message.from_parent_user_id or (contact.parent_user_id if contact else None),
        username=profile.username if profile else None,
        type=message.type,
        text=text[:4096],
        payload=payload,
        context_id=message.context.id if message.context else None,
        sent_at=message.sent_at,
        profile_name=profile.name if profile else None,
        referral=message.referral.model_dump(exclude_none=True) if message.referral else None,
        raw=message.model_dump(mode="json", by_alias=True, exclude_none=True),
    )


def strip_whatsapp_prefix(address: str) -> str:
    """`whatsapp:+15550001111` -> `15550001111`."""
    return address.removeprefix("whatsapp:").lstrip("+")


# Twilio's names for a click-to-WhatsApp ad's fields.
TWILIO_REFERRAL = {
    "source_url": "ReferralSourceUrl",
    "source_id": "ReferralSourceId",
    "source_type": "ReferralSourceType",
    "headline": "ReferralHeadline",
    "body": "ReferralBody",
    "ctwa_clid": "ReferralCtwaClid",
}
TwilioAddress = Annotated[str, StringConstraints(pattern=r"^whatsapp:\+?[1-9][0-9]{5,14}$")]


class TwilioForm(BaseModel):
    """The fields of Twilio's WhatsApp webhook we rely on, validated (the rest is kept as is)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    # Twilio's SIDs (`SM…`/`MM…`); statuses may name what another channel sent: any plain id.
    MessageSid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,127}$")]
    From: TwilioAddress
    To: TwilioAddress
    Body: Annotated[str, StringConstraints(max_length=65_536)] | None = None
    NumMedia: int = Field(default=0, ge=0, le=10)
    MessageStatus: Annotated[str, StringConstraints(max_length=32)] | None = None

    @field_validator("NumMedia", mode="before")
    @classmethod
    def _blank_is_zero(cls, value: object) -> object:
        return value or 0

    def fields(self) -> dict[str, str]:
        form = self.model_dump(exclude_none=True)
        check_storable(form)
        return {k: str(v) for k, v in form.items()}


def from_twilio(form: Mapping[str, str]) -> InboundRecord:
    """A Twilio WhatsApp webhook (form fields, validated by TwilioForm) as an InboundRecord."""
    num_media = int(form.get("NumMedia", "0") or 0)
    if form.get("ButtonPayload"):
        kind = "button"
    elif form.get("Latitude"):
        kind = "location"
    elif num_media:
        kind = (form.get("MediaContentType0", "image/").split("/")[0]) or "document"
        if kind not in MEDIA_TYPES:
            kind = "document"
    else:
        kind = "text"
    return InboundRecord(
        message_id=form["MessageSid"],
        wa_id=strip_whatsapp_prefix(form["From"]),
        type=kind,
        text=(form.get("ButtonText") or form.get("Body") or "")[:4096],
        payload=form.get("ButtonPayload") or None,
        context_id=form.get("OriginalRepliedMessageSid") or None,
        sent_at=datetime.now(UTC),
        profile_name=form.get("ProfileName") or None,
        raw={k: v for k, v in form.items() if not k.startswith("AccountSid")},
        channel="twilio",
        referral={k: form[f] for k, f in TWILIO_REFERRAL.items() if form.get(f)} or None,
    )
