"""Routing pieces without the network: strategies and spreading, cool-down by error rate over a
sliding window, and fallback within one reply's time budget."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from shared.providers.base import ChatRequest, ProviderFailure, ProviderReply
from shared.providers.cooldown import CooldownRule, cooled_until
from shared.providers.fallback import first_success
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


def calls(*outcomes: bool, seconds_apart: float = 5.0, ago: float = 0.0) -> list[dict]:
    """Recorded calls, oldest first, the last one `ago` seconds before now."""
    now = utcnow()
    n = len(outcomes)
    return [
        {"at": now - timedelta(seconds=ago + (n - 1 - i) * seconds_apart), "ok": ok, "ms": 100.0}
        for i, ok in enumerate(outcomes)
    ]


def test_order_policy_keeps_the_tenants_order() -> None:
    policy = ProviderPolicy(strategy="order", order=["deepseek", "openai", "gemini"])
    assert choose_order(policy, PROVIDERS, {}) == ["deepseek", "openai", "gemini"]


def test_only_configured_providers_are_tried() -> None:
    policy = ProviderPolicy(order=["openai", "gemini", "deepseek"])
    assert choose_order(policy, {"gemini": PROVIDERS["gemini"]}, {}) == ["gemini"]


def test_cost_policy_puts_the_cheapest_model_first() -> None:
    policy = ProviderPolicy(strategy="cost", spread=0.0)
    assert choose_order(policy, PROVIDERS, {}) == ["gemini", "openai", "deepseek"]


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


def test_near_equal_providers_share_the_first_place() -> None:
    """Two providers 5% apart are equals: many instances choosing spread over both, weighted to
    the faster; a clearly slower one never comes first."""
    stats = {
        "openai": {"latency_ms_p50": 1000.0},
        "gemini": {"latency_ms_p50": 1050.0},
        "deepseek": {"latency_ms_p50": 3000.0},
    }
    rng = random.Random(7)
    firsts = Counter(
        choose_order(ProviderPolicy(strategy="latency"), PROVIDERS, stats, rng=rng)[0] for _ in range(400)
    )
    assert set(firsts) == {"openai", "gemini"}
    assert 120 < firsts["gemini"] < 280
    assert all(
        choose_order(ProviderPolicy(strategy="latency"), PROVIDERS, stats, rng=rng)[-1] == "deepseek"
        for _ in range(50)
    )


def test_one_failure_among_healthy_calls_does_not_cool_a_provider_down() -> None:
    rule = CooldownRule(window_s=300, error_rate_max=0.5, min_calls=3, cooldown_s=60)
    assert cooled_until(calls(True, True, True, False), utcnow(), rule) is None
    assert cooled_until(calls(False), utcnow(), rule) is None  # one call says little
    stats = {"openai": {"recent_calls": calls(True, True, False)}}
    assert choose_order(ProviderPolicy(), PROVIDERS, stats)[0] == "openai"


def test_a_high_error_rate_cools_a_provider_down_until_it_may_be_probed() -> None:
    rule = CooldownRule(window_s=300, error_rate_max=0.5, min_calls=3, cooldown_s=60)
    failing = calls(True, False, False, False)
    until = cooled_until(failing, utcnow(), rule)
    assert until is not None and until > utcnow() + timedelta(seconds=50)
    stats = {"openai": {"recent_calls": failing}}
    assert choose_order(ProviderPolicy(), PROVIDERS, stats) == ["gemini", "deepseek", "openai"]
    # 70 s after the last error the provider gets a probe, though its window is still bad.
    assert cooled_until(calls(True, False, False, False, ago=70), utcnow(), rule) is None
    # Errors older than the window are forgotten.
    assert cooled_until(calls(False, False, False, ago=400), utcnow(), rule) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def reply(name: str) -> ProviderReply:
    return ProviderReply("hi", name, "m", 1, 1, 1.0)


def test_fallback_moves_on_at_once_and_reports_every_attempt() -> None:
    clock, seen = Clock(), []

    def call(name: str, left: float) -> ProviderReply:
        clock.now += 0.5
        if name == "a":
            raise ProviderFailure(name, "rate_limited")
        return reply(name)

    result = first_success(
        ["a", "b", "c"], call, budget_s=8.0, clock=clock, on_attempt=lambda a, r: seen.append(a)
    )
    assert result.reply is not None and result.reply.provider == "b"
    assert [(a.provider, a.ok, a.error) for a in result.attempts] == [
        ("a", False, "rate_limited"),
        ("b", True, None),
    ]
    assert [a.latency_ms for a in seen] == [500.0, 500.0]


def test_a_timeout_spends_the_budget_and_the_rest_is_not_tried() -> None:
    clock, lefts = Clock(), []

    def call(name: str, left: float) -> ProviderReply:
        lefts.append(left)
        clock.now += left  # waits its whole timeout
        raise ProviderFailure(name, "timeout")

    result = first_success(["a", "b"], call, budget_s=8.0, clock=clock)
    assert result.reply is None and lefts == [8.0]
    assert [(a.provider, a.error) for a in result.attempts] == [("a", "timeout"), ("b", "budget")]
    assert result.attempts[0].latency_ms == pytest.approx(8000.0)
