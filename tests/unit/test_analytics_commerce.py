"""Sales KPIs from order, booking and slot records (pure part of shared.analytics.commerce)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.analytics.commerce import period_fields, slot_fields
from shared.analytics.kpis import compute_kpis

AT = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)


def _order(status: str, total: int, currency: str = "BRL", at: datetime = AT) -> dict:
    return {"status": status, "total_minor": total, "currency": currency, "created_at": at}


def test_orders_bookings_and_revenue_by_status_per_period() -> None:
    orders = [
        _order("placed", 1000),
        _order("paid", 3000),
        _order("cancelled", 5000),
        _order("fulfilled", 2000),
    ]
    bookings = [
        {"status": "booked", "created_at": AT},
        {"status": "attended", "created_at": AT},
        {"status": "no_show", "created_at": AT},
        {"status": "cancelled", "created_at": AT},
    ]
    fields = period_fields(orders, bookings, currency="BRL")
    assert set(fields) == {"hour_2026-12-05T14", "day_2026-12-05"}
    day = (
        fields["day_2026-12-05"]
        | slot_fields(
            [
                {"date": "2026-12-05", "capacity": 4, "booked": 3},
                {"date": "2026-12-05", "capacity": 2, "booked": 1},
            ]
        )["day_2026-12-05"]
    )
    assert day["orders_by_status"] == {"placed": 1, "confirmed": 0, "paid": 1, "fulfilled": 1, "cancelled": 1}
    assert day["revenue_minor_by_currency"] == {"BRL": 6000}
    assert day["revenue_minor_by_status"]["cancelled"] == 5000
    kpis = compute_kpis(day, "BRL")
    assert (kpis["orders"], kpis["conversions"], kpis["bookings"]) == (4, 6, 4)
    assert kpis["average_order_value_minor"] == 2000
    assert kpis["order_cancellation_rate"] == 0.25 and kpis["booking_cancellation_rate"] == 0.25
    assert kpis["no_show_rate"] == 0.5
    assert kpis["booking_fill_rate"] == round(4 / 6, 4)


def test_a_cancelled_order_leaves_zeros_not_stale_keys() -> None:
    day = period_fields([_order("cancelled", 900, "USD")], [], currency="USD")["day_2026-12-05"]
    assert day["revenue_minor_by_currency"] == {"USD": 0} and day["conversions"] == 0
    assert day["orders_by_status"]["placed"] == 0
