"""Tag rules and the health lights: pure cores of the contacts and Status views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.broadcasts.tags import bought_by_customer, rule_tags
from shared.status.health import (
    overall,
    provider_light,
    rollup_light,
    sheet_light,
    webhook_light,
    worker_light,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
RULES = [
    {"tag": "jacket-fans", "when": "asked", "sku": "JKT-001"},
    {"tag": "buyers", "when": "bought", "sku": "JKT-001"},
    {"tag": "dress", "when": "bought", "sku": "DRS-1"},
]


def test_rules_tag_who_asked_and_who_bought() -> None:
    assert rule_tags(RULES, asked=["JKT-001"], bought=[]) == ["jacket-fans"]
    assert rule_tags(RULES, asked=["JKT-001"], bought=["JKT-001", "DRS-1"]) == [
        "buyers",
        "dress",
        "jacket-fans",
    ]
    assert rule_tags(RULES, asked=[], bought=["OTHER"]) == []


def test_cancelled_orders_do_not_count_as_bought() -> None:
    orders = [
        {"customer_key": "a", "status": "placed", "lines": [{"sku": "JKT-001", "quantity": 1}]},
        {"customer_key": "b", "status": "cancelled", "lines": [{"sku": "DRS-1", "quantity": 1}]},
        {"customer_key": "a", "status": "delivered", "lines": [{"sku": "DRS-1", "quantity": 2}]},
        {"status": "placed", "lines": [{"sku": "X"}]},
    ]
    assert bought_by_customer(orders) == {"a": {"JKT-001", "DRS-1"}}


STALE = timedelta(minutes=120)


def test_a_sheet_is_green_when_read_recently_and_red_after_failures_or_staleness() -> None:
    fresh = {"source": "gsheets:abc", "last_checked_at": NOW - timedelta(minutes=1), "valid": 40}
    assert sheet_light("s", fresh, NOW, STALE).level == "green"
    failing = {**fresh, "last_error": "403 caller does not have permission", "consecutive_failures": 3}
    light = sheet_light("s", failing, NOW, STALE)
    assert light.level == "red" and "403" in light.reason and "3 failed" in light.reason
    assert (
        sheet_light("s", {**fresh, "last_error": "timeout", "consecutive_failures": 1}, NOW, STALE).level
        == "amber"
    )
    old = {**fresh, "last_checked_at": NOW - timedelta(hours=3)}
    assert sheet_light("s", old, NOW, STALE).level == "red"
    assert sheet_light("s", {**fresh, "anomaly": "half the rows vanished"}, NOW, STALE).level == "amber"


def test_webhook_worker_provider_and_rollup_lights_give_their_reason() -> None:
    assert webhook_light(NOW - timedelta(minutes=3), {}, 0, NOW).level == "green"
    refused = webhook_light(NOW, {"wrong signature or token": 7}, 0, NOW)
    assert refused.level == "amber" and "7× wrong signature" in refused.reason
    assert webhook_light(NOW, {}, 6, NOW).level == "red"

    assert worker_light([NOW - timedelta(seconds=5)], 0, NOW).level == "green"
    slow = worker_light([NOW - timedelta(minutes=4)], None, NOW)
    assert slow.level == "amber" and "unanswered" in slow.reason
    assert worker_light([NOW - timedelta(minutes=30)], None, NOW).level == "red"
    assert worker_light([], 3, NOW).level == "red"

    healthy = {"calls": 50, "error_rate": 0.02, "latency_ms_p95": 1200}
    assert provider_light("openai", healthy, NOW, max_error_rate=0.2, max_p95_ms=5000).level == "green"
    slow_ai = {**healthy, "latency_ms_p95": 9000}
    assert provider_light("openai", slow_ai, NOW, max_error_rate=0.2, max_p95_ms=5000).level == "amber"
    resting = {**healthy, "cooldown_until": NOW + timedelta(seconds=40), "last_error": "429"}
    light = provider_light("gemini", resting, NOW, max_error_rate=0.2, max_p95_ms=5000)
    assert light.level == "amber" and "40 s" in light.reason

    assert rollup_light(NOW - timedelta(seconds=30), NOW - timedelta(minutes=1), NOW).level == "green"
    assert rollup_light(NOW - timedelta(hours=2), NOW - timedelta(hours=1), NOW).level == "red"
    lights = [webhook_light(NOW, {}, 0, NOW), worker_light([], 2, NOW)]
    assert overall(lights) == "red"
