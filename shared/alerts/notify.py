"""Owner notifications for an alert opening: a webhook (Slack-style `{"text": ...}`) and WhatsApp.

Each (alert, opening, channel) is claimed once in `tenants/{T}/alert_notifications/{id}` before
sending, so concurrent or redelivered evaluations never notify twice. A failed send is retried
by later evaluations up to MAX_ATTEMPTS claims; the alert's `notified_opening` records that the
opening needs nothing more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.analytics.periods import as_utc
from shared.clients import firestore_client, http_client
from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow
from shared.tenants import TenantConfig

logger = get_logger(__name__)

MAX_ATTEMPTS = 5
WEBHOOK_TRIES = 3
WEBHOOK_BACKOFF_S = 0.5
# A claim older than this whose sender never reported back (the instance died) may be re-claimed.
STALE_CLAIM = timedelta(minutes=5)
COLLECTION = "alert_notifications"


@dataclass(frozen=True)
class Notice:
    """What the owner is told: `text` in full (the webhook; WhatsApp inside the 24-hour window),
    and the declared WhatsApp template (`shared.whatsapp.templates`) with its parameter values,
    for WhatsApp outside the window."""

    text: str
    template: str
    values: tuple[tuple[str, str], ...]


Sender = Callable[[TenantConfig, Notice, str], None]


def alert_notice(tenant: TenantConfig, alert_id: str, alert: dict[str, Any]) -> Notice:
    severity = str(alert.get("severity", "warning")).upper()
    title = f"[{severity}] {alert.get('title')}"
    footer = f"({tenant.business_name}, alert {alert_id})"
    text = f"{title}\n{alert.get('message')}\n{footer}"
    values = (("shop", tenant.business_name), ("title", title), ("details", f"{alert.get('message')}"))
    return Notice(text, "owner_alert", values)


def send_webhook(tenant: TenantConfig, notice: Notice, idempotency_key: str) -> None:
    """POST `{"text": ...}` to the tenant's webhook; a few quick retries on 429/5xx/network."""
    import httpx

    url = tenant.notify_webhook_url or ""
    last = ""
    for attempt in range(WEBHOOK_TRIES):
        if attempt:
            time.sleep(WEBHOOK_BACKOFF_S * 2 ** (attempt - 1))
        try:
            response = http_client().post(
                url, json={"text": notice.text}, headers={"Idempotency-Key": idempotency_key}, timeout=5.0
            )
        except httpx.HTTPError as exc:
            last = type(exc).__name__
            continue
        if response.is_success:
            return
        last = f"HTTP {response.status_code}"
        if response.status_code != 429 and response.status_code < 500:
            raise PermanentError(f"alert webhook refused the notification: {last}")
    raise TransientError(f"alert webhook failed after {WEBHOOK_TRIES} tries: {last}")


def send_whatsapp(tenant: TenantConfig, notice: Notice, idempotency_key: str) -> None:
    """Send to the owner's WhatsApp through respond's sender (the notice's template outside 24 h)."""
    try:
        from shared.whatsapp.send import send_text
        from shared.whatsapp.templates import TemplateUse
    except ImportError as exc:
        raise PermanentError("the WhatsApp sender shared.whatsapp.send.send_text is not available") from exc
    fallback = TemplateUse.of(notice.template, **dict(notice.values))
    send_text(
        tenant, tenant.owner_wa_id or "", notice.text, idempotency_key=idempotency_key, fallback=fallback
    )


def channels(tenant: TenantConfig) -> dict[str, Sender]:
    """The notification channels this tenant configured."""
    found: dict[str, Sender] = {}
    if tenant.notify_webhook_url:
        found["webhook"] = send_webhook
    if tenant.owner_wa_id:
        found["whatsapp"] = send_whatsapp
    return found


