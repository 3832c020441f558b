"""Broadcasts on the emulators, sent through the Meta Graph API (a local stand-in of its wire
format): the segment without opted-out customers, a paced run that stops and resumes, no
customer messaged twice even when a run is repeated after a crash, an opt-out after the audience
froze respected, delivered/read/replied counts; and the scheduled run through Pub/Sub and the
served respond.outreach function."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from shared.broadcasts.segment import Segment
from shared.broadcasts.send import create_broadcast, message_id, refresh_counts, run_broadcast
from shared.events import Tick
from shared.messaging.store import conversation_ref, messages_ref
from shared.pubsub import publish_now
from shared.storage import tenant_collection, utcnow
from tests.respond_support import make_tenant, wait_for
from tests.standins import GraphStandIn

pytestmark = pytest.mark.usefixtures("emulators")

CUSTOMERS: dict[str, dict[str, Any]] = {
    "c1": {"wa_id": "15550040001", "language": "en", "tags": ["vip"]},
    "c2": {"wa_id": "15550040002", "language": "pt", "tags": ["vip"]},
    "c3": {"wa_id": "15550040003", "language": "pt", "rule_tags": ["vip"]},
    "c4": {"wa_id": "15550040004", "language": "es", "tags": ["vip"]},
    "c5": {"wa_id": "15550040005", "language": "en", "tags": ["vip"], "opted_out": True},
    "c6": {"wa_id": "15550040006", "language": "en", "tags": ["wholesale"]},
}


RECORD_FIELDS = ("tags", "rule_tags", "opted_out")


def add_customers(tenant_id: str) -> None:
    """Each customer as the platform keeps them: the conversation (who, language, last message)
    and the customer record (tags, opt-out), both under the customer key."""
    for key, data in CUSTOMERS.items():
        conversation = {k: v for k, v in data.items() if k not in RECORD_FIELDS[:2]}
        conversation_ref(tenant_id, key).set(
            {**conversation, "last_inbound_at": utcnow() - timedelta(days=2)}
        )
        record = {k: v for k, v in data.items() if k in RECORD_FIELDS}
        tenant_collection(tenant_id, "customers").document(key).set(record)


def sent_to(graph: GraphStandIn) -> Counter[str]:
    return Counter(body["to"] for _, _, body in graph.requests)


def test_a_paced_broadcast_resumes_and_never_messages_anyone_twice(
    tenant_id: str, graph: GraphStandIn
) -> None:
    make_tenant(tenant_id, channel="meta", locale="pt-BR")
    add_customers(tenant_id)
    bid = create_broadcast(
        tenant_id,
        template="announcement",
        text="Promoção de fim de semana: 20% em tudo",
        segment=Segment(tags=("vip",)),
        send_at=utcnow(),
        created_by="test",
    )
    # 0.1 s at 20 messages a second: two customers this run; the rest wait for the next.
    first = run_broadcast(tenant_id, bid, utcnow(), budget_s=0.1, rate_per_s=20)
    assert (first.status, first.sent, first.remaining) == ("sending", 2, 1)
    ref = tenant_collection(tenant_id, "broadcasts").document(bid)
    frozen = ref.get().to_dict() or {}
    assert frozen["audience"] == 4 and frozen["by_language"] == {"en": 1, "pt": 2, "es": 1}

    # A crash after a send but before its recipient was marked: the next run sees it pending.
    sent_keys = [r.id for r in ref.collection("recipients").stream() if r.get("status") == "sent"]
    ref.collection("recipients").document(sent_keys[0]).update({"status": "pending"})
    # And c4 opts out (STOP) after the audience froze: recorded as the platform records it.
    from shared.messaging.optout import record_opt_out

    record_opt_out(tenant_id, "c4", True, source="chat")

    last = run_broadcast(tenant_id, bid, utcnow(), budget_s=5, rate_per_s=50)
    assert last.status == "done"
    sends = sent_to(graph)
    assert set(sends) == {"15550040001", "15550040002", "15550040003"}, "vip incl. rule tag, minus opt-outs"
    assert max(sends.values()) == 1, f"someone was messaged twice: {sends}"
    bodies = {body["to"]: body for _, _, body in graph.requests}
    assert bodies["15550040002"]["type"] == "template"
    assert bodies["15550040002"]["template"]["name"] == "announcement"
    assert bodies["15550040002"]["template"]["language"]["code"] == "pt_BR"
    assert bodies["15550040001"]["template"]["language"]["code"] == "en_US"
    statuses = Counter(r.to_dict()["status"] for r in ref.collection("recipients").stream())
    assert statuses == {"sent": 3, "skipped_opted_out": 1}

    # Running a finished broadcast again sends nothing.
    run_broadcast(tenant_id, bid, utcnow())
    assert len(graph.requests) == 3


def test_delivered_read_and_replied_are_counted(tenant_id: str, graph: GraphStandIn) -> None:
    make_tenant(tenant_id, channel="meta")
    add_customers(tenant_id)
    bid = create_broadcast(
        tenant_id,
        template="announcement",
        text="New arrivals today",
        segment=Segment(language="en"),
        send_at=utcnow(),
        created_by="test",
    )
    progress = run_broadcast(tenant_id, bid, utcnow(), rate_per_s=50)
    assert (progress.status, progress.sent) == ("done", 2)  # c1 and c6 (c5 opted out)
    # Statuses arrive from the webhook; one customer answers.
    sent = sorted(sent_to(graph))
    assert sent == ["15550040001", "15550040006"]
    messages_ref(tenant_id, "c1").document(message_id(bid)).update({"status": "read"})
    messages_ref(tenant_id, "c6").document(message_id(bid)).update({"status": "delivered"})
    later = utcnow() + timedelta(seconds=5)
    conversation_ref(tenant_id, "c1").set({"last_inbound_at": later}, merge=True)
    assert refresh_counts(tenant_id, bid, utcnow()) == {"delivered": 2, "read": 1, "replied": 1}


def test_a_broadcast_set_for_later_waits_then_the_scheduled_run_sends_it(tenant_id: str) -> None:
    make_tenant(tenant_id)  # sandbox: the stored message is the delivery
    add_customers(tenant_id)
    bid = create_broadcast(
        tenant_id,
        template="announcement",
        text="Sale starts now",
        segment=Segment(tags=("wholesale",)),
        send_at=utcnow() + timedelta(hours=1),
        created_by="test",
    )
    publish_now("outreach-ticks", [Tick(tenant_id=tenant_id)])
    ref = tenant_collection(tenant_id, "broadcasts").document(bid)
    # The tick was handled (the health snapshot is written by the same run) but the broadcast waits.
    wait_for(lambda: tenant_collection(tenant_id, "health").document("current").get().exists, timeout=30)
    assert (ref.get().to_dict() or {})["status"] == "scheduled"

    ref.update({"send_at": utcnow() - timedelta(seconds=1)})
    publish_now("outreach-ticks", [Tick(tenant_id=tenant_id)])
    wait_for(lambda: (ref.get().to_dict() or {}).get("status") == "done", timeout=30)
    stored = messages_ref(tenant_id, "c6").document(message_id(bid)).get().to_dict() or {}
    assert stored["template"]["name"] == "announcement"
    assert stored["template"]["body_params"] == ["Sale starts now"] and "Sale starts now" in stored["text"]
    assert not messages_ref(tenant_id, "c1").document(message_id(bid)).get().exists
