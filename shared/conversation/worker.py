"""The worker: answer an inbound message once, with a grounded reply.

A thin shell around the pure pipeline (`understand -> decide -> word`, see pipeline.py):
1. Burst: a message that is evidently complete (a button, a question, a long sentence, a
   customer who does not burst) is answered at once; otherwise the worker waits until
   `received_at + settings.burst_window_s` and only the newest pending message answers, covering
   the whole burst. A message no longer pending was answered already (a redelivery).
2. Hand-off: while `handoff` is true nothing is sent (staff reply from the dashboard).
3. Facts: the tenant's catalog index, Info tab, dialogue state, and the free slots a booking needs.
4. Pipeline; the items the reply quotes are re-read live (and the plan redone if they moved).
   When a provider is configured the router may re-word the reply (`_words`: the LLM seam);
   every reply passes the grounding check or the template text is sent.
5. Send once (`send_and_store` keyed by `re-{inbound id}`), update state, publish events.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from shared.conversation.events import event, publish_events
from shared.conversation.grounding import check_reply
from shared.conversation.sentiment import sentiment
from shared.errors import PermanentError
from shared.i18n.catalog import message as catalog_message
from shared.log import get_logger, log_event
from shared.messaging.store import conversation_ref, messages_ref, reply_id
from shared.privacy import hash_customer
from shared.storage import utcnow

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shared.agent.loop import AgentReply
    from shared.conversation.pipeline import Reply
    from shared.conversation.retrieval import CatalogIndex
    from shared.events import ConversationEvent, InboundMessage
    from shared.providers.base import Provider
    from shared.providers.fallback import RouterResult
    from shared.settings import Settings
    from shared.tenants import TenantConfig

log = get_logger(__name__)
HISTORY_LIMIT = 8
SESSION_GAP = timedelta(minutes=30)
MISSES_BEFORE_HANDOFF = 2
COMPLETE_WORDS = 5  # a burst is fragments ("hi", "I need", "a jacket"); five words ask something


def answer_inbound(message: InboundMessage, *, settings: Settings | None = None) -> str | None:
    """Answer `message` (and the burst it ends) once. Returns the outbound id, or None if skipped."""
    from shared.conversation.language import warm_up
    from shared.settings import get_settings
    from shared.tenants import get_tenant

    settings = settings or get_settings()
    tenant = get_tenant(message.tenant_id)
    customer = hash_customer(tenant.tenant_id, message.wa_id)
    from shared.clients import firestore_client

    conversation = conversation_ref(tenant.tenant_id, message.wa_id)
    inbound_ref = messages_ref(tenant.tenant_id, message.wa_id).document(message.message_id)
    snaps = {s.reference.path: s for s in firestore_client().get_all([inbound_ref, conversation])}
    inbound, conversation_snap = snaps[inbound_ref.path], snaps[conversation.path]
    if not inbound.exists:  # the webhook publishes only after its commit: this will not change
        raise PermanentError(f"inbound message {message.message_id} was never stored")
    inbound_doc = inbound.to_dict() or {}
    if inbound_doc.get("type") == "order":  # a cart sent from WhatsApp's catalog: shared.commerce
        from shared.commerce.whatsapp_cart import answer_cart

        return answer_cart(tenant, message.wa_id, message.message_id, inbound_doc)
    state = conversation_snap.to_dict() or {}
    if inbound_doc.get("type") == "text" and message.message_id in state.get("pending_inbound", []):
        from shared.whatsapp.signals import mark_read  # blue ticks + "typing…" while we work

        mark_read(tenant, message.message_id, typing=True, customer_key=message.customer_key)
    events: list[ConversationEvent] = [
        event(
            "message_in",
            message.message_id,
            tenant_id=tenant.tenant_id,
            customer=customer,
            at=inbound_doc["at"],
            returning_customer=bool(state.get("replied_before")),
            sentiment=sentiment(inbound_doc.get("text")),
        )
    ]
    pending_now = list(state.get("pending_inbound", []))
    if not (pending_now == [message.message_id] and evidently_complete(inbound_doc, state)):
        window = settings.burst_window_s
        received = inbound_doc.get("received_at", utcnow())
        wait = (received + timedelta(seconds=window) - utcnow()).total_seconds()
        if wait > 0:
            time.sleep(wait)
            state = conversation.get().to_dict() or {}
    pending = list(state.get("pending_inbound", []))
    if pending == [message.message_id]:
        burst = [(message.message_id, inbound_doc)]  # the usual case: a single message, already read
    else:
        burst = _pending_burst(tenant.tenant_id, message.wa_id, pending)
    if message.message_id not in pending or not burst or burst[-1][0] != message.message_id:
        # Answered already, or a newer message of the burst answers. A redelivery of an answered
        # message republishes the reply's events too: their first publish may be what failed.
        from shared.events import ConversationEvent

        answered = messages_ref(tenant.tenant_id, message.wa_id).document(reply_id(message.message_id)).get()
        stored = (answered.to_dict() or {}).get("events", []) if answered.exists else []
        publish_events(events + [ConversationEvent.model_validate(e) for e in stored])
        return None
    # While staff have the conversation nothing is sent; a lone emoji reaction (👍 to our last
    # message) is stored and acknowledged by silence, as a person would.
    if state.get("handoff") or (len(burst) == 1 and inbound_doc.get("type") == "reaction"):
        _release_pending(conversation, [mid for mid, _ in burst])
        publish_events(events)
        return None
    from shared.conversation.backlog import handle_backlog

    late = handle_backlog(tenant, message.wa_id, burst, state, now=utcnow())
    if late is not None:  # sent long ago (an outage): one catch-up reply for all, flagged for staff
        publish_events(events)
        return late.message_id

    from shared.providers.registry import configured_providers

    providers = configured_providers(settings)
    reply, index = _reply(tenant, burst, state)
    reply = _carry_out(tenant, message, burst, reply)
    agent = _agent(tenant, providers, reply, index, message, burst, state)
    text, provider, routed, grounded = _words(tenant, reply, index, agent)
    answered_by_agent = agent is not None and agent.text is not None
    session_start, new_session = _session(state, burst)
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    plan = reply.plan
    handoff = plan.handoff or (not answered_by_agent and _low_confidence(reply, state))
    if agent is not None and agent.handoff_reason is not None:
        handoff = True
    if handoff and not plan.handoff:  # low confidence: say who takes over
        text += "\n" + catalog_message("handoff_also", reply.understanding.language)
    out = reply.message
    outbound = OutboundMessage(text=text, buttons=out.buttons, rows=out.rows, list_button=out.list_button)
    if tenant.meta_catalog_id and outbound.rows:  # items in the shop's WhatsApp catalog: a product list
        from shared.commerce.meta_catalog import as_product_message, synced_skus

        listed = [row.id.partition(":")[2] for row in outbound.rows]
        synced = synced_skus(tenant.tenant_id, listed)
        outbound = as_product_message(outbound, tenant.meta_catalog_id, synced)
    # What the customer waited: from their (last) message to the reply, burst wait included.
    latency_ms = (utcnow() - (burst[-1][1].get("received_at") or utcnow())).total_seconds() * 1000
    events += _reply_events(
        tenant,
        customer,
        message.message_id,
        inbound_doc["at"],
        reply,
        routed,
        provider,
        grounded,
        latency_ms,
        handoff,
        new_session,
        (utcnow() - session_start).total_seconds(),
        agent,
    )
    # Stored in the reply's own write, so that a redelivery can publish them again if this
    # publish fails (or the worker dies before it).
    stored_events = [e.model_dump(mode="json") for e in events if e.type != "message_in"]
    delivery = send_and_store(
        tenant,
        message.wa_id,
        outbound,
        message_id=reply_id(message.message_id),
        provider=provider,
        in_reply_to=message.message_id,
        extra={
            "covers": [mid for mid, _ in burst],
            "intent": reply.understanding.intent,
            "language": reply.understanding.language,
            "grounded": grounded,
            "events": stored_events,
        },
        conversation=state,
        conversation_update=_state_change(reply, burst, handoff, len(burst) > 1)
        | {"session_started_at": session_start}
        | _agent_state(agent),
    )
    publish_events(events)
    _remember_asked(tenant.tenant_id, message.customer_key, reply.understanding.items)
    # The language model loads in the background once the reply is out (the lexicon answers most
    # messages; one that needs the model before it is loaded waits for it).
    warm_up()
    log_event(
        log,
        20,
        "replied",
        tenant_id=tenant.tenant_id,
        customer=customer,
        intent=reply.understanding.intent,
        language=reply.understanding.language,
        provider=provider,
        grounded=grounded,
        burst=len(burst),
        duplicate=delivery.duplicate,
    )
    return delivery.message_id


def _remember_asked(tenant_id: str, customer_key: str, skus: tuple[str, ...]) -> None:
    """What the customer asked about, on their customer record: staff segment broadcasts and tag
    rules by it ("asked for X"). Idempotent (a set union), so a redelivery changes nothing."""
    if not skus:
        return
    from google.cloud import firestore

    from shared.storage import tenant_collection

    tenant_collection(tenant_id, "customers").document(customer_key).set(
        {"asked_skus": firestore.ArrayUnion(list(skus))}, merge=True
    )


def evidently_complete(inbound: dict[str, Any], conversation: dict[str, Any]) -> bool:
    """A message worth answering without waiting for more: a button or list press, a question or
    a finished sentence, a long message, or a customer who has not burst before."""
    if inbound.get("payload") or inbound.get("type") not in (None, "text"):
        return True
    text = str(inbound.get("text") or "").strip()
    if not text:
        return True
    if text.endswith(("?", "!", ".", "؟")) or len(text.split()) >= COMPLETE_WORDS:
        return True
    return (
        bool(conversation.get("replied_before"))
        and not conversation.get("bursts_seen")
        and len(text.split()) >= 3
    )


def _pending_burst(tenant_id: str, wa_id: str, pending: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The pending inbound messages, oldest first, as (id, document)."""
    if not pending:
        return []
    from shared.clients import firestore_client

    refs = [messages_ref(tenant_id, wa_id).document(mid) for mid in pending]
    docs = [(s.id, s.to_dict() or {}) for s in firestore_client().get_all(refs) if s.exists]
    return sorted(docs, key=lambda d: (d[1].get("received_at") or utcnow(), d[0]))


