"""Messages that reach the served worker hours after the customer sent them (Meta's `timestamp`
far in the past, as after an outage): one catch-up reply in the customer's language for the
whole backlog, the conversation flagged for staff, and fresh messages answered as usual."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from shared.i18n.catalog import message
from tests.respond_support import (
    conv,
    make_tenant,
    messages,
    post_signed,
    replies,
    reply_to,
    text_payload,
    wait_for,
    write_catalog,
)

pytestmark = pytest.mark.usefixtures("emulators")
WA_ID = "15550060000"


def say_at(tenant, text: str, *, hours_ago: float) -> str:  # type: ignore[no-untyped-def]
    """Post `text` as Meta would deliver it now, sent `hours_ago` hours ago."""
    message_id = f"wamid.{uuid.uuid4().hex}"
    payload = json.loads(text_payload(tenant.phone_number_id, WA_ID, message_id, text))
    sent = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    sent["timestamp"] = str(int(time.time() - hours_ago * 3600))
    assert post_signed(json.dumps(payload).encode()).status_code == 200
    return message_id


def test_a_backlog_gets_one_catch_up_and_is_flagged(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    write_catalog(tenant_id)
    backlog = [
        say_at(tenant, "Olá, vocês têm a jaqueta jeans? Quanto custa?", hours_ago=9),
        say_at(tenant, "Alguém aí? Preciso saber hoje, por favor", hours_ago=8.5),
        say_at(tenant, "Vocês entregam em Campinas também?", hours_ago=8),
    ]
    first = wait_for(lambda: replies(tenant_id, WA_ID))
    time.sleep(4)  # the rest of the backlog reaches the worker too
    out = replies(tenant_id, WA_ID)
    assert len(out) == 1, [r["text"] for r in out]
    assert out[0]["text"] == message("backlog.catch_up", "pt") == first[0]["text"]
    wait_for(lambda: conv(tenant_id, WA_ID).get().to_dict()["backlog"]["count"] == 3)
    flag = conv(tenant_id, WA_ID).get().to_dict()["backlog"]
    assert flag["flagged"] is True
    inbound = {m["id"]: m for m in messages(tenant_id, WA_ID, "in")}
    assert flag["oldest_at"] == inbound[backlog[0]]["at"] and flag["newest_at"] == inbound[backlog[2]]["at"]
    assert not conv(tenant_id, WA_ID).get().to_dict().get("pending_inbound")

    # A message sent before the catch-up but delivered after it: counted, not answered.
    say_at(tenant, "Oi??", hours_ago=7)
    wait_for(lambda: conv(tenant_id, WA_ID).get().to_dict()["backlog"]["count"] == 4)
    # The customer writes now: a normal answer, not another apology.
    fresh = say_at(tenant, "Quanto custa a jaqueta jeans?", hours_ago=0)
    answer = reply_to(tenant_id, WA_ID, fresh)
    assert answer["text"] != out[0]["text"] and answer.get("intent") != "catch_up"
    assert len(replies(tenant_id, WA_ID)) == 2
