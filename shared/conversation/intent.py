"""What the customer wants, from their words (or the button they pressed).

Rules, not a model: fast, explainable, and the same offline as online. The order of the checks
is the priority when a message says several things ("this is broken, let me talk to a person").
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal[
    "human", "complaint", "rating", "notify", "booking", "order", "availability",
    "product", "thanks", "bye", "greeting", "media", "unknown",
]  # fmt: skip

_RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))  # type: ignore[misc]
    for name, pattern in (
        (
            "human",
            r"\b(human|real person|a person|agent|staff|someone|representative|speak to|talk to|call me)\b",
        ),
        (
            "complaint",
            r"\b(complain\w*|broken|damaged|terrible|awful|refund|wrong item|never arrived|"
            r"not happy|unhappy|disappointed|angry|worst|faulty|late delivery|scam)\b",
        ),
        ("notify", r"\b(notify me|let me know when|tell me when|alert me|back in stock)\b"),
        ("booking", r"\b(book\w*|appointment|reserve|reservation|slots?|schedule)\b"),
        ("order", r"\b(order|buy|purchase|i'?ll take|i want to get|checkout)\b"),
        (
            "availability",
            r"\b(in stock|available|availability|stock|left|have any|do you have|do you sell|carry)\b",
        ),
        ("product", r"\b(price|prices|cost|how much|sizes?|colou?rs?|details?|info|what is|catalog|menu)\b"),
        ("thanks", r"\b(thanks?|thank you|thx|ty|cheers|great|perfect|awesome)\b"),
        ("bye", r"\b(bye|goodbye|see you|later)\b"),
        ("greeting", r"^\s*(hi|hello|hey|hola|good (morning|afternoon|evening)|yo)\b"),
    )
)
MEDIA = frozenset({"image", "audio", "video", "document", "sticker", "location", "contacts", "unsupported"})


def detect_intent(text: str, *, message_type: str = "text", payload: str | None = None) -> Intent:
    """The intent of one message (or of a burst joined by newlines)."""
    if payload:
        if payload.startswith("rate:"):
            return "rating"
        if payload.startswith("notify:"):
            return "notify"
        if payload == "human":
            return "human"
        if payload.startswith("slot:"):
            return "booking"
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    if message_type in MEDIA and not text.strip():
        return "media"
    return "product" if text.strip() else "unknown"


def rating_from(payload: str | None, text: str) -> int | None:
    """A 1–5 rating from a pressed `rate:N` row or a bare digit reply."""
    if payload and payload.startswith("rate:") and payload[5:].isdigit():
        value = int(payload[5:])
        return value if 1 <= value <= 5 else None
    return None
