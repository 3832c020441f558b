"""The live backend the tools run on: the same catalog retrieval, slots and commerce code the
offline pipeline uses, for one customer of one tenant.

Reads go through the conversation engine's per-instance catalog index and re-read the few items
they return live (so a price or stock figure is never older than the message). Bookings and
orders go through `shared.commerce` (transactions, idempotent by key): the model cannot book a
full slot or oversell, because the same transaction that serves the offline path says no.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.agent.tools import BookingResult, OrderResult, Shortage, SlotView
from shared.conversation.catalog_index import CatalogItem, catalog_index, live_items, tokens
from shared.log import get_logger, log_event
from shared.storage import tenant_collection

log = get_logger(__name__)
# Retrieval is asked for more than it returns: filters (price, category, stock) drop some.
OVERFETCH = 4


@dataclass(frozen=True)
class LiveBackend:
    tenant_id: str
    customer_key: str
    wa_id: str
    profile_name: str | None
    today: date

    def search(
        self, query: str, *, max_price_minor: int | None, category: str | None, limit: int
    ) -> list[CatalogItem]:
        index = catalog_index(self.tenant_id)
        words = f"{query} {category or ''}".strip()
        skus = [item.sku for item, _ in index.search(words, k=limit * OVERFETCH)]
        if not skus and category:
            wanted = set(tokens(category))
            skus = [s for s, i in index.items.items() if i.active and wanted & set(tokens(i.category))]
        found = [
            item
            for item in live_items(self.tenant_id, skus[: limit * OVERFETCH])
            if item.active
            and (
                max_price_minor is None
                or (item.price_minor is not None and item.price_minor <= max_price_minor)
            )
            and (not category or _same_category(category, item.category))
        ]
        # In-stock first, keeping retrieval's order otherwise.
        return sorted(found, key=lambda i: not i.available)[:limit]

    def items(self, skus: Sequence[str]) -> list[CatalogItem]:
        return [i for i in live_items(self.tenant_id, list(dict.fromkeys(skus))) if i.active]

    def free_slots(self, sku: str, day: date | None) -> list[SlotView]:
        from shared.conversation.context import free_slots

        slots = free_slots(self.tenant_id, [sku], max(day or self.today, self.today), limit=50)
        return [
            SlotView(s.slot_id, s.sku, s.date, s.start, s.free)
            for s in slots
            if day is None or s.date == day.isoformat()
        ]

    def book(self, slot_id: str, *, idempotency_key: str) -> BookingResult:
        try:
            from shared.commerce.bookings import book_slot
        except ImportError:
            log_event(log, 30, "bookings are not available here", tenant_id=self.tenant_id)
            return BookingResult("unavailable")
        outcome = book_slot(
            self.tenant_id,
            slot_id=slot_id,
            customer_key=self.customer_key,
            wa_id=self.wa_id,
            profile_name=self.profile_name,
            idempotency_key=idempotency_key,
        )
        if outcome.booked:
            return BookingResult("booked", outcome.booking_id)
        return BookingResult(outcome.reason or "unknown_slot")

    def order(self, lines: Sequence[tuple[str, int]], *, idempotency_key: str) -> OrderResult:
        try:
            from shared.commerce.cart import CartLine
            from shared.commerce.orders import place_order
        except ImportError:
            log_event(log, 30, "orders are not available here", tenant_id=self.tenant_id)
            return OrderResult(False)
        outcome = place_order(
            self.tenant_id,
            customer_key=self.customer_key,
            wa_id=self.wa_id,
            profile_name=self.profile_name,
            lines=[CartLine(sku=sku, quantity=quantity) for sku, quantity in lines],
            source="chat",
            idempotency_key=idempotency_key,
        )
        return OrderResult(
            placed=outcome.placed,
            order_id=outcome.order_id if outcome.placed else None,
            total_minor=outcome.total_minor,
            currency=outcome.currency,
            shortages=tuple(Shortage(s.sku, s.wanted, s.available) for s in outcome.shortages),
        )

    def info(self, topic: str) -> tuple[str | None, list[str]]:
        """The Info tab's answer whose topic shares the most words with `topic`."""
        entries = [d.to_dict() or {} for d in tenant_collection(self.tenant_id, "info").limit(50).stream()]
        wanted = set(tokens(topic))
        best, best_overlap = None, 0
        for entry in entries:
            overlap = len(wanted & set(tokens(str(entry.get("topic", "")))))
            if overlap > best_overlap and entry.get("answer"):
                best, best_overlap = str(entry["answer"]), overlap
        return best, [str(e.get("topic")) for e in entries if e.get("topic")]


def _same_category(wanted: str, category: str) -> bool:
    a, b = set(tokens(wanted)), set(tokens(category))
    return bool(a & b) or re.sub(r"\W", "", wanted.lower()) == re.sub(r"\W", "", category.lower())
