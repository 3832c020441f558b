"""Bookings: `tenants/{t}/bookings/{booking_id}`, each holding one seat of a slot.

    outcome = book_slot("salon", slot_id="CUT__2026-12-05T1000", customer_key=key, wa_id=wa,
                        profile_name="Ana", idempotency_key=inbound_id)
    if not outcome.booked: outcome.reason is "full", "past" or "unknown_slot"

The seat is taken in the transaction that creates the booking: `slots/{id}.booked_ours` grows
and `booked` (= the sheet's bookings, `sheet_booked`, plus ours) follows, so when customers race
for the last seats exactly `capacity` of them get one. Cancelling frees the seat.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from shared.commerce.transactions import Attempt, run_atomic
from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.privacy import hash_customer
from shared.storage import tenant_collection, utcnow

log = get_logger(__name__)

BookingStatus = Literal["booked", "cancelled", "attended", "no_show"]
BOOKING_STATUSES: tuple[BookingStatus, ...] = ("booked", "cancelled", "attended", "no_show")
Reason = Literal["full", "past", "unknown_slot"]


class Booking(BaseModel):
    booking_id: str
    slot_id: str
    sku: str
    name: str
    date: str  # YYYY-MM-DD, the shop's local date
    start: str  # HH:MM, the shop's local time
    starts_at: datetime  # the same moment in UTC (reminders, "upcoming")
    status: BookingStatus
    customer: str
    customer_key: str
    wa_id: str
    profile_name: str | None = None
    language: str | None = None
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    reminded_at: datetime | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class BookingOutcome:
    booking_id: str
    booked: bool
    reason: Reason | None = None
    duplicate: bool = False
    booking: Booking | None = None


class BookingError(PermanentError):
    """An unknown booking or a status change that is not allowed."""


def booking_id_for(tenant_id: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{tenant_id}\x00booking\x00{idempotency_key}".encode()).digest()
    return "B-" + base64.b32encode(digest).decode()[:10]


def bookings_ref(tenant_id: str) -> Any:
    return tenant_collection(tenant_id, "bookings")


def slot_start(date: str, start: str, timezone: str) -> datetime:
    """The slot's local date and time as an aware datetime in the shop's timezone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromisoformat(f"{date}T{start}").replace(tzinfo=zone)


def seats_taken(slot: dict[str, Any]) -> int:
    """The sheet's bookings plus ours (`booked` as the poller last wrote it may lag ours)."""
    ours = int(slot.get("booked_ours") or 0)
    sheet = slot.get("sheet_booked")
    if sheet is None:  # written before bookings existed: `booked` was the sheet's count then
        sheet = int(slot.get("booked") or 0) - ours
    return int(sheet) + ours


def seat_fields(slot: dict[str, Any], ours: int) -> dict[str, Any]:
    """`booked_ours`, `booked`, `free` and `status` of the slot with `ours` of our bookings."""
    capacity = int(slot.get("capacity") or 1)
    booked = seats_taken({**slot, "booked_ours": ours})
    free = max(capacity - booked, 0)
    return {"booked_ours": ours, "booked": booked, "free": free, "status": "full" if free == 0 else "open"}


def book_slot(
    tenant_id: str,
    *,
    slot_id: str,
    customer_key: str,
    wa_id: str,
    profile_name: str | None,
    idempotency_key: str,
    language: str | None = None,
    now: datetime | None = None,
) -> BookingOutcome:
    """Book one seat of `slot_id` once per `idempotency_key`. A full, past or unknown slot is
    refused with the reason (nothing written)."""
    from shared.commerce.changes import phone_of
    from shared.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    wa_id = phone_of(tenant_id, customer_key, wa_id)
    booking_id = booking_id_for(tenant_id, idempotency_key)
    booking_ref = bookings_ref(tenant_id).document(booking_id)
    slot_ref = tenant_collection(tenant_id, "slots").document(slot_id)
    now = now or utcnow()

    def body(tx: Attempt) -> BookingOutcome:
        snaps = {s.reference.path: s for s in tx.get_all([booking_ref, slot_ref])}
        existing, slot_snap = snaps[booking_ref.path], snaps[slot_ref.path]
        if existing.exists:
            booking = Booking.model_validate(existing.to_dict())
            return BookingOutcome(booking_id, True, None, True, booking)
        if not slot_snap.exists:
            return BookingOutcome(booking_id, False, "unknown_slot")
        slot = slot_snap.to_dict() or {}
        starts = slot_start(str(slot["date"]), str(slot["start"]), tenant.timezone)
        if starts <= now:
            return BookingOutcome(booking_id, False, "past")
        if seats_taken(slot) >= int(slot.get("capacity") or 1):
            return BookingOutcome(booking_id, False, "full")
        at = utcnow()
        booking = Booking(
            booking_id=booking_id,
            slot_id=slot_id,
            sku=str(slot.get("sku", "")),
            name=str(slot.get("name", "")),
            date=str(slot["date"]),
            start=str(slot["start"]),
            starts_at=starts,
            status="booked",
            customer=hash_customer(tenant_id, customer_key),
            customer_key=customer_key,
            wa_id=wa_id,
            profile_name=profile_name,
            language=language,
            idempotency_key=idempotency_key,
            created_at=at,
            updated_at=at,
            history=[{"status": "booked", "at": at, "by": "customer"}],
        )
        tx.create(booking_ref, booking.model_dump())
        tx.update(slot_ref, seat_fields(slot, int(slot.get("booked_ours") or 0) + 1) | {"updated_at": at})
        _log_change(tx, tenant_id, booking_id, "booked", at, "customer")
        return BookingOutcome(booking_id, True, None, False, booking)

    outcome = run_atomic(body, what=f"booking {booking_id}")
    log_event(
        log,
        20,
        "slot booked" if outcome.booked else "slot refused",
        tenant_id=tenant_id,
        booking_id=booking_id,
        slot_id=slot_id,
        reason=outcome.reason,
        duplicate=outcome.duplicate,
    )
    if outcome.booked and not outcome.duplicate:
        refresh_service_availability(tenant_id, slot_id.split("__")[0], now=now)
        _after_change(tenant_id, customer_key)
    return outcome


