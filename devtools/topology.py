"""The local stack's wiring, in one place: which function targets are served on which port, and
which Pub/Sub subscription pushes to which of them. `emulator.sh` reads it; Terraform mirrors it
(tests/unit/test_terraform.py checks that the two agree).

`python -m devtools.topology functions` prints one line per served target:
`NAME SOURCE TARGET SIGNATURE PORT`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ServedFunction:
    name: str  # the Cloud Function's name in Terraform
    folder: str  # functions/<folder>/main.py
    target: str  # entry point in main.py
    signature: str  # "http" or "cloudevent"
    port_env: str
    default_port: int

    @property
    def port(self) -> int:
        return int(os.environ.get(self.port_env, self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@dataclass(frozen=True)
class Subscription:
    topic: str
    name: str
    push_to: str | None  # a ServedFunction name, or None for a pull subscription


FUNCTIONS: tuple[ServedFunction, ...] = (
    ServedFunction("respond-webhook", "respond", "webhook", "http", "WEBHOOK_PORT", 8081),
    ServedFunction("respond-worker", "respond", "worker", "cloudevent", "WORKER_PORT", 8082),
    ServedFunction("sheet-poller-push", "sheet_poller", "push", "http", "SHEET_PUSH_PORT", 8083),
    ServedFunction("sheet-poller", "sheet_poller", "poll", "cloudevent", "SHEET_POLL_PORT", 8084),
    ServedFunction("analytics-rollup", "analytics_rollup", "rollup", "cloudevent", "ROLLUP_PORT", 8086),
    ServedFunction("alerts", "alerts", "evaluate", "cloudevent", "ALERTS_PORT", 8087),
    ServedFunction("respond-restock", "respond", "restock", "cloudevent", "RESTOCK_PORT", 8088),
    ServedFunction("respond-outbox", "respond", "staff_outbox", "cloudevent", "OUTBOX_PORT", 8089),
    # Port base+79: the next free one below the emulators (base+80, +85).
    ServedFunction("respond-outreach", "respond", "outreach", "cloudevent", "OUTREACH_PORT", 8079),
)

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("inbound-messages", "respond-worker", "respond-worker"),
    Subscription("catalog-changes", "alerts-catalog-changes", "alerts"),
    Subscription("catalog-changes", "respond-restock", "respond-restock"),
    Subscription("conversation-events", "analytics-rollup", None),
    Subscription("sheet-poll-ticks", "sheet-poller-ticks", "sheet-poller"),
    Subscription("alerts-ticks", "alerts-ticks", "alerts"),
    Subscription("rollup-ticks", "analytics-rollup-ticks", "analytics-rollup"),
    # Locally, devtools.outbox_bridge stands in for Eventarc's Firestore trigger on staff replies.
    Subscription("staff-outbox", "respond-outbox", "respond-outbox"),
    Subscription("outreach-ticks", "respond-outreach-ticks", "respond-outreach"),
)

# Local stand-in for Cloud Scheduler: (topic, job name, interval in seconds).
SCHEDULE: tuple[tuple[str, str, int], ...] = (
    ("sheet-poll-ticks", "poll-sheets", 60),
    ("alerts-ticks", "evaluate-alerts", 60),
    ("rollup-ticks", "rollup-analytics", 60),
    ("outreach-ticks", "send-outreach", 60),
)


def function(name: str) -> ServedFunction:
    return next(f for f in FUNCTIONS if f.name == name)


def topics() -> list[str]:
    return sorted({s.topic for s in SUBSCRIPTIONS} | {t for t, _, _ in SCHEDULE})


if __name__ == "__main__":
    if sys.argv[1:] == ["functions"]:
        for f in FUNCTIONS:
            print(f.name, f"functions/{f.folder}/main.py", f.target, f.signature, f.port)
    elif sys.argv[1:] == ["ports"]:
        print(" ".join(str(f.port) for f in FUNCTIONS))
    else:
        sys.exit("usage: python -m devtools.topology functions|ports")
