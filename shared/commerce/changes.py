"""The change log of orders and bookings, written with each change, for its follow-ups.

Every change (placed, confirmed, paid, fulfilled, cancelled; booked, cancelled, attended,
no_show) is recorded as `commerce_changes/{kind}.{id}.{status}` in the same transaction as the
change itself, with what it still needs: `notify` (a WhatsApp notice, when staff made the change)
and `sheet` (a row in the sheet's Orders/Bookings tab). `followup.process_pending` does what is pending
and clears the flags: the notice is sent once (its outbound id is the change id), the sheet rows
are appended in one batch and skipped when the tab already has the change's key. So a change is
never lost (it is in Firestore before anyone is told) and never doubled (whatever redelivers).
`announce` asks for a run at once (`commerce-changes`); the commerce tick catches any missed one.
The follow-ups themselves run in the commerce function (shared.commerce.followup), which alone
needs the sheets client.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.commerce.notices import BOOKING_NOTICES, ORDER_NOTICES
from shared.events import TOPIC_COMMERCE_CHANGES, CommerceChange
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

if TYPE_CHECKING:
    from shared.commerce.transactions import Attempt
    from shared.tenants import TenantConfig

log = get_logger(__name__)
COLLECTION = "commerce_changes"


def needs_notice(kind: str, status: str, by: str) -> bool:
    """Staff-made changes are told to the customer; the customer's own (placing, booking,
    cancelling in chat) are answered by the conversation itself."""
    notices = ORDER_NOTICES if kind == "order" else BOOKING_NOTICES
    return status in notices and by.startswith("staff")


def record_change(
    tx: Attempt, tenant_id: str, *, kind: str, record_id: str, status: str, at: datetime, by: str
) -> None:
    notify = needs_notice(kind, status, by)
    tx.set(
        tenant_collection(tenant_id, COLLECTION).document(f"{kind}.{record_id}.{status}"),
        {
            "kind": kind,
            "record_id": record_id,
            "status": status,
            "at": at,
            "by": by,
            "notify": notify,
            "sheet": True,
            "pending": True,
        },
    )


def announce(tenant_id: str) -> None:
    """Ask for the follow-ups now; a failed publish is only logged (the tick runs them)."""
    from shared.pubsub import publish

    try:
        publish(TOPIC_COMMERCE_CHANGES, CommerceChange(tenant_id=tenant_id))
    except Exception as exc:  # any publish failure: the next commerce tick picks the changes up
        log_event(log, 30, "commerce-changes publish failed", tenant_id=tenant_id, error=str(exc))


def customer_language(tenant: TenantConfig, record: dict[str, Any]) -> str:
    """The record's language, else the conversation's, else the shop's."""
    from shared.i18n.catalog import language_of
    from shared.messaging.store import conversation_ref

    if record.get("language"):
        return language_of(record["language"])
    key = record.get("customer_key") or record["wa_id"]  # the conversation's id
    conversation = conversation_ref(tenant.tenant_id, key).get().to_dict() or {}
    return language_of(conversation.get("language") or tenant.locale)


def mark_conversation(tenant_id: str, customer_key: str) -> None:
    """Show on the conversation (the inbox's list) how many open orders and upcoming bookings
    the customer has: `commerce: {open_orders, upcoming_bookings}`. Derived, so a plain merge."""
    from shared.commerce.bookings import bookings_for
    from shared.commerce.orders import orders_for
    from shared.messaging.store import conversation_ref

    summary = {
        "open_orders": len(orders_for(tenant_id, customer_key)),
        "upcoming_bookings": len(bookings_for(tenant_id, customer_key)),
        "updated_at": utcnow(),
    }
    conversation_ref(tenant_id, customer_key).set({"commerce": summary}, merge=True)


def phone_of(tenant_id: str, customer_key: str, wa_id: str) -> str:
    """The customer's WhatsApp number for the staff: `wa_id`, unless a caller passed the
    conversation key in its place (keys are opaque since customer identity), then the number
    the conversation holds (kept as given when it holds none: a username-only customer)."""
    if wa_id != customer_key:
        return wa_id
    from shared.messaging.store import conversation_ref

    data = conversation_ref(tenant_id, customer_key).get().to_dict() or {}
    return str(data.get("wa_id") or wa_id)
