"""Which providers this instance can call: those whose API key is set."""

from __future__ import annotations

from shared.providers.base import Provider
from shared.settings import Settings

KNOWN = ("openai", "gemini", "deepseek")


def configured_providers(settings: Settings) -> dict[str, Provider]:
    """Provider name -> provider, for every provider with a key in `settings`."""
    from shared.providers.gemini import Gemini
    from shared.providers.openai_compat import OpenAICompatible

    found: dict[str, Provider] = {}
    timeout = settings.llm_timeout_s
    if settings.openai_api_key and settings.openai_api_key.get_secret_value():
        found["openai"] = OpenAICompatible(
            "openai",
            api_key=settings.openai_api_key.get_secret_value(),
            model=settings.openai_model,
            base_url=settings.openai_base_url,
            timeout_s=timeout,
        )
    if settings.gemini_api_key and settings.gemini_api_key.get_secret_value():
        found["gemini"] = Gemini(
            api_key=settings.gemini_api_key.get_secret_value(),
            model=settings.gemini_model,
            base_url=settings.gemini_base_url,
            timeout_s=timeout,
        )
    if settings.deepseek_api_key and settings.deepseek_api_key.get_secret_value():
        found["deepseek"] = OpenAICompatible(
            "deepseek",
            api_key=settings.deepseek_api_key.get_secret_value(),
            model=settings.deepseek_model,
            base_url=settings.deepseek_base_url,
            timeout_s=timeout,
        )
    return found
