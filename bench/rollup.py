"""Benchmark: conversation events → analytics documents through the real path, beside a naive
one-increment-per-event baseline.

    .venv/bin/python bench/rollup.py [--events 50000] [--duplicates 0.1] [--naive-sample 2000]

Needs the emulators running (`./emulator.sh start`, or any stack: it reads
FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST, defaulting to the local ports). It publishes
the events, duplicates included, to a topic of its own (what `conversation-events` is to the
stack, created for the run, so the stack's scheduled roll-up never sees them), drains them
through a pull subscription of its own with `shared.analytics.rollup.run_rollup` (the code the function
runs), and checks every total of every hour and day document against a count made here. The
naive baseline writes one Firestore increment per delivered event on a smaller sample and is
extrapolated (it is far too slow to run 50,000). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for key, value in {
    "GOOGLE_CLOUD_PROJECT": "demo-wacrm",
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
    "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085",
}.items():
    os.environ.setdefault(key, value)

from shared.analytics.kpis import read_period  # noqa: E402
from shared.analytics.periods import day_id, hour_id  # noqa: E402
from shared.clients import publisher, reset_clients, subscriber  # noqa: E402
from shared.events import ConversationEvent  # noqa: E402
from shared.pubsub import publish, topic_path  # noqa: E402
from shared.settings import get_settings  # noqa: E402
from shared.storage import tenant_collection  # noqa: E402

CHECKED = ("events", "messages_in", "messages_out", "conversations", "handoffs", "ratings", "provider_calls")
TYPES = ("message_in", "message_out", "message_out", "message_in", "provider_call", "handoff", "rating")


def make_events(tenant_id: str, n: int, start: datetime) -> list[ConversationEvent]:
    rng = random.Random(42)
    events = []
    for i in range(n):
        kind = TYPES[i % len(TYPES)]
        events.append(
            ConversationEvent(
                event_id=f"bench-{tenant_id}-{i}",
                tenant_id=tenant_id,
                type=kind,  # type: ignore[arg-type]
                at=start + timedelta(seconds=rng.uniform(0, 6 * 3600)),
                customer=f"c_{rng.randrange(2000):020d}",
                conversation_started=i % 9 == 0,
                latency_ms=rng.lognormvariate(6.5, 0.5) if kind == "message_out" else None,
                provider="openai" if kind == "provider_call" else None,
                rating=rng.randint(1, 5) if kind == "rating" else None,
                skus_asked=[f"SKU-{rng.randrange(40)}"] if kind == "message_in" else [],
            )
        )
    return events


def expected_totals(events: list[ConversationEvent]) -> dict[str, Counter[str]]:
    totals: dict[str, Counter[str]] = {}
    for e in events:
        for period in (hour_id(e.at), day_id(e.at)):
            c = totals.setdefault(period, Counter())
            c["events"] += 1
            c["conversations"] += e.conversation_started
            name = {
                "message_in": "messages_in",
                "message_out": "messages_out",
                "handoff": "handoffs",
                "rating": "ratings",
                "provider_call": "provider_calls",
            }[e.type]
            c[name] += 1
    return totals


def peak_writes_per_second(round_writes: list[tuple[float, dict[str, int]]]) -> tuple[float, str]:
    """Most writes any one document took within any 1-second window, and which document."""
    times: dict[str, list[float]] = {}
    for at, writes in round_writes:
        for path, n in writes.items():
            times.setdefault(path, []).extend([at] * n)
    best, best_path = 0, ""
    for path, stamps in times.items():
        stamps.sort()
        j = 0
        for i, t in enumerate(stamps):
            while stamps[j] < t - 1.0:
                j += 1
            if i - j + 1 > best:
                best, best_path = i - j + 1, path
    return float(best), best_path


def naive_baseline(tenant_id: str, deliveries: list[ConversationEvent]) -> dict[str, float]:
    """One Firestore increment per delivered event on the day document (no de-duplication)."""
    from google.cloud import firestore

    ref = tenant_collection(tenant_id, "analytics_naive").document("day")
    started = time.monotonic()
    for _ in deliveries:
        ref.set({"events": firestore.Increment(1)}, merge=True)
    seconds = time.monotonic() - started
    counted = int((ref.get().to_dict() or {}).get("events", 0))
    unique = len({e.event_id for e in deliveries})
    return {
        "sample": len(deliveries),
        "seconds": seconds,
        "events_per_s": len(deliveries) / seconds,
        "writes_per_event": 1.0,
        "doc_writes_per_s": len(deliveries) / seconds,
        "counted": counted,
        "unique": unique,
        "exact": counted == unique,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="deliveries in all, duplicates included")
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of deliveries that repeat one")
    parser.add_argument("--naive-sample", type=int, default=2000)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    tenant_id = f"bench-{run}"
    # A topic and a subscription of its own, set before any setting is read: the stack's
    # `conversation-events` / `analytics-rollup` pair (and the scheduled roll-up draining it)
    # never sees the bench's events, so nothing races it and every run gives the same answer.
    os.environ["TOPIC_CONVERSATION_EVENTS"] = f"bench-events-{run}"
    os.environ["SUBSCRIPTION_ANALYTICS"] = f"bench-rollup-{run}"
    reset_clients()
    settings = get_settings()
    sub_path = f"projects/{settings.google_cloud_project}/subscriptions/{settings.subscription_analytics}"
    topic = topic_path(settings.topic_conversation_events)
    publisher().create_topic(request={"name": topic})
    subscriber().create_subscription(request={"name": sub_path, "topic": topic, "ack_deadline_seconds": 60})
    from shared.analytics.rollup import RollupResult, run_rollup

    try:
        dupes = int(args.events * args.duplicates)
        unique = make_events(tenant_id, args.events - dupes, datetime(2025, 6, 1, 8, tzinfo=UTC))
        deliveries = unique + random.Random(7).choices(unique, k=dupes)
        random.Random(8).shuffle(deliveries)

        t0 = time.monotonic()
        futures = [publish(get_settings().topic_conversation_events, e, wait=False) for e in deliveries]
        for f in futures:
            f.result(timeout=60)
        publish_s = time.monotonic() - t0

        total = RollupResult()
        t0 = time.monotonic()
        while True:
            result = run_rollup(budget_s=300)
            total.rounds += result.rounds
            total.pulled += result.pulled
            total.fold.merge(result.fold)
            total.round_writes += result.round_writes
            if result.pulled == 0:
                break
        rollup_s = time.monotonic() - t0

        expected = expected_totals(unique)
        mismatches = []
        for period, counts in expected.items():
            doc = read_period(tenant_id, period)
            mismatches += [f"{period}.{k}" for k in CHECKED if int(doc.get(k, 0)) != counts[k]]
        peak, peak_doc = peak_writes_per_second(total.round_writes)
        writes = total.fold.write_count
        naive = naive_baseline(tenant_id, deliveries[: args.naive_sample])
    finally:
        subscriber().delete_subscription(request={"subscription": sub_path})
        publisher().delete_topic(request={"topic": topic})

    ours = {
        "events": len(deliveries),
        "unique": len(unique),
        "publish_s": round(publish_s, 2),
        "rollup_s": round(rollup_s, 2),
        "events_per_s": round(len(deliveries) / rollup_s),
        "writes": writes,
        "writes_per_event": round(writes / len(deliveries), 4),
        "peak_doc_writes_per_s": peak,
        "rounds": total.rounds,
        "counted": total.fold.counted,
        "exact": not mismatches and total.fold.counted == len(unique),
    }
    naive_50k_s = len(deliveries) / naive["events_per_s"]
    print(
        f"rollup benchmark: {len(deliveries):,} deliveries ({len(deliveries) - len(unique):,} duplicates), "
        f"{len(expected)} period documents, tenant {tenant_id}"
    )
    print(f"{'':32}{'pre-aggregated rollup':>24}  {'naive (1 increment/event)'}")
    rows = [
        ("events/s", f"{ours['events_per_s']:,}", f"{naive['events_per_s']:,.0f}"),
        (
            "time for all deliveries (s)",
            f"{rollup_s:.1f}",
            f"{naive_50k_s:.0f} (extrapolated from {naive['sample']:,})",
        ),
        ("Firestore writes per event", f"{ours['writes_per_event']}", "1.0"),
        ("peak writes/s on one document", f"{peak:g}", f"{naive['doc_writes_per_s']:,.0f}"),
        (
            "totals exact",
            str(ours["exact"]),
            f"{naive['exact']} ({naive['counted']} counted for {naive['unique']} unique)",
        ),
    ]
    for name, a, b in rows:
        print(f"{name:32}{a:>24}  {b}")
    print(f"(publishing took {publish_s:.1f} s; {total.rounds} rollup round(s); busiest document {peak_doc})")
    if mismatches:
        print("MISMATCHES:", ", ".join(mismatches[:10]))
    print(
        json.dumps(
            {
                "rollup": ours,
                "naive": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in naive.items()}
                | {"extrapolated_s": round(naive_50k_s)},
            }
        )
    )
    return 0 if ours["exact"] else 1


if __name__ == "__main__":
    sys.exit(main())
