"""Who a broadcast reaches: segments, opt-outs, pacing within the messaging tier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.broadcasts.pacing import allowance
from shared.broadcasts.segment import Segment, audience, count_by_language

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
CUSTOMERS = [
    ("a", {"wa_id": "1", "language": "en", "tags": ["vip"], "last_seen_at": NOW - timedelta(days=2)}),
    ("b", {"wa_id": "2", "language": "pt", "tags": ["vip", "dresses"], "bought_skus": ["D-1"]}),
    ("c", {"wa_id": "3", "language": "pt", "tags": ["vip"], "opted_out": True}),
    ("d", {"wa_id": "4", "language": "es", "tags": [], "asked_skus": ["D-1"], "last_seen_at": NOW}),
    ("e", {"language": "es", "tags": ["vip"]}),  # no number to send to
]


def keys(segment: Segment) -> list[str]:
    return [k for k, _ in audience(CUSTOMERS, segment, NOW)]


def test_opted_out_customers_are_never_in_any_segment() -> None:
    assert "c" not in keys(Segment())
    assert "c" not in keys(Segment(tags=("vip",)))
    assert "c" not in keys(Segment(language="pt"))


def test_tags_language_items_and_last_seen_narrow_the_audience() -> None:
    assert keys(Segment()) == ["a", "b", "d"]
    assert keys(Segment(tags=("vip",))) == ["a", "b"]
    assert keys(Segment(tags=("dresses", "nothing"))) == ["b"]
    assert keys(Segment(language="pt")) == ["b"]
    assert keys(Segment(bought_sku="D-1")) == ["b"]
    assert keys(Segment(asked_sku="D-1")) == ["d"]
    assert keys(Segment(seen_within_days=7)) == ["a", "d"]
    assert keys(Segment(tags=("vip",), seen_within_days=1)) == []


def test_counts_per_language_default_to_the_shops_language() -> None:
    members = audience([*CUSTOMERS, ("f", {"wa_id": "6"})], Segment(), NOW)
    assert count_by_language(members, "fr") == {"en": 1, "pt": 1, "es": 1, "fr": 1}


def test_pacing_stays_within_the_tier_and_the_rate() -> None:
    assert allowance("250", started_last_24h=200, run_budget_s=40, rate_per_s=20) == 50
    assert allowance("250", started_last_24h=300, run_budget_s=40, rate_per_s=20) == 0
    assert allowance("10k", started_last_24h=0, run_budget_s=40, rate_per_s=20) == 800
    assert allowance("unlimited", started_last_24h=10**6, run_budget_s=10, rate_per_s=5) == 50