def _release_pending(conversation: Any, ids: list[str]) -> None:
    from google.cloud import firestore

    conversation.update({"pending_inbound": firestore.ArrayRemove(ids)})


def _history(tenant_id: str, wa_id: str, exclude: set[str]) -> tuple[tuple[str, str], ...]:
    from google.cloud import firestore

    docs = (
        messages_ref(tenant_id, wa_id)
        .order_by("at", direction=firestore.Query.DESCENDING)
        .limit(HISTORY_LIMIT)
    )
    turns = [(d.get("direction"), d.get("text") or "") for d in docs.stream() if d.id not in exclude]
    return tuple((str(direction), text) for direction, text in reversed(turns) if text)


def _reply(
    tenant: TenantConfig, burst: list[tuple[str, dict[str, Any]]], conversation: dict[str, Any]
) -> tuple[Reply, CatalogIndex]:
    """The pipeline's reply to the burst, with the quoted items re-read live."""
    from shared.conversation.catalog_index import catalog_index, info_entries, live_items
    from shared.conversation.pipeline import Shop, respond
    from shared.conversation.state import DialogueState

    last = burst[-1][1]
    text = "\n".join(d.get("text") or "" for _, d in burst).strip()
    payload = last.get("payload")
    index = catalog_index(tenant.tenant_id)
    info = info_entries(tenant.tenant_id)
    state = DialogueState.from_conversation(conversation)
    now = utcnow().astimezone(_zone(tenant.timezone))
    shop = Shop(tenant.business_name, tenant.locale, tenant.currency)
    chosen = _chosen_slot(tenant.tenant_id, payload)

    def run(slots: list[Any]) -> Reply:
        return respond(
            text,
            state,
            index,
            now,
            shop=shop,
            slots=slots,
            info=info,
            payload=payload,
            message_type=str(last.get("type", "text")),
            chosen_slot=chosen,
            stale=index.sheets_stale,
        )

    reply = run([])
    services = _services_for(reply, state, index)
    if services:
        reply = run(_slots(tenant.tenant_id, services, now))
    quoted = list(reply.plan.quoted)
    live = {i.sku: i for i in live_items(tenant.tenant_id, quoted)} if quoted else {}
    moved = [sku for sku, item in live.items() if _differs(item, index.items.get(sku))]
    gone = [sku for sku in quoted if sku not in live]
    if moved or gone:
        for sku in moved:
            index.put(live[sku])
        for sku in gone:
            if sku in index.items:
                index.put(replace(index.items[sku], active=False))
        reply = run(_slots(tenant.tenant_id, services, now) if services else [])
    return reply, index


