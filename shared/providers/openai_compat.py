"""OpenAI and DeepSeek (an OpenAI-compatible API) through the `openai` SDK.

The SDK retries twice and waits up to 600 s by default; the client is built with
`max_retries=0` and an explicit timeout so that the router, not the SDK, decides what happens next.
"""

from __future__ import annotations

import time

from shared.providers.base import ChatRequest, FailureKind, ProviderFailure, ProviderReply, usable_text


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
        messages = [{"role": "system", "content": request.system}]
        messages += [{"role": role, "content": text} for role, text in request.messages]
        started = time.perf_counter()
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=request.max_tokens,
                temperature=request.temperature,
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
        text = usable_text(self.name, getattr(choices[0].message, "content", None))
        usage = getattr(response, "usage", None)
        return ProviderReply(
            text=text,
            provider=self.name,
            model=self.model,
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
            latency_ms=latency_ms,
        )
