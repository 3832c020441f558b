"""Sending a broadcast: frozen audience, paced batches, never anyone twice.

`tenants/{T}/broadcasts/{id}`: `template`, `text`, `segment` (see `segment.Segment`), `send_at`,
`status` (`scheduled` → `sending` → `done`, or `cancelled`), `audience`, `by_language`, `sent`,
`skipped_opted_out`, `failed`, `delivered`, `read`, `replied`, `sent_by_hour`, `started_at`,
`finished_at`, `counts_at`. Its `recipients/{customer_key}` are written once when sending starts
(`wa_id`, `language`, `status`: `pending` → `sent` | `skipped_opted_out` | `failed`, `sent_at`).

Each message goes out through `shared.whatsapp.send.send_and_store` under the id
`bc-{broadcast id}` in the customer's conversation: a second attempt (a crash after the send, a
redelivered tick, two runs at once) finds it and sends nothing. Opt-out is checked again right
before each batch, so a customer who opted out after the audience was frozen is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.broadcasts.pacing import DEFAULT_RATE_PER_S, allowance
from shared.broadcasts.segment import Segment, audience, count_by_language, reachable
from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event

log = get_logger(__name__)

COLLECTION = "broadcasts"
TEMPLATE_ANNOUNCEMENT = "announcement"  # utility/marketing, body "{{1}}": the broadcast text
# Broadcast templates staff may pick (each approved in Meta Business Manager, one body parameter).
BROADCAST_TEMPLATES = (TEMPLATE_ANNOUNCEMENT,)
# Meta's template language codes for our languages.
TEMPLATE_LANGUAGE = {"en": "en_US", "es": "es", "pt": "pt_BR", "fr": "fr", "id": "id", "hi": "hi"}
RUN_BUDGET_S = 40.0  # one scheduled run sends for at most this long; the next run continues
BATCH = 100


@dataclass(frozen=True)
class Progress:
    broadcast_id: str
    status: str
    sent: int
    skipped: int
    failed: int
    remaining: int


def message_id(broadcast_id: str) -> str:
    return f"bc-{broadcast_id}"


def _col(tenant_id: str) -> Any:
    from shared.storage import tenant_collection

    return tenant_collection(tenant_id, COLLECTION)


def load_customers(tenant_id: str) -> list[tuple[str, dict[str, Any]]]:
    from shared.storage import tenant_collection

    return [(s.id, s.to_dict() or {}) for s in tenant_collection(tenant_id, "customers").stream()]


def preview(tenant_id: str, segment: Segment, now: datetime, default_language: str) -> dict[str, int]:
    """How many customers the segment reaches now, per language (opted-out never counted)."""
    return count_by_language(audience(load_customers(tenant_id), segment, now), default_language)


def create_broadcast(
    tenant_id: str,
    *,
    template: str,
    text: str,
    segment: Segment,
    send_at: datetime,
    created_by: str,
    name: str | None = None,
) -> str:
    """Store a scheduled broadcast; the next run at or after `send_at` sends it. Returns its id."""
    import uuid

    from shared.storage import utcnow

    if template not in BROADCAST_TEMPLATES:
        raise PermanentError(
            f"unknown broadcast template {template!r}: use one of {', '.join(BROADCAST_TEMPLATES)}"
        )
    text = text.strip()
    if not 0 < len(text) <= 1000:
        raise PermanentError(
            "the broadcast text must be 1 to 1,000 characters (a template parameter's limit)"
        )
    broadcast_id = uuid.uuid4().hex[:20]
    _col(tenant_id).document(broadcast_id).create(
        {
            "template": template,
            "text": text,
            "name": name or text[:40],
            "segment": segment.model_dump(exclude_defaults=True, mode="json"),
            "send_at": send_at,
            "status": "scheduled",
            "created_by": created_by,
            "created_at": utcnow(),
        }
    )
    return broadcast_id


def _freeze_audience(
    tenant_id: str, ref: Any, data: dict[str, Any], now: datetime, default_lang: str
) -> None:
    """scheduled → sending, with the recipients written once (a retry rewrites the same set)."""
    from google.cloud import firestore

    from shared.clients import firestore_client
    from shared.storage import chunks

    segment = Segment.model_validate(data.get("segment") or {})
    members = audience(load_customers(tenant_id), segment, now)
    client = firestore_client()
    for part in chunks(members, 400):
        batch = client.batch()
        for key, customer in part:
            batch.set(
                ref.collection("recipients").document(key),
                {
                    "wa_id": customer["wa_id"],
                    "language": customer.get("language") or default_lang,
                    "status": "pending",
                },
            )
        batch.commit()
    ref.update(
        {
            "status": "sending",
            "started_at": now,
            "audience": len(members),
            "by_language": count_by_language(members, default_lang),
            "sent": firestore.Increment(0),
        }
    )


def _started_last_24h(tenant_id: str, now: datetime) -> int:
    """Customers broadcast to in the last 24 hours, from every broadcast's `sent_by_hour`."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    since = now - timedelta(hours=24)
    first_hour = since.strftime("%Y-%m-%dT%H")
    total = 0
    query = _col(tenant_id).where(filter=FieldFilter("last_sent_at", ">=", since))
    for snap in query.stream():
        for hour, count in ((snap.to_dict() or {}).get("sent_by_hour") or {}).items():
            if hour >= first_hour:
                total += int(count)
    return total


