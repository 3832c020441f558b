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
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from google.api_core.exceptions import GoogleAPICallError, RetryError
from google.api_core.retry import Retry, if_transient_error
from pydantic import ValidationError

from shared.clients import firestore_client
from shared.events import InboundMessage
from shared.log import get_logger, log_event
from shared.messaging.failures import Circuit, record_failure
from shared.messaging.identity import CustomerIds, known_key, link, resolve
from shared.messaging.optout import keyword_choice, opt_out_fields
from shared.messaging.safety import check_document_id, nesting_depth_exceeds
from shared.privacy import hash_customer
from shared.pubsub import publish_now
from shared.settings import get_settings, secret
from shared.storage import tenant_collection, utcnow
from shared.whatsapp.inbound import (
    InboundRecord,
    TwilioForm,
    from_meta,
    from_twilio,
    strip_whatsapp_prefix,
)
from shared.whatsapp.payloads import Contact, Message, Status, UserPreference, Value, WebhookPayload
from shared.whatsapp.signature import meta_signature_valid, twilio_signature_valid

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
T = TypeVar("T")
_PHONE_NUMBER_ID = re.compile(rb'"phone_number_id"\s*:\s*"([0-9]{1,32})"')
# Short retries of a transient store error, within the webhook's own time budget.
_STORE_RETRY = Retry(predicate=if_transient_error, initial=0.05, maximum=0.5, timeout=3.0)
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


# Reason slugs (the `failure` of webhook_failure events, counted per reason in analytics).
BAD_SIGNATURE, BAD_MESSAGE, UNAVAILABLE = "bad_signature", "bad_message", "unavailable"
MAX_JSON_DEPTH = 32
STORE_CIRCUIT = Circuit("firestore")
PUBLISH_CIRCUIT = Circuit("pubsub")


class DependencyDown(Exception):
    """Firestore or Pub/Sub failed (or its circuit is open): answer 503, Meta retries."""


def handle_webhook(request: WebhookRequest) -> WebhookResponse:
    """Answer one HTTP request to the webhook (GET verification or a POST from Meta/Twilio)."""
    if request.method == "GET":
        return verify_subscription(request.query)
    if request.method != "POST":
        return WebhookResponse.refuse(405, "only GET (verification) and POST (updates) are accepted")
    limit = get_settings().webhook_max_body_bytes
    if (request.content_length or 0) > limit or len(request.body) > limit:
        return WebhookResponse.refuse(413, f"body larger than {limit} bytes")
    if not (STORE_CIRCUIT.allow() and PUBLISH_CIRCUIT.allow()):
        return WebhookResponse.refuse(503, "temporarily unavailable, retry later")
    try:
        if "x-twilio-signature" in request.headers or request.content_type.startswith(
            "application/x-www-form-urlencoded"
        ):
            return receive_twilio(request)
        return receive_meta(request.body, request.headers.get("x-hub-signature-256"))
    except DependencyDown as exc:
        return WebhookResponse.refuse(503, f"temporarily unavailable ({exc}), retry later")


def verify_subscription(query: Mapping[str, str]) -> WebhookResponse:
    """Meta's GET handshake: echo `hub.challenge` when the verify token matches."""
    token = secret("whatsapp_verify_token")
    if token is None:
        log_event(log, 50, "WHATSAPP_VERIFY_TOKEN is not set: verification refused")
        return WebhookResponse.refuse(403, "verification is not configured")
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") == "subscribe" and hmac.compare_digest(given.encode(), token.encode()):
        return WebhookResponse(200, query.get("hub.challenge", ""))
    return WebhookResponse.refuse(403, "verification failed: wrong hub.mode or hub.verify_token")


