"""Click-to-WhatsApp ads end to end: a signed webhook message carrying Meta's `referral` is
stored on the conversation; an order the customer places afterwards (through commerce, on the
emulator) counts for that ad, with its revenue, in the analytics documents and the KPIs; a
cancelled order stops counting."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.analytics.ads import refresh_ads
from shared.analytics.kpis import compute_kpis, read_period
from shared.analytics.periods import day_id
from shared.commerce.cart import CartLine
from shared.commerce.orders import place_order, set_order_status
from shared.storage import utcnow
from tests.respond_support import (
    conv,
    key_of,
    make_tenant,
    post_signed,
    text_payload,
    wait_for,
    write_catalog,
)

pytestmark = pytest.mark.usefixtures("emulators")
WA_ID = "15550070000"
REFERRAL = {
    "source_url": "https://fb.me/3cr4Wqqkv",
    "source_id": "120211234567890",
    "source_type": "ad",
    "headline": "Denim week: 20% off jackets",
    "body": "Tap to chat with us",
    "media_type": "image",
    "image_url": "https://scontent.xx.fbcdn.net/v/t45.jpg",
    "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0",
}


def test_an_ads_conversation_order_and_revenue_are_counted_for_it(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    message_id = f"wamid.{uuid.uuid4().hex}"
    payload = json.loads(
        text_payload(tenant.phone_number_id, WA_ID, message_id, "Hi! Is this jacket available?")
    )
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["referral"] = REFERRAL
    assert post_signed(json.dumps(payload).encode()).status_code == 200

    referral = wait_for(lambda: (conv(tenant_id, WA_ID).get().to_dict() or {}).get("referral"))
    assert referral["source_id"] == REFERRAL["source_id"] and referral["ctwa_clid"] == REFERRAL["ctwa_clid"]
    assert referral["headline"] == REFERRAL["headline"] and referral["message_id"] == message_id

    key = key_of(tenant_id, WA_ID)
    outcome = place_order(
        tenant_id,
        customer_key=key,
        wa_id=WA_ID,
        profile_name=None,
        lines=[CartLine(sku="JKT-001", quantity=2)],
        source="chat",
        idempotency_key=f"{message_id}.order",
    )
    assert outcome.placed and outcome.total_minor == 17800
    assert refresh_ads(tenant_id) >= 2
    refresh_ads(tenant_id)  # a second tick recomputes: nothing counts twice
    today = day_id(utcnow())
    kpis = compute_kpis(read_period(tenant_id, today), tenant.currency)
    ad = REFERRAL["source_id"]
    assert kpis["conversations_by_ad"] == {ad: 1}
    assert kpis["orders_by_ad"] == {ad: 1} and kpis["revenue_by_ad"] == {ad: 17800}
    assert read_period(tenant_id, today)["ads_headline"] == {ad: REFERRAL["headline"]}

    set_order_status(tenant_id, outcome.order_id, "cancelled", by="staff:test")
    refresh_ads(tenant_id)
    kpis = compute_kpis(read_period(tenant_id, today), tenant.currency)
    assert kpis["orders_by_ad"] == {} and kpis["revenue_by_ad"] == {}
    assert kpis["conversations_by_ad"] == {ad: 1}
