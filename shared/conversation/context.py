"""What the LLM agent is told about the message it answers (built by the worker from the
pipeline's reply): the text, the intent understood, the facts the offline reply quotes, the
free slot times, the recent turns and the conversation document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.conversation.retrieval import CatalogItem


@dataclass(frozen=True)
class ReplyContext:
    tenant_id: str
    text: str
    intent: str
    currency: str
    facts: tuple[CatalogItem, ...] = ()
    slot_times: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()  # (direction, text), oldest first
    state: dict[str, Any] = field(default_factory=dict)
    sheets_stale: bool = False
    injection: bool = False
    language: str = "en"