def _carry_out(
    tenant: TenantConfig, message: InboundMessage, burst: list[tuple[str, dict[str, Any]]], reply: Reply
) -> Reply:
    """The order, booking or opt-out the plan decided, done through `shared.commerce` and
    `shared.messaging.optout` (idempotent: the key is the inbound message being answered, so a
    redelivery never places or books twice). A refusal (stock gone, slot just taken) changes the
    reply to say so."""
    from shared.whatsapp.outbound import OutboundMessage

    plan, lang = reply.plan, reply.understanding.language
    profile = burst[-1][1].get("profile_name")
    if plan.opt_out is not None:
        from shared.messaging.optout import record_opt_out

        record_opt_out(tenant.tenant_id, message.customer_key, plan.opt_out, source="chat")
    if plan.order_lines:
        from shared.commerce.cart import CartLine as CommerceLine
        from shared.commerce.orders import place_order

        outcome = place_order(
            tenant.tenant_id,
            customer_key=message.customer_key,
            wa_id=message.wa_id,
            profile_name=profile,
            lines=[CommerceLine(sku=line.sku, quantity=line.quantity) for line in plan.order_lines],
            source="chat",
            idempotency_key=message.message_id,
            language=lang,
        )
        if outcome.placed:
            return replace(
                reply, plan=replace(plan, revenue_minor=outcome.total_minor, currency=outcome.currency)
            )
        names = {sku: item.name for sku, item in _names(tenant.tenant_id, [s.sku for s in outcome.shortages])}
        short = "; ".join(
            catalog_message(
                "order_short_line", lang, name=names.get(s.sku, s.sku), available=s.available, wanted=s.wanted
            )
            if s.reason == "stock"
            else catalog_message("order_unavailable_line", lang, name=names.get(s.sku, s.sku))
            for s in outcome.shortages
        )
        kept = replace(plan.state, cart=plan.order_lines, pending=None)
        refused = replace(plan, conversion=None, order_lines=(), state=kept, llm_allowed=False)
        return replace(
            reply,
            plan=refused,
            message=OutboundMessage(text=catalog_message("order_short", lang, shortages=short)),
        )
    if plan.booking_slot is not None:
        from shared.commerce.bookings import book_slot

        booking = book_slot(
            tenant.tenant_id,
            slot_id=plan.booking_slot.slot_id,
            customer_key=message.customer_key,
            wa_id=message.wa_id,
            profile_name=profile,
            idempotency_key=message.message_id,
            language=lang,
        )
        if not booking.booked:
            from shared.conversation.state import Pending

            taken = replace(plan.state, pending=Pending("pick_slot", (plan.booking_slot.sku,)))
            refused = replace(plan, conversion=None, booking_slot=None, state=taken, llm_allowed=False)
            return replace(
                reply, plan=refused, message=OutboundMessage(text=catalog_message("slot_taken_retry", lang))
            )
    return reply


