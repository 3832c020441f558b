"""The KPIs: their definitions (README "KPIs" lists the same) and their values for a period.

Every KPI is computed from one period document (`tenants/{T}/analytics/{period}`), so an hour
and a day read the same way; ratios are None when their denominator is zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.analytics.histogram import percentile
from shared.storage import tenant_collection

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    definition: str
    compute: Callable[[Doc, str], Any]


def _n(doc: Doc, name: str) -> float:
    value = doc.get(name, 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _revenue(doc: Doc, currency: str) -> int:
    return int((doc.get("revenue_minor_by_currency") or {}).get(currency, 0))


def _satisfaction(doc: Doc, _: str) -> float | None:
    return _ratio(_n(doc, "rating_sum"), _n(doc, "ratings"))


def _top(name: str, limit: int = 5) -> Callable[[Doc, str], dict[str, int]]:
    def top(doc: Doc, _: str) -> dict[str, int]:
        counts = doc.get(name) or {}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])

    return top


def _by_provider(doc: Doc, _: str) -> dict[str, float | None]:
    replies = doc.get("replies_by_provider") or {}
    fallbacks = doc.get("provider_fallbacks_by") or {}
    return {p: _ratio(float(fallbacks.get(p, 0)), float(n)) for p, n in sorted(replies.items())}


def _errors_by_provider(doc: Doc, _: str) -> dict[str, float | None]:
    calls = doc.get("provider_calls_by") or {}
    errors = doc.get("provider_errors_by") or {}
    return {p: _ratio(float(errors.get(p, 0)), float(n)) for p, n in sorted(calls.items())}


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "conversations",
        "count",
        "conversations started (events with conversation_started)",
        lambda d, _: int(_n(d, "conversations")),
    ),
    Kpi(
        "messages_in",
        "count",
        "customer messages received (message_in events)",
        lambda d, _: int(_n(d, "messages_in")),
    ),
    Kpi(
        "messages_out", "count", "replies sent (message_out events)", lambda d, _: int(_n(d, "messages_out"))
    ),
    Kpi(
        "response_time_p50_ms",
        "ms",
        "median reply latency (latency_ms of message_out, histogram)",
        lambda d, _: _round(percentile(d.get("response_ms_hist") or {}, 0.5)),
    ),
    Kpi(
        "response_time_p95_ms",
        "ms",
        "95th percentile reply latency (same histogram)",
        lambda d, _: _round(percentile(d.get("response_ms_hist") or {}, 0.95)),
    ),
    Kpi("satisfaction_rating", "1-5", "mean explicit rating (rating events, 1-5 buttons)", _satisfaction),
    Kpi(
        "sentiment",
        "-1..1",
        "mean implicit sentiment of customer messages (sentiment on events)",
        lambda d, _: _ratio(_n(d, "sentiment_sum"), _n(d, "sentiment_count")),
    ),
    Kpi(
        "resolution_rate",
        "ratio",
        "conversations resolved / conversations started (resolved events)",
        lambda d, _: _ratio(_n(d, "resolutions"), _n(d, "conversations")),
    ),
    Kpi(
        "handoff_rate",
        "ratio",
        "hand-offs to staff / conversations started (handoff events)",
        lambda d, _: _ratio(_n(d, "handoffs"), _n(d, "conversations")),
    ),
    Kpi(
        "grounding_pass_rate",
        "ratio",
        "replies that passed the grounding check / replies checked (grounded on message_out)",
        lambda d, _: _ratio(_n(d, "replies_grounded"), _n(d, "replies_graded")),
    ),
    Kpi(
        "fallback_rate",
        "ratio",
        "AI replies answered by a fallback provider / AI replies (fallback, provider on message_out)",
        lambda d, _: _ratio(_n(d, "provider_fallbacks"), _n(d, "replies_ai")),
    ),
    Kpi(
        "fallback_rate_by_provider",
        "ratio",
        "the same, per provider that answered",
        _by_provider,
    ),
    Kpi(
        "provider_error_rate_by_provider",
        "ratio",
        "failed AI calls / AI calls, per provider (provider_call events)",
        _errors_by_provider,
    ),
    Kpi(
        "tokens_per_conversation",
        "tokens",
        "AI tokens in+out / conversations (tokens on events)",
        lambda d, _: _ratio(_n(d, "tokens_in") + _n(d, "tokens_out"), _n(d, "conversations")),
    ),
    Kpi(
        "cost_per_conversation_usd",
        "USD",
        "AI cost / conversations (cost_micros on events)",
        lambda d, _: _ratio(_n(d, "cost_micros") / 1e6, _n(d, "conversations")),
    ),
    Kpi(
        "messages_per_conversation",
        "count",
        "(messages in + out) / conversations",
        lambda d, _: _ratio(_n(d, "messages_in") + _n(d, "messages_out"), _n(d, "conversations")),
    ),
    Kpi(
        "session_length_s",
        "s",
        "mean session length (session_seconds on resolved events)",
        lambda d, _: _ratio(_n(d, "session_seconds_sum"), _n(d, "sessions")),
    ),
    Kpi(
        "returning_customer_rate",
        "ratio",
        "conversations with a customer first seen in an earlier hour / conversations",
        lambda d, _: _ratio(_n(d, "conversations_returning"), _n(d, "conversations")),
    ),
    Kpi(
        "new_customers",
        "count",
        "customers seen for the first time (hashed customer on any event)",
        lambda d, _: int(_n(d, "new_customers")),
    ),
    Kpi(
        "conversions",
        "count",
        "orders + bookings placed and not cancelled (the orders and bookings records)",
        lambda d, _: int(_n(d, "conversions")),
    ),
    Kpi(
        "orders",
        "count",
        "orders placed (orders records, by creation time)",
        lambda d, _: int(_n(d, "orders")),
    ),
    Kpi(
        "orders_by_status",
        "status → count",
        "orders placed in the period by their status now",
        lambda d, _: dict(d.get("orders_by_status") or {}),
    ),
    Kpi(
        "revenue_by_status_minor",
        "status → minor units",
        "order totals by status (tenant currency): placed, confirmed, paid, fulfilled, cancelled",
        lambda d, _: dict(d.get("revenue_minor_by_status") or {}),
    ),
    Kpi(
        "average_order_value_minor",
        "minor units",
        "order revenue (not cancelled, tenant currency) / orders not cancelled",
        lambda d, cur: _ratio(_revenue(d, cur), _n(d, "conversions_order")),
    ),
    Kpi(
        "order_cancellation_rate",
        "ratio",
        "orders cancelled / orders placed",
        lambda d, _: _ratio(float((d.get("orders_by_status") or {}).get("cancelled", 0)), _n(d, "orders")),
    ),
    Kpi("bookings", "count", "bookings made (bookings records)", lambda d, _: int(_n(d, "bookings"))),
    Kpi(
        "booking_fill_rate",
        "ratio",
        "seats booked / seats offered, of the slots on that day (day periods)",
        lambda d, _: _ratio(_n(d, "slot_booked"), _n(d, "slot_capacity")),
    ),
    Kpi(
        "booking_cancellation_rate",
        "ratio",
        "bookings cancelled / bookings made",
        lambda d, _: _ratio(
            float((d.get("bookings_by_status") or {}).get("cancelled", 0)), _n(d, "bookings")
        ),
    ),
    Kpi(
        "no_show_rate",
        "ratio",
        "bookings marked no-show / bookings marked attended or no-show",
        lambda d, _: _ratio(
            float((d.get("bookings_by_status") or {}).get("no_show", 0)),
            float(sum((d.get("bookings_by_status") or {}).get(s, 0) for s in ("attended", "no_show"))),
        ),
    ),
    Kpi(
        "conversion_rate",
        "ratio",
        "conversions / conversations",
        lambda d, _: _ratio(_n(d, "conversions"), _n(d, "conversations")),
    ),
    Kpi(
        "attributed_revenue_minor",
        "minor units",
        "order totals (not cancelled) in the tenant's currency, from the orders records",
        lambda d, cur: _revenue(d, cur),
    ),
    Kpi(
        "roi",
        "ratio",
        "attributed revenue (tenant currency, major units) / AI cost (USD); "
        "meaningful as such when the tenant's currency is USD",
        lambda d, cur: _ratio(_revenue(d, cur) / 100, _n(d, "cost_micros") / 1e6),
    ),
    Kpi(
        "webhook_failures",
        "count",
        "webhook deliveries that failed (webhook_failure events)",
        lambda d, _: int(_n(d, "webhook_failures")),
    ),
    Kpi(
        "webhook_failures_by_reason",
        "reason → count",
        "webhook refusals and errors by reason (webhook_failure events)",
        _top("webhook_failures_by"),
    ),
    Kpi(
        "messages_dropped",
        "count",
        "inbound messages given up on (worker drops, dead letters, unanswered after the sweep)",
        lambda d, _: int(_n(d, "messages_dropped")),
    ),
    Kpi(
        "send_failures",
        "count",
        "replies and notices the provider refused or that failed for good (send_failed events)",
        lambda d, _: int(_n(d, "send_failures")),
    ),
    Kpi(
        "top_asked_items",
        "sku → asks",
        "items customers asked for most (skus_asked on events)",
        _top("asked"),
    ),
    Kpi(
        "asked_out_of_stock_items",
        "sku → asks",
        "items asked for while out of stock (skus_out_of_stock on events)",
        _top("asked_out_of_stock"),
    ),
    Kpi(
        "conversations_by_ad",
        "ad → conversations",
        "conversations started from a click-to-WhatsApp ad (the referral's source_id; last touch)",
        _top("ads_conversations", 10),
    ),
    Kpi(
        "orders_by_ad",
        "ad → orders",
        "orders (not cancelled) placed within 7 days after the customer's ad click",
        _top("ads_orders", 10),
    ),
    Kpi(
        "bookings_by_ad",
        "ad → bookings",
        "bookings (not cancelled) made within 7 days after the customer's ad click",
        _top("ads_bookings", 10),
    ),
    Kpi(
        "revenue_by_ad",
        "ad → minor units",
        "revenue of those orders, in the tenant's currency",
        _top("ads_revenue_minor", 10),
    ),
)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def compute_kpis(doc: Doc, currency: str = "USD") -> dict[str, Any]:
    """Every KPI's value for one period document."""
    return {k.name: k.compute(doc, currency) for k in KPIS}


def read_period(tenant_id: str, period: str) -> dict[str, Any]:
    """A period document's fields ({} when nothing was counted in it yet)."""
    snap = tenant_collection(tenant_id, "analytics").document(period).get()
    return (snap.to_dict() or {}) if snap.exists else {}
