"""Webhook refusals by reason, counted per hour for the Status view.

`system_health/webhook_{YYYY-MM-DDTHH}`: `refusals` (reason → count), `expires_at` (for a TTL
policy). The tenant of a refused request is often unknown (a bad signature), so the counts are
system-wide. An instance buffers its counts and writes them at most every FLUSH_S seconds, so a
flood of bad requests costs a write per instance every few seconds, not one per request; the
last buffer of an instance that stops may be lost (the figures are for a health light).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from shared.log import get_logger, log_event

log = get_logger(__name__)
COLLECTION = "system_health"
FLUSH_S = 5.0
REASONS = {
    400: "malformed payload",
    401: "unsigned request",
    403: "wrong signature or token",
    404: "unknown number",
    405: "wrong method",
    413: "body too large",
}

_lock = threading.Lock()
_buffer: dict[str, int] = {}
_last_flush = 0.0


def reason_for(status: int) -> str:
    return REASONS.get(status, f"HTTP {status}")


def record_refusal(status: int) -> None:
    """Count one refused webhook request; never raises (the refusal must still be answered)."""
    global _last_flush
    with _lock:
        reason = reason_for(status)
        _buffer[reason] = _buffer.get(reason, 0) + 1
        if time.monotonic() - _last_flush < FLUSH_S:
            return
        counts = dict(_buffer)
        _buffer.clear()
        _last_flush = time.monotonic()
    try:
        _write(counts)
    except Exception as exc:  # a health counter must never fail the webhook's answer
        log_event(log, 30, "webhook refusal counts not written", error=type(exc).__name__)


def _write(counts: dict[str, int]) -> None:
    from google.cloud import firestore

    from shared.analytics.periods import hour_id
    from shared.clients import firestore_client
    from shared.storage import utcnow

    now = utcnow()
    ref = firestore_client().collection(COLLECTION).document(f"webhook_{hour_id(now)[5:]}")
    ref.set(
        {
            "refusals": {reason: firestore.Increment(n) for reason, n in counts.items()},
            "expires_at": now + timedelta(days=7),
        },
        merge=True,
    )


def refusals_last_day(now_hours: list[str]) -> dict[str, int]:
    """Refusals by reason over the given hour ids (`hour_YYYY-MM-DDTHH`)."""
    from shared.clients import firestore_client

    col = firestore_client().collection(COLLECTION)
    total: dict[str, int] = {}
    for snap in firestore_client().get_all([col.document(f"webhook_{h[5:]}") for h in now_hours]):
        for reason, n in ((snap.to_dict() or {}).get("refusals") or {}).items():
            total[reason] = total.get(reason, 0) + int(n)
    return total
