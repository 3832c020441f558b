"""sheet_poller entry points: a Scheduler tick fans the due shops out on `sheet-polls`; each
shop's poll runs on its own (`poll_shop`); an Apps Script onEdit push polls one tenant at once.
Domain logic: shared.scheduling (when, how often, within which budget) and shared.sheets.

The commerce follow-ups live here too (they write the sheet's Orders/Bookings tabs with the same
gspread client): `commerce` for changes and ticks, `commerce_request` for staff requests.
Domain logic: shared.commerce."""

from typing import Any

import functions_framework

from shared.errors import BadRequest, ConfigError, PermanentError, TransientError
from shared.events import ShopDue, Tick
from shared.log import get_logger, log_event
from shared.pubsub import decode_cloud_event

logger = get_logger(__name__)


@functions_framework.cloud_event
def poll(cloud_event: Any) -> None:
    """CloudEvent from `sheet-poll-ticks`: dispatch the due shops for about a minute. A malformed
    tick is dropped (logged), not retried."""
    from shared.scheduling.polls import poll_tick

    try:
        tick = decode_cloud_event(cloud_event, Tick)
    except PermanentError as exc:
        log_event(logger, 40, "dropped malformed tick", error=str(exc))
        return
    poll_tick(tick)


@functions_framework.cloud_event
def poll_shop(cloud_event: Any) -> None:
    """CloudEvent from `sheet-polls`: one shop's poll. A TransientError propagates, so Pub/Sub
    retries this shop alone; a permanent one (malformed message, deleted tenant) is dropped."""
    from shared.scheduling.polls import poll_shop as run_poll

    try:
        run_poll(decode_cloud_event(cloud_event, ShopDue))
    except PermanentError as exc:
        log_event(logger, 40, "dropped shop poll", error=str(exc))


@functions_framework.http
def push(request: Any) -> tuple[dict[str, Any], int]:
    """HTTP POST from the Apps Script onEdit trigger, signed with X-Sheet-Signature."""
    from shared.scheduling.polls import poll_pushed
    from shared.sheets.push import SIGNATURE_HEADER, handle_push

    if request.method != "POST":
        return {"error": "POST a signed push (see examples/apps_script/README.md)"}, 405
    try:
        result = handle_push(request.get_data(), request.headers.get(SIGNATURE_HEADER), guard=poll_pushed)
    except BadRequest as exc:
        return {"error": exc.reason}, exc.status
    except ConfigError as exc:
        log_event(logger, 50, "push misconfigured", error=str(exc))
        return {"error": "the push endpoint is not configured"}, 500
    except PermanentError as exc:
        log_event(logger, 30, "push refused", error=str(exc))
        return {"error": str(exc)}, 404
    except TransientError as exc:
        log_event(logger, 40, "push failed, retry", error=str(exc))
        return {"error": "temporarily unavailable, retry"}, 503
    status = 200 if result.error is None else 502
    return result.model_dump(mode="json"), status


@functions_framework.cloud_event
def commerce(cloud_event: Any) -> None:
    """`commerce-changes` (an order or booking changed) or `commerce-ticks` (Scheduler): notices,
    sheet write-back, reminders. A TransientError is raised so that Pub/Sub retries."""
    import base64

    from shared.commerce.followup import decode, follow_up

    try:
        message = decode(base64.b64decode(cloud_event.data["message"].get("data", "")))
    except (PermanentError, KeyError, TypeError, ValueError) as exc:
        log_event(logger, 40, "dropped malformed commerce message", error=str(exc))
        return
    follow_up(message)


@functions_framework.cloud_event
def commerce_request(cloud_event: Any) -> None:
    """A staff status request on an order or booking (Firestore trigger, or the local bridge)."""
    from shared.commerce.requests import apply_request, request_ref_from_event

    try:
        apply_request(request_ref_from_event(cloud_event))
    except PermanentError as exc:
        log_event(logger, 40, "staff request dropped", error=str(exc))
