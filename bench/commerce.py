"""Customers racing for the last units and the last seats: nothing is ever sold twice.

`.venv/bin/python bench/commerce.py` against a running stack (only Firestore is used: reads
`FIRESTORE_EMULATOR_HOST`), or `--start` for its own on the TEST_PORT_BASE ports.

1. A shop whose sheet says 10 of a T-shirt are left; 50 customers press "place order" for one at
   the same moment (50 threads, released together by a barrier), each through `place_order`.
   Exactly 10 orders must be placed, `reserved` must be 10 and `available` 0, no order may hold
   more than it asked, and the other 40 are told of a shortage at once. Figures: the time each
   `place_order` took (p50/p95), the commits lost to a competitor and retried.
2. The same with 20 customers for a slot with 5 free seats: exactly 5 bookings.
3. Uncontended: 30 orders one after the other, for the time to place an order on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import percentiles, stack


def _seed(tenant_id: str, folder: Path) -> str:
    """A CSV shop polled into Firestore the normal way; returns the slot id."""
    from shared.sheets.poll import poll_tenant
    from shared.tenants import TenantConfig, save_tenant

    day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    sheet = folder / "bench_shop.csv"
    sheet.write_text(
        "SKU,Name,Price,Stock,Type,Slots\n"
        "TEE-LAST,Graphic Tee,$25.00,10,,\n"
        "TEE-MANY,Plain Tee,$15.00,100000,,\n"
        f"CUT-1,Haircut,$30.00,,Service,{day} 10:00 1/6\n"
    )
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{sheet}"))
    result = poll_tenant(tenant_id)
    assert result.valid == 3, result
    return f"CUT-1__{day}T1000"


def _race(n: int, action: Callable[[int], object]) -> tuple[list[object], list[float], float]:
    """Run `action(i)` in `n` threads released together; (results, seconds each, wall seconds)."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n
    took: list[float] = [0.0] * n

    def run(i: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        results[i] = action(i)
        took[i] = time.perf_counter() - started

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, took, time.perf_counter() - wall


def _ms(figures: dict[str, float]) -> str:
    return f"{figures['p50']} / {figures['p95']} / {figures['p99']} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", action="store_true", help="run a stack of its own on TEST_PORT_BASE")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--units", type=int, default=10, help="(fixed by the seeded sheet)")
    args = parser.parse_args()
    with stack(args.start):
        run(args.customers)


def run(customers: int) -> None:
    from shared.commerce.bookings import book_slot
    from shared.commerce.cart import CartLine
    from shared.commerce.orders import OrderOutcome, get_order, place_order
    from shared.commerce.transactions import Contention
    from shared.storage import tenant_collection

    tenant_id = f"bench-commerce-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder:
        slot_id = _seed(tenant_id, Path(folder))

        def order(i: int, sku: str = "TEE-LAST", key: str = "race") -> OrderOutcome:
            return place_order(
                tenant_id,
                customer_key=f"bench-{i}",
                wa_id=f"1555{i:07d}",
                profile_name=None,
                lines=[CartLine(sku, 1)],
                source="chat",
                idempotency_key=f"{key}-{i}",
            )

        results, took, wall = _race(customers, order)
        outcomes = [r for r in results if isinstance(r, OrderOutcome)]
        placed = [o for o in outcomes if o.placed]
        told_short = [o for o in outcomes if not o.placed and o.shortages]
        avail = tenant_collection(tenant_id, "availability").document("TEE-LAST").get().to_dict() or {}
        over = [
            o.order_id
            for o in placed
            if (stored := get_order(tenant_id, o.order_id)) is None
            or sum(i.quantity for i in stored.items) != 1
        ]
        order_lost = Contention.lost
        Contention.lost = 0
        seats = 20
        bookings, booking_took, booking_wall = _race(
            seats,
            lambda i: book_slot(
                tenant_id,
                slot_id=slot_id,
                customer_key=f"bench-b{i}",
                wa_id=f"1666{i:07d}",
                profile_name=None,
                idempotency_key=f"book-{i}",
            ),
        )
        booked = [b for b in bookings if getattr(b, "booked", False)]
        refused = {getattr(b, "reason", None) for b in bookings if not getattr(b, "booked", False)}
        slot = tenant_collection(tenant_id, "slots").document(slot_id).get().to_dict() or {}
        booking_lost = Contention.lost

        alone: list[float] = []
        for i in range(30):
            started = time.perf_counter()
            order(1000 + i, sku="TEE-MANY", key="alone")
            alone.append(time.perf_counter() - started)

    race_ms = percentiles([t * 1000 for t in took])
    booking_ms = percentiles([t * 1000 for t in booking_took])
    alone_ms = percentiles([t * 1000 for t in alone])
    ok_orders = len(placed) == 10 and avail.get("reserved") == 10 and avail.get("available") == 0 and not over
    ok_bookings = len(booked) == 5 and slot.get("booked") == 6 and slot.get("free") == 0
    refused_text = ", ".join(sorted(map(str, refused)))
    slot_text = " / ".join(str(slot.get(k)) for k in ("booked", "capacity", "free"))
    rows = [
        ("customers racing for the last 10 units", f"{customers}"),
        ("orders placed / told short", f"{len(placed)} / {len(told_short)}"),
        ("reserved / available after the race", f"{avail.get('reserved')} / {avail.get('available')}"),
        ("orders holding more than they asked", f"{len(over)}"),
        ("place_order under the race, p50 / p95 / p99", _ms(race_ms)),
        ("race wall time; commits lost and retried", f"{wall * 1000:.0f} ms; {order_lost}"),
        ("place_order alone, p50 / p95", f"{alone_ms['p50']} / {alone_ms['p95']} ms"),
        ("customers racing for 5 free seats", f"{seats}"),
        ("bookings made / refused (reason)", f"{len(booked)} / {seats - len(booked)} ({refused_text})"),
        ("slot booked / capacity / free", slot_text),
        ("book_slot under the race, p50 / p95", f"{booking_ms['p50']} / {booking_ms['p95']} ms"),
        ("booking race wall time; commits lost and retried", f"{booking_wall * 1000:.0f} ms; {booking_lost}"),
        ("never oversold", "yes" if ok_orders and ok_bookings else "NO"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'figure':{width}}value")
    for name, value in rows:
        print(f"{name:{width}}{value}")
    print(
        json.dumps(
            {
                "customers": customers,
                "orders_placed": len(placed),
                "reserved": avail.get("reserved"),
                "available": avail.get("available"),
                "over_reserved_orders": len(over),
                "told_short": len(told_short),
                "place_order_race_ms": race_ms,
                "place_order_alone_ms": alone_ms,
                "order_commits_retried": order_lost,
                "booking_customers": seats,
                "bookings": len(booked),
                "slot_booked": slot.get("booked"),
                "book_slot_race_ms": booking_ms,
                "never_oversold": ok_orders and ok_bookings,
            }
        )
    )
    if not (ok_orders and ok_bookings):
        sys.exit(1)


if __name__ == "__main__":
    main()
