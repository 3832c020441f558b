"""Webhook benchmark: signed POSTs against the served respond.webhook, beside the floor.

    .venv/bin/python bench/webhook.py            # against a running ./emulator.sh stack (env ports)
    .venv/bin/python bench/webhook.py --start    # start a stack on TEST_PORT_BASE ports, stop it after

- webhook: `--requests` (2,000) Meta-signed POSTs, one text message each from distinct customers,
  `--concurrency` (16) client threads, to the webhook that functions-framework serves (gunicorn,
  threads) on the emulators, twice: over keep-alive connections, and with a new connection per
  request (senders do either; Meta's delivery may open one per POST). Each request does what Meta's
  does: signature check, tenant lookup, one Firestore commit (create the message, merge the
  conversation), one Pub/Sub publish, 200.
- floor: the same Firestore commit plus Pub/Sub publish done directly from a client in this
  process, at the same concurrency, in the same run: what the webhook cannot go below.

While it runs, the `respond-worker` push subscription is switched to pull so the worker does not
compete for the two cores; afterwards the bench's messages are drained and the push is restored.

Targets (issues 3, 13): for each client, webhook p50 <= 1.5 x floor p50 and p99 <= 150 ms;
>= 200 requests/s.
Prints a table, then exactly one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable

from _stack import percentiles, stack


def run(label: str, n: int, concurrency: int, one: Callable[[int], None]) -> dict[str, float]:
    """Run `one(i)` for i in range(n) on `concurrency` threads; latency percentiles and rate."""
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(i: int) -> None:
        started = time.perf_counter()
        one(i)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)

    for i in range(min(50, n)):  # warm-up: connections, caches, publisher batches
        one(-1 - i)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(timed, range(n)))
    wall = time.perf_counter() - started
    return {**percentiles(latencies), "rps": round(n / wall, 1), "n": n, "label": label}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", action="store_true", help="start a stack on TEST_PORT_BASE ports first")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with stack(args.start):
        figures = bench(args.requests, args.concurrency)
    report(figures)


def bench(n: int, concurrency: int) -> dict[str, dict[str, float]]:
    from google.cloud import firestore

    from devtools.topology import function
    from shared.cli.chat import meta_payload
    from shared.clients import firestore_client, subscriber
    from shared.events import InboundMessage
    from shared.messaging.store import conversation_ref
    from shared.pubsub import publish
    from shared.settings import get_settings
    from shared.storage import utcnow
    from shared.tenants import TenantConfig, save_tenant
    from shared.whatsapp.signature import meta_signature

    tenant_id = f"bench-webhook-{uuid.uuid4().hex[:6]}"
    phone_number_id = str(900000000000000 + int(uuid.uuid4().int % 10**12))
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=phone_number_id, source="file:/dev/null"))
    project = get_settings().google_cloud_project
    worker_sub = f"projects/{project}/subscriptions/respond-worker"
    subscriber().modify_push_config(request={"subscription": worker_sub, "push_config": {}})
    secret = os.environ["WHATSAPP_APP_SECRET"]
    local = threading.local()
    run_id = uuid.uuid4().hex[:8]

    def signed(i: int) -> tuple[bytes, dict[str, str]]:
        wa_id = f"1999{i % 10**8:08d}"
        body = json.dumps(
            meta_payload(phone_number_id, wa_id, f"wamid.bench{run_id}{i}", "hi", None)
        ).encode()
        return body, {"X-Hub-Signature-256": meta_signature(body, secret), "Content-Type": "application/json"}

    # Meta builds and signs its requests on its own machines: do it before the clock starts, and
    # use the standard library's lean HTTP client, so the client steals little CPU from the server.
    requests = {i: signed(i) for i in range(-50, n)}
    fresh_requests = {i: signed(n + 100 + i) for i in range(-50, n)}
    port = int(os.environ["WEBHOOK_PORT"])

    def post(i: int) -> None:
        connection = getattr(local, "connection", None) or http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10
        )
        local.connection = connection
        body, headers = requests[i]
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read()
        if response.status != 200:
            raise RuntimeError(f"webhook answered {response.status}: {text!r}")

    def post_fresh(i: int) -> None:
        """A new TCP connection for this one request (`Connection: close`)."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body, headers = requests[i]
        try:
            connection.request("POST", "/", body=body, headers=headers | {"Connection": "close"})
            response = connection.getresponse()
            text = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"webhook answered {response.status}: {text!r}")

    def floor(i: int) -> None:
        wa_id = f"1888{i % 10**8:08d}"
        now = utcnow()
        conversation = conversation_ref(tenant_id, wa_id)
        batch = firestore_client().batch()
        batch.create(
            conversation.collection("messages").document(f"floor{run_id}{i}"), {"direction": "in", "at": now}
        )
        batch.set(
            conversation,
            {"last_inbound_at": now, "pending_inbound": firestore.ArrayUnion([str(i)])},
            merge=True,
        )
        batch.commit()
        publish("inbound-messages", InboundMessage(tenant_id=tenant_id, wa_id=wa_id, message_id=f"floor{i}"))

    try:
        floor_figures = run("floor", n, concurrency, floor)
        webhook_figures = run("webhook keep-alive", n, concurrency, post)
        requests.update(fresh_requests)  # new message ids: a store, not a redelivery
        fresh_figures = run("webhook new connection", n, concurrency, post_fresh)
    finally:
        drained = drain(worker_sub)
        endpoint = function("respond-worker").url
        subscriber().modify_push_config(
            request={"subscription": worker_sub, "push_config": {"push_endpoint": endpoint}}
        )
        print(f"(drained {drained} bench messages from respond-worker; push restored)", file=sys.stderr)
    return {"floor": floor_figures, "webhook": webhook_figures, "fresh": fresh_figures}