def _names(tenant_id: str, skus: list[str]) -> list[tuple[str, Any]]:
    from shared.conversation.catalog_index import live_items

    return [(item.sku, item) for item in live_items(tenant_id, skus)]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _differs(live: Any, cached: Any) -> bool:
    if cached is None:
        return True
    return any(
        getattr(live, f) != getattr(cached, f)
        for f in ("price_minor", "status", "stock", "active", "name", "currency")
    )


def _services_for(reply: Reply, state: Any, index: CatalogIndex) -> list[str]:
    """The services whose free slots this reply needs (a booking, or a yes to a proposed slot)."""
    u = reply.understanding
    pending = state.pending
    if u.intent != "booking" and not (
        u.intent == "confirm" and pending is not None and pending.kind == "book_slot"
    ):
        return []
    candidates = list(u.items) + list(pending.skus if pending else ()) + list(state.items)
    services = [s for s in candidates if s in index.items and index.items[s].kind == "service"]
    if not services:
        services = [i.sku for i in index.services(2)][:1] if len(index.services(2)) == 1 else []
    return list(dict.fromkeys(services))[:10]


def _slots(tenant_id: str, skus: list[str], now: datetime) -> list[Any]:
    from shared.conversation.catalog_index import free_slots

    return free_slots(tenant_id, skus, now=now)


