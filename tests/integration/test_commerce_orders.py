"""Orders and bookings on the emulators: stock and seats really held, never oversold, one record
per idempotency key, released on cancel, consumed on fulfil, and the sheet's next poll keeps
what orders hold."""

from __future__ import annotations

import csv
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.commerce.bookings import book_slot, bookings_for, cancel_booking, set_booking_status
from shared.commerce.cart import CartLine
from shared.commerce.orders import OrderError, get_order, orders_for, place_order, set_order_status
from shared.sheets.poll import poll_tenant
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant

HEADERS = ["SKU", "Product Name", "Category", "Price", "Qty", "Type", "Slots"]
FUTURE = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()


def _rows(tee_stock: str = "10") -> list[list[str]]:
    return [
        ["TEE-1", "Graphic Tee", "Tops", "$25.00", tee_stock, "", ""],
        ["HOOD-2", "Hoodie", "Tops", "$45.50", "30", "", ""],
        ["BELT-3", "Leather Belt", "Accessories", "$19.99", "out of stock", "", ""],
        ["CUT-9", "Haircut", "Services", "$30", "", "Service", f"{FUTURE} 10:00 1/3; {FUTURE} 11:00 0/1"],
    ]


def write_sheet(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, *rows])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


@pytest.fixture
def shop(tenant_id: str, tmp_path: Path, emulators: dict[str, str]) -> Path:
    sheet = tmp_path / "shop.csv"
    write_sheet(sheet, _rows())
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=f"pn-{tenant_id}",
            source=f"file:{sheet}",
            low_stock_threshold=3,
        )
    )
    assert poll_tenant(tenant_id).valid == 4
    return sheet


def _availability(tenant_id: str, sku: str) -> dict:
    return tenant_collection(tenant_id, "availability").document(sku).get().to_dict() or {}


def _slot(tenant_id: str, slot_id: str) -> dict:
    return tenant_collection(tenant_id, "slots").document(slot_id).get().to_dict() or {}


def _order(tenant_id: str, key: str, *lines: tuple[str, int], customer: str = "15550001111"):
    return place_order(
        tenant_id,
        customer_key=customer,
        wa_id=customer,
        profile_name="Ana",
        lines=[CartLine(sku, q) for sku, q in lines],
        source="chat",
        idempotency_key=key,
    )


def test_an_order_reserves_its_units_priced_from_the_catalog(tenant_id: str, shop: Path) -> None:
    outcome = _order(tenant_id, "wamid.1", ("TEE-1", 2), ("HOOD-2", 1), ("TEE-1", 1))
    assert outcome.placed and not outcome.shortages
    assert outcome.total_minor == 3 * 2500 + 4550 and outcome.currency == "USD"
    order = get_order(tenant_id, outcome.order_id)
    assert order is not None and order.status == "placed"
    assert [(i.sku, i.quantity, i.unit_price_minor) for i in order.items] == [
        ("TEE-1", 3, 2500),
        ("HOOD-2", 1, 4550),
    ]
    assert order.customer != "15550001111" and order.customer.startswith("c_")
    marked = tenant_collection(tenant_id, "conversations").document("15550001111").get().to_dict() or {}
    assert marked["commerce"]["open_orders"] == 1  # the inbox marks the conversation
    tee = _availability(tenant_id, "TEE-1")
    assert (tee["stock"], tee["reserved"], tee["available"], tee["status"]) == (10, 3, 7, "in_stock")


def test_redelivery_places_one_order(tenant_id: str, shop: Path) -> None:
    first = _order(tenant_id, "wamid.same", ("TEE-1", 2))
    again = _order(tenant_id, "wamid.same", ("TEE-1", 2))
    assert first.order_id == again.order_id and again.duplicate
    assert _availability(tenant_id, "TEE-1")["reserved"] == 2
    assert len(list(tenant_collection(tenant_id, "orders").stream())) == 1


def test_short_order_holds_nothing_and_says_what_is_left(tenant_id: str, shop: Path) -> None:
    outcome = _order(tenant_id, "wamid.big", ("TEE-1", 11), ("HOOD-2", 1), ("BELT-3", 1), ("CUT-9", 1))
    assert not outcome.placed
    short = {s.sku: (s.wanted, s.available, s.reason) for s in outcome.shortages}
    assert short == {"TEE-1": (11, 10, "stock"), "BELT-3": (1, 0, "stock"), "CUT-9": (1, 0, "service")}
    assert _availability(tenant_id, "HOOD-2").get("reserved", 0) == 0
    assert list(tenant_collection(tenant_id, "orders").stream()) == []


