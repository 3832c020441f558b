"""Booking reminders, the day before: free text inside the 24-hour window, the approved
`booking_reminder` template outside it (shared.whatsapp.send decides), once per booking."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

log = get_logger(__name__)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_reminders(
    bookings: Iterable[dict[str, Any]], *, now: datetime, timezone: str
) -> list[dict[str, Any]]:
    """Bookings still `booked`, not reminded yet, whose day is tomorrow in the shop's timezone."""
    tomorrow = (now.astimezone(_zone(timezone)) + timedelta(days=1)).date().isoformat()
    return [
        b
        for b in bookings
        if b.get("status") == "booked" and not b.get("reminded_at") and b.get("date") == tomorrow
    ]


def send_reminders(tenant_id: str, *, now: datetime | None = None) -> int:
    """Remind every customer whose appointment is tomorrow; returns how many were sent."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.commerce.changes import customer_language
    from shared.commerce.notices import booking_text, display_locale, when_text
    from shared.errors import PermanentError
    from shared.tenants import get_tenant
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store
    from shared.whatsapp.templates import BOOKING_REMINDER, TemplateUse

    now = now or utcnow()
    tenant = get_tenant(tenant_id)
    col = tenant_collection(tenant_id, "bookings")
    # One range on one field (its automatic index): the next 48 hours cover "tomorrow" anywhere.
    window = col.where(filter=FieldFilter("starts_at", ">=", now)).where(
        filter=FieldFilter("starts_at", "<", now + timedelta(hours=48))
    )
    sent = 0
    for booking in due_reminders(
        (s.to_dict() or {} for s in window.stream()), now=now, timezone=tenant.timezone
    ):
        lang = customer_language(tenant, booking)
        locale = display_locale(lang, tenant.locale)
        text = booking_text("commerce_booking_reminder", booking, lang=lang, locale=locale)
        day = when_text(str(booking["date"]), str(booking["start"]), locale=locale).rsplit(", ", 1)[0]
        reminder = TemplateUse.of(
            BOOKING_REMINDER,
            shop=tenant.business_name,
            service=str(booking["name"]),
            date=day,
            time=str(booking["start"]),
        )
        try:
            send_and_store(
                tenant,
                booking.get("customer_key") or booking["wa_id"],
                OutboundMessage(text=text),
                message_id=f"reminder-{booking['booking_id']}",
                provider="system",
                fallback=reminder,
                extra={"commerce": {"kind": "booking", "id": booking["booking_id"], "status": "reminder"}},
                proactive=True,
            )
        except PermanentError as exc:  # e.g. the customer opted out or the number is gone
            log_event(
                log,
                30,
                "reminder not sent",
                tenant_id=tenant_id,
                booking_id=booking["booking_id"],
                error=str(exc),
            )
        col.document(booking["booking_id"]).update({"reminded_at": utcnow()})
        sent += 1
    return sent
