"""The WhatsApp webhook: verify, store first, publish, answer 200 fast.

Meta retries a webhook that does not answer 200 for days and may deliver an update twice, so:
- the signature is checked on the raw body before anything else (missing 401, wrong 403);
- every inbound message is stored with `create()` keyed by the provider's message id, in one
  commit with the conversation's window fields (two deliveries at once store it once);
- the worker is told through `inbound-messages`; a redelivered message is published again,
  which is harmless because the worker answers each inbound message at most once;
- status updates only move an outbound message's status forward;
- bad input is a 4xx with a reason and stores nothing.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from shared.errors import ConfigError
from shared.events import InboundMessage
from shared.log import get_logger, log_event
from shared.privacy import hash_customer
from shared.pubsub import publish
from shared.settings import get_settings, secret
from shared.storage import utcnow
from shared.whatsapp.inbound import InboundRecord, from_meta, from_twilio, strip_whatsapp_prefix
from shared.whatsapp.payloads import Status, Value, WebhookPayload
from shared.whatsapp.signature import meta_signature_valid, twilio_signature_valid

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
EXPECTED_OBJECT = "whatsapp_business_account"
TWILIO_STATUS = {"queued": "queued", "sent": "sent", "delivered": "delivered", "read": "read"}
TWILIO_STATUS |= {"failed": "failed", "undelivered": "failed"}


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    url: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)
    content_type: str = ""
    content_length: int | None = None


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str

    @classmethod
    def refuse(cls, status: int, reason: str) -> WebhookResponse:
        log_event(log, 30, "webhook refused", status=status, reason=reason)
        from shared.status.counters import record_refusal

        record_refusal(status)
        return cls(status, reason)


def handle_webhook(request: WebhookRequest) -> WebhookResponse:
    """Answer one HTTP request to the webhook (GET verification or a POST from Meta/Twilio)."""
    if request.method == "GET":
        return verify_subscription(request.query)
    if request.method != "POST":
        return WebhookResponse.refuse(405, "only GET (verification) and POST (updates) are accepted")
    limit = get_settings().webhook_max_body_bytes
    if (request.content_length or 0) > limit or len(request.body) > limit:
        return WebhookResponse.refuse(413, f"body larger than {limit} bytes")
    if "x-twilio-signature" in request.headers or request.content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        return receive_twilio(request)
    return receive_meta(request.body, request.headers.get("x-hub-signature-256"))


def verify_subscription(query: Mapping[str, str]) -> WebhookResponse:
    """Meta's GET handshake: echo `hub.challenge` when the verify token matches."""
    token = secret("whatsapp_verify_token")
    if token is None:
        raise ConfigError("missing required setting: set the environment variable WHATSAPP_VERIFY_TOKEN")
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") == "subscribe" and hmac.compare_digest(given.encode(), token.encode()):
        return WebhookResponse(200, query.get("hub.challenge", ""))
    return WebhookResponse.refuse(403, "verification failed: wrong hub.mode or hub.verify_token")


def receive_meta(body: bytes, signature: str | None) -> WebhookResponse:
    app_secret = secret("whatsapp_app_secret")
    if app_secret is None:
        raise ConfigError("missing required setting: set the environment variable WHATSAPP_APP_SECRET")
    if not signature:
        return WebhookResponse.refuse(401, "missing X-Hub-Signature-256")
    if not meta_signature_valid(body, signature, app_secret):
        return WebhookResponse.refuse(403, "X-Hub-Signature-256 does not match the body")
    try:
        payload = WebhookPayload.model_validate(json.loads(body))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ValidationError):
            return WebhookResponse.refuse(400, f"not a WhatsApp webhook payload: {_first_error(exc)}")
        return WebhookResponse.refuse(400, "malformed JSON body")
    if payload.object != EXPECTED_OBJECT:
        return WebhookResponse.refuse(400, f"unexpected object {payload.object!r}, want {EXPECTED_OBJECT!r}")
    # Validate every change before storing anything: a bad payload stores nothing.
    values: list[Value] = []
    for entry in payload.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            try:
                values.append(Value.model_validate(change.value))
            except ValidationError as exc:
                return WebhookResponse.refuse(400, f"malformed messages change: {_first_error(exc)}")
    from shared.tenants import tenant_for_phone_number

    for value in values:
        tenant = tenant_for_phone_number(value.metadata.phone_number_id)
        if tenant is None:
            log_event(
                log,
                30,
                "update for an unknown phone_number_id",
                phone_number_id=value.metadata.phone_number_id,
            )
            continue
        names = {c.wa_id: c.profile.name if c.profile else None for c in value.contacts}
        for message in value.messages:
            store_inbound(tenant, from_meta(message, names.get(message.from_)))
        for status in value.statuses:
            apply_status(
                tenant.tenant_id, status.recipient_id, status.id, status.status, _status_error(status)
            )
    return WebhookResponse(200, "ok")


