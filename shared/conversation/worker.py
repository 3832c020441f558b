"""The worker: answer an inbound message once, with a grounded reply.

Steps for one `InboundMessage`:
1. Burst: wait until `received_at + settings.burst_window_s`, then look at the conversation's
   `pending_inbound` (ids the webhook added, the worker removes). If this message is no longer
   pending it was answered already (a redelivery); if a newer message is pending, that message's
   worker will answer the whole burst. Only the newest pending message answers, covering all.
2. Hand-off: while `handoff` is true nothing is sent (staff reply from the dashboard).
3. Context: history, state, intent, the retrieved catalog items (live), alternatives, upsell.
4. Plan and words: `offline.plan_reply` decides the actions and a grounded template text; when a
   provider is configured and the message is not an injection attempt, the router asks an LLM to
   word it. The LLM text is sent only if the grounding check passes; otherwise the template text.
5. Send once (`send_and_store` keyed by `re-{inbound id}`), update state, publish events.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.conversation.events import event, publish_events
from shared.conversation.grounding import check_reply
from shared.conversation.intent import Intent, detect_intent
from shared.conversation.sentiment import sentiment
from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.messaging.store import conversation_ref, messages_ref, reply_id
from shared.privacy import hash_customer
from shared.storage import utcnow

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shared.agent.loop import AgentReply
    from shared.conversation.context import ReplyContext
    from shared.conversation.offline import ReplyPlan
    from shared.events import ConversationEvent, InboundMessage
    from shared.providers.base import Provider
    from shared.providers.router import RouterResult
    from shared.settings import Settings
    from shared.tenants import TenantConfig

log = get_logger(__name__)
HISTORY_LIMIT = 8
STORE_GRACE = timedelta(seconds=60)
SESSION_GAP = timedelta(minutes=30)
MISSES_BEFORE_HANDOFF = 2
_YES = re.compile(r"^\s*(yes|yeah|yep|sure|ok|okay|please)\b", re.IGNORECASE)


def answer_inbound(message: InboundMessage, *, settings: Settings | None = None) -> str | None:
    """Answer `message` (and the burst it ends) once. Returns the outbound id, or None if skipped."""
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
    if not inbound.exists:
        # The webhook commits and publishes side by side: the commit may land a moment later.
        if utcnow() - message.received_at < STORE_GRACE:
            raise TransientError(f"inbound message {message.message_id} is not stored yet")
        raise PermanentError(f"inbound message {message.message_id} was never stored")
    inbound_doc = inbound.to_dict() or {}
    state = conversation_snap.to_dict() or {}
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
    window = settings.burst_window_s
    wait = (inbound_doc.get("received_at", utcnow()) + timedelta(seconds=window) - utcnow()).total_seconds()
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

    from shared.providers.registry import configured_providers

    providers = configured_providers(settings)
    ctx = _context(tenant, message.wa_id, burst, state, with_history=bool(providers))
    from shared.conversation.offline import plan_reply

    plan = plan_reply(ctx)
    agent = _agent(tenant, providers, ctx, plan, message, inbound_doc)
    text, provider, routed, grounded = _words(ctx, plan, agent)
    if agent is not None and agent.text is not None:
        plan = replace(plan, matched=True, handoff=plan.handoff or agent.handoff_reason is not None)
    session_start, new_session = _session(state, burst)
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    handoff = plan.handoff or _low_confidence(plan, state)
    if handoff and not plan.handoff:  # low confidence: say who takes over
        text += "\nI've also asked a member of our team to help you here."
    outbound = OutboundMessage(
        text=text, buttons=plan.message.buttons, rows=plan.message.rows, list_button=plan.message.list_button
    )
    delivery = send_and_store(
        tenant,
        message.wa_id,
        outbound,
        message_id=reply_id(message.message_id),
        provider=provider,
        in_reply_to=message.message_id,
        extra={"covers": [mid for mid, _ in burst], "intent": ctx.intent, "grounded": grounded},
        conversation=state,
        conversation_update=_state_change(ctx, plan, burst, handoff)
        | {"session_started_at": session_start}
        | _agent_state(agent),
    )
    # What the customer waited: from their (last) message to the stored reply, burst wait included.
    latency_ms = (utcnow() - (burst[-1][1].get("received_at") or utcnow())).total_seconds() * 1000
    events += _reply_events(
        tenant,
        customer,
        message.message_id,
        inbound_doc["at"],
        ctx,
        plan,
        routed,
        provider,
        grounded,
        latency_ms,
        handoff,
        new_session,
        (utcnow() - session_start).total_seconds(),
        agent,
    )
    # Kept with the reply, so that a redelivery can publish them again if this publish fails.
    messages_ref(tenant.tenant_id, message.wa_id).document(reply_id(message.message_id)).update(
        {"events": [e.model_dump(mode="json") for e in events if e.type != "message_in"]}
    )
    publish_events(events)
    log_event(
        log,
        20,
        "replied",
        tenant_id=tenant.tenant_id,
        customer=customer,
        intent=ctx.intent,
        provider=provider,
        grounded=grounded,
        burst=len(burst),
        duplicate=delivery.duplicate,
    )
    return delivery.message_id


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


def _context(
    tenant: TenantConfig,
    wa_id: str,
    burst: list[tuple[str, dict[str, Any]]],
    state: dict[str, Any],
    *,
    with_history: bool,
) -> ReplyContext:
    from shared.conversation.context import ReplyContext, free_slots, gather_items
    from shared.conversation.safety import looks_like_injection

    last = burst[-1][1]
    text = "\n".join(d.get("text") or "" for _, d in burst).strip()
    payload = last.get("payload")
    intent: Intent = detect_intent(text, message_type=str(last.get("type", "text")), payload=payload)
    extra: list[str] = []
    if payload and payload.startswith("notify:"):
        extra.append(payload.removeprefix("notify:"))
    if state.get("offered_notify") and _YES.match(text) and intent in ("product", "unknown", "thanks"):
        intent, extra = "notify", [state["offered_notify"]]
    chosen_slot = None
    if payload and payload.startswith("slot:"):
        from shared.storage import tenant_collection

        snap = tenant_collection(tenant.tenant_id, "slots").document(payload.removeprefix("slot:")).get()
        chosen_slot = snap.to_dict() if snap.exists else None
        if chosen_slot:
            extra.append(str(chosen_slot.get("sku")))
    query_text = "" if intent in ("rating", "media") or payload else text
    allow_upsell = intent in ("product", "availability") and not state.get("upsold")
    items, alternatives, upsell, stale = gather_items(
        tenant.tenant_id, query_text, intent, extra, allow_upsell=allow_upsell
    )
    slots: tuple[Any, ...] = ()
    if intent == "booking":
        services = [i.sku for i in items if i.kind == "service"] or [i.sku for i in items]
        slots = free_slots(tenant.tenant_id, services, utcnow().date())
    return ReplyContext(
        tenant_id=tenant.tenant_id,
        business_name=tenant.business_name,
        currency=tenant.currency,
        text=text,
        intent=intent,
        message_type=str(last.get("type", "text")),
        payload=payload,
        items=items,
        alternatives=alternatives,
        upsell=upsell,
        slots=slots,
        history=_history(tenant.tenant_id, wa_id, {mid for mid, _ in burst}) if with_history else (),
        state=state,
        sheets_stale=stale,
        injection=looks_like_injection(text),
    )


def _agent(
    tenant: TenantConfig,
    providers: Mapping[str, Provider],
    ctx: ReplyContext,
    plan: ReplyPlan,
    message: InboundMessage,
    inbound_doc: dict[str, Any],
) -> AgentReply | None:
    """The LLM agent's answer with tools (see shared.agent.loop), or None when it does not apply."""
    if not providers or not plan.llm_allowed:
        return None
    from shared.agent.backend import LiveBackend
    from shared.agent.loop import run_agent

    backend = LiveBackend(
        tenant.tenant_id, message.wa_id, message.wa_id, inbound_doc.get("profile_name"), utcnow().date()
    )
    return run_agent(
        tenant, providers, ctx, inbound_id=message.message_id, backend=backend, today=utcnow().date()
    )


