"""Old messages after an outage: never answered as if they were fresh.

When messages reach the worker long after the customer sent them (our outage, Meta retrying its
webhook for hours, a backlog in Pub/Sub), answering each one now, as if it had just been asked,
would reply to questions the customer has moved on from, in a burst. Instead:

- a message sent less than the tenant's `late_message_hours` (default 6 h) ago is answered as
  usual (`fresh`);
- the first late one gets one catch-up reply for the whole backlog, in the customer's language
  ("sorry for the wait, what do you need now?"), and the conversation is flagged for staff
  (`backlog`: `count`, `oldest_at`, `newest_at`, `caught_up_at`, `flagged: true`);
- late messages sent before that catch-up went out belong to the same backlog (`absorb`): they
  are counted on the flag, and get no reply of their own.

A burst holding an explicit action whose meaning does not go stale (a WhatsApp cart order, a
STOP/START opt-out keyword) is processed as usual, however late: the order is placed and the
opt-out acknowledged.

`decide` is the pure rule; `handle_backlog` is the worker's one call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from shared.i18n.catalog import language_of, message
from shared.log import get_logger, log_event
from shared.messaging.store import conversation_ref, reply_id
from shared.privacy import hash_customer

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
Verdict = Literal["fresh", "catch_up", "absorb"]


@dataclass(frozen=True)
class Backlog:
    verdict: Verdict
    late_by: timedelta


def decide(
    sent_at: datetime, now: datetime, *, late_after: timedelta, conversation: Mapping[str, Any]
) -> Backlog:
    """What to do with a message the customer sent at `sent_at`, reaching the worker at `now`.

    Late means older than `late_after`. A late message sent before the conversation's last
    catch-up reply was covered by it (`absorb`); any other late message opens a backlog
    (`catch_up`).
    """
    late_by = now - sent_at
    if late_by < late_after:
        return Backlog("fresh", late_by)
    caught_up_at = (conversation.get("backlog") or {}).get("caught_up_at")
    if isinstance(caught_up_at, datetime) and sent_at <= caught_up_at:
        return Backlog("absorb", late_by)
    return Backlog("catch_up", late_by)


def acts_anyway(burst: Sequence[tuple[str, Mapping[str, Any]]]) -> bool:
    """A burst to process as usual however late: a cart order or an opt-out/opt-in keyword."""
    from shared.messaging.optout import keyword_choice

    return any(
        doc.get("type") == "order"
        or (doc.get("type") == "text" and keyword_choice(doc.get("text")) is not None)
        for _, doc in burst
    )


def catch_up_text(language: str | None) -> str:
    """The one reply a backlog gets, in the customer's language."""
    return message("backlog.catch_up", language)


def backlog_flag(
    verdict: Verdict,
    sent: Sequence[datetime],
    now: datetime,
    conversation: Mapping[str, Any],
) -> dict[str, Any]:
    """The conversation's `backlog` field after these late messages (staff see it flagged)."""
    before = dict(conversation.get("backlog") or {}) if verdict == "absorb" else {}
    oldest = min([*sent, *([before["oldest_at"]] if before.get("oldest_at") else [])])
    newest = max([*sent, *([before["newest_at"]] if before.get("newest_at") else [])])
    return {
        "flagged": True,
        "count": int(before.get("count", 0)) + len(sent),
        "oldest_at": oldest,
        "newest_at": newest,
        "caught_up_at": before.get("caught_up_at", now),
    }


@dataclass(frozen=True)
class Handled:
    """A burst the backlog rule dealt with; `message_id` is the catch-up reply, if one was sent."""

    message_id: str | None
    verdict: Verdict


def handle_backlog(
    tenant: TenantConfig,
    wa_id: str,
    burst: Sequence[tuple[str, dict[str, Any]]],
    conversation: dict[str, Any],
    *,
    now: datetime,
) -> Handled | None:
    """Deal with a late burst (catch-up reply or silent absorb); None when it is fresh.

    The decision is taken on the newest message of the burst: a burst that ends with a fresh
    message is answered as usual, older messages included.
    """
    from google.cloud import firestore

    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    if acts_anyway(burst):
        return None
    newest_id, newest = burst[-1]
    sent_at = newest.get("at") or newest.get("received_at") or now
    late_after = timedelta(hours=tenant.late_message_hours)
    verdict = decide(sent_at, now, late_after=late_after, conversation=conversation).verdict
    if verdict == "fresh":
        return None
    ids = [mid for mid, _ in burst]
    flag = backlog_flag(verdict, [d.get("at") or now for _, d in burst], now, conversation)
    update = {"pending_inbound": firestore.ArrayRemove(ids), "backlog": flag}
    log_event(
        log,
        20,
        "late messages",
        tenant_id=tenant.tenant_id,
        customer=hash_customer(tenant.tenant_id, wa_id),
        verdict=verdict,
        messages=len(ids),
        late_s=round((now - sent_at).total_seconds()),
    )
    if verdict == "absorb":
        conversation_ref(tenant.tenant_id, wa_id).set(update, merge=True)
        return Handled(None, verdict)
    from shared.conversation.language import detect

    said = " ".join(str(d.get("text") or "") for _, d in burst)
    language = detect(said, current=conversation.get("language"), default=language_of(tenant.locale))
    delivery = send_and_store(
        tenant,
        wa_id,
        OutboundMessage(text=catch_up_text(language)),
        message_id=reply_id(newest_id),
        provider="system",
        in_reply_to=newest_id,
        extra={"covers": ids, "intent": "catch_up", "language": language},
        conversation=conversation,
        conversation_update=update,
    )
    from shared.conversation.events import event, publish_events

    # Counted like any reply (messages out, response time: what the customer really waited).
    waited_ms = (now - (newest.get("received_at") or now)).total_seconds() * 1000
    publish_events(
        [
            event(
                "message_out",
                newest_id,
                tenant_id=tenant.tenant_id,
                customer=hash_customer(tenant.tenant_id, wa_id),
                at=sent_at,  # the inbound's time, as the worker's: a redelivery lands in the same hour
                intent="catch_up",
                latency_ms=max(waited_ms, 0.0),
            )
        ]
    )
    return Handled(delivery.message_id, verdict)