def _chosen_slot(tenant_id: str, payload: str | None) -> Any:
    """The slot a pressed `slot:` button names, as it is now (None if it is gone)."""
    if not payload or not payload.startswith("slot:"):
        return None
    from shared.conversation.facts import Slot
    from shared.storage import tenant_collection

    slot_id = payload.removeprefix("slot:")
    snap = tenant_collection(tenant_id, "slots").document(slot_id).get()
    data = snap.to_dict() if snap.exists else None
    if not data:
        return None
    free = data.get("free")
    if free is None and isinstance(data.get("capacity"), int):
        free = data["capacity"] - int(data.get("booked") or 0)
    return Slot(slot_id, str(data.get("sku")), str(data.get("date")), str(data.get("start")), int(free or 0))


def _agent(
    tenant: TenantConfig,
    providers: Mapping[str, Provider],
    reply: Reply,
    index: CatalogIndex,
    message: InboundMessage,
    burst: list[tuple[str, dict[str, Any]]],
    conversation: dict[str, Any],
) -> AgentReply | None:
    """The LLM agent's answer with tools (see shared.agent.loop), or None when it does not apply:
    no provider, an injection attempt, or a plan whose words must stay the template's."""
    from shared.conversation.safety import looks_like_injection

    if not providers or not reply.plan.llm_allowed:
        return None
    from shared.agent.backend import LiveBackend
    from shared.agent.loop import AgentTurn, run_agent

    u = reply.understanding
    turn = AgentTurn(
        text=u.text,
        history=_history(tenant.tenant_id, message.wa_id, {mid for mid, _ in burst}),
        language=u.language,
        intent=u.intent,
        cart=tuple((str(c["sku"]), int(c["quantity"])) for c in conversation.get("cart") or []),
        focus=tuple(index.items[s] for s in reply.plan.quoted if s in index.items),
        slot_times=reply.plan.slot_times,
        stale=index.sheets_stale,
        injection=looks_like_injection(u.text),
    )
    today = utcnow().date()
    profile = burst[-1][1].get("profile_name")
    backend = LiveBackend(tenant.tenant_id, message.customer_key, message.wa_id, profile, today, u.language)
    return run_agent(tenant, providers, turn, inbound_id=message.message_id, backend=backend, today=today)


def _words(
    tenant: TenantConfig, reply: Reply, index: CatalogIndex, agent: AgentReply | None
) -> tuple[str, str, RouterResult | None, bool]:
    """(reply text, provider model or "offline", the router result, grounded?).

    The agent's words when it answered (its loop checked their grounding); otherwise the
    pipeline's template text, checked too.
    """
    if agent is not None and agent.text is not None:
        return agent.text, agent.model or "llm", agent.routed, True
    grounded = agent is None or not (agent.reason or "").startswith("ungrounded")
    text = _checked_offline(tenant, reply, index, reply.message.text)
    if agent is not None:
        from shared.agent.loop import confirmations

        done = confirmations(agent)
        text = f"{text}\n{done}" if done else text
    return text, "offline", agent.routed if agent else None, grounded


def _agent_state(agent: AgentReply | None) -> dict[str, Any]:
    """The conversation fields the agent's actions change: the cart, a hand-off."""
    if agent is None:
        return {}
    change: dict[str, Any] = {}
    if agent.cart is not None:
        change["cart"] = [{"sku": sku, "quantity": q} for sku, q in agent.cart]
    if agent.handoff_reason is not None:
        change |= {"handoff": True, "handoff_at": utcnow(), "handoff_reason": "agent"}
    return change


def _check(text: str, reply: Reply, index: CatalogIndex) -> Any:
    plan = reply.plan
    return check_reply(
        text,
        [index.items[s] for s in plan.quoted if s in index.items],
        slot_times=plan.slot_times,
        amounts=plan.amounts,
        quotes=[str(v) for line in plan.lines for k, v in line.params.items() if k in ("answer", "quote")],
    )


def _checked_offline(tenant: TenantConfig, reply: Reply, index: CatalogIndex, text: str) -> str:
    """The template text, checked too: templates are code, and code has bugs."""
    if _check(text, reply, index).grounded:
        return text
    log_event(
        log,
        40,
        "offline reply failed grounding",
        tenant_id=tenant.tenant_id,
        intent=reply.understanding.intent,
    )
    return catalog_message("fallback", reply.understanding.language)


def _low_confidence(reply: Reply, state: dict[str, Any]) -> bool:
    """Hand off after repeated misses (we could not find what the customer keeps asking for)."""
    return not reply.plan.matched and int(state.get("misses", 0)) + 1 >= MISSES_BEFORE_HANDOFF