def receive_meta(body: bytes, signature: str | None) -> WebhookResponse:
    app_secret = secret("whatsapp_app_secret")
    if app_secret is None:
        log_event(log, 50, "WHATSAPP_APP_SECRET is not set: Meta updates refused")
        return WebhookResponse.refuse(401, "this webhook is not configured for Meta updates")
    if not signature:
        return WebhookResponse.refuse(401, "missing X-Hub-Signature-256")
    if not meta_signature_valid(body, signature, app_secret):
        reason = "X-Hub-Signature-256 does not match the body"
        return _refuse_for(_claimed_tenant(body), 403, BAD_SIGNATURE, reason)
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return WebhookResponse.refuse(400, "malformed JSON body")
    if nesting_depth_exceeds(parsed, MAX_JSON_DEPTH):
        return WebhookResponse.refuse(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        payload = WebhookPayload.model_validate(parsed)
    except ValidationError as exc:
        return WebhookResponse.refuse(400, f"not a WhatsApp webhook payload: {_first_error(exc)}")
    if payload.object != EXPECTED_OBJECT:
        return WebhookResponse.refuse(400, f"unexpected object {payload.object!r}, want {EXPECTED_OBJECT!r}")
    outcome = _Outcome()
    for entry in payload.entry:
        for change in entry.changes:
            if change.field == "messages":
                _receive_change(change.value, outcome)
            elif change.field == "user_preferences":
                _receive_preferences(change.value, outcome)
    return outcome.response()


@dataclass
class _Outcome:
    """What one POST did: the first refusal reason, and whether anything was accepted."""

    accepted: int = 0
    refused: list[str] = field(default_factory=list)

    def refuse(self, tenant: TenantConfig | None, what: str, reason: str) -> None:
        log_event(log, 30, "webhook item refused", item=what, reason=reason)
        record_failure(tenant.tenant_id if tenant else None, "webhook_failure", BAD_MESSAGE)
        self.refused.append(f"{what}: {reason}")

    def response(self) -> WebhookResponse:
        # A retry cannot fix a refused item: once everything storable is stored, Meta gets 200.
        if self.refused and not self.accepted:
            return WebhookResponse(400, "; ".join(self.refused[:3]))
        return WebhookResponse(200, "ok")


def _change_for_tenant(
    raw: dict[str, Any], outcome: _Outcome, kind: str
) -> tuple[Value, TenantConfig] | None:
    """One change's value and the tenant it is for; None (outcome recorded) when it is malformed
    or for a phone_number_id that is not ours."""
    from shared.tenants import tenant_for_phone_number

    try:
        value = Value.model_validate(raw)
    except ValidationError as exc:
        outcome.refuse(None, "change", f"malformed {kind} change: {_first_error(exc)}")
        return None
    tenant = _guarded(STORE_CIRCUIT, lambda: tenant_for_phone_number(value.metadata.phone_number_id))
    if tenant is None:
        log_event(
            log, 30, "update for an unknown phone_number_id", phone_number_id=value.metadata.phone_number_id
        )
        outcome.accepted += 1  # not ours to store; a retry would not change that
        return None
    return value, tenant


def _receive_change(raw: dict[str, Any], outcome: _Outcome) -> None:
    """Store the messages and apply the statuses of one `messages` change, each on its own."""
    found = _change_for_tenant(raw, outcome, "messages")
    if found is None:
        return
    value, tenant = found
    contacts: dict[str, Contact] = {}
    for contact in value.contacts:
        try:
            parsed = Contact.model_validate(contact)
        except ValidationError:
            continue  # a contact only lends a name, a username and the ids beside the sender's
        for known in (parsed.wa_id, parsed.user_id):
            if known:
                contacts[known] = parsed
    for n, item in enumerate(value.messages):
        try:
            message = Message.model_validate(item)
            record = from_meta(message, contacts.get(message.from_user_id or message.from_ or ""))
        except (ValidationError, ValueError) as exc:
            reason = _first_error(exc) if isinstance(exc, ValidationError) else str(exc)
            outcome.refuse(tenant, f"messages.{n}", reason)
            continue
        try:
            store_inbound(tenant, record)
        except ValueError as exc:
            outcome.refuse(tenant, f"messages.{n}", str(exc))
            continue
        outcome.accepted += 1
    for n, item in enumerate(value.statuses):
        try:
            status = Status.model_validate(item)
        except ValidationError as exc:
            outcome.refuse(tenant, f"statuses.{n}", _first_error(exc))
            continue
        ids = CustomerIds(
            phone=status.recipient_id,
            user_id=status.recipient_user_id,
            parent_user_id=status.recipient_parent_user_id,
        )
        key = _guarded(STORE_CIRCUIT, lambda ids=ids: known_key(tenant.tenant_id, ids))  # type: ignore[misc]
        if key is not None:
            _guarded(
                STORE_CIRCUIT,
                lambda s=status, k=key: apply_status(  # type: ignore[misc]
                    tenant.tenant_id, k, s.id, s.status, _status_error(s)
                ),
            )
        outcome.accepted += 1


def _receive_preferences(raw: dict[str, Any], outcome: _Outcome) -> None:
    """Marketing opt-out/resume set in WhatsApp: recorded like a STOP/START (no reply is sent)."""
    from shared.messaging.optout import record_opt_out

    found = _change_for_tenant(raw, outcome, "user_preferences")
    if found is None:
        return
    value, tenant = found
    for n, item in enumerate(value.user_preferences):
        try:
            pref = UserPreference.model_validate(item)
        except ValidationError as exc:
            outcome.refuse(tenant, f"user_preferences.{n}", _first_error(exc))
            continue
        ids = CustomerIds(phone=pref.wa_id, user_id=pref.user_id)
        key = _guarded(STORE_CIRCUIT, lambda ids=ids: resolve(tenant.tenant_id, ids))  # type: ignore[misc]
        _guarded(
            STORE_CIRCUIT,
            lambda k=key, p=pref: record_opt_out(  # type: ignore[misc]
                tenant.tenant_id, k, p.value == "stop", source="whatsapp_settings"
            ),
        )
        outcome.accepted += 1


def receive_twilio(request: WebhookRequest) -> WebhookResponse:
    from urllib.parse import parse_qsl

    token = secret("twilio_auth_token")
    if token is None:
        log_event(log, 30, "Twilio-shaped request but TWILIO_AUTH_TOKEN is not set")
        return WebhookResponse.refuse(401, "this webhook is not configured for Twilio")
    signature = request.headers.get("x-twilio-signature")
    if not signature:
        return WebhookResponse.refuse(401, "missing X-Twilio-Signature")
    try:
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        return WebhookResponse.refuse(400, "form body is not UTF-8")
    url = get_settings().webhook_public_url or request.url
    if not twilio_signature_valid(url, form, signature, token):
        return WebhookResponse.refuse(403, "X-Twilio-Signature does not match")
    try:
        fields = TwilioForm.model_validate(form).fields()
    except (ValidationError, ValueError) as exc:
        reason = _first_error(exc) if isinstance(exc, ValidationError) else str(exc)
        return WebhookResponse.refuse(400, f"not a Twilio WhatsApp webhook: {reason}")
    from shared.tenants import tenant_for_phone_number

    # A status callback is about a message we sent (From: our number, To: the customer); an
    # inbound message comes from the customer to our number.
    is_status = "MessageStatus" in fields and "Body" not in fields
    ours, customer = (fields["From"], fields["To"]) if is_status else (fields["To"], fields["From"])
    tenant = _guarded(STORE_CIRCUIT, lambda: tenant_for_phone_number(strip_whatsapp_prefix(ours)))
    if tenant is None:
        return WebhookResponse(200, "ok")
    if is_status:
        status = TWILIO_STATUS.get(fields["MessageStatus"])
        ids = CustomerIds(phone=strip_whatsapp_prefix(customer))
        key = _guarded(STORE_CIRCUIT, lambda: known_key(tenant.tenant_id, ids))
        if status and key:
            _guarded(
                STORE_CIRCUIT,
                lambda: apply_status(tenant.tenant_id, key, fields["MessageSid"], status, None),
            )
        return WebhookResponse(200, "ok")
    try:
        store_inbound(tenant, from_twilio(fields))
    except ValueError as exc:
        return _refuse_for(tenant, 400, BAD_MESSAGE, f"not a storable message: {exc}")
    return WebhookResponse(200, "ok")


def store_inbound(tenant: TenantConfig, record: InboundRecord) -> bool:
    """Store one inbound message once, then publish it; returns False for a redelivery.

    The publish follows the commit, so the worker is never told about a message that is not
    stored. A redelivery is published again (its first publish may be what failed); the worker
    answers each message once. Raises DependencyDown when Firestore or Pub/Sub fails: the caller
    answers 503 and Meta retries (what was stored stays; the sweeper answers it meanwhile).
    """
    from google.api_core.exceptions import AlreadyExists, InvalidArgument
    from google.cloud import firestore

    from shared.messaging.store import SERVICE_WINDOW, conversation_ref, preview

    settings = get_settings()
    started = time.perf_counter()
    received_at = utcnow()
    ids = record.ids()
    key = _guarded(STORE_CIRCUIT, lambda: resolve(tenant.tenant_id, ids))
    customer = hash_customer(tenant.tenant_id, key)
    conversation = conversation_ref(tenant.tenant_id, key)
    batch = firestore_client().batch()
    batch.create(
        conversation.collection("messages").document(check_document_id(record.message_id)),
        record.document(received_at),
    )
    link(batch, tenant.tenant_id, ids, key)
    update: dict[str, Any] = {
        **ids.profile(),
        "customer": customer,
        "last_inbound_at": received_at,
        "window_expires_at": received_at + SERVICE_WINDOW,
        "last_message_at": received_at,
        "last_message_preview": preview(record.text or f"[{record.type}]"),
        "pending_inbound": firestore.ArrayUnion([record.message_id]),
    }
    if record.profile_name:
        update["profile_name"] = record.profile_name
    choice = keyword_choice(record.text) if record.type == "text" else None
    if choice is not None:  # STOP / START in any language: no proactive message from now on
        update |= opt_out_fields(choice, "chat")
        batch.set(
            tenant_collection(tenant.tenant_id, "customers").document(key),
            opt_out_fields(choice, "chat"),
            merge=True,
        )
    if record.referral:  # the ad that brought the customer (the latest one)
        update["referral"] = record.referral | {"at": received_at, "message_id": record.message_id}
    batch.set(conversation, update, merge=True)
    duplicate = False
    try:
        batch.commit(retry=_STORE_RETRY, timeout=settings.webhook_store_timeout_s)
    except AlreadyExists:
        duplicate = True
    except InvalidArgument as exc:
        # Validation should have caught it; refusing is still better than a retry loop.
        log_event(log, 40, "inbound refused by the store", tenant_id=tenant.tenant_id, error=str(exc)[:200])
        raise ValueError("refused by the store") from exc
    except GoogleAPICallError as exc:
        STORE_CIRCUIT.failure()
        record_failure(tenant.tenant_id, "webhook_failure", UNAVAILABLE)
        raise DependencyDown("store") from exc
    STORE_CIRCUIT.success()
    stored = time.perf_counter()
    message = InboundMessage(
        tenant_id=tenant.tenant_id, customer_key=key, message_id=record.message_id, received_at=received_at
    )
    try:
        publish_now(settings.topic_inbound_messages, [message], timeout=settings.webhook_publish_timeout_s)
    except (GoogleAPICallError, RetryError) as exc:
        PUBLISH_CIRCUIT.failure()
        record_failure(tenant.tenant_id, "webhook_failure", UNAVAILABLE)
        raise DependencyDown("publish") from exc
    PUBLISH_CIRCUIT.success()
    reacted_to = (record.raw.get("reaction") or {}).get("message_id") if record.type == "reaction" else None
    if reacted_to and not duplicate:  # shown beside our message in the inbox; best effort
        from shared.whatsapp.signals import record_customer_reaction

        try:
            record_customer_reaction(tenant.tenant_id, key, str(reacted_to), record.text)
        except GoogleAPICallError as exc:
            log_event(log, 30, "reaction not recorded", tenant_id=tenant.tenant_id, error=type(exc).__name__)
    log_event(
        log,
        20,
        "inbound stored" if not duplicate else "inbound redelivered",
        tenant_id=tenant.tenant_id,
        customer=customer,
        message_type=record.type,
        duplicate=duplicate,
        store_ms=round((stored - started) * 1000, 2),
        publish_ms=round((time.perf_counter() - stored) * 1000, 2),
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
    from shared.whatsapp.provider_errors import rule_for_code

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
            if rule is not None:  # what the code means, from the provider's table
                change |= {"error": rule.meaning, "error_action": rule.action}
        transaction.update(ref, change)
        return True

    rule = rule_for_code(error) if error is not None else None
    changed = bool(update(firestore_client().transaction()))
    if changed and rule is not None and rule.action == "opted_out":
        from shared.messaging.optout import record_opt_out

        record_opt_out(tenant_id, wa_id, True, source="provider")  # nothing proactive any more
    return changed


def _status_error(status: Status) -> int | None:
    return status.errors[0].code if status.errors else None


def _first_error(exc: ValidationError) -> str:
    """The first problem, without the input value (it may hold a customer's number)."""
    err = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def _guarded(circuit: Circuit, call: Callable[[], T]) -> T:
    """Run a Firestore call of the webhook; a failing dependency becomes DependencyDown (503)."""
    try:
        result = call()
    except (GoogleAPICallError, RetryError) as exc:
        circuit.failure()
        raise DependencyDown(circuit.name) from exc
    circuit.success()
    return result


def _claimed_tenant(body: bytes) -> TenantConfig | None:
    """The tenant an unverified Meta body names (to count its signature failures), if any."""
    from shared.tenants import tenant_for_phone_number

    match = _PHONE_NUMBER_ID.search(body[:4096])
    if match is None:
        return None
    try:
        return tenant_for_phone_number(match.group(1).decode())
    except (GoogleAPICallError, RetryError):
        return None


def _refuse_for(tenant: TenantConfig | None, status: int, kind: str, reason: str) -> WebhookResponse:
    record_failure(tenant.tenant_id if tenant else None, "webhook_failure", kind)
    return WebhookResponse.refuse(status, reason)