def test_racing_customers_never_oversell_the_last_units(tenant_id: str, shop: Path) -> None:
    results = []

    def buy(n: int) -> None:
        results.append(_order(tenant_id, f"wamid.race{n}", ("TEE-1", 1), customer=f"1555000{n:04d}"))

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(14)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    placed = [r for r in results if r.placed]
    assert len(placed) == 10
    assert all(s.available == 0 for r in results if not r.placed for s in r.shortages)
    tee = _availability(tenant_id, "TEE-1")
    assert (tee["reserved"], tee["available"], tee["status"]) == (10, 0, "out")


def test_status_flow_cancel_releases_and_fulfil_consumes(tenant_id: str, shop: Path) -> None:
    a = _order(tenant_id, "wamid.a", ("TEE-1", 4))
    b = _order(tenant_id, "wamid.b", ("TEE-1", 3))
    assert _availability(tenant_id, "TEE-1")["available"] == 3
    set_order_status(tenant_id, a.order_id, "cancelled", by="staff:u1")
    assert _availability(tenant_id, "TEE-1")["available"] == 7
    for status in ("confirmed", "paid", "fulfilled"):
        order = set_order_status(tenant_id, b.order_id, status, by="staff:u1")
    assert order.status == "fulfilled" and [h.status for h in order.history][-1] == "fulfilled"
    tee = _availability(tenant_id, "TEE-1")
    assert (tee["reserved"], tee["consumed"], tee["available"]) == (0, 3, 7)
    with pytest.raises(OrderError):
        set_order_status(tenant_id, b.order_id, "cancelled", by="staff:u1")
    assert set_order_status(tenant_id, b.order_id, "fulfilled", by="staff:u1").status == "fulfilled"
    assert _availability(tenant_id, "TEE-1")["consumed"] == 3  # a repeated request changes nothing
    assert orders_for(tenant_id, "15550001111") == []
    marked = tenant_collection(tenant_id, "conversations").document("15550001111").get().to_dict() or {}
    assert marked["commerce"]["open_orders"] == 0
    assert {o.order_id for o in orders_for(tenant_id, "15550001111", open_only=False)} == {
        a.order_id,
        b.order_id,
    }


def test_the_next_poll_keeps_reservations_and_a_lower_stock_is_counted_against_them(
    tenant_id: str, shop: Path
) -> None:
    _order(tenant_id, "wamid.keep", ("TEE-1", 6))
    write_sheet(shop, _rows(tee_stock="8"))  # the owner sold 2 in the shop
    poll_tenant(tenant_id)
    tee = _availability(tenant_id, "TEE-1")
    assert (tee["stock"], tee["reserved"], tee["available"], tee["status"]) == (8, 6, 2, "low")
    write_sheet(shop, _rows(tee_stock="4"))
    poll_tenant(tenant_id)
    tee = _availability(tenant_id, "TEE-1")
    assert (tee["stock"], tee["reserved"], tee["available"], tee["status"]) == (4, 6, 0, "out")
    assert not _order(tenant_id, "wamid.more", ("TEE-1", 1)).placed


