"""decide(understanding, state, facts) -> Plan: what the reply does and says, before any words.

Pure. The plan is a list of message-catalog lines with typed parameters (items, amounts, slots:
`word` formats them for the customer's locale), the buttons or list attached, the next dialogue
state, and the side effects the worker carries out (hand-off, needs_staff, notify request,
order or booking through commerce, events).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from shared.conversation.facts import InfoEntry, Slot
from shared.conversation.lexicon import compiled, concept_table
from shared.conversation.retrieval import CatalogIndex, CatalogItem
from shared.conversation.state import CartLine, DialogueState, Pending
from shared.conversation.text import fold
from shared.conversation.understand import Understanding

LIST_ROWS = 10
LIST_LINES = 5
ANSWER_ITEMS = 3
ANSWERING = frozenset({"product", "availability", "browse", "order", "booking", "info"})


@dataclass(frozen=True)
class ItemRef:
    sku: str


@dataclass(frozen=True)
class Amount:
    minor: int
    currency: str


@dataclass(frozen=True)
class SlotRef:
    date: str
    start: str


@dataclass(frozen=True)
class DayRef:
    day: date


@dataclass(frozen=True)
class ConceptRef:
    concept: str


@dataclass(frozen=True)
class Line:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    id: str
    item: str | None = None  # SKU: title = the item's name, description = price and stock
    slot: Slot | None = None
    title_key: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the worker read for this message (all optional: tests pass only what they need)."""

    catalog: CatalogIndex
    slots: Sequence[Slot] = ()
    info: Sequence[InfoEntry] = ()
    now: datetime | None = None
    shop: str = "our shop"
    chosen_slot: Slot | None = None  # the slot a pressed `slot:` button names


@dataclass(frozen=True)
class Plan:
    intent: str
    lines: tuple[Line, ...]
    state: DialogueState
    buttons: tuple[tuple[str, str], ...] = ()  # (id, title message key)
    rows: tuple[Row, ...] = ()
    list_button: str = "list_button"
    quoted: tuple[str, ...] = ()  # SKUs whose facts the reply states
    slot_times: tuple[str, ...] = ()
    amounts: tuple[int, ...] = ()  # computed amounts the reply may state (cart totals)
    handoff: bool = False
    needs_staff: str | None = None
    matched: bool = True
    notify_sku: str | None = None
    rating: int | None = None
    resolved: bool = False
    upsold: bool = False
    conversion: str | None = None  # "order" | "booking"
    revenue_minor: int = 0
    currency: str = ""
    out_of_stock: tuple[str, ...] = ()
    order_lines: tuple[CartLine, ...] = ()
    booking_slot: Slot | None = None
    opt_out: bool | None = None
    llm_allowed: bool = True
    notes: tuple[str, ...] = ()


def decide(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    """The plan for answering `u`."""
    state = replace(state, language=u.language, last_intent=u.intent)
    handler = _HANDLERS.get(u.intent, _unknown)
    return handler(u, state, facts)


# -- simple intents ---------------------------------------------------------------------------


def _media(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("media"),), state, llm_allowed=False)


def _human(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("handoff"),), replace(state, pending=None), handoff=True, llm_allowed=False)


def _complaint(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(
        u.intent,
        (Line("complaint"),),
        replace(state, pending=None),
        handoff=True,
        notes=("apologise sincerely; a person from the team will follow up; no sales suggestions",),
    )


def _opt_out(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("opt_out"),), replace(state, pending=None), opt_out=True, llm_allowed=False)


def _opt_in(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("opt_in"),), state, opt_out=False, llm_allowed=False)