def _words(
    ctx: ReplyContext, plan: ReplyPlan, agent: AgentReply | None
) -> tuple[str, str, RouterResult | None, bool]:
    """(reply text, provider model or "offline", the router result, grounded?)."""
    if agent is not None and agent.text is not None:
        return agent.text, agent.model or "llm", agent.routed, True
    grounded = agent is None or not (agent.reason or "").startswith("ungrounded")
    return _checked_offline(ctx, plan.message.text), "offline", agent.routed if agent else None, grounded


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


def _checked_offline(ctx: ReplyContext, text: str) -> str:
    """The template text, checked too: templates are code, and code has bugs."""
    if check_reply(text, ctx.facts, slot_times=ctx.slot_times, currency=ctx.currency).grounded:
        return text
    log_event(log, 40, "offline reply failed grounding", tenant_id=ctx.tenant_id, intent=ctx.intent)
    return "Let me check that with our team — someone will get back to you here shortly."


def _low_confidence(plan: ReplyPlan, state: dict[str, Any]) -> bool:
    """Hand off after repeated misses (we could not find what the customer keeps asking for)."""
    return not plan.matched and int(state.get("misses", 0)) + 1 >= MISSES_BEFORE_HANDOFF


def _session(state: dict[str, Any], burst: list[tuple[str, dict[str, Any]]]) -> tuple[datetime, bool]:
    """(start of the current session, is this reply its first?): a session ends after SESSION_GAP
    without a reply."""
    first_at: datetime = burst[0][1].get("received_at") or utcnow()
    started, last_out = state.get("session_started_at"), state.get("last_outbound_at")
    if started is None or last_out is None or first_at - last_out > SESSION_GAP:
        return first_at, True
    return started, False


