"""The one interface every LLM provider implements, and how its failures are classified.

A provider turns a `ChatRequest` (system text, turns, optional tool declarations) into a
`ProviderReply` (text and/or tool calls) or raises `ProviderFailure` with a `kind` the router
understands: every kind means "fall back to the next provider now". The types here are neutral:
each provider module renders them to its own wire format (OpenAI `tools` + `role: tool`
messages, Gemini function declarations + function responses).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

FailureKind = Literal[
    "timeout",
    "rate_limited",
    "server",
    "malformed",
    "invalid_tool_call",
    "auth",
    "bad_request",
    "network",
    "budget",
]

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
class ToolSpec:
    """A tool the model may call: its name, what it is for and its arguments as JSON Schema."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for. `arguments` is None when the model sent something that is
    not a JSON object (the raw text is kept in `raw_arguments` for the audit trail)."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str = ""
    # Opaque bytes some providers attach to a call and want back with it (Gemini's thought
    # signature); never shown to anyone.
    signature: bytes | None = None

    @staticmethod
    def parse(
        call_id: str, name: str, raw: str | dict[str, Any] | None, signature: bytes | None = None
    ) -> ToolCall:
        if isinstance(raw, dict):
            return ToolCall(call_id, name, raw, json.dumps(raw, ensure_ascii=False), signature)
        try:
            decoded = json.loads(raw) if raw else {}
        except ValueError:
            decoded = None
        arguments = decoded if isinstance(decoded, dict) else None
        return ToolCall(call_id, name, arguments, raw or "", signature)


@dataclass(frozen=True)
class Turn:
    """One message of the conversation sent to the model.

    - `user` / `assistant`: `text`; an assistant turn may carry the `tool_calls` it made;
    - `tool`: the `result` (a small JSON object) of the call `tool_call_id` to tool `name`.
    """

    role: Literal["user", "assistant", "tool"]
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    name: str = ""
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class ChatRequest:
    system: str
    # Turns, oldest first; plain (role, text) pairs are accepted for text-only conversations.
    messages: tuple[Turn | tuple[str, str], ...]
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int = 300
    temperature: float = 0.2
    # Per-request timeout (the router passes what is left of the reply's budget); None: the client's.
    timeout_s: float | None = None

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(
            m if isinstance(m, Turn) else Turn(role="assistant" if m[0] == "assistant" else "user", text=m[1])
            for m in self.messages
        )


@dataclass(frozen=True)
class ProviderReply:
    text: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: float
    tool_calls: tuple[ToolCall, ...] = field(default_factory=tuple)

    @property
    def cost_micros(self) -> int:
        return cost_micros(self.model, self.tokens_in, self.tokens_out)


class ProviderFailure(Exception):
    """A provider call that failed; the router falls back on every kind."""

    def __init__(self, provider: str, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{provider}: {kind} {detail}".strip())
        self.provider = provider
        self.kind = kind
        self.detail = detail


class Provider(Protocol):
    name: str
    model: str

    def complete(self, request: ChatRequest) -> ProviderReply: ...


def cost_micros(model: str, tokens_in: int, tokens_out: int) -> int:
    price_in, price_out = PRICES_PER_MTOK.get(model, DEFAULT_PRICE)
    return round(tokens_in * price_in + tokens_out * price_out)


def usable_text(provider: str, text: object, *, tool_calls: int = 0) -> str:
    """The reply text, or ProviderFailure("malformed") when there is neither text nor a tool call."""
    if isinstance(text, str) and text.strip():
        return text.strip()
    if tool_calls:
        return ""
    raise ProviderFailure(provider, "malformed", "empty or missing text")
