"""One event's contribution to a period document, and the merge of contributions into it.

A period document holds flat numeric counters (`messages_in`, `conversations`, ...) and a few
maps of key → count (`response_ms_hist`, `asked`, `asked_out_of_stock`, `provider_calls_by`, ...).
Both merge by addition, so a batch of events is pre-aggregated in memory and written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.analytics.histogram import bucket_of
from shared.events import ConversationEvent

# Maps that name free-form keys (SKUs) keep at most this many entries; the rest add up under
# OTHER_KEY, so a document stays small whatever the catalog.
MAX_MAP_KEYS = 300
OTHER_KEY = "_other"
MAP_FIELDS = (
    "response_ms_hist",
    "rating_hist",
    "provider_calls_by",
    "replies_by_provider",
    "provider_fallbacks_by",
    "provider_errors_by",
    "revenue_minor_by_currency",
    "asked",
    "asked_out_of_stock",
)


@dataclass
class Delta:
    """Counters and keyed counts to add to a period document."""

    counters: dict[str, float] = field(default_factory=dict)
    maps: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, name: str, amount: float = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + amount

    def add_key(self, map_name: str, key: str, amount: float = 1) -> None:
        counts = self.maps.setdefault(map_name, {})
        counts[key] = counts.get(key, 0) + amount

    def merge(self, other: Delta) -> None:
        for name, amount in other.counters.items():
            self.add(name, amount)
        for map_name, counts in other.maps.items():
            for key, amount in counts.items():
                self.add_key(map_name, key, amount)

    @property
    def empty(self) -> bool:
        return not self.counters and not self.maps


def event_delta(event: ConversationEvent, *, returning: bool = False, new_customer: bool = False) -> Delta:
    """What `event` adds to the hour and the day it happened in.

    `returning`: the conversation it starts is with a customer seen in an earlier hour;
    `new_customer`: it is the first event ever seen from its customer.
    """
    d = Delta()
    d.add("events")
    d.add(f"events_{event.type}")
    if event.conversation_started:
        d.add("conversations")
        if returning or event.returning_customer:
            d.add("conversations_returning")
    if new_customer:
        d.add("new_customers")
    if event.type == "message_in":
        d.add("messages_in")
    elif event.type == "message_out":
        d.add("messages_out")
        if event.latency_ms is not None:
            d.add("response_ms_count")
            d.add("response_ms_sum", round(event.latency_ms))
            d.add_key("response_ms_hist", bucket_of(event.latency_ms))
        if event.grounded is not None:
            d.add("replies_graded")
            d.add("replies_grounded", int(event.grounded))
        if event.provider:
            d.add("replies_ai")
            d.add_key("replies_by_provider", event.provider)
    elif event.type == "provider_call":
        provider = event.provider or "unknown"
        d.add("provider_calls")
        d.add_key("provider_calls_by", provider)
        if event.provider_error:
            d.add("provider_errors")
            d.add_key("provider_errors_by", provider)
    elif event.type == "handoff":
        d.add("handoffs")
    elif event.type == "resolved":
        d.add("resolutions")
    elif event.type == "webhook_failure":
        d.add("webhook_failures")
        d.add_key("webhook_failures_by", event.failure or "unknown")
    elif event.type == "message_dropped":
        d.add("messages_dropped")
        d.add_key("messages_dropped_by", event.failure or "unknown")
    elif event.type == "send_failed":
        d.add("send_failures")
        d.add_key("send_failures_by", event.failure or "unknown")
    # `conversion` events are not counted: orders, bookings and revenue come from the records
    # themselves (shared.analytics.commerce), never from what a chat seemed to say.
    # Click-to-WhatsApp ads are counted from the records (shared.analytics.ads), not from events.
    if event.fallback:  # respond marks the reply a fallback provider answered
        d.add("provider_fallbacks")
        d.add_key("provider_fallbacks_by", event.provider or "unknown")
    if event.type == "rating" and event.rating is not None:
        d.add("ratings")
        d.add("rating_sum", event.rating)
        d.add_key("rating_hist", str(event.rating))
    if event.sentiment is not None:
        d.add("sentiment_count")
        d.add("sentiment_sum", event.sentiment)
    if event.session_seconds is not None:
        d.add("sessions")
        d.add("session_seconds_sum", event.session_seconds)
    # Each AI call's usage is reported once, on the event that describes the call.
    if event.tokens_in or event.tokens_out:
        d.add("tokens_in", event.tokens_in)
        d.add("tokens_out", event.tokens_out)
    if event.cost_micros:
        d.add("cost_micros", event.cost_micros)
    if event.type == "conversion":
        return d  # its skus_asked name what was bought, not a new question
    for sku in dict.fromkeys(event.skus_asked):
        d.add_key("asked", sku)
    for sku in dict.fromkeys(event.skus_out_of_stock):
        d.add_key("asked_out_of_stock", sku)
    return d


def apply_delta(doc: Mapping[str, Any] | None, delta: Delta) -> dict[str, Any]:
    """The document's fields after adding `delta` (counters and maps; other fields kept)."""
    merged: dict[str, Any] = dict(doc or {})
    for name, amount in delta.counters.items():
        merged[name] = _number(merged.get(name, 0) + amount)
    for name, counts in delta.maps.items():
        current: dict[str, float] = dict(merged.get(name) or {})
        for key, amount in counts.items():
            current[key] = current.get(key, 0) + amount
        merged[name] = {k: _number(v) for k, v in _capped(current).items()}
    return merged


def _capped(counts: dict[str, float]) -> dict[str, float]:
    if len(counts) <= MAX_MAP_KEYS:
        return counts
    other = counts.pop(OTHER_KEY, 0)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    keep = dict(ranked[: MAX_MAP_KEYS - 1])
    keep[OTHER_KEY] = other + sum(v for _, v in ranked[MAX_MAP_KEYS - 1 :])
    return keep


def _number(value: float) -> int | float:
    """Whole numbers stay integers in Firestore; sums of sentiments stay floats."""
    return int(value) if float(value).is_integer() else float(value)
