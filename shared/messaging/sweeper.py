"""The sweeper: inbound messages nobody answered (a worker run that failed for good, a publish
lost while Pub/Sub was down) are found on the scheduler tick and answered, or flagged to staff.

A conversation's `pending_inbound` holds the ids the webhook stored and no reply covered yet.
Left there longer than STALE, the newest one is published again to `inbound-messages` (the
worker answers the whole pending burst once, whatever it is told twice). After MAX_SWEEPS tries
for the same message, or once it is older than GIVE_UP, the conversation is flagged
`unanswered` for staff (the dashboard shows it) and a `message_dropped` event is counted.
`swept` on the conversation remembers the tries per newest pending message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from shared.log import get_logger, log_event

log = get_logger(__name__)

STALE = timedelta(minutes=3)
GIVE_UP = timedelta(hours=1)
MAX_SWEEPS = 3
# Conversations looked at: last inbound within this window (older ones were flagged already).
LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class SweepAction:
    conversation_id: str
    message_id: str  # the newest pending message
    action: Literal["republish", "flag"]
    tries: int


def plan_sweep(conversations: list[tuple[str, dict[str, Any]]], now: datetime) -> list[SweepAction]:
    """What to do for each conversation (id, document) with stale pending messages. Pure."""
    actions = []
    for conversation_id, doc in conversations:
        pending = list(doc.get("pending_inbound") or [])
        last_in = doc.get("last_inbound_at")
        if not pending or not isinstance(last_in, datetime) or now - last_in < STALE:
            continue
        if doc.get("handoff"):
            continue  # staff have it: nothing is sent automatically
        newest = pending[-1]
        swept = doc.get("swept") or {}
        tries = int(swept.get("count", 0)) if swept.get("id") == newest else 0
        if doc.get("unanswered_id") == newest:
            continue  # flagged already
        if tries >= MAX_SWEEPS or now - last_in > GIVE_UP:
            actions.append(SweepAction(conversation_id, newest, "flag", tries))
        else:
            actions.append(SweepAction(conversation_id, newest, "republish", tries + 1))
    return actions


def sweep_tenant(tenant_id: str, *, now: datetime | None = None) -> list[SweepAction]:
    """Find this tenant's stale pending messages and republish or flag them."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.events import InboundMessage
    from shared.messaging.failures import record_failure
    from shared.pubsub import publish_now
    from shared.settings import get_settings
    from shared.storage import tenant_collection, utcnow

    now = now or utcnow()
    conversations = tenant_collection(tenant_id, "conversations")
    query = conversations.where(filter=FieldFilter("last_inbound_at", ">=", now - LOOKBACK)).where(
        filter=FieldFilter("last_inbound_at", "<=", now - STALE)
    )
    docs = [(s.id, s.to_dict() or {}) for s in query.stream()]
    actions = plan_sweep(docs, now)
    by_id = dict(docs)
    for act in actions:
        ref = conversations.document(act.conversation_id)
        if act.action == "republish":
            doc = by_id[act.conversation_id]
            message = InboundMessage(
                tenant_id=tenant_id,
                customer_key=act.conversation_id,
                message_id=act.message_id,
                received_at=doc["last_inbound_at"],
            )
            publish_now(get_settings().topic_inbound_messages, [message])
            ref.update({"swept": {"id": act.message_id, "count": act.tries, "at": now}})
        else:
            ref.update({"unanswered": True, "unanswered_id": act.message_id, "unanswered_at": now})
            record_failure(
                tenant_id, "message_dropped", "unanswered", event_id=f"unanswered:{act.message_id}"
            )
        log_event(log, 30, "pending inbound swept", tenant_id=tenant_id, action=act.action, tries=act.tries)
    return actions
