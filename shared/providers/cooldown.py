"""When to skip a provider: its error rate over a sliding window, not one failure.

A provider cools down when, among its calls of the last `error_window_s`, there are at least
`min_calls` and the share that failed is at least `error_rate_max`; it stays cooled for
`cooldown_s` after its last error. Then one reply may probe it again: if that fails too the
window is still bad and it cools again; once enough calls succeed the rate falls below the bar.
One timeout among healthy calls never takes a provider out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.tenants import ProviderPolicy


@dataclass(frozen=True)
class CooldownRule:
    window_s: int = 300
    error_rate_max: float = 0.5
    min_calls: int = 3
    cooldown_s: int = 60

    @classmethod
    def of(cls, policy: ProviderPolicy) -> CooldownRule:
        return cls(policy.error_window_s, policy.error_rate_max, policy.min_calls, policy.cooldown_s)


def in_window(recent: Sequence[dict[str, Any]], now: datetime, window_s: int) -> list[dict[str, Any]]:
    """The recorded calls (`{"at", "ok", "ms"}`) of the last `window_s` seconds."""
    since = now - timedelta(seconds=window_s)
    return [c for c in recent if isinstance(c.get("at"), datetime) and c["at"] >= since]


def window_error_rate(recent: Sequence[dict[str, Any]], now: datetime, window_s: int) -> float | None:
    calls = in_window(recent, now, window_s)
    return sum(1 for c in calls if not c.get("ok")) / len(calls) if calls else None


def cooled_until(recent: Sequence[dict[str, Any]], now: datetime, rule: CooldownRule) -> datetime | None:
    """Until when the provider is skipped, or None when it may be called now."""
    calls = in_window(recent, now, rule.window_s)
    failures = [c["at"] for c in calls if not c.get("ok")]
    if len(calls) < rule.min_calls or not failures or len(failures) / len(calls) < rule.error_rate_max:
        return None
    until: datetime = max(failures) + timedelta(seconds=rule.cooldown_s)
    return until if until > now else None