def run_broadcast(
    tenant_id: str,
    broadcast_id: str,
    now: datetime,
    *,
    budget_s: float = RUN_BUDGET_S,
    rate_per_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Progress:
    """Send as much of the broadcast as its pace allows in `budget_s`; resumable at any point."""
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.i18n.catalog import language_of
    from shared.storage import utcnow
    from shared.tenants import get_tenant
    from shared.whatsapp.outbound import OutboundMessage, Template
    from shared.whatsapp.send import send_and_store

    tenant = get_tenant(tenant_id)
    default_lang = language_of(tenant.locale)
    ref = _col(tenant_id).document(broadcast_id)
    snap = ref.get()
    if not snap.exists:
        raise PermanentError(f"no broadcast {broadcast_id!r}")
    data = snap.to_dict() or {}
    if data.get("status") == "scheduled":
        _freeze_audience(tenant_id, ref, data, now, default_lang)
        data = ref.get().to_dict() or {}
    if data.get("status") != "sending":
        return _progress(broadcast_id, data, 0)
    rate = rate_per_s or tenant.broadcast_rate_per_s or DEFAULT_RATE_PER_S
    room = allowance(tenant.messaging_tier, _started_last_24h(tenant_id, now), budget_s, float(rate))
    recipients = ref.collection("recipients")
    pending = (
        list(recipients.where(filter=FieldFilter("status", "==", "pending")).limit(min(room, 5000)).stream())
        if room
        else []
    )
    customers = firestore_client().collection("tenants").document(tenant_id).collection("customers")
    sent = skipped = failed = 0
    started = time.monotonic()
    for start in range(0, len(pending), BATCH):
        part = pending[start : start + BATCH]
        # Opt-out is read again just before sending: it may have changed since the audience froze.
        latest = {
            s.id: s.to_dict() or {}
            for s in firestore_client().get_all([customers.document(p.id) for p in part])
        }
        for rec in part:
            r = rec.to_dict() or {}
            if not reachable({**latest.get(rec.id, {}), "wa_id": r.get("wa_id")}) or latest.get(
                rec.id, {}
            ).get("opted_out"):
                rec.reference.update({"status": "skipped_opted_out"})
                skipped += 1
                continue
            lang = str(r.get("language") or default_lang)
            message = OutboundMessage(
                text=str(data["text"]),
                template=Template(
                    name=str(data.get("template") or TEMPLATE_ANNOUNCEMENT),
                    language=TEMPLATE_LANGUAGE.get(lang, "en_US"),
                    body_params=(str(data["text"]),),
                ),
            )
            try:
                send_and_store(
                    tenant,
                    str(r["wa_id"]),
                    message,
                    message_id=message_id(broadcast_id),
                    provider="broadcast",
                    extra={"broadcast_id": broadcast_id},
                )
            except TransientError:
                break  # the channel asks to slow down: the next run continues from here
            except PermanentError as exc:
                rec.reference.update({"status": "failed", "error": str(exc)[:200]})
                failed += 1
                continue
            rec.reference.update({"status": "sent", "sent_at": utcnow()})
            sent += 1
            # Paced: never faster than `rate` messages a second.
            ahead = (sent + failed) / float(rate) - (time.monotonic() - started)
            if ahead > 0:
                sleep(ahead)
        if time.monotonic() - started > budget_s:
            break
    hour = now.strftime("%Y-%m-%dT%H")
    update: dict[str, Any] = {
        "sent": firestore.Increment(sent),
        "skipped_opted_out": firestore.Increment(skipped),
        "failed": firestore.Increment(failed),
    }
    if sent:
        update |= {f"sent_by_hour.`{hour}`": firestore.Increment(sent), "last_sent_at": now}
    remaining = len(list(recipients.where(filter=FieldFilter("status", "==", "pending")).limit(1).stream()))
    if not remaining:
        update |= {"status": "done", "finished_at": utcnow()}
    ref.update(update)
    log_event(
        log,
        20,
        "broadcast run",
        tenant_id=tenant_id,
        broadcast_id=broadcast_id,
        sent=sent,
        skipped=skipped,
        failed=failed,
    )
    return _progress(broadcast_id, ref.get().to_dict() or {}, remaining)


def _progress(broadcast_id: str, data: dict[str, Any], remaining: int) -> Progress:
    return Progress(
        broadcast_id,
        str(data.get("status")),
        int(data.get("sent") or 0),
        int(data.get("skipped_opted_out") or 0),
        int(data.get("failed") or 0),
        remaining,
    )


def refresh_counts(tenant_id: str, broadcast_id: str, now: datetime) -> dict[str, int]:
    """delivered / read / replied for a broadcast, from its messages' statuses and whether the
    customer wrote after it was sent; stored on the broadcast document."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.messaging.store import conversation_ref, messages_ref
    from shared.storage import chunks

    ref = _col(tenant_id).document(broadcast_id)
    sent = list(ref.collection("recipients").where(filter=FieldFilter("status", "==", "sent")).stream())
    delivered = read = replied = 0
    client = firestore_client()
    for part in chunks(sent, 300):
        wa_ids = [str((r.to_dict() or {}).get("wa_id")) for r in part]
        messages = client.get_all(
            [messages_ref(tenant_id, w).document(message_id(broadcast_id)) for w in wa_ids]
        )
        for m in messages:
            status = (m.to_dict() or {}).get("status")
            delivered += status in ("delivered", "read")
            read += status == "read"
        sent_at = {str((r.to_dict() or {}).get("wa_id")): (r.to_dict() or {}).get("sent_at") for r in part}
        for conv in client.get_all([conversation_ref(tenant_id, w) for w in wa_ids]):
            inbound = (conv.to_dict() or {}).get("last_inbound_at")
            at = sent_at.get(conv.id)
            replied += bool(inbound and at and inbound > at)
    counts = {"delivered": delivered, "read": read, "replied": replied}
    ref.update({**counts, "counts_at": now})
    return counts


def run_due(tenant_id: str, now: datetime, *, budget_s: float = RUN_BUDGET_S) -> list[Progress]:
    """Every broadcast of the tenant that is due (scheduled at or before now, or still sending)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    col = _col(tenant_id)
    due = [
        s.id
        for s in col.where(filter=FieldFilter("status", "in", ["scheduled", "sending"])).stream()
        if (s.to_dict() or {}).get("send_at") and (s.to_dict() or {})["send_at"] <= now
    ]
    results = [run_broadcast(tenant_id, bid, now, budget_s=budget_s / max(1, len(due))) for bid in due]
    # Delivered/read/replied of the last week's broadcasts, refreshed at most every 10 minutes.
    week_ago = now - timedelta(days=7)
    for snap in col.where(filter=FieldFilter("status", "==", "done")).stream():
        data = snap.to_dict() or {}
        finished, counted = data.get("finished_at"), data.get("counts_at")
        if finished and finished >= week_ago and (not counted or now - counted > timedelta(minutes=10)):
            refresh_counts(tenant_id, snap.id, now)
    return results
