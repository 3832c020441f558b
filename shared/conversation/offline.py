"""The offline grounded responder, and the reply plan every responder follows.

`plan_reply` decides *what happens* for a message — hand-off, notify request, rating, booking or
order, which buttons, whether to upsell — from the intent and the catalog facts, with no
network. Its text is a complete, grounded reply built from templates; an LLM may only re-word
it (see `worker`), and the plan's actions stay the same whoever wrote the words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.conversation.catalog_index import CatalogItem
from shared.conversation.context import ReplyContext, fact_line
from shared.conversation.money import format_price
from shared.whatsapp.outbound import Button, ListRow, OutboundMessage

ANSWERING = ("product", "availability", "order", "booking")
RATING_ROWS = tuple(ListRow(id=f"rate:{n}", title=f"{'★' * n}", description=d) for n, d in (
    (5, "Excellent"), (4, "Good"), (3, "Okay"), (2, "Poor"), (1, "Bad"),
))  # fmt: skip


@dataclass(frozen=True)
class ReplyPlan:
    message: OutboundMessage
    handoff: bool = False
    notify_sku: str | None = None
    rating: int | None = None
    conversion: str | None = None  # "order" | "booking"
    conversion_item: CatalogItem | None = None
    resolved: bool = False
    upsold: bool = False
    matched: bool = True  # False when the customer asked about something we could not find
    notes: list[str] = field(default_factory=list)  # guidance for an LLM re-wording
    llm_allowed: bool = True


def _list(items: tuple[CatalogItem, ...]) -> str:
    return "\n".join(f"• {fact_line(i)}" for i in items)


def plan_reply(ctx: ReplyContext) -> ReplyPlan:
    """The grounded reply to `ctx`, built from templates (no network)."""
    intent = ctx.intent
    state = ctx.state
    stale = (
        "\n(Stock figures may be a little out of date; I'll confirm before you pay.)"
        if ctx.sheets_stale
        else ""
    )
    if intent == "human":
        return ReplyPlan(
            OutboundMessage(
                text="Sure — I've asked a member of our team to take over. They'll reply here shortly."
            ),
            handoff=True,
            llm_allowed=False,
        )
    if intent == "complaint":
        return ReplyPlan(
            OutboundMessage(
                text="I'm really sorry about that. I've passed your message to our team and a person "
                "will get back to you here as soon as possible."
            ),
            handoff=True,
            notes=["apologise sincerely; a person from the team will follow up; no sales suggestions"],
        )
    if intent == "rating":
        from shared.conversation.intent import rating_from

        value = rating_from(ctx.payload, ctx.text)
        return ReplyPlan(
            OutboundMessage(text="Thank you for rating us — it really helps!"),
            rating=value,
            llm_allowed=False,
        )
    if intent == "media":
        what = "message" if ctx.message_type == "unsupported" else ctx.message_type
        return ReplyPlan(
            OutboundMessage(
                text=f"Thanks for the {what}! I can only read text here — tell me which "
                "product you're looking for and I'll check the price and stock."
            ),
            llm_allowed=False,
        )
    if intent in ("thanks", "bye"):
        if state.get("last_intent") in ANSWERING and not state.get("rated"):
            return ReplyPlan(
                OutboundMessage(
                    text=f"You're welcome! How did {ctx.business_name} do today? Tap to rate us 1–5.",
                    rows=RATING_ROWS,
                    list_button="Rate us",
                ),
                resolved=True,
                llm_allowed=False,
            )
        return ReplyPlan(OutboundMessage(text="You're welcome! Message us any time."), llm_allowed=False)
    if intent == "greeting" and not ctx.items:
        return ReplyPlan(
            OutboundMessage(
                text=f"Hi! Welcome to {ctx.business_name}. Ask me about any product — price, stock "
                "or booking a slot — and I'll check it for you."
            )
        )
    if intent == "notify":
        target = _notify_target(ctx)
        if target is not None:
            return ReplyPlan(
                OutboundMessage(
                    text=f"Done — I'll message you here as soon as {target.name} is back in stock."
                ),
                notify_sku=target.sku,
                llm_allowed=False,
            )
    if intent == "booking":
        return _booking(ctx, stale)
    return _product(ctx, stale)


def _notify_target(ctx: ReplyContext) -> CatalogItem | None:
    if ctx.payload and ctx.payload.startswith("notify:"):
        sku = ctx.payload.removeprefix("notify:")
        return next((i for i in ctx.items if i.sku == sku), None)
    return next((i for i in ctx.items if not i.available), None)


def _product(ctx: ReplyContext, stale: str) -> ReplyPlan:
    if not ctx.items:
        others = ctx.alternatives
        text = "Sorry, I couldn't find that in our catalog."
        if others:
            text += f" Here's what we do have that might suit you:\n{_list(others)}"
        text += (
            "\nWhich one would you like to book?"
            if ctx.intent == "booking" and others
            else "\nTell me a product name and I'll check it."
        )
        return ReplyPlan(
            OutboundMessage(text=text + stale),
            matched=False,
            notes=["say we could not find it; suggest the listed items"],
        )
    first = ctx.items[0]
    lines = [fact_line(i) for i in ctx.items[:3]]
    text = "\n".join(f"• {line}" for line in lines) if len(lines) > 1 else lines[0] + "."
    notes: list[str] = ["answer with the listed price and stock of the item(s) asked about"]
    buttons: tuple[Button, ...] = ()
    conversion = None
    if not first.available:
        if ctx.alternatives:
            similar = _list(ctx.alternatives)
            text += f"\n{first.name} is out of stock right now — similar items in stock:\n{similar}"
            notes.append("it is out of stock: suggest the in-stock alternatives")
        text += "\nWant me to message you when it's back?"
        buttons = (Button(id=f"notify:{first.sku}", title="Notify me"),)
        notes.append("offer to notify them when it is back in stock (a button is attached)")
    elif ctx.intent == "order":
        price = format_price(first.price_minor, first.currency) if first.price_minor is not None else ""
        text = (
            f"Great choice! I've noted your order for 1 × {first.name}"
            + (f" at {price}" if price else "")
            + ". Our team will confirm payment and delivery with you here shortly."
        )
        conversion = "order"
        notes = ["confirm the order of 1 item at the listed price; the team confirms payment and delivery"]
    upsold = False
    if ctx.upsell is not None and first.available and conversion is None:
        text += f"\nYou might also like: {fact_line(ctx.upsell)}."
        upsold = True
        notes.append(f"mention once, naturally, that they might also like {ctx.upsell.name}")
    return ReplyPlan(
        OutboundMessage(text=(text + stale)[:4096], buttons=buttons),
        conversion=conversion,
        conversion_item=first if conversion else None,
        upsold=upsold,
        notes=notes,
    )


def _booking(ctx: ReplyContext, stale: str) -> ReplyPlan:
    services = [i for i in ctx.items if i.kind == "service"] or list(ctx.items)
    chosen = None
    if ctx.payload and ctx.payload.startswith("slot:"):
        chosen = next((s for s in ctx.slots if s.slot_id == ctx.payload.removeprefix("slot:")), None)
    if chosen is not None:
        item = next((i for i in ctx.items if i.sku == chosen.sku), None)
        name = item.name if item else "your appointment"
        return ReplyPlan(
            OutboundMessage(
                text=f"Booked: {name} on {chosen.date} at {chosen.start}. We'll confirm it here. See you!"
            ),
            conversion="booking",
            conversion_item=item,
            llm_allowed=False,
        )
    if not services:
        return _product(ctx, stale)
    if not ctx.slots:
        return ReplyPlan(
            OutboundMessage(
                text=f"{fact_line(services[0])}.\nThere are no free slots listed right now — "
                "I'll ask the team to get back to you with a time." + stale
            ),
            notes=["no free slots are listed; the team will propose a time"],
        )
    rows = tuple(
        ListRow(id=f"slot:{s.slot_id}", title=f"{s.date[5:]} {s.start}"[:24], description=f"{s.free} free")
        for s in ctx.slots[:10]
    )
    return ReplyPlan(
        OutboundMessage(
            text=f"{fact_line(services[0])}.\nPick a free slot below to book it." + stale,
            rows=rows,
            list_button="Free slots",
        ),
        notes=["invite them to pick one of the free slots in the attached list"],
    )
