"""OpenAI and DeepSeek (an OpenAI-compatible API) through the `openai` SDK, tool calling included.

Wire format (chat completions): tools go as `tools=[{"type": "function", "function": {name,
description, parameters}}]`; the model answers with `message.tool_calls` (arguments as a JSON
*string*); each result goes back as a `{"role": "tool", "tool_call_id", "content"}` message after
the assistant message that made the calls.

The SDK retries twice and waits up to 600 s by default; the client is built with
`max_retries=0` and an explicit timeout so that the router, not the SDK, decides what happens next.
"""

from __future__ import annotations

import json
import time
from typing import Any

from shared.providers.base import (
    ChatRequest,
    FailureKind,
    ProviderFailure,
    ProviderReply,
    ToolCall,
    ToolSpec,
    Turn,
    usable_text,
)


def openai_tools(tools: tuple[ToolSpec, ...]) -> list[dict[str, Any]]:
    """Tool declarations in the chat completions `tools` format."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]


def openai_messages(request: ChatRequest) -> list[dict[str, Any]]:
    """The system text and the turns as chat completions messages."""
    out: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
    for turn in request.turns:
        out.append(_message(turn))
    return out


def _message(turn: Turn) -> dict[str, Any]:
    if turn.role == "tool":
        content = json.dumps(turn.result, ensure_ascii=False, separators=(",", ":"))
        return {"role": "tool", "tool_call_id": turn.tool_call_id, "content": content}
    if turn.role == "assistant" and turn.tool_calls:
        return {
            "role": "assistant",
            "content": turn.text or None,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.raw_arguments or "{}"},
                }
                for c in turn.tool_calls
            ],
        }
    return {"role": turn.role, "content": turn.text}


class OpenAICompatible:
    def __init__(
        self, name: str, *, api_key: str, model: str, base_url: str | None, timeout_s: float
    ) -> None:
        self.name = name
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._timeout_s = timeout_s

    def complete(self, request: ChatRequest) -> ProviderReply:
        import openai

        from shared.providers.sdk_clients import openai_client

        client = openai_client(self._api_key, self._base_url, self._timeout_s)
        extra: dict[str, Any] = {}
        if request.tools:
            extra["tools"] = openai_tools(request.tools)
        if request.timeout_s is not None:  # what is left of the reply's budget, at most our timeout
            extra["timeout"] = min(request.timeout_s, self._timeout_s)
        started = time.perf_counter()
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=openai_messages(request),  # type: ignore[arg-type]
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                **extra,
            )
        except openai.APITimeoutError as exc:
            raise ProviderFailure(self.name, "timeout") from exc
        except openai.RateLimitError as exc:
            raise ProviderFailure(self.name, "rate_limited") from exc
        except openai.AuthenticationError as exc:
            raise ProviderFailure(self.name, "auth") from exc
        except openai.APIStatusError as exc:
            kind: FailureKind = "server" if exc.status_code >= 500 else "bad_request"
            raise ProviderFailure(self.name, kind, str(exc.status_code)) from exc
        except openai.APIConnectionError as exc:
            raise ProviderFailure(self.name, "network") from exc
        except (openai.APIResponseValidationError, ValueError, TypeError) as exc:
            raise ProviderFailure(self.name, "malformed", type(exc).__name__) from exc
        latency_ms = (time.perf_counter() - started) * 1000
        choices = getattr(response, "choices", None)
        if not choices:
            raise ProviderFailure(self.name, "malformed", "no choices")
        message = choices[0].message
        calls = tuple(_tool_call(self.name, c) for c in (getattr(message, "tool_calls", None) or ()))
        usage = getattr(response, "usage", None)
        return ProviderReply(
            text=usable_text(self.name, getattr(message, "content", None), tool_calls=len(calls)),
            provider=self.name,
            model=self.model,
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
            latency_ms=latency_ms,
            tool_calls=calls,
        )


def _tool_call(provider: str, call: Any) -> ToolCall:
    function = getattr(call, "function", None)
    name = getattr(function, "name", None)
    if getattr(call, "type", "function") != "function" or not isinstance(name, str):
        raise ProviderFailure(provider, "invalid_tool_call", "not a function call")
    return ToolCall.parse(str(getattr(call, "id", "") or ""), name, getattr(function, "arguments", None))
