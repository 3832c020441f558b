"""The live backend the tools run on: the same catalog retrieval, slots and commerce code the
offline pipeline uses, for one customer of one tenant.

Reads go through the conversation engine's per-instance catalog index and re-read the few items
they return live (so a price or stock figure is never older than the message). Bookings and
orders go through `shared.commerce` (transactions, idempotent by key): the model cannot book a
full slot or oversell, because the same transaction that serves the offline path says no.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.agent.tools import BookingResult, OrderResult, Shortage, SlotView
from shared.conversation.catalog_index import catalog_index, info_entries, live_items
from shared.conversation.info import match_topic
from shared.conversation.retrieval import CatalogItem, list_free_slots, search_catalog

# Candidates re-read live beyond the limit: a live read may drop one (sold out, repriced).
SPARE = 2


@dataclass(frozen=True)
class LiveBackend:
    tenant_id: str
    customer_key: str
    wa_id: str
    profile_name: str | None
    today: date
    language: str | None = None  # the customer's: search and Info topics read their words

    def search(
        self, query: str, *, max_price_minor: int | None, category: str | None, limit: int
    ) -> list[CatalogItem]:
        index = catalog_index(self.tenant_id)
        found = search_catalog(
            index,
            query or category or "",
            max_price_minor=max_price_minor,
            category=category,
            limit=limit + SPARE,
            language=self.language,
        )
        # Re-read live: the index may be seconds old, a price or stock in a reply may not be.
        live = [
            item
            for item in live_items(self.tenant_id, [i.sku for i in found])
            if item.active
            and (
                max_price_minor is None
                or (item.price_minor is not None and item.price_minor <= max_price_minor)
            )
        ]
        # In-stock first, keeping retrieval's order otherwise.
        return sorted(live, key=lambda i: not i.available)[:limit]

    def items(self, skus: Sequence[str]) -> list[CatalogItem]:
        return [i for i in live_items(self.tenant_id, list(dict.fromkeys(skus))) if i.active]

    def free_slots(self, sku: str, day: date | None) -> list[SlotView]:
        from shared.storage import utcnow

        slots = list_free_slots(self.tenant_id, sku, day, now=utcnow())
        return [SlotView(s.slot_id, s.sku, s.date, s.start, s.free) for s in slots]

    def book(self, slot_id: str, *, idempotency_key: str) -> BookingResult:
        from shared.commerce.bookings import book_slot

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
        from shared.commerce.cart import CartError, CartLine
        from shared.commerce.orders import place_order
        from shared.errors import PermanentError

        try:
            outcome = place_order(
                self.tenant_id,
                customer_key=self.customer_key,
                wa_id=self.wa_id,
                profile_name=self.profile_name,
                lines=[CartLine(sku=sku, quantity=quantity) for sku, quantity in lines],
                source="chat",
                idempotency_key=idempotency_key,
            )
        except (CartError, PermanentError) as exc:  # a cart commerce will not take: say so, lose nothing
            return OrderResult(False, refused=str(exc))
        return OrderResult(
            placed=outcome.placed,
            order_id=outcome.order_id if outcome.placed else None,
            total_minor=outcome.total_minor,
            currency=outcome.currency,
            shortages=tuple(Shortage(s.sku, s.wanted, s.available) for s in outcome.shortages),
        )

    def info(self, topic: str) -> tuple[str | None, list[str]]:
        """The Info tab's answer for `topic` (matched in any of our languages), and every topic."""
        entries = info_entries(self.tenant_id)
        entry = match_topic(topic, entries, self.language)
        return (entry.answer if entry else None), [e.topic for e in entries]
