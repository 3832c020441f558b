"""Orders and Bookings in the dashboard, through the served stack: an order placed in the shop
appears live, staff open it and confirm it (the request goes through the local bridge to the
served commerce function), the customer is told, and the Bookings view shows the day."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.commerce.bookings import book_slot
from shared.commerce.cart import CartLine
from shared.commerce.orders import get_order, place_order
from shared.messaging.store import messages_ref
from shared.storage import tenant_collection
from tests.browser.conftest import Page, SheetTenant

WA = "15550123456"


def eventually(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(0.2)
    return value


def test_staff_see_an_order_live_and_confirm_it(page: Page, sheet_tenant: SheetTenant) -> None:
    tenant = sheet_tenant.tenant_id
    page.open(tenant, "orders")
    page.page.locator("#view-orders td.empty").wait_for()
    outcome = place_order(
        tenant,
        customer_key=WA,
        wa_id=WA,
        profile_name="Dana",
        lines=[CartLine("JKT-001", 2)],
        source="chat",
        idempotency_key="wamid.browser-order",
    )
    assert outcome.placed
    row = page.page.locator(f'#view-orders tr[data-id="{outcome.order_id}"]')
    row.wait_for()  # appears without a reload
    assert "2 × Denim Jacket" in row.inner_text() and "$178.00" in row.inner_text()
    assert page.page.locator("#orders-count").inner_text() == "1"

    row.click()
    page.page.locator("#order-detail button[data-action=confirmed]").click()
    page.page.locator(f'#view-orders tr[data-id="{outcome.order_id}"][data-status=confirmed]').wait_for(
        timeout=30_000
    )
    page.page.locator("#order-notice", has_text="the customer has been told").wait_for(timeout=30_000)
    assert "null" not in page.page.locator("#order-detail").inner_text()
    page.screenshot("orders")
    order = get_order(tenant, outcome.order_id)
    assert order is not None and order.history[-1].by == "staff:local-staff"
    notice = eventually(
        lambda: next(
            (m.to_dict() for m in messages_ref(tenant, WA).stream() if m.id.startswith("commerce-order.")),
            None,
        )
    )
    # No message from the customer in 24 h: it goes as the approved order_update template.
    assert f"Your order {outcome.order_id} is confirmed" in notice["text"]
    # The sheet (here a CSV beside it) has the order and its confirmation.
    rows = eventually(
        lambda: (p := sheet_tenant.sheet.with_name("catalog.orders.csv")).exists() and p.read_text()
    )
    eventually(lambda: "confirmed" in sheet_tenant.sheet.with_name("catalog.orders.csv").read_text())
    assert outcome.order_id in rows

    # A cancelled order leaves the open list; the All filter still shows it.
    page.page.locator("#order-detail button[data-action=cancelled]").click()
    page.page.locator(f'#view-orders tr[data-id="{outcome.order_id}"]').wait_for(
        state="detached", timeout=30_000
    )
    page.page.select_option("#orders-filter", "all")
    page.page.locator(f'#view-orders tr[data-id="{outcome.order_id}"][data-status=cancelled]').wait_for()
    stock = tenant_collection(tenant, "availability").document("JKT-001").get().to_dict() or {}
    assert stock["reserved"] == 0


def test_bookings_by_day_and_a_no_show(page: Page, sheet_tenant: SheetTenant) -> None:
    tenant = sheet_tenant.tenant_id
    slots = [s.to_dict() or {} for s in tenant_collection(tenant, "slots").stream()]
    now = datetime.now(UTC)
    slot = min(
        (s for s in slots if s["free"] > 0 and s["date"] > (now + timedelta(days=1)).date().isoformat()),
        key=lambda s: (s["date"], s["start"]),
    )
    slot_id = f"{slot['sku']}__{slot['date']}T{slot['start'].replace(':', '')}"
    outcome = book_slot(
        tenant, slot_id=slot_id, customer_key=WA, wa_id=WA, profile_name="Dana", idempotency_key="b1"
    )
    assert outcome.booked
    page.open(tenant, "bookings")
    page.page.fill("#bookings-day", slot["date"])
    page.page.dispatch_event("#bookings-day", "change")
    card = page.page.locator(f'#view-bookings li[data-id="{outcome.booking_id}"]')
    card.wait_for()
    assert slot["start"] in card.inner_text() and "Dana" in card.inner_text()
    card.locator("button[data-action=no_show]").click()
    page.page.locator(f'#view-bookings li[data-id="{outcome.booking_id}"][data-status=no_show]').wait_for(
        timeout=30_000
    )
    page.screenshot("bookings")