def cancel_booking(tenant_id: str, booking_id: str, *, by: str) -> Booking:
    """Cancel the booking and free its seat (a cancelled booking stays cancelled: no-op)."""
    return set_booking_status(tenant_id, booking_id, "cancelled", by=by)


def set_booking_status(tenant_id: str, booking_id: str, status: str, *, by: str) -> Booking:
    """`cancelled` (frees the seat), `attended` or `no_show` (staff, after the visit). Only a
    `booked` booking moves; asking for the status it has already is a no-op."""
    if status not in BOOKING_STATUSES or status == "booked":
        raise BookingError(f"a booking can become cancelled, attended or no_show, not {status!r}")
    booking_ref = bookings_ref(tenant_id).document(booking_id)
    slots = tenant_collection(tenant_id, "slots")

    def body(tx: Attempt) -> tuple[Booking, bool]:
        snap = tx.get(booking_ref)
        if not snap.exists:
            raise BookingError(f"unknown booking {booking_id!r}")
        booking = Booking.model_validate(snap.to_dict())
        if booking.status == status:
            return booking, False
        if booking.status != "booked":
            raise BookingError(f"booking {booking_id} is {booking.status}: it cannot become {status}")
        at = utcnow()
        slot_ref = slots.document(booking.slot_id)
        slot_snap = tx.get(slot_ref) if status == "cancelled" else None
        history = [*booking.history, {"status": status, "at": at, "by": by}]
        tx.update(booking_ref, {"status": status, "updated_at": at, "history": history})
        if slot_snap is not None and slot_snap.exists:  # a past slot's document may be gone
            slot = slot_snap.to_dict() or {}
            ours = max(int(slot.get("booked_ours") or 0) - 1, 0)
            tx.update(slot_ref, seat_fields(slot, ours) | {"updated_at": at})
        _log_change(tx, tenant_id, booking_id, status, at, by)
        updated = booking.model_copy(update={"status": status, "updated_at": at, "history": history})
        return updated, True

    booking, changed = run_atomic(body, what=f"booking {booking_id} -> {status}")
    if changed:
        log_event(
            log, 20, "booking status changed", tenant_id=tenant_id, booking_id=booking_id, status=status
        )
        if status == "cancelled":
            refresh_service_availability(tenant_id, booking.sku)
        _after_change(tenant_id, booking.customer_key)
    return booking


def get_booking(tenant_id: str, booking_id: str) -> Booking | None:
    snap = bookings_ref(tenant_id).document(booking_id).get()
    return Booking.model_validate(snap.to_dict()) if snap.exists else None


def bookings_for(
    tenant_id: str, customer_key: str, upcoming_only: bool = True, *, now: datetime | None = None
) -> list[Booking]:
    """The customer's bookings, soonest first (by default only `booked` ones still ahead)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    now = now or utcnow()
    query = bookings_ref(tenant_id).where(filter=FieldFilter("customer_key", "==", customer_key))
    found = [Booking.model_validate(s.to_dict()) for s in query.stream()]
    if upcoming_only:
        found = [b for b in found if b.status == "booked" and b.starts_at > now]
    return sorted(found, key=lambda b: b.starts_at)


def refresh_service_availability(tenant_id: str, sku: str, *, now: datetime | None = None) -> None:
    """Recompute the service's `free_slots` / `next_free_slot` / `status` on `availability/{sku}`
    from its slot documents (derived values: a plain merge, no transaction needed)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.tenants import get_tenant

    now = now or utcnow()
    timezone = get_tenant(tenant_id).timezone
    query = tenant_collection(tenant_id, "slots").where(filter=FieldFilter("sku", "==", sku))
    ahead = [
        s for s in (snap.to_dict() or {} for snap in query.stream())
        if slot_start(str(s["date"]), str(s["start"]), timezone) > now
    ]  # fmt: skip
    ahead.sort(key=lambda s: (s["date"], s["start"]))
    free = [s for s in ahead if int(s.get("capacity") or 1) - seats_taken(s) > 0]
    ref = tenant_collection(tenant_id, "availability").document(sku)
    if not ref.get().exists:
        return
    ref.set(
        {
            "free_slots": sum(int(s.get("capacity") or 1) - seats_taken(s) for s in free),
            "next_free_slot": f"{free[0]['date']} {free[0]['start']}" if free else None,
            "status": "in_stock" if free or not ahead else "out",
            "updated_at": utcnow(),
        },
        merge=True,
    )


def _log_change(tx: Attempt, tenant_id: str, booking_id: str, status: str, at: datetime, by: str) -> None:
    from shared.commerce.changes import record_change

    record_change(tx, tenant_id, kind="booking", record_id=booking_id, status=status, at=at, by=by)


def _after_change(tenant_id: str, customer_key: str) -> None:
    from shared.commerce.changes import announce, mark_conversation

    announce(tenant_id)
    mark_conversation(tenant_id, customer_key)
