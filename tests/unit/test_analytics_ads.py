"""Per-ad KPIs from click-to-WhatsApp referrals: last-touch attribution, in the right periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.analytics.ads import ad_fields, ad_of
from shared.analytics.kpis import compute_kpis

CLICK = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)
AD = {"source_id": "120211", "headline": "Winter jackets -20%", "source_url": "https://fb.me/x", "at": CLICK}


def order(key: str, after: timedelta, total: int, status: str = "placed") -> dict:
    return {
        "customer_key": key,
        "created_at": CLICK + after,
        "total_minor": total,
        "currency": "USD",
        "status": status,
    }


def test_a_click_counts_a_conversation_in_its_hour_and_day() -> None:
    fields = ad_fields([{"referral": AD}], [], [], currency="USD", referrals={})
    assert fields["hour_2026-11-30T10"]["ads_conversations"] == {"120211": 1}
    assert fields["day_2026-11-30"]["ads_conversations"] == {"120211": 1}
    assert fields["day_2026-11-30"]["ads_headline"] == {"120211": "Winter jackets -20%"}


def test_orders_after_the_click_count_for_the_ad_with_their_revenue() -> None:
    orders = [
        order("c1", timedelta(hours=2), 8900),
        order("c1", timedelta(days=1), 1500),
        order("c1", timedelta(days=8), 9999),  # past the attribution window
        order("c1", -timedelta(hours=1), 7777),  # before the click
        order("c1", timedelta(hours=3), 5000, status="cancelled"),
        order("c2", timedelta(hours=2), 4242),  # a customer who never clicked an ad
    ]
    fields = ad_fields([], orders, [], currency="USD", referrals={"c1": AD})
    assert fields["day_2026-11-30"]["ads_orders"] == {"120211": 1}
    assert fields["day_2026-11-30"]["ads_revenue_minor"] == {"120211": 8900}
    assert fields["day_2026-12-01"]["ads_revenue_minor"] == {"120211": 1500}
    assert fields["day_2026-12-08"]["ads_orders"] == {}  # recomputed, counts nothing
    assert fields["day_2026-11-30"]["ads_bookings"] == {}


def test_bookings_count_too() -> None:
    bookings = [{"customer_key": "c1", "created_at": CLICK + timedelta(minutes=5), "status": "booked"}]
    fields = ad_fields([], [], bookings, currency="USD", referrals={"c1": AD})
    assert fields["hour_2026-11-30T10"]["ads_bookings"] == {"120211": 1}


def test_ad_ids_are_safe_map_keys() -> None:
    assert ad_of({"source_id": "a.b`c"}) == "a_bc"
    assert ad_of({"source_url": "https://instagram.com/p/1"}) == "unknown"
    assert ad_of(None) is None and ad_of({}) is None


def test_the_kpis_read_per_ad_figures() -> None:
    doc = {
        "ads_conversations": {"120211": 4, "99": 1},
        "ads_orders": {"120211": 2},
        "ads_revenue_minor": {"120211": 10400},
    }
    kpis = compute_kpis(doc, "USD")
    assert kpis["conversations_by_ad"] == {"120211": 4, "99": 1}
    assert kpis["orders_by_ad"] == {"120211": 2} and kpis["revenue_by_ad"] == {"120211": 10400}
    assert compute_kpis({}, "USD")["revenue_by_ad"] == {}


def test_each_kpi_has_one_name() -> None:
    from shared.analytics.kpis import KPIS

    names = [k.name for k in KPIS]
    assert len(names) == len(set(names))
