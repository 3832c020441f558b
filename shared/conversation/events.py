"""Publishing `conversation-events` with ids derived from message ids (a redelivery publishes the
same ids, which analytics de-duplicates)."""

from __future__ import annotations

from typing import Any

from shared.events import ConversationEvent
from shared.settings import get_settings


def event(kind: str, key: str, **fields: Any) -> ConversationEvent:
    """A ConversationEvent whose id is `{kind}:{key}` (key: the message id it is about)."""
    return ConversationEvent(event_id=f"{kind}:{key}", type=kind, **fields)  # type: ignore[arg-type]


def publish_events(events: list[ConversationEvent]) -> None:
    """Publish `events` together in one Publish RPC (the worker waits for them anyway)."""
    from shared.pubsub import publish_now

    publish_now(get_settings().topic_conversation_events, list(events))
