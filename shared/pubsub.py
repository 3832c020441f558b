"""Publishing small pydantic messages and decoding them from Pub/Sub CloudEvents.

Messages carry ids and small facts, never whole documents: 2nd-gen events are limited to
512 KB and Pub/Sub delivers at least once and out of order, so consumers re-read Firestore.
"""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.clients import publisher
from shared.errors import PermanentError
from shared.settings import get_settings

M = TypeVar("M", bound=BaseModel)


def topic_path(topic: str) -> str:
    return f"projects/{get_settings().google_cloud_project}/topics/{topic}"


def publish(topic: str, message: BaseModel, *, wait: bool = True, **attributes: str) -> Any:
    """Publish `message` as JSON on `topic`; returns the message id (or the future if not `wait`)."""
    data = message.model_dump_json().encode()
    future = publisher().publish(topic_path(topic), data, **attributes)
    return future.result(timeout=30) if wait else future


def decode_message(data: bytes | str, model: type[M]) -> M:
    """Parse a message body into `model`; a malformed one is a PermanentError (do not retry)."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        # Without the input values: a message's fields may hold a customer's number.
        problems = exc.errors(include_input=False, include_url=False)[:3]
        raise PermanentError(f"malformed {model.__name__} message: {problems}") from exc


def decode_cloud_event(cloud_event: Any, model: type[M]) -> M:
    """The pydantic message inside a Pub/Sub CloudEvent (`data.message.data`, base64 JSON)."""
    try:
        raw = cloud_event.data["message"].get("data", "")
        body = base64.b64decode(raw) if raw else b"{}"
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise PermanentError(f"not a Pub/Sub CloudEvent: {exc}") from exc
    return decode_message(body, model)


def encode_for_push(message: BaseModel) -> dict[str, Any]:
    """A Pub/Sub push body for `message` (what the emulator posts), used by tests and tools."""
    return {
        "message": {"data": base64.b64encode(message.model_dump_json().encode()).decode(), "messageId": "1"},
        "subscription": "local",
    }


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def publish_now(topic: str, messages: list[BaseModel], *, timeout: float = 10.0) -> list[str]:
    """Publish `messages` with one Publish RPC and return their ids.

    For a request path that must wait for its few messages anyway (the webhook, the worker):
    the batching `publish` holds each message for its batching window and starts a commit
    thread, which here only adds latency.
    """
    if not messages:
        return []
    from google.api_core.retry import Retry, if_transient_error
    from google.pubsub_v1 import PublisherClient, PubsubMessage

    # `timeout` bounds the whole call, retries included (the client's default retry runs for
    # up to 10 minutes while Pub/Sub is unreachable).
    response = PublisherClient.publish(
        publisher(),
        topic=topic_path(topic),
        messages=[PubsubMessage(data=m.model_dump_json().encode()) for m in messages],
        retry=Retry(predicate=if_transient_error, initial=0.05, maximum=0.5, timeout=timeout),
        timeout=timeout,
    )
    return list(response.message_ids)
