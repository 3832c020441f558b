"""The alert lifecycle, as a pure state machine plus its transactional application.

- a condition found with no alert (or a resolved one past the cool-down): a new opening
  (`opening` + 1, status `open`); the owner is notified once for it;
- found again while `open` or `acknowledged`: the same alert, `last_seen` and details refreshed;
- found again within `cooldown_minutes` of being resolved: re-opened without a new notification
  (a flapping condition does not page the owner every minute);
- not found while `open` or `acknowledged`: `resolved` on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.alerts.findings import Finding
from shared.analytics.periods import as_utc
from shared.clients import firestore_client
from shared.storage import tenant_collection

ACTIVE = ("open", "acknowledged")


@dataclass(frozen=True)
class Transition:
    doc: dict[str, Any] | None  # the alert document to write, or None for no change
    change: str  # "opened", "reopened", "updated", "resolved" or "none"

    @property
    def notify(self) -> bool:
        return self.change == "opened"


def next_state(
    doc: dict[str, Any] | None, finding: Finding | None, now: datetime, cooldown: timedelta
) -> Transition:
    """What becomes of one alert (its current document, or None) given this evaluation's finding."""
    status = (doc or {}).get("status")
    if finding is None:
        if status in ACTIVE:
            return Transition(
                {**(doc or {}), "status": "resolved", "resolved_at": now, "updated_at": now}, "resolved"
            )
        return Transition(None, "none")
    facts = {
        "type": finding.type,
        "key": finding.key,
        "subject": finding.subject,
        "severity": finding.severity,
        "title": finding.title,
        "message": finding.message,
        "details": finding.details,
        "last_seen": now,
        "updated_at": now,
    }
    if doc is not None and status in ACTIVE:
        return Transition({**doc, **facts}, "updated")
    resolved_at = (doc or {}).get("resolved_at")
    if doc is not None and isinstance(resolved_at, datetime) and now - as_utc(resolved_at) < cooldown:
        return Transition(
            {
                **doc,
                **facts,
                "status": "open",
                "resolved_at": None,
                "acknowledged_at": None,
                "reopened_count": int(doc.get("reopened_count", 0)) + 1,
            },
            "reopened",
        )
    opening = int((doc or {}).get("opening", 0)) + 1
    return Transition(
        {
            **(doc or {}),
            **facts,
            "status": "open",
            "first_seen": (doc or {}).get("first_seen") or now,
            "opened_at": now,
            "opening": opening,
            "resolved_at": None,
            "acknowledged_at": None,
            "notified_opening": int((doc or {}).get("notified_opening", 0)),
        },
        "opened",
    )


def apply(
    tenant_id: str, alert_id: str, finding: Finding | None, now: datetime, cooldown: timedelta
) -> Transition:
    """Apply `next_state` to `tenants/{T}/alerts/{alert_id}` in a transaction (concurrent
    evaluations of the same alert serialise, so an opening happens, and is notified, once)."""
    from google.cloud import firestore

    ref = tenant_collection(tenant_id, "alerts").document(alert_id)

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> Transition:
        snap = ref.get(transaction=transaction)
        doc = snap.to_dict() if snap.exists else None
        step = next_state(doc, finding, now, cooldown)
        if step.doc is not None:
            transaction.set(ref, step.doc)
        return step

    result: Transition = run(firestore_client().transaction(max_attempts=10))
    return result


def acknowledge(tenant_id: str, alert_id: str, now: datetime) -> dict[str, Any]:
    """Mark an open alert acknowledged; returns the alert. KeyError if there is no such alert."""
    from google.cloud import firestore

    ref = tenant_collection(tenant_id, "alerts").document(alert_id)

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> dict[str, Any]:
        snap = ref.get(transaction=transaction)
        if not snap.exists:
            raise KeyError(alert_id)
        doc = snap.to_dict() or {}
        if doc.get("status") == "open":
            doc.update(status="acknowledged", acknowledged_at=now, updated_at=now)
            transaction.set(ref, doc)
        return doc

    result: dict[str, Any] = run(firestore_client().transaction(max_attempts=10))
    return result
