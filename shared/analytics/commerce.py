"""Sales KPIs from the real records: `orders`, `bookings` and `slots`, not from chat phrases.

Each rollup tick recomputes, for the periods (hour and day, UTC) of the records created in the
last two days, the commerce fields of those period documents and sets them (a recomputation,
so a redelivered tick or a later status change can never count anything twice):

- `orders`, `orders_by_status` (status -> count), `conversions_order` (orders not cancelled);
- `bookings`, `bookings_by_status`, `conversions_booking` (bookings not cancelled);
- `conversions` (the two added), `revenue_minor_by_currency` (totals of orders not cancelled),
  `revenue_minor_by_status` (status -> total, in the tenant's currency);
- day documents also get `slot_capacity` and `slot_booked` of the slots on that date.

The conversation's own `conversion` events are not counted any more (shared.analytics.delta).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.analytics.periods import day_id, hour_id
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

log = get_logger(__name__)
LOOKBACK = timedelta(days=2)
ORDER_STATUSES = ("placed", "confirmed", "paid", "fulfilled", "cancelled")
BOOKING_STATUSES = ("booked", "cancelled", "attended", "no_show")


def period_fields(
    orders: Iterable[Mapping[str, Any]], bookings: Iterable[Mapping[str, Any]], *, currency: str
) -> dict[str, dict[str, Any]]:
    """{period id: commerce fields} for the periods the records were created in."""
    grouped: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(
        lambda: {"orders": [], "bookings": []}
    )
    for kind, records in (("orders", orders), ("bookings", bookings)):
        for record in records:
            at = record.get("created_at")
            if not isinstance(at, datetime):
                continue
            for period in (hour_id(at), day_id(at)):
                grouped[period][kind].append(record)
    return {period: _fields(g["orders"], g["bookings"], currency) for period, g in grouped.items()}


def _fields(
    orders: list[Mapping[str, Any]], bookings: list[Mapping[str, Any]], currency: str
) -> dict[str, Any]:
    # Every key is written (zeros too): a merged map would otherwise keep a status's old count.
    order_status = Counter(dict.fromkeys(ORDER_STATUSES, 0))
    order_status.update(str(o.get("status")) for o in orders)
    booking_status = Counter(dict.fromkeys(BOOKING_STATUSES, 0))
    booking_status.update(str(b.get("status")) for b in bookings)
    revenue: Counter[str] = Counter({str(o.get("currency") or currency).upper(): 0 for o in orders})
    by_status: Counter[str] = Counter(dict.fromkeys(ORDER_STATUSES, 0))
    for o in orders:
        total, cur = int(o.get("total_minor") or 0), str(o.get("currency") or currency).upper()
        if o.get("status") != "cancelled":
            revenue[cur] += total
        if cur == currency.upper():
            by_status[str(o.get("status"))] += total
    placed = len(orders) - order_status["cancelled"]
    booked = len(bookings) - booking_status["cancelled"]
    return {
        "orders": len(orders),
        "orders_by_status": dict(order_status),
        "conversions_order": placed,
        "bookings": len(bookings),
        "bookings_by_status": dict(booking_status),
        "conversions_booking": booked,
        "conversions": placed + booked,
        "revenue_minor_by_currency": dict(revenue),
        "revenue_minor_by_status": dict(by_status),
    }


def slot_fields(slots: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """{day period id: slot_capacity, slot_booked} of the slots on each date."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: {"slot_capacity": 0, "slot_booked": 0})
    for slot in slots:
        if not slot.get("date"):
            continue
        day = days[f"day_{slot['date']}"]
        day["slot_capacity"] += int(slot.get("capacity") or 0)
        day["slot_booked"] += min(int(slot.get("booked") or 0), int(slot.get("capacity") or 0))
    return dict(days)


def refresh_commerce(tenant_id: str, *, now: datetime | None = None) -> int:
    """Recompute the commerce fields of the tenant's recent periods; returns documents written."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.storage import write_many
    from shared.tenants import get_tenant

    now = now or utcnow()
    since = now - LOOKBACK
    tenant = get_tenant(tenant_id)

    def recent(name: str) -> list[dict[str, Any]]:
        query = tenant_collection(tenant_id, name).where(filter=FieldFilter("created_at", ">=", since))
        return [s.to_dict() or {} for s in query.stream()]

    fields = period_fields(recent("orders"), recent("bookings"), currency=tenant.currency)
    first_day = since.date().isoformat()
    slots = tenant_collection(tenant_id, "slots").where(filter=FieldFilter("date", ">=", first_day))
    for period, values in slot_fields(s.to_dict() or {} for s in slots.stream()).items():
        fields.setdefault(period, {}).update(values)
    analytics = tenant_collection(tenant_id, "analytics")
    # Only the periods whose figures moved are written: most ticks change nothing, and the
    # event rollup writes the same documents.
    stored = {
        s.id: s.to_dict() or {}
        for s in firestore_client().get_all([analytics.document(p) for p in fields])
        if s.exists
    }
    changed = [
        (analytics.document(period), values | {"commerce_at": now})
        for period, values in fields.items()
        if any(stored.get(period, {}).get(k) != v for k, v in values.items())
    ]
    written = write_many(changed, merge=True)
    log_event(log, 20, "commerce KPIs refreshed", tenant_id=tenant_id, periods=written)
    return written


def refresh_all(tenant_id: str | None = None) -> list[int]:
    from shared.tenants import for_each_tenant

    return for_each_tenant(tenant_id, refresh_commerce, what="commerce KPIs")
