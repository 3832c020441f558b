"""analytics_rollup on the emulators: exactly-once counts, concurrency, the served tick, the CLI."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.analytics.fold import fold_events
from shared.analytics.kpis import read_period
from shared.analytics.rollup import run_rollup
from shared.clients import publisher
from shared.events import TOPIC_ROLLUP_TICKS, ConversationEvent, Tick
from shared.privacy import hash_customer
from shared.pubsub import publish, topic_path
from shared.settings import get_settings
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant
from tests.conftest import ROOT

T0 = datetime(2025, 3, 1, 9, 40, tzinfo=UTC)


def _tenant(tenant_id: str) -> str:
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=uuid.uuid4().hex, source="file:/dev/null"))
    return tenant_id


def _events(tenant_id: str, n: int, start: datetime = T0) -> list[ConversationEvent]:
    """n events over two UTC hours: replies with latency, customer messages, a conversation start
    every 10th, customers identified only by their hash."""
    events = []
    for i in range(n):
        wa_id = f"1555000{i % 7:04d}"
        events.append(
            ConversationEvent(
                event_id=f"{tenant_id}-{i}",
                tenant_id=tenant_id,
                type="message_out" if i % 2 else "message_in",
                at=start + timedelta(minutes=i * 40 / n),
                customer=hash_customer(tenant_id, wa_id),
                conversation_started=i % 10 == 0,
                latency_ms=300.0 + i if i % 2 else None,
                skus_asked=["SKU-1"] if i % 5 == 0 else [],
            )
        )
    return events


def _publish_all(events: list[ConversationEvent]) -> None:
    futures = [publish(get_settings().topic_conversation_events, e, wait=False) for e in events]
    for f in futures:
        f.result(timeout=30)


def _wait_for(predicate, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


def _rollup_until(tenant_id: str, period: str, events: int) -> dict:
    """Run rollups until the period shows `events` (other tests' runs may take our messages)."""
    doc: dict = {}
    for _ in range(20):
        run_rollup(budget_s=20)
        doc = read_period(tenant_id, period)
        if doc.get("events", 0) >= events:
            return doc
        time.sleep(0.5)
    return doc


def test_duplicated_and_out_of_order_events_count_once(emulators, tenant_id: str) -> None:
    _tenant(tenant_id)
    events = _events(tenant_id, 200)
    deliveries = events + random.Random(1).sample(events, 60)
    random.Random(2).shuffle(deliveries)
    _publish_all(deliveries)

    day = _rollup_until(tenant_id, "day_2025-03-01", 200)
    assert day["events"] == 200
    assert day["messages_in"] == 100 and day["messages_out"] == 100
    assert day["conversations"] == 20
    assert day["asked"] == {"SKU-1": 40}
    assert day["response_ms_count"] == 100
    assert sum(day["response_ms_hist"].values()) == 100
    hour9, hour10 = read_period(tenant_id, "hour_2025-03-01T09"), read_period(tenant_id, "hour_2025-03-01T10")
    assert hour9["events"] + hour10["events"] == 200
    assert hour9["messages_in"] + hour10["messages_in"] == 100
    assert day["new_customers"] == 7

    # The whole batch delivered again, later: nothing changes.
    _publish_all(list(reversed(events)))
    for _ in range(10):
        if run_rollup(budget_s=10).pulled == 0:
            break
    assert read_period(tenant_id, "day_2025-03-01")["events"] == 200
    assert read_period(tenant_id, "day_2025-03-01")["conversations"] == 20


def test_no_phone_number_in_analytics_documents(emulators, tenant_id: str) -> None:
    _tenant(tenant_id)
    _publish_all(_events(tenant_id, 30))
    _rollup_until(tenant_id, "day_2025-03-01", 30)
    docs = [s.to_dict() for s in tenant_collection(tenant_id, "analytics").stream()]
    state = [s.to_dict() for s in tenant_collection(tenant_id, "analytics_state").stream()]
    assert docs and state
    text = json.dumps(docs + state, default=repr)
    assert "1555000" not in text
    assert hash_customer(tenant_id, "15550000001") not in text  # not even the hashed ids in the clear


def test_concurrent_rollups_of_the_same_period_stay_exact(emulators, tenant_id: str) -> None:
    _tenant(tenant_id)
    events = _events(tenant_id, 400)
    # Four instances each get an overlapping slice, as redelivery to several instances would.
    slices = [events[i * 80 : i * 80 + 160] for i in range(4)]
    errors: list[BaseException] = []

    def fold(batch: list[ConversationEvent]) -> None:
        try:
            fold_events(batch)
        except BaseException as exc:  # collected and re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=fold, args=(s,)) for s in slices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    covered = {e.event_id for s in slices for e in s}
    day = read_period(tenant_id, "day_2025-03-01")
    assert day["events"] == len(covered) == 400
    assert day["messages_in"] == 200 and day["conversations"] == 40
    hours = [read_period(tenant_id, p) for p in ("hour_2025-03-01T09", "hour_2025-03-01T10")]
    assert sum(h["events"] for h in hours) == 400


def test_served_rollup_answers_a_pushed_tick(emulators, tenant_id: str) -> None:
    _tenant(tenant_id)
    now = datetime.now(UTC).replace(microsecond=0)
    events = _events(tenant_id, 20, start=now - timedelta(minutes=45))
    _publish_all(events)
    publish(TOPIC_ROLLUP_TICKS, Tick(job="rollup-analytics", tenant_id=tenant_id))
    day_id = f"day_{now.date().isoformat()}"
    counted = sum(1 for e in events if e.at.date() == now.date())
    doc = _wait_for(lambda: (d := read_period(tenant_id, day_id)).get("events") == counted and d, 60)
    assert doc and doc["events"] == counted


def test_cli_rollup_and_kpis(emulators, tenant_id: str) -> None:
    _tenant(tenant_id)
    _publish_all(_events(tenant_id, 40))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "shared.cli"]
    for _ in range(10):
        out = subprocess.run([*cli, "rollup", "--tenant", tenant_id], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        if read_period(tenant_id, "day_2025-03-01").get("events") == 40:
            break
    result = subprocess.run(
        [*cli, "kpis", "--tenant", tenant_id, "--day", "2025-03-01", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    kpis = json.loads(result.stdout)["kpis"]
    assert kpis["messages_in"] == 20 and kpis["messages_out"] == 20 and kpis["conversations"] == 4
    assert kpis["messages_per_conversation"] == 10
    assert kpis["top_asked_items"] == {"SKU-1": 8}
    table = subprocess.run(
        [*cli, "kpis", "--tenant", tenant_id, "--day", "2025-03-01"], env=env, capture_output=True, text=True
    )
    assert "response_time_p95_ms" in table.stdout and "conversations" in table.stdout


@pytest.fixture(autouse=True)
def _topic_exists(emulators) -> None:
    publisher().get_topic(request={"topic": topic_path(get_settings().topic_conversation_events)})
