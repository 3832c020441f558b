"""Click-to-WhatsApp ads: conversations, orders, bookings and revenue per ad.

A customer who taps a click-to-WhatsApp ad arrives with a `referral` on their first message
(`source_id` = the ad, `source_url`, `headline`, `ctwa_clid`); the webhook stores the latest one
on the conversation (`referral`, with `at`). Attribution is last touch: a conversation counts for
the ad of its referral, in the period of the click; an order or booking counts for that ad when
it was made within ATTRIBUTION after the click (and not before it), in the period it was made;
revenue is the order totals not cancelled, in the tenant's currency.

Like the sales KPIs (shared.analytics.commerce), each rollup tick recomputes the `ads_*` fields
of the periods in the lookback from the records themselves and replaces them, so a redelivered
tick or a cancelled order never counts twice. Fields (maps keyed by the ad's `source_id`):
`ads_conversations`, `ads_orders`, `ads_bookings`, `ads_revenue_minor`, `ads_headline`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.analytics.periods import day_id, hour_id
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

log = get_logger(__name__)
ATTRIBUTION = timedelta(days=7)
LOOKBACK_DAYS = 2
FIELDS = ("ads_conversations", "ads_orders", "ads_bookings", "ads_revenue_minor", "ads_headline")
UNKNOWN_AD = "unknown"  # a referral without a source_id (an organic post, say)


def ad_of(referral: Mapping[str, Any] | None) -> str | None:
    """The ad id a referral names (map-key safe), or None when there is no referral."""
    if not referral:
        return None
    source = str(referral.get("source_id") or "").strip()
    return source.replace(".", "_").replace("`", "")[:128] or UNKNOWN_AD


def _periods(at: datetime) -> tuple[str, str]:
    return hour_id(at), day_id(at)


def ad_fields(
    conversations: Iterable[Mapping[str, Any]],
    orders: Iterable[Mapping[str, Any]],
    bookings: Iterable[Mapping[str, Any]],
    *,
    currency: str,
    referrals: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """{period id: {field: {ad: value}}} for the periods of the clicks, orders and bookings given.

    `conversations` are conversation documents with a `referral`; `referrals` maps a customer
    key to that customer's referral, for attributing their orders and bookings.
    """
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: {f: {} for f in FIELDS})

    def add(at: datetime, field: str, ad: str, amount: int) -> None:
        for period in _periods(at):
            counts = out[period][field]
            counts[ad] = counts.get(ad, 0) + amount

    for conversation in conversations:
        referral = conversation.get("referral") or {}
        ad, at = ad_of(referral), referral.get("at")
        if ad is None or not isinstance(at, datetime):
            continue
        add(at, "ads_conversations", ad, 1)
        for period in _periods(at):
            out[period]["ads_headline"][ad] = str(referral.get("headline") or "")[:200]
    for kind, records in (("ads_orders", orders), ("ads_bookings", bookings)):
        for record in records:
            made, referral = record.get("created_at"), referrals.get(str(record.get("customer_key")))
            if not isinstance(made, datetime):
                continue
            for period in _periods(made):
                out[period]  # recomputed even when it now counts nothing (a cancelled order)
            clicked = (referral or {}).get("at")
            ad = ad_of(referral)
            if record.get("status") == "cancelled" or ad is None or not isinstance(clicked, datetime):
                continue
            if not clicked <= made <= clicked + ATTRIBUTION:
                continue
            add(made, kind, ad, 1)
            if kind == "ads_orders" and str(record.get("currency") or currency).upper() == currency.upper():
                add(made, "ads_revenue_minor", ad, int(record.get("total_minor") or 0))
    return dict(out)


def refresh_ads(tenant_id: str, *, now: datetime | None = None) -> int:
    """Recompute the per-ad fields of the tenant's recent periods; returns documents written."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.messaging.store import conversation_ref
    from shared.tenants import get_tenant

    now = now or utcnow()
    # Whole UTC days: a day document is recomputed from all of that day's records, never a part.
    since = datetime.combine((now - timedelta(days=LOOKBACK_DAYS)).date(), datetime.min.time(), UTC)
    tenant = get_tenant(tenant_id)

    def recent(name: str, field: str) -> list[dict[str, Any]]:
        query = tenant_collection(tenant_id, name).where(filter=FieldFilter(field, ">=", since))
        return [s.to_dict() or {} for s in query.stream()]

    clicked = recent("conversations", "referral.at")
    orders, bookings = recent("orders", "created_at"), recent("bookings", "created_at")
    keys = sorted({str(r["customer_key"]) for r in orders + bookings if r.get("customer_key")})
    snaps = firestore_client().get_all([conversation_ref(tenant_id, k) for k in keys]) if keys else []
    referrals = {s.id: (s.to_dict() or {}).get("referral") or {} for s in snaps if s.exists}
    fields = ad_fields(clicked, orders, bookings, currency=tenant.currency, referrals=referrals)
    analytics = tenant_collection(tenant_id, "analytics")
    batch, written = firestore_client().batch(), 0
    for period, values in fields.items():
        # merge= the fields: each map is replaced whole, so an ad that no longer counts drops out.
        batch.set(analytics.document(period), {**values, "ads_at": now}, merge=[*FIELDS, "ads_at"])
        written += 1
        if written % 400 == 0:
            batch.commit()
            batch = firestore_client().batch()
    batch.commit()
    log_event(log, 20, "ad KPIs refreshed", tenant_id=tenant_id, periods=written, ads=len(clicked))
    return written


def refresh_all(tenant_id: str | None = None) -> list[int]:
    from shared.tenants import for_each_tenant

    return for_each_tenant(tenant_id, refresh_ads, what="ad KPIs")
