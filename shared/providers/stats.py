"""Measured latency, errors and cost per provider: `tenants/{T}/provider_stats/{provider}`.

Fields: `calls`, `errors`, `error_rate`, `latency_ms_p50`, `latency_ms_p95`, `cost_micros`,
`tokens_in`, `tokens_out`, `cooldown_until`, `last_error`, `recent_latency_ms` (the last 100
latencies the percentiles are computed from: a failed call counts with the time it wasted, a
timeout with its whole wait), `recent_calls` (`{at, ok, ms}` of the last calls: the sliding window
`cooldown` reads), `window_error_rate`, `updated_at`. The alerts function reads these.

Each call is folded in with a transaction. The document is per tenant and provider, so it
sees about one write per reply: inside Firestore's one-write-per-second guideline for the
message rates WhatsApp allows one business number, and a tenant's replies are rarely faster.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from shared.providers.cooldown import CooldownRule, cooled_until, window_error_rate
from shared.storage import tenant_collection, utcnow

RECENT = 100
# Calls kept for the sliding window (older ones also drop out by age).
WINDOW_CALLS = 50
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
    """Fold one provider call into its stats; `cooldown_until` says when the window's error rate
    (see `cooldown`) lets the provider be called again."""
    from google.cloud import firestore

    from shared.clients import firestore_client

    ref = tenant_collection(tenant_id, "provider_stats").document(provider)

    @firestore.transactional
    def update(transaction: Any) -> None:
        data = ref.get(transaction=transaction).to_dict() or {}
        calls = int(data.get("calls", 0)) + 1
        errors = int(data.get("errors", 0)) + (0 if ok else 1)
        recent = [*data.get("recent_latency_ms", []), round(latency_ms, 1)][-RECENT:]
        now = utcnow()
        window = rule or CooldownRule()
        calls_seen = [*data.get("recent_calls", []), {"at": now, "ok": ok, "ms": round(latency_ms, 1)}]
        calls_seen = [c for c in calls_seen if (now - c["at"]).total_seconds() <= window.window_s]
        calls_seen = calls_seen[-WINDOW_CALLS:]
        change: dict[str, Any] = {
            "provider": provider,
            "calls": calls,
            "errors": errors,
            "error_rate": errors / calls,
            "recent_latency_ms": recent,
            "latency_ms_p50": percentile(recent, 0.5),
            "latency_ms_p95": percentile(recent, 0.95),
            "cost_micros": int(data.get("cost_micros", 0)) + cost_micros,
            "tokens_in": int(data.get("tokens_in", 0)) + tokens_in,
            "tokens_out": int(data.get("tokens_out", 0)) + tokens_out,
            "recent_calls": calls_seen,
            "window_error_rate": window_error_rate(calls_seen, now, window.window_s),
            "cooldown_until": cooled_until(calls_seen, now, window),
            "updated_at": now,
            "last_error": data.get("last_error"),
            "last_error_at": data.get("last_error_at"),
        }
        if not ok:
            change["last_error"] = error
            change["last_error_at"] = now
        transaction.set(ref, change)

    update(firestore_client().transaction())
    _read_cache.pop(tenant_id, None)


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
