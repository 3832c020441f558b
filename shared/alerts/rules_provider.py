"""Provider rule: an AI provider's error rate or p95 latency is too high (respond's stats)."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.alerts.context import TenantState
from shared.alerts.findings import Finding
from shared.analytics.periods import as_utc


def provider_degraded(state: TenantState) -> list[Finding]:
    limits = state.tenant.alert_thresholds
    max_age = timedelta(minutes=limits.provider_stats_max_age_minutes)
    found = []
    for provider, stats in sorted(state.provider_stats.items()):
        updated = stats.get("updated_at")
        if isinstance(updated, datetime) and state.now - as_utc(updated) > max_age:
            continue  # old figures say nothing about now
        calls = stats.get("calls") or 0
        error_rate = float(stats.get("error_rate") or 0.0)
        p95 = stats.get("latency_ms_p95")
        if calls < limits.provider_min_calls:
            continue
        reasons = []
        if error_rate > limits.provider_error_rate_max:
            reasons.append(f"error rate {error_rate:.0%} (max {limits.provider_error_rate_max:.0%})")
        if isinstance(p95, int | float) and p95 > limits.provider_latency_p95_ms_max:
            reasons.append(f"p95 latency {p95:.0f} ms (max {limits.provider_latency_p95_ms_max:.0f} ms)")
        if not reasons:
            continue
        found.append(
            Finding(
                type="provider_degraded",
                subject=provider,
                severity="warning",
                title=f"AI provider {provider} degraded",
                message=f"{provider}: " + "; ".join(reasons) + f" over {calls} calls; replies fall back "
                "to other providers.",
                details={
                    "provider": provider,
                    "calls": calls,
                    "error_rate": error_rate,
                    "latency_ms_p95": p95,
                    "cooldown_until": stats.get("cooldown_until"),
                },
            )
        )
    return found
