"""Gemini through `google-genai` (the maintained successor of `google-generativeai`), function
calling included.

Wire format (`generateContent`): tools go as `tools=[{functionDeclarations: [{name, description,
parametersJsonSchema}]}]`; the model answers with `functionCall` parts (arguments as a JSON
*object*, sometimes with a `thoughtSignature` that must come back with the call); each result goes
back as a `functionResponse` part in a user turn after the model turn that made the calls.
Automatic function calling is off: the agent loop, not the SDK, runs the tools.

google-genai sets no timeout and no retries unless told: the client gets
`HttpOptions(timeout=<ms>, retry_options=HttpRetryOptions(attempts=1))` (see sdk_clients).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from google.genai import types as genai_types


def gemini_tools(tools: tuple[ToolSpec, ...]) -> list[genai_types.Tool]:
    """Tool declarations as google-genai FunctionDeclarations (JSON Schema parameters)."""
    from google.genai import types

    declarations = [
        types.FunctionDeclaration(name=t.name, description=t.description, parameters_json_schema=t.parameters)
        for t in tools
    ]
    return [types.Tool(function_declarations=declarations)]


def gemini_contents(request: ChatRequest) -> list[genai_types.Content]:
    """The turns as Gemini contents: consecutive tool results share one user turn."""
    from google.genai import types

    contents: list[types.Content] = []
    for turn in request.turns:
        part = _part(turn)
        role = "model" if turn.role == "assistant" else "user"
        if turn.role == "tool" and contents and contents[-1].role == "user" and _all_responses(contents[-1]):
            (contents[-1].parts or []).append(part[0])
            continue
        contents.append(types.Content(role=role, parts=part))
    return contents


def _all_responses(content: genai_types.Content) -> bool:
    return all(p.function_response is not None for p in content.parts or [])


def _part(turn: Turn) -> list[genai_types.Part]:
    from google.genai import types

    if turn.role == "tool":
        response = types.FunctionResponse(name=turn.name, response=turn.result or {})
        if turn.tool_call_id and not turn.tool_call_id.startswith("gemini-"):
            response.id = turn.tool_call_id
        return [types.Part(function_response=response)]
    parts = [types.Part(text=turn.text)] if turn.text else []
    for call in turn.tool_calls:
        function_call = types.FunctionCall(name=call.name, args=call.arguments or {})
        if not call.id.startswith("gemini-"):
            function_call.id = call.id
        parts.append(types.Part(function_call=function_call, thought_signature=call.signature))
    return parts or [types.Part(text="")]


class Gemini:
    name = "gemini"

    def __init__(self, *, api_key: str, model: str, base_url: str | None, timeout_s: float) -> None:
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._timeout_s = timeout_s

    def complete(self, request: ChatRequest) -> ProviderReply:
        from google.genai import errors, types

        from shared.providers.sdk_clients import genai_client

        client = genai_client(self._api_key, self._base_url, self._timeout_s)
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_tokens,
            temperature=request.temperature,
        )
        if request.tools:
            config.tools = gemini_tools(request.tools)  # type: ignore[assignment]
            config.automatic_function_calling = types.AutomaticFunctionCallingConfig(disable=True)
        if request.timeout_s is not None:  # what is left of the reply's budget, at most our timeout
            config.http_options = types.HttpOptions(
                timeout=max(1, int(min(request.timeout_s, self._timeout_s) * 1000)),
                retry_options=types.HttpRetryOptions(attempts=1),
            )
        started = time.perf_counter()
        try:
            response = client.models.generate_content(
                model=self.model,
                contents=gemini_contents(request),
                config=config,
            )
        except errors.ClientError as exc:
            kind: FailureKind = "rate_limited" if exc.code == 429 else "bad_request"
            if exc.code in (401, 403):
                kind = "auth"
            raise ProviderFailure(self.name, kind, str(exc.code)) from exc
        except errors.ServerError as exc:
            raise ProviderFailure(self.name, "server", str(exc.code)) from exc
        except errors.APIError as exc:
            raise ProviderFailure(self.name, "malformed", str(exc.code)) from exc
        except _http_errors("TimeoutException") as exc:
            raise ProviderFailure(self.name, "timeout") from exc
        except _http_errors("HTTPError") as exc:
            raise ProviderFailure(self.name, "network", type(exc).__name__) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise ProviderFailure(self.name, "malformed", type(exc).__name__) from exc
        latency_ms = (time.perf_counter() - started) * 1000
        text, calls = _read(self.name, response)
        usage = response.usage_metadata
        return ProviderReply(
            text=usable_text(self.name, text, tool_calls=len(calls)),
            provider=self.name,
            model=self.model,
            tokens_in=int(getattr(usage, "prompt_token_count", 0) or 0),
            tokens_out=int(getattr(usage, "candidates_token_count", 0) or 0),
            latency_ms=latency_ms,
            tool_calls=calls,
        )


def _read(provider: str, response: Any) -> tuple[str, tuple[ToolCall, ...]]:
    """(the text parts joined, the function calls) of the first candidate."""
    candidates = getattr(response, "candidates", None) or []
    content = getattr(candidates[0], "content", None) if candidates else None
    parts = getattr(content, "parts", None) or []
    text = "".join(p.text for p in parts if isinstance(p.text, str) and not p.thought)
    calls = []
    for n, part in enumerate(parts):
        call = part.function_call
        if call is None:
            continue
        if not isinstance(call.name, str) or not call.name:
            raise ProviderFailure(provider, "invalid_tool_call", "function call without a name")
        args: Any = call.args if call.args is not None else {}
        call_id = call.id or f"gemini-{n}"
        raw = args if isinstance(args, dict) else str(args)
        calls.append(ToolCall.parse(call_id, call.name, raw, part.thought_signature))
    return text, tuple(calls)


def _http_errors(name: str) -> tuple[type[Exception], ...]:
    """`name` from httpx and from httpx2 (google-genai uses whichever is installed)."""
    import importlib

    found = []
    for module in ("httpx", "httpx2"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)
