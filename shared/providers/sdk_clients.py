"""The LLM SDK clients, created once per instance per (key, base URL, timeout) and reused.

They live here rather than in `shared.clients` so that only the function that calls LLMs
(respond) bundles and imports the `openai` and `google-genai` SDKs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.clients import per_instance

if TYPE_CHECKING:
    import openai
    from google import genai


@per_instance
def openai_client(api_key: str, base_url: str | None, timeout_s: float) -> openai.OpenAI:
    """An OpenAI SDK client (also DeepSeek's OpenAI-compatible API, by `base_url`).

    `max_retries=0` and an explicit timeout: the SDK would otherwise retry twice and wait up to
    600 s, while the LLM router wants to fall back to the next provider at once.
    """
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0)


@per_instance
def genai_client(api_key: str, base_url: str | None, timeout_s: float) -> genai.Client:
    """A google-genai client with a deliberate timeout (milliseconds) and a single attempt:
    google-genai has no timeout and its own retries unless told."""
    from google import genai
    from google.genai import types

    options = types.HttpOptions(
        timeout=int(timeout_s * 1000), retry_options=types.HttpRetryOptions(attempts=1)
    )
    if base_url:
        options.base_url = base_url
    return genai.Client(api_key=api_key, http_options=options)
