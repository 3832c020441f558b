"""Sending to a customer through the tenant's channel, and storing what was sent, once.

Channels: `meta` (Graph API), `twilio`, and `sandbox` (local: no network, the stored outbound
message is the delivery, so the CLI and dashboard show it). Outside the 24-hour window only an
approved template goes out (`shared.whatsapp.templates`): the caller's `fallback`, else
`follow_up` carrying the text, in the customer's language; a 131047 from Meta (63016 from
Twilio) switches to the template at once.

Every send is guarded by its outbound message id: the document is created (`create()`) with
status `queued` before the provider is called, so a retried event finds it and never sends twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.errors import ConfigError, PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.messaging.failures import record_failure
from shared.messaging.optout import OptedOut, opted_out, record_opt_out
from shared.privacy import hash_customer
from shared.settings import get_settings, secret
from shared.storage import utcnow
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import RecipientOptedOut, WindowClosed
from shared.whatsapp.templates import FOLLOW_UP, TemplateUse, render

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
# A `queued` claim older than this is taken to be a crashed attempt and is sent again.
STALE_CLAIM = timedelta(seconds=60)


@dataclass(frozen=True)
class Delivery:
    message_id: str  # our outbound message id (the Firestore document id)
    channel: str
    provider_message_id: str | None
    status: str
    template: bool
    duplicate: bool = False
    text: str = ""


def template_for(
    tenant: TenantConfig,
    message: OutboundMessage,
    fallback: TemplateUse | None,
    conversation: dict[str, Any] | None,
) -> OutboundMessage:
    """What goes out when the window is closed: `message` if it is a template already, else the
    caller's `fallback` template (or `follow_up` carrying the text) in the customer's language."""
    if message.template is not None:
        return message
    use = fallback or TemplateUse.of(FOLLOW_UP, shop=tenant.business_name, text=message.text)
    language = (conversation or {}).get("language")
    return render(use, language, shop_language=tenant.locale, approved=tenant.template_languages)


def deliver(
    tenant: TenantConfig,
    wa_id: str,
    message: OutboundMessage,
    *,
    window_open: bool,
    template: OutboundMessage,
) -> tuple[OutboundMessage, str]:
    """Send `message` (`template` when the window is closed); returns what went out and its id."""
    if not window_open:
        message = template
    try:
        return message, _send_on_channel(tenant, wa_id, message)
    except WindowClosed:
        if message.template is not None:
            raise
        log_event(
            log,
            20,
            "window closed: sending the template",
            tenant_id=tenant.tenant_id,
            template=template.template.name if template.template else None,
        )
        return template, _send_on_channel(tenant, wa_id, template)


def _send_on_channel(tenant: TenantConfig, wa_id: str, message: OutboundMessage) -> str:
    settings = get_settings()
    if tenant.channel == "meta":
        from shared.whatsapp.graph import send_message

        token = secret("whatsapp_access_token")
        if token is None:
            raise ConfigError("missing required setting: set the environment variable WHATSAPP_ACCESS_TOKEN")
        return send_message(
            base_url=settings.whatsapp_api_base,
            access_token=token,
            phone_number_id=tenant.phone_number_id,
            wa_id=wa_id,
            message=message,
        )
    if tenant.channel == "twilio":
        from shared.whatsapp import twilio_api

        token = secret("twilio_auth_token")
        if token is None or not settings.twilio_account_sid:
            raise ConfigError("missing required setting: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        return twilio_api.send_message(
            base_url=settings.twilio_api_base,
            account_sid=settings.twilio_account_sid,
            auth_token=token,
            sender=tenant.phone_number_id,
            wa_id=wa_id,
            message=message,
            content_sids=tenant.twilio_content_sids,
        )
    return f"sandbox.{uuid.uuid4().hex}"


def recipient_of(conversation: dict[str, Any] | None, phone: str | None) -> str:
    """Where a message to this customer goes: their phone number when known, else their BSUID
    (`phone`: the number the caller gave, for a customer with no conversation yet)."""
    doc = conversation or {}
    found = doc.get("wa_id") or doc.get("user_id") or phone
    if found:
        return str(found)
    raise PermanentError("the conversation has neither a phone number nor a user id to reply to")


def send_and_store(
    tenant: TenantConfig,
    customer_key: str,
    message: OutboundMessage,
    *,
    message_id: str,
    provider: str,
    in_reply_to: str | None = None,
    fallback: TemplateUse | None = None,
    extra: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
    conversation_update: dict[str, Any] | None = None,
    proactive: bool = False,
) -> Delivery:
    """Send `message` once under the outbound id `message_id` and store it in the conversation
    `customer_key` (sent to the customer's phone number, or to their BSUID when it is unknown).
    A phone number given as `customer_key` finds that customer's conversation.

    `fallback` is the declared template to send instead when the 24-hour window is closed (default:
    `follow_up` with the text). `conversation` is the conversation document when the caller has
    just read it (saves a read; its `language` picks the template's language);
    `conversation_update` is merged into the conversation in the same write as the preview.
    A second call with the same `message_id` sends nothing and returns the first result
    (`duplicate=True`). Raises TransientError when the channel should be retried later, and
    `OptedOut` for a `proactive` message (one the customer did not just ask for: back-in-stock,
    reminder, broadcast) to a customer who opted out.
    """
    from google.api_core.exceptions import AlreadyExists

    from shared.messaging.store import conversation_ref, messages_ref, preview, window_open

    phone = customer_key if customer_key.isdigit() else None
    if phone is not None:
        # Given a phone number (the owner, a booking's number): the customer's conversation.
        from shared.messaging.identity import CustomerIds, resolve

        customer_key = resolve(tenant.tenant_id, CustomerIds(phone=phone))
    conversation_doc = conversation_ref(tenant.tenant_id, customer_key)
    ref = messages_ref(tenant.tenant_id, customer_key).document(message_id)
    now = utcnow()
    if conversation is None:
        snapshot = conversation_doc.get()
        conversation = snapshot.to_dict() if snapshot.exists else None
    if proactive and opted_out(conversation):
        raise OptedOut(f"{message_id}: the customer opted out of proactive messages")
    is_open = window_open(conversation, now)
    template = template_for(tenant, message, fallback, conversation)
    doc: dict[str, Any] = {
        "direction": "out",
        "in_reply_to": in_reply_to,
        "provider": provider,
        "channel": tenant.channel,
        "status": "queued",
        "at": now,
        "claimed_at": now,
        **message.document(),
        **(extra or {}),
    }
    if tenant.channel == "sandbox":
        # No network: the stored document is the delivery, so it is created already sent.
        sent = message if is_open else template
        provider_message_id: str = f"sandbox.{uuid.uuid4().hex}"
        doc |= {
            "status": "sent",
            "sent_at": now,
            "provider_message_id": provider_message_id,
            **sent.document(),
        }
        try:
            ref.create(doc)
        except AlreadyExists:
            return _already_sent(ref, tenant, message_id, conversation_doc, conversation_update)
    else:
        try:
            ref.create(doc)
        except AlreadyExists:
            stored = ref.get().to_dict() or {}
            if stored.get("status") != "queued":
                return _already_sent(ref, tenant, message_id, conversation_doc, conversation_update, stored)
            if stored.get("claimed_at") and now - stored["claimed_at"] < STALE_CLAIM:
                raise TransientError(f"outbound {message_id} is being sent by another attempt") from None
            ref.update({"claimed_at": now})
        try:
            sent, provider_message_id = deliver(
                tenant,
                recipient_of(conversation, phone),
                message,
                window_open=is_open,
                template=template,
            )
        except TransientError:
            ref.update({"claimed_at": None})  # the retry may send at once
            raise
        except PermanentError as exc:
            ref.update({"status": "failed", "error": str(exc)[:300]})
            if isinstance(exc, RecipientOptedOut):  # the provider knows they opted out: honour it
                record_opt_out(tenant.tenant_id, customer_key, True, source="provider")
            record_failure(
                tenant.tenant_id, "send_failed", failure_reason(exc), event_id=f"send:{message_id}"
            )
            raise
        ref.update(
            {
                "status": "sent",
                "sent_at": utcnow(),
                "provider_message_id": provider_message_id,
                **sent.document(),
            }
        )
    conversation_doc.set(
        {
            "last_message_at": now,
            "last_outbound_at": now,
            "last_message_preview": preview(sent.text),
            **(conversation_update or {}),
        },
        merge=True,
    )
    log_event(
        log,
        20,
        "outbound sent",
        tenant_id=tenant.tenant_id,
        customer=hash_customer(tenant.tenant_id, customer_key),
        channel=tenant.channel,
        template=sent.template is not None,
        provider=provider,
    )
    return Delivery(
        message_id, tenant.channel, provider_message_id, "sent", sent.template is not None, text=sent.text
    )


def _already_sent(
    ref: Any,
    tenant: TenantConfig,
    message_id: str,
    conversation_doc: Any,
    conversation_update: dict[str, Any] | None,
    stored: dict[str, Any] | None = None,
) -> Delivery:
    """The Delivery of an outbound message sent by an earlier attempt (finishing its bookkeeping)."""
    stored = stored if stored is not None else ref.get().to_dict() or {}
    if conversation_update:
        conversation_doc.set(conversation_update, merge=True)
    return Delivery(
        message_id,
        stored.get("channel", tenant.channel),
        stored.get("provider_message_id"),
        stored.get("status", "sent"),
        stored.get("type") == "template",
        duplicate=True,
        text=stored.get("text", ""),
    )


def send_text(
    tenant: TenantConfig, wa_id: str, text: str, *, idempotency_key: str, fallback: TemplateUse | None = None
) -> Delivery:
    """Send a plain notice (e.g. an alert to the owner) once per `idempotency_key`.

    Inside the 24-hour window it goes as free text; outside, as the `fallback` template (for an
    owner alert `owner_alert`, for the weekly summary `weekly_summary`), else `follow_up`.
    """
    return send_and_store(
        tenant,
        wa_id,
        OutboundMessage(text=text[:4096]),
        message_id=f"notify-{idempotency_key}",
        provider="system",
        fallback=fallback,
    )


def failure_reason(exc: Exception) -> str:
    """A short slug for a failed send (counted per reason in analytics): `window_closed`,
    `provider_<code>` when the provider gave a code, else the error's kind."""
    if isinstance(exc, WindowClosed):
        return "window_closed"
    if isinstance(exc, RecipientOptedOut):
        return "opted_out"
    code = getattr(exc, "provider_code", None)
    if code is not None:
        return f"provider_{code}"
    return "config" if isinstance(exc, ConfigError) else "refused"
