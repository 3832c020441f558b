"""Gemini through `google-genai` (the maintained successor of `google-generativeai`).

google-genai sets no timeout and no retries unless told: the client gets
`HttpOptions(timeout=<ms>, retry_options=HttpRetryOptions(attempts=1))` (see shared.clients).
"""

from __future__ import annotations

import time

from shared.providers.base import ChatRequest, FailureKind, ProviderFailure, ProviderReply, usable_text


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
        contents = [
            types.Content(role="model" if role == "assistant" else "user", parts=[types.Part(text=text)])
            for role, text in request.messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_tokens,
            temperature=request.temperature,
        )
        started = time.perf_counter()
        try:
            response = client.models.generate_content(model=self.model, contents=contents, config=config)
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
        try:
            text = response.text
        except (ValueError, AttributeError) as exc:
            raise ProviderFailure(self.name, "malformed", "no text") from exc
        usage = response.usage_metadata
        return ProviderReply(
            text=usable_text(self.name, text),
            provider=self.name,
            model=self.model,
            tokens_in=int(getattr(usage, "prompt_token_count", 0) or 0),
            tokens_out=int(getattr(usage, "candidates_token_count", 0) or 0),
            latency_ms=latency_ms,
        )


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
