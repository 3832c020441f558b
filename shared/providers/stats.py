"""Measured latency, errors and cost per provider: `tenants/{T}/provider_stats/{provider}`.

Fields: `calls`, `errors`, `error_rate`, `latency_ms_p50`, `latency_ms_p95`, `cost_micros`,
`tokens_in`, `tokens_out`, `recent_calls` (`{at, ok, ms}` of the last 100 calls: the sliding
window `cooldown` reads and the percentiles' sample, where a failed call counts with the time it
wasted and a timeout with its whole wait), `window_error_rate`, `cooldown_until`, `last_error`,
`last_error_at`, `updated_at`. The alerts function reads these.

A call is folded in with one write and no read on the reply's path: counters are Firestore
increments and the call joins `recent_calls` by array-union (exact, whichever instance writes);
percentiles, rates and the cool-down are computed from this instance's view of the document
(read at most `_READ_TTL_S` ago and kept current with its own writes), so they may miss another
instance's last seconds until the next write. The list is cut back to the last 100 when it has
grown past that. The document is per tenant and provider: about one write per reply, inside
Firestore's one-write-per-second guideline for the rates WhatsApp allows one business number.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from shared.providers.cooldown import CooldownRule, cooled_until, window_error_rate
from shared.storage import tenant_collection, utcnow

RECENT = 100
# The list is cut back to RECENT once it holds this many more (an occasional plain write).
SLACK = 20
_READ_TTL_S = 5.0
_read_cache: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return float(ordered[index])


def record_call(
    tenant_id: str,
    provider: str,
    *,
    ok: bool,
    latency_ms: float,
    cost_micros: int = 0,
    tokens_in: int = 0,
    tokens_out: int = 0,
    error: str | None = None,
    rule: CooldownRule | None = None,
) -> None:
    """Fold one provider call into its stats (one write); `cooldown_until` says when the window's
    error rate (see `cooldown`) lets the provider be called again."""
    from google.cloud import firestore

    now, rule = utcnow(), rule or CooldownRule()
    seen = provider_stats(tenant_id).get(provider, {})
    entry = {"at": now, "ok": ok, "ms": round(latency_ms, 1)}
    recent = [*seen.get("recent_calls", []), entry]
    trim = len(recent) > RECENT + SLACK
    recent = recent[-RECENT:]
    calls, errors = int(seen.get("calls", 0)) + 1, int(seen.get("errors", 0)) + (0 if ok else 1)
    latencies = [float(c["ms"]) for c in recent]
    computed: dict[str, Any] = {
        "provider": provider,
        "error_rate": errors / calls,
        "latency_ms_p50": percentile(latencies, 0.5),
        "latency_ms_p95": percentile(latencies, 0.95),
        "window_error_rate": window_error_rate(recent, now, rule.window_s),
        "cooldown_until": cooled_until(recent, now, rule),
        "updated_at": now,
    }
    if not ok:
        computed |= {"last_error": error, "last_error_at": now}
    counters = {
        "calls": 1,
        "errors": 0 if ok else 1,
        "cost_micros": cost_micros,
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
    }
    write = computed | {k: firestore.Increment(v) for k, v in counters.items()}
    write["recent_calls"] = recent if trim else firestore.ArrayUnion([entry])
    tenant_collection(tenant_id, "provider_stats").document(provider).set(write, merge=True)
    # This instance's view follows its own write.
    view = {**seen, **computed, "recent_calls": recent}
    view |= {k: int(seen.get(k, 0)) + v for k, v in counters.items()}
    _read_cache.get(tenant_id, (0.0, {}))[1][provider] = view


def provider_stats(tenant_id: str) -> dict[str, dict[str, Any]]:
    """Every provider's stats for the tenant (cached a few seconds per instance)."""
    now = time.monotonic()
    hit = _read_cache.get(tenant_id)
    if hit and now - hit[0] < _READ_TTL_S:
        return hit[1]
    stats = {d.id: d.to_dict() or {} for d in tenant_collection(tenant_id, "provider_stats").stream()}
    _read_cache[tenant_id] = (now, stats)
    return stats


def cooling_down(stats: dict[str, Any], now: datetime, rule: CooldownRule) -> bool:
    """Whether the provider is skipped now, from its recorded window of calls."""
    return cooled_until(list(stats.get("recent_calls", [])), now, rule) is not None
