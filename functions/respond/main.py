"""respond entry points. Domain logic: shared.whatsapp (webhook, sending), shared.conversation
(the worker's replies, restock notices, staff replies) and shared.providers (LLM router).

Imports stay light: the webhook's cold start pays only for what its first request needs.
"""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.errors import PermanentError
from shared.log import get_logger, log_event

log = get_logger(__name__)


@functions_framework.http
def webhook(request: Any) -> tuple[str, int, dict[str, str]]:
    """WhatsApp (Meta Cloud API) and Twilio webhook: GET verification, POST updates."""
    from shared.whatsapp.webhook import WebhookRequest, handle_webhook

    result = handle_webhook(
        WebhookRequest(
            method=request.method,
            url=request.url,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.get_data(cache=False) if (request.content_length or 0) <= 2**24 else b"",
            query=request.args.to_dict(),
            content_type=request.content_type or "",
            content_length=request.content_length,
        )
    )
    return result.body, result.status, {"Content-Type": "text/plain; charset=utf-8"}


@functions_framework.cloud_event
def worker(cloud_event: Any) -> None:
    """Answer one inbound message (push from `inbound-messages`)."""
    from shared.conversation.worker import answer_inbound
    from shared.events import InboundMessage
    from shared.pubsub import decode_cloud_event

    try:
        answer_inbound(decode_cloud_event(cloud_event, InboundMessage))
    except PermanentError as exc:
        log_event(log, 40, "inbound message dropped", error=str(exc))


@functions_framework.cloud_event
def restock(cloud_event: Any) -> None:
    """Send back-in-stock notices for a catalog change (push from `catalog-changes`)."""
    from shared.conversation.restock import notify_back_in_stock
    from shared.events import CatalogChange
    from shared.pubsub import decode_cloud_event

    try:
        notify_back_in_stock(decode_cloud_event(cloud_event, CatalogChange))
    except PermanentError as exc:
        log_event(log, 40, "catalog change dropped", error=str(exc))


@functions_framework.cloud_event
def staff_outbox(cloud_event: Any) -> None:
    """Send a staff reply queued by the dashboard (Firestore trigger, or the local bridge's push)."""
    from shared.conversation.staff import outbox_ref_from_event, send_staff_reply

    try:
        send_staff_reply(outbox_ref_from_event(cloud_event))
    except PermanentError as exc:
        log_event(log, 40, "staff reply dropped", error=str(exc))


@functions_framework.cloud_event
def outreach(cloud_event: Any) -> None:
    """Due broadcasts and weekly owner summaries (push from `outreach-ticks`, every minute)."""
    from shared.broadcasts.outreach import run_outreach
    from shared.events import Tick
    from shared.pubsub import decode_cloud_event

    try:
        run_outreach(decode_cloud_event(cloud_event, Tick))
    except PermanentError as exc:
        log_event(log, 40, "outreach tick dropped", error=str(exc))
