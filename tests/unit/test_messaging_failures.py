"""Failure handling that needs no emulator: classification, the circuit, the sweep plan, and
what may be stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.api_core import exceptions as gexc

from shared.errors import PermanentError, TransientError
from shared.messaging.failures import Circuit, classify
from shared.messaging.safety import Unstorable, check_document_id, check_storable
from shared.messaging.sweeper import GIVE_UP, MAX_SWEEPS, STALE, plan_sweep

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (TransientError("x"), "transient"),
        (gexc.ServiceUnavailable("down"), "transient"),
        (gexc.DeadlineExceeded("slow"), "transient"),
        (gexc.Aborted("contention"), "transient"),
        (PermanentError("x"), "permanent"),
        (gexc.InvalidArgument("bad"), "permanent"),
        (gexc.NotFound("gone"), "permanent"),
        (KeyError("at"), "permanent"),  # a bug: retrying the same input cannot fix it
        (TypeError("x"), "permanent"),
    ],
)
def test_classify(exc: Exception, kind: str) -> None:
    assert classify(exc) == kind


def test_circuit_opens_after_consecutive_failures_and_closes_after_its_time() -> None:
    circuit = Circuit("x", failures_to_open=2, open_seconds=0.05)
    circuit.failure()
    assert circuit.allow()
    circuit.success()
    circuit.failure()
    assert circuit.allow()  # the success in between reset the count
    circuit.failure()
    assert not circuit.allow()
    import time

    time.sleep(0.06)
    assert circuit.allow()


@pytest.mark.parametrize("bad", ["", ".", "..", "__x__", "a/b", "x" * 501, "\ud800"])
def test_unsafe_document_ids(bad: str) -> None:
    with pytest.raises(Unstorable):
        check_document_id(bad)


def test_storable_values() -> None:
    check_storable({"a": [1, 2.5, None, True, {"b": "ü 👍"}]})
    for bad in ({"": 1}, {"__name__": 1}, {"a": 2**64}, {"a": "\udfff"}, {"a": object()}):
        with pytest.raises(Unstorable):
            check_storable(bad)
    deep: list = []
    for _ in range(20):
        deep = [deep]
    with pytest.raises(Unstorable, match="nested"):
        check_storable(deep)


def conversation(age: timedelta, pending: list[str], **extra: object) -> dict:
    return {"pending_inbound": pending, "last_inbound_at": NOW - age, **extra}


def test_sweep_plan() -> None:
    plan = plan_sweep(
        [
            ("fresh", conversation(STALE - timedelta(seconds=1), ["m1"])),
            ("answered", conversation(STALE * 2, [])),
            ("stale", conversation(STALE * 2, ["m1", "m2"])),
            ("tried", conversation(STALE * 2, ["m3"], swept={"id": "m3", "count": MAX_SWEEPS})),
            ("other", conversation(STALE * 2, ["m4"], swept={"id": "older", "count": MAX_SWEEPS})),
            ("old", conversation(GIVE_UP + timedelta(minutes=1), ["m5"])),
            ("flagged", conversation(GIVE_UP * 2, ["m6"], unanswered_id="m6")),
            ("staff", conversation(STALE * 2, ["m7"], handoff=True)),
        ],
        NOW,
    )
    assert [(a.conversation_id, a.message_id, a.action, a.tries) for a in plan] == [
        ("stale", "m2", "republish", 1),
        ("tried", "m3", "flag", MAX_SWEEPS),
        ("other", "m4", "republish", 1),
        ("old", "m5", "flag", 0),
    ]


def test_failure_events_are_counted_by_reason() -> None:
    from shared.analytics.delta import event_delta
    from shared.events import ConversationEvent

    delta = event_delta(
        ConversationEvent(event_id="f", tenant_id="t", type="webhook_failure", failure="bad_message")
    )
    assert delta.counters["webhook_failures"] == 1 and delta.maps["webhook_failures_by"] == {"bad_message": 1}
