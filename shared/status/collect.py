"""Reading the health of one shop's parts: the documents the alerts read, judged by `health`.

`tenants/{T}/health/current` keeps the last result (`lights`, `overall`, `checked_at`), written by
the minute run of respond.outreach, for the dashboard's Status view; `python -m shared.cli
status` computes it afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.status.health import (
    Light,
    overall,
    provider_light,
    rollup_light,
    sheet_light,
    webhook_light,
    worker_light,
)

RECENT_CONVERSATIONS = 100  # the newest: where waiting messages and the last inbound are


def dead_lettered(subscription: str = "inbound-messages-dead-letter") -> int | None:
    """Messages waiting in the worker's dead-letter subscription, or None where there is none.

    Counted by pulling without acknowledging (and handing them straight back), since the
    emulator has no Cloud Monitoring; at most 100 are counted.
    """
    from google.api_core import exceptions

    from shared.clients import subscriber
    from shared.settings import get_settings

    try:
        client = subscriber()
        path = f"projects/{get_settings().google_cloud_project}/subscriptions/{subscription}"
        response = client.pull(request={"subscription": path, "max_messages": 100}, timeout=3)
        ids = [m.ack_id for m in response.received_messages]
        if ids:
            client.modify_ack_deadline(
                request={"subscription": path, "ack_ids": ids, "ack_deadline_seconds": 0}
            )
        return len(ids)
    except (exceptions.NotFound, exceptions.PermissionDenied):
        return None
    except exceptions.GoogleAPICallError:
        return None


def collect(tenant_id: str, now: datetime, *, dead: int | None = None) -> list[Light]:
    from shared.analytics.periods import hour_id, recent_hours
    from shared.clients import firestore_client
    from shared.status.counters import refusals_last_day
    from shared.storage import tenant_collection
    from shared.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    limits = tenant.alert_thresholds
    lights: list[Light] = []
    stale_after = timedelta(minutes=limits.stale_after_minutes)
    for snap in tenant_collection(tenant_id, "sheet_state").stream():
        lights.append(sheet_light(snap.id, snap.to_dict() or {}, now, stale_after))
    if not lights:
        lights.append(
            Light("sheet", "catalog sheet", "amber", "never read: run a poll (python -m shared.cli poll)")
        )

    conversations = [
        s.to_dict() or {}
        for s in tenant_collection(tenant_id, "conversations")
        .order_by("last_message_at", direction="DESCENDING")
        .limit(RECENT_CONVERSATIONS)
        .stream()
    ]
    inbound = [c["last_inbound_at"] for c in conversations if isinstance(c.get("last_inbound_at"), datetime)]
    last_inbound = max(inbound, default=None)
    hours = recent_hours(now, 2)
    analytics = tenant_collection(tenant_id, "analytics")
    counted = [
        s.to_dict() or {}
        for s in firestore_client().get_all([analytics.document(h) for h in hours])
        if s.exists
    ]
    failures = sum(int(d.get("webhook_failures") or 0) for d in counted)
    lights.append(webhook_light(last_inbound, refusals_last_day(recent_hours(now, 24)), failures, now))

    waiting = [
        c["last_inbound_at"]
        for c in conversations
        if c.get("pending_inbound")
        and not c.get("handoff")
        and isinstance(c.get("last_inbound_at"), datetime)
    ]
    lights.append(worker_light(waiting, dead, now))

    for snap in tenant_collection(tenant_id, "provider_stats").stream():
        lights.append(
            provider_light(
                snap.id,
                snap.to_dict() or {},
                now,
                max_error_rate=limits.provider_error_rate_max,
                max_p95_ms=limits.provider_latency_p95_ms_max,
            )
        )

    newest = analytics.document(hour_id(now)).get()
    if not newest.exists:
        newest = analytics.document(hour_id(now - timedelta(hours=1))).get()
    last_counted = (newest.to_dict() or {}).get("updated_at") if newest.exists else None
    # Customer messages are what the roll-up counts (business-started messages send no events).
    counted_at = last_counted if isinstance(last_counted, datetime) else None
    lights.append(rollup_light(counted_at, last_inbound, now))
    return lights


def write_health(tenant_id: str, now: datetime, *, dead: int | None) -> list[Light]:
    """Judge the tenant's parts now and keep the result for the Status view."""
    from shared.storage import tenant_collection

    lights = collect(tenant_id, now, dead=dead)
    doc: dict[str, Any] = {
        "lights": [light.as_dict() for light in lights],
        "overall": overall(lights),
        "checked_at": now,
    }
    tenant_collection(tenant_id, "health").document("current").set(doc)
    return lights
