"""The agent loop: a provider answers the customer by calling tools, at most `MAX_STEPS` requests.

For each provider the router picks (fallback, cool-down and the reply's time budget are the
router's): send the request; when the model asks for tools, check every call against the
contract (an unknown tool or bad arguments is the provider's failure: the router moves on),
run them, send the results back (`role: tool` for OpenAI/DeepSeek, function responses for
Gemini), until the model answers in text. Then grounding decides: every price, stock figure,
slot and availability claim must match a tool result of this turn or the dialogue state, else
the offline reply goes out and the result says why.

`run_agent` returns None when the agent does not apply (no provider configured, or a message
that tries to steer the assistant: those never reach a model), else an `AgentReply` whose `text`
is None when the offline reply must go out.
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
    from shared.conversation.context import ReplyContext
    from shared.tenants import TenantConfig

log = get_logger(__name__)
MAX_STEPS = 4


@dataclass(frozen=True)
class AgentReply:
    text: str | None  # None: send the offline reply
    reason: str | None = None  # why not: "no_provider_answered", "ungrounded: …", …
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
    ctx: ReplyContext,
    *,
    inbound_id: str,
    backend: Backend,
    today: date,
    language: str | None = None,
) -> AgentReply | None:
    """The model's grounded answer to `ctx` with tools over `backend`, or why there is none."""
    if not providers or ctx.injection:
        return None
    locale = customer_locale(tenant.locale, language)
    cart = tuple((str(line["sku"]), int(line["quantity"])) for line in ctx.state.get("cart") or [])
    names = {i.sku: i.name for i in backend.items([s for s, _ in cart])} if cart else {}
    brief = Brief(
        business_name=tenant.business_name,
        locale=locale,
        today=today,
        timezone=tenant.timezone,
        language=language,
        intent=ctx.intent,
        cart=tuple((names.get(sku, sku), q) for sku, q in cart),
        focus=ctx.facts,
        stale=ctx.sheets_stale,
    )
    system = system_prompt(brief)
    history = opening_turns(ctx.history, ctx.text)
    attempts: list[_Attempt] = []

    def attempt(provider: Provider, seconds_left: float) -> ProviderReply:
        runner = ToolRunner(backend, locale, inbound_id, cart=list(cart))
        attempts.append(_Attempt(runner))
        return _converse(provider, system, history, runner, attempts[-1], time.monotonic() + seconds_left)

    routed = route_calls(tenant.tenant_id, tenant.provider_policy, providers, attempt)
    committed = tuple(
        a for run in attempts for a in run.runner.actions if a.tool in ("book_slot", "place_order")
    )
    if routed.reply is None:
        return AgentReply(None, "no_provider_answered", actions=committed, routed=routed)
    won = attempts[-1]
    runner = won.runner
    actions = tuple(a for a in committed if a not in runner.actions) + tuple(runner.actions)
    reply = routed.reply
    problems = grounding_problems(reply.text, runner.facts, ctx)
    if problems:
        log_event(
            log,
            30,
            "agent reply failed grounding, using the offline text",
            tenant_id=tenant.tenant_id,
            provider=reply.provider,
            problems=list(problems)[:3],
        )
    return AgentReply(
        None if problems else reply.text,
        "ungrounded: " + "; ".join(problems[:3]) if problems else None,
        provider=reply.provider,
        model=reply.model,
        actions=actions,
        facts=runner.facts,
        cart=tuple(runner.cart) if tuple(runner.cart) != cart else None,
        handoff_reason=runner.handoff_reason,
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


def grounding_problems(text: str, facts: Facts, ctx: ReplyContext) -> tuple[str, ...]:
    """What in `text` no tool result of this turn and no dialogue-state fact supports."""
    items: list[CatalogItem] = [*facts.items.values(), *(i for i in ctx.facts if i.sku not in facts.items)]
    # Totals the tools computed (a cart, an order) are facts too: stated as price-only items,
    # under a name no reply can contain, so that only their amount counts.
    items += [
        CatalogItem(sku=f"amount-{n}", name="\u2063", price_minor=minor, currency=currency)
        for n, (minor, currency) in enumerate(sorted(facts.amounts))
    ]
    slot_times = (*sorted(facts.slot_times), *ctx.slot_times)
    return check_reply(text, items, slot_times=slot_times, currency=ctx.currency).problems