def _rating(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    rating = u.rating if u.rating is not None else (int(u.text.strip()) if u.text.strip().isdigit() else None)
    return Plan(
        u.intent, (Line("rated"),), replace(state, pending=None, rated=True), rating=rating, llm_allowed=False
    )


def _thanks(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    previous = state.items and not state.rated
    if previous:
        rows = tuple(Row(f"rate:{n}", title_key=f"rate_{n}") for n in (5, 4, 3, 2, 1))
        return Plan(
            u.intent,
            (Line("thanks_rate", {"shop": facts.shop}),),
            replace(state, pending=Pending("rating")),
            rows=rows,
            list_button="rate_button",
            resolved=True,
            llm_allowed=False,
        )
    return Plan(u.intent, (Line("thanks" if u.intent == "thanks" else "bye"),), state, llm_allowed=False)


def _greeting(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("greeting", {"shop": facts.shop}),), state)


def _unknown(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if len(u.text.split()) <= 2 and not u.question:
        return Plan(u.intent, (Line("confirm_nothing"),), state, matched=True)
    return _needs_staff(u, state)


def _needs_staff(u: Understanding, state: DialogueState, key: str = "needs_staff", **params: Any) -> Plan:
    return Plan(
        u.intent,
        (Line(key, params),),
        replace(state, pending=None),
        needs_staff=u.text.strip()[:500],
        notes=("say honestly that you will check with the team; invent nothing",),
    )


# -- answers from the Info tab ----------------------------------------------------------------


def _info(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    entry = next((e for e in facts.info if e.topic_id == u.info_topic), None)
    if entry is None:
        return _needs_staff(u, state)
    return Plan(
        u.intent,
        (Line("info_answer", {"answer": entry.answer}),),
        replace(state, pending=None),
        notes=("quote the shop's answer exactly; add nothing to it",),
        llm_allowed=False,
    )


# -- items ------------------------------------------------------------------------------------


def _item(facts: Facts, sku: str) -> CatalogItem | None:
    return facts.catalog.items.get(sku)


def _items(facts: Facts, skus: Sequence[str]) -> list[CatalogItem]:
    return [i for i in (_item(facts, s) for s in skus) if i is not None]


def _product(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if (
        state.cart
        and u.item_source in ("reference", "none")
        and u.attribute in ("price", None)
        and not u.attribute_value
    ):
        return _checkout(u, state, facts, [])  # "how much is that?" with an open order: its total
    items = _items(facts, u.items)
    if not items:
        return _not_found(u, state, facts)
    if (u.attribute and u.attribute != "price") or (u.attribute_value and u.item_source == "reference"):
        return _attributes(u, state, facts, items[:ANSWER_ITEMS])
    lines: list[Line] = []
    if u.missing and u.item_source != "name":
        lines.append(Line("missing_value", {"value": ConceptRef(u.missing[0])}))
    shown = items[:ANSWER_ITEMS]
    lines += [Line("item_line", {"item": ItemRef(i.sku)}) for i in shown]
    return _with_stock_follow_up(u, state, facts, shown, lines)


def _with_stock_follow_up(
    u: Understanding, state: DialogueState, facts: Facts, shown: list[CatalogItem], lines: list[Line]
) -> Plan:
    quoted = [i.sku for i in shown]
    buttons: tuple[tuple[str, str], ...] = ()
    pending = None
    notify = None
    out = [i for i in shown if not i.available and i.kind != "service"]
    if out:
        first = out[0]
        if first.restock_date:
            lines.append(
                Line(
                    "out_back_on",
                    {"name": ItemRef(first.sku), "date": DayRef(date.fromisoformat(first.restock_date))},
                )
            )
        else:
            lines.append(Line("out_no_date", {"name": ItemRef(first.sku)}))
        alternatives = facts.catalog.related(first, exclude=quoted, k=3)
        if alternatives:
            lines.append(Line("alternatives"))
            lines += [Line("item_line", {"item": ItemRef(a.sku)}) for a in alternatives]
            quoted += [a.sku for a in alternatives]
        lines.append(Line("notify_offer"))
        buttons = ((f"notify:{first.sku}", "notify_button"),)
        pending = Pending("notify", (first.sku,))
        notify = first.sku
    upsold = False
    if (
        not out
        and not state.upsold
        and u.intent in ("product", "availability")
        and u.item_source != "reference"
    ):
        upsell = facts.catalog.related(shown[0], exclude=quoted, k=1)
        if upsell:
            lines.append(
                Line(
                    "upsell",
                    {
                        "name": ItemRef(upsell[0].sku),
                        "price": Amount(upsell[0].price_minor or 0, upsell[0].currency),
                    },
                )
            )
            quoted.append(upsell[0].sku)
            upsold = True
    new_state = replace(
        state.with_items([i.sku for i in shown] + [q for q in quoted if q not in {i.sku for i in shown}]),
        pending=pending,
        upsold=state.upsold or upsold,
    )
    return Plan(
        u.intent,
        tuple(lines),
        new_state,
        buttons=buttons,
        quoted=tuple(quoted),
        upsold=upsold,
        out_of_stock=tuple(i.sku for i in out),
        notes=("answer with the listed price and stock of each item asked about",)
        + (
            ("it is out of stock: give the restock date if listed, suggest alternatives, offer to notify",)
            if notify
            else ()
        ),
    )


def _not_found(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if not u.unmatched and not u.question and state.items:
        return _product(replace(u, items=state.items[:1], item_source="reference"), state, facts)
    if not u.unmatched and not u.missing and not u.attribute and len(u.text.split()) <= 3:
        return Plan(u.intent, (Line("which_item"),), state)
    suggestions = facts.catalog.popular(3)
    lines = [Line("not_found_suggest" if suggestions else "not_found")]
    lines += [Line("item_line", {"item": ItemRef(i.sku)}) for i in suggestions]
    return Plan(
        u.intent,
        tuple(lines),
        replace(state.with_items([i.sku for i in suggestions]), pending=None),
        quoted=tuple(i.sku for i in suggestions),
        matched=False,
        notes=("say we could not find it; suggest the listed items",),
    )


_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")


def _attributes(u: Understanding, state: DialogueState, facts: Facts, items: list[CatalogItem]) -> Plan:
    lines: list[Line] = []
    unknown = False
    for item in items:
        sentences = [s.strip() for s in _SENTENCE.split(item.description) if s.strip()]
        if u.attribute_value:
            has = facts.catalog.has_concept(item.sku, u.attribute_value)
            quote = _sentence_with_concept(sentences, u.attribute_value) or (item.name if has else None)
            if has and quote:
                lines.append(Line("attr_yes", {"name": ItemRef(item.sku), "quote": quote}))
                continue
            if sentences:
                quote = _sentence_about(sentences, u.attribute, u.language) or sentences[0]
                lines.append(
                    Line(
                        "attr_not_listed",
                        {"value": ConceptRef(u.attribute_value), "name": ItemRef(item.sku), "quote": quote},
                    )
                )
                continue
            if item.tags:
                lines.append(
                    Line(
                        "attr_not_listed",
                        {
                            "value": ConceptRef(u.attribute_value),
                            "name": ItemRef(item.sku),
                            "quote": ", ".join(item.tags),
                        },
                    )
                )
                continue
            unknown = True
            lines.append(Line("attr_unknown", {"name": ItemRef(item.sku)}))
            continue
        quote = _sentence_about(sentences, u.attribute, u.language)
        if quote is None and sentences:
            quote = " ".join(sentences)[:300]
        if quote:
            lines.append(Line("attr_quote", {"name": ItemRef(item.sku), "quote": quote}))
        else:
            unknown = True
            lines.append(Line("attr_unknown", {"name": ItemRef(item.sku)}))
    if not any(line.key != "attr_unknown" for line in lines):
        lines += [Line("item_line", {"item": ItemRef(i.sku)}) for i in items]
    return Plan(
        u.intent,
        tuple(lines),
        replace(state.with_items([i.sku for i in items]), pending=None),
        quoted=tuple(i.sku for i in items),
        needs_staff=u.text.strip()[:500] if unknown else None,
        notes=("quote the item's description; never add properties it does not state",),
    )


def _sentence_with_concept(sentences: list[str], concept: str) -> str | None:
    table = concept_table()
    wanted = {w for w, cs in table.words.items() if concept in cs}
    phrases = [p for p, cs in table.phrase_concepts.items() if concept in cs]
    for sentence in sentences:
        folded = fold(sentence)
        if wanted & set(re.findall(r"[\w']+", folded)) or any(p in folded for p in phrases):
            return sentence
    return None


def _sentence_about(sentences: list[str], attribute: str | None, lang: str) -> str | None:
    if not attribute:
        return None
    patterns = [
        compiled(code).attributes.get(attribute)
        for code in dict.fromkeys((lang, "en", "es", "pt", "fr", "id", "hi"))
    ]
    for sentence in sentences:
        folded = fold(sentence)
        if any(p is not None and p.search(folded) for p in patterns):
            return sentence
    return None


# -- lists ------------------------------------------------------------------------------------


def _browse(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    pool = _items(facts, u.candidates) if u.candidates else []
    if not pool and u.items:
        pool = _items(facts, u.items)
    if not pool:
        if u.max_price_minor is not None or u.sort is not None:
            pool = [i for i in facts.catalog.items.values() if i.active]
        else:
            return _not_found(u, state, facts)
    lines: list[Line] = []
    if u.missing:
        lines.append(Line("missing_value", {"value": ConceptRef(u.missing[0])}))
    currency = pool[0].currency
    within = [
        i for i in pool
        if i.price_minor is not None
        and (u.max_price_minor is None or i.price_minor <= u.max_price_minor)
        and (u.min_price_minor is None or i.price_minor >= u.min_price_minor)
    ]  # fmt: skip
    if u.max_price_minor is None and u.min_price_minor is None:
        within = pool
    if not within and u.max_price_minor is not None:
        lines.append(Line("list_none_under", {"amount": Amount(u.max_price_minor, currency)}))
        within = sorted((i for i in pool if i.price_minor is not None), key=lambda i: i.price_minor or 0)[:3]
    elif u.min_price_minor is not None and u.max_price_minor is not None:
        lines.append(
            Line(
                "list_between",
                {"low": Amount(u.min_price_minor, currency), "high": Amount(u.max_price_minor, currency)},
            )
        )
    elif u.max_price_minor is not None:
        lines.append(Line("list_under", {"amount": Amount(u.max_price_minor, currency)}))
    elif u.min_price_minor is not None:
        lines.append(Line("list_over", {"amount": Amount(u.min_price_minor, currency)}))
    elif u.sort == "price_asc":
        lines.append(Line("list_cheapest"))
    elif u.sort == "price_desc":
        lines.append(Line("list_priciest"))
    elif not u.missing:
        lines.append(Line("list_intro"))
    # Without a sort asked for, the shop's own order (its sheet rows), in-stock items first.
    ordered = sorted(within, key=lambda i: (i.row, i.name))
    available_first = sorted(ordered, key=lambda i: not i.available)
    if u.sort == "price_asc":
        ordered = sorted(available_first, key=lambda i: (not i.available, i.price_minor or 0))
    elif u.sort == "price_desc":
        ordered = sorted(available_first, key=lambda i: (not i.available, -(i.price_minor or 0)))
    else:
        ordered = available_first
    shown = ordered[:LIST_LINES]
    lines += [Line("item_line", {"item": ItemRef(i.sku)}) for i in shown]
    rows = tuple(Row(f"item:{i.sku}", item=i.sku) for i in ordered[:LIST_ROWS]) if len(ordered) > 1 else ()
    if len(ordered) > LIST_LINES and rows:
        lines.append(Line("list_more", {"count": len(ordered) - LIST_LINES, "button": "list_button"}))
    elif rows:
        lines.append(Line("pick_item"))
    listed = [i.sku for i in ordered[:LIST_ROWS]]
    return Plan(
        u.intent,
        tuple(lines),
        replace(state.with_items(listed), pending=None),
        rows=rows,
        quoted=tuple(listed),
        amounts=tuple(a for a in (u.max_price_minor, u.min_price_minor) if a is not None),
        notes=("list the items with their prices; respect the customer's budget",),
    )


# -- orders -----------------------------------------------------------------------------------


def _order(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    skus = list(u.items) if u.items and not u.listing else []
    if not skus and state.pending is not None and state.pending.kind == "quantity":
        skus = list(state.pending.skus)
    if not skus and u.quantity and state.items:
        skus = list(state.items[:1])
    if not skus:
        if state.cart and not u.unmatched:
            return _checkout(u, state, facts, [])
        if u.unmatched:
            return _not_found(u, state, facts)
        return Plan(u.intent, (Line("order_which"),), state)
    lines: list[Line] = []
    cart = list(state.cart)
    unavailable: list[CatalogItem] = []
    short: list[str] = []
    own = dict(u.item_quantities)
    for item in _items(facts, skus[:ANSWER_ITEMS]):
        if not item.available:
            unavailable.append(item)
            continue
        quantity = own.get(item.sku, u.quantity or 1)
        if item.stock is not None and quantity > item.stock:
            lines.append(Line("chat_stock_short", {"available": item.stock, "name": ItemRef(item.sku)}))
            short.append(item.sku)
            continue
        cart = [c for c in cart if c.sku != item.sku] + [CartLine(item.sku, quantity)]
        lines.append(
            Line(
                "cart_added",
                {
                    "quantity": quantity,
                    "name": ItemRef(item.sku),
                    "price": Amount(item.price_minor or 0, item.currency),
                },
            )
        )
    if unavailable and not lines:
        plan = _with_stock_follow_up(
            u, state, facts, unavailable, [Line("item_line", {"item": ItemRef(i.sku)}) for i in unavailable]
        )
        return plan
    state = replace(state, cart=tuple(cart))
    plan = _checkout(u, state, facts, lines)
    return replace(plan, quoted=plan.quoted + tuple(s for s in short if s not in plan.quoted))


def _checkout(u: Understanding, state: DialogueState, facts: Facts, lines: list[Line]) -> Plan:
    cart = [c for c in state.cart if c.sku in facts.catalog.items]
    if not cart:
        return Plan(u.intent, (*lines, Line("cart_empty")), replace(state, pending=None), matched=bool(lines))
    currency = facts.catalog.items[cart[0].sku].currency
    amounts = []
    for c in cart:
        item = facts.catalog.items[c.sku]
        amount = (item.price_minor or 0) * c.quantity
        amounts.append(amount)
        lines.append(
            Line(
                "cart_line",
                {"quantity": c.quantity, "name": ItemRef(c.sku), "amount": Amount(amount, currency)},
            )
        )
    total = sum(amounts)
    lines.append(Line("cart_total", {"total": Amount(total, currency)}))
    lines.append(Line("cart_confirm"))
    return Plan(
        u.intent,
        tuple(lines),
        replace(
            state.with_items([c.sku for c in cart]),
            pending=Pending("confirm_order", tuple(c.sku for c in cart)),
        ),
        buttons=(("order:place", "confirm_button"), ("order:more", "keep_shopping_button")),
        quoted=tuple(c.sku for c in cart),
        amounts=(*amounts, total),
        notes=("confirm the cart lines and total exactly as listed; ask whether to place the order",),
        llm_allowed=False,
    )


def _place_order(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    cart = [c for c in state.cart if c.sku in facts.catalog.items]
    if not cart:
        return Plan("confirm", (Line("cart_empty"),), replace(state, pending=None))
    currency = facts.catalog.items[cart[0].sku].currency
    total = sum((facts.catalog.items[c.sku].price_minor or 0) * c.quantity for c in cart)
    return Plan(
        "confirm",
        (Line("chat_order_placed", {"total": Amount(total, currency)}),),
        replace(state, cart=(), pending=None),
        quoted=tuple(c.sku for c in cart),
        amounts=(total,),
        conversion="order",
        revenue_minor=total,
        currency=currency,
        order_lines=tuple(cart),
        llm_allowed=False,
    )


# -- yes / no against the pending question ------------------------------------------------------


def _confirm(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if u.payload == "order:place":  # the cart's own button, pressed later: it confirms the cart
        return _place_order(u, state, facts)
    pending = state.pending
    if pending is None:
        return Plan(u.intent, (Line("confirm_nothing"),), state)
    if pending.kind == "confirm_order":
        return _place_order(u, state, facts)
    if pending.kind == "book_slot" and pending.slot_id:
        slot = next((s for s in facts.slots if s.slot_id == pending.slot_id), None)
        return _book(u, state, facts, slot)
    if pending.kind == "notify" and pending.skus:
        return _notify(replace(u, items=pending.skus[:1]), state, facts)
    if pending.kind == "quantity" and pending.skus:
        return _order(replace(u, items=pending.skus, quantity=1), state, facts)
    return Plan(u.intent, (Line("confirm_nothing"),), replace(state, pending=None))


def _deny(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return Plan(u.intent, (Line("deny"),), replace(state, pending=None))


def _notify(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    skus = list(u.items) or ([s for s in state.items if (i := _item(facts, s)) and not i.available][:1])
    if not skus and state.pending is not None and state.pending.kind == "notify":
        skus = list(state.pending.skus)
    target = _item(facts, skus[0]) if skus else None
    if target is None:
        return _product(u, state, facts)
    return Plan(
        "notify",
        (Line("notify_done", {"name": ItemRef(target.sku)}),),
        replace(state, pending=None),
        quoted=(target.sku,),
        notify_sku=target.sku,
        llm_allowed=False,
    )


def _cancel(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if state.cart:
        return Plan(u.intent, (Line("cancel_cart"),), replace(state, cart=(), pending=None))
    return _needs_staff(u, state, "cancel_check")


def _order_status(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    return _needs_staff(u, state, "order_status_none")


# -- bookings ---------------------------------------------------------------------------------


def _booking(u: Understanding, state: DialogueState, facts: Facts) -> Plan:
    if u.payload and u.payload.startswith("slot:"):
        return _book(u, state, facts, facts.chosen_slot)
    service = _service(u, state, facts)
    if service is None:
        services = facts.catalog.services()
        if not services:
            return _product(u, state, facts) if u.items else _needs_staff(u, state)
        rows = tuple(Row(f"item:{s.sku}", item=s.sku) for s in services[:LIST_ROWS])
        return Plan(
            u.intent,
            (
                Line("which_service"),
                *(Line("item_line", {"item": ItemRef(s.sku)}) for s in services[:LIST_LINES]),
            ),
            replace(state.with_items([s.sku for s in services]), pending=None),
            rows=rows,
            quoted=tuple(s.sku for s in services[:LIST_ROWS]),
        )
    slots = sorted(
        (s for s in facts.slots if s.sku == service.sku and s.free > 0), key=lambda s: (s.date, s.start)
    )
    name = ItemRef(service.sku)
    now = facts.now
    # "a mani and a pedi": every service asked for is named; times are offered for the first.
    pool = list(state.items) if u.item_source in ("reference", "none") else [*u.items, *state.items]
    others = [
        sk for sk in pool if sk != service.sku and (i := _item(facts, sk)) is not None and i.kind == "service"
    ]
    asked = list(dict.fromkeys([service.sku, *others[:2]]))
    lines: list[Line] = [Line("item_line", {"item": ItemRef(sk)}) for sk in asked]
    chosen: list[Slot] = []
    pending = Pending("pick_slot", (service.sku,))
    day = u.date or (date.fromisoformat(state.pending.date) if state.pending and state.pending.date else None)
    if not slots:
        return replace(_needs_staff(u, state, "slots_none", name=name), quoted=tuple(asked))
    past = now is not None and (
        (day is not None and day < now.date())
        or (day is not None and u.time is not None and day == now.date() and u.time <= now.strftime("%H:%M"))
    )
    if past:
        lines.append(Line("slots_past", {"name": name}))
        chosen = slots[:LIST_ROWS]
    elif day is not None:
        on_day = [s for s in slots if s.date == day.isoformat()]
        exact = [s for s in on_day if u.time and s.start == u.time]
        if exact:
            return _offer_slot(u, state, service, asked, lines, exact[0])
        if on_day and u.time:
            lines.append(Line("slots_time_taken", {"time": u.time, "name": name}))
            chosen = sorted(on_day, key=lambda s: abs(_minutes(s.start) - _minutes(u.time or "00:00")))[
                :LIST_ROWS
            ]
            chosen.sort(key=lambda s: s.start)
        elif on_day:
            lines.append(Line("slots_on_day", {"day": DayRef(day), "name": name}))
            chosen = on_day[:LIST_ROWS]
        else:
            lines.append(Line("slots_day_full", {"day": DayRef(day), "name": name}))
            after = [s for s in slots if s.date >= day.isoformat()] or slots
            chosen = after[:LIST_ROWS]
        pending = Pending("pick_slot", (service.sku,), date=day.isoformat())
    else:
        if u.time:
            same_time = [s for s in slots if s.start == u.time]
            if same_time:
                return _offer_slot(u, state, service, asked, lines, same_time[0])
        lines.append(Line("slots_intro", {"name": name}))
        chosen = slots[:LIST_ROWS]
    lines += [Line("slot_item", {"when": SlotRef(s.date, s.start)}) for s in chosen[:LIST_LINES]]
    lines.append(Line("slots_pick"))
    return Plan(
        u.intent,
        tuple(lines),
        replace(state.with_items(asked), pending=pending),
        rows=tuple(Row(f"slot:{s.slot_id}", slot=s) for s in chosen),
        list_button="slots_button",
        quoted=tuple(asked),
        slot_times=tuple(s.start for s in chosen) + ((u.time,) if u.time else ()),
        notes=("invite them to pick one of the free times in the attached list",),
    )


def _price(facts: Facts, sku: str) -> int:
    item = _item(facts, sku)
    return item.price_minor or 0 if item else 0


def _currency(facts: Facts, sku: str) -> str:
    item = _item(facts, sku)
    return item.currency if item else ""


def _offer_slot(
    u: Understanding,
    state: DialogueState,
    service: CatalogItem,
    asked: list[str],
    lines: list[Line],
    slot: Slot,
) -> Plan:
    """The asked time is free: say so and ask whether to book it (a button books it)."""
    lines.append(Line("slot_confirm", {"name": ItemRef(service.sku), "when": SlotRef(slot.date, slot.start)}))
    return Plan(
        u.intent,
        tuple(lines),
        replace(
            state.with_items(asked), pending=Pending("book_slot", (service.sku,), slot.slot_id, slot.date)
        ),
        buttons=((f"slot:{slot.slot_id}", "confirm_button_booking"),),
        quoted=tuple(asked),
        slot_times=(slot.start,),
        notes=("the asked time is free: ask whether to book it",),
        llm_allowed=False,
    )


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _service(u: Understanding, state: DialogueState, facts: Facts) -> CatalogItem | None:
    for sku in list(u.items) + list(state.pending.skus if state.pending else ()) + list(state.items):
        item = _item(facts, sku)
        if item is not None and item.kind == "service":
            return item
    services = facts.catalog.services()
    return services[0] if len(services) == 1 else None


def _book(u: Understanding, state: DialogueState, facts: Facts, slot: Slot | None) -> Plan:
    if slot is None or slot.free <= 0:
        service = _service(u, state, facts)
        others = [s for s in facts.slots if service is None or s.sku == service.sku][:LIST_ROWS]
        if not others:
            return _needs_staff(u, state, "fallback")
        return Plan(
            "booking",
            (
                Line("slot_taken"),
                *(Line("slot_item", {"when": SlotRef(s.date, s.start)}) for s in others[:LIST_LINES]),
            ),
            replace(state, pending=Pending("pick_slot", (others[0].sku,))),
            rows=tuple(Row(f"slot:{s.slot_id}", slot=s) for s in others),
            list_button="slots_button",
            slot_times=tuple(s.start for s in others),
        )
    return Plan(
        "booking",
        (Line("booked", {"name": ItemRef(slot.sku), "when": SlotRef(slot.date, slot.start)}),),
        replace(state.with_items([slot.sku]), pending=None),
        quoted=(slot.sku,),
        slot_times=(slot.start,),
        conversion="booking",
        revenue_minor=_price(facts, slot.sku),
        currency=_currency(facts, slot.sku),
        booking_slot=slot,
        llm_allowed=False,
    )


_HANDLERS = {
    "media": _media,
    "human": _human,
    "complaint": _complaint,
    "opt_out": _opt_out,
    "opt_in": _opt_in,
    "rating": _rating,
    "thanks": _thanks,
    "bye": _thanks,
    "greeting": _greeting,
    "info": _info,
    "product": _product,
    "availability": _product,
    "browse": _browse,
    "order": _order,
    "confirm": _confirm,
    "deny": _deny,
    "notify": _notify,
    "cancel": _cancel,
    "order_status": _order_status,
    "booking": _booking,
    "unknown": _unknown,
}
