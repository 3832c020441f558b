"""Old messages after an outage: a message that reaches the worker long after the customer sent
it (our outage, Meta's retries, a backlog of Pub/Sub) is not answered as if it were fresh.

When the newest message of the burst was sent more than the tenant's `stale_message_hours`
(default 6 h) ago, the customer gets one catch-up reply for the whole backlog ("sorry for the
late reply… what can we help you with?", in their language) instead of answers to questions
that may no longer stand, and the conversation is flagged for staff: `backlog` (true),
`backlog_ids`, `backlog_since`. Further old messages within the same period are only added to the
flag: one apology, not one per message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.log import get_logger, log_event
from shared.storage import utcnow

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)


def is_backlog(burst: list[tuple[str, dict[str, Any]]], now: datetime, limit: timedelta) -> bool:
    """Was the newest message of the burst sent more than `limit` ago? Pure."""
    sent = burst[-1][1].get("at") if burst else None
    return isinstance(sent, datetime) and now - sent > limit


def answer_backlog(
    tenant: TenantConfig,
    customer_key: str,
    burst: list[tuple[str, dict[str, Any]]],
    state: dict[str, Any],
    *,
    reply_to: str,
) -> bool:
    """Handle a burst of old messages (True), or leave a fresh one to the normal reply (False)."""
    from google.cloud import firestore

    from shared.i18n.catalog import language_of, message
    from shared.messaging.store import conversation_ref, reply_id
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    now = utcnow()
    limit = timedelta(hours=tenant.stale_message_hours)
    if not is_backlog(burst, now, limit):
        return False
    ids = [mid for mid, _ in burst]
    sent: list[datetime] = [d["at"] for _, d in burst if isinstance(d.get("at"), datetime)]
    oldest = min(sent, default=now)
    flag: dict[str, Any] = {
        "backlog": True,
        "backlog_ids": firestore.ArrayUnion(ids),
        "backlog_since": state.get("backlog_since") if state.get("backlog") else oldest,
        "pending_inbound": firestore.ArrayRemove(ids),
    }
    last = state.get("catchup_at")
    if isinstance(last, datetime) and now - last < limit:
        conversation_ref(tenant.tenant_id, customer_key).set(flag, merge=True)  # apologised already
        log_event(log, 20, "old messages added to the backlog", tenant_id=tenant.tenant_id, messages=len(ids))
        return True
    lang = state.get("language") or language_of(tenant.locale)
    send_and_store(
        tenant,
        customer_key,
        OutboundMessage(text=message("catchup_reply", lang)),
        message_id=reply_id(reply_to),
        provider="system",
        in_reply_to=reply_to,
        extra={"covers": ids, "intent": "catch_up"},
        conversation=state,
        conversation_update=flag | {"catchup_at": now},
    )
    log_event(log, 20, "catch-up reply for old messages", tenant_id=tenant.tenant_id, messages=len(ids))
    return True
