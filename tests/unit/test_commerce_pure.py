"""Pure parts of commerce: who is reminded, the sheet rows, a WhatsApp cart read and compared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.commerce.orders import OrderItem
from shared.commerce.reminders import due_reminders
from shared.commerce.whatsapp_cart import CartItem, price_differences, read_cart
from shared.commerce.writeback import row_of
from shared.errors import PermanentError

# 23:30 on 4 Dec in UTC is already 5 Dec in Jakarta (UTC+7) and still 4 Dec in São Paulo.
NOW = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)


def _booking(day: str, **extra: object) -> dict:
    return {"booking_id": f"B-{day}", "status": "booked", "date": day, "start": "10:00", **extra}


def test_reminders_go_the_day_before_in_the_shops_timezone_once() -> None:
    bookings = [
        _booking("2026-12-05"),
        _booking("2026-12-06"),
        _booking("2026-12-06", booking_id="B-sent", reminded_at=NOW),
        _booking("2026-12-06", booking_id="B-off", status="cancelled"),
    ]
    assert [b["booking_id"] for b in due_reminders(bookings, now=NOW, timezone="America/Sao_Paulo")] == [
        "B-2026-12-05"
    ]
    assert [b["booking_id"] for b in due_reminders(bookings, now=NOW, timezone="Asia/Jakarta")] == [
        "B-2026-12-06"
    ]


def test_order_row_for_the_sheet() -> None:
    change = {"kind": "order", "record_id": "O-1", "status": "paid", "at": NOW, "by": "staff:ana"}
    order = {
        "items": [{"sku": "T", "name": "Tee", "quantity": 2}, {"sku": "C", "name": "Cap", "quantity": 1}],
        "total_minor": 123456,
        "currency": "BRL",
        "profile_name": "Sari",
        "wa_id": "628123",
        "source": "chat",
    }
    row = row_of("order.O-1.paid", change, order, timezone="Asia/Jakarta")
    assert row[:9] == ["order.O-1.paid", "2026-12-05 06:30", "O-1", "paid", "Sari", "628123",
                       "2 × Tee (T); 1 × Cap (C)", "1234.56", "BRL"]  # fmt: skip
    assert row[-1] == "staff:ana"


def test_a_whatsapp_cart_is_read_and_its_prices_compared() -> None:
    raw = {
        "text": "  ",
        "product_items": [
            {"product_retailer_id": "T", "quantity": "2", "item_price": "19.9", "currency": "brl"},
            {"product_retailer_id": "", "quantity": 1},
            {"product_retailer_id": "X", "quantity": "lots"},
            {"product_retailer_id": "C", "quantity": 1, "item_price": 10, "currency": "BRL"},
        ],
    }
    items, note = read_cart(raw)
    assert items == [CartItem("T", 2, 1990, "BRL"), CartItem("C", 1, 1000, "BRL")] and note is None
    ours = [OrderItem(sku="T", name="Tee", quantity=2, unit_price_minor=2490, currency="BRL"),
            OrderItem(sku="C", name="Cap", quantity=1, unit_price_minor=1000, currency="BRL")]  # fmt: skip
    assert price_differences(items, ours) == ["T: cart 19.90 BRL, ours 24.90 BRL"]
    with pytest.raises(PermanentError):
        read_cart({"product_items": [{"quantity": 1}]})
