"""Per-shop schedules as pure transitions: own intervals, quiet sheets stretched and brought back
on the first change or push, the queue order (pushes, waiting reads, most overdue), the lease,
and the dispatcher's pacing by the budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.scheduling.intervals import effective_interval, failure_interval
from shared.scheduling.plan import (
    Outcome,
    Pacer,
    Policy,
    claim,
    dispatch_mark,
    new_schedule,
    push_waiting,
    queue_fields,
    refusal,
    release,
)
from shared.tenants import TenantConfig

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = Policy()


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_quiet_sheets_are_polled_less_often_up_to_the_cap() -> None:
    assert effective_interval(60, quiet_for_s=59 * 60) == 60
    assert effective_interval(60, quiet_for_s=3600) == 120
    assert effective_interval(60, quiet_for_s=3 * 3600) == 240
    assert effective_interval(60, quiet_for_s=48 * 3600) == 900
    assert effective_interval(5, quiet_for_s=5 * 3600) == 40
    assert effective_interval(3600, quiet_for_s=48 * 3600) == 3600, "never faster than its own interval"
    assert failure_interval(60, 3) == 480


def test_the_interval_setting_is_bounded_to_5_s_and_an_hour() -> None:
    base = {"tenant_id": "t", "phone_number_id": "1", "source": "file:x.csv"}
    assert TenantConfig.model_validate(base).poll_interval_s == 60
    assert TenantConfig.model_validate(base | {"poll_interval_s": 5}).poll_interval_s == 5
    for bad in (4, 3601):
        with pytest.raises(ValidationError):
            TenantConfig.model_validate(base | {"poll_interval_s": bad})


def polled(doc: dict, start: float, end: float, outcome: Outcome, interval: int = 60) -> dict:
    doc = doc | claim(at(start), "me", POLICY)
    return doc | release(doc, outcome, at(end), interval, POLICY)


def test_a_shop_is_polled_again_after_its_own_interval_and_lag_is_recorded() -> None:
    doc = new_schedule("t", 30, NOW)
    doc = polled(doc, 4, 5, Outcome("unchanged", version="7"), interval=30)
    assert doc["due_at"] == at(35) and doc["next_poll_at"] == at(35) and doc["priority"] == "scheduled"
    assert doc["next_read_at"] is None
    assert doc["lag_s"] == 4 and doc["behind"] is False and doc["version"] == "7"
    assert doc["lease_owner"] is None and doc["polls"] == 1
    late = polled(doc, 35 + 31, 35 + 32, Outcome("unchanged", version="7"), interval=30)
    assert late["lag_s"] == 31 and late["behind"] is True


def test_a_quiet_sheet_backs_off_and_its_first_change_or_push_brings_it_back() -> None:
    doc = new_schedule("t", 60, NOW)
    doc = polled(doc, 5 * 3600, 5 * 3600 + 1, Outcome("unchanged"))
    assert doc["effective_interval_s"] == 480
    changed = polled(doc, 6 * 3600, 6 * 3600 + 1, Outcome("changed", version="9"))
    assert changed["effective_interval_s"] == 60 and changed["last_change_at"] == at(6 * 3600 + 1)
    pushed = polled(doc, 6 * 3600, 6 * 3600 + 1, Outcome("unchanged", pushed=True))
    assert pushed["effective_interval_s"] == 60


def test_reads_wait_in_their_own_queue_pushes_first_and_checks_most_overdue_first() -> None:
    shops = {
        "overdue 10 min": queue_fields(at(-600), "scheduled"),
        "overdue 1 min": queue_fields(at(-60), "scheduled"),
        "changed 10 min ago, waiting for read budget": queue_fields(at(-600), "changed"),
        "changed 1 min ago, waiting for read budget": queue_fields(at(-60), "changed"),
        "pushed just now": queue_fields(at(0), "push"),
    }

    def queue(field: str) -> list[str]:
        members = [name for name, fields in shops.items() if fields[field] is not None]
        return sorted(members, key=lambda name: shops[name][field])

    assert queue("next_read_at") == [
        "pushed just now",
        "changed 10 min ago, waiting for read budget",
        "changed 1 min ago, waiting for read budget",
    ]
    assert queue("next_poll_at") == ["overdue 10 min", "overdue 1 min"]


def test_a_shop_without_read_budget_keeps_its_place_ahead_of_checks() -> None:
    doc = new_schedule("t", 60, at(-120))
    waiting = polled(doc, 0, 1, Outcome("waiting", version="8"))
    assert waiting["priority"] == "changed" and waiting["due_at"] == at(-120)
    assert waiting["next_read_at"] == at(-120) and waiting["next_poll_at"] is None
    assert "last_poll_at" not in waiting and waiting["pending_version"] == "8"
    deferred = polled(doc, 0, 1, Outcome("deferred"))
    assert deferred["priority"] == "scheduled" and deferred["due_at"] == at(-120)


def test_failures_back_off_and_a_success_resets_them() -> None:
    doc = new_schedule("t", 60, NOW)
    for _ in range(3):
        doc = polled(doc, 0, 1, Outcome("failed"))
    assert doc["failures"] == 3 and doc["due_at"] == at(1 + 480)
    doc = polled(doc, 500, 501, Outcome("unchanged"))
    assert doc["failures"] == 0 and doc["due_at"] == at(561)


def test_the_lease_keeps_a_second_instance_out_until_it_expires() -> None:
    doc = new_schedule("t", 60, NOW) | claim(NOW, "one", POLICY)
    assert refusal(doc, at(10), "two", None) == "leased"
    assert refusal(doc, at(10), "one", None) is None
    assert refusal(doc, at(POLICY.lease_s + 1), "two", None) is None, "a dead instance's lease expires"


def test_a_message_dispatched_before_the_last_poll_is_not_polled_again() -> None:
    doc = polled(new_schedule("t", 60, NOW), 10, 11, Outcome("unchanged"))
    assert refusal(doc, at(12), "two", dispatched_at=at(9)) == "done"
    assert refusal(doc, at(12), "two", dispatched_at=at(11.5)) is None


def test_a_push_during_a_poll_is_polled_right_after_it() -> None:
    doc = new_schedule("t", 60, NOW) | claim(NOW, "one", POLICY)
    doc |= push_waiting(at(1))
    doc |= release(doc, Outcome("unchanged"), at(2), 60, POLICY)
    assert doc["priority"] == "push" and doc["due_at"] == at(2) and doc["pushed_at"] is None
    assert doc["next_read_at"] == at(2) - timedelta(days=1) and doc["next_poll_at"] is None


def test_a_dispatched_shop_leaves_the_due_query_until_polled_or_lost() -> None:
    mark = dispatch_mark(NOW, POLICY)
    assert mark["next_poll_at"] == at(POLICY.redispatch_s) and mark["next_read_at"] is None


def test_the_dispatcher_hands_out_a_minute_of_budget_then_what_refills() -> None:
    reads = Pacer(per_second=0.5, burst=30)
    reads.refill(0.0)
    assert reads.room(2) == 15
    reads.spend(15, 2)
    assert reads.room(2) == 0
    reads.refill(3.9)
    assert reads.room(2) == 0
    reads.refill(4.0)
    assert reads.room(2) == 1
    reads.refill(1000.0)
    assert reads.room(2) == 15, "never more than the burst saved up"


def test_a_shop_polled_late_or_waiting_for_read_budget_raises_an_alert() -> None:
    from shared.alerts.context import TenantState
    from shared.alerts.rules_sheet import polls_behind

    tenant = TenantConfig(tenant_id="t", phone_number_id="1", source="file:x.csv")

    def findings(schedule: dict) -> list:
        state = TenantState(tenant, at(0))
        state.__dict__["poll_schedule"] = schedule  # the cached view of schedule/poll
        return polls_behind(state)

    assert findings({"interval_s": 60, "lag_s": 30.0, "behind": False, "priority": "scheduled"}) == []
    late = findings({"interval_s": 60, "lag_s": 200.0, "behind": True, "priority": "scheduled"})
    assert late[0].type == "polls_behind" and late[0].details["late_s"] == 200.0
    waiting = findings({"interval_s": 60, "priority": "changed", "due_at": at(-600), "behind": False})
    assert waiting[0].details["waiting_for_read"] is True and waiting[0].details["late_s"] == 600.0
    assert findings({"interval_s": 60, "priority": "changed", "due_at": at(-30)}) == []
