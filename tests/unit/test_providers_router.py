"""The router's choice of order: by the tenant's policy, cooling-down providers last."""

from __future__ import annotations

from datetime import timedelta

from shared.providers.base import ChatRequest, ProviderReply
from shared.providers.router import choose_order
from shared.storage import utcnow
from shared.tenants import ProviderPolicy


class Named:
    def __init__(self, name: str, model: str) -> None:
        self.name, self.model = name, model

    def complete(self, request: ChatRequest) -> ProviderReply:  # never called here
        raise AssertionError


PROVIDERS = {
    "openai": Named("openai", "gpt-4o-mini"),
    "gemini": Named("gemini", "gemini-2.0-flash"),
    "deepseek": Named("deepseek", "deepseek-chat"),
}


def test_order_policy_keeps_the_tenants_order() -> None:
    policy = ProviderPolicy(strategy="order", order=["deepseek", "openai", "gemini"])
    assert choose_order(policy, PROVIDERS, {}) == ["deepseek", "openai", "gemini"]


def test_only_configured_providers_are_tried() -> None:
    policy = ProviderPolicy(order=["openai", "gemini", "deepseek"])
    assert choose_order(policy, {"gemini": PROVIDERS["gemini"]}, {}) == ["gemini"]


def test_cost_policy_puts_the_cheapest_model_first() -> None:
    assert choose_order(ProviderPolicy(strategy="cost"), PROVIDERS, {}) == ["gemini", "openai", "deepseek"]


def test_latency_policy_uses_measured_p50() -> None:
    stats = {
        "openai": {"latency_ms_p50": 900.0},
        "gemini": {"latency_ms_p50": 300.0},
        "deepseek": {"latency_ms_p50": 600.0},
    }
    assert choose_order(ProviderPolicy(strategy="latency"), PROVIDERS, stats) == [
        "gemini",
        "deepseek",
        "openai",
    ]


def test_a_cooling_down_provider_goes_last() -> None:
    stats = {"openai": {"cooldown_until": utcnow() + timedelta(seconds=60)}}
    assert choose_order(ProviderPolicy(), PROVIDERS, stats) == ["gemini", "deepseek", "openai"]
    expired = {"openai": {"cooldown_until": utcnow() - timedelta(seconds=1)}}
    assert choose_order(ProviderPolicy(), PROVIDERS, expired)[0] == "openai"
