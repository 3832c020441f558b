"""The LLM router: rank providers by the tenant's strategy, put cooling ones last, fall back.

The pieces, each in its own module: `strategies/` (order, cost, latency; near-equal providers
spread), `cooldown` (error rate over a sliding window), `fallback` (next provider at once,
within the reply's time budget), `stats` (what every call measured, in Firestore). This module
only composes them. When every provider fails, or none is configured, or the budget is spent,
the result has no reply and the caller answers offline.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from shared.log import get_logger, log_event
from shared.providers.base import ChatRequest, Provider, ProviderReply
from shared.providers.cooldown import CooldownRule
from shared.providers.fallback import Attempt, RouterResult, first_success
from shared.providers.stats import cooling_down, provider_stats, record_call
from shared.providers.strategies import strategy
from shared.storage import utcnow
from shared.tenants import ProviderPolicy

__all__ = ["Attempt", "RouterResult", "choose_order", "route", "route_calls"]
log = get_logger(__name__)
_rng = random.Random()


def choose_order(
    policy: ProviderPolicy,
    providers: Mapping[str, Provider],
    stats: Mapping[str, Mapping[str, Any]],
    *,
    rng: random.Random | None = None,
) -> list[str]:
    """The providers to try, best first by the strategy, cooling-down ones last."""
    names = [n for n in policy.order if n in providers] + sorted(
        n for n in providers if n not in policy.order
    )
    ranked = strategy(policy.strategy)(names, providers, stats, spread=policy.spread, rng=rng or _rng)
    now, rule = utcnow(), CooldownRule.of(policy)
    return sorted(ranked, key=lambda n: cooling_down(dict(stats.get(n, {})), now, rule))


def route_calls(
    tenant_id: str,
    policy: ProviderPolicy,
    providers: Mapping[str, Provider],
    call: Callable[[Provider, float], ProviderReply],
    *,
    budget_s: float | None = None,
) -> RouterResult:
    """`call(provider, seconds_left)` on the providers in order until one succeeds; every
    attempt's outcome goes into the provider's stats."""
    if not providers:
        return RouterResult(None)
    rule = CooldownRule.of(policy)

    def record(attempt: Attempt, reply: ProviderReply | None) -> None:
        if reply is None:
            log_event(
                log,
                30,
                "provider failed, falling back",
                tenant_id=tenant_id,
                provider=attempt.provider,
                kind=attempt.error,
            )
        record_call(
            tenant_id,
            attempt.provider,
            ok=attempt.ok,
            latency_ms=attempt.latency_ms,
            cost_micros=reply.cost_micros if reply else 0,
            tokens_in=reply.tokens_in if reply else 0,
            tokens_out=reply.tokens_out if reply else 0,
            error=attempt.error,
            rule=rule,
        )

    order = choose_order(policy, providers, provider_stats(tenant_id))
    return first_success(
        order,
        lambda name, left: call(providers[name], left),
        budget_s=policy.budget_s if budget_s is None else budget_s,
        on_attempt=record,
    )


def route(
    tenant_id: str, policy: ProviderPolicy, providers: Mapping[str, Provider], request: ChatRequest
) -> RouterResult:
    """One plain request, answered by the first provider that can within the budget."""
    return route_calls(
        tenant_id,
        policy,
        providers,
        lambda provider, left: provider.complete(replace(request, timeout_s=left)),
    )
