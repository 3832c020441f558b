"""The agent loop: a provider answers the customer by calling tools, at most `MAX_STEPS` requests.

For each provider the router picks (fallback, cool-down and the reply's time budget are the
router's): send the request; when the model asks for tools, check every call against the
contract (an unknown tool or bad arguments is the provider's failure: the router moves on),
run them, send the results back (`role: tool` for OpenAI/DeepSeek, function responses for
Gemini), until the model answers in text. Then grounding decides: every price, stock figure,
slot and availability claim must match a tool result of this turn or the dialogue state, else
the offline reply goes out and the result says why.

The conversation engine describes the message as an `AgentTurn` (no dependency on its own
types). `run_agent` returns None when the agent does not apply (no provider configured, or a
message that tries to steer the assistant: those never reach a model), else an `AgentReply`
whose `text` is None when the offline reply must go out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from shared.agent.prompt import Brief, fit, opening_turns, system_prompt
from shared.agent.tools import TOOLS, Action, Backend, Facts, ToolRunner, invalid_call
from shared.conversation.catalog_index import CatalogItem
from shared.conversation.grounding import check_reply
from shared.log import get_logger, log_event
from shared.money import babel_locale
from shared.providers.base import Provider, ProviderFailure, ProviderReply, Turn
from shared.providers.fallback import MIN_CALL_S, RouterResult
from shared.providers.router import route_calls

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
MAX_STEPS = 4


@dataclass(frozen=True)
class AgentTurn:
    """What the conversation engine knows about the message the agent answers."""

    text: str  # the customer's message (a burst joined)
    history: tuple[tuple[str, str], ...] = ()  # (direction "in"/"out", text), oldest first
    language: str | None = None  # the customer's (en, es, pt, fr, id, hi), when known
    intent: str | None = None
    cart: tuple[tuple[str, int], ...] = ()  # (sku, quantity) of the open cart
    focus: tuple[CatalogItem, ...] = ()  # the dialogue's items, read live: facts a reply may state
    slot_times: tuple[str, ...] = ()  # free slot times the dialogue already showed
    stale: bool = False  # the sheet has not synced lately
    injection: bool = False  # the message tries to steer the assistant


@dataclass(frozen=True)
class AgentReply:
    text: str | None  # None: send the offline reply
    reason: str | None = None  # why not: "no_provider_answered", "ungrounded: …", …
    language: str | None = None  # the customer's, else the shop's (for confirmations)
    provider: str | None = None
    model: str | None = None
    actions: tuple[Action, ...] = ()
    facts: Facts = field(default_factory=Facts)
    cart: tuple[tuple[str, int], ...] | None = None  # the cart after this turn, when it changed
    handoff_reason: str | None = None
    tools_called: tuple[str, ...] = ()
    routed: RouterResult | None = None
    steps: int = 0
    max_request_tokens: int = 0


@dataclass
class _Attempt:
    """What one provider's run left behind (the winning one's becomes the reply)."""

    runner: ToolRunner
    steps: int = 0
    max_tokens: int = 0


def customer_locale(tenant_locale: str, language: str | None) -> str:
    """The tenant's locale, or the customer's language in the tenant's country when they differ
    (a Spanish speaker at a US shop reads `es-US` amounts)."""
    base = babel_locale(tenant_locale)
    if not language or language == base.language:
        return str(base)
    territory = f"_{base.territory}" if base.territory else ""
    candidate = babel_locale(f"{language}{territory}")
    return str(candidate) if candidate.language == language else str(babel_locale(language))


def run_agent(
    tenant: TenantConfig,
    providers: Mapping[str, Provider],
    turn: AgentTurn,
    *,
    inbound_id: str,
    backend: Backend,
    today: date,
) -> AgentReply | None:
    """The model's grounded answer to `turn` with tools over `backend`, or why there is none."""
    if not providers or turn.injection:
        return None
    locale = customer_locale(tenant.locale, turn.language)
    reply_language = turn.language or babel_locale(tenant.locale).language
    cart = turn.cart
    names = {i.sku: i.name for i in backend.items([s for s, _ in cart])} if cart else {}
    brief = Brief(
        business_name=tenant.business_name,
        locale=locale,
        today=today,
        timezone=tenant.timezone,
        language=turn.language,
        intent=turn.intent,
        cart=tuple((names.get(sku, sku), q) for sku, q in cart),
        focus=turn.focus,
        stale=turn.stale,
    )
    system = system_prompt(brief)
    history = opening_turns(turn.history, turn.text)
    if fit(system, history, [], TOOLS)[0] is None:  # a message too long for any request: no call
        return AgentReply(None, "request_over_budget", reply_language)
    attempts: list[_Attempt] = []

    def attempt(provider: Provider, seconds_left: float) -> ProviderReply:
        runner = ToolRunner(backend, locale, inbound_id, cart=list(cart))
        attempts.append(_Attempt(runner))
        return _converse(provider, system, history, runner, attempts[-1], time.monotonic() + seconds_left)

    routed = route_calls(tenant.tenant_id, tenant.provider_policy, providers, attempt)
    return _outcome(tenant, turn, routed, attempts, reply_language)


