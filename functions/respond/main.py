"""respond entry points. Domain logic: shared.whatsapp (webhook, sending), shared.conversation
(the worker's replies, restock notices, staff replies) and shared.providers (LLM router).

Imports stay light: the webhook's cold start pays only for what its first request needs.
Every Pub/Sub entry maps errors the same way (`shared.messaging.failures.run_event`): a
transient error is raised (Pub/Sub retries), anything a retry cannot fix is logged, counted and
dropped, so that no message loops until the dead-letter topic.
"""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.log import get_logger, log_event

log = get_logger(__name__)


@functions_framework.http
def webhook(request: Any) -> tuple[str, int, dict[str, str]]:
    """WhatsApp (Meta Cloud API) and Twilio webhook: GET verification, POST updates."""
    from shared.whatsapp.webhook import WebhookRequest, handle_webhook

    headers = {"Content-Type": "text/plain; charset=utf-8"}
    try:
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
    except Exception as exc:
        # A bug, not the sender's fault: logged with its type only (the body may hold numbers).
        log.exception("webhook failed", extra={"fields": {"error": type(exc).__name__}})
        return "internal error", 500, headers
    return result.body, result.status, headers


@functions_framework.cloud_event
def worker(cloud_event: Any) -> None:
    """Answer one inbound message (push from `inbound-messages`)."""
    from shared.conversation.worker import answer_inbound
    from shared.events import InboundMessage
    from shared.messaging.failures import run_event

    run_event(cloud_event, InboundMessage, answer_inbound, what="inbound message")


@functions_framework.cloud_event
def restock(cloud_event: Any) -> None:
    """Send back-in-stock notices for a catalog change (push from `catalog-changes`)."""
    from shared.conversation.restock import notify_back_in_stock
    from shared.events import CatalogChange
    from shared.messaging.failures import run_event

    run_event(cloud_event, CatalogChange, notify_back_in_stock, what="catalog change")


@functions_framework.cloud_event
def staff_outbox(cloud_event: Any) -> None:
    """Send a staff reply queued by the dashboard (Firestore trigger, or the local bridge's push)."""
    from shared.conversation.staff import outbox_ref_from_event, send_staff_reply
    from shared.messaging.failures import classify

    try:
        send_staff_reply(outbox_ref_from_event(cloud_event))
    except Exception as exc:
        if classify(exc) == "transient":
            raise
        log_event(log, 40, "staff reply dropped", error=f"{type(exc).__name__}: {str(exc)[:200]}")


@functions_framework.cloud_event
def outreach(cloud_event: Any) -> None:
    """Due broadcasts and weekly owner summaries (push from `outreach-ticks`, every minute)."""
    from shared.broadcasts.outreach import run_outreach
    from shared.events import Tick
    from shared.messaging.failures import run_event

    run_event(cloud_event, Tick, run_outreach, what="outreach tick")
