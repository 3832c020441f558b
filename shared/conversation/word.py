"""word(plan, …) -> OutboundMessage: the plan in the customer's language, from the message catalog.

Every sentence is a catalog message filled with formatted values: item names (never SKUs),
prices with Babel for the locale (`R$ 39,90`, `Rp 150.000`, `₹1,00,000`), slot times as people
write them ("Sat 6 Dec, 10:00"), dates in words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.conversation.decide import Amount, ConceptRef, DayRef, ItemRef, Line, Plan, Row, SlotRef
from shared.conversation.lexicon import concept_table
from shared.conversation.retrieval import CatalogIndex, CatalogItem
from shared.i18n.catalog import day_label, long_date, message, money, slot_time
from shared.whatsapp.outbound import Button, ListRow, OutboundMessage

MAX_TEXT = 4096


class Words:
    """Formats one reply's values for a language and locale."""

    def __init__(self, lang: str, locale: str, catalog: CatalogIndex) -> None:
        self.lang, self.locale, self.catalog = lang, locale, catalog

    def name(self, sku: str) -> str:
        item = self.catalog.items.get(sku)
        return item.name if item else sku

    def price(self, item: CatalogItem) -> str:
        if item.price_minor is None:
            return message("price_on_request", self.lang)
        if item.price_minor == 0:
            return message("price_free", self.lang)
        return money(item.price_minor, item.currency, self.locale)

    def stock(self, item: CatalogItem) -> str:
        if item.kind == "service":
            return message("service_full" if item.status == "out" else "service_open", self.lang)
        if item.status == "out" or not item.active:
            return message("stock_out", self.lang)
        if item.status == "unknown":
            return message("stock_unknown", self.lang)
        if item.stock is not None:
            return message(
                "stock_low" if item.status == "low" else "stock_count", self.lang, count=item.stock
            )
        return message("stock_in", self.lang)

    def item_line(self, sku: str) -> str:
        item = self.catalog.items.get(sku)
        if item is None:
            return sku
        return message("item_line", self.lang, name=item.name, price=self.price(item), stock=self.stock(item))

    def value(self, value: Any) -> Any:
        if isinstance(value, ItemRef):
            return self.name(value.sku)
        if isinstance(value, Amount):
            return money(value.minor, value.currency, self.locale)
        if isinstance(value, SlotRef):
            return slot_time(date.fromisoformat(value.date), value.start, self.locale)
        if isinstance(value, DayRef):
            return day_label(value.day, self.locale)
        if isinstance(value, ConceptRef):
            names = concept_table().names.get(value.concept, {})
            return names.get(self.lang) or names.get("en") or value.concept
        return value

    def line(self, line: Line) -> str:
        if line.key == "item_line":
            return "• " + self.item_line(line.params["item"].sku)
        params = {k: self.value(v) for k, v in line.params.items()}
        if line.key == "list_more":
            params["button"] = message(str(line.params["button"]), self.lang)
        if line.key in ("out_back_on",):
            params["date"] = long_date(line.params["date"].day, self.locale)
        return message(line.key, self.lang, **params)

    def row(self, row: Row) -> ListRow:
        if row.item is not None:
            item = self.catalog.items.get(row.item)
            title = item.name if item else row.item
            description = f"{self.price(item)} · {self.stock(item)}" if item else None
            return ListRow(
                id=row.id, title=_fit(title, 24), description=_fit(description, 72) if description else None
            )
        if row.slot is not None:
            label = slot_time(date.fromisoformat(row.slot.date), row.slot.start, self.locale)
            return ListRow(id=row.id, title=_fit(label, 24), description=_fit(self.name(row.slot.sku), 72))
        return ListRow(id=row.id, title=_fit(message(row.title_key or "", self.lang), 24))


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def word(
    plan: Plan, *, lang: str, locale: str, catalog: CatalogIndex, stale: bool = False
) -> OutboundMessage:
    """The reply text (and buttons or list) for `plan`."""
    w = Words(lang, locale, catalog)
    lines = [w.line(line) for line in plan.lines]
    if stale and plan.quoted:
        lines.append(message("stale", lang))
    text = "\n".join(lines)[:MAX_TEXT]
    buttons = tuple(Button(id=bid, title=_fit(message(key, lang), 20)) for bid, key in plan.buttons[:3])
    rows = tuple(w.row(r) for r in plan.rows[:10]) if not buttons else ()
    return OutboundMessage(
        text=text,
        buttons=buttons,
        rows=rows,
        list_button=_fit(message(plan.list_button, lang), 20),
    )
