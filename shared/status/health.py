"""Judging each part of the system from the documents the alerts read (pure).

Parts: each shop's sheet sync (last poll, lag against its interval, errors), the webhook (last
message, refusals by reason), the worker (messages waiting for a reply, dead-lettered ones),
each LLM provider (error rate, latency, cool-down) and the roll-up (last counted, lag). Each gets
a `Light`: green (working), amber (look soon) or red (act now), with the reason in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

Level = Literal["green", "amber", "red", "grey"]
POLL_INTERVAL = timedelta(minutes=1)
WORKER_SLOW = timedelta(minutes=2)
ROLLUP_LAG_AMBER = timedelta(minutes=5)
ROLLUP_LAG_RED = timedelta(minutes=30)
RANK = {"grey": 0, "green": 1, "amber": 2, "red": 3}


@dataclass(frozen=True)
class Light:
    part: str  # sheet | webhook | worker | provider | rollup
    name: str
    level: Level
    reason: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _when(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def sheet_light(sheet_id: str, state: Mapping[str, Any], now: datetime, stale_after: timedelta) -> Light:
    name = f"sheet {state.get('source') or sheet_id}"
    checked = _when(state.get("last_checked_at") or state.get("last_poll_at"))
    failures = int(state.get("consecutive_failures") or 0)
    error = state.get("last_error")
    if checked is None:
        return Light(
            "sheet", name, "red" if error else "amber", f"never read yet{f': {error}' if error else ''}"
        )
    lag = now - checked
    if error and failures:
        level: Level = "red" if failures >= 3 or lag > stale_after else "amber"
        return Light(
            "sheet", name, level, f"{failures} failed read(s) in a row: {error}; last good read {_ago(lag)}"
        )
    if state.get("anomaly"):
        return Light("sheet", name, "amber", f"a read was held back: {state['anomaly']}")
    if lag > stale_after:
        return Light(
            "sheet",
            name,
            "red",
            f"last confirmed {_ago(lag)}, over the {int(stale_after.total_seconds() // 60)} min limit",
        )
    # Unchanged sheets refresh their check every 10 minutes, so up to ~10 intervals is normal.
    if lag > POLL_INTERVAL * 12:
        return Light("sheet", name, "amber", f"last confirmed {_ago(lag)} (polled every minute)")
    return Light(
        "sheet",
        name,
        "green",
        f"last confirmed {_ago(lag)}, {state.get('valid', state.get('good_rows', '?'))} good rows",
    )


def webhook_light(
    last_inbound: datetime | None, refusals: Mapping[str, int], failures_last_hours: int, now: datetime
) -> Light:
    refused = ", ".join(
        f"{n}× {reason}" for reason, n in sorted(refusals.items(), key=lambda kv: -kv[1]) if n
    )
    last = f"last customer message {_ago(now - last_inbound)}" if last_inbound else "no customer message yet"
    if failures_last_hours:
        return Light(
            "webhook",
            "WhatsApp webhook",
            "red",
            f"{failures_last_hours} deliveries failed in the last 2 hours; {last}",
        )
    if refused:
        return Light("webhook", "WhatsApp webhook", "amber", f"refused in the last 24 h: {refused}; {last}")
    return Light("webhook", "WhatsApp webhook", "green", last)


def worker_light(waiting: Sequence[datetime], dead_lettered: int | None, now: datetime) -> Light:
    slow = [at for at in waiting if now - at > WORKER_SLOW]
    dead = "" if dead_lettered is None else f"; {dead_lettered} dead-lettered"
    if dead_lettered:
        return Light(
            "worker",
            "reply worker",
            "red",
            f"{dead_lettered} message(s) gave up after every retry"
            + (f"; {len(slow)} waiting" if slow else ""),
        )
    if slow:
        oldest = max(now - at for at in slow)
        return Light(
            "worker",
            "reply worker",
            "red" if oldest > WORKER_SLOW * 5 else "amber",
            f"{len(slow)} customer message(s) unanswered for over 2 min (oldest {_ago(oldest)}){dead}",
        )
    return Light("worker", "reply worker", "green", f"{len(waiting)} message(s) being answered{dead}")


def provider_light(
    provider: str, stats: Mapping[str, Any], now: datetime, *, max_error_rate: float, max_p95_ms: float
) -> Light:
    cooldown = _when(stats.get("cooldown_until"))
    rate = float(stats.get("error_rate") or 0)
    p95 = stats.get("latency_ms_p95")
    calls = int(stats.get("calls") or 0)
    facts = f"{calls} calls, {rate:.0%} errors" + (
        f", p95 {int(p95)} ms" if isinstance(p95, int | float) else ""
    )
    if cooldown and cooldown > now:
        return Light(
            "provider",
            provider,
            "amber",  # the assistant answers through the next provider meanwhile
            f"resting {int((cooldown - now).total_seconds())} s more after errors "
            f"({stats.get('last_error') or 'unknown error'}); {facts}",
        )
    if rate > max_error_rate or (isinstance(p95, int | float) and p95 > max_p95_ms):
        return Light("provider", provider, "amber", f"degraded: {facts}")
    return Light("provider", provider, "green", facts)


def rollup_light(last_counted: datetime | None, last_message: datetime | None, now: datetime) -> Light:
    if last_message is None:
        return Light("rollup", "KPI roll-up", "green", "nothing to count yet")
    if last_counted is None or last_counted < last_message:
        lag = now - last_message if last_counted is None else last_message - last_counted
        behind = now - last_message
        level: Level = "red" if behind > ROLLUP_LAG_RED else "amber" if behind > ROLLUP_LAG_AMBER else "green"
        if level == "green":
            return Light("rollup", "KPI roll-up", "green", "counting the last minute's messages")
        return Light(
            "rollup",
            "KPI roll-up",
            level,
            f"messages from {_ago(behind)} are not counted yet (lag {_ago(lag)[:-4]})",
        )
    return Light("rollup", "KPI roll-up", "green", f"last counted {_ago(now - last_counted)}")


def overall(lights: Sequence[Light]) -> Level:
    return max((light.level for light in lights), key=lambda lv: RANK[lv], default="grey")
