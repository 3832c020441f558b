"""The LLM router: choose providers by the tenant's policy, fall back at once, cool failures down.

- `order`: the policy's list as given; `cost`: cheapest model first; `latency`: lowest measured
  p50 first (unmeasured providers go first so that they get measured).
- A provider cooling down (after a failure, for `policy.cooldown_s`) is skipped while another
  one is available.
- Any failure — timeout, 429, 5xx, a malformed or empty answer — moves to the next provider
  immediately; nothing waits and nothing retries inside a request.
- When every provider fails (or none is configured) the result has no reply: the caller uses the
  offline grounded responder.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.log import get_logger, log_event
from shared.providers.base import PRICES_PER_MTOK, ChatRequest, Provider, ProviderFailure, ProviderReply
from shared.providers.stats import cooling_down, provider_stats, record_call
from shared.storage import utcnow
from shared.tenants import ProviderPolicy

log = get_logger(__name__)


@dataclass(frozen=True)
class Attempt:
    provider: str
    ok: bool
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class RouterResult:
    reply: ProviderReply | None
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)

    @property
    def fallback(self) -> bool:
        """True when a provider failed before the answer (or no provider answered)."""
        return any(not a.ok for a in self.attempts)


def choose_order(
    policy: ProviderPolicy, providers: Mapping[str, Provider], stats: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """The providers to try, best first, cooling-down ones last."""
    names = [n for n in policy.order if n in providers] + sorted(
        n for n in providers if n not in policy.order
    )
    if policy.strategy == "cost":
        names.sort(key=lambda n: sum(PRICES_PER_MTOK.get(providers[n].model, (99.0, 99.0))))
    elif policy.strategy == "latency":
        names.sort(key=lambda n: float(stats.get(n, {}).get("latency_ms_p50") or 0.0))  # type: ignore[arg-type]
    now = utcnow()
    return sorted(names, key=lambda n: cooling_down(dict(stats.get(n, {})), now))


def route(
    tenant_id: str, policy: ProviderPolicy, providers: Mapping[str, Provider], request: ChatRequest
) -> RouterResult:
    """Ask the providers in policy order until one answers; record every call's outcome."""
    if not providers:
        return RouterResult(None)
    attempts: list[Attempt] = []
    for name in choose_order(policy, providers, provider_stats(tenant_id)):
        provider = providers[name]
        started = time.perf_counter()
        try:
            reply = provider.complete(request)
        except ProviderFailure as failure:
            latency = (time.perf_counter() - started) * 1000
            attempts.append(Attempt(name, False, latency, failure.kind))
            log_event(
                log,
                30,
                "provider failed, falling back",
                tenant_id=tenant_id,
                provider=name,
                kind=failure.kind,
            )
            record_call(
                tenant_id,
                name,
                ok=False,
                latency_ms=latency,
                error=failure.kind,
                cooldown_s=policy.cooldown_s,
            )
            continue
        attempts.append(Attempt(name, True, reply.latency_ms))
        record_call(
            tenant_id,
            name,
            ok=True,
            latency_ms=reply.latency_ms,
            cost_micros=reply.cost_micros,
            tokens_in=reply.tokens_in,
            tokens_out=reply.tokens_out,
        )
        return RouterResult(reply, tuple(attempts))
    return RouterResult(None, tuple(attempts))