def notify_opening(tenant: TenantConfig, alert_id: str, alert: dict[str, Any]) -> dict[str, str]:
    """Notify the owner of this opening of the alert on every channel not yet done.

    Returns channel → outcome (`sent`, `failed`, `gave_up`, `skipped`).
    """
    opening = int(alert.get("opening", 0))
    outcomes: dict[str, str] = {}
    final = True
    for channel, send in channels(tenant).items():
        guard_id = f"{alert_id}.{opening}.{channel}"
        claimed, status = _claim(tenant.tenant_id, guard_id)
        if not claimed:
            outcomes[channel] = "skipped"
            final = final and status in ("sent", "gave_up")
            continue
        try:
            send(tenant, alert_notice(tenant, alert_id, alert), f"{tenant.tenant_id}.{guard_id}")
            outcome, error = "sent", None
        except TransientError as exc:
            outcome, error = "failed", str(exc)
        except PermanentError as exc:
            outcome, error = "gave_up", str(exc)
        guard = tenant_collection(tenant.tenant_id, COLLECTION).document(guard_id)
        attempts = int((guard.get().to_dict() or {}).get("attempts", 1))
        if outcome == "failed" and attempts >= MAX_ATTEMPTS:
            outcome = "gave_up"
        _update_quietly(guard, {"status": outcome, "error": error, "finished_at": utcnow()})
        outcomes[channel] = outcome
        final = final and outcome != "failed"
        level = logging.INFO if outcome == "sent" else logging.WARNING
        log_event(
            logger,
            level,
            "alert notification",
            tenant_id=tenant.tenant_id,
            alert_id=alert_id,
            channel=channel,
            outcome=outcome,
            error=error,
        )
    if final:
        alert_ref = tenant_collection(tenant.tenant_id, "alerts").document(alert_id)
        _update_quietly(alert_ref, {"notified_opening": opening})
    return outcomes


def _update_quietly(ref: Any, data: dict[str, Any]) -> None:
    """Write bookkeeping that a concurrent evaluation may hold locked ("Transaction lock
    timeout"): on contention it is left to the next evaluation, which finds the claim's outcome
    (or the alert still marked for notification) and finishes it; nothing is sent twice."""
    from google.api_core.exceptions import Aborted, Conflict, DeadlineExceeded

    try:
        ref.update(data)
    except (Aborted, Conflict, DeadlineExceeded) as exc:
        log_event(logger, logging.INFO, "notification bookkeeping contended", error=type(exc).__name__)


def _claim(tenant_id: str, guard_id: str) -> tuple[bool, str | None]:
    """Take the right to send this notification; (claimed, status seen if not claimed)."""
    from google.api_core.exceptions import Aborted, Conflict, DeadlineExceeded
    from google.cloud import firestore

    ref = tenant_collection(tenant_id, COLLECTION).document(guard_id)
    now = utcnow()

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> tuple[bool, str | None]:
        snap = ref.get(transaction=transaction)
        doc = snap.to_dict() or {} if snap.exists else None
        if doc is None:
            transaction.set(ref, {"status": "sending", "attempts": 1, "claimed_at": now})
            return True, None
        status = doc.get("status")
        claimed_at = doc.get("claimed_at")
        stale = (
            status == "sending"
            and isinstance(claimed_at, datetime)
            and now - as_utc(claimed_at) > STALE_CLAIM
        )
        if (status == "failed" or stale) and int(doc.get("attempts", 0)) < MAX_ATTEMPTS:
            transaction.update(
                ref, {"status": "sending", "attempts": int(doc["attempts"]) + 1, "claimed_at": now}
            )
            return True, None
        return False, status

    try:
        result: tuple[bool, str | None] = run(firestore_client().transaction(max_attempts=10))
    except (Aborted, Conflict, DeadlineExceeded, ValueError) as exc:
        # Another evaluation holds the claim ("Transaction lock timeout", or the transaction gave
        # up after its attempts): it is the one sending; this one skips, and a later tick sees
        # the outcome. ValueError is what the client raises when every attempt was aborted.
        log_event(logger, logging.INFO, "notification claim contended", error=type(exc).__name__)
        return False, "sending"
    return result
