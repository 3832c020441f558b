"""Failures made visible: classified, counted as events, and short-circuited while a dependency
is down.

- `classify(exc)`: can a retry fix it? Network trouble, timeouts, contention and 5xx can be;
  bad input, a missing document and our own bugs (KeyError, TypeError…) cannot, so a worker drops
  those with a log line instead of looping until the dead-letter topic.
- `record_failure(...)`: a `ConversationEvent` for analytics (webhook refusals by reason, 5xx,
  dropped and dead-lettered messages, provider send failures), published without waiting: a
  failure report must never add a failure of its own.
- `Circuit`: after a few consecutive failures of a dependency (Firestore, Pub/Sub), requests are
  answered 503 at once for a short while (Meta retries later) instead of each holding a thread
  for the full timeout.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from shared.log import get_logger, log_event

log = get_logger(__name__)

FailureKind = Literal["webhook_failure", "message_dropped", "send_failed"]


def classify(exc: BaseException) -> Literal["transient", "permanent"]:
    """Whether retrying the same input may succeed (`transient`) or never will (`permanent`)."""
    from google.api_core import exceptions as gexc

    from shared.errors import PermanentError, TransientError

    if isinstance(exc, TransientError):
        return "transient"
    if isinstance(exc, PermanentError):
        return "permanent"
    transient = (
        gexc.ServiceUnavailable,
        gexc.DeadlineExceeded,
        gexc.InternalServerError,
        gexc.TooManyRequests,
        gexc.ResourceExhausted,
        gexc.Aborted,
        gexc.Conflict,
        gexc.RetryError,
        gexc.Unknown,
        TimeoutError,
        ConnectionError,
    )
    if isinstance(exc, transient):
        return "transient"
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return "transient"
    except ImportError:  # pragma: no cover - httpx is in every function's requirements
        pass
    return "permanent"


def record_failure(
    tenant_id: str | None, kind: FailureKind, reason: str, *, event_id: str | None = None
) -> None:
    """Publish one failure event for `tenant_id` (when known); never raises."""
    if tenant_id is None:
        return
    try:
        from shared.events import ConversationEvent
        from shared.pubsub import publish
        from shared.settings import get_settings

        event = ConversationEvent(
            event_id=event_id or f"{kind}:{uuid.uuid4().hex}",
            tenant_id=tenant_id,
            type=kind,
            failure=reason[:80],
        )
        publish(get_settings().topic_conversation_events, event, wait=False)
    except Exception as exc:
        log_event(log, 30, "failure event not published", kind=kind, error=type(exc).__name__)


class Circuit:
    """A consecutive-failure circuit breaker for one dependency (thread-safe)."""

    def __init__(self, name: str, *, failures_to_open: int = 3, open_seconds: float = 5.0) -> None:
        self.name = name
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """False while the circuit is open (the dependency failed just now, repeatedly)."""
        return time.monotonic() >= self._open_until

    def success(self) -> None:
        if self._failures:
            with self._lock:
                self._failures = 0

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.failures_to_open:
                self._open_until = time.monotonic() + self.open_seconds
                self._failures = 0
                log_event(log, 40, "circuit open", dependency=self.name, seconds=self.open_seconds)


# Pub/Sub's max_delivery_attempts for the respond subscriptions (infra/terraform/locals.tf):
# the attempt that fails at this count goes to the dead-letter topic.
MAX_DELIVERY_ATTEMPTS = 10
M = TypeVar("M", bound=BaseModel)


def delivery_attempt(cloud_event: Any) -> int:
    """Pub/Sub's `deliveryAttempt` of this push (1 when not given: dead-lettering off)."""
    data = getattr(cloud_event, "data", None) or {}
    message = data.get("message") if isinstance(data, dict) else None
    for source in (data, message or {}):
        value = source.get("deliveryAttempt") if isinstance(source, dict) else None
        if isinstance(value, int):
            return value
    return 1


def run_event(cloud_event: Any, model: type[M], handler: Callable[[M], object], *, what: str) -> None:
    """Decode a Pub/Sub CloudEvent into `model` and run `handler`, mapping errors for Pub/Sub.

    Transient: raised, so Pub/Sub retries (on the last attempt it is counted as dead-lettered).
    Anything else: logged with its type and counted as a dropped message, then swallowed.
    """
    from shared.errors import PermanentError
    from shared.pubsub import decode_cloud_event

    try:
        message = decode_cloud_event(cloud_event, model)
    except PermanentError as exc:
        log_event(log, 40, f"{what} dropped", reason="malformed", error=str(exc)[:300])
        return
    tenant_id = getattr(message, "tenant_id", None)
    try:
        handler(message)
    except Exception as exc:
        ident = getattr(message, "message_id", None) or getattr(message, "poll_id", None) or "?"
        if classify(exc) == "transient":
            if delivery_attempt(cloud_event) >= MAX_DELIVERY_ATTEMPTS:
                log_event(log, 40, f"{what} dead-lettered", tenant_id=tenant_id, error=type(exc).__name__)
                record_failure(tenant_id, "message_dropped", "dead_letter", event_id=f"dead:{ident}")
            raise
        log_event(
            log,
            40,
            f"{what} dropped",
            tenant_id=tenant_id,
            reason=type(exc).__name__,
            error=str(exc)[:300],
        )
        record_failure(tenant_id, "message_dropped", _slug(type(exc).__name__), event_id=f"drop:{ident}")


def _slug(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")[:40]
