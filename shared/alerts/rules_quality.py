"""Conversation-quality rules, over the recent analytics hour documents."""

from __future__ import annotations

from shared.alerts.context import TenantState
from shared.alerts.findings import Finding


def satisfaction_drop(state: TenantState) -> list[Finding]:
    """Mean rating (or, without enough ratings, sentiment mapped to 1-5) below the minimum."""
    limits = state.tenant.alert_thresholds
    window = state.analytics_window(limits.quality_window_hours)
    ratings = window.get("ratings", 0)
    if ratings >= limits.satisfaction_min_ratings:
        score, basis, sample = window["rating_sum"] / ratings, "rating", ratings
    elif window.get("sentiment_count", 0) >= limits.satisfaction_min_ratings:
        sample = window["sentiment_count"]
        score, basis = 3 + 2 * window["sentiment_sum"] / sample, "sentiment"
    else:
        return []
    if score >= limits.satisfaction_min:
        return []
    return [
        Finding(
            type="satisfaction_drop",
            subject="customers",
            severity="warning",
            title=f"Customer satisfaction dropped to {score:.1f}/5",
            message=f"Average {basis} over the last {limits.quality_window_hours} h is {score:.2f}/5 "
            f"(minimum {limits.satisfaction_min}, {int(sample)} samples).",
            details={"score": round(score, 3), "basis": basis, "samples": int(sample)},
        )
    ]


def grounding_drop(state: TenantState) -> list[Finding]:
    """Share of replies that passed the grounding check below the minimum."""
    limits = state.tenant.alert_thresholds
    window = state.analytics_window(limits.quality_window_hours)
    graded = window.get("replies_graded", 0)
    if graded < limits.grounding_min_replies:
        return []
    rate = window.get("replies_grounded", 0) / graded
    if rate >= limits.grounding_min:
        return []
    return [
        Finding(
            type="grounding_drop",
            subject="replies",
            severity="critical",
            title=f"Only {rate:.0%} of replies were grounded in the catalog",
            message=f"{rate:.0%} of {int(graded)} checked replies in the last "
            f"{limits.quality_window_hours} h passed the grounding check "
            f"(minimum {limits.grounding_min:.0%}).",
            details={"rate": round(rate, 4), "replies": int(graded)},
        )
    ]


def webhook_failures(state: TenantState) -> list[Finding]:
    """Webhook deliveries failing: at least `webhook_failures_max` in this hour and the last."""
    limit = state.tenant.alert_thresholds.webhook_failures_max
    failures = int(state.analytics_window(2).get("webhook_failures", 0))
    if failures < limit:
        return []
    return [
        Finding(
            type="webhook_failures",
            subject="webhook",
            severity="critical",
            title=f"{failures} WhatsApp webhook failures",
            message=f"{failures} incoming WhatsApp webhook deliveries failed in the last two hours "
            f"(threshold {limit}); customers' messages may be lost.",
            details={"failures": failures, "threshold": limit},
        )
    ]
