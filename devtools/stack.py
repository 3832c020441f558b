"""Bring the local stack's Pub/Sub and demo data up: `python -m devtools.stack bootstrap|seed|scheduler`.

- `bootstrap`: create every topic and subscription of `devtools.topology` on the emulator
  (idempotent; push subscriptions point at the locally served functions).
- `seed`: create the `demo` tenant from `examples/` and poll it once.
- `scheduler`: publish the scheduled ticks on their intervals, like Cloud Scheduler (Ctrl-C stops).
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

from google.api_core.exceptions import AlreadyExists

from devtools.topology import SCHEDULE, SUBSCRIPTIONS, function, topics
from shared.clients import publisher, subscriber
from shared.events import Tick
from shared.pubsub import publish
from shared.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_TENANT = "demo"
DEMO_PHONE_NUMBER_ID = "100000000000001"


def bootstrap() -> None:
    project = get_settings().google_cloud_project
    for topic in topics():
        with contextlib.suppress(AlreadyExists):
            publisher().create_topic(name=f"projects/{project}/topics/{topic}")
    for sub in SUBSCRIPTIONS:
        request: dict = {
            "name": f"projects/{project}/subscriptions/{sub.name}",
            "topic": f"projects/{project}/topics/{sub.topic}",
            "ack_deadline_seconds": 60,
        }
        if sub.push_to:
            request["push_config"] = {"push_endpoint": function(sub.push_to).url}
        try:
            subscriber().create_subscription(request=request)
        except AlreadyExists:
            if sub.push_to:
                subscriber().modify_push_config(
                    request={"subscription": request["name"], "push_config": request["push_config"]}
                )
    print(f"pubsub: {len(topics())} topics, {len(SUBSCRIPTIONS)} subscriptions ready")


def seed() -> None:
    from shared.tenants import TenantConfig, save_tenant

    save_tenant(
        TenantConfig(
            tenant_id=DEMO_TENANT,
            phone_number_id=DEMO_PHONE_NUMBER_ID,
            source=f"file:{ROOT / 'examples' / 'demo_catalog.xlsx'}",
            business_name="Demo Outfitters",
        )
    )
    try:
        from shared.sheets.poll import poll_tenant
    except ImportError:  # the poller is not there yet: the tenant exists, the catalog stays empty
        print("seed: demo tenant created (no poller available)")
        return
    result = poll_tenant(DEMO_TENANT)
    print(f"seed: demo tenant polled: {result.model_dump_json()}")


def scheduler() -> None:
    next_run = {job: 0.0 for _, job, _ in SCHEDULE}
    while True:
        now = time.monotonic()
        for topic, job, interval in SCHEDULE:
            if now >= next_run[job]:
                publish(topic, Tick(job=job))
                next_run[job] = now + interval
        time.sleep(1)


if __name__ == "__main__":
    commands = {"bootstrap": bootstrap, "seed": seed, "scheduler": scheduler}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python -m devtools.stack bootstrap|seed|scheduler")
    with contextlib.suppress(KeyboardInterrupt):
        commands[sys.argv[1]]()