def _outcome(
    tenant: TenantConfig, turn: AgentTurn, routed: RouterResult, attempts: list[_Attempt], language: str
) -> AgentReply:
    """The reply from the winning attempt, grounded or not; bookings and orders of failed
    attempts count too (they happened)."""
    committed = [a for run in attempts for a in run.runner.actions if a.tool in ("book_slot", "place_order")]
    if routed.reply is None:
        return AgentReply(None, "no_provider_answered", language, actions=tuple(committed), routed=routed)
    won, reply = attempts[-1], routed.reply
    runner = won.runner
    actions = tuple(a for a in committed if a not in runner.actions) + tuple(runner.actions)
    problems = grounding_problems(reply.text, runner.facts, turn, tenant.currency)
    if problems:
        log_event(
            log,
            30,
            "agent reply failed grounding, using the offline text",
            tenant_id=tenant.tenant_id,
            provider=reply.provider,
            problems=list(problems)[:3],
        )
    # A rejected answer changes nothing the customer is not told: the cart stays as it was and a
    # hand-off the model asked for does not happen. An order placed (by any attempt) used the cart.
    placed_here, placed = (_placed(runner.actions), _placed(committed))
    cart = tuple(runner.cart) if not problems or placed_here else turn.cart
    if placed and not placed_here:
        cart = ()
    return AgentReply(
        None if problems else reply.text,
        "ungrounded: " + "; ".join(problems[:3]) if problems else None,
        language,
        provider=reply.provider,
        model=reply.model,
        actions=actions,
        facts=runner.facts,
        cart=cart if cart != turn.cart else None,
        handoff_reason=None if problems else runner.handoff_reason,
        tools_called=tuple(runner.called),
        routed=routed,
        steps=won.steps,
        max_request_tokens=max(a.max_tokens for a in attempts),
    )


def _converse(
    provider: Provider,
    system: str,
    history: Sequence[Turn],
    runner: ToolRunner,
    record: _Attempt,
    deadline: float,
) -> ProviderReply:
    """One provider's run: requests and tool calls until a text answer (the usage summed)."""
    steps: list[Turn] = []
    tokens_in = tokens_out = 0
    latency_ms = 0.0
    for _ in range(MAX_STEPS):
        request, size = fit(system, history, steps, TOOLS)
        record.max_tokens = max(record.max_tokens, size)
        if request is None:
            raise ProviderFailure(
                provider.name, "bad_request", f"request of {size} tokens is over the budget"
            )
        left = deadline - time.monotonic()
        if left < MIN_CALL_S:
            raise ProviderFailure(provider.name, "budget")
        reply = provider.complete(replace(request, timeout_s=left))
        record.steps += 1
        tokens_in, tokens_out = tokens_in + reply.tokens_in, tokens_out + reply.tokens_out
        latency_ms += reply.latency_ms
        if not reply.tool_calls:
            return ProviderReply(reply.text, provider.name, reply.model, tokens_in, tokens_out, latency_ms)
        problems = [p for p in (invalid_call(c) for c in reply.tool_calls) if p]
        if problems:
            raise ProviderFailure(provider.name, "invalid_tool_call", problems[0])
        steps.append(Turn(role="assistant", text=reply.text, tool_calls=reply.tool_calls))
        for call in reply.tool_calls:
            steps.append(Turn(role="tool", tool_call_id=call.id, name=call.name, result=runner.run(call)))
    raise ProviderFailure(provider.name, "invalid_tool_call", f"no answer after {MAX_STEPS} requests")


def confirmations(reply: AgentReply) -> str:
    """The sentences that confirm bookings and orders the agent made, for a reply whose own words
    were not sent (they happened: the customer must hear of them), else ""."""
    from shared.i18n.catalog import message

    lines: list[str] = []
    for action in reply.actions:
        if action.tool == "book_slot" and action.status == "booked":
            key = "agent.booked" if action.detail else "agent.booked_plain"
            lines.append(message(key, reply.language, ref=action.reference, **action.detail))
        elif action.tool == "place_order" and action.status == "placed":
            lines.append(
                message(
                    "agent.ordered",
                    reply.language,
                    ref=action.reference,
                    total=action.detail.get("total", ""),
                )
            )
    return "\n".join(dict.fromkeys(lines))


def _placed(actions: Sequence[Action]) -> bool:
    return any(a.tool == "place_order" and a.status == "placed" for a in actions)


def grounding_problems(text: str, facts: Facts, turn: AgentTurn, currency: str) -> tuple[str, ...]:
    """What in `text` no tool result of this turn and no dialogue-state fact supports."""
    items = [*facts.items.values(), *(i for i in turn.focus if i.sku not in facts.items)]
    return check_reply(
        text,
        items,
        slot_times=(*sorted(facts.slot_times), *turn.slot_times),
        amounts=sorted(minor for minor, _ in facts.amounts),  # totals the tools computed
        quotes=sorted(facts.quotes),  # the shop's own words (Info answers)
        currency=currency,
    ).problems