def receive_twilio(request: WebhookRequest) -> WebhookResponse:
    from urllib.parse import parse_qsl

    signature = request.headers.get("x-twilio-signature")
    if not signature:
        return WebhookResponse.refuse(401, "missing X-Twilio-Signature")
    token = secret("twilio_auth_token")
    if token is None:
        raise ConfigError("missing required setting: set the environment variable TWILIO_AUTH_TOKEN")
    try:
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        return WebhookResponse.refuse(400, "form body is not UTF-8")
    url = get_settings().webhook_public_url or request.url
    if not twilio_signature_valid(url, form, signature, token):
        return WebhookResponse.refuse(403, "X-Twilio-Signature does not match")
    if "MessageSid" not in form or "From" not in form or "To" not in form:
        return WebhookResponse.refuse(
            400, "not a Twilio WhatsApp webhook: MessageSid, From and To are required"
        )
    from shared.tenants import tenant_for_phone_number

    # A status callback is about a message we sent (From: our number, To: the customer); an
    # inbound message comes from the customer to our number.
    is_status = "MessageStatus" in form and "Body" not in form
    ours, customer = (form["From"], form["To"]) if is_status else (form["To"], form["From"])
    tenant = tenant_for_phone_number(strip_whatsapp_prefix(ours))
    if tenant is None:
        return WebhookResponse(200, "ok")
    if is_status:
        status = TWILIO_STATUS.get(form["MessageStatus"])
        if status:
            apply_status(tenant.tenant_id, strip_whatsapp_prefix(customer), form["MessageSid"], status, None)
        return WebhookResponse(200, "ok")
    store_inbound(tenant, from_twilio(form))
    return WebhookResponse(200, "ok")


def store_inbound(tenant: TenantConfig, record: InboundRecord) -> bool:
    """Store one inbound message once, then publish it; returns False for a redelivery."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    from shared.clients import firestore_client
    from shared.messaging.store import SERVICE_WINDOW, conversation_ref, preview

    started = time.perf_counter()
    received_at = utcnow()
    customer = hash_customer(tenant.tenant_id, record.wa_id)
    conversation = conversation_ref(tenant.tenant_id, record.wa_id)
    batch = firestore_client().batch()
    batch.create(
        conversation.collection("messages").document(record.message_id), record.document(received_at)
    )
    update: dict[str, Any] = {
        "wa_id": record.wa_id,
        "customer": customer,
        "last_inbound_at": received_at,
        "window_expires_at": received_at + SERVICE_WINDOW,
        "last_message_at": received_at,
        "last_message_preview": preview(record.text or f"[{record.type}]"),
        "pending_inbound": firestore.ArrayUnion([record.message_id]),
    }
    if record.profile_name:
        update["profile_name"] = record.profile_name
    batch.set(conversation, update, merge=True)
    message = InboundMessage(
        tenant_id=tenant.tenant_id, wa_id=record.wa_id, message_id=record.message_id, received_at=received_at
    )
    # The publish (and its batching window) overlaps the commit instead of following it; Meta gets
    # its 200 only when both succeeded. A worker that is told before the commit lands waits for
    # it (see shared.conversation.worker), so nothing is answered that was not stored.
    published = publish(get_settings().topic_inbound_messages, message, wait=False)
    duplicate = False
    try:
        batch.commit()
    except AlreadyExists:
        duplicate = True
    stored = time.perf_counter()
    published.result(timeout=15)
    log_event(
        log,
        20,
        "inbound stored" if not duplicate else "inbound redelivered",
        tenant_id=tenant.tenant_id,
        customer=customer,
        message_type=record.type,
        duplicate=duplicate,
        store_ms=round((stored - started) * 1000, 2),
        publish_wait_ms=round((time.perf_counter() - stored) * 1000, 2),
    )
    return not duplicate


def apply_status(
    tenant_id: str, wa_id: str, provider_message_id: str, status: str, error: int | None
) -> bool:
    """Move the outbound message sent as `provider_message_id` to `status`, never backwards.

    Returns True when the stored status changed.
    """
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.messaging.store import messages_ref, status_moves_forward

    docs = list(
        messages_ref(tenant_id, wa_id)
        .where(filter=FieldFilter("provider_message_id", "==", provider_message_id))
        .limit(1)
        .stream()
    )
    if not docs:
        log_event(log, 20, "status for an unknown outbound message", tenant_id=tenant_id, status=status)
        return False
    ref = docs[0].reference

    @firestore.transactional
    def update(transaction: Any) -> bool:
        current = ref.get(transaction=transaction).to_dict() or {}
        if not status_moves_forward(current.get("status"), status):
            return False
        change: dict[str, Any] = {"status": status, f"{status}_at": utcnow()}
        if error is not None:
            change["error_code"] = error
        transaction.update(ref, change)
        return True

    return bool(update(firestore_client().transaction()))


def _status_error(status: Status) -> int | None:
    return status.errors[0].code if status.errors else None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]
