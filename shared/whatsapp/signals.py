"""Signals customers expect: their message marked read with a typing indicator while the reply is
being prepared, and reactions (theirs shown in the inbox, staff's sent from it).

- `mark_read(tenant, message_id, typing=True)`: Meta's `{"status": "read", "message_id": …,
  "typing_indicator": {"type": "text"}}` on `POST /{phone_number_id}/messages` (the blue ticks,
  then "typing…" until the reply or 25 s). Best effort: a failure is logged, never raised, since
  the reply matters more than the ticks. Twilio has no such API; the sandbox records it only.
  Either way the inbound message gets `read_at`.
- `react(tenant, customer_key, message_id, emoji)`: staff react to a customer's message (an
  empty emoji removes the reaction); stored on that message as `business_reaction`.
- `record_customer_reaction(...)`: a customer's reaction to one of our messages is stored on it
  as `customer_reaction` (the inbox shows it beside the message), besides the reaction message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.settings import get_settings, secret
from shared.storage import utcnow

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)


def read_body(message_id: str, *, typing: bool) -> dict[str, Any]:
    """The Graph API body that marks `message_id` read (and shows "typing…")."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def reaction_body(recipient: str, message_id: str, emoji: str) -> dict[str, Any]:
    from shared.whatsapp.graph import addressee

    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **addressee(recipient),
        "type": "reaction",
        "reaction": {"message_id": message_id, "emoji": emoji},
    }


def mark_read(
    tenant: TenantConfig, message_id: str, *, typing: bool, customer_key: str | None = None
) -> bool:
    """Mark the customer's message read (with the typing indicator); True when the provider took it.

    `customer_key` lets the inbound message record `read_at` (the inbox shows it).
    """
    sent = False
    if tenant.channel == "meta":
        try:
            _post(tenant, read_body(message_id, typing=typing))
            sent = True
        except (TransientError, PermanentError) as exc:
            log_event(log, 30, "mark read failed", tenant_id=tenant.tenant_id, error=str(exc)[:200])
    if customer_key is not None:
        from shared.messaging.store import messages_ref

        try:
            messages_ref(tenant.tenant_id, customer_key).document(message_id).update({"read_at": utcnow()})
        except Exception as exc:  # the ticks never stop a reply
            log_event(log, 30, "read_at not recorded", tenant_id=tenant.tenant_id, error=type(exc).__name__)
    return sent


def react(tenant: TenantConfig, customer_key: str, message_id: str, emoji: str) -> None:
    """Staff react to the customer's message `message_id` (empty `emoji`: remove the reaction)."""
    from shared.messaging.store import conversation_ref, messages_ref
    from shared.whatsapp.send import recipient_of

    conversation = conversation_ref(tenant.tenant_id, customer_key).get().to_dict()
    if tenant.channel == "meta":
        _post(tenant, reaction_body(recipient_of(conversation, None), message_id, emoji))
    elif tenant.channel == "twilio":
        raise PermanentError("Twilio's WhatsApp API cannot send reactions")
    messages_ref(tenant.tenant_id, customer_key).document(message_id).update(
        {"business_reaction": emoji or None, "business_reaction_at": utcnow()}
    )


def record_customer_reaction(tenant_id: str, customer_key: str, reacted_to: str, emoji: str) -> bool:
    """Put the customer's reaction on our message they reacted to (found by its provider id)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.messaging.store import messages_ref

    query = messages_ref(tenant_id, customer_key).where(
        filter=FieldFilter("provider_message_id", "==", reacted_to)
    )
    for doc in query.limit(1).stream():
        doc.reference.update({"customer_reaction": emoji or None, "customer_reaction_at": utcnow()})
        return True
    return False


def _post(tenant: TenantConfig, body: dict[str, Any]) -> None:
    import httpx

    from shared.clients import http_client
    from shared.whatsapp.provider_errors import error_for, graph_rule

    token = secret("whatsapp_access_token")
    if token is None:
        raise PermanentError("missing required setting: set the environment variable WHATSAPP_ACCESS_TOKEN")
    url = f"{get_settings().whatsapp_api_base.rstrip('/')}/{tenant.phone_number_id}/messages"
    try:
        response = http_client().post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5.0
        )
    except httpx.HTTPError as exc:
        raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
    if response.status_code == 200:
        return
    try:
        error = (response.json() or {}).get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    reason = f"graph {response.status_code} code {code}: {str(error.get('message') or response.text)[:200]}"
    rule = graph_rule(code, response.status_code)
    raise error_for(rule, reason) if rule else PermanentError(reason)