def _state_change(
    ctx: ReplyContext, plan: ReplyPlan, burst: list[tuple[str, dict[str, Any]]], handoff: bool
) -> dict[str, Any]:
    """The conversation fields this reply changes (written with the reply's preview, in one go)."""
    from google.cloud import firestore

    change: dict[str, Any] = {
        "pending_inbound": firestore.ArrayRemove([mid for mid, _ in burst]),
        "last_intent": ctx.intent,
        "replied_before": True,
        "misses": 0 if plan.matched else firestore.Increment(1),
        "offered_notify": next(
            (b.id.removeprefix("notify:") for b in plan.message.buttons if b.id.startswith("notify:")), None
        ),
    }
    if handoff:
        # The count starts again for when staff hand the conversation back.
        change |= {"handoff": True, "handoff_at": utcnow(), "handoff_reason": ctx.intent, "misses": 0}
    if plan.notify_sku:
        change["notify_skus"] = firestore.ArrayUnion([plan.notify_sku])
    if plan.upsold:
        change["upsold"] = True
    if plan.rating is not None:
        change["rated"] = True
    return change


def _reply_events(
    tenant: TenantConfig,
    customer: str,
    inbound_id: str,
    inbound_at: datetime,
    ctx: ReplyContext,
    plan: ReplyPlan,
    routed: RouterResult | None,
    provider: str,
    grounded: bool,
    latency_ms: float,
    handoff: bool,
    new_session: bool,
    session_seconds: float,
    agent: AgentReply | None,
) -> list[ConversationEvent]:
    reply = routed.reply if routed else None
    # Stamped with the inbound message's time, not the publish time: a redelivered message
    # republishes the same ids into the same hour, where analytics de-duplicates them.
    base = {"tenant_id": tenant.tenant_id, "customer": customer, "at": inbound_at}
    asked = [i.sku for i in ctx.items]
    out = [
        event(
            "message_out",
            inbound_id,
            **base,
            intent=ctx.intent,
            provider=provider,
            fallback=bool(routed and routed.fallback),
            latency_ms=latency_ms,
            tokens_in=reply.tokens_in if reply else 0,
            tokens_out=reply.tokens_out if reply else 0,
            cost_micros=reply.cost_micros if reply else 0,
            grounded=grounded,
            conversation_started=new_session,
            skus_asked=asked,
            skus_out_of_stock=[i.sku for i in ctx.items if i.status == "out"],
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
                latency_ms=a.latency_ms,
            )
            for n, a in enumerate(routed.attempts)
        ]
    if handoff:
        out.append(event("handoff", inbound_id, **base, intent=ctx.intent))
    if plan.rating is not None:
        out.append(event("rating", inbound_id, **base, rating=plan.rating))
    if plan.resolved:
        out.append(event("resolved", inbound_id, **base, session_seconds=session_seconds))
    if plan.conversion and plan.conversion_item is not None:
        item = plan.conversion_item
        out.append(
            event(
                "conversion",
                inbound_id,
                **base,
                conversion=plan.conversion,
                revenue_minor=item.price_minor or 0,
                currency=item.currency,
                skus_asked=[item.sku],
            )
        )
    return out
