"""What the local bridges share: listen to a Firestore query and publish each new document's
reference on a topic, as Eventarc's Firestore trigger does in the cloud (see outbox_bridge and
commerce_bridge). A document seen twice (e.g. after a reconnect) is published twice; the functions
behind the topics are idempotent."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.pubsub import publish


def run_bridge(
    query: Any,
    *,
    topic: str,
    parse: Callable[[str], BaseModel],
    wanted: Callable[[dict[str, Any]], bool],
    name: str,
) -> None:
    """Publish `parse(path)` on `topic` for every document `query` adds that is `wanted`, until
    interrupted."""
    log = get_logger(f"devtools.{name}")

    def on_change(snapshots: Any, changes: Any, read_time: Any) -> None:
        for change in changes:
            if change.type.name != "ADDED" or not wanted(change.document.to_dict() or {}):
                continue
            try:
                ref = parse(change.document.reference.path)
            except PermanentError as exc:
                log_event(log, 30, "skipping document", error=str(exc))
                continue
            publish(topic, ref)
            log_event(log, 20, "document bridged", tenant_id=getattr(ref, "tenant_id", None), topic=topic)

    watch = query.on_snapshot(on_change)
    stop = threading.Event()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    watch.unsubscribe()
