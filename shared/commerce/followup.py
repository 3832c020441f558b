"""The commerce function's one job: follow up order and booking changes, and remind.

- `commerce-changes` (published after each change): that tenant's pending notices and sheet rows.
- `commerce-ticks` (Cloud Scheduler): every tenant's pending follow-ups (anything a failed
  publish or a failed sheet write left behind) and tomorrow's booking reminders.
- A staff request from the dashboard (`orders/{id}/requests/{rid}`, `bookings/{id}/requests/{rid}`)
  applies the requested status (shared.commerce.requests).
"""

from __future__ import annotations

import json
from typing import Any

from shared.commerce.changes import process_pending
from shared.commerce.reminders import send_reminders
from shared.errors import PermanentError
from shared.events import CommerceChange, Tick
from shared.log import get_logger, log_event
from shared.pubsub import decode_message
from shared.tenants import for_each_tenant

log = get_logger(__name__)


def decode(body: bytes) -> CommerceChange | Tick:
    """A `commerce-changes` message or a scheduler tick (which names its `job`)."""
    try:
        data: Any = json.loads(body or b"{}")
    except ValueError as exc:
        raise PermanentError(f"commerce message is not JSON: {exc}") from exc
    if isinstance(data, dict) and "tenant_id" in data and "job" not in data:
        return decode_message(body, CommerceChange)
    return decode_message(body, Tick)


def follow_up(message: CommerceChange | Tick) -> None:
    if isinstance(message, CommerceChange):
        result = process_pending(message.tenant_id)
        log_event(log, 20, "commerce follow-ups", tenant_id=message.tenant_id, **vars(result))
        return

    def tick(tenant_id: str) -> int:
        process_pending(tenant_id)
        return send_reminders(tenant_id, now=message.at)

    for_each_tenant(message.tenant_id, tick, what="commerce tick")