def drain(subscription: str) -> int:
    from shared.clients import subscriber

    total = 0
    while True:
        response = subscriber().pull(request={"subscription": subscription, "max_messages": 1000}, timeout=10)
        if not response.received_messages:
            return total
        ids = [m.ack_id for m in response.received_messages]
        subscriber().acknowledge(request={"subscription": subscription, "ack_ids": ids})
        total += len(ids)


def report(figures: dict[str, dict[str, float]]) -> None:
    floor, hook, fresh = figures["floor"], figures["webhook"], figures["fresh"]
    ratio = round(hook["p50"] / floor["p50"], 2)
    fresh_ratio = round(fresh["p50"] / floor["p50"], 2)
    print(f"{'':<26}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'p50/floor':>11}")
    for row in (floor, hook, fresh):
        r = round(row["p50"] / floor["p50"], 2)
        print(f"{row['label']:<26}{row['p50']:>9}{row['p95']:>9}{row['p99']:>9}{row['rps']:>9}{r:>11}")
    print("targets per client: p50 <= 1.5 x floor, p99 <= 150 ms, >= 200 req/s")
    print(
        json.dumps(
            {
                "requests": hook["n"],
                "concurrency": 16,
                "webhook_p50_ms": hook["p50"],
                "webhook_p95_ms": hook["p95"],
                "webhook_p99_ms": hook["p99"],
                "webhook_rps": hook["rps"],
                "fresh_p50_ms": fresh["p50"],
                "fresh_p95_ms": fresh["p95"],
                "fresh_p99_ms": fresh["p99"],
                "fresh_rps": fresh["rps"],
                "floor_p50_ms": floor["p50"],
                "floor_p95_ms": floor["p95"],
                "floor_p99_ms": floor["p99"],
                "floor_rps": floor["rps"],
                "p50_ratio": ratio,
                "fresh_p50_ratio": fresh_ratio,
            }
        )
    )


if __name__ == "__main__":
    main()