def _session(state: dict[str, Any], burst: list[tuple[str, dict[str, Any]]]) -> tuple[datetime, bool]:
    """(start of the current session, is this reply its first?): a session ends after SESSION_GAP
    without a reply."""
    first_at: datetime = burst[0][1].get("received_at") or utcnow()
    started, last_out = state.get("session_started_at"), state.get("last_outbound_at")
    if started is None or last_out is None or first_at - last_out > SESSION_GAP:
        return first_at, True
    return started, False


def _state_change(
    reply: Reply, burst: list[tuple[str, dict[str, Any]]], handoff: bool, bursted: bool
) -> dict[str, Any]:
    """The conversation fields this reply changes (written with the reply's preview, in one go)."""
    from google.cloud import firestore

    plan = reply.plan
    change: dict[str, Any] = {
        "pending_inbound": firestore.ArrayRemove([mid for mid, _ in burst]),
        "last_intent": reply.understanding.intent,
        "language": reply.understanding.language,
        "dialogue": plan.state.to_dict(),
        "cart": plan.state.cart_field(),
        "replied_before": True,
        "misses": 0 if plan.matched else firestore.Increment(1),
        "offered_notify": next(
            (b.removeprefix("notify:") for b, _ in plan.buttons if b.startswith("notify:")), None
        ),
    }
    if bursted:
        change["bursts_seen"] = True
    if handoff:
        # The count starts again for when staff hand the conversation back.
        change |= {
            "handoff": True,
            "handoff_at": utcnow(),
            "handoff_reason": reply.understanding.intent,
            "misses": 0,
        }
    if plan.needs_staff:
        change |= {"needs_staff": True, "needs_staff_question": plan.needs_staff, "needs_staff_at": utcnow()}
    if plan.notify_sku:
        change["notify_skus"] = firestore.ArrayUnion([plan.notify_sku])
    if plan.upsold:
        change["upsold"] = True
    if plan.rating is not None or plan.state.rated:
        change["rated"] = True
    return change


def _reply_events(
    tenant: TenantConfig,
    customer: str,
    inbound_id: str,
    inbound_at: datetime,
    reply: Reply,
    routed: RouterResult | None,
    provider: str,
    grounded: bool,
    latency_ms: float,
    handoff: bool,
    new_session: bool,
    session_seconds: float,
    agent: AgentReply | None = None,
) -> list[ConversationEvent]:
    plan = reply.plan
    result = routed.reply if routed else None
    # Stamped with the inbound message's time, not the publish time: a redelivered message
    # republishes the same ids into the same hour, where analytics de-duplicates them.
    base = {"tenant_id": tenant.tenant_id, "customer": customer, "at": inbound_at}
    asked = list(reply.understanding.items)
    out = [
        event(
            "message_out",
            inbound_id,
            **base,
            intent=reply.understanding.intent,
            provider=provider,
            fallback=bool(routed and routed.fallback),
            latency_ms=latency_ms,
            tokens_in=result.tokens_in if result else 0,
            tokens_out=result.tokens_out if result else 0,
            cost_micros=result.cost_micros if result else 0,
            grounded=grounded,
            conversation_started=new_session,
            skus_asked=asked,
            skus_out_of_stock=list(plan.out_of_stock),
            offline_reason=agent.reason if agent else None,
            tools_called=list(agent.tools_called) if agent else [],
        )
    ]
    if routed:
        out += [
            event(
                "provider_call",
                f"{inbound_id}:{n}",
                **base,
                provider=a.provider,
                provider_error=not a.ok,
                failure=a.error,  # timeout, rate_limited, server, invalid_tool_call, budget…
                latency_ms=a.latency_ms,
            )
            for n, a in enumerate(routed.attempts)
        ]
    if handoff:
        out.append(event("handoff", inbound_id, **base, intent=reply.understanding.intent))
    if plan.rating is not None:
        out.append(event("rating", inbound_id, **base, rating=plan.rating))
    if plan.resolved:
        out.append(event("resolved", inbound_id, **base, session_seconds=session_seconds))
    if plan.conversion:
        out.append(
            event(
                "conversion",
                inbound_id,
                **base,
                conversion=plan.conversion,
                revenue_minor=plan.revenue_minor,
                currency=plan.currency or tenant.currency,
                skus_asked=list(plan.quoted) or ([plan.booking_slot.sku] if plan.booking_slot else []),
            )
        )
    return out
