"""The one interface every LLM provider implements, and how its failures are classified.

A provider turns a `ChatRequest` into a `ProviderReply` or raises `ProviderFailure` with a
`kind` the router understands: every kind means "fall back to the next provider now".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

FailureKind = Literal["timeout", "rate_limited", "server", "malformed", "auth", "bad_request", "network"]

# USD per million tokens (input, output); cost_micros = tokens * price (micro-dollars).
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
    "deepseek-chat": (0.27, 1.10),
}
DEFAULT_PRICE = (1.0, 4.0)


@dataclass(frozen=True)
class ChatRequest:
    system: str
    messages: tuple[tuple[str, str], ...]  # (role "user"|"assistant", text), oldest first
    max_tokens: int = 300
    temperature: float = 0.2


@dataclass(frozen=True)
class ProviderReply:
    text: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: float

    @property
    def cost_micros(self) -> int:
        return cost_micros(self.model, self.tokens_in, self.tokens_out)


class ProviderFailure(Exception):
    """A provider call that failed; the router falls back on every kind."""

    def __init__(self, provider: str, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{provider}: {kind} {detail}".strip())
        self.provider = provider
        self.kind = kind


class Provider(Protocol):
    name: str
    model: str

    def complete(self, request: ChatRequest) -> ProviderReply: ...


def cost_micros(model: str, tokens_in: int, tokens_out: int) -> int:
    price_in, price_out = PRICES_PER_MTOK.get(model, DEFAULT_PRICE)
    return round(tokens_in * price_in + tokens_out * price_out)


def usable_text(provider: str, text: object) -> str:
    """The reply text, or ProviderFailure("malformed") when it is empty or not text."""
    if not isinstance(text, str) or not text.strip():
        raise ProviderFailure(provider, "malformed", "empty or missing text")
    return text.strip()