def test_booking_takes_a_seat_once_and_never_overbooks(tenant_id: str, shop: Path) -> None:
    slot_id = f"CUT-9__{FUTURE}T1000"
    assert _slot(tenant_id, slot_id)["booked"] == 1  # the sheet says 1 of 3 taken
    by_key = {}

    def book(n: int) -> None:
        by_key[f"wamid.book{n}"] = book_slot(
            tenant_id,
            slot_id=slot_id,
            customer_key=f"1555100{n:04d}",
            wa_id=f"1555100{n:04d}",
            profile_name=None,
            idempotency_key=f"wamid.book{n}",
        )

    threads = [threading.Thread(target=book, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = list(by_key.values())
    booked = [o for o in outcomes if o.booked]
    assert len(booked) == 2 and {o.reason for o in outcomes if not o.booked} == {"full"}
    slot = _slot(tenant_id, slot_id)
    assert (slot["booked"], slot["booked_ours"], slot["free"], slot["status"]) == (3, 2, 0, "full")
    again = book_slot(
        tenant_id,
        slot_id=slot_id,
        customer_key="x",
        wa_id="x",
        profile_name=None,
        idempotency_key=next(key for key, o in by_key.items() if o.booked),
    )
    assert again.booked and again.duplicate  # the redelivery of a booked key finds its booking

    cancelled = cancel_booking(tenant_id, booked[0].booking_id, by="customer")
    assert cancelled.status == "cancelled"
    slot = _slot(tenant_id, slot_id)
    assert (slot["booked"], slot["free"], slot["status"]) == (2, 1, "open")
    poll_tenant(tenant_id, force=True)  # the sheet is re-read: our bookings still count
    slot = _slot(tenant_id, slot_id)
    assert (slot["sheet_booked"], slot["booked"], slot["free"]) == (1, 2, 1)


def test_booking_refuses_unknown_and_past_slots(tenant_id: str, shop: Path) -> None:
    common = {"customer_key": "k", "wa_id": "k", "profile_name": None}
    unknown = book_slot(tenant_id, slot_id="CUT-9__2001-01-01T1000", idempotency_key="u", **common)
    assert (unknown.booked, unknown.reason) == (False, "unknown_slot")
    later = datetime.now(UTC) + timedelta(days=30)
    past = book_slot(tenant_id, slot_id=f"CUT-9__{FUTURE}T1100", idempotency_key="p", now=later, **common)
    assert (past.booked, past.reason) == (False, "past")
    ok = book_slot(tenant_id, slot_id=f"CUT-9__{FUTURE}T1100", idempotency_key="o", **common)
    assert ok.booked and [b.booking_id for b in bookings_for(tenant_id, "k")] == [ok.booking_id]
    assert _availability(tenant_id, "CUT-9")["free_slots"] == 2
    set_booking_status(tenant_id, ok.booking_id, "no_show", by="staff:u1")
    assert bookings_for(tenant_id, "k") == []


def test_sales_kpis_come_from_the_records(tenant_id: str, shop: Path) -> None:
    from shared.analytics.commerce import refresh_commerce
    from shared.analytics.kpis import compute_kpis, read_period
    from shared.analytics.periods import day_id

    a = _order(tenant_id, "wamid.k1", ("TEE-1", 2))
    _order(tenant_id, "wamid.k2", ("HOOD-2", 1))
    set_order_status(tenant_id, a.order_id, "cancelled", by="customer")
    common = {"customer_key": "k", "wa_id": "k", "profile_name": None}
    book_slot(tenant_id, slot_id=f"CUT-9__{FUTURE}T1000", idempotency_key="kb", **common)
    assert refresh_commerce(tenant_id) >= 2
    assert refresh_commerce(tenant_id) == 0  # a recomputation: the same figures, nothing written
    kpis = compute_kpis(read_period(tenant_id, day_id(datetime.now(UTC))), "USD")
    assert (kpis["orders"], kpis["conversions"], kpis["attributed_revenue_minor"]) == (2, 2, 4550)
    assert kpis["revenue_by_status_minor"]["cancelled"] == 5000
    assert kpis["order_cancellation_rate"] == 0.5 and kpis["bookings"] == 1
    fill = compute_kpis(read_period(tenant_id, f"day_{FUTURE}"), "USD")["booking_fill_rate"]
    assert fill == 0.5  # 2 of the 4 seats on that day: the sheet's one and ours


def test_a_conversation_key_given_as_wa_id_still_records_the_phone_for_staff(
    tenant_id: str, shop: Path
) -> None:
    key = "c0123456789abcdef01234567"
    tenant_collection(tenant_id, "conversations").document(key).set({"wa_id": "5511988887777"})
    outcome = place_order(
        tenant_id, customer_key=key, wa_id=key, profile_name=None, lines=[CartLine("HOOD-2", 1)],
        source="chat", idempotency_key="wamid.keyed",
    )  # fmt: skip
    order = get_order(tenant_id, outcome.order_id)
    assert order is not None and (order.customer_key, order.wa_id) == (key, "5511988887777")
