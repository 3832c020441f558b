"""Pure analytics logic: histograms, event deltas, merges, dedupe packing, KPI formulas."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from shared.analytics import dedupe
from shared.analytics.delta import MAX_MAP_KEYS, OTHER_KEY, Delta, apply_delta, event_delta
from shared.analytics.histogram import bucket_of, percentile
from shared.analytics.kpis import KPIS, compute_kpis
from shared.analytics.periods import day_id, hour_id, recent_hours
from shared.events import ConversationEvent


def _event(type_: str, **kw) -> ConversationEvent:
    return ConversationEvent(event_id=kw.pop("event_id", "e1"), tenant_id="t", type=type_, **kw)


def test_period_ids_are_utc() -> None:
    from datetime import timedelta, timezone

    at = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert hour_id(at) == "hour_2025-03-02T04"
    assert day_id(at) == "day_2025-03-02"
    assert recent_hours(datetime(2025, 3, 2, 1, tzinfo=UTC), 3) == [
        "hour_2025-03-01T23",
        "hour_2025-03-02T00",
        "hour_2025-03-02T01",
    ]


def test_merged_hour_histograms_give_the_day_percentiles_within_a_bucket() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(7, 0.6) for _ in range(5000)]
    hours = [Delta(), Delta()]
    for i, v in enumerate(values):
        hours[i % 2].add_key("h", bucket_of(v))
    day = apply_delta(apply_delta({}, hours[0]), hours[1])["h"]
    values.sort()
    for q in (0.5, 0.95):
        exact = values[int(q * len(values))]
        estimate = percentile(day, q)
        assert estimate is not None
        assert abs(estimate - exact) / exact < 0.13


def test_a_reply_counts_message_latency_and_grounding() -> None:
    d = event_delta(_event("message_out", latency_ms=420.0, grounded=True, tokens_in=10, tokens_out=5))
    doc = apply_delta({}, d)
    assert doc["messages_out"] == 1
    assert doc["response_ms_count"] == 1 and doc["response_ms_sum"] == 420
    assert doc["replies_graded"] == 1 and doc["replies_grounded"] == 1
    assert doc["tokens_in"] == 10 and doc["tokens_out"] == 5
    assert sum(doc["response_ms_hist"].values()) == 1


def test_customer_facts_and_items_asked() -> None:
    d = event_delta(
        _event("message_in", conversation_started=True, skus_asked=["A", "A", "B"], skus_out_of_stock=["B"]),
        returning=True,
        new_customer=False,
    )
    doc = apply_delta({"asked": {"A": 2}}, d)
    assert doc["conversations"] == 1 and doc["conversations_returning"] == 1
    assert doc["asked"] == {"A": 3, "B": 1}
    assert doc["asked_out_of_stock"] == {"B": 1}


def test_chat_conversion_events_no_longer_count_and_roi_uses_record_revenue() -> None:
    doc = apply_delta(
        {}, event_delta(_event("conversion", conversion="order", revenue_minor=2599, currency="eur"))
    )
    assert "conversions" not in doc and "revenue_minor_by_currency" not in doc
    doc = apply_delta(doc, event_delta(_event("provider_call", provider="openai", cost_micros=500_000)))
    doc |= {"revenue_minor_by_currency": {"EUR": 2599}, "conversions_order": 1}  # from the orders
    kpis = compute_kpis(doc, "EUR")
    assert kpis["attributed_revenue_minor"] == 2599 and kpis["average_order_value_minor"] == 2599
    assert kpis["roi"] == round(25.99 / 0.5, 4)
    assert compute_kpis(doc, "USD")["attributed_revenue_minor"] == 0


def test_item_maps_stay_bounded() -> None:
    delta = Delta()
    for i in range(MAX_MAP_KEYS + 50):
        delta.add_key("asked", f"sku{i}", 1 + (i == 3))
    doc = apply_delta({}, delta)
    assert len(doc["asked"]) == MAX_MAP_KEYS
    assert doc["asked"]["sku3"] == 2
    assert sum(doc["asked"].values()) == MAX_MAP_KEYS + 51
    assert doc["asked"][OTHER_KEY] >= 50


def test_dedupe_digests_round_trip() -> None:
    keys = {dedupe.digest(f"evt-{i}") for i in range(1000)}
    assert len(keys) == 1000
    assert dedupe.unpack(dedupe.pack(keys)) == keys
    assert len(dedupe.pack(keys)) == 8000


def test_at_least_fifteen_kpis_each_defined() -> None:
    assert len(KPIS) >= 15
    assert all(k.definition and k.unit for k in KPIS)
    values = compute_kpis({})
    assert values["conversations"] == 0 and values["handoff_rate"] is None


def test_fallback_rate_comes_from_the_replies_respond_marks() -> None:
    doc = apply_delta({}, event_delta(_event("message_out", provider="gemini", fallback=True)))
    doc = apply_delta(doc, event_delta(_event("message_out", provider="openai")))
    doc = apply_delta(doc, event_delta(_event("provider_call", provider="openai", provider_error=True)))
    kpis = compute_kpis(doc)
    assert kpis["fallback_rate"] == 0.5
    assert kpis["fallback_rate_by_provider"] == {"gemini": 1.0, "openai": 0.0}
    assert kpis["provider_error_rate_by_provider"] == {"openai": 1.0}
